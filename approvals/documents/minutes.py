"""Minutes (biên bản) of a council session: built from the session, stored, filed in dossiers.

The minutes give the council, the date, the roster with who was present, absent or voted in
writing, the quorum, each nomination's agree and disagree counts against its threshold, the
opinions written on ballots (which carry no names), the chair's conclusion and the
signature blocks of the chair and the secretary.
"""

import dataclasses
import datetime
import hashlib
import unicodedata
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
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
from approvals.models import (
    AgendaItem,
    Attachment,
    Attendance,
    AttendanceStatus,
    BallotChoice,
    Choice,
    CouncilSession,
    DocumentType,
    RuleOverride,
    SessionStatus,
    VoteMark,
)
from approvals.models.catalogue import ThresholdRule
from approvals.models.councils import CouncilKind, CouncilRole
from approvals.services.audit import audit_record
from approvals.services.voting import final_items

DOCUMENT_TYPE_CODE = "bien-ban-hoi-dong"
DOCUMENT_TYPE_NAME = "Biên bản họp Hội đồng TĐKT (kết quả bỏ phiếu kín)"
DEFAULT_PLACE = "Hà Nội"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- wording -------------------------------------------------------------------------------


def place_date(day: datetime.date, place: str) -> str:
    """ "Hà Nội, ngày 05 tháng 02 năm 2026": days below 10 and months below 3 take a zero."""
    dd = f"{day.day:02d}"
    mm = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place,
        "d": dd,
        "m": mm,
        "y": day.year,
    }


def long_date(day: datetime.date) -> str:
    return _("ngày %(d)s tháng %(m)s năm %(y)s") % {"d": day.day, "m": day.month, "y": day.year}


def clock(moment: datetime.datetime | None) -> str:
    """ "08 giờ 30 ngày 26/11/2026" in local time."""
    if moment is None:
        return "…"
    local = timezone.localtime(moment)
    return _("%(h)s giờ %(min)s ngày %(date)s") % {
        "h": f"{local.hour:02d}",
        "min": f"{local.minute:02d}",
        "date": local.strftime("%d/%m/%Y"),
    }


def percent(value: Decimal) -> str:
    """50.00 → "50", 66.67 → "66,67" (Vietnamese decimal comma)."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


def threshold_wording(item: AgendaItem, members: int) -> str:
    """ "> 50% của 17 = 9 phiếu" or "≥ 90% của 17 = 16 phiếu"."""
    sign = ">" if item.threshold_rule == ThresholdRule.MORE_THAN else "≥"
    return _("%(sign)s %(percent)s%% của %(members)s = %(needed)s phiếu") % {
        "sign": sign,
        "percent": percent(item.threshold_percent),
        "members": members,
        "needed": item.required_agree,
    }


def nfc(text: str) -> str:
    # precomposed letters: what fonts draw best and what text extraction gives back
    return unicodedata.normalize("NFC", text or "")


def _nominee(item: AgendaItem) -> str:
    nomination = item.nomination
    return str(nomination.person) if nomination.person_id else nomination.nominee_name


def _nominee_unit(item: AgendaItem) -> str:
    nomination = item.nomination
    unit = nomination.person.unit if nomination.person_id else nomination.submitting_unit
    return unit.name


# --- the document --------------------------------------------------------------------------


def _body_words(council) -> dict[str, str]:
    if council.kind == CouncilKind.TEAM:
        return {
            "issuer": _("TỔ THI ĐUA, KHEN THƯỞNG"),
            "body": _("Tổ"),
            "code": "TTĐKT",
            "chair": _("TỔ TRƯỞNG"),
            "secretary": _("THƯ KÝ"),
        }
    return {
        "issuer": _("HỘI ĐỒNG THI ĐUA, KHEN THƯỞNG"),
        "body": _("Hội đồng"),
        "code": "HĐTĐKT",
        "chair": _("CHỦ TỊCH HỘI ĐỒNG"),
        "secretary": _("THƯ KÝ HỘI ĐỒNG"),
    }


def _presiding(session: CouncilSession, attendances: list[Attendance]):
    """The member who concluded the session, else the roster's chair."""
    seats = [row.membership for row in attendances]
    for membership in seats:
        user_id = membership.person.user_id
        if user_id and user_id == session.concluded_by_id:
            return membership
    return next((m for m in seats if m.role == CouncilRole.CHAIR), None)


def _secretary(session: CouncilSession, attendances: list[Attendance]):
    seats = [row.membership for row in attendances]
    found = next((m for m in seats if m.role == CouncilRole.SECRETARY), None)
    if found is None and session.created_by_id:
        found = next((m for m in seats if m.person.user_id == session.created_by_id), None)
    return found


