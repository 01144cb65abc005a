"""Minutes (biên bản họp bình xét, suy tôn) of a bloc's year-end review: built from the review,
stored, filed in the dossier of each nomination the result was delivered to.

The minutes give the bloc, the year, the leader unit, the meeting date, the delegate of each
member unit, the criteria with their weights, each unit's average weighted score, each round
of the secret acclamation with the votes per unit (never who voted for whom: the ballot
tables hold no names, see docs/ballot-secrecy.md), how a tie was resolved (another round, or
the leader's decision recorded as the leader's, not as votes), the units proposed within
the quota and the signature blocks of the leader unit's representative and the bloc's
officer. The layout pieces and the two renderers are the council minutes' own
(approvals/documents/blocks.py, render_docx.py, render_pdf.py).
"""

import hashlib
import re
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
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
from approvals.documents.minutes import (
    DEFAULT_PLACE,
    clock,
    document_render,
    dossier_file,
    long_date,
    nfc,
    nfc_all,
    percent,
    place_date,
    store_file,
    stored_files,
)
from approvals.models import (
    AcclaimMark,
    AcclaimResult,
    BlocReview,
    BlocScore,
    DocumentType,
    ReviewStatus,
    TieRule,
)
from approvals.services import bloc_reviews as services
from approvals.services.audit import audit_record

DOCUMENT_TYPE_CODE = "ket-qua-suy-ton"
DOCUMENT_TYPE_NAME = "Biên bản bình xét, suy tôn của khối thi đua"


# --- wording -------------------------------------------------------------------------------


def score_text(value: Decimal | None) -> str:
    """8 → "8,00"; None → "—" (a unit nobody scored)."""
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}".replace(".", ",")


def user_name(user) -> str:
    """The user's rank and name from their personnel record, else their account's name."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    if person is not None:
        return str(person)
    return user.get_full_name() or user.username


def _bloc_short_name(name: str) -> str:
    """ "Khối thi đua số 2 (các quân khu …)" → "Khối thi đua số 2", for the header."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name) or name


def _units_text(results) -> str:
    return ", ".join(result.unit.name for result in results)


def has_result(review: BlocReview) -> bool:
    """Whether the review's result is settled: the acclamation closed and no tie pending."""
    return review.status == ReviewStatus.SUBMITTED or (
        review.status == ReviewStatus.CLOSED and not services.tie_pending(review)
    )


# --- the document --------------------------------------------------------------------------


def bloc_minutes_document(review: BlocReview) -> Document:
    """The review's minutes as blocks, in Vietnamese (a handful of queries)."""
    with translation.override("vi"):
        return _bloc_minutes_document(review)


