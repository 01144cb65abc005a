"""Every page and API endpoint × every demo role × an object of their own unit and of another.

The URL conf is enumerated, so an endpoint added without a row here fails the suite. For each
endpoint the table lists exactly who succeeds; everyone else must be refused (403, 404, 400 with
a message, or
sent to the login page when anonymous), and a refused change must change nothing.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from approvals.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Award,
    AwardRecord,
    AwardsCouncil,
    Ballot,
    BallotChoice,
    Campaign,
    CouncilSession,
    Decision,
    EmulationBloc,
    Initiative,
    Job,
    Nomination,
    PendingCase,
    Person,
    RuleOverride,
    ServiceBreak,
    SubmissionLetter,
    Unit,
    VoteMark,
)
from approvals.selectors.nominations import acting_users
from approvals.services import voting
from approvals.services.dossiers import attachment_add
from approvals.services.letters import letter_create
from approvals.services.nominations import nomination_claim, nomination_create
from approvals.services.posting import objection_lodge
from approvals.services.roles import role_grant
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import approve, move, nominate, people_of
from tests.approvals.voting_helpers import MEETING
from tests.factories.organisation import UserFactory

pytestmark = pytest.mark.django_db

USERS = [
    "canbo.f3",
    "chihuy.f3",
    "canbo.qk1",
    "chihuy.qk1",
    "canbo.qk3",
    "khoi2.canbo",
    "hd.chutich",
    "hd.thuky",
    "hd.uyvien1",
    "tth.canbo",
    "bqp.thutruong",
    "quantri",
    "chihuy.qk3",  # made by the fixture: QK3's commander, so that QK3's nominations move
    None,  # anonymous
]
EVERYONE = frozenset(u for u in USERS if u)
PREPARERS = frozenset({"canbo.f3", "canbo.qk1", "canbo.qk3"})
COUNCIL = frozenset({"hd.chutich", "hd.thuky", "hd.uyvien1"})
F3_RECORDS = frozenset({"canbo.f3", "chihuy.f3", "canbo.qk1", "chihuy.qk1", "tth.canbo", "quantri"})
QK3_RECORDS = frozenset({"canbo.qk3", "chihuy.qk3", "tth.canbo", "quantri"})
SECRETARIAT_ADMIN = frozenset({"tth.canbo", "quantri"})
# who records the facts eligibility reads for F3's and QK3's people and units: those who
# prepare nominations or command there (or above, covering it) and the secretariat
F3_FACTS = frozenset({"canbo.f3", "chihuy.f3", "canbo.qk1", "chihuy.qk1", "tth.canbo"})
QK3_FACTS = frozenset({"canbo.qk3", "chihuy.qk3", "tth.canbo"})
SESSION_VIEWERS = COUNCIL | SECRETARIAT_ADMIN
SESSION_RUNNERS = frozenset({"hd.chutich", "hd.thuky"})
BLOC_OFFICER = frozenset({"khoi2.canbo"})
DECIDERS = frozenset({"bqp.thutruong"})
DELEGATES = frozenset({"canbo.qk1", "canbo.qk3"})  # of their units, at Khối 2's reviews
REVIEW_VIEWERS = BLOC_OFFICER | DELEGATES | {"chihuy.qk3"} | SECRETARIAT_ADMIN
# URL names outside the product's own pages and API: Django's admin, login and language switch
# and the API's token endpoint, which is a login too (tests/approvals/test_api.py)
NOT_PRODUCT = {"login", "logout", "set_language", "api:token"}


@dataclass(frozen=True)
class Row:
    """Who succeeds on an endpoint, for the object of F3 ("own") and of QK3 ("other")."""

    method: str
    obj: str | None = None  # the kind of object the URL takes
    own: frozenset = frozenset()
    other: frozenset = frozenset()
    data: dict | Callable[[dict], dict] = field(default_factory=dict)  # from that side's objects
    api: bool = False
    multipart: bool = False
    # a POST that answers with a page rather than a redirect (the ballot's receipt, a check)
    ok_status: int = 302


def api(method, obj=None, own=EVERYONE, other=EVERYONE, data=None):
    return Row(method, obj, frozenset(own), frozenset(other), data or {}, api=True)


def everyone(method="GET"):
    return Row(method, None, EVERYONE, EVERYONE)


MATRIX: dict[str, Row] = {
    "home": everyone(),
    "unit_list": everyone(),
    "people_list": everyone(),
    "bloc_list": everyone(),
    "council_list": everyone(),
    "award_list": everyone(),
    "campaign_list": everyone(),
    "nomination_inbox": everyone(),
    "nomination_list": everyone(),
    "dashboard": everyone(),
    # reports and exports: everyone signed in; the figures and rows are limited by permissions
    # (tests/approvals/test_reports.py, test_exports.py)
    "report_yearly": everyone(),
    "report_statistics": everyone(),
    "report_export": Row(
        "POST",
        None,
        EVERYONE,
        EVERYONE,
        {"year": 2026, "group": "bloc", "report": "summary", "format": "xlsx"},
    ),
    "nomination_export": Row("POST", None, EVERYONE, EVERYONE, {"format": "csv"}),
    "letter_list": everyone(),
    "notification_list": everyone(),
    "notification_read_all": everyone("POST"),
    "nomination_create": Row("GET", None, PREPARERS, PREPARERS),
    # who could be nominated: those who prepare nominations, and the secretariat (any unit)
    "eligible_candidates": Row("GET", None, PREPARERS | {"tth.canbo"}, PREPARERS | {"tth.canbo"}),
    "letter_create": Row("GET", None, PREPARERS, PREPARERS),
    # the nominations import: "own" imports for F3, "other" for QK3 (the unit is in the form)
    "nomination_import_template": Row("GET", None, PREPARERS, PREPARERS),
    "nomination_import": (
        Row("GET", None, PREPARERS, PREPARERS),
        Row(
            "POST",
            None,
            frozenset({"canbo.f3", "canbo.qk1"}),
            frozenset({"canbo.qk3"}),
            lambda side: {
                "unit": side["unit"].pk,
                "campaign": side["letter"].campaign_id,
                "title": "Tờ trình nhập từ tệp",
                "upload": _nominations_csv(side["free_person"]),
                "action": "import",
            },
            multipart=True,
        ),
    ),
    "person_detail": Row("GET", "person", F3_RECORDS, QK3_RECORDS),
    # the facts eligibility reads, entered on the person's page and the unit's award history
    "person_initiative_add": Row(
        "POST",
        "person",
        F3_FACTS,
        QK3_FACTS,
        {
            "initiative-title": "Cải tiến quy trình bảo quản khí tài",
            "initiative-level": 2,
            "initiative-recognised_on": "2025-06-01",
            "initiative-reference": "15/QĐ-SK",
        },
    ),
    "person_break_add": Row(
        "POST",
        "person",
        F3_FACTS,
        QK3_FACTS,
        {"break-kind": "unpaid_leave", "break-start": "2025-02-01", "break-end": "2025-02-10"},
    ),
    "person_case_open": Row(
        "POST",
        "person",
        F3_FACTS,
        QK3_FACTS,
        {"case-kind": "complaint", "case-reference": "KN-02/thử", "case-opened_on": "2026-02-01"},
    ),
    "person_case_close": Row(
        "POST",
        "case_person",
        F3_FACTS,
        QK3_FACTS,
        lambda side: {"close-case": side["case"].pk, "close-closed_on": "2026-03-01"},
    ),
    "unit_case_open": Row(
        "POST",
        "unit",
        F3_FACTS,
        QK3_FACTS,
        {"case-kind": "inspection", "case-reference": "TT-03/thử", "case-opened_on": "2026-02-01"},
    ),
    "unit_case_close": Row(
        "POST",
        "case_unit",
        F3_FACTS,
        QK3_FACTS,
        lambda side: {"close-case": side["unit_case"].pk, "close-closed_on": "2026-03-01"},
    ),
    # the award registry: searched by everyone within their scope, imported by the secretariat
    "registry_list": everyone(),
    "unit_awards": Row("GET", "unit", F3_RECORDS, QK3_RECORDS),
    "registry_import_template": Row("GET", None, SECRETARIAT_ADMIN, SECRETARIAT_ADMIN),
    "registry_import": (
        Row("GET", None, SECRETARIAT_ADMIN, SECRETARIAT_ADMIN),
        Row(
            "POST",
            None,
            SECRETARIAT_ADMIN,
            SECRETARIAT_ADMIN,
            lambda side: {"upload": _registry_csv(side["person"]), "action": "import"},
            multipart=True,
            ok_status=200,
        ),
    ),
    "bloc_detail": Row(
        "GET",
        "bloc",
        frozenset(
            {
                "khoi2.canbo",
                "canbo.qk1",
                "chihuy.qk1",
                "canbo.qk3",
                "chihuy.qk3",
                "tth.canbo",
                "quantri",
            }
        ),
        frozenset({"tth.canbo", "quantri"}),
    ),
    "council_detail": Row(
        "GET", "council", COUNCIL | {"tth.canbo", "quantri"}, frozenset({"tth.canbo", "quantri"})
    ),
    "nomination_detail": Row("GET", "submitted", F3_RECORDS, QK3_RECORDS),
    "nomination_edit": Row(
        "GET", "draft", frozenset({"canbo.f3", "canbo.qk1"}), frozenset({"canbo.qk3"})
    ),
    "nomination_act": Row(
        "POST",
        "submitted",
        frozenset({"chihuy.f3"}),
        frozenset({"chihuy.qk3"}),
        {"action": "approve"},
    ),
    "nomination_claim": Row(
        "POST", "submitted", frozenset({"chihuy.f3"}), frozenset({"chihuy.qk3"})
    ),
    "nomination_release": Row(
        "POST", "claimed", frozenset({"chihuy.f3"}), frozenset({"chihuy.qk3"})
    ),
    "nomination_withdraw": Row(
        "POST", "submitted", frozenset({"canbo.f3", "canbo.qk1"}), frozenset({"canbo.qk3"})
    ),
    "nomination_vote": Row(
        "POST",
        "bloc_vote",
        frozenset({"khoi2.canbo"}),
        frozenset({"khoi2.canbo"}),
        {"agree": 6},
    ),
    "letter_detail": Row("GET", "letter", F3_RECORDS, QK3_RECORDS),
    "letter_eligibility": Row("GET", "letter", F3_RECORDS, QK3_RECORDS),
    # only the secretariat sets a failed rule aside; QK3's "ineligible" nomination is read by
    # the secretariat too
    "nomination_override": Row(
        "POST",
        "ineligible",
        frozenset({"tth.canbo"}),
        frozenset({"tth.canbo"}),
        lambda side: {"rule": _pending_case_rule(side["ineligible"]), "reason": "Đã xác minh."},
    ),
    "attachment_upload": Row(
        "POST",
        "submitted",
        frozenset({"chihuy.f3"}),
        frozenset({"chihuy.qk3"}),
        lambda side: {"upload": SimpleUploadedFile("bao-cao.pdf", PDF)},
        multipart=True,
    ),
    "attachment_download": Row("GET", "attachment", F3_RECORDS, QK3_RECORDS),
    # the achievement report draft: started by whoever may read the nomination
    "achievement_report": Row("POST", "submitted", F3_RECORDS, QK3_RECORDS),
    # decisions: "own" awards a nomination of F3, "other" one of QK3, both by the Minister
    "decision_list": everyone(),
    "decision_create": Row("GET", None, DECIDERS, DECIDERS),
    "decision_detail": Row("GET", "decision", F3_RECORDS | DECIDERS, QK3_RECORDS | DECIDERS),
    "decision_generate": Row(
        "POST",
        "decision",
        DECIDERS | SECRETARIAT_ADMIN,
        DECIDERS | SECRETARIAT_ADMIN,
        {"what": "decision", "format": "pdf"},
    ),
    "decision_correct": Row("GET", "decision", DECIDERS, DECIDERS),
    "letter_generate": Row("POST", "letter", F3_RECORDS, QK3_RECORDS, {"format": "pdf"}),
    # a generated file is its requester's only
    "job_list": everyone(),
    "job_detail": Row("GET", "decision_job", {"canbo.f3"}, {"canbo.qk3"}),
    "job_download": Row("GET", "decision_job", {"canbo.f3"}, {"canbo.qk3"}),
    "letter_act": Row(
        "POST", "letter", frozenset({"chihuy.f3"}), frozenset({"chihuy.qk3"}), {"action": "approve"}
    ),
    # council sessions: "own" is a session of the Ministry council, where the demo council
    # users sit; "other" is one of QK3's council, where none of the users below holds a seat
    "session_list": everyone(),
    "session_create": (
        Row("GET", None, SESSION_RUNNERS, SESSION_RUNNERS),
        Row(
            "POST",
            None,
            SESSION_RUNNERS,
            frozenset(),  # QK3's council is not theirs to choose
            lambda side: {
                "council": side["council"].pk,
                "title": "Phiên họp thử",
                "meeting_date": MEETING.isoformat(),
                "voting_deadline": "2099-12-31T17:00",
                "nominations": [side["council_vote"].pk],
            },
        ),
    ),
    "session_detail": Row("GET", "session_voting", SESSION_VIEWERS, SECRETARIAT_ADMIN),
    "session_attendance": Row(
        "POST",
        "session_preparing",
        SESSION_RUNNERS,
        frozenset(),
        lambda side: {
            f"m{membership_id}": "present"
            for membership_id in side["session_preparing"].attendances.values_list(
                "membership_id", flat=True
            )
        },
    ),
    "session_open": Row("POST", "session_preparing", frozenset({"hd.chutich"}), frozenset()),
    "session_close": Row("POST", "session_voting", frozenset({"hd.chutich"}), frozenset()),
    "session_conclude": Row(
        "POST",
        "session_closed",
        frozenset({"hd.chutich"}),
        frozenset(),
        {"conclusion": "Thống nhất theo kết quả kiểm phiếu."},
    ),
    "session_ballot": (
        Row("GET", "session_voting", COUNCIL, frozenset()),
        Row(
            "POST",
            "session_voting",
            COUNCIL,
            frozenset(),
            lambda side: {
                f"choice-{pk}": "agree"
                for pk in side["session_voting"].items.values_list("pk", flat=True)
            },
            ok_status=200,
        ),
    ),
    "session_receipt": (
        Row("GET", "session_voting", SESSION_VIEWERS, SECRETARIAT_ADMIN),
        Row(
            "POST",
            "session_voting",
            SESSION_VIEWERS,
            SECRETARIAT_ADMIN,
            {"receipt": "0000-0000-0000-0000"},
            ok_status=200,
        ),
    ),
    # bloc reviews: "own" are Khối 2's, which QK3 leads and where QK1's and QK3's officers are
    # their units' delegates; "other" are a test bloc's (tests/approvals/bloc_review_helpers.py)
    "bloc_review_list": everyone(),
    "bloc_review_create": (
        Row("GET", None, BLOC_OFFICER, BLOC_OFFICER),
        Row(
            "POST",
            None,
            BLOC_OFFICER,
            frozenset(),  # the test bloc is not theirs to choose
            lambda side: {
                "bloc": side["bloc"].pk,
                "year": 2031,
                "title": "Hội nghị bình xét thử",
                "meeting_date": "2031-11-05",
                "quota": 1,
                "tie_rule": "second_round",
            },
        ),
    ),
    "bloc_review_detail": Row("GET", "review_closed", REVIEW_VIEWERS, SECRETARIAT_ADMIN),
    "bloc_review_delegates": Row(
        "POST",
        "review_preparing",
        BLOC_OFFICER,
        frozenset(),
        lambda side: {
            f"unit-{d.unit_id}": d.user.username
            for d in side["review_preparing"].delegates.select_related("user")
        },
    ),
    "bloc_review_open_scoring": Row("POST", "review_preparing", BLOC_OFFICER, frozenset()),
    "bloc_review_score": (
        Row("GET", "review_scoring", DELEGATES, frozenset()),
        Row(
            "POST",
            "review_scoring",
            DELEGATES,
            frozenset(),
            lambda side: {
                f"s-{unit.pk}-{criterion.pk}": 8
                for unit in side["review_scoring"].bloc.members_in(side["review_scoring"].year)
                for criterion in side["review_scoring"].bloc.criteria.filter(
                    year=side["review_scoring"].year
                )
            },
        ),
    ),
    "bloc_review_open_acclaim": Row("POST", "review_scoring", BLOC_OFFICER, frozenset()),
    "bloc_review_ballot": (
        Row("GET", "review_acclaiming", DELEGATES, frozenset()),
        Row(
            "POST",
            "review_acclaiming",
            DELEGATES,
            frozenset(),
            lambda side: {"units": [Unit.objects.get(code="qk2").pk]},
        ),
    ),
    "bloc_review_close": Row("POST", "review_acclaiming", BLOC_OFFICER, frozenset()),
    "bloc_review_decide": Row(
        "POST",
        "review_tied",
        BLOC_OFFICER | {"canbo.qk3", "chihuy.qk3"},  # and the leader unit's officers
        frozenset(),
        lambda side: {
            "units": [side["review_tied"].results.filter(tied=True).order_by("unit_id")[0].unit_id],
            "decision": "Khối trưởng chọn đơn vị có điểm chấm cao hơn.",
        },
    ),
    "bloc_review_submit": Row(
        "POST", "review_closed", BLOC_OFFICER, frozenset(), {"minutes": "Biên bản hội nghị."}
    ),
    "posting_list": everyone(),
    "objection_create": Row("POST", "posted", EVERYONE, EVERYONE, {"text": "Ý kiến phản ánh."}),
    "objection_answer": Row(
        "POST",
        "objection",
        frozenset({"tth.canbo"}),
        frozenset({"tth.canbo"}),
        {"answer": "Đã xác minh."},
    ),
    # the review's minutes (a draft drawn from the data until the result is submitted)
    "bloc_review_minutes": Row("GET", "review_closed", REVIEW_VIEWERS, SECRETARIAT_ADMIN),
    "api:api-root": api("GET"),
    "api:schema": api("GET"),
    "api:docs": api("GET"),
    "api:task-list": api("GET"),
    "api:decision-list": api("GET"),
    "api:decision-detail": api("GET", "decision", F3_RECORDS | DECIDERS, QK3_RECORDS | DECIDERS),
    "api:nomination-list": (
        api("GET"),
        api(
            "POST",
            None,
            {"canbo.f3", "canbo.qk1"},
            {"canbo.qk3"},
            lambda side: {
                "submitting_unit": side["letter"].unit.code,
                "award": "giay-khen",
                "campaign": "tdqt-2026",
                "person": side["free_person"].pk,
                "achievements": "Thành tích xuất sắc.",
            },
        ),
    ),
    "api:nomination-detail": api("GET", "submitted", F3_RECORDS, QK3_RECORDS),
    "api:nomination-eligibility": api("GET", "submitted", F3_RECORDS, QK3_RECORDS),
    "api:nomination-attachments": Row(
        "POST",
        "submitted",
        frozenset({"chihuy.f3"}),
        frozenset({"chihuy.qk3"}),
        lambda side: {"file": SimpleUploadedFile("bao-cao.pdf", PDF)},
        api=True,
        multipart=True,
        ok_status=201,
    ),
    "api:nomination-submit": api("POST", "draft", {"canbo.f3", "canbo.qk1"}, {"canbo.qk3"}),
    "api:nomination-act": api(
        "POST", "submitted", {"chihuy.f3"}, {"chihuy.qk3"}, {"action": "approve"}
    ),
    "api:nomination-vote-result": api(
        "POST",
        "bloc_vote",
        {"khoi2.canbo"},
        {"khoi2.canbo"},
        {"passed": True, "agree": 6, "members": 8, "required": 5},
    ),
    "api:nomination-withdraw": api("POST", "submitted", {"canbo.f3", "canbo.qk1"}, {"canbo.qk3"}),
    "api:nomination-claim": api("POST", "submitted", {"chihuy.f3"}, {"chihuy.qk3"}),
    "api:nomination-release": api("POST", "claimed", {"chihuy.f3"}, {"chihuy.qk3"}),
}


def _names(patterns, namespace="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "i18n/")):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_endpoint_has_a_row_in_the_matrix():
    endpoints = _names(get_resolver().url_patterns) - NOT_PRODUCT
    assert endpoints - set(MATRIX) == set(), "add these endpoints to the matrix"
    assert set(MATRIX) - endpoints == set(), "these rows name no endpoint"


PDF = b"%PDF-1.7\n%%EOF\n"
CASE_OPENED = datetime.date(2026, 1, 5)


def _registry_csv(person) -> SimpleUploadedFile:
    """A historic award file of one valid row, for the registry import."""
    rows = "so_hieu,danh_hieu,nam,so_quyet_dinh,ngay_quyet_dinh,cap_quyet_dinh\n"
    rows += f"{person.service_number},cstt,2020,12/QĐ-TEST,20/12/2020,Tư lệnh\n"
    return SimpleUploadedFile("so-khen-thuong.csv", rows.encode())


def _nominations_csv(person) -> SimpleUploadedFile:
    """A list of one valid nomination, for the nominations import."""
    rows = f"so_hieu,danh_hieu,thanh_tich\n{person.service_number},giay-khen,Thành tích tốt.\n"
    return SimpleUploadedFile("de-nghi.csv", rows.encode())


@pytest.fixture
def world(demo_user, settings, tmp_path):
    """F3's and QK3's nominations at the stages the matrix needs, and their letters."""
    settings.MEDIA_ROOT = tmp_path
    qk3 = Unit.objects.get(code="qk3")
    commander = UserFactory(username="chihuy.qk3")
    role_grant(actor=None, user=commander, role="unit_commander", unit=qk3)
    campaign = Campaign.objects.get(code="tdqt-2026")
    other_bloc = EmulationBloc.objects.create(
        code="khoi-thu", name="Khối thử", organiser=Unit.objects.get(code="bqp")
    )
    objects = {"own": {}, "other": {}}
    for side, unit, officer, chief in (
        ("own", "f3", "canbo.f3", "chihuy.f3"),
        ("other", "qk3", "canbo.qk3", "chihuy.qk3"),
    ):
        letter = letter_create(
            actor=demo_user(officer),
            unit=Unit.objects.get(code=unit),
            campaign=campaign,
            title="Tờ trình thử",
        )
        submitted = move(demo_user, nominate(demo_user, by=officer, unit=unit, index=0), officer)
        Nomination.objects.filter(pk=submitted.pk).update(letter=letter)
        claimed = move(demo_user, nominate(demo_user, by=officer, unit=unit, index=1), officer)
        nomination_claim(actor=demo_user(chief), nomination=claimed)
        at_vote = nominate(demo_user, by=officer, unit=unit, index=2, award="bk-bqp")
        while at_vote.current_stage.kind != "council_vote":
            at_vote = approve(acting_users(at_vote).first(), at_vote)
        attachment = attachment_add(
            actor=demo_user(chief), nomination=submitted, upload=SimpleUploadedFile("a.pdf", PDF)
        )
        unit_row = Unit.objects.get(code=unit)
        at_bloc = nomination_create(
            actor=demo_user(officer),
            submitting_unit=unit_row,
            award=Award.objects.get(code="co-bqp"),
            campaign=campaign,
            achievements="Đơn vị dẫn đầu.",
            nominee_unit=unit_row,
        )
        at_bloc = move(demo_user, at_bloc, officer, chief)
        posted = nominate(demo_user, by=officer, unit=unit, index=4, award="hc-bvtq-3")
        while posted.current_stage.kind != "posting":
            posted = approve(acting_users(posted).first(), posted)
        objection = objection_lodge(actor=demo_user(officer), nomination=posted, text="Phản ánh.")
        draft = nominate(demo_user, by=officer, unit=unit, index=3)
        complete_dossier(draft, demo_user(officer))  # ready to send: the API takes no documents
        # a nomination whose nominee now has a pending case: a rule the secretariat may set aside
        PendingCase.objects.create(
            person=submitted.person,
            kind="discipline",
            reference="KL-MATRIX",
            opened_on=datetime.date(2026, 10, 1),
        )
        objects[side] = {
            "ineligible": submitted,
            "posted": posted,
            "objection": objection,
            "bloc_vote": at_bloc,
            "attachment": attachment,
            "draft": draft,
            "submitted": submitted,
            "claimed": claimed,
            "council_vote": at_vote,
            "letter": letter,
            "person": Person.objects.filter(unit__code=unit).first(),
            "free_person": people_of(unit)[5],  # nominated for nothing yet
            "unit": unit_row,
        }
    objects["own"]["bloc"] = EmulationBloc.objects.get(code="khoi-2")
    objects["other"]["bloc"] = other_bloc
    objects["own"]["council"] = AwardsCouncil.objects.get(unit__code="bqp")
    objects["other"]["council"] = AwardsCouncil.objects.get(unit__code="qk3")
    # open cases to close, about a person and a battalion that no fixture nominates
    for side, unit in (("own", "f3"), ("other", "qk3")):
        subject = people_of(unit).last()
        battalion = (
            Unit.objects.filter(path__startswith=objects[side]["unit"].path, level="grassroots")
            .order_by("path")
            .last()
        )
        objects[side]["case_person"], objects[side]["case_unit"] = subject, battalion
        objects[side]["case"] = PendingCase.objects.create(
            person=subject, kind="inspection", reference="KT-01/thử", opened_on=CASE_OPENED
        )
        objects[side]["unit_case"] = PendingCase.objects.create(
            unit=battalion, kind="inspection", reference="KT-02/thử", opened_on=CASE_OPENED
        )
    return objects


@pytest.fixture
def council_sessions(world, demo_user):
    """A session preparing (quorum present), one voting and one closed, on each side.

    Own: the Ministry council's, prepared by its demo chair. Other: QK3's council's, run by a
    chair made here; its nominations are put at that council's vote stage for the purpose.
    """
    qk3_council = world["other"]["council"]
    qk3_chair = UserFactory(username="chutich.hd-qk3")
    role_grant(actor=None, user=qk3_chair, role="council_chair", council=qk3_council)
    for side, unit, officer, chair in (
        ("own", "f3", "canbo.f3", demo_user("hd.chutich")),
        ("other", "qk3", "canbo.qk3", qk3_chair),
    ):
        council = world[side]["council"]
        for index, state in enumerate(("preparing", "voting", "closed"), start=6):
            nomination = nominate(demo_user, by=officer, unit=unit, index=index, award="bk-bqp")
            while nomination.current_stage.kind != "council_vote":
                nomination = approve(acting_users(nomination).first(), nomination)
            Nomination.objects.filter(pk=nomination.pk).update(acting_council=council)
            session = voting.session_create(
                actor=chair,
                council=council,
                title=f"Phiên họp thử ({state})",
                meeting_date=MEETING,
                voting_deadline=timezone.now() + datetime.timedelta(days=2),
                nominations=[nomination],
            )
            voting.attendance_record(
                actor=chair,
                session=session,
                present=list(session.attendances.values_list("membership_id", flat=True)),
                written=[],
            )
            if state != "preparing":
                session = voting.voting_open(actor=chair, session=session)
            if state == "closed":
                session = voting.voting_close(actor=chair, session=session)
            world[side][f"session_{state}"] = session
    return world


@pytest.fixture
def decisions(world, demo_user):
    """A Minister's decision on each side, one nomination left waiting for a decision, and
    a generated letter file for each side's officer (the "decision_job")."""
    from approvals.services.jobs import job_execute, job_start
    from tests.approvals.decision_helpers import decide
    from tests.approvals.voting_helpers import decide_by_council

    waiting = []
    for unit, officer, index in (
        ("f3", "canbo.f3", 8),
        ("qk3", "canbo.qk3", 8),
        ("f3", "canbo.f3", 9),
    ):
        nomination = nominate(demo_user, by=officer, unit=unit, index=index, award="bk-bqp")
        while nomination.current_stage.kind != "council_vote":
            nomination = approve(acting_users(nomination).first(), nomination)
        waiting.append(nomination)
    own, other, _left_waiting = decide_by_council(demo_user, waiting, agree=100)
    for side, nomination, officer in (("own", own, "canbo.f3"), ("other", other, "canbo.qk3")):
        world[side]["decision"] = decide(demo_user, [nomination], by="bqp.thutruong")
        job = job_start(
            user=demo_user(officer),
            kind="letter_documents",
            params={"letter": world[side]["letter"].pk, "format": "pdf"},
        )
        world[side]["decision_job"] = job_execute(job.pk)
    return world


