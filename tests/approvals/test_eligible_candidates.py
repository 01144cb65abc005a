"""The "who could be nominated" page: a unit's people against an award's rules."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import (
    Award,
    Campaign,
    Initiative,
    PendingCase,
    Person,
    Unit,
)
from approvals.models.eligibility import InitiativeLevel
from approvals.models.people import fold_vietnamese
from tests.approvals.test_eligibility_rules import nomination_row
from tests.approvals.test_registry import record
from tests.factories.organisation import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def campaign():
    return Campaign.objects.get(code="tdqt-2026")


@pytest.fixture
def unit():
    return UnitFactory(parent=Unit.objects.get(code="f3"), strength=500)


def ready(person, *, initiative=True):
    """Chiến sĩ tiên tiến this year and, unless told, a regiment-level initiative."""
    record(person, award="cstt", year=2026)
    if initiative:
        Initiative.objects.create(
            person=person,
            title="Cải tiến bệ phóng",
            level=InitiativeLevel.REGIMENT,
            recognised_on=D(2026, 6, 1),
        )
    return person


def page(client, unit, award_code, campaign, **extra):
    award = Award.objects.get(code=award_code)
    params = {"unit": unit.pk, "award": award.pk, "campaign": campaign.pk, **extra}
    return client.get(reverse("eligible_candidates"), params)


def listed(response) -> dict[str, str]:
    """data-candidate -> "eligible" or "ineligible", for the rows on the page."""
    html = response.content.decode()
    found = re.findall(r'<tr class="(eligible|ineligible)" data-candidate="(\w+)"', html)
    return {key: state for state, key in found}


@pytest.fixture
def seeded(unit, campaign):
    """Five people: one meets every rule of Chiến sĩ thi đua cơ sở, four do not."""
    subunit = UnitFactory(parent=unit)
    people = {
        "ready": ready(PersonFactory(unit=subunit)),  # in a subunit: the subtree counts
        "no_initiative": ready(PersonFactory(unit=unit), initiative=False),
        "under_discipline": ready(PersonFactory(unit=unit)),
        "already_nominated": ready(PersonFactory(unit=unit)),
        "nothing": PersonFactory(unit=unit),
    }
    PendingCase.objects.create(
        person=people["under_discipline"],
        kind="discipline",
        reference="12/QĐ-KL",
        opened_on=D(2026, 5, 1),
    )
    cstdcs = Award.objects.get(code="cstdcs")
    nomination_row(cstdcs, campaign, unit, status="draft", person=people["already_nominated"])
    return people


def test_page_lists_exactly_the_people_meeting_the_rules(client_for, unit, campaign, seeded):
    client = client_for("canbo.f3")
    response = page(client, unit, "cstdcs", campaign)
    assert response.status_code == 200
    assert listed(response) == {f"p{seeded['ready'].pk}": "eligible"}
    html = response.content.decode()
    assert "1 / 5 người đủ điều kiện" in html
    create = reverse("nomination_create")
    cstdcs = Award.objects.get(code="cstdcs")
    assert (
        f"{create}?submitting_unit={unit.pk}&amp;campaign={campaign.pk}&amp;award={cstdcs.pk}"
        f"&amp;person={seeded['ready'].pk}"
    ) in html

    response = page(client, unit, "cstdcs", campaign, ineligible="on")
    rows = listed(response)
    assert rows == {
        f"p{person.pk}": "eligible" if name == "ready" else "ineligible"
        for name, person in seeded.items()
    }
    html = response.content.decode()
    assert next(iter(rows.values())) == "eligible"  # the eligible first
    assert "Chưa có sáng kiến được công nhận từ cấp trung đoàn" in html
    assert "Nhập sáng kiến đã được công nhận" in html  # the remedy
    assert "12/QĐ-KL" in html
    assert "Dùng đề nghị đã có; không lập đề nghị thứ hai." in html
    assert html.count(">Lập đề nghị<") == 1  # only for the eligible


def test_the_prefilled_link_opens_the_nomination_form_with_the_choices(
    client_for, unit, campaign, seeded
):
    client = client_for("canbo.f3")
    cstdcs = Award.objects.get(code="cstdcs")
    response = client.get(
        reverse("nomination_create"),
        {
            "submitting_unit": unit.pk,
            "campaign": campaign.pk,
            "award": cstdcs.pk,
            "person": seeded["ready"].pk,
        },
    )
    form = response.context["form"]
    assert form["person"].value() == str(seeded["ready"].pk)
    assert form["award"].value() == str(cstdcs.pk)
    assert "Xem ai đủ điều kiện đề nghị trong đơn vị" in response.content.decode()


def test_each_person_is_checked_against_the_quota_as_if_nominated_alone(client_for, campaign):
    small = UnitFactory(parent=Unit.objects.get(code="f3"), strength=20)  # 10% of 20 = 2
    people = [ready(PersonFactory(unit=small)) for _ in range(4)]
    response = page(client_for("canbo.f3"), small, "cstdcs", campaign)
    assert listed(response) == {f"p{person.pk}": "eligible" for person in people}
    assert "tối đa 10% là 2" in response.content.decode()


def test_a_collective_award_lists_the_subunits(client_for, unit, campaign):
    subunits = [UnitFactory(parent=unit), UnitFactory(parent=unit)]
    PersonFactory(unit=unit)
    response = page(client_for("canbo.f3"), unit, "co-bqp", campaign, ineligible="on")
    assert set(listed(response)) == {f"u{subunit.pk}" for subunit in subunits}
    assert "đơn vị đủ điều kiện" in response.content.decode()


def test_another_units_officer_is_refused(client_for, unit, campaign, seeded):
    assert page(client_for("canbo.qk3"), unit, "cstdcs", campaign).status_code == 403


@pytest.mark.parametrize("username", ["hd.uyvien1", "chihuy.f3", "khoi2.canbo"])
def test_who_prepares_no_nomination_is_refused(client_for, username):
    assert client_for(username).get(reverse("eligible_candidates")).status_code == 403


def test_the_secretariat_sees_any_unit(client_for, unit, campaign, seeded):
    client = client_for("tth.canbo")
    response = page(client, unit, "cstdcs", campaign)
    assert response.status_code == 200
    assert listed(response) == {f"p{seeded['ready'].pk}": "eligible"}
    assert ">Lập đề nghị<" not in response.content.decode()  # they do not prepare
    qk3 = Unit.objects.get(code="qk3")
    assert page(client, qk3, "cstt", campaign).status_code == 200


def test_the_form_defaults_to_the_open_campaign(client_for, campaign):
    response = client_for("canbo.f3").get(reverse("eligible_candidates"))
    assert response.status_code == 200
    assert response.context["form"]["campaign"].value() == campaign.pk
    assert "listing" not in response.context


def _fill(unit, count: int) -> None:
    """`count` people, a third of them with this year's title and an initiative."""
    people = Person.objects.bulk_create(
        Person(
            service_number=f"{unit.code}-{index}",
            full_name=f"Người thử {index}",
            search_name=fold_vietnamese(f"Người thử {index}"),
            category="officer",
            unit=unit,
            gender="female" if index % 2 else "male",
            birth_date=D(1990, 1, 1),
            enlistment_date=D(2010, 9, 1),
        )
        for index in range(count)
    )
    for person in people[::3]:
        ready(person)


def test_the_query_count_does_not_grow_with_the_unit(client_for, campaign):
    client = client_for("canbo.f3")
    counts = []
    for size in (10, 200):
        unit = UnitFactory(parent=Unit.objects.get(code="f3"), strength=500)
        _fill(unit, size)
        for ineligible in ("", "on"):
            page(client, unit, "cstdcs", campaign, ineligible=ineligible)  # warm caches
            with CaptureQueriesContext(connection) as captured:
                response = page(client, unit, "cstdcs", campaign, ineligible=ineligible)
            assert response.status_code == 200
            counts.append(len(captured.captured_queries))
    assert counts[0::2] == [counts[0]] * 2, counts  # eligible only, 10 and 200 people
    assert counts[1::2] == [counts[1]] * 2, counts  # with the others
