"""Nomination pages: inbox, list, page with timeline, and the forms that act through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.forms import (
    ActForm,
    AttachmentForm,
    NominationEditForm,
    NominationForm,
    VoteResultForm,
    WithdrawForm,
    preparable_units,
)
from approvals.models import Award, Campaign
from approvals.models.catalogue import DecidingLevel
from approvals.permissions import AllowedAction as A
from approvals.permissions import allowed_actions, may_act
from approvals.selectors import nomination_filters as filters
from approvals.selectors import nominations as selectors
from approvals.selectors.dossier_checklist import checklist_and_types
from approvals.selectors.eligibility_facts import version_in_force
from approvals.selectors.scope import scope_for
from approvals.services import nominations as services
from approvals.services.eligibility import UNREAD, check_nomination
from workflows.models import StageKind, StageLevel

PAGE_SIZE = 50


def form_error(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def nomination_inbox(request):
    nominations = selectors.inbox_for_user(request.user)
    page = selectors.nominations_page(nominations, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "approvals/nomination_inbox.html",
        {
            "page": page,
            "counts": selectors.inbox_counts(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def nomination_list(request):
    nominations = selectors.nominations_filtered(request.user, request.GET)
    page = selectors.nominations_page(nominations, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "approvals/nomination_list.html",
        {
            "page": page,
            "statuses": filters.status_choices(),
            "stages": StageKind.choices,
            "levels": StageLevel.choices,
            "deciding_levels": DecidingLevel.choices,
            "milestones": filters.Milestone.choices,
            "orders": filters.Order.choices,
            "choices": filters.filter_choices(request.user, request.GET),
            # the selects show a code and a name: nothing else is read
            "awards": Award.objects.filter(routes__isnull=False).distinct().only("code", "name"),
            "campaigns": Campaign.objects.only("code", "name"),
            "filters": request.GET,
            "may_prepare": bool(scope_for(request.user).units_with("prepare_nomination")),
        },
    )


def _shows_eligibility(scope, nomination, actions) -> bool:
    """The rules are shown where they matter next: while the unit prepares it, at the
    secretariat's appraisal, and for the secretariat at any active stage."""
    at_check = nomination.stage_position == 1 or (
        nomination.current_stage is not None and nomination.current_stage.kind == "appraisal"
    )
    return nomination.is_active and (scope.is_secretariat or bool(at_check and actions))


def _eligibility(nomination, *, version, stages):
    """The rules checked now, with the version and the stages the page has read."""
    return check_nomination(nomination, version=version, stages=stages)


def _detail_context(request, nomination, **forms) -> dict:
    scope = scope_for(request.user)
    actions = allowed_actions(scope, nomination)
    can_act = bool({A.SUBMIT, A.APPROVE, A.RETURN, A.REJECT} & set(actions))
    attachments = list(nomination.attachments.select_related("document_type", "uploaded_by"))
    # read once, for the list of stages, the checklist and the rules
    stages = list(nomination.route_version.stages.order_by("position"))
    shows_eligibility = _shows_eligibility(scope, nomination, actions)
    # the award's version in force and its rules, for the checklist and the rules alike
    version = (
        version_in_force(nomination.award, nomination.campaign) if shows_eligibility else UNREAD
    )
    dossier, document_types = checklist_and_types(
        nomination, attachments=attachments, stages=stages, version=version
    )
    context = {
        "nomination": nomination,
        "events": selectors.timeline(nomination),
        "stages": stages,
        "actors": selectors.acting_users(nomination).select_related("person"),
        "can_edit": A.SUBMIT in actions,
        "can_withdraw": A.WITHDRAW in actions,
        "can_claim": A.CLAIM in actions,
        "can_release": A.RELEASE in actions,
        "act_form": ActForm(actions=actions) if can_act else None,
        "attachments": attachments,
        "checklist": dossier,
        "blocking": [item for item in dossier if item.blocks_now],
        # objections are lodged only while the nomination is posted publicly
        "objections": nomination.objections.all() if nomination.posted_until else [],
        "can_answer_objections": can_act,
        "eligibility": (
            _eligibility(nomination, version=version, stages=stages) if shows_eligibility else None
        ),
        "can_override": scope.is_secretariat and nomination.is_active,
        **forms,
    }
    if can_act:
        # the upload form offers the first document still missing for the current stage
        missing = context["blocking"][0].document_type.pk if context["blocking"] else None
        context.setdefault(
            "attachment_form",
            AttachmentForm(
                nomination=nomination, attachments=attachments, initial={"document_type": missing}
            ),
        )
    if "attachment_form" in context:
        # the document types read with the checklist: the form's list reads them no second time
        field = context["attachment_form"].fields["document_type"]
        field.choices = [("", field.empty_label)] + [
            (document_type.pk, field.label_from_instance(document_type))
            for document_type in document_types
        ]
    if A.VOTE_RESULT in actions:
        members, required, wording = selectors.vote_requirement(nomination)
        context["vote"] = {"members": members, "required": required, "wording": wording}
        context.setdefault("vote_form", VoteResultForm(members=members))
    return context


