"""The pieces of a Vietnamese administrative document, independent of the output format.

The layout follows the administrative format of Decree 30/2020/NĐ-CP: the issuing body on
the left and the national motto on the right, the number under the body and the place and
date under the motto, the centred title, the body, then the signature blocks.
"""

import datetime
from dataclasses import dataclass, field

FONT_SIZE = 13  # body text, points
TABLE_FONT_SIZE = 11
TITLE_FONT_SIZE = 14
PAGE_MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # A4
TEXT_WIDTH_MM = 210 - PAGE_MARGINS_MM["left"] - PAGE_MARGINS_MM["right"]
FIRST_LINE_INDENT_MM = 10
# issuing body | motto: wide enough for "HỘI ĐỒNG THI ĐUA, KHEN THƯỞNG" and the national name
# in 12 pt bold on one line each, so the header reaches 5 mm into each side margin
HEADER_COLUMNS_MM = (80, 95)


@dataclass(frozen=True)
class Header:
    """Issuing body and number on the left; motto, place and date on the right."""

    issuer_parent: str  # e.g. "BỘ QUỐC PHÒNG"
    issuer: str  # e.g. "HỘI ĐỒNG THI ĐUA, KHEN THƯỞNG"
    number: str  # e.g. "Số:      /BB-HĐTĐKT"
    motto: tuple[str, str]  # the national name and "Độc lập - Tự do - Hạnh phúc"
    place_date: str  # e.g. "Hà Nội, ngày 26 tháng 11 năm 2026"


@dataclass(frozen=True)
class Title:
    lines: tuple[str, ...]  # the first is the document's kind ("BIÊN BẢN")
    note: str = ""  # an italic line under the title


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    label: str = ""  # bold words that open the paragraph ("Chủ trì: ")
    bold: bool = False
    italic: bool = False
    indent: bool = True  # first-line indent


@dataclass(frozen=True)
class Column:
    title: str
    width_mm: float
    centred: bool = False


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Signature:
    titles: tuple[str, ...]  # ("CHỦ TỊCH HỘI ĐỒNG",) or ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    name: str


@dataclass(frozen=True)
class Signatures:
    left: Signature
    right: Signature


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (an annexed list starts on its own page)."""


Block = Header | Title | Heading | Paragraph | Table | Signatures | PageBreak


@dataclass(frozen=True)
class Document:
    title: str  # the file's metadata title
    author: str
    created: datetime.datetime  # fixed, so that the same minutes give the same PDF bytes
    blocks: tuple[Block, ...] = field(default_factory=tuple)
