"""The facts eligibility reads (initiatives, breaks in service, pending cases): entered through
`services.person_facts` by the unit's officers, its commanders and the secretariat, shown on
the person's page and the unit's award history, and read by the eligibility rules."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import (
    AuditEvent,
    Award,
    Campaign,
    Initiative,
    PendingCase,
    ServiceBreak,
    Unit,
)
from approvals.services.eligibility import Candidate, Outcome, check_candidates
from approvals.services.person_facts import (
    initiative_add,
    pending_case_close,
    pending_case_open,
    service_break_add,
)
from approvals.services.roles import role_grant
from tests.factories.organisation import PersonFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MAY_ENTER_F3 = ["canbo.f3", "chihuy.f3", "canbo.qk1", "chihuy.qk1", "tth.canbo"]
# QK3's officer and commander, a bloc officer, a council member, the Minister, the administrator
MAY_NOT_ENTER_F3 = ["canbo.qk3", "khoi2.canbo", "hd.uyvien1", "bqp.thutruong", "quantri"]


@pytest.fixture
def person():
    """A person of a regiment of Sư đoàn 3, enlisted 1 September 2001."""
    unit = UnitFactory(parent=Unit.objects.get(code="f3"))
    return PersonFactory(unit=unit, gender="female", enlistment_date=D(2001, 9, 1))


@pytest.fixture
def officer(demo_user):
    return demo_user("canbo.f3")


def stored() -> tuple[int, int, int, int]:
    return (
        Initiative.objects.count(),
        ServiceBreak.objects.count(),
        PendingCase.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(call, **kwargs) -> list[str]:
    """Call the service expecting a ValidationError; return its messages, nothing stored."""
    before = stored()
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    assert stored() == before
    return error.value.messages


def open_case(actor, person, **kwargs) -> PendingCase:
    values = {"kind": "inspection", "reference": "KT-01/2026", "opened_on": D(2026, 3, 1)}
    return pending_case_open(actor=actor, person=person, **(values | kwargs))


# --- services ----------------------------------------------------------------------------


def test_officer_records_an_initiative_with_an_audit_event(officer, person):
    initiative = initiative_add(
        actor=officer,
        person=person,
        title="  Mô hình học cụ điện tử ",
        level=3,
        recognised_on=D(2026, 5, 15),
        reference="SK-12",
    )
    assert (initiative.person, initiative.title, initiative.level) == (
        person,
        "Mô hình học cụ điện tử",
        3,
    )
    event = AuditEvent.objects.get(verb="initiative.add")
    assert (event.actor, event.object_id) == (officer, str(initiative.pk))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "Hãy nhập tên sáng kiến, đề tài."),
        ({"level": 9}, "Hãy chọn phạm vi công nhận."),
        ({"recognised_on": D(2999, 1, 1)}, "Ngày 01/01/2999 ở sau hôm nay"),
    ],
)
def test_invalid_initiative_is_refused_and_nothing_stored(officer, person, changes, message):
    values = {"title": "Sáng kiến", "level": 2, "recognised_on": D(2026, 5, 15), "reference": ""}
    messages = refused(initiative_add, actor=officer, person=person, **(values | changes))
    assert any(message in text for text in messages)


def test_officer_records_a_break_with_an_audit_event(officer, person):
    item = service_break_add(
        actor=officer,
        person=person,
        kind="maternity",
        start=D(2010, 3, 1),
        end=D(2010, 8, 31),
        note="Sinh con thứ nhất",
    )
    assert ServiceBreak.objects.get(person=person) == item
    assert AuditEvent.objects.filter(verb="service_break.add", object_id=str(item.pk)).exists()


def test_break_ending_before_it_starts_is_refused(officer, person):
    messages = refused(
        service_break_add,
        actor=officer,
        person=person,
        kind="unpaid_leave",
        start=D(2012, 5, 10),
        end=D(2012, 5, 1),
        note="",
    )
    assert messages == ["Ngày kết thúc (01/05/2012) ở trước ngày bắt đầu (10/05/2012)."]


def test_break_overlapping_another_of_the_same_person_is_refused(officer, person):
    service_break_add(
        actor=officer, person=person, kind="maternity", start=D(2010, 3, 1), end=D(2010, 8, 31)
    )
    other = PersonFactory(unit=person.unit)
    service_break_add(  # another person's break on the same days is no overlap
        actor=officer, person=other, kind="unpaid_leave", start=D(2010, 8, 1), end=D(2010, 9, 30)
    )
    messages = refused(
        service_break_add,
        actor=officer,
        person=person,
        kind="unpaid_leave",
        start=D(2010, 8, 31),
        end=D(2010, 9, 30),
        note="",
    )
    assert messages == [
        "Trùng với thời gian đã ghi: Nghỉ thai sản từ 01/03/2010 đến 31/08/2010. Mỗi ngày chỉ "
        "thuộc một lần nghỉ, gián đoạn."
    ]


def test_officer_opens_and_closes_a_case_with_audit_events(officer, person):
    case = open_case(officer, person, kind="discipline", note="Vi phạm kỷ luật")
    assert (case.person, case.unit, case.closed_on) == (person, None, None)
    closed = pending_case_close(actor=officer, case=case, closed_on=D(2026, 4, 1))
    case.refresh_from_db()
    assert case.closed_on == closed.closed_on == D(2026, 4, 1)
    assert list(
        AuditEvent.objects.filter(object_type="approvals.pendingcase", object_id=str(case.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    ) == ["pending_case.open", "pending_case.close"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": " "}, "Hãy nhập số, ký hiệu văn bản của vụ việc."),
        ({"opened_on": D(2999, 1, 1)}, "Ngày 01/01/2999 ở sau hôm nay"),
        ({"kind": "rumour"}, "Hãy chọn loại vụ việc."),
    ],
)
def test_invalid_case_is_refused_and_nothing_stored(officer, person, changes, message):
    values = {"kind": "inspection", "reference": "KT-01/2026", "opened_on": D(2026, 3, 1)}
    messages = refused(pending_case_open, actor=officer, person=person, **(values | changes))
    assert any(message in text for text in messages)


def test_closing_before_the_case_opened_is_refused(officer, person):
    case = open_case(officer, person)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        pending_case_close(actor=officer, case=case, closed_on=D(2026, 2, 1))
    assert error.value.messages == [
        "Ngày kết thúc (01/02/2026) ở trước ngày bắt đầu vụ việc (01/03/2026)."
    ]
    case.refresh_from_db()
    assert case.closed_on is None and AuditEvent.objects.count() == before


def test_closing_a_closed_case_is_refused(officer, person):
    case = open_case(officer, person)
    pending_case_close(actor=officer, case=case, closed_on=D(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        pending_case_close(actor=officer, case=case, closed_on=D(2026, 5, 1))
    assert error.value.messages == ["Vụ việc KT-01/2026 đã kết thúc ngày 01/04/2026."]
    case.refresh_from_db()
    assert case.closed_on == D(2026, 4, 1)


def test_commander_opens_a_case_about_a_unit(demo_user):
    f3 = Unit.objects.get(code="f3")
    case = pending_case_open(
        actor=demo_user("chihuy.qk1"),
        unit=f3,
        kind="inspection",
        reference="TT-05/2026",
        opened_on=D(2026, 6, 1),
    )
    assert (case.unit, case.person) == (f3, None)


@pytest.mark.parametrize("username", MAY_ENTER_F3)
def test_officers_commanders_and_secretariat_may_enter_facts(demo_user, person, username):
    actor = demo_user(username)
    initiative_add(
        actor=actor, person=person, title="Sáng kiến", level=1, recognised_on=D(2026, 1, 2)
    )
    service_break_add(
        actor=actor, person=person, kind="unpaid_leave", start=D(2015, 1, 1), end=D(2015, 1, 31)
    )
    pending_case_close(actor=actor, case=open_case(actor, person), closed_on=D(2026, 4, 1))
    assert (
        person.initiatives.count(),
        person.service_breaks.count(),
        person.pending_cases.filter(closed_on=D(2026, 4, 1)).count(),
    ) == (1, 1, 1)


@pytest.mark.parametrize("username", MAY_NOT_ENTER_F3)
def test_others_are_refused_and_nothing_is_stored(demo_user, officer, person, username):
    actor = demo_user(username)
    case = open_case(officer, person)
    before = stored()
    calls = [
        lambda: initiative_add(
            actor=actor, person=person, title="Sáng kiến", level=1, recognised_on=D(2026, 1, 2)
        ),
        lambda: service_break_add(
            actor=actor, person=person, kind="unpaid_leave", start=D(2015, 1, 1), end=D(2015, 2, 1)
        ),
        lambda: open_case(actor, person),
        lambda: pending_case_open(
            actor=actor,
            unit=person.unit,
            kind="inspection",
            reference="TT-01",
            opened_on=D(2026, 1, 2),
        ),
        lambda: pending_case_close(actor=actor, case=case, closed_on=D(2026, 4, 1)),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert stored() == before
    case.refresh_from_db()
    assert case.closed_on is None


def test_commander_of_a_unit_not_covering_its_subunits_is_refused_below_it(person):
    """A regiment's records do not include its battalions': its commander enters facts for
    the regiment's own people only."""
    assert not person.unit.nominations_include_subunits
    battalion = UnitFactory(parent=person.unit, level="grassroots")
    commander = UserFactory(username="chihuy.e-thu")
    role_grant(actor=None, user=commander, role="unit_commander", unit=person.unit)
    open_case(commander, person)
    with pytest.raises(PermissionDenied):
        open_case(commander, PersonFactory(unit=battalion))


