"""The achievement report draft: prefilled from the nomination and the registry, as DOCX,
for the nomination's readers only."""

import io

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from approvals.documents.minutes import DOCX
from approvals.models import Award, Campaign, Job, JobStatus, Unit
from approvals.services.jobs import job_execute
from approvals.services.nominations import nomination_create
from tests.approvals.nomination_helpers import nominate
from tests.approvals.test_registry import record, revoking_decision

pytestmark = pytest.mark.django_db


def _start(client, nomination, capture):
    with capture(execute=True):
        response = client.post(reverse("achievement_report", args=[nomination.pk]))
    job = Job.objects.get(kind="achievement_report")
    assert response.status_code == 302
    assert response.url == reverse("job_detail", args=[job.pk])
    return job


def _words(client, job) -> str:
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    cells = (c.text for t in document.tables for r in t.rows for c in r.cells)
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def test_a_persons_report_is_prefilled_from_the_nomination_and_the_registry(
    client_for, demo_user, django_capture_on_commit_callbacks, eager_celery
):
    nomination = nominate(demo_user)
    person = nomination.person
    record(person, "cstt", 2024, decision_number="77/QĐ-F3")
    record(person, "giay-khen", 2023, decision_number="66/QĐ-HUYBO", revoked_by=revoking_decision())
    client = client_for("canbo.f3")

    job = _start(client, nomination, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.file_name == f"bao-cao-thanh-tich-{nomination.pk}.docx"
    assert job.content_type == DOCX
    words = _words(client, job)
    assert "BÁO CÁO THÀNH TÍCH" in words and "Đề nghị tặng Giấy khen" in words
    assert "I. SƠ LƯỢC LÝ LỊCH" in words and person.full_name in words
    assert person.birth_date.strftime("%d/%m/%Y") in words and person.unit.name in words
    assert nomination.achievements in words
    assert "[Nêu sáng kiến" in words  # a prompt left for the officer
    assert "77/QĐ-F3" in words and Award.objects.get(code="cstt").name in words
    assert "66/QĐ-HUYBO" not in words  # revoked: struck out of the registry
    assert "XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ" in words and "NGƯỜI BÁO CÁO" in words


def test_a_collective_nomination_gets_the_collective_report(
    client_for, demo_user, django_capture_on_commit_callbacks, eager_celery
):
    unit = Unit.objects.get(code="f3")
    nomination = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=unit,
        award=Award.objects.get(code="co-bqp"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Đơn vị hoàn thành xuất sắc nhiệm vụ huấn luyện.",
        nominee_unit=unit,
    )
    record(unit, "dvqt", 2025, decision_number="31/QĐ-QK1")
    client = client_for("canbo.f3")

    words = _words(client, _start(client, nomination, django_capture_on_commit_callbacks))
    assert "Đề nghị tặng Cờ thi đua của Bộ Quốc phòng" in words
    assert "I. ĐẶC ĐIỂM, TÌNH HÌNH" in words and "SƠ LƯỢC LÝ LỊCH" not in words
    assert f"Tên đơn vị: {unit.name}" in words and "Quân số:" in words
    assert "[Nêu chức năng, nhiệm vụ được giao.]" in words
    assert "Đơn vị hoàn thành xuất sắc nhiệm vụ huấn luyện." in words
    assert "31/QĐ-QK1" in words
    assert "THỦ TRƯỞNG ĐƠN VỊ" in words and "NGƯỜI BÁO CÁO" not in words


def test_another_unit_cannot_start_the_report(client, client_for, demo_user):
    nomination = nominate(demo_user)
    url = reverse("achievement_report", args=[nomination.pk])
    assert client_for("canbo.qk3").post(url).status_code == 404
    assert client_for("canbo.qk3").get(url).status_code == 405
    client.logout()
    assert "/login/" in client.post(url)["Location"]
    assert not Job.objects.exists()


def test_the_job_rechecks_that_its_requester_may_read_the_nomination(demo_user):
    """A job queued by hand, or whose requester lost access since, produces nothing."""
    nomination = nominate(demo_user)
    job = Job.objects.create(
        kind="achievement_report",
        requested_by=demo_user("canbo.qk3"),
        params={"nomination": nomination.pk, "format": "docx"},
    )
    with pytest.raises(PermissionDenied):
        job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.storage_name


def test_the_nomination_page_offers_the_report(client_for, demo_user):
    nomination = nominate(demo_user)
    page = client_for("canbo.f3").get(reverse("nomination_detail", args=[nomination.pk]))
    html = page.content.decode()
    assert "Soạn báo cáo thành tích (DOCX)" in html
    assert reverse("achievement_report", args=[nomination.pk]) in html
