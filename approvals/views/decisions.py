"""Decision pages: the decisions a user may read, issuing one for nominations waiting at their
decision stage, a decision with its list and documents, and amending or revoking it by a new
decision. Every change goes through approvals.services.decisions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.decision_forms import DEFAULT_GROUNDS, CorrectionForm, DecisionForm
from approvals.models import Job, Person, UnitLevel
from approvals.selectors import decisions as selectors
from approvals.selectors.scope import scope_for
from approvals.services import decisions as services
from approvals.services.jobs import job_start
from approvals.views.nominations import form_error

PAGE_SIZE = 50
DOCUMENT_KINDS = {"decision": "decision_documents", "certificates": "certificates"}


@login_required
def decision_list(request):
    page = Paginator(selectors.decisions_for_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "approvals/decision_list.html",
        {"page": page, "can_issue": bool(selectors.issuing_authorities(request.user))},
    )


def _issuer_title(authority, nominations) -> str:
    first = nominations[0] if nominations else None
    if first is not None and first.acting_permission == "act_secretariat":
        version = first.award.version_for(first.campaign)
        if version is not None:
            return version.get_deciding_level_display()
    if authority.level == UnitLevel.MINISTRY:
        return _("Bộ trưởng Bộ Quốc phòng")
    if authority.level == UnitLevel.DIRECT:
        return _("Tư lệnh %(unit)s") % {"unit": authority.name}
    return _("Thủ trưởng %(unit)s") % {"unit": authority.name}


def _initial(request, authority, decidable) -> dict:
    person = Person.objects.filter(user=request.user).first()
    today = timezone.localdate()
    awards = sorted({(n.award.sort_order, n.award.name) for n in decidable})
    return {
        "number": services.decision_number_suggest(authority, today.year),
        "signed_on": today,
        "issuer_title": _issuer_title(authority, decidable),
        "signer_name": person.full_name if person else "",
        "signer_title": person.position if person else "",
        "title": _("Về việc tặng %(awards)s") % {"awards": ", ".join(n for _o, n in awards)},
        "grounds": DEFAULT_GROUNDS,
        "nominations": [n.pk for n in decidable],
    }


@login_required
def decision_create(request):
    authorities = selectors.issuing_authorities(request.user)
    if not authorities:
        raise PermissionDenied
    wanted = request.POST.get("authority") or request.GET.get("authority") or ""
    authority = next((a for a in authorities if str(a.pk) == wanted), authorities[0])
    decidable = selectors.decidable_for_user(request.user, authority)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        decidable=decidable,
        initial=_initial(request, authority, list(decidable)),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                decision = services.decision_issue(
                    actor=request.user,
                    authority=authority,
                    nominations=form.cleaned_data["nominations"],
                    header=form.header(),
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã ban hành Quyết định số %(number)s: %(n)s đề nghị được khen thưởng.")
                    % {"number": decision.number, "n": decision.entries.count()},
                )
                return redirect("decision_detail", decision.pk)
        status = 400
    return render(
        request,
        "approvals/decision_form.html",
        {
            "form": form,
            "authority": authority,
            "authorities": authorities,
            "decidable": decidable,
            "checked": set(
                request.POST.getlist("nominations")
                if request.method == "POST"
                else [str(n.pk) for n in decidable]
            ),
        },
        status=status,
    )


def _readable(request, decision_id: int):
    return get_object_or_404(selectors.decisions_for_user(request.user), pk=decision_id)


@login_required
def decision_detail(request, decision_id: int):
    decision = _readable(request, decision_id)
    scope = scope_for(request.user)
    whole = selectors.reads_whole_decision(scope, decision)
    jobs = Job.objects.filter(requested_by=request.user, params__decision=decision.pk)[:10]
    return render(
        request,
        "approvals/decision_detail.html",
        {
            "decision": decision,
            "entries": selectors.entries_for_user(request.user, decision),
            "whole": whole,
            "can_correct": selectors.may_correct(scope, decision),
            "corrections": decision.corrections.order_by("signed_on", "pk"),
            "jobs": jobs,
        },
    )


@login_required
@require_POST
def decision_generate(request, decision_id: int):
    decision = _readable(request, decision_id)
    if not selectors.reads_whole_decision(scope_for(request.user), decision):
        raise PermissionDenied
    kind = DOCUMENT_KINDS.get(request.POST.get("what", ""))
    file_format = request.POST.get("format", "pdf")
    if kind is None or file_format not in ("pdf", "docx"):
        messages.error(request, _("Chọn văn bản và định dạng cần tạo."))
        return redirect("decision_detail", decision.pk)
    job = job_start(
        user=request.user, kind=kind, params={"decision": decision.pk, "format": file_format}
    )
    return redirect("job_detail", job.pk)


@login_required
def decision_correct(request, decision_id: int):
    target = _readable(request, decision_id)
    if not selectors.may_correct(scope_for(request.user), target):
        raise PermissionDenied
    entries = selectors.valid_entries(target)
    today = timezone.localdate()
    person = Person.objects.filter(user=request.user).first()
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        entries=entries,
        initial={
            "kind": "amend",
            "number": services.decision_number_suggest(target.authority, today.year),
            "signed_on": today,
            "issuer_title": target.issuer_title,
            "signer_title": person.position if person else target.signer_title,
            "signer_name": person.full_name if person else target.signer_name,
            "title": _("Về việc sửa đổi Quyết định số %(number)s") % {"number": target.number},
            "grounds": target.grounds,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                decision = services.decision_correct(
                    actor=request.user,
                    target=target,
                    kind=form.cleaned_data["kind"],
                    header=form.header(reason=form.cleaned_data["reason"]),
                    changes=form.changes(),
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã ban hành Quyết định số %(number)s.") % {"number": decision.number},
                )
                return redirect("decision_detail", decision.pk)
        status = 400
    return render(
        request,
        "approvals/decision_correct.html",
        {"form": form, "target": target},
        status=status,
    )
