"""The achievement report (báo cáo thành tích) of a nomination, as a draft to complete.

Laid out after the report templates of Decree 152/2025/NĐ-CP, one for an individual and one
for a collective: the unit and the motto; "BÁO CÁO THÀNH TÍCH" and the award proposed; a
short biography (or the unit's particulars); the achievements, opening with what the
nomination says and followed by prompts in brackets for what the officer must add; the
awards already held, from the registry (valid records only); the signature blocks. The
officer downloads it as DOCX, completes it and uploads it back into the dossier.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals.documents.blocks import (
    Column,
    Document,
    Header,
    Heading,
    Paragraph,
    Signature,
    Signatures,
    Table,
    Title,
)
from approvals.documents.decisions import MOTTO, issuing_body
from approvals.documents.minutes import document_file, nfc, nfc_all
from approvals.models import Job, Nomination
from approvals.selectors.nominations import nominations_for_user
from approvals.selectors.registry import award_history


def _header(unit) -> Header:
    parent, body = issuing_body(unit)
    # the unit's own place, and the day it is signed, are the officer's to write
    year = timezone.localdate().year
    return Header(
        issuer_parent=parent,
        issuer=body,
        number="",
        motto=(_(MOTTO[0]), _(MOTTO[1])),
        place_date=_("[Địa danh], ngày      tháng      năm %(year)s") % {"year": year},
    )


def _title(nomination: Nomination) -> Title:
    return Title(
        lines=(
            _("BÁO CÁO THÀNH TÍCH"),
            _("Đề nghị tặng %(award)s") % {"award": nomination.award.name},
        )
    )


def _field(label: str, value: str) -> Paragraph:
    return Paragraph(value or _("[…]"), label=f"{label}: ", indent=False)


def _achievements(nomination: Nomination, prompts: list[tuple[str, str]]) -> list:
    """What the nomination says, then one numbered prompt per part the officer completes."""
    blocks: list = [
        Paragraph(line.strip()) for line in nomination.achievements.splitlines() if line.strip()
    ]
    for number, (label, prompt) in enumerate(prompts, start=1):
        blocks.append(Paragraph(prompt, label=f"{number}. {label}: ", indent=False))
    return blocks


def _awards_held(history) -> list:
    """The holder's valid registry records as a table, newest first."""
    if not history.valid:
        return [
            Paragraph(_("Chưa có hình thức khen thưởng nào trong sổ khen thưởng.")),
            Paragraph(_("[Bổ sung các hình thức khen thưởng chưa được ghi sổ, nếu có.]")),
        ]
    rows = tuple(
        (
            str(line),
            str(record.year),
            record.award.name,
            _("Số %(number)s ngày %(date)s")
            % {
                "number": record.decision_number or "…",
                "date": record.decision_date.strftime("%d/%m/%Y"),
            },
            record.authority,
        )
        for line, record in enumerate(history.valid, start=1)
    )
    return [
        Table(
            columns=(
                Column(_("TT"), 10, centred=True),
                Column(_("Năm"), 15, centred=True),
                Column(_("Hình thức khen thưởng"), 55),
                Column(_("Số, ngày quyết định"), 45),
                Column(_("Cơ quan ban hành"), 40),
            ),
            rows=rows,
        )
    ]


