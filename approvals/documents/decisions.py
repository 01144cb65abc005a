"""The decision (quyết định) as an administrative document, with its annexed list.

Layout after Decree 30/2020/NĐ-CP: the issuing body and the number, the motto, place and
date; "QUYẾT ĐỊNH" and the summary; the issuer's authority in capitals; the grounds, one per
line in italics; "QUYẾT ĐỊNH:"; the articles; the recipients and the signature; then, on a
new page, the annexed list of who is awarded (or, for an amending decision, what changes).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
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
from approvals.documents.minutes import (
    DEFAULT_PLACE,
    document_file,
    long_date,
    nfc,
    nfc_all,
    place_date,
)
from approvals.models import Decision, DecisionKind, EntryAction, Job
from approvals.selectors.decisions import reads_whole_decision
from approvals.selectors.scope import scope_for

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def issuing_body(unit) -> tuple[str, str]:
    """(the body above, the issuing body) in capitals: ("BỘ QUỐC PHÒNG", "QUÂN KHU 1")."""
    parent = unit.parent
    return (parent.name.upper() if parent else "", unit.name.upper())


def _entry_columns() -> tuple[Column, ...]:
    return (
        Column(_("TT"), 10, centred=True),
        Column(_("Họ và tên, tên tập thể"), 45),
        Column(_("Cấp bậc, chức vụ"), 40),
        Column(_("Đơn vị"), 40),
        Column(_("Hình thức"), 30),
    )


def _award_phrase(entries) -> str:
    awards = sorted({(e.award.sort_order, e.award.name) for e in entries})
    return ", ".join(name for _order, name in awards)


def _articles(decision: Decision, entries) -> list[Paragraph]:
    people = sum(1 for e in entries if e.person_id)
    collectives = len(entries) - people
    counted = []
    if people:
        counted.append(_("%(n)s cá nhân") % {"n": people})
    if collectives:
        counted.append(_("%(n)s tập thể") % {"n": collectives})
    subjects = _(" và ").join(counted)
    if decision.kind == DecisionKind.AWARD:
        first = _(
            "Tặng %(awards)s cho %(subjects)s có tên trong danh sách kèm theo Quyết định này, "
            "đã có thành tích xuất sắc trong phong trào thi đua quyết thắng."
        ) % {"awards": _award_phrase(entries), "subjects": subjects}
    elif decision.kind == DecisionKind.AMEND:
        first = _(
            "Sửa đổi nội dung khen thưởng của %(subjects)s tại Quyết định số %(number)s ngày "
            "%(date)s, như danh sách kèm theo Quyết định này. Lý do: %(reason)s"
        ) % {
            "subjects": subjects,
            "number": decision.target.number,
            "date": decision.target.signed_on.strftime("%d/%m/%Y"),
            "reason": decision.reason,
        }
    else:
        first = _(
            "Hủy bỏ khen thưởng đối với %(subjects)s tại Quyết định số %(number)s ngày "
            "%(date)s, có tên trong danh sách kèm theo Quyết định này. Lý do: %(reason)s"
        ) % {
            "subjects": subjects,
            "number": decision.target.number,
            "date": decision.target.signed_on.strftime("%d/%m/%Y"),
            "reason": decision.reason,
        }
    return [
        Paragraph(first, label=_("Điều 1. ")),
        Paragraph(_("Quyết định có hiệu lực kể từ ngày ký."), label=_("Điều 2. ")),
        Paragraph(
            _(
                "Thủ trưởng cơ quan thường trực thi đua, khen thưởng, thủ trưởng các cơ quan, "
                "đơn vị và cá nhân, tập thể có tên tại Điều 1 chịu trách nhiệm thi hành Quyết "
                "định này."
            ),
            label=_("Điều 3. "),
        ),
    ]


def _row(entry) -> tuple[str, ...]:
    if entry.action == EntryAction.REVOKE:
        form = _("Hủy bỏ: %(award)s") % {"award": entry.award.name}
    else:
        form = entry.award.name
    return (str(entry.line), entry.nominee_name, entry.nominee_detail, entry.unit_name, form)


def decision_document(decision: Decision, entries, progress=None) -> Document:
    """The decision and its annexed list as blocks, in Vietnamese."""
    with translation.override("vi"):
        return _decision_document(decision, list(entries), progress)


def _decision_document(decision: Decision, entries, progress) -> Document:
    parent, body = issuing_body(decision.authority)
    place = getattr(settings, "MINUTES_PLACE", DEFAULT_PLACE)
    blocks = [
        Header(
            issuer_parent=parent,
            issuer=body,
            number=_("Số: %(number)s") % {"number": decision.number},
            motto=(_(MOTTO[0]), _(MOTTO[1])),
            place_date=place_date(decision.signed_on, place),
        ),
        Title(lines=(_("QUYẾT ĐỊNH"), decision.title)),
        Title(lines=(decision.issuer_title.upper(),)),
        *(
            Paragraph(line.strip(), italic=True)
            for line in decision.grounds.splitlines()
            if line.strip()
        ),
        Title(lines=(_("QUYẾT ĐỊNH:"),)),
        *_articles(decision, entries),
        Signatures(
            left=Signature(titles=(_("Nơi nhận:"),), name=""),
            right=Signature(titles=(decision.signer_title.upper(),), name=decision.signer_name),
        ),
        Paragraph(_("- Như Điều 3;"), indent=False),
        Paragraph(_("- Lưu: VT, TĐKT."), indent=False),
        PageBreak(),
        Title(
            lines=(_("DANH SÁCH"),),
            note=_("(Kèm theo Quyết định số %(number)s %(date)s của %(issuer)s)")
            % {
                "number": decision.number,
                "date": long_date(decision.signed_on),
                "issuer": decision.issuer_title,
            },
        ),
    ]
    rows = []
    for count, entry in enumerate(entries, start=1):
        rows.append(_row(entry))
        if progress and count % 200 == 0:
            progress(count, len(entries) + 1)
    blocks.append(Table(columns=_entry_columns(), rows=tuple(rows)))
    blocks.append(
        Paragraph(
            _("Danh sách có %(n)s người, tập thể.") % {"n": len(entries)}, italic=True, indent=False
        )
    )
    return Document(
        title=nfc(_("Quyết định số %(number)s") % {"number": decision.number}),
        author=nfc(decision.authority.name),
        created=decision.issued_at,
        blocks=nfc_all(tuple(blocks)),
    )


def decision_base_name(decision: Decision, prefix: str = "quyet-dinh") -> str:
    """ "quyet-dinh-129A-QD-BQP-2026": the decision's files without their extension."""
    safe = decision.number.replace("/", "-").replace("Đ", "D")
    return f"{prefix}-{safe}-{decision.year}"


def decision_for_job(job: Job) -> Decision:
    """The job's decision, if its requester may still read the whole decision."""
    decision = Decision.objects.select_related("authority__parent", "target").get(
        pk=job.params["decision"]
    )
    if not reads_whole_decision(scope_for(job.requested_by), decision):
        raise PermissionDenied(_("Bạn không xem được toàn văn quyết định này."))
    return decision


def decision_documents_produce(job: Job, progress):
    """Job producer: the decision with its list, as PDF or DOCX (job.params["format"])."""
    decision = decision_for_job(job)
    entries = decision.entries.select_related("award").order_by("line")
    total = entries.count() + 1
    progress(0, total)
    document = decision_document(decision, entries, progress)
    progress(total - 1, total)
    return document_file(document, decision_base_name(decision), job.params.get("format", "pdf"))
