"""The nomination page costs at most 12 queries for everyone who opens it, and the same
number however long the nomination's history: its timeline, dossier, the nominee's registry
records and cases do not add queries."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import (
    EventAction,
    NominationEvent,
    PendingCase,
    Person,
    Unit,
)
from approvals.services.dossiers import attachment_add
from tests.approvals.dossier_helpers import PDF
from tests.approvals.nomination_helpers import move, nominate, nominate_collective, people_of
from tests.approvals.test_registry import record
from tests.approvals.tracking_helpers import advance
from tests.factories.organisation import UnitFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


def _a_long_history(demo_user, nomination, *, holder):
    """Files (with replaced versions), 30 timeline events, registry records and cases: a
    nomination that has been worked on for a long time. Added while it is a draft."""
    officer = demo_user("canbo.f3")
    for index in range(4):
        first = attachment_add(
            actor=officer,
            nomination=nomination,
            upload=SimpleUploadedFile(f"phu-luc-{index}.pdf", PDF),
        )
        attachment_add(
            actor=officer,
            nomination=nomination,
            upload=SimpleUploadedFile(f"phu-luc-{index}-sua.pdf", PDF),
            replaces=first,
        )
    NominationEvent.objects.bulk_create(
        NominationEvent(
            nomination=nomination,
            actor=officer,
            action=EventAction.CLAIMED if index % 2 else EventAction.RELEASED,
            status_after=nomination.status,
            comment=f"Ghi chú {index}",
        )
        for index in range(30)
    )
    is_person = isinstance(holder, Person)
    for year in (2022, 2023, 2024, 2025):
        record(holder, award="cstt" if is_person else "dvqt", year=year)
    side = {"person": holder} if is_person else {"unit": holder}
    for index in range(3):
        PendingCase.objects.create(
            kind="inspection",
            reference=f"KL-CU-{index}",
            opened_on=datetime.date(2024, 1, 10 + index),
            closed_on=datetime.date(2024, 6, 1),
            **side,
        )
    PendingCase.objects.create(
        kind="discipline", reference="KL-DANG-XET", opened_on=datetime.date(2026, 9, 1), **side
    )


def _person_nomination(demo_user, index, award, *, long_history):
    person = people_of("f3")[index]
    nomination = nominate(demo_user, person=person, award=award)
    if long_history:
        _a_long_history(demo_user, nomination, holder=person)
    return nomination


def _unit_nomination(demo_user, code, *, long_history):
    f3 = Unit.objects.get(code="f3")
    regiment = UnitFactory(parent=f3, code=code, name=f"Trung đoàn {code}")
    nomination = nominate_collective(demo_user, regiment)
    if long_history:
        _a_long_history(demo_user, nomination, holder=regiment)
    return nomination


def _page(client, nomination) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("nomination_detail", args=[nomination.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _check(client_for, username, short, long, django_assert_max_num_queries) -> str:
    """The long history's page as the user sees it, after checking both pages' counts."""
    client = client_for(username)
    with django_assert_max_num_queries(MAX_QUERIES):
        few, _ = _page(client, short)
    many, html = _page(client, long)
    assert many == few, (username, few, many)
    # the long history is on the page
    assert html.count('data-event="') >= 30
    assert "phu-luc-3-sua.pdf" in html and "bản cũ, đã được thay thế" in html
    return html


def test_the_preparing_officer_sees_a_draft_and_its_rules_within_12_queries(
    client_for, demo_user, django_assert_max_num_queries
):
    short = _person_nomination(demo_user, 2, "giay-khen", long_history=False)
    long = _person_nomination(demo_user, 3, "giay-khen", long_history=True)
    html = _check(client_for, "canbo.f3", short, long, django_assert_max_num_queries)
    # the eligibility panel, with the pending case as a failure and its remedy
    assert 'id="eligibility"' in html
    assert "KL-DANG-XET" in html and "KL-CU-0" not in html
    assert "Chỉ đề nghị khi vụ việc đã được kết luận" in html
    assert "Gửi đề nghị lên cấp trên" in html  # the action
    assert 'name="document_type"' in html and "Báo cáo thành tích" in html  # upload form
    _count, short_html = _page(client_for("canbo.f3"), short)
    assert "Đủ các điều kiện đã kiểm tra." in short_html


def test_the_commander_at_the_unit_stage_within_12_queries(
    client_for, demo_user, django_assert_max_num_queries
):
    short = move(
        demo_user, _person_nomination(demo_user, 4, "giay-khen", long_history=False), "canbo.f3"
    )
    long = _person_nomination(demo_user, 5, "giay-khen", long_history=True)
    PendingCase.objects.filter(person=long.person, closed_on__isnull=True).delete()
    long = move(demo_user, long, "canbo.f3")
    html = _check(client_for, "chihuy.f3", short, long, django_assert_max_num_queries)
    assert 'id="eligibility"' not in html  # the commander does not check the rules
    assert 'data-action="act"' in html and 'id="checklist"' in html


def test_the_secretariat_at_appraisal_within_12_queries(
    client_for, demo_user, django_assert_max_num_queries
):
    short = advance(_person_nomination(demo_user, 6, "bk-bqp", long_history=False), "appraisal")
    long = _person_nomination(demo_user, 7, "bk-bqp", long_history=True)
    cases = PendingCase.objects.filter(person=long.person, closed_on__isnull=True)
    cases.update(opened_on=datetime.date(2099, 1, 1))  # not pending while it is submitted
    long = advance(long, "appraisal")
    cases.update(opened_on=datetime.date(2026, 9, 1))  # opened since
    html = _check(client_for, "tth.canbo", short, long, django_assert_max_num_queries)
    assert "KL-DANG-XET" in html
    assert 'data-action="override"' in html  # the secretariat may set the rule aside


def test_a_council_member_and_the_secretariat_at_the_vote_within_12_queries(
    client_for, demo_user, django_assert_max_num_queries
):
    short = advance(_person_nomination(demo_user, 8, "bk-bqp", long_history=False), "council_vote")
    long = _person_nomination(demo_user, 9, "bk-bqp", long_history=True)
    PendingCase.objects.filter(person=long.person, closed_on__isnull=True).delete()
    long = advance(long, "council_vote")
    html = _check(client_for, "hd.uyvien1", short, long, django_assert_max_num_queries)
    assert 'id="eligibility"' not in html
    html = _check(client_for, "tth.canbo", short, long, django_assert_max_num_queries)
    assert 'id="eligibility"' in html  # the secretariat sees the rules at any active stage


def test_the_bloc_and_the_secretariat_on_a_collective_within_12_queries(
    client_for, demo_user, django_assert_max_num_queries
):
    short = advance(_unit_nomination(demo_user, "e-ngan", long_history=False), "bloc_vote")
    long = _unit_nomination(demo_user, "e-dai", long_history=True)
    PendingCase.objects.filter(unit=long.nominee_unit, closed_on__isnull=True).delete()
    long = advance(long, "bloc_vote")
    html = _check(client_for, "khoi2.canbo", short, long, django_assert_max_num_queries)
    assert 'id="vote"' in html  # the bloc records its vote here
    html = _check(client_for, "tth.canbo", short, long, django_assert_max_num_queries)
    # the bloc acclaim rule reads the route's stages: pending until the bloc votes
    assert "Khối thi đua sẽ bình xét, suy tôn ở bước" in html


def test_an_award_with_every_kind_of_fact_costs_no_more(
    client_for, demo_user, django_assert_max_num_queries
):
    # Chiến sĩ thi đua cơ sở reads the registry, initiatives and the unit's quota too
    short = _person_nomination(demo_user, 10, "cstdcs", long_history=False)
    long = _person_nomination(demo_user, 11, "cstdcs", long_history=True)
    html = _check(client_for, "canbo.f3", short, long, django_assert_max_num_queries)
    assert "Đạt Chiến sĩ tiên tiến trong năm" in html  # the same-year rule
    assert "Không quá 10% quân số của đơn vị" in html  # the quota, counted
    assert "KL-DANG-XET" in html


def test_a_version_without_rules_or_no_version_still_shows_the_panel(
    client_for, demo_user, django_assert_max_num_queries
):
    nomination = _person_nomination(demo_user, 12, "giay-khen", long_history=False)
    version = nomination.award.version_for(nomination.campaign)
    version.rules.all().delete()
    client = client_for("canbo.f3")
    with django_assert_max_num_queries(MAX_QUERIES):
        _count, html = _page(client, nomination)
    assert 'id="eligibility"' in html and "Đủ các điều kiện đã kiểm tra." in html
    assert 'id="checklist"' in html  # the documents the same version requires
    nomination.award.versions.update(effective_from=datetime.date(2030, 1, 1))
    with django_assert_max_num_queries(MAX_QUERIES):
        _count, html = _page(client, nomination)
    assert "không có tiêu chuẩn có hiệu lực vào ngày" in html