def _chair_titles(presiding, words: dict[str, str]) -> tuple[str, ...]:
    if presiding is None or presiding.role == CouncilRole.CHAIR:
        return (words["chair"],)
    if presiding.role in (CouncilRole.STANDING_VICE_CHAIR, CouncilRole.VICE_CHAIR):
        return (_("KT. CHỦ TỊCH"), presiding.get_role_display().upper())
    return (_("CHỦ TRÌ"),)


def minutes_document(session: CouncilSession) -> Document:
    """The session's minutes as blocks, in Vietnamese (a handful of queries)."""
    with translation.override("vi"):
        return _minutes_document(session)


def _minutes_document(session: CouncilSession) -> Document:
    council = session.council
    words = _body_words(council)
    members = session.roster_size
    attendances = list(
        session.attendances.select_related("membership__person__unit").order_by(
            "membership__role_order", "membership__person__full_name", "membership_id"
        )
    )
    status_of = {row.membership_id: row.status for row in attendances}
    attendance_counts = Counter(row.status for row in attendances)
    present = attendance_counts[AttendanceStatus.PRESENT]
    written = attendance_counts[AttendanceStatus.WRITTEN]
    absent = attendance_counts[AttendanceStatus.ABSENT]
    items = list(
        session.items.select_related(
            "nomination__award",
            "nomination__person__unit",
            "nomination__submitting_unit",
        ).order_by("round", "nomination__award__sort_order", "nomination__pk")
    )
    carried = {item.nomination_id for item in items if item.round == 2}
    ballots: dict[int, Counter] = defaultdict(Counter)
    for round_, membership_id in VoteMark.objects.filter(session=session).values_list(
        "round", "membership_id"
    ):
        ballots[round_][status_of.get(membership_id, AttendanceStatus.PRESENT)] += 1
    opinions: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for item_id, choice, opinion in (
        BallotChoice.objects.filter(item__session=session)
        .exclude(opinion="")
        .values_list("item_id", "choice", "opinion")
    ):
        opinions[item_id].append((choice, opinion.strip()))
    presiding = _presiding(session, attendances)
    secretary = _secretary(session, attendances)

    blocks: list = [
        Header(
            issuer_parent=council.unit.name.upper(),
            issuer=words["issuer"],
            # the number is written in by hand when the minutes are signed
            number=_("Số:%(blank)s/BB-%(code)s") % {"blank": "\u00a0" * 12, "code": words["code"]},
            motto=(_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), _("Độc lập - Tự do - Hạnh phúc")),
            place_date=place_date(
                session.meeting_date, getattr(settings, "MINUTES_PLACE", DEFAULT_PLACE)
            ),
        ),
        Title(
            lines=(
                _("BIÊN BẢN"),
                _("Họp %(council)s") % {"council": council.name},
                _("xét, đề nghị khen thưởng (bỏ phiếu kín)"),
            ),
            note=session.title,
        ),
        Paragraph(
            label=_("Thời gian: "),
            text=_("%(date)s; bỏ phiếu từ %(opened)s đến %(closed)s.")
            % {
                "date": long_date(session.meeting_date),
                "opened": clock(session.opened_at),
                "closed": clock(session.closed_at),
            },
        ),
    ]
    if presiding is not None:
        blocks.append(
            Paragraph(
                label=_("Chủ trì: "),
                text=_("đồng chí %(name)s, %(role)s %(body)s.")
                % {
                    "name": presiding.person,
                    "role": presiding.get_role_display(),
                    "body": words["body"],
                },
            )
        )
    if secretary is not None:
        blocks.append(
            Paragraph(
                label=_("Thư ký: "),
                text=_("đồng chí %(name)s, %(role)s %(body)s.")
                % {
                    "name": secretary.person,
                    "role": secretary.get_role_display(),
                    "body": words["body"],
                },
            )
        )

    # I. the roster and the quorum
    blocks += [
        Heading(_("I. THÀNH PHẦN THAM DỰ")),
        Paragraph(
            _(
                "Tổng số thành viên %(body)s vào ngày họp: %(members)s đồng chí. Có mặt: "
                "%(present)s; vắng, bỏ phiếu bằng văn bản: %(written)s; vắng: %(absent)s."
            )
            % {
                "body": words["body"],
                "members": members,
                "present": present,
                "written": written,
                "absent": absent,
            }
        ),
        Paragraph(
            label=_("Túc số: "),
            text=_(
                "phải có ít nhất %(needed)s/%(members)s thành viên có mặt (%(num)s/%(den)s tổng "
                "số thành viên); có mặt %(present)s/%(members)s, %(verdict)s."
            )
            % {
                "needed": session.quorum_required,
                "members": members,
                "num": council.quorum_numerator,
                "den": council.quorum_denominator,
                "present": present,
                "verdict": _("đủ túc số để tiến hành bỏ phiếu")
                if present >= session.quorum_required
                else _("không đủ túc số"),
            },
        ),
        Table(
            columns=(
                Column(_("TT"), 9, centred=True),
                Column(_("Cấp bậc, họ và tên"), 50),
                Column(_("Chức vụ"), 50),
                Column(_("Chức danh trong %(body)s") % {"body": words["body"]}, 28),
                Column(_("Tham dự"), 28),
            ),
            rows=tuple(
                (
                    str(index),
                    str(row.membership.person),
                    row.membership.person.position,
                    row.membership.get_role_display(),
                    row.get_status_display(),
                )
                for index, row in enumerate(attendances, start=1)
            ),
        ),
    ]

    # II. the ballot
    blocks += [
        Heading(_("II. KẾT QUẢ BỎ PHIẾU KÍN")),
        Paragraph(
            _(
                "Hội đồng biểu quyết từng đề nghị bằng phiếu kín. Số phiếu tán thành được tính "
                "trên tổng số thành viên %(body)s (%(members)s đồng chí), không tính trên số "
                "thành viên có mặt."
            )
            % {"body": words["body"], "members": members}
        ),
    ]
    for round_ in sorted({item.round for item in items}):
        counted = ballots[round_]
        blocks.append(
            Paragraph(
                label=_("Vòng %(round)s: ") % {"round": round_},
                text=_(
                    "số phiếu phát ra %(issued)s (có mặt %(present)s, bằng văn bản "
                    "%(written)s); số phiếu thu về %(received)s (có mặt %(r_present)s, bằng "
                    "văn bản %(r_written)s)."
                )
                % {
                    "issued": present + written,
                    "present": present,
                    "written": written,
                    "received": sum(counted.values()),
                    "r_present": counted[AttendanceStatus.PRESENT],
                    "r_written": counted[AttendanceStatus.WRITTEN],
                },
            )
        )
    if council.recuse_chain_of_command:
        blocks.append(
            Paragraph(
                _(
                    "Thành viên công tác tại đơn vị đề nghị hoặc đơn vị cấp trên của đơn vị đó "
                    "không biểu quyết đề nghị của đơn vị này (cột “Không biểu quyết”)."
                ),
                italic=True,
            )
        )

    def result(item: AgendaItem) -> str:
        if item.passed:
            return _("Đạt")
        if item.round == 1 and item.nomination_id in carried:
            return _("Không đạt (bỏ phiếu lại ở vòng 2)")
        return _("Không đạt")

    blocks.append(
        Table(
            columns=(
                Column(_("TT"), 8, centred=True),
                Column(_("Danh hiệu, hình thức khen thưởng"), 25),
                Column(_("Cá nhân, tập thể được đề nghị"), 27),
                Column(_("Đơn vị"), 22),
                Column(_("Vòng"), 12, centred=True),
                Column(_("Tán thành"), 13, centred=True),
                Column(_("Không tán thành"), 14, centred=True),
                Column(_("Không biểu quyết"), 14, centred=True),
                Column(_("Ngưỡng"), 17, centred=True),
                Column(_("Kết quả"), 13, centred=True),
            ),
            rows=tuple(
                (
                    str(index),
                    item.nomination.award.name,
                    _nominee(item),
                    _nominee_unit(item),
                    str(item.round),
                    str(item.agree or 0),
                    str(item.disagree or 0),
                    str(item.recused),
                    threshold_wording(item, members),
                    result(item),
                )
                for index, item in enumerate(items, start=1)
            ),
        )
    )

    # rules the secretariat set aside for a nominee go before the council with their reasons
    overrides = list(
        RuleOverride.objects.filter(nomination_id__in={item.nomination_id for item in items})
        .select_related("rule", "nomination__award")
        .order_by("nomination_id", "created_at")
    )
    if overrides:
        blocks.append(
            Paragraph(_("Điều kiện được Cơ quan thường trực miễn áp dụng, có nêu lý do:"))
        )
        for override in overrides:
            blocks.append(
                Paragraph(
                    _("– %(nominee)s (%(award)s): %(rule)s. Lý do: %(reason)s")
                    % {
                        "nominee": override.nomination.nominee_name,
                        "award": override.nomination.award.name,
                        "rule": override.rule.description,
                        "reason": override.reason,
                    }
                )
            )

    # III. the opinions written on ballots: ballots carry no names, nor do the minutes
    blocks += [
        Heading(_("III. Ý KIẾN GHI TRÊN PHIẾU BIỂU QUYẾT")),
        Paragraph(_("(Ý kiến của thành viên ghi trên phiếu kín, không ghi tên.)"), italic=True),
    ]
    choice_words = {
        Choice.AGREE: _("Phiếu tán thành"),
        Choice.DISAGREE: _("Phiếu không tán thành"),
    }
    written_items = [item for item in items if opinions.get(item.pk)]
    for item in written_items:
        blocks.append(
            Paragraph(
                label=_("%(nominee)s — %(award)s (vòng %(round)s):")
                % {
                    "nominee": _nominee(item),
                    "award": item.nomination.award.name,
                    "round": item.round,
                },
                text="",
            )
        )
        for choice, text in sorted(opinions[item.pk]):
            blocks.append(
                Paragraph(
                    _("– %(kind)s: “%(text)s”")
                    % {"kind": choice_words.get(choice, choice), "text": text}
                )
            )
    if not written_items:
        blocks.append(Paragraph(_("Không có ý kiến ghi trên phiếu.")))

    # IV. the conclusion
    final = [item for item in items if item.round == 2 or item.nomination_id not in carried]
    passed = [item for item in final if item.passed]
    failed = [item for item in final if not item.passed]
    blocks += [
        Heading(_("IV. KẾT LUẬN CỦA CHỦ TỊCH HỘI ĐỒNG")),
        Paragraph(
            _(
                "Căn cứ kết quả bỏ phiếu kín, %(passed)s/%(total)s đề nghị đạt số phiếu tán "
                "thành theo quy định, %(failed)s đề nghị không đạt."
            )
            % {"passed": len(passed), "total": len(final), "failed": len(failed)}
        ),
    ]
    if passed:
        blocks.append(
            Paragraph(
                label=_("Đạt: "),
                text="; ".join(f"{_nominee(i)} ({i.nomination.award.name})" for i in passed) + ".",
            )
        )
    if failed:
        blocks.append(
            Paragraph(
                label=_("Không đạt: "),
                text="; ".join(f"{_nominee(i)} ({i.nomination.award.name})" for i in failed) + ".",
            )
        )
    conclusion = [part.strip() for part in session.conclusion.split("\n\n") if part.strip()]
    if conclusion:
        blocks.append(Paragraph(label=_("Ý kiến kết luận: "), text=conclusion[0]))
        blocks += [Paragraph(part) for part in conclusion[1:]]
    else:
        blocks.append(
            Paragraph(_("Chủ tịch Hội đồng kết luận thống nhất với kết quả bỏ phiếu kín."))
        )
    if passed:
        blocks.append(
            Paragraph(
                _(
                    "%(body)s đề nghị cấp có thẩm quyền xem xét, quyết định khen thưởng đối với "
                    "các đề nghị đạt."
                )
                % {"body": words["body"]}
            )
        )
    blocks += [
        Paragraph(
            _(
                "Biên bản kết thúc lúc %(at)s, đã được thông qua trước %(body)s và được lưu "
                "cùng hồ sơ của từng đề nghị."
            )
            % {"at": clock(session.concluded_at), "body": words["body"]}
        ),
        Signatures(
            left=Signature(
                titles=(words["secretary"],),
                name=str(secretary.person) if secretary else "",
            ),
            right=Signature(
                titles=_chair_titles(presiding, words),
                name=str(presiding.person) if presiding else "",
            ),
        ),
    ]
    return Document(
        title=nfc(
            _("Biên bản họp %(council)s — %(title)s")
            % {"council": council.name, "title": session.title}
        ),
        author=nfc(council.name),
        created=session.concluded_at or session.closed_at or timezone.now(),
        blocks=nfc_all(tuple(blocks)),
    )


