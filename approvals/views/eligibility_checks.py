"""Eligibility on demand: a whole letter's check, and the secretariat's override of a rule."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.forms import RuleOverrideForm
from approvals.selectors import nominations as selectors
from approvals.services.eligibility import check_nominations
from approvals.services.rule_overrides import rule_override
from approvals.views.nominations import form_error, render_detail_with


@login_required
@require_POST
def nomination_override(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    form = RuleOverrideForm(request.POST)
    if form.is_valid():
        try:
            rule_override(actor=request.user, nomination=nomination, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Đã miễn áp dụng điều kiện “%(rule)s”.") % {"rule": form.cleaned_data["rule"]},
            )
            return redirect("nomination_detail", nomination.pk)
    return render_detail_with(request, nomination, override_form=form)


@login_required
def letter_eligibility(request, letter_id: int):
    """Every nomination of the letter the user may read, checked now against its rules."""
    letter = selectors.get_letter_for_user(request.user, letter_id)
    nominations = list(
        selectors.nominations_for_user(request.user)
        .filter(letter=letter)
        .select_related("award", "campaign", "submitting_unit", "person", "nominee_unit")
        .order_by("pk")
    )
    verdicts = check_nominations(nominations)
    return render(
        request,
        "approvals/letter_eligibility.html",
        {
            "letter": letter,
            "verdicts": verdicts,
            "failing": sum(1 for verdict in verdicts if not verdict.eligible),
        },
    )
