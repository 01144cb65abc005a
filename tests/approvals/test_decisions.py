"""Decisions: one decision awards all its nominations or none; corrections never edit it."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from approvals.models import (
    AwardRecord,
    Decision,
    DecisionEntry,
    ImmutableError,
    Job,
    NominationStatus,
)
from approvals.selectors.nominations import timeline
from approvals.services.decisions import Correction, decision_correct, decision_issue
from approvals.services.nominations import Action, stage_act
from tests.approvals.decision_helpers import decide, header
from tests.approvals.nomination_helpers import approve, move, nominate
from tests.approvals.voting_helpers import at_council_vote, decide_by_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_decision(demo_user):
    """Three Bằng khen nominations of Sư đoàn 3 passed by the Ministry council."""
    return decide_by_council(demo_user, at_council_vote(demo_user, 3), agree=100)


def _ministry(nomination):
    return nomination.acting_unit


def test_a_decision_awards_every_listed_nomination_with_its_number(demo_user, at_decision):
    decision = decide(demo_user, at_decision, by="bqp.thutruong", number="129A/QĐ-BQP")

    assert decision.entries.count() == 3
    assert [e.line for e in decision.entries.order_by("line")] == [1, 2, 3]
    for nomination in at_decision:
        nomination.refresh_from_db()
        assert nomination.status == NominationStatus.AWARDED
        record = AwardRecord.objects.get(nomination=nomination)
        assert (record.decision_number, record.decision_date, record.decision) == (
            "129A/QĐ-BQP",
            decision.signed_on,
            decision,
        )
        assert record.holder_unit == nomination.person.unit
        awarded = timeline(nomination).get(action="awarded")
        assert awarded.data["decision"] == "129A/QĐ-BQP"
        assert "129A/QĐ-BQP" in awarded.comment


def test_a_decision_awards_all_or_none(demo_user, at_decision):
    behind = at_council_vote(demo_user, 1, start=5)[0]  # still at the council's vote
    with pytest.raises(ValidationError) as refused:
        decide(demo_user, [*at_decision, behind], by="bqp.thutruong")
    assert behind.nominee_name in str(refused.value)
    assert Decision.objects.count() == 0
    assert DecisionEntry.objects.count() == 0
    assert AwardRecord.objects.count() == 0
    for nomination in at_decision:
        nomination.refresh_from_db()
        assert (nomination.status, nomination.current_stage.kind) == ("in_progress", "decision")


def test_only_the_deciding_authority_issues_and_only_for_its_own_nominations(
    demo_user, at_decision
):
    with pytest.raises(PermissionDenied):
        decide(demo_user, at_decision, by="tth.canbo")
    giay_khen = move(demo_user, nominate(demo_user, index=7), "canbo.f3", "chihuy.f3", "canbo.qk1")
    assert giay_khen.current_stage.kind == "decision"
    with pytest.raises(ValidationError):  # Quân khu 1's decision, not the Minister's
        decision_issue(
            actor=demo_user("bqp.thutruong"),
            authority=_ministry(at_decision[0]),
            nominations=[*at_decision, giay_khen],
            header=header(),
        )
    assert Decision.objects.count() == 0


def test_approving_at_the_decision_stage_is_not_an_award(demo_user, at_decision):
    with pytest.raises(ValidationError):
        stage_act(
            actor=demo_user("bqp.thutruong"), nomination=at_decision[0], action=Action.APPROVE
        )
    at_decision[0].refresh_from_db()
    assert at_decision[0].status == NominationStatus.IN_PROGRESS


def test_the_decision_stage_offers_no_approval_but_points_to_issuing_a_decision(
    demo_user, at_decision, client
):
    minister = demo_user("bqp.thutruong")
    client.force_login(minister)
    page = client.get(reverse("nomination_detail", args=[at_decision[0].pk])).content.decode()

    assert 'value="approve"' not in page  # the step is left by a decision, not by approving
    assert 'value="reject"' in page and 'value="return"' in page
    assert reverse("decision_create") in page
    api = client.get(f"/api/v1/nominations/{at_decision[0].pk}/").json()
    assert "approve" not in api["allowed_actions"] and "reject" in api["allowed_actions"]


@pytest.mark.parametrize(
    ("number", "signed_on"),
    [
        ("129", datetime.date(2026, 11, 20)),  # no document kind or issuer
        ("129/TTr-BQP", datetime.date(2026, 11, 20)),  # not a decision
        ("130/QĐ-BQP", datetime.date(2099, 1, 1)),  # signed in the future
    ],
)
def test_a_bad_number_or_date_is_refused_with_nothing_written(
    demo_user, at_decision, number, signed_on
):
    with pytest.raises(ValidationError):
        decide(demo_user, at_decision, by="bqp.thutruong", number=number, signed_on=signed_on)
    assert not Decision.objects.exists()


def test_a_number_is_used_once_a_year_per_authority(demo_user, at_decision):
    decide(demo_user, at_decision[:1], by="bqp.thutruong", number="77/QĐ-BQP")
    with pytest.raises(ValidationError) as refused:
        decide(demo_user, at_decision[1:], by="bqp.thutruong", number="77/QĐ-BQP")
    assert "77/QĐ-BQP" in str(refused.value)
    assert Decision.objects.count() == 1


def _snapshot(decision):
    fields = ("line", "action", "nominee_name", "nominee_detail", "unit_name", "award_id")
    return (
        Decision.objects.filter(pk=decision.pk).values().get(),
        list(decision.entries.order_by("line").values(*fields)),
    )


def test_an_amendment_and_a_revocation_keep_the_original_intact(demo_user, at_decision):
    original = decide(demo_user, at_decision, by="bqp.thutruong", number="10/QĐ-BQP")
    before = _snapshot(original)
    first, second, third = original.entries.order_by("line")
    minister = demo_user("bqp.thutruong")

    amendment = decision_correct(
        actor=minister,
        target=original,
        kind="amend",
        header=header(number="11/QĐ-BQP", reason="Sai chính tả họ tên."),
        changes={
            first.pk: Correction(
                nominee_name="Nguyễn Văn Sửa",
                nominee_detail=first.nominee_detail,
                unit_name=first.unit_name,
                award=first.award,
            )
        },
    )
    revocation = decision_correct(
        actor=minister,
        target=original,
        kind="revoke",
        header=header(number="12/QĐ-BQP", reason="Đang bị xem xét kỷ luật."),
        changes={second.pk: None},
    )

    assert _snapshot(original) == before  # the decision as issued, line by line
    with pytest.raises(ImmutableError):
        original.title = "Sửa trực tiếp"
        original.save()
    with pytest.raises(ImmutableError):
        first.nominee_name = "Sửa trực tiếp"
        first.save()

    records = {r.entry_id: r for r in AwardRecord.objects.all()}
    assert records[first.pk].revoked_by == amendment
    assert records[second.pk].revoked_by == revocation
    assert records[third.pk].revoked_by is None
    corrected = amendment.entries.get()
    assert (corrected.corrects, corrected.nominee_name) == (first, "Nguyễn Văn Sửa")
    assert records[corrected.pk].is_valid and records[corrected.pk].holder_name == "Nguyễn Văn Sửa"
    assert not AwardRecord.objects.filter(entry=revocation.entries.get()).exists()
    valid = AwardRecord.objects.filter(revoked_by__isnull=True)
    assert sorted(valid.values_list("holder_name", flat=True)) == sorted(
        ["Nguyễn Văn Sửa", third.nominee_name]
    )
    revoked_nomination = second.nomination
    assert timeline(revoked_nomination).filter(action="revoked").count() == 1
    assert timeline(first.nomination).filter(action="amended").count() == 1

    with pytest.raises(ValidationError):  # a line already revoked cannot be changed again
        decision_correct(
            actor=minister,
            target=original,
            kind="revoke",
            header=header(number="13/QĐ-BQP", reason="Lần nữa."),
            changes={second.pk: None},
        )


def test_only_the_issuer_corrects_a_decision(demo_user, at_decision):
    original = decide(demo_user, at_decision, by="bqp.thutruong")
    line = original.entries.first()
    with pytest.raises(PermissionDenied):
        decision_correct(
            actor=demo_user("tth.canbo"),
            target=original,
            kind="revoke",
            header=header(reason="Thử."),
            changes={line.pk: None},
        )
    assert Decision.objects.count() == 1


# --- pages -------------------------------------------------------------------------------


def test_the_authority_issues_a_decision_from_the_page(client_for, demo_user, at_decision):
    client = client_for("bqp.thutruong")
    page = client.get(reverse("decision_create"))
    assert page.status_code == 200
    for nomination in at_decision:
        assert nomination.nominee_name in page.content.decode()
    form = page.context["form"].initial
    data = {
        "number": "bad number",
        "signed_on": "2026-11-20",
        "issuer_title": form["issuer_title"],
        "signer_title": "Bộ trưởng",
        "signer_name": "Trịnh Đình Hùng",
        "title": "Về việc tặng Bằng khen năm 2026",
        "grounds": form["grounds"],
        "nominations": [n.pk for n in at_decision],
    }
    refused = client.post(reverse("decision_create"), data)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "129/QĐ-BQP" in body and "Về việc tặng Bằng khen năm 2026" in body  # kept as typed
    assert not Decision.objects.exists()

    data["number"] = "201/QĐ-BQP"
    done = client.post(reverse("decision_create"), data)
    decision = Decision.objects.get()
    assert done.status_code == 302 and done.url == reverse("decision_detail", args=[decision.pk])
    assert decision.entries.count() == 3
    page = client.get(done.url)
    assert "201/QĐ-BQP" in page.content.decode()


def test_a_unit_reads_only_its_own_lines_and_another_unit_nothing(client_for, demo_user):
    own = decide_by_council(demo_user, at_council_vote(demo_user, 1), agree=100)
    other = nominate(demo_user, by="canbo.qk1", unit="qk1", award="bk-bqp", index=0)
    from approvals.selectors.nominations import acting_users

    while other.current_stage.kind != "council_vote":
        other = approve(acting_users(other).first(), other)
    (other,) = decide_by_council(demo_user, [other], agree=100)
    decision = decide(demo_user, [*own, other], by="bqp.thutruong")

    f3 = client_for("chihuy.f3").get(reverse("decision_detail", args=[decision.pk]))
    assert f3.status_code == 200
    assert [e.nomination_id for e in f3.context["entries"]] == [own[0].pk]
    assert not f3.context["whole"]
    assert (
        client_for("canbo.qk3").get(reverse("decision_detail", args=[decision.pk])).status_code
        == 404
    )
    refused = client_for("chihuy.f3").post(
        reverse("decision_generate", args=[decision.pk]), {"what": "decision", "format": "pdf"}
    )
    assert refused.status_code == 403 and not Job.objects.exists()


def _generate(client, decision, what, file_format, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("decision_generate", args=[decision.pk]), {"what": what, "format": file_format}
        )
    job = Job.objects.latest("pk")
    assert response.url == reverse("job_detail", args=[job.pk])
    return job


def test_decision_and_certificates_are_generated_as_pdf_and_docx(
    client_for, demo_user, at_decision, django_capture_on_commit_callbacks, eager_celery
):
    decision = decide(demo_user, at_decision, by="bqp.thutruong", number="129A/QĐ-BQP")
    client = client_for("bqp.thutruong")

    job = _generate(client, decision, "decision", "pdf", django_capture_on_commit_callbacks)
    page = client.get(reverse("job_detail", args=[job.pk]))
    assert "Hoàn thành" in page.content.decode()
    pdf = client.get(reverse("job_download", args=[job.pk]))
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    assert "Số: 129A/QĐ-BQP" in text
    assert "QUYẾT ĐỊNH" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for nomination in at_decision:
        assert nomination.nominee_name in text  # the annexed list, with its diacritics

    job = _generate(client, decision, "decision", "docx", django_capture_on_commit_callbacks)
    assert job.file_name.endswith(".docx")
    from docx import Document as read_docx

    docx = read_docx(
        io.BytesIO(b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content))
    )
    words = "\n".join(p.text for p in docx.paragraphs) + "".join(
        c.text for t in docx.tables for r in t.rows for c in r.cells
    )
    assert "129A/QĐ-BQP" in words and at_decision[0].nominee_name in words

    job = _generate(client, decision, "certificates", "pdf", django_capture_on_commit_callbacks)
    reader = PdfReader(
        io.BytesIO(b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content))
    )
    assert len(reader.pages) == 3  # one certificate per awardee
    names = decision.entries.order_by("line").values_list("nominee_name", flat=True)
    for page, name in zip(reader.pages, names, strict=True):
        text = page.extract_text()
        assert name in text and "BẰNG KHEN" in text and "129A/QĐ-BQP" in text

    # the file is the requester's only
    other = client_for("tth.canbo")
    assert other.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert other.get(reverse("job_detail", args=[job.pk])).status_code == 404


def test_decision_list_query_count_does_not_grow(
    client_for, demo_user, django_assert_max_num_queries
):
    def issue(count, start):
        nominations = decide_by_council(
            demo_user, at_council_vote(demo_user, count, start=start), agree=100
        )
        for nomination in nominations:
            decide(demo_user, [nomination], by="bqp.thutruong")

    client = client_for("chihuy.f3")
    issue(1, 0)
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("decision_list")).status_code == 200
    issue(4, 1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("decision_list"))
    assert len(page.context["page"].object_list) == 5


def test_the_api_gives_a_unit_its_own_lines_and_the_authority_all(client_for, demo_user):
    own = decide_by_council(demo_user, at_council_vote(demo_user, 2), agree=100)
    decision = decide(demo_user, own, by="bqp.thutruong", number="300/QĐ-BQP")
    Nomination = type(own[0])
    # one line belongs to Sư đoàn 3; the other is moved (in the data) to Quân khu 3's tree
    from approvals.models import Unit

    Nomination.objects.filter(pk=own[1].pk).update(submitting_unit=Unit.objects.get(code="qk3"))
    url = reverse("api:decision-detail", args=[decision.pk])
    minister = client_for("bqp.thutruong").get(url).json()
    assert [e["nominee_name"] for e in minister["entries"]] == list(
        decision.entries.order_by("line").values_list("nominee_name", flat=True)
    )
    assert all(e["in_force"] for e in minister["entries"])
    unit = client_for("chihuy.f3").get(url).json()
    assert [e["nomination"] for e in unit["entries"]] == [own[0].pk]
    listed = client_for("canbo.qk1").get(reverse("api:decision-list")).json()
    assert [d["number"] for d in listed["results"]] == ["300/QĐ-BQP"]
    assert client_for("hd.uyvien1").get(url).status_code == 404


def test_the_issuer_revokes_a_line_from_the_page_and_the_original_shows_it(
    client_for, demo_user, at_decision
):
    original = decide(demo_user, at_decision, by="bqp.thutruong", number="40/QĐ-BQP")
    first, second, _third = original.entries.order_by("line")
    client = client_for("bqp.thutruong")
    url = reverse("decision_correct", args=[original.pk])
    form = client.get(url).context["form"]
    data = {
        "kind": "revoke",
        "number": "41/QĐ-BQP",
        "signed_on": "2026-11-21",
        "issuer_title": form.initial["issuer_title"],
        "signer_title": "Bộ trưởng",
        "signer_name": "Trịnh Đình Hùng",
        "title": "Về việc hủy bỏ một phần Quyết định số 40/QĐ-BQP",
        "grounds": form.initial["grounds"],
        "reason": "",
    }
    for entry in original.entries.all():
        data |= {
            f"change-{entry.pk}": "revoke" if entry == second else "keep",
            f"name-{entry.pk}": entry.nominee_name,
            f"detail-{entry.pk}": entry.nominee_detail,
            f"unit-{entry.pk}": entry.unit_name,
            f"award-{entry.pk}": entry.award_id,
        }
    refused = client.post(url, data)  # no reason given
    assert refused.status_code == 400 and Decision.objects.count() == 1
    assert "Về việc hủy bỏ một phần" in refused.content.decode()  # what was typed is kept

    data["reason"] = "Cá nhân đang bị xem xét kỷ luật."
    done = client.post(url, data)
    revocation = Decision.objects.get(number="41/QĐ-BQP")
    assert done.url == reverse("decision_detail", args=[revocation.pk])
    assert list(revocation.entries.values_list("corrects", flat=True)) == [second.pk]
    page = client.get(reverse("decision_detail", args=[original.pk])).content.decode()
    assert "41/QĐ-BQP" in page and page.count('class="revoked"') == 1
    assert client_for("tth.canbo").get(url).status_code == 403
    assert first.record.revoked_by is None