def _bloc_minutes_document(review: BlocReview) -> Document:
    bloc = review.bloc
    leadership = bloc.leadership_in(review.year)
    leader = leadership.leader if leadership else None
    bloc_name = _bloc_short_name(bloc.name)
    delegates = list(
        review.delegates.select_related("unit", "user__person").order_by(
            "unit__sort_order", "unit__path"
        )
    )
    delegate_count = len(delegates)
    members = services.member_units(review)
    criteria = services.criteria_of(review)
    averages = services.weighted_scores(review)
    scorers: dict[int, set[int]] = defaultdict(set)
    for delegate_id, unit_id in BlocScore.objects.filter(review=review).values_list(
        "delegate_id", "unit_id"
    ):
        scorers[unit_id].add(delegate_id)
    scored_by = {delegate_id for ids in scorers.values() for delegate_id in ids}
    results = list(
        AcclaimResult.objects.filter(review=review)
        .select_related("unit")
        .order_by("round", "-votes", "unit__sort_order", "unit__path")
    )
    rounds: dict[int, list[AcclaimResult]] = defaultdict(list)
    for result in results:
        rounds[result.round].append(result)
    received = dict(
        AcclaimMark.objects.filter(review=review)
        .values("round")
        .annotate(n=Count("pk"))
        .values_list("round", "n")
    )
    proposed = [result for result in services.final_results(review) if result.proposed]
    officer = review.submitted_by or review.created_by
    place = getattr(settings, "MINUTES_PLACE", DEFAULT_PLACE)

    if leader is not None:
        issuer_parent, issuer = bloc_name.upper(), leader.name.upper()
    else:
        issuer_parent, issuer = bloc.organiser.name.upper(), bloc_name.upper()
    blocks: list = [
        Header(
            issuer_parent=issuer_parent,
            issuer=issuer,
            # the number is written in by hand when the minutes are signed
            number=_("Số:%(blank)s/BB-KTĐ") % {"blank": "\u00a0" * 12},
            motto=(_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), _("Độc lập - Tự do - Hạnh phúc")),
            place_date=place_date(review.meeting_date, place),
        ),
        Title(
            lines=(
                _("BIÊN BẢN HỌP BÌNH XÉT, SUY TÔN"),
                _("đề nghị tặng %(award)s năm %(year)s")
                % {"award": review.award.name, "year": review.year},
            ),
            note=review.title,
        ),
        Paragraph(label=_("Thời gian: "), text=long_date(review.meeting_date) + "."),
        Paragraph(label=_("Khối thi đua: "), text=bloc.name + "."),
        Paragraph(
            label=_("Năm bình xét: "),
            text=_("%(year)s; đơn vị khối trưởng: %(leader)s.")
            % {"year": review.year, "leader": leader.name if leader else _("chưa xác định")},
        ),
        Paragraph(
            label=_("Quy chế của khối: "),
            text=_(
                "suy tôn %(quota)s đơn vị; đại biểu %(own)s chấm điểm, bỏ phiếu cho đơn vị "
                "mình; khi bằng phiếu tại ngưỡng suy tôn: %(tie)s."
            )
            % {
                "quota": review.quota,
                "own": _("được") if review.own_unit_vote_allowed else _("không được"),
                "tie": review.get_tie_rule_display().lower(),
            },
        ),
    ]
    if officer is not None:
        blocks.append(
            Paragraph(
                label=_("Thư ký: "),
                text=_("đồng chí %(name)s, cán bộ thi đua của khối.")
                % {"name": user_name(officer)},
            )
        )

    # I. the delegates
    blocks += [
        Heading(_("I. THÀNH PHẦN THAM DỰ")),
        Paragraph(
            _(
                "Khối có %(members)s đơn vị thành viên trong năm %(year)s; có mặt đại biểu "
                "của %(present)s đơn vị, mỗi đơn vị một đại biểu:"
            )
            % {"members": len(members), "year": review.year, "present": delegate_count}
        ),
        Table(
            columns=(
                Column(_("TT"), 9, centred=True),
                Column(_("Đơn vị"), 70),
                Column(_("Đại biểu"), 60),
                Column(_("Chấm điểm"), 26, centred=True),
            ),
            rows=tuple(
                (
                    str(index),
                    delegate.unit.name,
                    user_name(delegate.user),
                    _("Có") if delegate.pk in scored_by else _("Không"),
                )
                for index, delegate in enumerate(delegates, start=1)
            ),
        ),
    ]

    # II. the scoring
    blocks += [
        Heading(_("II. CHẤM ĐIỂM THEO TIÊU CHÍ CỦA KHỐI")),
        Paragraph(
            _(
                "Các đại biểu chấm điểm công khai từng đơn vị theo các tiêu chí sau. Điểm của "
                "mỗi đại biểu cho một đơn vị là tổng (hệ số × điểm) chia cho tổng hệ số; điểm "
                "bình quân của đơn vị là trung bình cộng điểm của các đại biểu đã chấm."
            )
        ),
        Table(
            columns=(
                Column(_("TT"), 9, centred=True),
                Column(_("Tiêu chí"), 110),
                Column(_("Hệ số"), 23, centred=True),
                Column(_("Điểm tối đa"), 23, centred=True),
            ),
            rows=tuple(
                (str(index), c.name, percent(c.weight), percent(c.max_score))
                for index, c in enumerate(criteria, start=1)
            ),
        ),
        Paragraph(_("Kết quả điểm bình quân có hệ số của các đơn vị:")),
        Table(
            columns=(
                Column(_("TT"), 9, centred=True),
                Column(_("Đơn vị"), 96),
                Column(_("Số đại biểu chấm"), 30, centred=True),
                Column(_("Điểm bình quân"), 30, centred=True),
            ),
            rows=tuple(
                (
                    str(index),
                    unit.name,
                    str(len(scorers.get(unit.pk, ()))),
                    score_text(averages.get(unit.pk)),
                )
                for index, unit in enumerate(members, start=1)
            ),
        ),
    ]

    # III. the secret acclamation, round by round, with no names
    blocks += [
        Heading(_("III. KẾT QUẢ BỎ PHIẾU SUY TÔN (BỎ PHIẾU KÍN)")),
        Paragraph(
            _(
                "Mỗi đại biểu bỏ một phiếu kín, chọn tối đa số đơn vị còn được suy tôn. Phiếu "
                "không ghi tên người bỏ phiếu; số phiếu của mỗi đơn vị được tính trên tổng số "
                "%(delegates)s đại biểu."
            )
            % {"delegates": delegate_count}
        ),
    ]
    for round_, round_results in sorted(rounds.items()):
        blocks.append(
            Paragraph(
                label=_("Vòng %(round)s: ") % {"round": round_},
                text=_("số phiếu phát ra %(issued)s; số phiếu thu về %(received)s.")
                % {"issued": delegate_count, "received": received.get(round_, 0)},
            )
        )
        blocks.append(
            Table(
                columns=(
                    Column(_("TT"), 9, centred=True),
                    Column(_("Đơn vị"), 86),
                    Column(_("Số phiếu"), 30, centred=True),
                    Column(_("Kết quả"), 40),
                ),
                rows=tuple(
                    (
                        str(index),
                        result.unit.name,
                        f"{result.votes}/{delegate_count}",
                        _round_outcome(result),
                    )
                    for index, result in enumerate(round_results, start=1)
                ),
            )
        )

    # IV. ties
    tied_rounds = [
        (round_, [r for r in round_results if r.tied])
        for round_, round_results in sorted(rounds.items())
        if any(r.tied for r in round_results)
    ]
    blocks.append(Heading(_("IV. XỬ LÝ TRƯỜNG HỢP BẰNG PHIẾU")))
    if not tied_rounds:
        blocks.append(Paragraph(_("Không có trường hợp bằng phiếu tại ngưỡng suy tôn.")))
    last_round = max(rounds, default=0)
    for round_, tied in tied_rounds:
        tie = _("Vòng %(round)s: %(units)s bằng nhau %(votes)s phiếu tại ngưỡng suy tôn") % {
            "round": round_,
            "units": _units_text(tied),
            "votes": tied[0].votes,
        }
        if round_ < last_round:
            blocks.append(
                Paragraph(
                    tie
                    + _("; theo quy chế của khối, bỏ phiếu lại giữa các đơn vị này ở vòng %(n)s.")
                    % {"n": round_ + 1}
                )
            )
            continue
        reason = (
            _("theo quy chế của khối")
            if review.tie_rule == TieRule.LEADER_DECIDES
            else _("sau %(n)s vòng bỏ phiếu vẫn bằng phiếu") % {"n": round_}
        )
        blocks.append(
            Paragraph(tie + _("; %(reason)s, khối trưởng quyết định.") % {"reason": reason})
        )
    if review.leader_decision:
        chosen = [r for r in proposed if r.tied and r.round == last_round]
        blocks += [
            Paragraph(
                label=_("Quyết định của khối trưởng: "),
                text=_("%(leader)s quyết định suy tôn %(units)s.")
                % {
                    "leader": leader.name if leader else _("Khối trưởng"),
                    "units": _units_text(chosen) or "—",
                },
            ),
            Paragraph(label=_("Nội dung quyết định: "), text=f"“{review.leader_decision}”"),
            Paragraph(
                _(
                    "Người quyết định: đồng chí %(name)s, lúc %(at)s. Đây là quyết định của "
                    "khối trưởng, không phải kết quả bỏ phiếu; số phiếu của các đơn vị giữ "
                    "nguyên như trên."
                )
                % {"name": user_name(review.decided_by), "at": clock(review.decided_at)},
                italic=True,
            ),
        ]

    # V. the result
    blocks += [
        Heading(_("V. KẾT QUẢ BÌNH XÉT, SUY TÔN")),
        Paragraph(
            _(
                "Căn cứ kết quả chấm điểm và bỏ phiếu suy tôn, hội nghị thống nhất suy tôn "
                "%(n)s/%(quota)s đơn vị, đề nghị cấp có thẩm quyền xét tặng %(award)s năm "
                "%(year)s:"
            )
            % {
                "n": len(proposed),
                "quota": review.quota,
                "award": review.award.name,
                "year": review.year,
            }
            if proposed
            else _("Không có đơn vị nào được suy tôn.")
        ),
    ]
    for index, result in enumerate(proposed, start=1):
        how = (
            _("khối trưởng quyết định khi bằng phiếu")
            if result.tied and review.leader_decision
            else _("theo kết quả bỏ phiếu")
        )
        blocks.append(
            Paragraph(
                _(
                    "%(i)s. %(unit)s: %(votes)s/%(delegates)s phiếu (vòng %(round)s), điểm bình "
                    "quân %(score)s; %(how)s."
                )
                % {
                    "i": index,
                    "unit": result.unit.name,
                    "votes": result.votes,
                    "delegates": delegate_count,
                    "round": result.round,
                    "score": score_text(averages.get(result.unit_id)),
                    "how": how,
                }
            )
        )
    notes = [part.strip() for part in review.minutes.split("\n\n") if part.strip()]
    if notes:
        blocks.append(Paragraph(label=_("Ý kiến, kết luận tại hội nghị: "), text=notes[0]))
        blocks += [Paragraph(part) for part in notes[1:]]
    blocks += [
        Paragraph(
            _(
                "Biên bản đã được thông qua tại hội nghị và được gửi kèm đề nghị của từng đơn "
                "vị thành viên được bình xét."
            )
        ),
        Signatures(
            left=Signature(
                titles=(_("THƯ KÝ"), _("CÁN BỘ THI ĐUA CỦA KHỐI")),
                name=user_name(officer),
            ),
            right=Signature(
                titles=(
                    _("ĐẠI DIỆN ĐƠN VỊ KHỐI TRƯỞNG"),
                    leader.name.upper() if leader else bloc_name.upper(),
                ),
                name=_leader_signatory(review),
            ),
        ),
    ]
    return Document(
        title=nfc(_("Biên bản họp bình xét, suy tôn — %(title)s") % {"title": review.title}),
        author=nfc(bloc.name),
        created=review.submitted_at or review.closed_at or timezone.now(),
        blocks=nfc_all(tuple(blocks)),
    )