def nfc_all(value):
    """The value with every string in it, in tuples and blocks too, in NFC."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, tuple):
        return tuple(nfc_all(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: nfc_all(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    return value


# --- files and the service -----------------------------------------------------------------


def document_render(document: Document) -> tuple[bytes, bytes]:
    """A document as (DOCX, PDF) bytes; the same document gives the same PDF."""
    from approvals.documents.render_docx import render_docx
    from approvals.documents.render_pdf import render_pdf

    return render_docx(document), render_pdf(document)


def document_file(document: Document, base_name: str, file_format: str):
    """The document as the file a job hands its requester: `base_name`.docx or .pdf."""
    from approvals.documents.render_docx import render_docx
    from approvals.documents.render_pdf import render_pdf
    from approvals.services.jobs import JobFile

    if file_format == "docx":
        return JobFile(f"{base_name}.docx", render_docx(document), DOCX)
    return JobFile(f"{base_name}.pdf", render_pdf(document), PDF)


def stored_files(storage_name) -> dict[str, str]:
    """The stored files by extension ("pdf", "docx") among `storage_name(extension)`."""
    names = {ext: storage_name(ext) for ext in ("pdf", "docx")}
    return {ext: name for ext, name in names.items() if default_storage.exists(name)}


def minutes_render(session: CouncilSession) -> tuple[bytes, bytes]:
    """The session's minutes as (DOCX, PDF) bytes; the same session gives the same PDF."""
    return document_render(minutes_document(session))


