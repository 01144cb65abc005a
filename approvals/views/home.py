"""The landing page: what each of the user's roles lets them do."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from approvals.models.roles import Role
from approvals.selectors.organisation import roles_of


@dataclass(frozen=True)
class Action:
    name: str  # URL name; also marks the link in the page
    label: str
    scoped: bool = False  # the URL takes the role's bloc or council id


PEOPLE = Action("people_list", _("Quân nhân, người lao động"))
UNITS = Action("unit_list", _("Đơn vị"))
AWARDS = Action("award_list", _("Danh mục danh hiệu, hình thức khen thưởng"))
CAMPAIGNS = Action("campaign_list", _("Đợt thi đua"))
BLOCS = Action("bloc_list", _("Khối thi đua"))
BLOC = Action("bloc_detail", _("Khối thi đua: thành viên, đăng ký, giao ước"), scoped=True)
COUNCILS = Action("council_list", _("Hội đồng TĐKT"))
COUNCIL = Action("council_detail", _("Hội đồng TĐKT: thành phần theo nhiệm kỳ"), scoped=True)
INBOX = Action("nomination_inbox", _("Việc cần xử lý"))
NOMINATIONS = Action("nomination_list", _("Theo dõi đề nghị khen thưởng"))
DASHBOARD = Action("dashboard", _("Tình hình đề nghị: số liệu theo bước, đơn vị, khối, quá hạn"))
NEW_NOMINATION = Action("nomination_create", _("Lập đề nghị khen thưởng"))
LETTERS = Action("letter_list", _("Tờ trình"))
SESSIONS = Action("session_list", _("Phiên họp hội đồng"))
DECISIONS = Action("decision_list", _("Quyết định khen thưởng: ban hành, sửa đổi, in bằng khen"))
ADMIN = Action("admin:index", _("Trang quản trị: tổ chức, danh mục, đợt thi đua, vai trò"))

ROLE_ACTIONS: dict[str, tuple[Action, ...]] = {
    Role.UNIT_OFFICER: (
        INBOX,
        NEW_NOMINATION,
        NOMINATIONS,
        LETTERS,
        PEOPLE,
        UNITS,
        AWARDS,
        CAMPAIGNS,
    ),
    Role.UNIT_COMMANDER: (INBOX, NOMINATIONS, LETTERS, PEOPLE, UNITS, CAMPAIGNS),
    Role.BLOC_OFFICER: (INBOX, NOMINATIONS, BLOC, CAMPAIGNS),
    Role.COUNCIL_MEMBER: (SESSIONS, NOMINATIONS, COUNCIL, AWARDS),
    Role.COUNCIL_SECRETARY: (SESSIONS, INBOX, NOMINATIONS, COUNCIL, AWARDS),
    Role.COUNCIL_CHAIR: (SESSIONS, INBOX, NOMINATIONS, COUNCIL, AWARDS),
    Role.SECRETARIAT_OFFICER: (
        INBOX,
        DASHBOARD,
        NOMINATIONS,
        LETTERS,
        SESSIONS,
        DECISIONS,
        PEOPLE,
        UNITS,
        BLOCS,
        COUNCILS,
        AWARDS,
        CAMPAIGNS,
    ),
    Role.DECIDING_AUTHORITY: (INBOX, DECISIONS, NOMINATIONS, AWARDS, CAMPAIGNS),
    Role.ADMINISTRATOR: (ADMIN, NOMINATIONS, UNITS, PEOPLE, BLOCS, COUNCILS, AWARDS, CAMPAIGNS),
}


def _cards(assignments) -> list[dict]:
    cards = []
    for assignment in assignments:
        scope = assignment.scope_object
        links = []
        for action in ROLE_ACTIONS[assignment.role]:
            args = [scope.pk] if action.scoped else []
            links.append(
                {"name": action.name, "label": action.label, "url": reverse(action.name, args=args)}
            )
        cards.append({"role": assignment.get_role_display(), "scope": scope, "links": links})
    return cards


@login_required
def home(request):
    cards = _cards(roles_of(request.user))
    return render(request, "approvals/home.html", {"cards": cards})
