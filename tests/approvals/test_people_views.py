import pytest
from django.urls import reverse

from approvals.models import Person, Unit
from tests.factories.organisation import PersonFactory

pytestmark = pytest.mark.django_db


def _listed(response) -> set[int]:
    return {person.pk for person in response.context["page"].object_list}


def test_unit_officer_sees_only_people_of_their_unit_subtree(client_for):
    response = client_for("canbo.f3").get(reverse("people_list"), {"page": 1})
    f3 = Unit.objects.get(code="f3")
    listed = _listed(response)
    assert listed
    units = set(Person.objects.filter(pk__in=listed).values_list("unit__path", flat=True))
    assert all(path.startswith(f3.path) for path in units)
    assert (
        response.context["page"].paginator.count
        == Person.objects.filter(unit__path__startswith=f3.path).count()
    )


def test_unit_officer_cannot_open_a_person_of_another_region(client_for):
    stranger = Person.objects.filter(unit__code="qk3").first()
    response = client_for("canbo.f3").get(reverse("person_detail", args=[stranger.pk]))
    assert response.status_code == 404


def test_unit_officer_cannot_list_another_unit_by_its_id(client_for):
    qk3 = Unit.objects.get(code="qk3")
    response = client_for("canbo.f3").get(reverse("people_list"), {"unit": qk3.pk})
    assert not any(p.unit.is_within(qk3) for p in response.context["page"].object_list)


def test_regiment_scope_without_subunits_excludes_the_battalion(client_for, demo_user):
    from approvals.services.roles import role_grant

    regiment = Unit.objects.filter(level="regiment", parent__code="f3").first()
    battalion = regiment.children.get()
    user = demo_user("hd.uyvien3")
    role_grant(actor=None, user=user, role="unit_officer", unit=regiment)
    response = client_for("hd.uyvien3").get(reverse("people_list"))
    units = {p.unit_id for p in response.context["page"].object_list}
    assert regiment.pk in units and battalion.pk not in units


def test_search_ignores_diacritics_and_case(client_for):
    f3 = Unit.objects.get(code="f3")
    target = PersonFactory(full_name="Nguyễn Văn Đức", unit=f3)
    response = client_for("canbo.f3").get(reverse("people_list"), {"q": "nguyen VAN duc"})
    assert target.pk in _listed(response)


def test_secretariat_sees_people_everywhere(client_for):
    response = client_for("tth.canbo").get(reverse("people_list"))
    assert response.context["page"].paginator.count == Person.objects.count()


def test_council_member_without_unit_role_sees_nobody(client_for):
    response = client_for("hd.uyvien1").get(reverse("people_list"))
    assert response.context["page"].paginator.count == 0


@pytest.mark.parametrize("url_name", ["people_list", "unit_list", "award_list", "campaign_list"])
def test_list_pages_query_count_does_not_grow_with_data(
    client_for, url_name, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("tth.canbo")
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url_name)).status_code == 200
    qk1 = Unit.objects.get(code="qk1")
    PersonFactory.create_batch(150, unit=qk1)
    for index in range(20):
        Unit.objects.create(
            code=f"extra-{index}",
            short_name=f"Đơn vị {index}",
            name="x",
            level="regiment",
            parent=qk1,
        )
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200
    assert len(small.captured_queries) <= 12