# --- the rules read them -----------------------------------------------------------------


def outcome(person, award_code: str, rule_kind: str, *, today=None) -> str:
    candidate = Candidate(
        award=Award.objects.get(code=award_code),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        submitting_unit=Unit.objects.get(code="f3"),
        person=person,
    )
    (verdict,) = check_candidates([candidate], today=today)
    (result,) = [r for r in verdict.results if r.rule and r.rule.kind == rule_kind]
    return result.outcome


def test_a_closed_case_no_longer_fails_the_rule(officer, person):
    case = open_case(officer, person, kind="discipline", opened_on=D(2026, 3, 1))
    today = D(2026, 5, 1)
    assert outcome(person, "hc-qkqt", "no_pending_discipline", today=today) == Outcome.FAILED
    pending_case_close(actor=officer, case=case, closed_on=D(2026, 4, 1))
    assert outcome(person, "hc-qkqt", "no_pending_discipline", today=today) == Outcome.PASSED


@pytest.mark.parametrize(
    ("kind", "expected"), [("maternity", Outcome.PASSED), ("unpaid_leave", Outcome.FAILED)]
)
def test_maternity_leave_counts_towards_25_years_and_unpaid_leave_does_not(
    officer, person, kind, expected
):
    # enlisted 1 September 2001: 25 years on 1 September 2026, within the 2026 campaign;
    # 200 uncounted days would push that past its end (31 December 2026)
    service_break_add(
        actor=officer, person=person, kind=kind, start=D(2010, 3, 1), end=D(2010, 9, 16)
    )
    assert outcome(person, "hc-qkqt", "min_service_years") == expected