@login_required
def nomination_detail(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    return render(request, "approvals/nomination_detail.html", _detail_context(request, nomination))


@login_required
def nomination_create(request):
    if not preparable_units(request.user).exists():
        raise PermissionDenied
    if "find" in request.POST:  # "Tìm": the person select narrowed, what was typed kept
        form = NominationForm(user=request.user, initial=request.POST.dict())
    else:
        form = NominationForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            nomination = services.nomination_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã lưu đề nghị (bản nháp)."))
            return redirect("nomination_detail", nomination.pk)
    return render(request, "approvals/nomination_form.html", {"form": form})


@login_required
def nomination_edit(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    if not (nomination.stage_position == 1 and may_act(scope_for(request.user), nomination)):
        raise PermissionDenied
    form = NominationEditForm(
        request.POST or None,
        user=request.user,
        nomination=nomination,
        initial={"achievements": nomination.achievements, "letter": nomination.letter},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_update(
                actor=request.user, nomination=nomination, **form.cleaned_data
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("nomination_detail", nomination.pk)
    return render(
        request, "approvals/nomination_form.html", {"form": form, "nomination": nomination}
    )


def render_detail_with(request, nomination, *, status: int = 400, **forms):
    """Re-render the page with the bound form that failed, keeping what was typed."""
    nomination = selectors.get_nomination_for_user(request.user, nomination.pk)
    context = _detail_context(request, nomination, **forms)
    return render(request, "approvals/nomination_detail.html", context, status=status)


@login_required
@require_POST
def nomination_act(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    form = ActForm(request.POST)
    if form.is_valid():
        try:
            services.stage_act(actor=request.user, nomination=nomination, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        except PermissionDenied as error:
            # e.g. someone else moved it on meanwhile: say so on its current page, not a bare 403
            messages.error(request, str(error))
            return render_detail_with(request, nomination, status=403)
        else:
            messages.success(request, _("Đã xử lý đề nghị."))
            return redirect("nomination_inbox")
    return render_detail_with(request, nomination, act_form=form)


@login_required
@require_POST
def nomination_vote(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    if A.VOTE_RESULT not in allowed_actions(scope_for(request.user), nomination):
        raise PermissionDenied
    members, required, _wording = selectors.vote_requirement(nomination)
    form = VoteResultForm(request.POST, members=members)
    if form.is_valid():
        agree = form.cleaned_data["agree"]
        result = services.VoteResult(
            passed=agree >= required,
            agree=agree,
            members=members,
            required=required,
            note=form.cleaned_data["note"],
        )
        try:
            services.stage_record_vote_result(
                actor=request.user, nomination=nomination, result=result
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, result.summary())
            return redirect("nomination_detail", nomination.pk)
    return render_detail_with(request, nomination, vote_form=form)


@login_required
@require_POST
def nomination_withdraw(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    form = WithdrawForm(request.POST)
    form.is_valid()
    services.nomination_withdraw(
        actor=request.user, nomination=nomination, comment=form.cleaned_data.get("comment", "")
    )
    messages.success(request, _("Đã rút đề nghị."))
    return redirect("nomination_detail", nomination.pk)


def _back(request, nomination):
    if request.POST.get("back") == "inbox":
        return redirect("nomination_inbox")
    return redirect("nomination_detail", nomination.pk)


@login_required
@require_POST
def nomination_claim(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    services.nomination_claim(actor=request.user, nomination=nomination)
    messages.success(request, _("Đồng chí đã nhận xử lý đề nghị này."))
    return _back(request, nomination)


@login_required
@require_POST
def nomination_release(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    services.nomination_release(actor=request.user, nomination=nomination)
    messages.success(request, _("Đã trả đề nghị về hàng chờ chung."))
    return _back(request, nomination)
