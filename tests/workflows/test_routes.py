from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from approvals.models import Award, Campaign
from workflows.models import Route, Stage, VersionStatus
from workflows.routes import route_for, route_version_draft, route_version_publish, stage_problems

pytestmark = pytest.mark.django_db


def stage(kind, level, role, **settings):
    return SimpleNamespace(kind=kind, level=level, acting_role=role, settings=settings)


PREPARE = stage("prepare", "unit", "unit_officer")
APPROVE = stage("approval", "unit", "unit_commander")
DECIDE = stage("decision", "ministry", "deciding_authority")


def test_demo_routes_are_in_force_for_their_awards():
    for award_code, stage_count in [("giay-khen", 4), ("bk-bqp", 7), ("co-bqp", 6)]:
        version = route_for(award=Award.objects.get(code=award_code), campaign=None)
        assert version.status == VersionStatus.PUBLISHED
        assert version.stages.count() == stage_count
        assert stage_problems(version.stages.all()) == []


def test_a_valid_route_has_no_problems():
    assert stage_problems([PREPARE, APPROVE, DECIDE]) == []


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([], "Quy trình phải có ít nhất một bước."),
        ([PREPARE, APPROVE], "Quy trình chưa có bước quyết định khen thưởng."),
        (
            [PREPARE, DECIDE, APPROVE],
            "Bước quyết định khen thưởng phải là bước cuối cùng và duy nhất.",
        ),
        ([APPROVE, DECIDE], "Bước đầu tiên phải là “Lập hồ sơ đề nghị” tại đơn vị đề nghị."),
        (
            [PREPARE, APPROVE, APPROVE, DECIDE],
            "Bước 2 và bước 3 trùng nhau (cùng cấp, cùng loại bước).",
        ),
        (
            [PREPARE, stage("council_vote", "bloc", "council_secretary"), DECIDE],
            "Bước 2: không có hội đồng TĐKT ở cấp “Khối thi đua”.",
        ),
        (
            [PREPARE, stage("bloc_vote", "ministry", "bloc_officer"), DECIDE],
            "Bước 2: bước “Khối thi đua bình xét, suy tôn” không thực hiện ở cấp “Bộ Quốc phòng”.",
        ),
        (
            [PREPARE, stage("approval", "unit", "unit_officer"), DECIDE],
            "Bước 2: vai trò “Cán bộ thi đua, khen thưởng đơn vị” không thực hiện được bước "
            "“Chỉ huy phê duyệt, ký tờ trình”.",
        ),
        (
            [PREPARE, stage("posting", "ministry", "secretariat_officer"), DECIDE],
            "Bước 2: bước công khai phải có số ngày làm việc công khai (posting_working_days) "
            "từ 1 trở lên.",
        ),
        (
            [
                PREPARE,
                stage("council_vote", "ministry", "council_secretary", threshold_percent=120),
                DECIDE,
            ],
            "Bước 2: ngưỡng tán thành phải lớn hơn 0 và không quá 100%.",
        ),
        (
            [
                PREPARE,
                stage("council_vote", "ministry", "council_secretary", quorum=[3, 2]),
                DECIDE,
            ],
            "Bước 2: túc số phải có dạng [tử số, mẫu số], ví dụ [2, 3].",
        ),
    ],
)
def test_invalid_routes_are_explained(stages, message):
    assert message in stage_problems(stages)


def test_publishing_an_invalid_draft_is_refused_and_leaves_it_a_draft():
    route = Route.objects.get(code="giay-khen")
    draft = route_version_draft(
        actor=None,
        route=route,
        stages=[
            {"kind": "prepare", "level": "unit", "acting_role": "unit_officer"},
            {"kind": "approval", "level": "unit", "acting_role": "unit_commander"},
        ],
    )
    with pytest.raises(ValidationError) as refused:
        route_version_publish(actor=None, version=draft)
    assert "Quy trình chưa có bước quyết định khen thưởng." in refused.value.messages
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert route.current_version().number == 1


