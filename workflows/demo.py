"""The demo's routes, as data (see README)."""

from django.db import transaction

from approvals.models import Award
from workflows.models import Route, VersionStatus
from workflows.routes import route_version_draft, route_version_publish

U, P, D, B, M = "unit", "parent", "direct", "bloc", "ministry"

# Every demo route starts in the unit; the Ministry's routes end the same way.
UNIT_START = [
    ("prepare", U, "unit_officer", 5, {}),
    ("approval", U, "unit_commander", 3, {}),
]
MINISTRY_END = [
    ("appraisal", M, "secretariat_officer", 10, {}),
    (
        "council_vote",
        M,
        "council_secretary",
        10,
        {"threshold_percent": 50, "threshold_rule": "gt", "quorum": [2, 3]},
    ),
    ("decision", M, "deciding_authority", 10, {}),
]

DEMO_ROUTES = [
    (
        "giay-khen",
        "Giấy khen do thủ trưởng cấp trên trực tiếp quyết định",
        "giay-khen",
        [
            *UNIT_START,
            ("review", P, "unit_officer", 5, {}),
            ("decision", P, "deciding_authority", 5, {}),
        ],
    ),
    (
        "bk-bqp",
        "Bằng khen của Bộ trưởng Bộ Quốc phòng",
        "bk-bqp",
        [
            *UNIT_START,
            ("review", D, "unit_officer", 5, {}),
            ("approval", D, "unit_commander", 3, {}),
            *MINISTRY_END,
        ],
    ),
    (
        "hc-bvtq-3",
        "Huân chương Bảo vệ Tổ quốc hạng Ba: công khai, Hội đồng Bộ, trình Chủ tịch nước",
        "hc-bvtq-3",
        [
            *UNIT_START,
            ("review", D, "unit_officer", 5, {}),
            ("approval", D, "unit_commander", 3, {}),
            ("appraisal", M, "secretariat_officer", 10, {}),
            ("posting", M, "secretariat_officer", 3, {"posting_working_days": 10}),
            MINISTRY_END[1],
            ("forward", M, "secretariat_officer", 5, {}),
            ("decision", "above", "secretariat_officer", 30, {}),
        ],
    ),
    (
        "cstt",
        "Chiến sĩ tiên tiến do thủ trưởng đơn vị có Hội đồng TĐKT quyết định",
        "cstt",
        [
            *UNIT_START,
            ("review", P, "unit_officer", 5, {}),
            ("decision", P, "deciding_authority", 5, {}),
        ],
    ),
    (
        "cstdcs",
        "Chiến sĩ thi đua cơ sở do thủ trưởng đơn vị có Hội đồng TĐKT quyết định",
        "cstdcs",
        [
            *UNIT_START,
            ("review", P, "unit_officer", 5, {}),
            ("decision", P, "deciding_authority", 5, {}),
        ],
    ),
    (
        "cstdtq",
        "Chiến sĩ thi đua toàn quân: Hội đồng Bộ, ngưỡng 90% tổng số thành viên",
        "cstdtq",
        [
            *UNIT_START,
            ("review", D, "unit_officer", 5, {}),
            ("approval", D, "unit_commander", 3, {}),
            ("appraisal", M, "secretariat_officer", 10, {}),
            (
                "council_vote",
                M,
                "council_secretary",
                10,
                {"threshold_percent": 90, "threshold_rule": "gte", "quorum": [2, 3]},
            ),
            ("decision", M, "deciding_authority", 10, {}),
        ],
    ),
    (
        "hc-qkqt",
        "Huy chương Quân kỳ quyết thắng: thẩm định thời gian phục vụ, Bộ trưởng quyết định",
        "hc-qkqt",
        [
            *UNIT_START,
            ("review", D, "unit_officer", 5, {}),
            ("approval", D, "unit_commander", 3, {}),
            ("appraisal", M, "secretariat_officer", 10, {}),
            ("decision", M, "deciding_authority", 10, {}),
        ],
    ),
    (
        "co-bqp",
        "Cờ thi đua của Bộ Quốc phòng qua bình xét của khối",
        "co-bqp",
        [*UNIT_START, ("bloc_vote", B, "bloc_officer", 15, {"acclaim_quota": 1}), *MINISTRY_END],
    ),
]


@transaction.atomic
def load_demo_routes() -> int:
    """Create and publish the demo routes that do not exist yet; returns how many exist."""
    for code, name, award_code, stages in DEMO_ROUTES:
        route, created = Route.objects.get_or_create(
            code=code, defaults={"name": name, "award": Award.objects.get(code=award_code)}
        )
        if created or not route.versions.filter(status=VersionStatus.PUBLISHED).exists():
            version = route_version_draft(
                actor=None,
                route=route,
                note="Quy trình mẫu",
                stages=[
                    {
                        "kind": kind,
                        "level": level,
                        "acting_role": role,
                        "time_limit_working_days": days,
                        "settings": options,
                    }
                    for kind, level, role, days, options in stages
                ],
            )
            route_version_publish(actor=None, version=version)
    return Route.objects.count()