def _round_outcome(result: AcclaimResult) -> str:
    if result.proposed and result.tied:
        return _("Được suy tôn (khối trưởng quyết định)")
    if result.proposed:
        return _("Được suy tôn")
    if result.tied:
        return _("Bằng phiếu")
    return _("Không được suy tôn")


def _leader_signatory(review: BlocReview) -> str:
    """Who decided for the leader unit, if that was its officer; else left to sign by hand."""
    if review.decided_by is not None and services.is_leader_officer(review.decided_by, review):
        return user_name(review.decided_by)
    return ""


# --- files and the service -----------------------------------------------------------------


def bloc_minutes_render(review: BlocReview) -> tuple[bytes, bytes]:
    """The review's minutes as (DOCX, PDF) bytes; the same review gives the same PDF."""
    return document_render(bloc_minutes_document(review))


def bloc_minutes_file_name(review: BlocReview, extension: str) -> str:
    """The file name users see and download ("bien-ban-suy-ton-khoi-2-2026.pdf")."""
    return f"bien-ban-suy-ton-{review.bloc.code}-{review.year}.{extension}"


def bloc_minutes_storage_name(review: BlocReview, extension: str) -> str:
    """Where the review's minutes file lives in the default storage (private media)."""
    return f"private/bloc-minutes/{review.pk}/{bloc_minutes_file_name(review, extension)}"