# --- the pages -----------------------------------------------------------------------------


def person_url(person) -> str:
    return reverse("person_detail", args=[person.pk])


def test_person_page_shows_facts_and_forms_to_the_officer(client, officer, person):
    initiative_add(
        actor=officer,
        person=person,
        title="Học cụ AK điện tử",
        level=2,
        recognised_on=D(2026, 5, 1),
    )
    service_break_add(
        actor=officer, person=person, kind="discharge", start=D(2005, 1, 1), end=D(2006, 8, 31)
    )
    open_case(officer, person, kind="discipline", reference="12/QĐ-KL")
    client.force_login(officer)
    html = client.get(person_url(person)).content.decode()
    for text in (
        "Sáng kiến được công nhận",
        "Học cụ AK điện tử",
        "Thời gian nghỉ, gián đoạn phục vụ",
        "Gián đoạn phục vụ (xuất ngũ, thôi việc)",
        "Vụ việc đang xem xét",
        "12/QĐ-KL",
        reverse("person_initiative_add", args=[person.pk]),
        reverse("person_break_add", args=[person.pk]),
        reverse("person_case_open", args=[person.pk]),
        reverse("person_case_close", args=[person.pk]),
    ):
        assert text in html
    # continuous service restarts after the discharge
    assert '<dd data-field="service-start">01/09/2006</dd>' in html


