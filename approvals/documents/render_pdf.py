"""Drawing a document's blocks as PDF with ReportLab, in Liberation Serif.

Liberation Serif has the metrics of Times New Roman and every Vietnamese letter; the fonts
ship with the project in static/fonts/ (SIL Open Font License 1.1, see the license file
there), so the PDF looks the same wherever it is made.
"""

import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from approvals.documents.blocks import (
    FIRST_LINE_INDENT_MM,
    FONT_SIZE,
    HEADER_COLUMNS_MM,
    PAGE_MARGINS_MM,
    TABLE_FONT_SIZE,
    TEXT_WIDTH_MM,
    TITLE_FONT_SIZE,
    Document,
    Header,
    Heading,
    PageBreak,
    Paragraph,
    Signatures,
    Table,
    Title,
)

FAMILY = "LiberationSerif"
FONT_FILES = {
    FAMILY: "LiberationSerif-Regular.ttf",
    f"{FAMILY}-Bold": "LiberationSerif-Bold.ttf",
    f"{FAMILY}-Italic": "LiberationSerif-Italic.ttf",
    f"{FAMILY}-BoldItalic": "LiberationSerif-BoldItalic.ttf",
}


def fonts_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "fonts"


@functools.cache
def register_fonts() -> str:
    """Register the serif family with ReportLab once per process; returns its name."""
    folder = fonts_dir()
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(
        FAMILY,
        normal=FAMILY,
        bold=f"{FAMILY}-Bold",
        italic=f"{FAMILY}-Italic",
        boldItalic=f"{FAMILY}-BoldItalic",
    )
    return FAMILY


class ShortRule(Flowable):
    """A centred line under the issuing body and under the motto."""

    def __init__(self, width_mm: float):
        super().__init__()
        self.rule_width = width_mm * mm
        self.height = 3 * mm

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.height

    def draw(self):
        left = (self.width - self.rule_width) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(left, 1 * mm, left + self.rule_width, 1 * mm)


def _styles() -> dict[str, ParagraphStyle]:
    font = register_fonts()
    leading = FONT_SIZE * 1.3
    body = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=FONT_SIZE,
        leading=leading,
        alignment=TA_JUSTIFY,
        firstLineIndent=FIRST_LINE_INDENT_MM * mm,
        spaceAfter=4,
    )
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER, firstLineIndent=0)
    cell = ParagraphStyle(
        "cell",
        fontName=font,
        fontSize=TABLE_FONT_SIZE,
        leading=TABLE_FONT_SIZE * 1.2,
        alignment=TA_LEFT,
    )
    return {
        "body": body,
        "plain": ParagraphStyle("plain", parent=body, firstLineIndent=0),
        "centred": centred,
        "header": ParagraphStyle("header", parent=centred, fontSize=12, leading=15, spaceAfter=0),
        "motto": ParagraphStyle("motto", parent=centred, spaceAfter=0),
        "title": ParagraphStyle(
            "title", parent=centred, fontSize=TITLE_FONT_SIZE, leading=18, spaceAfter=0
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, firstLineIndent=0, spaceBefore=6, keepWithNext=1
        ),
        "cell": cell,
        "cell_centred": ParagraphStyle("cell_centred", parent=cell, alignment=TA_CENTER),
    }


def _markup(text: str, *, bold: bool = False, italic: bool = False) -> str:
    text = escape(text).replace("\n", "<br/>")
    if italic:
        text = f"<i>{text}</i>"
    if bold:
        text = f"<b>{text}</b>"
    return text


def _header(block: Header, styles) -> list:
    left = [
        RLParagraph(_markup(block.issuer_parent), styles["header"]),
        RLParagraph(_markup(block.issuer, bold=True), styles["header"]),
        ShortRule(30),
        Spacer(1, 2 * mm),
        RLParagraph(_markup(block.number), styles["header"]),
    ]
    right = [
        RLParagraph(_markup(block.motto[0], bold=True), styles["header"]),
        RLParagraph(_markup(block.motto[1], bold=True), styles["motto"]),
        ShortRule(56),
        Spacer(1, 2 * mm),
        RLParagraph(_markup(block.place_date, italic=True), styles["motto"]),
    ]
    table = RLTable([[left, right]], colWidths=[w * mm for w in HEADER_COLUMNS_MM])
    table.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FAMILY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return [table, Spacer(1, 8 * mm)]


def _title(block: Title, styles) -> list:
    flowables = [RLParagraph(_markup(line, bold=True), styles["title"]) for line in block.lines]
    if block.note:
        flowables.append(RLParagraph(_markup(block.note, italic=True), styles["centred"]))
    flowables.append(Spacer(1, 5 * mm))
    return flowables


def _paragraph(block: Paragraph, styles) -> list:
    text = _markup(block.text, bold=block.bold, italic=block.italic)
    if block.label:
        text = _markup(block.label, bold=True) + text
    return [RLParagraph(text, styles["body" if block.indent else "plain"])]


def _table(block: Table, styles) -> list:
    head = [RLParagraph(_markup(c.title, bold=True), styles["cell_centred"]) for c in block.columns]
    rows = [
        [
            RLParagraph(_markup(value), styles["cell_centred" if c.centred else "cell"])
            for c, value in zip(block.columns, row, strict=True)
        ]
        for row in block.rows
    ]
    table = RLTable([head, *rows], colWidths=[c.width_mm * mm for c in block.columns], repeatRows=1)
    table.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FAMILY),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    return [Spacer(1, 2 * mm), table, Spacer(1, 4 * mm)]


def _signatures(block: Signatures, styles) -> list:
    lines = max(len(block.left.titles), len(block.right.titles))

    def column(signature) -> list:
        titles = [*signature.titles, *[""] * (lines - len(signature.titles))]
        return [
            *(RLParagraph(_markup(t, bold=True), styles["centred"]) for t in titles),
            Spacer(1, 24 * mm),
            RLParagraph(_markup(signature.name, bold=True), styles["centred"]),
        ]

    half = TEXT_WIDTH_MM / 2 * mm
    table = RLTable([[column(block.left), column(block.right)]], colWidths=[half, half])
    table.setStyle([("FONTNAME", (0, 0), (-1, -1), FAMILY), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    return [Spacer(1, 6 * mm), KeepTogether([table])]


def render_pdf(document: Document) -> bytes:
    """The document as A4 PDF bytes; page numbers at the top from page two."""
    styles = _styles()
    draw = {
        Header: _header,
        Title: _title,
        Heading: lambda block, s: [RLParagraph(_markup(block.text, bold=True), s["heading"])],
        Paragraph: _paragraph,
        Table: _table,
        Signatures: _signatures,
        PageBreak: lambda block, s: [RLPageBreak()],
    }
    story = []
    for block in document.blocks:
        story += draw[type(block)](block, styles)

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(FAMILY, FONT_SIZE)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=PAGE_MARGINS_MM["top"] * mm,
        bottomMargin=PAGE_MARGINS_MM["bottom"] * mm,
        leftMargin=PAGE_MARGINS_MM["left"] * mm,
        rightMargin=PAGE_MARGINS_MM["right"] * mm,
        title=document.title,
        author=document.author,
        creator="tdkt-awards",
        lang="vi-VN",
        initialFontName=FAMILY,  # else the page declares Helvetica, which has no Vietnamese
        initialFontSize=FONT_SIZE,
        invariant=1,  # no time stamp or random id: the same minutes give the same bytes
    )
    template.build(story, onLaterPages=page_number)
    return buffer.getvalue()
