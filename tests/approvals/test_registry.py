"""The award registry: search filters, who sees which records, award histories, the pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import Award, AwardRecord, Decision, Person, Unit
from approvals.selectors.registry import (
    award_history,
    awards_in_years,
    records_for_user,
    registry_search,
)
from approvals.services.roles import role_grant
from tests.factories.organisation import PersonFactory

pytestmark = pytest.mark.django_db


def record(holder, award="cstt", year=2023, **fields) -> AwardRecord:
    """A registry record for a person or a unit, held where the person serves."""
    is_person = isinstance(holder, Person)
    defaults = {
        "decision_number": f"{year}/QĐ-TEST",
        "decision_date": datetime.date(year, 12, 20),
        "authority": "Tư lệnh Sư đoàn 3",
        "holder_unit": holder.unit if is_person else holder,
        "holder_name": holder.full_name if is_person else holder.name,
    }
    return AwardRecord.objects.create(
        person=holder if is_person else None,
        unit=None if is_person else holder,
        award=Award.objects.get(code=award),
        year=year,
        **{**defaults, **fields},
    )


def revoking_decision(number="45/QĐ-HUY") -> Decision:
    """A revoking decision (of an award decision), for records struck out of the registry."""
    bqp = Unit.objects.get(code="bqp")
    signed = {"authority": bqp, "issuer_title": "Bộ trưởng", "signer_name": "Nguyễn Văn A"}
    signed |= {"signer_title": "Bộ trưởng", "grounds": "Luật Thi đua, khen thưởng."}
    target = Decision.objects.create(
        number="10/QĐ-BQP", signed_on=datetime.date(2023, 12, 1), title="Khen thưởng", **signed
    )
    return Decision.objects.create(
        kind="revoke",
        target=target,
        number=number,
        signed_on=datetime.date(2024, 3, 1),
        title="Hủy bỏ khen thưởng",
        reason="Khen thưởng không đúng đối tượng.",
        **signed,
    )


def person_of(unit_code: str, index: int = 0) -> Person:
    return Person.objects.filter(unit__code=unit_code).order_by("pk")[index]


def found(user, params, among) -> set[int]:
    """Which of the given records the search returns (the demo may hold records of its own)."""
    return set(registry_search(user, params).values_list("pk", flat=True)) & {r.pk for r in among}


@pytest.fixture
def secretariat(demo_user):
    return demo_user("tth.canbo")


def test_name_search_ignores_diacritics_and_case(secretariat):
    f3 = Unit.objects.get(code="f3")
    duc = record(PersonFactory(full_name="Nguyễn Văn Đức", unit=f3))
    other = record(PersonFactory(full_name="Trần Thị Mai", unit=f3))
    among = [duc, other]
    assert found(secretariat, {"q": "nguyen van duc"}, among) == {duc.pk}
    assert found(secretariat, {"q": "NGUYỄN VĂN ĐỨC"}, among) == {duc.pk}
    assert found(secretariat, {"q": "  van   Duc "}, among) == {duc.pk}
    assert found(secretariat, {"q": "tran thi"}, among) == {other.pk}


def test_each_filter_narrows_the_search(secretariat):
    regiment = Unit.objects.filter(parent__code="f3", level="regiment").first()
    in_regiment = record(PersonFactory(unit=regiment), "cstdcs", 2022, decision_number="77/QĐ-F3")
    in_f3 = record(person_of("f3"), "cstt", 2023, decision_number="1077/QĐ-F3")
    in_qk3 = record(person_of("qk3"), "cstt", 2022, decision_number="77/QĐ-QK3", source="imported")
    among = [in_regiment, in_f3, in_qk3]
    assert found(secretariat, {}, among) == {r.pk for r in among}
    assert found(secretariat, {"year": "2022"}, among) == {in_regiment.pk, in_qk3.pk}
    assert found(secretariat, {"award": "cstdcs"}, among) == {in_regiment.pk}
    # a unit is its whole subtree, by the holder unit's path
    assert found(secretariat, {"unit": "f3"}, among) == {in_regiment.pk, in_f3.pk}
    assert found(secretariat, {"unit": regiment.code}, among) == {in_regiment.pk}
    assert found(secretariat, {"unit": "no-such-unit"}, among) == set()
    # a decision number matches exactly or as a part, ignoring case
    assert found(secretariat, {"decision": "77/QĐ-F3"}, among) == {in_regiment.pk, in_f3.pk}
    assert found(secretariat, {"decision": "1077/qđ-f3"}, among) == {in_f3.pk}
    assert found(secretariat, {"decision": "QK3"}, among) == {in_qk3.pk}
    assert found(secretariat, {"source": "imported"}, among) == {in_qk3.pk}
    assert found(secretariat, {"source": "decided", "year": "2022"}, among) == {in_regiment.pk}
    # an unusable value is ignored rather than matching nothing
    assert found(secretariat, {"source": "bogus", "year": "20x2"}, among) == {r.pk for r in among}


def test_a_unit_officer_reads_only_records_held_in_their_units(demo_user, secretariat):
    regiment = Unit.objects.filter(parent__code="f3", level="regiment").first()
    own = [record(person_of("f3")), record(PersonFactory(unit=regiment)), record(regiment, "dvtt")]
    other = [record(person_of("qk3")), record(Unit.objects.get(code="qk3"), "co-qk")]
    everything = {r.pk for r in own + other}
    readable = set(records_for_user(demo_user("canbo.f3")).values_list("pk", flat=True))
    assert readable & everything == {r.pk for r in own}
    assert set(records_for_user(demo_user("canbo.qk3")).values_list("pk", flat=True)) & (
        everything
    ) == {r.pk for r in other}
    for username in ("tth.canbo", "quantri"):
        readable = set(records_for_user(demo_user(username)).values_list("pk", flat=True))
        assert everything <= readable, username
    assert not records_for_user(demo_user("hd.uyvien1")).filter(pk__in=everything).exists()


def test_the_secretariat_reads_records_without_a_holder_unit(demo_user, secretariat):
    legacy = record(person_of("f3"), holder_unit=None)
    assert records_for_user(secretariat).filter(pk=legacy.pk).exists()
    assert not records_for_user(demo_user("canbo.f3")).filter(pk=legacy.pk).exists()


def test_revoked_records_are_left_out_unless_asked_for(secretariat):
    person = person_of("f3")
    valid = record(person, year=2022)
    revoked = record(person, year=2023, revoked_by=revoking_decision())
    assert found(secretariat, {}, [valid, revoked]) == {valid.pk}
    assert found(secretariat, {"revoked": "1"}, [valid, revoked]) == {valid.pk, revoked.pk}


def test_the_list_strikes_out_a_revoked_record_with_the_revoking_decision(client_for):
    person = person_of("f3")
    record(
        person, year=2023, decision_number="88/QĐ-GOC", revoked_by=revoking_decision("45/QĐ-HUY")
    )
    client = client_for("canbo.f3")
    page = client.get(reverse("registry_list"), {"decision": "88/QĐ-GOC"}).content.decode()
    assert "88/QĐ-GOC</td>" not in page and "45/QĐ-HUY" not in page
    page = client.get(
        reverse("registry_list"), {"decision": "88/QĐ-GOC", "revoked": "1"}
    ).content.decode()
    assert 'class="revoked"' in page
    assert "<s>88/QĐ-GOC</s>" in page
    assert "Bị sửa đổi, hủy bỏ theo Quyết định số 45/QĐ-HUY" in page


def test_person_history_is_newest_first_with_revoked_records_apart():
    person = person_of("f3")
    older = record(person, "cstt", 2021)
    newer = record(person, "cstdcs", 2023)
    same_year_later = record(person, "cstt", 2023, decision_date=datetime.date(2024, 1, 15))
    revoked = record(person, "bk-bqp", 2022, revoked_by=revoking_decision())
    record(person_of("f3", 1), "cstt", 2023)  # someone else's
    history = award_history(person=person)
    assert list(history.valid) == [same_year_later, newer, older]
    assert list(history.revoked) == [revoked]
    assert [r.pk for r in history.records] == [same_year_later.pk, newer.pk, revoked.pk, older.pk]
    assert not history.records[2].is_valid
    assert history.years_of("cstt") == {2021, 2023}
    assert history.years_of("bk-bqp") == set()  # a revoked award never counts
    assert history.holds("cstdcs", 2023) and not history.holds("cstdcs", 2022)
    held = awards_in_years(person=person, years=range(2020, 2024))
    assert held == {2020: set(), 2021: {"cstt"}, 2022: set(), 2023: {"cstt", "cstdcs"}}


def test_unit_history_holds_its_collective_awards_only():
    f3 = Unit.objects.get(code="f3")
    flag = record(f3, "co-qk", 2024)
    record(person_of("f3"), "cstt", 2024)
    history = award_history(unit=f3)
    assert list(history.valid) == [flag]
    assert awards_in_years(unit=f3, years=[2024]) == {2024: {"co-qk"}}


def test_a_history_needs_exactly_one_holder():
    with pytest.raises(ValueError):
        award_history()
    with pytest.raises(ValueError):
        award_history(person=person_of("f3"), unit=Unit.objects.get(code="f3"))


def test_a_history_is_one_query(django_assert_num_queries):
    person = person_of("f3")
    for year in range(2015, 2024):
        record(person, year=year)
    with django_assert_num_queries(1):
        history = award_history(person=person)
        assert [r.award.name for r in history.records]
        assert [r.holder_unit.name for r in history.records]


def test_the_person_page_shows_the_award_history(client_for):
    person = person_of("f3")
    record(person, "cstdcs", 2023, decision_number="501/QĐ-F3")
    record(person, "bk-bqp", 2022, decision_number="9/QĐ-BQP", revoked_by=revoking_decision())
    page = client_for("canbo.f3").get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Quá trình khen thưởng" in page
    assert "Chiến sĩ thi đua cơ sở" in page and "501/QĐ-F3" in page
    assert "<s>9/QĐ-BQP</s>" in page and "45/QĐ-HUY" in page


def test_the_unit_page_lists_its_collective_and_its_people_awards(client_for):
    f3 = Unit.objects.get(code="f3")
    regiment = Unit.objects.filter(parent=f3, level="regiment").first()
    flag = record(f3, "co-qk", 2024, decision_number="12/QĐ-QK1")
    soldier = record(PersonFactory(unit=regiment, full_name="Lê Văn Bình"), "cstt", 2024)
    stranger = record(person_of("qk3"), "cstt", 2024, decision_number="3/QĐ-QK3")
    response = client_for("canbo.f3").get(reverse("unit_awards", args=[f3.pk]))
    assert response.status_code == 200
    assert list(response.context["collective"].valid) == [flag]
    listed = {r.pk for r in response.context["page"].object_list}
    assert soldier.pk in listed and stranger.pk not in listed
    assert "12/QĐ-QK1" in response.content.decode() and "Lê Văn Bình" in response.content.decode()


def test_another_region_cannot_open_the_unit_page(client_for):
    qk3 = Unit.objects.get(code="qk3")
    assert client_for("canbo.f3").get(reverse("unit_awards", args=[qk3.pk])).status_code == 404


def test_the_unit_page_keeps_to_what_the_user_may_read(client_for, demo_user):
    regiment = Unit.objects.filter(level="regiment", parent__code="f3").first()
    battalion = regiment.children.get()
    in_battalion = record(PersonFactory(unit=battalion))
    in_regiment = record(PersonFactory(unit=regiment))
    role_grant(actor=None, user=demo_user("hd.uyvien3"), role="unit_officer", unit=regiment)
    response = client_for("hd.uyvien3").get(reverse("unit_awards", args=[regiment.pk]))
    listed = {r.pk for r in response.context["page"].object_list}
    assert in_regiment.pk in listed and in_battalion.pk not in listed


def test_the_search_form_keeps_what_was_typed(client_for):
    params = {"q": "Nguyễn Văn", "year": "2023", "award": "cstt", "unit": "f3"}
    params |= {"decision": "77/QĐ", "source": "imported", "revoked": "1"}
    page = client_for("canbo.f3").get(reverse("registry_list"), params).content.decode()
    assert 'value="Nguyễn Văn"' in page and 'value="2023"' in page and 'value="77/QĐ"' in page
    assert '<option value="cstt" selected>' in page
    assert '<option value="imported" selected>' in page
    assert 'name="revoked" value="1" checked' in page
    assert "selected>Sư đoàn 3" in page


def test_a_bad_year_is_explained(client_for):
    response = client_for("canbo.f3").get(reverse("registry_list"), {"year": "hai nghìn"})
    assert "Năm “hai nghìn” không hợp lệ." in response.content.decode()


def test_the_registry_is_in_the_menu(client_for):
    page = client_for("hd.uyvien1").get(reverse("home")).content.decode()
    assert reverse("registry_list") in page and "Sổ khen thưởng" in page


def test_only_the_secretariat_sees_the_import_link(client_for):
    link = reverse("registry_import")
    assert link in client_for("tth.canbo").get(reverse("registry_list")).content.decode()
    assert link not in client_for("canbo.f3").get(reverse("registry_list")).content.decode()


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params or {}).status_code == 200
    return len(context)


@pytest.mark.parametrize("username", ["tth.canbo", "canbo.f3"])
def test_the_registry_list_does_the_same_queries_for_5_and_120_records(
    client_for, username, django_assert_max_num_queries
):
    f3_people = list(Person.objects.filter(unit__code="f3").order_by("pk")[:5])
    awards = ["cstt", "cstdcs", "bk-bqp", "giay-khen"]
    decision = revoking_decision()
    for index, person in enumerate(f3_people):
        record(person, awards[index % 4], 2010 + index, revoked_by=decision if index == 0 else None)
    client = client_for(username)
    url = reverse("registry_list")
    filtered = {"q": "a", "unit": "f3", "revoked": "1"}
    small = (_queries(client, url), _queries(client, url, filtered))
    more_people = PersonFactory.create_batch(115, unit=Unit.objects.get(code="f3"))
    for index, person in enumerate(more_people):
        record(
            person, awards[index % 4], 2000 + index % 20, revoked_by=decision if index % 7 else None
        )
    with django_assert_max_num_queries(12):
        assert client.get(url, {"revoked": "1"}).status_code == 200
    assert (_queries(client, url), _queries(client, url, filtered)) == small
    assert _queries(client, url, {"revoked": "1", "page": "2"}) == small[0]


def test_the_unit_page_does_the_same_queries_for_few_and_many_records(
    client_for, django_assert_max_num_queries
):
    f3 = Unit.objects.get(code="f3")
    record(f3, "co-qk", 2020)
    for person in Person.objects.filter(unit=f3)[:3]:
        record(person)
    client = client_for("canbo.f3")
    url = reverse("unit_awards", args=[f3.pk])
    small = _queries(client, url)
    for year in range(2001, 2020):
        record(f3, "dvqt", year)
    for person in PersonFactory.create_batch(80, unit=f3):
        record(person)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    assert _queries(client, url) == small
