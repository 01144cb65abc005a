"""Bloc review pages: the reviews the user may see, a new review, the review page with the
officer's and the leader's actions, the delegate's scoring form and secret acclamation
ballot. Every change goes through approvals.services.bloc_reviews.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from approvals.bloc_review_forms import (
    AcclaimForm,
    DecideForm,
    DelegatesForm,
    ReviewForm,
    ScoreForm,
    SubmitForm,
)
from approvals.documents import bloc_minutes
from approvals.models import AcclaimMark, AcclaimResult, BlocScore, ReviewStatus
from approvals.selectors import bloc_reviews as selectors
from approvals.services import bloc_reviews as services
from approvals.views.nominations import form_error


@login_required
def bloc_review_list(request):
    return render(
        request,
        "approvals/bloc_review_list.html",
        {
            "reviews": selectors.reviews_for_user(request.user).order_by("-year", "bloc__code"),
            "can_create": selectors.blocs_run_by(request.user).exists(),
        },
    )


@login_required
def bloc_review_create(request):
    blocs = selectors.blocs_run_by(request.user)
    if not blocs.exists():
        raise PermissionDenied
    today = timezone.localdate()
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        blocs=blocs,
        initial={"year": today.year, "meeting_date": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_create(actor=request.user, **data)
        except ValidationError as error:
            form_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã lập hội nghị bình xét; đề nghị đăng ký đại biểu."))
            return redirect("bloc_review_detail", review.pk)
    return render(
        request,
        "approvals/bloc_review_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _tied(review):
    return list(
        AcclaimResult.objects.filter(review=review, round=review.round, tied=True).select_related(
            "unit"
        )
    )


def _review_page(request, review, *, status=200, errors=(), **forms):
    """The review page; after a refused action, with its errors and the form as typed."""
    overview = selectors.review_overview(review, request.user)
    actions = overview["actions"]
    if actions["delegates"]:
        forms.setdefault(
            "delegates_form",
            DelegatesForm(units=overview["members"], seats=overview["seats"]),
        )
    if actions["decide"]:
        forms.setdefault("decide_form", DecideForm(tied=_tied(review)))
    if actions["submit"]:
        forms.setdefault("submit_form", SubmitForm())
        forms["waiting"] = [
            (nomination, services.member_for(nomination, overview["members"]))
            for nomination in services.waiting_nominations(review)
        ]
    if review.status == ReviewStatus.SUBMITTED and services.is_bloc_officer(
        request.user, review.bloc
    ):
        # where the result went: the officer no longer sees these nominations once they
        # leave the bloc's stage
        forms["delivered"] = services.submitted_nominations(review)
    context = {**overview, "errors": errors, **forms}
    return render(request, "approvals/bloc_review_detail.html", context, status=status)


@login_required
def bloc_review_detail(request, review_id: int):
    return _review_page(request, selectors.get_review_for_user(request.user, review_id))


def _officer_only(request, review) -> None:
    if not services.is_bloc_officer(request.user, review.bloc):
        raise PermissionDenied(_("Chỉ cán bộ của khối thực hiện được thao tác này."))


def _run(request, review, service, done: str, **arguments):
    """Call a service on the review; its refusal shows on the review page."""
    try:
        service(actor=request.user, review=review, **arguments)
    except ValidationError as error:
        return _review_page(request, review, status=400, errors=error.messages)
    messages.success(request, done)
    return redirect("bloc_review_detail", review.pk)


@login_required
@require_POST
def bloc_review_delegates(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    _officer_only(request, review)
    overview = selectors.review_overview(review, request.user)
    form = DelegatesForm(request.POST, units=overview["members"], seats=overview["seats"])
    if not form.is_valid():
        return _review_page(request, review, status=400, delegates_form=form)
    return _run(
        request,
        review,
        services.delegates_set,
        _("Đã cập nhật đại biểu các đơn vị."),
        delegates=form.delegates,
    )


@login_required
@require_POST
def bloc_review_open_scoring(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    _officer_only(request, review)
    return _run(request, review, services.scoring_open, _("Đã mở chấm điểm."))


@login_required
@require_POST
def bloc_review_open_acclaim(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    _officer_only(request, review)
    return _run(
        request, review, services.acclaim_open, _("Đã kết thúc chấm điểm và mở bỏ phiếu suy tôn.")
    )


@login_required
@require_POST
def bloc_review_close(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    _officer_only(request, review)
    return _run(request, review, services.acclaim_close, _("Đã kết thúc bỏ phiếu và kiểm phiếu."))


@login_required
@require_POST
def bloc_review_decide(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    if not (
        services.is_bloc_officer(request.user, review.bloc)
        or services.is_leader_officer(request.user, review)
    ):
        raise PermissionDenied(_("Chỉ khối trưởng quyết định khi các đơn vị bằng phiếu."))
    form = DecideForm(request.POST, tied=_tied(review))
    if not form.is_valid():
        return _review_page(request, review, status=400, decide_form=form)
    return _run(
        request,
        review,
        services.leader_decide,
        _("Đã ghi quyết định của khối trưởng."),
        units=[int(pk) for pk in form.cleaned_data["units"]],
        decision=form.cleaned_data["decision"],
    )


@login_required
@require_POST
def bloc_review_submit(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    _officer_only(request, review)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _review_page(request, review, status=400, submit_form=form)
    return _run(
        request,
        review,
        services.review_submit,
        _("Đã gửi kết quả bình xét, suy tôn vào đề nghị của các đơn vị."),
        minutes=form.cleaned_data["minutes"],
    )


def _delegate(request, review):
    delegate = services.delegate_of(request.user, review)
    if delegate is None:
        raise PermissionDenied(_("Đồng chí không phải đại biểu trong hội nghị này."))
    return delegate


@login_required
def bloc_review_score(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    delegate = _delegate(request, review)
    if review.status != ReviewStatus.SCORING:
        messages.info(request, _("Hội nghị không đang chấm điểm."))
        return redirect("bloc_review_detail", review.pk)
    existing = {
        (unit_id, criterion_id): score
        for unit_id, criterion_id, score in BlocScore.objects.filter(delegate=delegate).values_list(
            "unit_id", "criterion_id", "score"
        )
    }
    form = ScoreForm(
        request.POST if request.method == "POST" else None,
        units=services.units_to_score(review, delegate),
        criteria=services.criteria_of(review),
        initial_scores=existing,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.score_record(actor=request.user, review=review, scores=form.scores())
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Đã ghi điểm chấm của đồng chí."))
            return redirect("bloc_review_detail", review.pk)
    return render(
        request,
        "approvals/bloc_review_score.html",
        {"review": review, "delegate": delegate, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
def bloc_review_ballot(request, review_id: int):
    review = selectors.get_review_for_user(request.user, review_id)
    delegate = _delegate(request, review)
    voted = AcclaimMark.objects.filter(review=review, round=review.round, delegate=delegate)
    if review.status != ReviewStatus.ACCLAIMING or voted.exists():
        messages.info(request, _("Đồng chí không có phiếu nào đang chờ bỏ ở hội nghị này."))
        return redirect("bloc_review_detail", review.pk)
    candidates = [
        unit
        for unit in services.candidates(review)
        if review.own_unit_vote_allowed or unit.pk != delegate.unit_id
    ]
    form = AcclaimForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.acclaim_cast(
                actor=request.user,
                review=review,
                units=[int(pk) for pk in form.cleaned_data["units"]],
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Đồng chí đã nộp phiếu suy tôn."))
            return redirect("bloc_review_detail", review.pk)
    return render(
        request,
        "approvals/bloc_review_ballot.html",
        {
            "review": review,
            "delegate": delegate,
            "form": form,
            "seats": services.seats_left(review),
        },
        status=400 if request.method == "POST" else 200,
    )


MINUTES_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@never_cache
@login_required
def bloc_review_minutes(request, review_id: int):
    """The review's minutes (PDF, or DOCX with ?format=docx) for whoever may see the review.

    Once the result is submitted, the stored copy filed in the dossiers; before, while the
    result is settled but not yet submitted, a draft drawn from the data.
    """
    review = selectors.get_review_for_user(request.user, review_id)
    extension = request.GET.get("format", "pdf")
    if extension not in MINUTES_TYPES or not bloc_minutes.has_result(review):
        raise Http404
    stored = bloc_minutes.bloc_minutes_files(review).get(extension)
    if stored is not None:
        content = default_storage.open(stored, "rb")
    else:
        docx_bytes, pdf_bytes = bloc_minutes.bloc_minutes_render(review)
        content = io.BytesIO(pdf_bytes if extension == "pdf" else docx_bytes)
    return FileResponse(
        content,
        as_attachment=True,
        filename=bloc_minutes.bloc_minutes_file_name(review, extension),
        content_type=MINUTES_TYPES[extension],
    )