def minutes_file_name(session: CouncilSession, extension: str) -> str:
    """The file name users see and download ("bien-ban-hoi-dong-phien-12.pdf")."""
    return f"bien-ban-hoi-dong-phien-{session.pk}.{extension}"


def minutes_storage_name(session: CouncilSession, extension: str) -> str:
    """Where the session's minutes file lives in the default storage (private media)."""
    return f"private/minutes/{session.pk}/{minutes_file_name(session, extension)}"


def minutes_files(session: CouncilSession) -> dict[str, str]:
    """The session's stored minutes files by extension ("pdf", "docx"), if generated."""
    return stored_files(lambda ext: minutes_storage_name(session, ext))


def store_file(name: str, content: bytes) -> None:
    """Write the file under its known name, replacing an earlier one (the caller locks)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))


def dossier_file(
    *, nomination, document_type: DocumentType, original_name: str, pdf_bytes: bytes, audit_data
) -> bool:
    """File a generated PDF in a nomination's dossier, once; True if a document was added.

    The same PDF (by SHA-256) under the same name adds nothing; a changed one becomes a new
    version of that dossier document, the earlier one kept. Call inside a transaction.
    Side effects: adds the attachment (uploaded by nobody: the system); writes an audit event.
    """
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    current = (
        Attachment.objects.select_for_update()
        .filter(
            nomination=nomination,
            document_type=document_type,
            original_name=original_name,
            is_current=True,
        )
        .first()
    )
    if current is not None and current.sha256 == digest:
        return False
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    attachment = Attachment(
        nomination=nomination,
        document_type=document_type,
        original_name=original_name,
        content_type=PDF,
        size=len(pdf_bytes),
        sha256=digest,
        uploaded_by=None,
        replaces=current,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf_bytes), save=False)
    attachment.save()
    audit_record(
        actor=None,
        verb="attachment.add",
        obj=nomination,
        data={
            "attachment": attachment.pk,
            "name": original_name,
            "sha256": digest,
            **audit_data,
        },
    )
    return True


@transaction.atomic
def minutes_generate(*, session: CouncilSession) -> int:
    """Write a concluded session's minutes and file them with each nomination it voted on.

    Safe to run again. Side effects: locks the session; replaces the session's DOCX and PDF
    under MEDIA_ROOT/private/minutes/<session>/; adds the PDF to the dossier of every
    nomination of the session's final round, as a "bien-ban-hoi-dong" document, once (a run
    that yields the same PDF adds nothing; a changed PDF becomes a new version); writes
    audit events. Returns how many dossier documents it added.
    """
    session = (
        CouncilSession.objects.select_for_update(of=("self",))
        .select_related("council__unit")
        .get(pk=session.pk)
    )
    if session.status != SessionStatus.CONCLUDED:
        raise ValidationError(_("Chỉ lập biên bản sau khi Chủ tịch Hội đồng đã kết luận."))
    docx_bytes, pdf_bytes = minutes_render(session)
    store_file(minutes_storage_name(session, "docx"), docx_bytes)
    store_file(minutes_storage_name(session, "pdf"), pdf_bytes)
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    document_type, _created = DocumentType.objects.get_or_create(
        code=DOCUMENT_TYPE_CODE, defaults={"name": DOCUMENT_TYPE_NAME}
    )
    original_name = minutes_file_name(session, "pdf")
    added = 0
    for item in final_items(session).select_related("nomination").order_by("nomination_id"):
        added += dossier_file(
            nomination=item.nomination,
            document_type=document_type,
            original_name=original_name,
            pdf_bytes=pdf_bytes,
            audit_data={"session": session.pk},
        )
    audit_record(
        actor=None,
        verb="session.minutes",
        obj=session,
        data={"sha256": digest, "attached": added},
    )
    return added
