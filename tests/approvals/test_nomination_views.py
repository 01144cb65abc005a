"""The nomination pages as their users see them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import Nomination, NominationStatus
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import move, nominate, people_of

pytestmark = pytest.mark.django_db


def test_officer_creates_a_draft_through_the_form(client_for):
    client = client_for("canbo.f3")
    person = people_of("f3")[3]
    response = client.post(
        reverse("nomination_create"),
        {
            "submitting_unit": person.unit.pk if person.unit.code == "f3" else "",
            "campaign": "",
            "award": "",
            "person": person.pk,
            "achievements": "Dẫn đầu phong trào thi đua.",
        },
    )
    # missing choices: the form comes back in Vietnamese with what was typed
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trường này là bắt buộc." in html
    assert "Dẫn đầu phong trào thi đua." in html

    from approvals.models import Award, Campaign, Unit

    response = client.post(
        reverse("nomination_create"),
        {
            "submitting_unit": Unit.objects.get(code="f3").pk,
            "campaign": Campaign.objects.get(code="tdqt-2026").pk,
            "award": Award.objects.get(code="giay-khen").pk,
            "person": person.pk,
            "achievements": "Dẫn đầu phong trào thi đua.",
        },
    )
    nomination = Nomination.objects.get(person=person)
    assert response.status_code == 302
    assert response.url == reverse("nomination_detail", args=[nomination.pk])
    page = client.get(response.url).content.decode()
    assert "Đang lập" in page and "Gửi đề nghị lên cấp trên" in page


def _person_like(model, **fields):
    """An unsaved person with `model`'s category, rank, sex and dates, and `fields`."""
    from approvals.models import Person

    return Person(
        category=model.category,
        rank=model.rank,
        gender=model.gender,
        birth_date=model.birth_date,
        enlistment_date=model.enlistment_date,
        **fields,
    )


def _selected(html: str, name: str) -> str:
    """The text of the option selected in the form's select `name` ("" if none)."""
    import re

    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    chosen = re.search(r"<option[^>]*selected[^>]*>([^<]*)</option>", select)
    return chosen.group(1) if chosen else ""


def test_the_new_nomination_form_proposes_the_unit_and_campaign_and_tells_namesakes_apart(
    client_for,
):
    from approvals.models import Person, Unit

    f3 = Unit.objects.get(code="f3")
    battalions = Unit.objects.filter(path__startswith=f3.path, short_name="Tiểu đoàn 1")
    assert battalions.count() == 2  # two "Tiểu đoàn 1" in Sư đoàn 3, under different regiments
    person = Person.objects.filter(unit=f3).order_by("pk").first()
    namesake = _person_like(
        person, service_number="QN-f3-namesake", full_name=person.full_name, unit=battalions[0]
    )
    namesake.save()

    html = client_for("canbo.f3").get(reverse("nomination_create")).content.decode()

    # the officer's own unit (its subunits are below it) and the one open campaign
    assert _selected(html, "submitting_unit") == "Sư đoàn 3, Quân khu 1"
    assert _selected(html, "campaign") == "Phong trào Thi đua Quyết thắng năm 2026"
    # units by full name, people with their service number and unit
    for battalion in battalions:
        assert f">{battalion.name}</option>" in html
    assert f"{person} — {person.service_number}, {f3.short_name}</option>" in html
    assert f"{namesake} — QN-f3-namesake, Tiểu đoàn 1</option>" in html
    # a choice passed in the address wins over the proposal
    html = (
        client_for("canbo.f3").get(reverse("nomination_create"), {"campaign": ""}).content.decode()
    )
    assert _selected(html, "campaign") == "---------"


