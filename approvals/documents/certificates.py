"""Certificates (bằng khen, giấy khen): one landscape page per awardee of a decision.

Printed from the decision's lines still in force, as PDF to print and as DOCX to adjust,
with the issuer, the award, the awardee's rank, name, position and unit, the achievement
line, the decision's number and date, and the signature block.
"""

import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from approvals.documents.decisions import MOTTO, decision_base_name, decision_for_job
from approvals.documents.minutes import DEFAULT_PLACE, DOCX, PDF, nfc, place_date
from approvals.documents.render_docx import FONT
from approvals.documents.render_pdf import register_fonts
from approvals.models import Decision, Job
from approvals.selectors.decisions import valid_entries


def _lines(decision: Decision, entry) -> dict[str, str]:
    """What a certificate says, in Vietnamese (NFC)."""
    with translation.override("vi"):
        year = entry.nomination.campaign.year if entry.nomination_id else decision.year
        values = {
            "motto_1": _(MOTTO[0]),
            "motto_2": _(MOTTO[1]),
            "issuer": decision.issuer_title.upper(),
            "verb": _("TẶNG"),
            "award": entry.award.name.upper(),
            "name": entry.nominee_name,
            "detail": entry.nominee_detail,
            "unit": entry.unit_name,
            "reason": _(
                "Đã có thành tích xuất sắc trong phong trào thi đua quyết thắng năm %(year)s"
            )
            % {"year": year},
            "decision": _("Quyết định số %(number)s ngày %(date)s")
            % {"number": decision.number, "date": decision.signed_on.strftime("%d/%m/%Y")},
            "place_date": place_date(
                decision.signed_on, getattr(settings, "MINUTES_PLACE", DEFAULT_PLACE)
            ),
            "signer_title": decision.signer_title.upper(),
            "signer": decision.signer_name,
        }
    return {key: nfc(value) for key, value in values.items()}


def _fitted(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The size, shrunk until the line fits the width."""
    while size > 10 and canvas.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _pdf_page(canvas: Canvas, family: str, text: dict[str, str]) -> None:
    width, height = landscape(A4)
    centre = width / 2
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    y = height - 30 * mm
    for key, font, size, gap_mm in (
        ("motto_1", f"{family}-Bold", 13, 2),
        ("motto_2", f"{family}-Bold", 13, 8),
        ("issuer", f"{family}-Bold", 15, 5),
        ("verb", f"{family}-Bold", 14, 6),
        ("award", f"{family}-Bold", 26, 8),
        ("name", f"{family}-Bold", 22, 4),
        ("detail", family, 14, 2),
        ("unit", family, 14, 5),
        ("reason", f"{family}-Italic", 14, 0),
    ):
        if not text[key]:
            continue
        size = _fitted(canvas, text[key], font, size, width - 50 * mm)
        canvas.setFont(font, size)
        canvas.drawCentredString(centre, y, text[key])
        y -= size * 0.3528 * mm + gap_mm * mm
    canvas.setFont(family, 12)
    canvas.drawCentredString(width * 0.27, 45 * mm, text["decision"])
    right = width * 0.70
    canvas.setFont(f"{family}-Italic", 13)
    canvas.drawCentredString(right, 62 * mm, text["place_date"])
    canvas.setFont(f"{family}-Bold", 13)
    canvas.drawCentredString(right, 55 * mm, text["signer_title"])
    canvas.drawCentredString(right, 28 * mm, text["signer"])


def certificates_pdf(decision: Decision, entries, progress=None) -> bytes:
    family = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), invariant=1)
    canvas.setTitle(nfc(_("Bằng khen, giấy khen — Quyết định số %(n)s") % {"n": decision.number}))
    canvas.setAuthor(nfc(decision.authority.name))
    for count, entry in enumerate(entries, start=1):
        _pdf_page(canvas, family, _lines(decision, entry))
        canvas.showPage()
        if progress:
            progress(count, len(entries))
    canvas.save()
    return buffer.getvalue()


def certificates_docx(decision: Decision, entries, progress=None) -> bytes:
    docx = new_docx()
    section = docx.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, margin, Mm(20))
    docx.styles["Normal"].font.name = FONT
    for count, entry in enumerate(entries, start=1):
        text = _lines(decision, entry)
        if count > 1:
            docx.add_page_break()
        for key, size, bold, italic in (
            ("motto_1", 13, True, False),
            ("motto_2", 13, True, False),
            ("issuer", 16, True, False),
            ("verb", 14, True, False),
            ("award", 30, True, False),
            ("name", 22, True, False),
            ("detail", 14, False, False),
            ("unit", 14, False, False),
            ("reason", 14, False, True),
            ("decision", 12, False, False),
            ("place_date", 13, False, True),
            ("signer_title", 13, True, False),
            ("signer", 13, True, False),
        ):
            paragraph = docx.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text[key])
            run.font.name, run.font.size, run.bold, run.italic = FONT, Pt(size), bold, italic
        if progress:
            progress(count, len(entries))
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def certificates_produce(job: Job, progress):
    """Job producer: the certificates of a decision's lines in force, as PDF or DOCX."""
    from approvals.services.jobs import JobFile

    decision = decision_for_job(job)
    entries = list(valid_entries(decision).select_related("nomination__campaign"))
    progress(0, len(entries))
    name = decision_base_name(decision, prefix="bang-khen")
    if job.params.get("format") == "docx":
        return JobFile(f"{name}.docx", certificates_docx(decision, entries, progress), DOCX)
    return JobFile(f"{name}.pdf", certificates_pdf(decision, entries, progress), PDF)
