"""Documents attached to a nomination: checked by content, limited, versioned, kept private."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.models import Attachment
from tests.approvals.nomination_helpers import move, nominate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, nomination, name, content, **extra):
    return client.post(
        reverse("attachment_upload", args=[nomination.pk]),
        {"upload": SimpleUploadedFile(name, content), **extra},
    )


def test_officer_attaches_a_report_and_readers_download_it(client_for, demo_user):
    nomination = nominate(demo_user)
    response = _upload(client_for("canbo.f3"), nomination, "Báo cáo thành tích.pdf", PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get(nomination=nomination)
    assert attachment.original_name == "Báo_cáo_thành_tích.pdf"
    assert attachment.content_type == "application/pdf"

    move(demo_user, nomination, "canbo.f3")
    response = client_for("chihuy.f3").get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert (
        client_for("canbo.qk3")
        .get(reverse("attachment_download", args=[attachment.pk]))
        .status_code
        == 404
    )


def test_a_file_is_judged_by_its_content_not_its_name(client_for, demo_user):
    nomination = nominate(demo_user)
    client = client_for("canbo.f3")
    response = _upload(client, nomination, "bao-cao.pdf", b"MZ\x90\x00 not a pdf at all")
    assert response.status_code == 400
    assert "Chỉ nhận tệp PDF, DOCX, XLSX, JPEG hoặc PNG" in response.content.decode()
    assert not Attachment.objects.exists()
    # a real DOCX under a misleading name is stored as what it is
    assert _upload(client, nomination, "anh.png", _docx()).status_code == 302
    assert Attachment.objects.get().original_name == "anh.docx"


def test_a_file_over_the_limit_is_refused(client_for, demo_user, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = _upload(client_for("canbo.f3"), nominate(demo_user), "a.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "vượt quá giới hạn" in response.content.decode()


def test_a_replacement_keeps_the_earlier_version(client_for, demo_user):
    nomination = nominate(demo_user)
    client = client_for("canbo.f3")
    _upload(client, nomination, "v1.pdf", PDF)
    first = Attachment.objects.get()
    _upload(client, nomination, "v2.pdf", PDF + b"%v2", replaces=first.pk)
    first.refresh_from_db()
    second = Attachment.objects.get(replaces=first)
    assert (first.is_current, second.is_current) == (False, True)
    html = client.get(reverse("nomination_detail", args=[nomination.pk])).content.decode()
    assert "bản cũ, đã được thay thế" in html and "v2.pdf" in html


def test_only_the_stage_actor_may_attach(client_for, demo_user):
    nomination = move(demo_user, nominate(demo_user), "canbo.f3")
    assert _upload(client_for("canbo.f3"), nomination, "a.pdf", PDF).status_code == 403
    assert _upload(client_for("canbo.qk3"), nomination, "a.pdf", PDF).status_code == 404
    assert _upload(client_for("chihuy.f3"), nomination, "a.pdf", PDF).status_code == 302
