"""Writing a document's blocks as an editable DOCX (python-docx), in Times New Roman."""

import datetime
import io

from docx import Document as new_docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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

FONT = "Times New Roman"


# what may follow an element in a w:rPr or w:pPr: Word rejects children out of schema order
RPR_AFTER_SZCS = (
    "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
    "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
PPR_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _child(parent, tag: str, successors: tuple[str, ...]):
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.insert_element_before(element, *successors)
    return element


def _set_fonts(rpr) -> None:
    """Times New Roman for Latin, East Asian and complex scripts alike, Vietnamese language."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)  # a theme font would win over the name
    _child(rpr, "w:lang", RPR_AFTER_LANG).set(qn("w:val"), "vi-VN")


def _prepare(docx) -> None:
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(PAGE_MARGINS_MM["top"])
    section.bottom_margin = Mm(PAGE_MARGINS_MM["bottom"])
    section.left_margin = Mm(PAGE_MARGINS_MM["left"])
    section.right_margin = Mm(PAGE_MARGINS_MM["right"])
    normal = docx.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(FONT_SIZE)
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr)
    _child(rpr, "w:szCs", RPR_AFTER_SZCS).set(qn("w:val"), str(FONT_SIZE * 2))
    spacing = normal.paragraph_format
    spacing.space_before = Pt(0)
    spacing.space_after = Pt(4)
    spacing.line_spacing = 1.15
    # the document's defaults too, for text Word writes outside any style
    defaults = docx.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None:
        _set_fonts(defaults)


def _run(paragraph, text: str, *, bold=False, italic=False, size: float | None = None):
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    return run


def _line(paragraph, text: str, *, align=WD_ALIGN_PARAGRAPH.CENTER, size=None, **style):
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, size=size, **style)
    return paragraph


def _short_rule(cell, *, cell_mm: float, rule_mm: float) -> None:
    """A centred line: an empty paragraph's bottom border, narrowed by its indents."""
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm((cell_mm - rule_mm) / 2)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    borders = _child(paragraph._p.get_or_add_pPr(), "w:pBdr", PPR_AFTER_PBDR)
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)


def _widths(table, widths_mm) -> None:
    table.autofit = False
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)


def _header(docx, block: Header) -> None:
    table = docx.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left_mm, right_mm = HEADER_COLUMNS_MM
    _widths(table, HEADER_COLUMNS_MM)
    left, right = table.rows[0].cells
    _line(left.paragraphs[0], block.issuer_parent, size=12)
    _line(left.add_paragraph(), block.issuer, bold=True, size=12)
    _short_rule(left, cell_mm=left_mm, rule_mm=30)
    _line(left.add_paragraph(), "")
    _line(left.add_paragraph(), block.number)
    _line(right.paragraphs[0], block.motto[0], bold=True, size=12)
    _line(right.add_paragraph(), block.motto[1], bold=True)
    _short_rule(right, cell_mm=right_mm, rule_mm=56)
    _line(right.add_paragraph(), "")
    _line(right.add_paragraph(), block.place_date, italic=True)
    docx.add_paragraph()


def _title(docx, block: Title) -> None:
    for line in block.lines:
        _line(docx.add_paragraph(), line, bold=True, size=TITLE_FONT_SIZE)
    if block.note:
        _line(docx.add_paragraph(), block.note, italic=True)
    docx.add_paragraph()


def _heading(docx, block: Heading) -> None:
    paragraph = docx.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    _run(paragraph, block.text, bold=True)


def _paragraph(docx, block: Paragraph) -> None:
    paragraph = docx.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if block.indent:
        paragraph.paragraph_format.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
    if block.label:
        _run(paragraph, block.label, bold=True)
    if block.text:
        _run(paragraph, block.text, bold=block.bold, italic=block.italic)


def _table(docx, block: Table) -> None:
    table = docx.add_table(rows=1 + len(block.rows), cols=len(block.columns))
    table.style = docx.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [c.width_mm for c in block.columns])
    for index, column in enumerate(block.columns):
        cell = table.rows[0].cells[index]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _line(cell.paragraphs[0], column.title, bold=True, size=TABLE_FONT_SIZE)
    # the heading row repeats on every page the table runs onto
    header_row = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_row.append(repeat)
    for row_index, values in enumerate(block.rows, start=1):
        cells = table.rows[row_index].cells
        for column, cell, value in zip(block.columns, cells, values, strict=True):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _line(
                cell.paragraphs[0],
                value,
                align=WD_ALIGN_PARAGRAPH.CENTER if column.centred else WD_ALIGN_PARAGRAPH.LEFT,
                size=TABLE_FONT_SIZE,
            )
    docx.add_paragraph()


def _signatures(docx, block: Signatures) -> None:
    docx.add_paragraph()
    table = docx.add_table(rows=1, cols=2)
    _widths(table, (TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2))
    lines = max(len(block.left.titles), len(block.right.titles))
    for cell, signature in zip(table.rows[0].cells, (block.left, block.right), strict=True):
        first = True
        for title in [*signature.titles, *[""] * (lines - len(signature.titles))]:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            _line(paragraph, title, bold=True)
            paragraph.paragraph_format.keep_with_next = True
            first = False
        for _blank in range(4):
            cell.add_paragraph().paragraph_format.keep_with_next = True
        _line(cell.add_paragraph(), signature.name, bold=True)


def render_docx(document: Document) -> bytes:
    """The document as DOCX bytes: A4, Times New Roman 13 pt, ready to edit in Word."""
    docx = new_docx()
    _prepare(docx)
    draw = {
        Header: _header,
        Title: _title,
        Heading: _heading,
        Paragraph: _paragraph,
        Table: _table,
        Signatures: _signatures,
        PageBreak: lambda docx, block: docx.add_page_break(),
    }
    # the template starts with one empty paragraph: drop it so the header comes first
    body = docx.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    for block in document.blocks:
        draw[type(block)](docx, block)
    properties = docx.core_properties
    properties.title = document.title
    properties.author = document.author
    properties.last_modified_by = document.author
    created = document.created.astimezone(datetime.UTC).replace(tzinfo=None)
    properties.created = properties.modified = created
    properties.revision = 1
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()