def _outcome(response, row: Row) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/login/" in location:
        return "login"
    anonymous = not response.wsgi_request.user.is_authenticated
    if row.api and anonymous and response.status_code in (401, 403):
        return "login"
    if row.api and response.status_code in (200, 201):
        return "ok"
    if (row.method == "GET" and response.status_code == 200) or (
        row.method == "POST" and response.status_code == row.ok_status
    ):
        return "ok"
    # 400: a letter with nothing waiting for this user is refused with a message
    assert response.status_code in (400, 403, 404), (response.status_code, location)
    return "refused"


ROWS = [
    (name, index)
    for name, rows in sorted(MATRIX.items())
    for index in range(len(rows) if isinstance(rows, tuple) else 1)
]


@pytest.mark.parametrize(("name", "index"), ROWS)
def test_only_the_listed_roles_succeed(name, index, world, client, demo_user, request):
    row = MATRIX[name][index] if isinstance(MATRIX[name], tuple) else MATRIX[name]
    if row.obj and row.obj.startswith("session_"):
        world = request.getfixturevalue("council_sessions")
    elif row.obj and row.obj.startswith("review_"):
        world = request.getfixturevalue("bloc_reviews")
    elif "decision" in name or (row.obj or "").startswith("decision"):
        world = request.getfixturevalue("decisions")
    for side in ("own", "other"):
        expected = row.own if side == "own" else row.other
        url = reverse(name, args=[world[side][row.obj].pk] if row.obj else [])
        succeeded = set()
        for username in USERS:
            client.logout()
            if username:
                client.force_login(demo_user(username))
            data = row.data(world[side]) if callable(row.data) else row.data
            with transaction.atomic():
                before = _snapshot()
                if row.multipart:
                    response = client.post(url, data)
                elif row.api:
                    response = client.generic(row.method, url, json.dumps(data), _JSON)
                else:
                    response = client.generic(row.method, url, urlencode(data, doseq=True), _FORM)
                _close_download(response)
                outcome = _outcome(response, row)
                if outcome == "ok":
                    succeeded.add(username)
                else:
                    assert _snapshot() == before, f"{username} was refused but changed data"
                    if username is None:
                        assert outcome == "login"
                transaction.set_rollback(True)
        assert succeeded == set(expected), f"{name} on {side}'s object"


