"""The "who could be nominated" page: a unit's people (or subunits) against an award's rules."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from approvals.eligibility_forms import EligibleCandidatesForm
from approvals.selectors.eligible_candidates import (
    eligible_candidates,
    may_list_candidates,
    nomination_params,
)

PAGE_SIZE = 100


@login_required
def eligible_candidates_list(request):
    if not may_list_candidates(request.user):
        raise PermissionDenied
    form = EligibleCandidatesForm(request.GET or None, user=request.user)
    if form.refuses_unit():
        raise PermissionDenied
    context = {"form": form}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        listing = eligible_candidates(
            unit=data["unit"], award=data["award"], campaign=data["campaign"]
        )
        rows = listing.rows if data["ineligible"] else listing.eligible_rows
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows = list(page)
        links = nomination_params(request.user, listing, page_rows)
        context |= {
            "listing": listing,
            "page": page,
            "rows": list(zip(page_rows, links, strict=True)),
            "show_ineligible": data["ineligible"],
        }
    return render(request, "approvals/eligible_candidates.html", context)