def _individual(nomination: Nomination) -> list:
    person = nomination.person
    unit = person.unit
    return [
        _header(unit),
        _title(nomination),
        Heading(_("I. SƠ LƯỢC LÝ LỊCH")),
        _field(_("Họ và tên"), person.full_name),
        _field(_("Sinh ngày"), person.birth_date.strftime("%d/%m/%Y")),
        _field(_("Giới tính"), person.get_gender_display()),
        _field(_("Cấp bậc"), person.get_rank_display() if person.rank else ""),
        _field(_("Chức vụ"), person.position),
        _field(_("Đơn vị"), unit.name),
        _field(_("Ngày nhập ngũ / tuyển dụng"), person.enlistment_date.strftime("%d/%m/%Y")),
        _field(_("Quê quán"), _("[…]")),
        _field(_("Trình độ chuyên môn, nghiệp vụ"), _("[…]")),
        Heading(_("II. THÀNH TÍCH ĐẠT ĐƯỢC")),
        *_achievements(
            nomination,
            [
                (
                    _("Chức trách, nhiệm vụ được giao"),
                    _("[Nêu chức trách, nhiệm vụ được giao trong thời gian đề nghị khen thưởng.]"),
                ),
                (
                    _("Kết quả thực hiện nhiệm vụ"),
                    _(
                        "[Nêu kết quả đạt được, có số liệu cụ thể; kết quả phân loại đảng viên, "
                        "phân loại cán bộ các năm.]"
                    ),
                ),
                (
                    _("Sáng kiến, đề tài, giải pháp"),
                    _(
                        "[Nêu sáng kiến, đề tài, giải pháp đã được cấp có thẩm quyền công nhận: "
                        "tên, số quyết định, phạm vi áp dụng, hiệu quả.]"
                    ),
                ),
            ],
        ),
        Heading(_("III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG")),
        *_awards_held(award_history(person=person)),
        Signatures(
            left=Signature(titles=(_("XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ"),), name=""),
            right=Signature(titles=(_("NGƯỜI BÁO CÁO"),), name=person.full_name),
        ),
    ]


def _collective(nomination: Nomination) -> list:
    unit = nomination.nominee_unit
    return [
        _header(unit),
        _title(nomination),
        Heading(_("I. ĐẶC ĐIỂM, TÌNH HÌNH")),
        _field(_("Tên đơn vị"), unit.name),
        _field(_("Đơn vị cấp trên"), unit.parent.name if unit.parent else ""),
        _field(_("Quân số"), str(unit.strength) if unit.strength else ""),
        _field(_("Chức năng, nhiệm vụ"), _("[Nêu chức năng, nhiệm vụ được giao.]")),
        _field(
            _("Tổ chức, biên chế"),
            _("[Nêu cơ cấu tổ chức, tổ chức đảng, đoàn thể; tỷ lệ nữ nếu có.]"),
        ),
        Heading(_("II. THÀNH TÍCH ĐẠT ĐƯỢC")),
        *_achievements(
            nomination,
            [
                (
                    _("Kết quả thực hiện nhiệm vụ"),
                    _(
                        "[Nêu kết quả thực hiện nhiệm vụ chính trị, huấn luyện, sẵn sàng chiến "
                        "đấu, có số liệu cụ thể.]"
                    ),
                ),
                (
                    _("Phong trào thi đua"),
                    _("[Nêu các phong trào thi đua đã tổ chức và kết quả.]"),
                ),
                (
                    _("Xây dựng tổ chức đảng, đơn vị"),
                    _(
                        "[Nêu kết quả xây dựng tổ chức đảng, đơn vị vững mạnh toàn diện; sáng "
                        "kiến, giải pháp được công nhận.]"
                    ),
                ),
            ],
        ),
        Heading(_("III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG")),
        *_awards_held(award_history(unit=unit)),
        Signatures(
            left=Signature(titles=(_("XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG"),), name=""),
            right=Signature(titles=(_("THỦ TRƯỞNG ĐƠN VỊ"),), name=""),
        ),
    ]


def achievement_document(nomination: Nomination) -> Document:
    """The report for the nomination's person or unit, in Vietnamese."""
    with translation.override("vi"):
        blocks = _individual(nomination) if nomination.person_id else _collective(nomination)
        title = _("Báo cáo thành tích: %(name)s") % {"name": nomination.nominee_name}
    return Document(
        title=nfc(title),
        author=nfc(nomination.submitting_unit.name),
        created=nomination.created_at,
        blocks=nfc_all(tuple(blocks)),
    )


def nomination_for_job(job: Job) -> Nomination:
    """The job's nomination, if its requester may still read it."""
    nomination = (
        nominations_for_user(job.requested_by)
        .select_related("person__unit__parent", "nominee_unit__parent")
        .filter(pk=job.params["nomination"])
        .first()
    )
    if nomination is None:
        raise PermissionDenied(_("Bạn không xem được đề nghị này."))
    return nomination


def achievement_report_produce(job: Job, progress):
    """Job producer: the achievement report draft, as DOCX (or PDF on job.params["format"])."""
    progress(0, 1)
    nomination = nomination_for_job(job)
    document = achievement_document(nomination)
    name = f"bao-cao-thanh-tich-{nomination.pk}"
    return document_file(document, name, job.params.get("format", "docx"))