_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


def _close_download(response) -> None:
    """Close a download's file without the request_finished signal, which would close the
    database connection in the middle of the test's transaction (on PostgreSQL)."""
    if not response.streaming:
        return
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _pending_case_rule(nomination) -> int:
    version = nomination.award.version_for(nomination.campaign)
    return version.rules.get(kind="no_pending_discipline").pk


def _snapshot():
    rows = Nomination.objects.order_by("pk").values_list(
        "pk", "status", "stage_position", "claimed_by_id"
    )
    sessions = CouncilSession.objects.order_by("pk").values_list(
        "pk", "status", "round", "conclusion"
    )
    attendance = Attendance.objects.order_by("pk").values_list("pk", "status")
    return [
        *rows,
        SubmissionLetter.objects.count(),
        AwardRecord.objects.count(),
        Decision.objects.count(),
        Job.objects.count(),
        Attachment.objects.count(),
        RuleOverride.objects.count(),
        *sessions,
        *attendance,
        AgendaItem.objects.count(),
        VoteMark.objects.count(),
        Ballot.objects.count(),
        BallotChoice.objects.count(),
        *PendingCase.objects.order_by("pk").values_list("pk", "closed_on"),
        ServiceBreak.objects.count(),
        Initiative.objects.count(),
        *_bloc_review_snapshot(),
    ]


@pytest.fixture
def bloc_reviews(world, demo_user):
    """Bloc reviews in every state on each side (tests/approvals/bloc_review_helpers.py)."""
    from tests.approvals.bloc_review_helpers import reviews_in_every_state

    for side, reviews in reviews_in_every_state(demo_user).items():
        world[side].update(reviews)
    return world


def _bloc_review_snapshot():
    from approvals.models import AcclaimChoice, AcclaimMark, AcclaimResult, BlocReview, BlocScore

    reviews = BlocReview.objects.order_by("pk").values_list(
        "pk", "status", "round", "leader_decision", "minutes"
    )
    delegates = BlocReview.objects.order_by("pk").values_list("pk", "delegates__user_id")
    return [
        *reviews,
        *delegates,
        BlocScore.objects.count(),
        AcclaimMark.objects.count(),
        AcclaimChoice.objects.count(),
        AcclaimResult.objects.filter(proposed=True).count(),
    ]
