"""The submission letter (tờ trình) as an administrative document, with its list.

The unit proposes to the level above the awards of the nominations the letter carries; the
list gives each nominee's rank and position, unit, the award proposed and the achievements
in brief. Only the nominations the requesting user may read are listed.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals.documents.blocks import (
    Column,
    Document,
    Header,
    PageBreak,
    Paragraph,
    Signature,
    Signatures,
    Table,
    Title,
)
from approvals.documents.decisions import MOTTO, issuing_body
from approvals.documents.minutes import DEFAULT_PLACE, document_file, nfc, nfc_all, place_date
from approvals.models import Job, SubmissionLetter
from approvals.selectors.nominations import letters_for_user, nominations_for_user
from approvals.services.decisions import nominee_detail, nominee_unit_name

SUMMARY_CHARS = 300


def _brief(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def letter_document(letter: SubmissionLetter, nominations) -> Document:
    with translation.override("vi"):
        return _letter_document(letter, list(nominations))


def _letter_document(letter: SubmissionLetter, nominations) -> Document:
    parent, body = issuing_body(letter.unit)
    above = letter.unit.parent
    people = sum(1 for n in nominations if n.person_id)
    collectives = len(nominations) - people
    day = timezone.localtime(letter.created_at).date()
    rows = tuple(
        (
            str(line),
            n.nominee_name,
            nominee_detail(n),
            nominee_unit_name(n),
            n.award.name,
            _brief(n.achievements),
        )
        for line, n in enumerate(nominations, start=1)
    )
    blocks = (
        Header(
            issuer_parent=parent,
            issuer=body,
            number=_("Số: %(number)s") % {"number": letter.number},
            motto=(_(MOTTO[0]), _(MOTTO[1])),
            place_date=place_date(day, getattr(settings, "MINUTES_PLACE", DEFAULT_PLACE)),
        ),
        Title(lines=(_("TỜ TRÌNH"), letter.title)),
        Paragraph(
            _("Kính gửi: %(to)s.") % {"to": above.name if above else _("Hội đồng TĐKT")},
            indent=False,
            bold=True,
        ),
        Paragraph(
            _(
                "Căn cứ Luật Thi đua, khen thưởng năm 2022 và các văn bản hướng dẫn thi hành; "
                "căn cứ kết quả phong trào thi đua %(campaign)s,"
            )
            % {"campaign": letter.campaign.name},
            italic=True,
        ),
        Paragraph(
            _(
                "%(unit)s đề nghị cấp trên xem xét, trình cấp có thẩm quyền khen thưởng cho "
                "%(people)s cá nhân và %(collectives)s tập thể có tên trong danh sách kèm theo "
                "(%(total)s hồ sơ)."
            )
            % {
                "unit": letter.unit.name,
                "people": people,
                "collectives": collectives,
                "total": len(nominations),
            }
        ),
        Paragraph(_("Kính đề nghị cấp trên xem xét, quyết định.")),
        Signatures(
            left=Signature(titles=(_("Nơi nhận:"),), name=""),
            right=Signature(titles=(_("THỦ TRƯỞNG ĐƠN VỊ"),), name=""),
        ),
        PageBreak(),
        Title(
            lines=(_("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"),),
            note=_("(Kèm theo Tờ trình số %(number)s của %(unit)s)")
            % {"number": letter.number, "unit": letter.unit.name},
        ),
        Table(
            columns=(
                Column(_("TT"), 9, centred=True),
                Column(_("Họ và tên, tên tập thể"), 35),
                Column(_("Cấp bậc, chức vụ"), 30),
                Column(_("Đơn vị"), 30),
                Column(_("Hình thức đề nghị"), 25),
                Column(_("Tóm tắt thành tích"), 36),
            ),
            rows=rows,
        ),
    )
    return Document(
        title=nfc(_("Tờ trình số %(number)s") % {"number": letter.number}),
        author=nfc(letter.unit.name),
        created=letter.created_at,
        blocks=nfc_all(blocks),
    )


def letter_documents_produce(job: Job, progress):
    """Job producer: the letter with the list of what its requester may read, PDF or DOCX."""
    user = job.requested_by
    letter = (
        letters_for_user(user)
        .select_related("unit__parent")
        .filter(pk=job.params["letter"])
        .first()
    )
    if letter is None:
        raise PermissionDenied(_("Bạn không xem được tờ trình này."))
    nominations = list(
        nominations_for_user(user)
        .filter(letter=letter)
        .select_related("person__unit", "nominee_unit__parent")
        .order_by("award__sort_order", "submitting_unit__path", "nominee_name", "pk")
    )
    progress(0, len(nominations) + 1)
    document = letter_document(letter, nominations)
    safe = letter.number.replace("/", "-")
    progress(len(nominations), len(nominations) + 1)
    return document_file(document, f"to-trinh-{safe}", job.params.get("format", "pdf"))
