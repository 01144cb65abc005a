import re

import pytest
from django.urls import reverse

from approvals.models import AwardsCouncil, EmulationBloc

pytestmark = pytest.mark.django_db

# What each demo role's home page offers, written out by hand (not derived from the code).
WORK = ("nomination_inbox", "nomination_list")
COMMANDER = (*WORK, "letter_list")
OFFICER = (*COMMANDER, "nomination_create")
EXPECTED_ACTIONS = {
    "quantri": {
        "admin:index",
        "nomination_list",
        "unit_list",
        "people_list",
        "bloc_list",
        "council_list",
        "award_list",
        "campaign_list",
    },
    "canbo.f3": {*OFFICER, "people_list", "unit_list", "award_list", "campaign_list"},
    "chihuy.f3": {*COMMANDER, "people_list", "unit_list", "campaign_list"},
    "canbo.qk1": {*OFFICER, "people_list", "unit_list", "award_list", "campaign_list"},
    # Quân khu 1's commander also decides Giấy khen
    "chihuy.qk1": {
        *COMMANDER,
        "people_list",
        "unit_list",
        "campaign_list",
        "award_list",
        "decision_list",
    },
    "canbo.qk3": {*OFFICER, "people_list", "unit_list", "award_list", "campaign_list"},
    "khoi2.canbo": {*WORK, "bloc_detail", "campaign_list"},
    "hd.chutich": {*WORK, "session_list", "council_detail", "award_list"},
    "hd.thuky": {*WORK, "session_list", "council_detail", "award_list"},
    "hd.uyvien1": {"session_list", "nomination_list", "council_detail", "award_list"},
    "hd.uyvien2": {"session_list", "nomination_list", "council_detail", "award_list"},
    "hd.uyvien3": {"session_list", "nomination_list", "council_detail", "award_list"},
    "tth.canbo": {
        *COMMANDER,
        "dashboard",
        "session_list",
        "decision_list",
        "people_list",
        "unit_list",
        "bloc_list",
        "council_list",
        "award_list",
        "campaign_list",
    },
    "bqp.thutruong": {*WORK, "decision_list", "award_list", "campaign_list"},
}


@pytest.mark.parametrize("username", sorted(EXPECTED_ACTIONS))
def test_home_shows_exactly_the_actions_of_the_users_roles(client_for, username):
    response = client_for(username).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert set(re.findall(r'data-action="([^"]+)"', html)) == EXPECTED_ACTIONS[username]
    assert "Xin chào" in html  # Vietnamese by default


@pytest.mark.parametrize("username", sorted(EXPECTED_ACTIONS))
def test_every_link_on_the_home_page_opens(client_for, username):
    client = client_for(username)
    html = client.get(reverse("home")).content.decode()
    for url in set(re.findall(r'href="([^"]+)" data-action=', html)):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unit_officer_cannot_open_the_ministry_council_or_the_bloc(client_for):
    client = client_for("canbo.f3")
    council = AwardsCouncil.objects.get(unit__code="bqp")
    bloc = EmulationBloc.objects.get(code="khoi-2")
    assert client.get(reverse("council_detail", args=[council.pk])).status_code == 404
    assert client.get(reverse("bloc_detail", args=[bloc.pk])).status_code == 404


def test_region_officer_sees_the_bloc_their_region_belongs_to(client_for):
    bloc = EmulationBloc.objects.get(code="khoi-2")
    response = client_for("canbo.qk1").get(reverse("bloc_detail", args=[bloc.pk]), {"year": 2024})
    assert response.status_code == 200
    assert "Quân khu 1" in response.content.decode()


def test_council_member_cannot_administer(client_for):
    assert client_for("hd.uyvien1").get(reverse("admin:index")).status_code == 302


def test_administrator_opens_the_admin_in_vietnamese(client_for):
    response = client_for("quantri").get(reverse("admin:approvals_unit_changelist"))
    assert response.status_code == 200
    assert "Quản trị hệ thống Thi đua - Khen thưởng" in response.content.decode()


def test_council_roster_at_a_bad_date_says_so_and_shows_today(client_for):
    council = AwardsCouncil.objects.get(unit__code="bqp")
    response = client_for("hd.chutich").get(
        reverse("council_detail", args=[council.pk]), {"date": "31/02/2025"}
    )
    assert response.status_code == 200
    assert "không hợp lệ" in response.content.decode()


def test_council_roster_at_a_past_date_in_vietnamese_format(client_for):
    council = AwardsCouncil.objects.get(unit__code="bqp")
    client = client_for("hd.chutich")
    url = reverse("council_detail", args=[council.pk])
    before = client.get(url, {"date": "30/06/2025"}).context["roster"]
    after = client.get(url, {"date": "01/07/2025"}).context["roster"]
    assert {m.person_id for m in before} != {m.person_id for m in after}


def test_vietnamese_is_the_default_even_for_an_english_browser(client_for):
    response = client_for("canbo.f3").get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Xin chào" in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_a_chosen_language_is_remembered(client_for):
    client = client_for("canbo.f3")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get(reverse("home"))["Content-Language"] == "en"