def test_a_large_unit_finds_the_person_by_name_or_service_number_keeping_what_was_typed(
    client_for, monkeypatch
):
    from approvals import forms
    from approvals.models import Award, Campaign, Person, Unit

    monkeypatch.setattr(forms, "PERSON_CHOICES", 3)  # Sư đoàn 3's demo people are more
    client = client_for("canbo.f3")
    f3 = Unit.objects.get(code="f3")
    people = Person.objects.filter(unit__path__startswith=f3.path)
    person = people.order_by("pk").last()

    html = client.get(reverse("nomination_create")).content.decode()
    assert html.count("</option>", html.index('name="person"')) < 30  # the select is empty
    assert "tìm theo họ tên hoặc số hiệu" in html
    assert person.service_number not in html

    typed = {
        "submitting_unit": f3.pk,
        "campaign": Campaign.objects.get(code="tdqt-2026").pk,
        "award": Award.objects.get(code="giay-khen").pk,
        "achievements": "Dẫn đầu phong trào thi đua.",
        "find": "1",
    }
    # by name without accents, in capitals: the matches are listed, what was typed is kept
    surname = person.search_name.split()[-1].upper()
    response = client.post(reverse("nomination_create"), {**typed, "person_search": surname})
    html = response.content.decode()
    assert response.status_code == 200 and not Nomination.objects.filter(person=person).exists()
    assert f"{person} — {person.service_number}" in html
    assert "Dẫn đầu phong trào thi đua." in html
    assert "Tìm thấy" in html
    # by service number: the one person found is chosen, and saving creates the draft
    response = client.post(
        reverse("nomination_create"), {**typed, "person_search": person.service_number}
    )
    html = response.content.decode()
    assert "Tìm thấy 1 người." in html
    assert _selected(html, "person").startswith(str(person))
    del typed["find"]
    response = client.post(
        reverse("nomination_create"),
        {**typed, "person_search": person.service_number, "person": person.pk},
    )
    assert response.status_code == 302
    assert Nomination.objects.get(person=person).submitting_unit == f3
    # a digit that is not an ASCII digit ("³") in the address is no person, not a crash
    response = client.get(reverse("nomination_create"), {"person": "³", "person_search": "x"})
    assert response.status_code == 200
    # a person of another unit cannot be slipped in through the search
    stranger = Person.objects.exclude(unit__path__startswith=f3.path).first()
    response = client.post(
        reverse("nomination_create"),
        {**typed, "person_search": stranger.service_number, "person": stranger.pk},
    )
    assert response.status_code == 200
    assert not Nomination.objects.filter(person=stranger).exists()


def test_the_new_nomination_form_costs_the_same_queries_for_a_small_or_large_unit(
    client_for, monkeypatch
):
    from approvals import forms
    from approvals.models import Person, Unit

    monkeypatch.setattr(forms, "PERSON_CHOICES", 5)
    client = client_for("canbo.f3")
    f3 = Unit.objects.get(code="f3")
    model = Person.objects.filter(unit=f3).first()

    def page(search: str = "") -> tuple[int, int]:
        params = {"person_search": search} if search else {}
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("nomination_create"), params).content.decode()
        return len(queries), html.count("</option>", html.index('name="person"'))

    def add_people(count: int, start: int) -> None:
        Person.objects.bulk_create(
            _person_like(
                model,
                service_number=f"QN-load-{start + n}",
                full_name=f"Nguyễn Văn Tải {start + n}",
                search_name=f"nguyen van tai {start + n}",  # bulk_create skips save()
                unit=f3,
            )
            for n in range(count)
        )

    add_people(10, 0)
    small, small_search = page(), page("tai")
    add_people(200, 10)
    large, large_search = page(), page("tai")
    assert large[0] == small[0] and large_search[0] == small_search[0]
    # however many people, the select lists the first 5 found (plus the empty choice)
    assert large_search[1] - large[1] == 5


def test_a_return_without_reason_keeps_the_nomination_and_says_why(client_for, demo_user):
    nomination = move(demo_user, nominate(demo_user), "canbo.f3")
    client = client_for("chihuy.f3")
    response = client.post(
        reverse("nomination_act", args=[nomination.pk]), {"action": "return", "comment": " "}
    )
    assert response.status_code == 400
    assert "Phải nêu lý do." in response.content.decode()
    nomination.refresh_from_db()
    assert (nomination.stage_position, nomination.status) == (2, NominationStatus.IN_PROGRESS)

    response = client.post(
        reverse("nomination_act", args=[nomination.pk]),
        {"action": "return", "return_to": "previous", "comment": "Bổ sung số liệu."},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.stage_position, nomination.status) == (1, NominationStatus.RETURNED)


def test_the_page_shows_where_it_is_who_acts_and_by_when(client_for, demo_user):
    nomination = move(demo_user, nominate(demo_user), "canbo.f3", "chihuy.f3")
    html = client_for("canbo.f3").get(reverse("nomination_detail", args=[nomination.pk]))
    html = html.content.decode()
    assert "3. Xem xét, tổng hợp" in html
    assert demo_user("canbo.qk1").person.full_name in html
    assert "tháng" in html  # the due date, written out in Vietnamese
    assert html.count('data-event="') == 3