def test_service_years_on_the_page_count_maternity_but_not_unpaid_leave(client, officer):
    today = timezone.localdate()
    enlisted = today.replace(year=today.year - 20) - datetime.timedelta(days=10)
    mother = PersonFactory(unit=Unit.objects.get(code="f3"), enlistment_date=enlisted)
    other = PersonFactory(unit=Unit.objects.get(code="f3"), enlistment_date=enlisted)
    for who, kind in ((mother, "maternity"), (other, "unpaid_leave")):
        start = enlisted.replace(year=enlisted.year + 5)
        service_break_add(
            actor=officer, person=who, kind=kind, start=start, end=start + datetime.timedelta(29)
        )
    client.force_login(officer)
    assert '<dd data-field="service-years">20</dd>' in client.get(person_url(mother)).text
    assert '<dd data-field="service-years">19</dd>' in client.get(person_url(other)).text


def test_discipline_case_is_hidden_from_a_reader_who_may_not_enter_facts(
    client, demo_user, officer, person
):
    open_case(officer, person, kind="discipline", reference="12/QĐ-KL")
    open_case(officer, person, kind="complaint", reference="KN-03/2026")
    client.force_login(demo_user("quantri"))  # reads every unit's people, enters no facts
    response = client.get(person_url(person))
    html = response.content.decode()
    assert response.status_code == 200
    assert "KN-03/2026" in html
    assert "12/QĐ-KL" not in html and 'data-kind="discipline"' not in html
    assert reverse("person_case_open", args=[person.pk]) not in html
    assert reverse("person_initiative_add", args=[person.pk]) not in html


def test_officer_adds_an_initiative_through_the_page(client, officer, person):
    client.force_login(officer)
    response = client.post(
        reverse("person_initiative_add", args=[person.pk]),
        {
            "initiative-title": "Phần mềm quản lý quân số",
            "initiative-level": 2,
            "initiative-recognised_on": "15/05/2026",
            "initiative-reference": "SK-2026",
        },
        follow=True,
    )
    assert response.redirect_chain == [(person_url(person) + "#initiatives", 302)]
    assert "Đã ghi sáng kiến được công nhận." in response.text
    assert Initiative.objects.get(person=person).title == "Phần mềm quản lý quân số"


