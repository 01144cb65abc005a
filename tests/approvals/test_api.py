"""The REST API: the same rules as the pages, over session and token authentication."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from approvals.demo.data import DEMO_PASSWORD
from approvals.models import Award, Campaign, Nomination, NominationStatus, Person, Unit
from approvals.services.nominations import nomination_create
from tests.approvals.dossier_helpers import PDF
from tests.approvals.nomination_helpers import approve

pytestmark = pytest.mark.django_db

LIST = "/api/v1/nominations/"
TASKS = "/api/v1/tasks/"


def _detail_url(nomination_id: int, verb: str = "") -> str:
    return f"{LIST}{nomination_id}/" + (f"{verb}/" if verb else "")


def _people_of(unit_code: str):
    unit = Unit.objects.get(code=unit_code)
    return Person.objects.filter(unit__path__startswith=unit.path).order_by("pk")


@pytest.fixture
def api(demo_user):
    """An API client signed in (session) as the named demo user."""

    def signed_in(username: str) -> APIClient:
        client = APIClient()
        client.force_login(demo_user(username))
        return client

    return signed_in


@pytest.fixture
def token_api():
    """An API client carrying the token the token endpoint gives the named demo user."""

    def with_token(username: str) -> APIClient:
        client = APIClient()
        response = client.post(
            "/api/v1/token/", {"username": username, "password": DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        return client

    return with_token


@pytest.fixture
def start(demo_user):
    """A draft nomination made with the services, as the pages would."""

    def create(award_code: str = "giay-khen", *, by: str, unit: str, person=None):
        return nomination_create(
            actor=demo_user(by),
            submitting_unit=Unit.objects.get(code=unit),
            award=Award.objects.get(code=award_code),
            campaign=Campaign.objects.get(code="tdqt-2026"),
            achievements="Hoàn thành xuất sắc nhiệm vụ huấn luyện năm 2026.",
            person=person or _people_of(unit).first(),
        )

    return create


@pytest.fixture
def submitted(start, demo_user):
    """An F3 Giấy khen nomination submitted to the F3 commander (stage 2)."""
    nomination = start(by="canbo.f3", unit="f3")
    return approve(demo_user("canbo.f3"), nomination)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _snapshot(nomination: Nomination) -> tuple:
    nomination.refresh_from_db()
    return (
        nomination.status,
        nomination.stage_position,
        nomination.acting_unit_id,
        nomination.claimed_by_id,
        nomination.events.count(),
    )


def test_anonymous_requests_are_refused():
    client = APIClient()
    assert client.get(LIST).status_code in (401, 403)
    assert client.get(TASKS).status_code in (401, 403)
    assert client.get("/api/schema/").status_code in (401, 403)


def test_list_shows_each_user_only_the_nominations_they_may_read(api, start, submitted):
    other = start(by="canbo.qk3", unit="qk3")

    assert submitted.pk in _ids(api("canbo.f3").get(LIST))
    assert other.pk not in _ids(api("canbo.f3").get(LIST))
    assert other.pk in _ids(api("canbo.qk3").get(LIST))
    assert submitted.pk not in _ids(api("canbo.qk3").get(LIST))


def test_list_filters_by_status_award_campaign_and_stage_kind(api, start, submitted):
    draft = start("bk-bqp", by="canbo.f3", unit="f3")
    client = api("canbo.f3")

    assert _ids(client.get(LIST, {"status": "draft"})) >= {draft.pk}
    assert submitted.pk not in _ids(client.get(LIST, {"status": "draft"}))
    waiting = _ids(client.get(LIST, {"status": "waiting"}))  # as the page's "waiting"
    assert submitted.pk in waiting and draft.pk not in waiting
    assert draft.pk not in _ids(client.get(LIST, {"award": "giay-khen"}))
    assert submitted.pk in _ids(client.get(LIST, {"award": "giay-khen", "campaign": "tdqt-2026"}))
    assert not _ids(client.get(LIST, {"campaign": "khong-co"}))
    by_stage = _ids(client.get(LIST, {"stage_kind": "approval"}))
    assert submitted.pk in by_stage and draft.pk not in by_stage

    response = client.get(LIST, {"status": "khong-co"})
    assert response.status_code == 400 and "status" in response.json()


def test_list_searches_names_without_diacritics_and_filters_by_unit_like_the_page(
    api, start, submitted, demo_user
):
    client = api("tth.canbo")  # the secretariat reads every unit's submitted nominations
    other = approve(demo_user("canbo.qk3"), start(by="canbo.qk3", unit="qk3"))
    folded = submitted.search_name  # "nguyen van ..." for "Nguyễn Văn ..."
    assert folded and folded != submitted.nominee_name
    found = _ids(client.get(LIST, {"q": folded.upper()}))
    assert submitted.pk in found
    assert found == set(
        Nomination.objects.filter(search_name__contains=folded).values_list("pk", flat=True)
    )
    assert _ids(client.get(LIST, {"unit": "f3"})) >= {submitted.pk}
    assert other.pk not in _ids(client.get(LIST, {"unit": "f3"}))
    assert other.pk in _ids(client.get(LIST, {"unit": "qk3"}))
    # and a unit's user never reaches beyond its own records by filtering
    assert other.pk not in _ids(api("canbo.f3").get(LIST, {"unit": "qk3"}))


def test_outsider_gets_404_for_a_guessed_id_and_cannot_act_on_it(api, submitted):
    before = _snapshot(submitted)
    client = api("canbo.qk3")

    assert client.get(_detail_url(submitted.pk)).status_code == 404
    assert client.get(_detail_url(submitted.pk + 10_000)).status_code == 404
    response = client.post(_detail_url(submitted.pk, "act"), {"action": "approve"}, format="json")
    assert response.status_code == 404
    assert _snapshot(submitted) == before


def test_detail_tells_who_acts_and_what_the_user_may_do(api, submitted):
    data = api("chihuy.f3").get(_detail_url(submitted.pk)).json()

    assert data["status"] == NominationStatus.IN_PROGRESS
    assert data["current_stage"]["position"] == 2
    assert data["acting_unit"]["code"] == "f3"
    assert data["due_date"]
    assert [user["username"] for user in data["acting_users"]] == ["chihuy.f3"]
    assert [event["action"] for event in data["timeline"]] == ["created", "submitted"]
    assert set(data["allowed_actions"]) == {"approve", "return", "reject", "claim"}

    preparer = api("canbo.f3").get(_detail_url(submitted.pk)).json()
    assert preparer["allowed_actions"] == ["withdraw"]


@pytest.mark.parametrize("auth", ["token", "session"])
def test_create_submit_and_commander_approval_through_the_api(auth, api, token_api, demo_user):
    client_for = token_api if auth == "token" else api
    person = _people_of("f3")[3]

    officer = client_for("canbo.f3")
    response = officer.post(
        LIST,
        {
            "submitting_unit": "f3",
            "award": "giay-khen",
            "campaign": "tdqt-2026",
            "person": person.pk,
            "achievements": "Chiến sĩ thi đua, hoàn thành xuất sắc nhiệm vụ.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["nominee_name"]) == ("draft", person.full_name)
    assert "submit" in created["allowed_actions"]
    # submitting without the dossier is refused, naming what is missing
    refused = officer.post(_detail_url(created["id"], "submit"), format="json")
    assert refused.status_code == 400
    assert "Báo cáo thành tích" in str(refused.json())
    # the officer uploads each required document through the API
    for code in ("to-trinh", "bao-cao-thanh-tich", "bien-ban-binh-xet"):
        response = officer.post(
            _detail_url(created["id"], "attachments"),
            {"file": SimpleUploadedFile(f"{code}.pdf", PDF), "document_type": code},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        assert response.json()["document_type"] == code

    response = officer.post(_detail_url(created["id"], "submit"), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["current_stage"]["position"] == 2

    response = client_for("chihuy.f3").post(
        _detail_url(created["id"], "act"),
        {"action": "approve", "comment": "Đồng ý."},
        format="json",
    )
    assert response.status_code == 200, response.content
    moved = response.json()
    assert (moved["stage_position"], moved["acting_unit"]["code"]) == (3, "qk1")
    assert [user["username"] for user in moved["acting_users"]] == ["canbo.qk1"]
    assert moved["timeline"][-1]["actor"]["username"] == "chihuy.f3"


def test_create_refused_by_the_service_answers_with_its_message(api):
    response = api("canbo.qk3").post(
        LIST,
        {
            "submitting_unit": "f3",
            "award": "giay-khen",
            "campaign": "tdqt-2026",
            "person": _people_of("f3").first().pk,
            "achievements": "Thành tích.",
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Bạn không lập đề nghị cho đơn vị này."

    response = api("canbo.f3").post(
        LIST,
        {"submitting_unit": "f3", "award": "giay-khen", "campaign": "tdqt-2026"},
        format="json",
    )
    assert response.status_code == 400
    assert "achievements" in response.json()


def test_session_writes_need_the_csrf_token(demo_user, submitted):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(demo_user("chihuy.f3"))
    before = _snapshot(submitted)

    response = client.post(_detail_url(submitted.pk, "act"), {"action": "approve"}, format="json")

    assert response.status_code == 403
    assert _snapshot(submitted) == before


def test_a_return_needs_a_reason_and_changes_nothing_without_one(api, submitted):
    before = _snapshot(submitted)
    client = api("chihuy.f3")

    response = client.post(
        _detail_url(submitted.pk, "act"), {"action": "return", "comment": "  "}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"comment": ["Phải nêu lý do."]}
    assert _snapshot(submitted) == before

    response = client.post(
        _detail_url(submitted.pk, "act"),
        {"action": "return", "comment": "Bổ sung minh chứng.", "return_to": "unit"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stage_position"]) == ("returned", 1)


def test_submit_is_refused_past_the_first_stage(api, submitted):
    before = _snapshot(submitted)

    response = api("chihuy.f3").post(_detail_url(submitted.pk, "submit"), format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert _snapshot(submitted) == before


def test_a_reader_who_may_not_act_gets_403_and_the_nomination_is_unchanged(api, submitted):
    before = _snapshot(submitted)
    client = api("canbo.f3")  # prepares F3's nominations, but stage 2 is the commander's

    for verb, body in (("act", {"action": "approve"}), ("claim", {}), ("release", {})):
        response = client.post(_detail_url(submitted.pk, verb), body, format="json")
        assert response.status_code == 403, verb
    response = client.post(_detail_url(submitted.pk, "act"), {"action": "approve"}, format="json")
    assert response.json()["detail"] == "Bạn không có quyền xử lý đề nghị này ở bước hiện tại."
    assert _snapshot(submitted) == before


def test_the_commander_claims_and_releases_and_the_unit_withdraws(api, submitted):
    commander = api("chihuy.f3")
    response = commander.post(_detail_url(submitted.pk, "claim"), format="json")
    assert response.status_code == 200
    assert response.json()["claimed_by"] == "chihuy.f3"
    assert "release" in response.json()["allowed_actions"]
    assert commander.post(_detail_url(submitted.pk, "claim")).status_code == 403
    response = commander.post(_detail_url(submitted.pk, "release"), format="json")
    assert response.json()["claimed_by"] is None

    response = api("canbo.f3").post(
        _detail_url(submitted.pk, "withdraw"), {"comment": "Đổi đối tượng."}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["allowed_actions"]) == ("withdrawn", [])


def test_the_commander_finds_the_submitted_nomination_among_their_tasks(api, submitted):
    response = api("chihuy.f3").get(TASKS)

    assert response.status_code == 200
    data = response.json()
    row = next(row for row in data["results"] if row["id"] == submitted.pk)
    assert row["is_overdue"] is False
    assert row["current_stage"]["kind"] == "approval"
    assert data["counts"]["total"] >= 1
    assert set(data["counts"]) == {"total", "overdue", "mine"}
    assert submitted.pk not in _ids(api("canbo.f3").get(TASKS))
    assert submitted.pk not in _ids(api("canbo.qk3").get(TASKS))


def test_the_bloc_officer_records_the_blocs_result_through_the_api(api, demo_user):
    f3 = Unit.objects.get(code="f3")
    nomination = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=f3,
        award=Award.objects.get(code="co-bqp"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Đơn vị dẫn đầu phong trào thi đua của khối.",
        nominee_unit=f3,
    )
    for username in ("canbo.f3", "chihuy.f3"):
        nomination = approve(demo_user(username), nomination)
    assert nomination.current_stage.kind == "bloc_vote"
    officer = api("khoi2.canbo")
    url = _detail_url(nomination.pk)

    allowed = officer.get(url).json()["allowed_actions"]
    assert "vote_result" in allowed and "approve" not in allowed
    before = _snapshot(nomination)
    response = officer.post(f"{url}act/", {"action": "approve"}, format="json")
    assert response.status_code == 400
    response = officer.post(
        f"{url}vote-result/",
        {"passed": True, "agree": 9, "members": 8, "required": 5},
        format="json",
    )
    assert response.status_code == 400
    assert _snapshot(nomination) == before
    assert (
        api("tth.canbo")
        .post(
            f"{url}vote-result/",
            {"passed": True, "agree": 7, "members": 8, "required": 5},
            format="json",
        )
        .status_code
        == 403
    )

    response = officer.post(
        f"{url}vote-result/",
        {"passed": True, "agree": 7, "members": 8, "required": 5, "note": "Họp khối 20/11."},
        format="json",
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert [user["username"] for user in data["acting_users"]] == ["tth.canbo"]
    voted = data["timeline"][-1]
    assert voted["action"] == "voted" and "7/8" in voted["comment"]
    assert voted["data"] == {"agree": 7, "members": 8, "required": 5}


def test_a_council_result_cannot_be_typed_in_it_comes_from_a_session(api, start, demo_user):
    nomination = start("bk-bqp", by="canbo.f3", unit="f3")
    for username in ("canbo.f3", "chihuy.f3", "canbo.qk1", "chihuy.qk1", "tth.canbo"):
        nomination = approve(demo_user(username), nomination)
    secretary = api("hd.thuky")
    url = _detail_url(nomination.pk)
    assert "vote_result" not in secretary.get(url).json()["allowed_actions"]
    before = _snapshot(nomination)
    response = secretary.post(
        f"{url}vote-result/",
        {"passed": True, "agree": 15, "members": 17, "required": 9},
        format="json",
    )
    assert response.status_code == 400
    assert "phiên họp" in str(response.json())
    assert _snapshot(nomination) == before


def test_schema_and_docs_are_served_without_external_urls(api):
    client = api("canbo.f3")

    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/nominations/{id}/act/" in schema.content

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html


def test_browsable_api_renders_for_a_signed_in_user(api, submitted):
    client = api("chihuy.f3")

    for url in ("/api/v1/", LIST, _detail_url(submitted.pk), TASKS):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")


def test_list_query_count_does_not_grow_with_the_rows(
    api, demo_user, django_assert_max_num_queries
):
    officer = demo_user("canbo.f3")
    f3 = Unit.objects.get(code="f3")
    campaign = Campaign.objects.get(code="tdqt-2026")
    awards = [Award.objects.get(code=code) for code in ("giay-khen", "bk-bqp")]
    nominees = [(award, person) for award in awards for person in _people_of("f3")[:15]]

    def make(count: int) -> None:
        for award, person in nominees[len(made) : len(made) + count]:
            made.add(
                nomination_create(
                    actor=officer,
                    submitting_unit=f3,
                    award=award,
                    campaign=campaign,
                    achievements="Hoàn thành xuất sắc nhiệm vụ.",
                    person=person,
                ).pk
            )

    made: set[int] = set()
    client = api("canbo.f3")
    make(3)
    with django_assert_max_num_queries(8):
        assert _ids(client.get(LIST)) == made
    make(27)
    with django_assert_max_num_queries(8):
        assert _ids(client.get(LIST)) == made


def test_an_upload_through_the_api_is_checked_like_the_page(api, demo_user):
    from approvals.models import Attachment
    from tests.approvals.nomination_helpers import nominate

    nomination = nominate(demo_user, index=8)
    url = _detail_url(nomination.pk, "attachments")
    program = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    refused = api("canbo.f3").post(url, {"file": program}, format="multipart")
    assert refused.status_code == 400
    assert "PDF" in str(refused.json())  # the message names the accepted kinds
    other_unit = api("canbo.qk3").post(
        url, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart"
    )
    assert other_unit.status_code == 404
    assert not Attachment.objects.filter(nomination=nomination).exists()


@pytest.mark.parametrize("unit", ["³", "99999999999999999999999", "f\x003"])
def test_an_odd_submitting_unit_is_refused_with_400_not_a_server_error(api, unit):
    # found by the schema fuzz (tests/security/test_api_fuzz.py): "³".isdigit() is True
    before = Nomination.objects.count()
    response = api("canbo.f3").post(
        LIST,
        {
            "submitting_unit": unit,
            "award": "giay-khen",
            "campaign": "tdqt-2026",
            "person": _people_of("f3").first().pk,
            "achievements": "Thành tích.",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "submitting_unit" in response.json()
    assert Nomination.objects.count() == before
