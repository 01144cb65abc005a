"""The yearly summary and the statistical form: figures equal direct counts, within the
user's permissions, in a bounded number of queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import CalendarDay, Nomination, NominationStatus, Unit
from approvals.selectors.calendar import working_days_between
from approvals.selectors.reports import ReportGroup, ReportRow, statistics_form, yearly_report
from approvals.services.nominations import nomination_create, nomination_withdraw, stage_act
from tests.approvals.nomination_helpers import move, nominate, people_of

pytestmark = pytest.mark.django_db

YEAR = 2026


def _reason(demo_user, username, nomination, action, **kwargs):
    return stage_act(
        actor=demo_user(username),
        nomination=nomination,
        action=action,
        comment="Bổ sung hồ sơ.",
        **kwargs,
    )


@pytest.fixture
def outcomes(demo_user):
    """F3's Giấy khen nominations in every outcome, and two of QK3's on their way.

    awarded: two (one after a return); rejected: one; withdrawn: one; in progress: one that
    was returned to the unit and sent again; a draft (not counted: never sent).
    """
    f3 = {}
    f3["awarded"] = move(
        demo_user,
        nominate(demo_user, index=0),
        "canbo.f3",
        "chihuy.f3",
        "canbo.qk1",
        "chihuy.qk1",
    )
    returned_then_awarded = move(demo_user, nominate(demo_user, index=1), "canbo.f3", "chihuy.f3")
    returned_then_awarded = _reason(demo_user, "canbo.qk1", returned_then_awarded, "return")
    f3["returned_then_awarded"] = move(
        demo_user, returned_then_awarded, "chihuy.f3", "canbo.qk1", "chihuy.qk1"
    )
    rejected = move(demo_user, nominate(demo_user, index=2), "canbo.f3", "chihuy.f3")
    f3["rejected"] = _reason(demo_user, "canbo.qk1", rejected, "reject")
    withdrawn = move(demo_user, nominate(demo_user, index=3), "canbo.f3")
    f3["withdrawn"] = nomination_withdraw(actor=demo_user("canbo.f3"), nomination=withdrawn)
    in_progress = move(demo_user, nominate(demo_user, index=4), "canbo.f3")
    in_progress = _reason(demo_user, "chihuy.f3", in_progress, "return", return_to="unit")
    f3["in_progress"] = move(demo_user, in_progress, "canbo.f3")
    f3["draft"] = nominate(demo_user, index=5)
    qk3 = [
        move(demo_user, nominate(demo_user, by="canbo.qk3", unit="qk3", index=i), "canbo.qk3")
        for i in range(2)
    ]
    return {"f3": f3, "qk3": qk3}


def _row(report, code):
    return next(row for row in report.rows if row.code == code)


def _direct(unit_code: str, **filters) -> int:
    return Nomination.objects.filter(
        submitting_unit__code=unit_code,
        campaign__year=YEAR,
        submitted_at__isnull=False,
        **filters,
    ).count()


def test_the_figures_equal_direct_counts_of_the_nominations(outcomes, demo_user):
    report = yearly_report(demo_user("tth.canbo"), year=YEAR, group=ReportGroup.UNIT)
    f3 = _row(report, "f3").counts
    assert f3 == {
        "submitted": 5,
        "awarded": 2,
        "rejected": 1,
        "withdrawn": 1,
        "returned": 2,
        "in_progress": 1,
    }
    assert f3["submitted"] == _direct("f3")
    assert f3["awarded"] == _direct("f3", status=NominationStatus.AWARDED)
    assert f3["rejected"] == _direct("f3", status=NominationStatus.REJECTED)
    assert f3["withdrawn"] == _direct("f3", status=NominationStatus.WITHDRAWN)
    returned = Nomination.objects.filter(
        submitting_unit__code="f3", submitted_at__isnull=False, events__action="returned"
    )
    assert f3["returned"] == returned.distinct().count()
    assert _row(report, "qk3").counts["submitted"] == 2 == _direct("qk3")
    assert _row(report, "qk3").counts["in_progress"] == 2
    assert _row(report, "f3").approval_rate == Decimal("66.7")  # 2 awarded of 3 decided
    assert _row(report, "qk3").approval_rate is None
    assert report.total.counts["submitted"] == 7
    assert report.total.counts["awarded"] == 2


def test_returned_counts_each_nomination_once(outcomes, demo_user):
    returned_ids = set(
        Nomination.objects.filter(
            submitting_unit__code="f3", events__action="returned"
        ).values_list("pk", flat=True)
    )
    assert returned_ids == {
        outcomes["f3"]["returned_then_awarded"].pk,
        outcomes["f3"]["in_progress"].pk,
    }
    report = yearly_report(demo_user("canbo.f3"), year=YEAR, group=ReportGroup.UNIT)
    assert _row(report, "f3").counts["returned"] == len(returned_ids)


def test_grouping_by_award_and_by_bloc(outcomes, demo_user):
    secretariat = demo_user("tth.canbo")
    by_award = yearly_report(secretariat, year=YEAR, group=ReportGroup.AWARD)
    assert [row.code for row in by_award.rows] == ["giay-khen"]
    assert by_award.rows[0].counts == by_award.total.counts
    by_bloc = yearly_report(secretariat, year=YEAR, group=ReportGroup.BLOC)
    # F3 (under QK1) and QK3 are both in Khối 2 through their military regions
    assert [row.code for row in by_bloc.rows] == ["khoi-2"]
    assert by_bloc.rows[0].counts["submitted"] == 7
    assert by_bloc.total.counts == by_award.total.counts


def test_a_unit_outside_every_bloc_is_summed_apart(demo_user):
    # the secretariat's own unit is in no bloc
    officer = demo_user("tth.canbo")
    unit = Unit.objects.get(code="cth")
    from approvals.models import Award, Campaign
    from approvals.services.roles import role_grant

    role_grant(actor=None, user=officer, role="unit_officer", unit=unit)
    officer = demo_user("tth.canbo")
    nomination = nomination_create(
        actor=officer,
        submitting_unit=unit,
        award=Award.objects.get(code="giay-khen"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Hoàn thành xuất sắc nhiệm vụ.",
        person=people_of("cth")[0],
    )
    move(demo_user, nomination, "tth.canbo")
    report = yearly_report(demo_user("tth.canbo"), year=YEAR, group=ReportGroup.BLOC)
    assert report.rows[-1].code == ""
    assert report.rows[-1].counts["submitted"] == 1


def test_a_unit_user_counts_only_what_it_may_see(outcomes, demo_user):
    f3_report = yearly_report(demo_user("canbo.f3"), year=YEAR, group=ReportGroup.UNIT)
    assert [row.code for row in f3_report.rows] == ["f3"]
    assert f3_report.total.counts["submitted"] == 5
    qk3_report = yearly_report(demo_user("canbo.qk3"), year=YEAR, group=ReportGroup.BLOC)
    assert qk3_report.total.counts["submitted"] == 2
    assert qk3_report.rows[0].counts["submitted"] == 2  # Khối 2, QK3's share only
    # QK1's officer reads F3 (its sub-unit) but not QK3
    qk1_report = yearly_report(demo_user("canbo.qk1"), year=YEAR, group=ReportGroup.UNIT)
    assert [row.code for row in qk1_report.rows] == ["f3"]
    # a council member sees nothing of these (none is at the council)
    member = yearly_report(demo_user("hd.uyvien1"), year=YEAR, group=ReportGroup.UNIT)
    assert member.rows == [] and member.total.counts["submitted"] == 0


def test_another_year_counts_nothing_of_this_one(outcomes, demo_user):
    report = yearly_report(demo_user("tth.canbo"), year=2025, group=ReportGroup.UNIT)
    assert report.rows == []


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _date_events(nomination, days) -> None:
    events = list(nomination.events.exclude(action__in=["claimed", "released"]).order_by("pk"))
    assert len(events) == len(days), [e.action for e in events]
    for event, day in zip(events, days, strict=True):
        type(event).objects.filter(pk=event.pk).update(created_at=_at(day))


D = datetime.date


def test_average_working_days_per_stage_use_the_holiday_calendar(demo_user):
    CalendarDay.objects.create(date=D(2026, 4, 23), name="Nghỉ theo lịch của cơ quan")
    awarded = move(
        demo_user,
        nominate(demo_user, index=0),
        "canbo.f3",
        "chihuy.f3",
        "canbo.qk1",
        "chihuy.qk1",
    )
    # created, submitted, approved (approval), approved (review), awarded (decision)
    _date_events(
        awarded, [D(2026, 4, 20), D(2026, 4, 21), D(2026, 4, 24), D(2026, 4, 29), D(2026, 5, 4)]
    )
    rejected = move(demo_user, nominate(demo_user, index=1), "canbo.f3")
    rejected = _reason(demo_user, "chihuy.f3", rejected, "return")
    rejected = move(demo_user, rejected, "canbo.f3", "chihuy.f3")
    rejected = _reason(demo_user, "canbo.qk1", rejected, "reject")
    # created, submitted, returned (approval), submitted again, approved (approval), rejected
    _date_events(
        rejected,
        [
            D(2026, 4, 20),
            D(2026, 4, 20),
            D(2026, 4, 22),
            D(2026, 4, 24),
            D(2026, 4, 24),
            D(2026, 5, 5),
        ],
    )
    # the spans as the calendar counts them: the admin's day off on 23/4, Hùng Kings' day
    # observed on 27/4, 30/4 and 1/5 off
    assert working_days_between(D(2026, 4, 21), D(2026, 4, 24)) == 2
    assert working_days_between(D(2026, 4, 24), D(2026, 4, 29)) == 2
    assert working_days_between(D(2026, 4, 29), D(2026, 5, 4)) == 1
    assert working_days_between(D(2026, 4, 24), D(2026, 5, 5)) == 4
    report = yearly_report(demo_user("tth.canbo"), year=YEAR, group=ReportGroup.UNIT)
    row = _row(report, "f3")
    assert row.stage_days == {
        "prepare": [1 + 0 + 1, 3],
        "approval": [2 + 2 + 0, 3],
        "review": [2 + 4, 2],
        "decision": [1, 1],
    }
    kinds = [kind for kind, _label in report.stage_kinds]
    assert kinds == ["prepare", "approval", "review", "decision"]
    assert row.averages == [Decimal("0.7"), Decimal("1.3"), Decimal("3.0"), Decimal("1.0")]
    assert report.total.averages == row.averages


@pytest.mark.parametrize("group", ["unit", "bloc", "award"])
@pytest.mark.parametrize("username", ["canbo.f3", "tth.canbo"])
def test_every_linked_number_opens_a_list_of_that_many_nominations(
    outcomes, client_for, username, group
):
    client = client_for(username)
    html = client.get(reverse("report_yearly"), {"year": YEAR, "group": group}).content.decode()
    links = re.findall(r'data-metric="(\w+)"><a href="([^"]+)">(\d+)<', html)
    assert {metric for metric, _url, _n in links} == {
        "submitted",
        "awarded",
        "rejected",
        "withdrawn",
        "in_progress",
    }
    for _metric, url, number in links:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.context["page"].paginator.count == int(number), url
    # "returned at least once" has no list filter, so no link
    assert 'data-metric="returned"><a' not in html


def test_rates_and_averages_round_halves_up():
    row = ReportRow(label="Thử")
    row.counts.update(awarded=1, rejected=7)
    row.stage_days = {"review": [1, 4]}
    assert row.approval_rate == Decimal("12.5")
    assert row.average_days("review") == Decimal("0.3")  # 0.25, not the banker's 0.2
    assert row.average_days("decision") is None
    assert ReportRow(label="Chưa có kết quả").approval_rate is None


def test_the_page_shows_the_figures_and_defaults_to_a_year_with_campaigns(outcomes, client_for):
    client = client_for("tth.canbo")
    html = client.get(reverse("report_yearly"), {"group": "unit"}).content.decode()
    assert 'data-row="f3"' in html and 'data-row="qk3"' in html
    assert "66,7%" in html or "66.7%" in html
    assert client.get(reverse("report_yearly"), {"year": "abc"}).status_code == 200
    assert "Báo cáo" in html  # the menu entry


def test_the_statistics_form_counts_awards_granted_by_subject(outcomes, demo_user, client_for):
    regiment = Unit.objects.filter(parent__code="f3").order_by("path").first()
    from approvals.models import Award, Campaign

    collective = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=Unit.objects.get(code="f3"),
        award=Award.objects.get(code="giay-khen"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Đơn vị hoàn thành xuất sắc nhiệm vụ.",
        nominee_unit=regiment,
    )
    move(demo_user, collective, "canbo.f3", "chihuy.f3", "canbo.qk1", "chihuy.qk1")
    form = statistics_form(demo_user("tth.canbo"), year=YEAR)
    titles = [section.title for section in form.sections]
    assert len(titles) == 3
    unit_section = form.sections[2]  # Giấy khen is decided below the Ministry
    column = [c.award.code for c in unit_section.columns].index("giay-khen")
    lines = {line.label: line for line in unit_section.lines}
    awarded = Nomination.objects.filter(status="awarded", award__code="giay-khen")
    assert lines["Tổng số"].values[column] == 3 == awarded.count()
    assert lines["Cá nhân"].values[column] == 2 == awarded.filter(person__isnull=False).count()
    assert lines["Tập thể"].values[column] == 1
    assert lines["Thường xuyên"].values[column] == 3  # a yearly campaign
    assert lines["Chuyên đề"].values[column] == 0
    women = awarded.filter(person__gender="female").count()
    assert lines["Cá nhân là nữ (bổ sung, ngoài biểu)"].values[column] == women
    assert lines["Hộ gia đình"].total is None  # the data cannot fill it
    assert lines["Đột xuất"].values[column] is None
    for section in form.sections[:2]:
        assert section.lines[0].total == 0
    # a unit user counts its own: QK3 has nothing awarded
    qk3 = statistics_form(demo_user("canbo.qk3"), year=YEAR)
    assert all(section.lines[0].total == 0 for section in qk3.sections)
    html = client_for("canbo.f3").get(reverse("report_statistics"), {"year": YEAR})
    page = html.content.decode()
    assert html.status_code == 200
    assert "Hộ gia đình" in page and "chưa có dữ liệu" in page
    assert "Thông tư 03/2018/TT-BNV" in page
    # the total of a column opens the list of exactly those awards
    url = re.search(r'<td class="num"><a href="([^"]+)">3</a>', page).group(1)
    client = client_for("canbo.f3")
    assert client.get(url.replace("&amp;", "&")).context["page"].paginator.count == 3


def _measure(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


REPORT_PAGES = [
    ("report_yearly", {"year": YEAR, "group": "unit"}),
    ("report_yearly", {"year": YEAR, "group": "bloc"}),
    ("report_yearly", {"year": YEAR, "group": "award"}),
    ("report_statistics", {"year": YEAR}),
]


def _batch(demo_user, people, unit="f3", by="canbo.f3"):
    for person in people:
        nomination = move(demo_user, nominate(demo_user, person=person, unit=unit, by=by), by)
        _reason(demo_user, "chihuy.f3", nomination, "return")


def test_the_report_pages_do_the_same_queries_for_few_and_many_nominations(
    demo_user, client_for, django_assert_max_num_queries
):
    from tests.factories.organisation import PersonFactory

    f3 = people_of("f3")[0].unit
    people = PersonFactory.create_batch(40, unit=f3)
    _batch(demo_user, people[:4])
    small = {}
    for username in ("canbo.f3", "tth.canbo"):
        client = client_for(username)
        for name, params in REPORT_PAGES:
            small[username, name, params.get("group", "")] = _measure(client, reverse(name), params)
    _batch(demo_user, people[4:])
    for username in ("canbo.f3", "tth.canbo"):
        client = client_for(username)
        for name, params in REPORT_PAGES:
            with django_assert_max_num_queries(13):
                assert client.get(reverse(name), params).status_code == 200
            key = (username, name, params.get("group", ""))
            assert _measure(client, reverse(name), params) == small[key], key
