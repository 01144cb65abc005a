"""The submission letter (tờ trình) as a document: its number and the nominations it carries."""

import io

import pytest
from django.urls import reverse
from docx import Document as read_docx
from pypdf import PdfReader

from approvals.models import Campaign, Job, Nomination, Unit
from approvals.services.letters import letter_create
from tests.approvals.nomination_helpers import nominate

pytestmark = pytest.mark.django_db


def _download(client, job) -> bytes:
    return b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)


def test_the_letter_lists_its_nominations_as_pdf_and_docx(
    client_for, demo_user, django_capture_on_commit_callbacks, eager_celery
):
    letter = letter_create(
        actor=demo_user("canbo.f3"),
        unit=Unit.objects.get(code="f3"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        title="Đề nghị tặng Giấy khen năm 2026",
    )
    carried = [nominate(demo_user, index=i) for i in range(2)]
    Nomination.objects.filter(pk__in=[n.pk for n in carried]).update(letter=letter)
    left_out = nominate(demo_user, index=2)  # not in the letter
    client = client_for("canbo.f3")

    texts = {}
    for file_format in ("pdf", "docx"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("letter_generate", args=[letter.pk]), {"format": file_format})
        job = Job.objects.latest("pk")
        content = _download(client, job)
        if file_format == "pdf":
            texts["pdf"] = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
        else:
            docx = read_docx(io.BytesIO(content))
            texts["docx"] = "\n".join(p.text for p in docx.paragraphs) + "".join(
                c.text for t in docx.tables for r in t.rows for c in r.cells
            )
        assert job.file_name.endswith(f".{file_format}")
    for text in texts.values():
        assert letter.number in text and "TỜ TRÌNH" in text
        for nomination in carried:
            assert nomination.nominee_name in text
        assert left_out.nominee_name not in text
    assert (
        client_for("canbo.qk3")
        .post(reverse("letter_generate", args=[letter.pk]), {"format": "pdf"})
        .status_code
        == 404
    )