def test_overlapping_break_rerenders_the_page_with_the_typed_values(client, officer, person):
    service_break_add(
        actor=officer, person=person, kind="maternity", start=D(2010, 3, 1), end=D(2010, 8, 31)
    )
    client.force_login(officer)
    response = client.post(
        reverse("person_break_add", args=[person.pk]),
        {
            "break-kind": "unpaid_leave",
            "break-start": "2010-08-01",
            "break-end": "2010-09-30",
            "break-note": "Việc riêng",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trùng với thời gian đã ghi: Nghỉ thai sản từ 01/03/2010 đến 31/08/2010." in html
    assert 'value="2010-08-01"' in html and 'value="Việc riêng"' in html
    assert ServiceBreak.objects.filter(person=person).count() == 1


def test_officer_opens_and_closes_a_case_through_the_page(client, officer, person):
    client.force_login(officer)
    response = client.post(
        reverse("person_case_open", args=[person.pk]),
        {"case-kind": "complaint", "case-reference": "KN-04/2026", "case-opened_on": "2026-03-01"},
    )
    assert response.status_code == 302
    case = PendingCase.objects.get(person=person)
    response = client.post(
        reverse("person_case_close", args=[person.pk]),
        {"close-case": case.pk, "close-closed_on": "2026-02-01"},
    )
    assert response.status_code == 400
    assert "ở trước ngày bắt đầu vụ việc (01/03/2026)" in response.text
    response = client.post(
        reverse("person_case_close", args=[person.pk]),
        {"close-case": case.pk, "close-closed_on": "2026-04-01"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.closed_on == D(2026, 4, 1)


def test_closing_a_case_of_another_person_through_the_page_is_refused(client, officer, person):
    case = open_case(officer, PersonFactory(unit=person.unit))
    client.force_login(officer)
    response = client.post(
        reverse("person_case_close", args=[person.pk]),
        {"close-case": case.pk, "close-closed_on": "2026-04-01"},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.closed_on is None


@pytest.mark.parametrize(("username", "status"), [("canbo.qk3", 404), ("quantri", 403)])
def test_outsider_and_reader_cannot_post_facts(client, demo_user, person, username, status):
    client.force_login(demo_user(username))
    before = stored()
    for name, data in (
        ("person_initiative_add", {"initiative-title": "X", "initiative-level": 1}),
        ("person_break_add", {"break-kind": "unpaid_leave"}),
        ("person_case_open", {"case-kind": "inspection", "case-reference": "X"}),
        ("person_case_close", {"close-closed_on": "2026-04-01"}),
    ):
        assert client.post(reverse(name, args=[person.pk]), data).status_code == status
    assert stored() == before


def test_unit_cases_are_listed_opened_and_closed_on_the_unit_page(client, demo_user):
    f3 = Unit.objects.get(code="f3")
    client.force_login(demo_user("chihuy.f3"))
    url = reverse("unit_awards", args=[f3.pk])
    response = client.post(
        reverse("unit_case_open", args=[f3.pk]),
        {"case-kind": "inspection", "case-reference": "TT-07/2026", "case-opened_on": "2026-06-01"},
    )
    assert response.status_code == 302 and response.url == url + "#cases"
    case = PendingCase.objects.get(unit=f3)
    html = client.get(url).text
    assert "TT-07/2026" in html and reverse("unit_case_close", args=[f3.pk]) in html
    response = client.post(
        reverse("unit_case_close", args=[f3.pk]),
        {"close-case": case.pk, "close-closed_on": "2999-01-01"},
    )
    assert response.status_code == 400 and "ở sau hôm nay" in response.text
    client.post(
        reverse("unit_case_close", args=[f3.pk]),
        {"close-case": case.pk, "close-closed_on": "2026-07-01"},
    )
    case.refresh_from_db()
    assert case.closed_on == D(2026, 7, 1)
    # a reader sees the list but no forms
    client.force_login(demo_user("quantri"))
    html = client.get(url).text
    assert "TT-07/2026" in html and reverse("unit_case_open", args=[f3.pk]) not in html


def add_facts(officer, person, count: int) -> None:
    for index in range(count):
        year = 2005 + index
        initiative_add(
            actor=officer,
            person=person,
            title=f"Sáng kiến {index}",
            level=1 + index % 6,
            recognised_on=D(year, 5, 1),
        )
        service_break_add(
            actor=officer,
            person=person,
            kind=("maternity", "unpaid_leave", "discharge")[index % 3],
            start=D(year, 1, 1),
            end=D(year, 1, 20),
        )
        case = open_case(officer, person, kind=("discipline", "complaint")[index % 2])
        if index % 2:
            pending_case_close(actor=officer, case=case, closed_on=D(2026, 4, 1))


def test_person_page_queries_do_not_grow_with_the_facts(client, officer, person):
    many = PersonFactory(unit=person.unit, enlistment_date=D(2001, 9, 1))
    add_facts(officer, person, 1)
    add_facts(officer, many, 20)
    client.force_login(officer)
    counts = []
    for who in (person, many):
        client.get(person_url(who))  # warm the session and the catalogue caches alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(person_url(who))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert response.text.count("data-initiative=") == 20
    assert response.text.count("data-case=") == 20
