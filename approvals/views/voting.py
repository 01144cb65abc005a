"""Council session pages: the sessions of the user's councils, a new session, the session with
its roster, quorum and agenda and the secretary's and the chair's actions, the member's secret
ballot and the check of a ballot receipt. Every change goes through approvals.services.voting.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from approvals.forms import AttendanceForm, BallotForm, ConcludeForm, ReceiptForm, SessionForm
from approvals.models import AttendanceStatus, SessionStatus, VoteMark
from approvals.selectors import voting as selectors
from approvals.services import voting as services
from approvals.views.nominations import form_error


@login_required
def session_list(request):
    return render(
        request,
        "approvals/session_list.html",
        {"councils": selectors.session_list_for_user(request.user)},
    )


def _chosen_council(request, councils):
    wanted = request.POST.get("council") or request.GET.get("council") or ""
    if wanted.isascii() and wanted.isdigit():
        for council in councils:
            if council.pk == int(wanted):
                return council
    return councils[0]


@login_required
def session_create(request):
    councils = list(selectors.councils_running_sessions(request.user))
    if not councils:
        raise PermissionDenied
    council = _chosen_council(request, councils)
    waiting = list(
        services.waiting_nominations(council).order_by(
            "award__sort_order", "award_id", "submitting_unit__path", "nominee_name", "pk"
        )
    )
    initial = {
        key: request.GET[key]
        for key in ("title", "meeting_date", "voting_deadline")
        if key in request.GET
    } | {"council": council.pk, "nominations": [n.pk for n in waiting]}
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        councils=selectors.councils_running_sessions(request.user),
        waiting=services.waiting_nominations(council),
        initial=initial,
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.session_create(
                    actor=request.user,
                    council=data["council"],
                    title=data["title"],
                    meeting_date=data["meeting_date"],
                    voting_deadline=data["voting_deadline"],
                    nominations=list(data["nominations"]),
                )
            except ValidationError as error:
                form_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Đã lập phiên họp với %(n)s đề nghị đưa ra biểu quyết.")
                    % {"n": session.items.count()},
                )
                return redirect("session_detail", session.pk)
        checked = {str(value) for value in request.POST.getlist("nominations")}
    else:
        checked = {str(n.pk) for n in waiting}
    groups: dict = {}
    for nomination in waiting:
        groups.setdefault(nomination.award, []).append(nomination)
    return render(
        request,
        "approvals/session_form.html",
        {
            "form": form,
            "council": council,
            "councils": councils,
            "several_councils": len(councils) > 1,
            "groups": list(groups.items()),
            "checked": checked,
        },
        status=400 if request.method == "POST" else 200,
    )


def _session_page(
    request, session, *, status=200, errors=(), overview=None, attendance_form=None, **forms
):
    """The session page; after a refused action, with its errors and the form as typed."""
    overview = overview or selectors.session_overview(session, request.user)
    actions = selectors.session_actions(request.user, session)
    if actions["record"] and attendance_form is None:
        attendance_form = AttendanceForm(
            attendances=overview["attendances"],
            allows_written=session.council.allows_written_votes,
        )
    if actions["conclude"]:
        forms.setdefault("conclude_form", ConcludeForm(short_items=_short_items(session, overview)))
    mine = overview["mine"]
    context = {
        "session": session,
        **overview,
        "actions": actions,
        "errors": errors,
        "attendance_form": attendance_form if actions["record"] else None,
        "can_vote": (
            session.status == SessionStatus.VOTING
            and mine is not None
            and mine.status != AttendanceStatus.ABSENT
            and not mine.voted
        ),
        **forms,
    }
    return render(request, "approvals/session_detail.html", context, status=status)


def _short_items(session, overview) -> list:
    """Items that fell short in the first round, where a second round is allowed."""
    if not session.council.allows_second_round or session.round != 1:
        return []
    return [item for item in overview["current_items"] if item.passed is False]


@login_required
def session_detail(request, session_id: int):
    return _session_page(request, selectors.get_session_for_user(request.user, session_id))


def _allowed(request, session, *roles: str):
    scope_roles = selectors.session_roles(request.user, session)
    if not any(scope_roles[role] for role in roles):
        raise PermissionDenied(
            _("Đồng chí không có quyền này đối với hội đồng %(c)s.") % {"c": session.council}
        )


@login_required
@require_POST
def session_attendance(request, session_id: int):
    session = selectors.get_session_for_user(request.user, session_id)
    _allowed(request, session, "runs", "chairs")
    overview = selectors.session_overview(session, request.user)
    form = AttendanceForm(
        request.POST,
        attendances=overview["attendances"],
        allows_written=session.council.allows_written_votes,
    )
    errors = []
    if form.is_valid():
        try:
            services.attendance_record(
                actor=request.user, session=session, present=form.present(), written=form.written()
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("Đã ghi điểm danh: %(p)s thành viên có mặt, %(w)s bỏ phiếu bằng văn bản.")
                % {"p": len(form.present()), "w": len(form.written())},
            )
            return redirect("session_detail", session.pk)
    else:
        errors = [_("Điểm danh chưa đầy đủ: chọn tình trạng của từng thành viên.")]
    return _session_page(
        request, session, status=400, errors=errors, overview=overview, attendance_form=form
    )


def _chair_action(request, session_id: int, action, done: str):
    session = selectors.get_session_for_user(request.user, session_id)
    _allowed(request, session, "chairs")
    try:
        action(actor=request.user, session=session)
    except ValidationError as error:
        return _session_page(request, session, status=400, errors=error.messages)
    messages.success(request, done)
    return redirect("session_detail", session.pk)


@login_required
@require_POST
def session_open(request, session_id: int):
    return _chair_action(
        request, session_id, services.voting_open, _("Đã mở bỏ phiếu. Thành viên có thể bỏ phiếu.")
    )


@login_required
@require_POST
def session_close(request, session_id: int):
    return _chair_action(
        request,
        session_id,
        services.voting_close,
        _("Đã kết thúc bỏ phiếu; kết quả đã được kiểm trên toàn bộ thành viên hội đồng."),
    )


@login_required
@require_POST
def session_conclude(request, session_id: int):
    session = selectors.get_session_for_user(request.user, session_id)
    _allowed(request, session, "chairs")
    overview = selectors.session_overview(session, request.user)
    form = ConcludeForm(request.POST, short_items=_short_items(session, overview))
    if form.is_valid():
        second_round = form.cleaned_data.get("second_round") or []
        try:
            services.session_conclude(
                actor=request.user,
                session=session,
                conclusion=form.cleaned_data["conclusion"],
                second_round=second_round,
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            if second_round:
                done = _("Đã đưa %(n)s đề nghị ra bỏ phiếu vòng hai.") % {"n": len(second_round)}
            else:
                done = _("Chủ tịch hội đồng đã kết luận; kết quả được chuyển vào từng đề nghị.")
            messages.success(request, done)
            return redirect("session_detail", session.pk)
    return _session_page(
        request, session, status=400, overview=overview, conclude_form=form, errors=()
    )


@never_cache
@login_required
def session_ballot(request, session_id: int):
    """The member's secret ballot; the receipt is shown once, in the answer to the submission."""
    session = selectors.get_session_for_user(request.user, session_id)
    membership = services.membership_of(request.user, session)
    if membership is None:
        raise PermissionDenied(_("Đồng chí không phải thành viên hội đồng trong phiên họp này."))
    attendance = session.attendances.get(membership=membership)
    if attendance.status == AttendanceStatus.ABSENT:
        raise PermissionDenied(
            _("Đồng chí vắng mặt và không đăng ký bỏ phiếu bằng văn bản nên không bỏ phiếu.")
        )
    context = {"session": session, "attendance": attendance, "form": None}
    if session.status != SessionStatus.VOTING:
        context["closed"] = True
    elif VoteMark.objects.filter(
        session=session, round=session.round, membership=membership
    ).exists():
        context["already_voted"] = True
    elif timezone.now() > session.voting_deadline:
        context["too_late"] = True
    else:
        items = session.items.filter(round=session.round).select_related(
            "nomination__award", "nomination__submitting_unit"
        )
        form = BallotForm(
            request.POST if request.method == "POST" else None,
            items=items.order_by("nomination__award__sort_order", "nomination__award_id", "pk"),
            recused=services.recused_item_ids(session, membership),
        )
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            try:
                receipt = services.ballot_cast(
                    actor=request.user,
                    session=session,
                    choices=form.choices(),
                    opinions=form.opinions(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(
                    request,
                    "approvals/session_ballot_done.html",
                    {"session": session, "receipt": receipt},
                )
    status = 400 if request.method == "POST" else 200
    return render(request, "approvals/session_ballot.html", context, status=status)


@never_cache
@login_required
def session_receipt(request, session_id: int):
    """Whether a ballot with this receipt was counted; never what it chose."""
    session = selectors.get_session_for_user(request.user, session_id)
    form = ReceiptForm(request.POST if request.method == "POST" else None)
    counted = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            counted = services.receipt_counted(session, form.cleaned_data["receipt"])
            form = ReceiptForm()
        else:
            status = 400
    return render(
        request,
        "approvals/session_receipt.html",
        {"session": session, "form": form, "counted": counted},
        status=status,
    )