def test_a_new_version_replaces_the_old_one_for_new_nominations_only():
    route = Route.objects.get(code="giay-khen")
    old = route.current_version()
    draft = route_version_draft(actor=None, route=route)  # a copy of the version in force
    assert [s.kind for s in draft.stages.all()] == [s.kind for s in old.stages.all()]
    route_version_publish(actor=None, version=draft)
    old.refresh_from_db()
    assert old.status == VersionStatus.RETIRED
    assert list(old.stages.values_list("kind", flat=True)) == [
        "prepare",
        "approval",
        "review",
        "decision",
    ]
    assert route_for(award=route.award, campaign=None) == draft


def test_a_campaign_route_overrides_the_awards_default():
    award = Award.objects.get(code="giay-khen")
    campaign = Campaign.objects.get(code="tdqt-2026")
    special = Route.objects.create(
        code="gk-2026", name="Giấy khen 2026", award=award, campaign=campaign
    )
    version = route_version_draft(
        actor=None,
        route=special,
        stages=[
            {"kind": "prepare", "level": "unit", "acting_role": "unit_officer"},
            {"kind": "decision", "level": "parent", "acting_role": "deciding_authority"},
        ],
    )
    route_version_publish(actor=None, version=version)
    assert route_for(award=award, campaign=campaign) == version
    other = Campaign.objects.get(code="tdqt-2025")
    assert route_for(award=award, campaign=other).route.code == "giay-khen"


def _inline_post(version, rows):
    data = {
        "route": version.route_id,
        "note": version.note,
        "stages-TOTAL_FORMS": len(rows),
        "stages-INITIAL_FORMS": 0,
        "stages-MIN_NUM_FORMS": 0,
        "stages-MAX_NUM_FORMS": 1000,
    }
    for index, (position, kind, level, role) in enumerate(rows):
        data.update(
            {
                f"stages-{index}-position": position,
                f"stages-{index}-kind": kind,
                f"stages-{index}-level": level,
                f"stages-{index}-acting_role": role,
                f"stages-{index}-time_limit_working_days": 5,
                f"stages-{index}-settings": "{}",
            }
        )
    return data


def _save_new_draft_in_admin(client, rows):
    """An administrator fills an empty draft of the bk-bqp route with `rows` and saves it."""
    draft = route_version_draft(actor=None, route=Route.objects.get(code="bk-bqp"), stages=[])
    url = reverse("admin:workflows_routeversion_change", args=[draft.pk])
    return draft, client.post(url, _inline_post(draft, rows))


def test_admin_refuses_to_save_an_invalid_draft_and_keeps_what_was_typed(client_for):
    rows = [
        (1, "prepare", "unit", "unit_officer"),
        (2, "council_vote", "bloc", "council_secretary"),
    ]
    draft, response = _save_new_draft_in_admin(client_for("quantri"), rows)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quy trình chưa có bước quyết định khen thưởng." in html
    assert "không có hội đồng TĐKT ở cấp" in html
    assert 'value="council_vote" selected' in html
    assert Stage.objects.filter(version=draft).count() == 0


def test_admin_saves_a_valid_draft(client_for):
    rows = [
        (1, "prepare", "unit", "unit_officer"),
        (2, "decision", "ministry", "deciding_authority"),
    ]
    draft, response = _save_new_draft_in_admin(client_for("quantri"), rows)
    assert response.status_code == 302
    assert list(draft.stages.values_list("kind", flat=True)) == ["prepare", "decision"]


def test_published_versions_cannot_be_edited_in_the_admin(client_for):
    version = Route.objects.get(code="bk-bqp").current_version()
    url = reverse("admin:workflows_routeversion_change", args=[version.pk])
    response = client_for("quantri").post(url, {"note": "changed"})
    assert response.status_code == 403