def bloc_minutes_files(review: BlocReview) -> dict[str, str]:
    """The review's stored minutes files by extension ("pdf", "docx"), if generated."""
    return stored_files(lambda ext: bloc_minutes_storage_name(review, ext))


@transaction.atomic
def bloc_minutes_generate(*, review: BlocReview) -> int:
    """Write a submitted review's minutes and file them with each nomination it went into.

    Safe to run again. Side effects: locks the review; replaces the review's DOCX and PDF
    under MEDIA_ROOT/private/bloc-minutes/<review>/; adds the PDF to the dossier of every
    nomination the result was delivered to, as a "ket-qua-suy-ton" document, once (a run
    that yields the same PDF adds nothing; a changed PDF becomes a new version); writes
    audit events. Returns how many dossier documents it added.
    """
    review = (
        BlocReview.objects.select_for_update(of=("self",))
        .select_related("bloc__organiser", "award", "submitted_by", "created_by", "decided_by")
        .get(pk=review.pk)
    )
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(_("Chỉ lập biên bản sau khi đã gửi kết quả bình xét, suy tôn."))
    docx_bytes, pdf_bytes = bloc_minutes_render(review)
    store_file(bloc_minutes_storage_name(review, "docx"), docx_bytes)
    store_file(bloc_minutes_storage_name(review, "pdf"), pdf_bytes)
    document_type, _created = DocumentType.objects.get_or_create(
        code=DOCUMENT_TYPE_CODE, defaults={"name": DOCUMENT_TYPE_NAME}
    )
    original_name = bloc_minutes_file_name(review, "pdf")
    added = 0
    for nomination in services.submitted_nominations(review):
        added += dossier_file(
            nomination=nomination,
            document_type=document_type,
            original_name=original_name,
            pdf_bytes=pdf_bytes,
            audit_data={"bloc_review": review.pk},
        )
    audit_record(
        actor=None,
        verb="bloc_review.minutes",
        obj=review,
        data={"sha256": hashlib.sha256(pdf_bytes).hexdigest(), "attached": added},
    )
    return added