def test_another_unit_cannot_open_the_nomination(client_for, demo_user):
    nomination = nominate(demo_user)
    for username in ("canbo.qk3", "chihuy.f3", "khoi2.canbo", "hd.uyvien1"):
        client = client_for(username)
        url = reverse("nomination_detail", args=[nomination.pk])
        assert client.get(url).status_code == 404, username
        act = reverse("nomination_act", args=[nomination.pk])
        assert client.post(act, {"action": "approve"}).status_code == 404, username
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.DRAFT


def test_the_commander_sees_the_submitted_nomination_in_the_inbox(client_for, demo_user):
    nomination = move(demo_user, nominate(demo_user), "canbo.f3")
    html = client_for("chihuy.f3").get(reverse("nomination_inbox")).content.decode()
    assert f'data-nomination="{nomination.pk}"' in html
    html = client_for("canbo.qk3").get(reverse("nomination_inbox")).content.decode()
    assert f'data-nomination="{nomination.pk}"' not in html


def test_a_letter_is_submitted_and_approved_as_a_whole(client_for, demo_user):
    from approvals.models import Campaign, Unit
    from approvals.services.letters import letter_create

    letter = letter_create(
        actor=demo_user("canbo.f3"),
        unit=Unit.objects.get(code="f3"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        title="Đề nghị tặng Giấy khen năm 2026",
    )
    assert letter.number.startswith("1/TTr-F3")
    nominations = [nominate(demo_user, index=i) for i in range(3)]
    for nomination in nominations:
        complete_dossier(nomination, demo_user("canbo.f3"))
    Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(letter=letter)
    url = reverse("letter_act", args=[letter.pk])
    assert client_for("canbo.f3").post(url, {"action": "approve"}).status_code == 302
    response = client_for("chihuy.f3").post(url, {"action": "approve"})
    assert response.status_code == 302
    stages = set(Nomination.objects.filter(letter=letter).values_list("stage_position", flat=True))
    assert stages == {3}


def _measure(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


PAGES = [
    ("chihuy.f3", "nomination_inbox"),
    ("chihuy.f3", "nomination_list"),
    ("canbo.f3", "nomination_list"),
    ("tth.canbo", "nomination_list"),
    ("canbo.qk1", "nomination_list"),
    ("canbo.f3", "letter_list"),
    ("canbo.f3", "notification_list"),
]


def test_list_pages_do_the_same_queries_for_10_and_200_nominations(
    client_for, demo_user, django_assert_max_num_queries
):
    from tests.factories.organisation import PersonFactory

    f3 = people_of("f3")[0].unit
    people = PersonFactory.create_batch(200, unit=f3)
    for person in people[:10]:
        move(demo_user, nominate(demo_user, person=person), "canbo.f3")
    small = {page: _measure(client_for(page[0]), reverse(page[1])) for page in PAGES}
    for person in people[10:]:
        move(demo_user, nominate(demo_user, person=person), "canbo.f3")
    for username, url_name in PAGES:
        client = client_for(username)
        with django_assert_max_num_queries(12):
            response = client.get(reverse(url_name))
        assert response.status_code == 200
        assert _measure(client, reverse(url_name)) == small[username, url_name], url_name
    assert Nomination.objects.filter(submitting_unit=f3).count() == 200


def test_the_nomination_page_does_the_same_queries_however_long_its_history(
    client_for, demo_user, django_assert_max_num_queries
):
    short = nominate(demo_user, index=0)  # a draft, as the long one is after its returns
    long = nominate(demo_user, index=1)
    for _ in range(5):
        long = move(demo_user, long, "canbo.f3")
        from approvals.services.nominations import stage_act

        long = stage_act(
            actor=demo_user("chihuy.f3"), nomination=long, action="return", comment="Bổ sung."
        )
    client = client_for("canbo.f3")
    # the page with its timeline, its dossier checklist and the eligibility panel a draft
    # shows (the award's rules, read once, and the facts they read, in one query)
    with django_assert_max_num_queries(12):
        first = _measure(client, reverse("nomination_detail", args=[short.pk]))
    assert _measure(client, reverse("nomination_detail", args=[long.pk])) == first
