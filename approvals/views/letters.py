"""Submission letter pages: the unit's numbered letters and acting on a whole letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.forms import ActForm, LetterForm, preparable_units
from approvals.selectors import nominations as selectors
from approvals.selectors.scope import scope_for
from approvals.services import letters as services
from approvals.services.jobs import job_start
from approvals.views.nominations import PAGE_SIZE, form_error


@login_required
def letter_list(request):
    letters = (
        selectors.letters_for_user(request.user)
        .annotate(size=Count("nominations"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    may_prepare = bool(scope_for(request.user).units_with("prepare_nomination"))
    return render(request, "approvals/letter_list.html", {"page": page, "may_prepare": may_prepare})


@login_required
def letter_create(request):
    if not preparable_units(request.user).exists():
        raise PermissionDenied
    form = LetterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã lập tờ trình số %(n)s.") % {"n": letter.number})
            return redirect("letter_detail", letter.pk)
    return render(request, "approvals/letter_form.html", {"form": form})


def _letter_page(request, letter, form=None, status=200):
    nominations = selectors.nominations_for_user(request.user).filter(letter=letter)
    waiting = services.letter_actionable(actor=request.user, letter=letter).count()
    return render(
        request,
        "approvals/letter_detail.html",
        {
            "letter": letter,
            "nominations": nominations,
            "waiting": waiting,
            "act_form": form or (ActForm() if waiting else None),
        },
        status=status,
    )


@login_required
def letter_detail(request, letter_id: int):
    return _letter_page(request, selectors.get_letter_for_user(request.user, letter_id))


@login_required
@require_POST
def letter_act(request, letter_id: int):
    letter = selectors.get_letter_for_user(request.user, letter_id)
    form = ActForm(request.POST)
    if form.is_valid():
        try:
            done = services.letter_act(actor=request.user, letter=letter, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Đã xử lý %(n)s đề nghị của tờ trình %(number)s.")
                % {"n": len(done), "number": letter.number},
            )
            return redirect("letter_detail", letter.pk)
    return _letter_page(request, letter, form=form, status=400)


@login_required
@require_POST
def letter_generate(request, letter_id: int):
    """Start the letter's document (PDF or DOCX) with the nominations the user may read."""
    letter = selectors.get_letter_for_user(request.user, letter_id)
    file_format = "docx" if request.POST.get("format") == "docx" else "pdf"
    job = job_start(
        user=request.user,
        kind="letter_documents",
        params={"letter": letter.pk, "format": file_format},
    )
    return redirect("job_detail", job.pk)
