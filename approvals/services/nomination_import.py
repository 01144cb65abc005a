"""Importing nominations from a unit's list (XLSX or CSV): every row checked, then one letter.

A dry run (`nomination_import_check`) reports each row's problems, eligibility failures
included, and writes nothing. The import checks the rows again inside its transaction and
creates one submission letter holding a draft nomination for every row without a problem,
each through `nomination_create`; if one creation fails, nothing is written.

Rows that fail an eligibility rule are problems like any other and are not imported: a draft
that could never be submitted would only have to be withdrawn. Eligibility is checked for the
rows that are otherwise valid, in file order, so quotas count the rows that would be imported
(an ineligible row still counts towards the quota of the rows after it: a cautious count).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from approvals.models import Award, Campaign, Nomination, Person, SubmissionLetter, Unit
from approvals.permissions import may_prepare
from approvals.selectors.eligibility_facts import LIVE
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.eligibility import Candidate, check_candidates
from approvals.services.letters import letter_create
from approvals.services.nominations import nomination_create
from approvals.services.registry_files import (
    COLUMNS,
    FileLayout,
    ImportRow,
    read_table_file,
    table_template,
)
from approvals.services.registry_import import (
    cell_text,
    check_award,
    check_holder,
    chunks,
    people_by_number,
    units_by_code,
)
from workflows.models import Route, RouteVersion, VersionStatus

LAYOUT = FileLayout(
    columns={
        "so_hieu": COLUMNS["so_hieu"],
        "ma_don_vi": COLUMNS["ma_don_vi"],
        "ho_ten": COLUMNS["ho_ten"],
        "danh_hieu": (*COLUMNS["danh_hieu"], "danh_hieu_hinh_thuc", "hinh_thuc"),
        "thanh_tich": ("tom_tat_thanh_tich", "thanh_tich", "achievements", "summary"),
    },
    required=("danh_hieu", "thanh_tich"),
    any_of=("so_hieu", "ma_don_vi"),
)
# the template's header row (a file format, so not translated)
TEMPLATE_HEADERS = [
    "STT",
    "Số hiệu quân nhân",
    "Mã đơn vị (tập thể)",
    "Họ và tên",
    "Danh hiệu / hình thức (mã hoặc tên)",
    "Tóm tắt thành tích",
]


def read_nomination_file(upload) -> list[ImportRow]:
    """The data rows of an uploaded list of nominations, or a ValidationError saying why not."""
    return read_table_file(upload, LAYOUT)


def nomination_import_template() -> bytes:
    """An XLSX with the header row and an example row; a second sheet lists the award codes."""
    return table_template(
        title="Danh sách đề nghị",
        headers=TEMPLATE_HEADERS,
        example=[
            1,
            "QN-f3-01",
            "",
            "Nguyễn Văn An",
            "cstt",
            "Hoàn thành xuất sắc nhiệm vụ huấn luyện, sẵn sàng chiến đấu năm 2026.",
        ],
        widths=(6, 18, 18, 24, 30, 60),
    )


@dataclass
class RowResult:
    """One row of the file as understood, with its problems (none: it will be imported)."""

    number: int
    holder: str = ""  # the service number or unit code as written
    name: str = ""
    award: str = ""
    achievements: str = ""
    errors: list[str] = field(default_factory=list)
    person: Person | None = None
    nominee_unit: Unit | None = None
    award_found: Award | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Lookups:
    """What the rows refer to, fetched once for the whole file."""

    people: dict[str, Person]
    units: dict[str, Unit]
    awards_by_code: dict[str, Award]
    awards_by_name: dict[str, Award]
    routed: set[int]  # awards a new nomination in the campaign has a route for
    nominated: set[tuple]  # ("p" or "u", holder id, award id) already nominated in the campaign

    @classmethod
    def for_rows(cls, rows: Sequence[ImportRow], campaign: Campaign) -> "_Lookups":
        people = people_by_number({cell_text(row.get("so_hieu")) for row in rows} - {""})
        units = units_by_code({cell_text(row.get("ma_don_vi")) for row in rows} - {""})
        nominated = _nominated(
            campaign, {p.pk for p in people.values()}, {u.pk for u in units.values()}
        )
        by_code = {award.code.lower(): award for award in Award.objects.all()}
        return cls(
            people=people,
            units=units,
            awards_by_code=by_code,
            awards_by_name={" ".join(a.name.split()).casefold(): a for a in by_code.values()},
            routed=_routed(campaign),
            nominated=nominated,
        )


def _routed(campaign: Campaign) -> set[int]:
    """The awards whose route for the campaign (its own, else the award's default) has a
    published version, as workflows.routes.route_for chooses it; one query."""
    published = RouteVersion.objects.filter(route=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    chosen: dict[int, bool] = {}
    routes = (
        Route.objects.filter(Q(campaign=campaign) | Q(campaign__isnull=True))
        .annotate(published=Exists(published))
        .values_list("award_id", "campaign_id", "published")
    )
    for award_id, campaign_id, has_version in routes:
        if campaign_id is not None or award_id not in chosen:
            chosen[award_id] = has_version
    return {award_id for award_id, has_version in chosen.items() if has_version}


def _nominated(campaign: Campaign, person_ids: set[int], unit_ids: set[int]) -> set[tuple]:
    """(kind, holder, award) of the live nominations of the campaign for these holders."""
    found = set()
    for kind, field_name, ids in (
        ("p", "person_id", person_ids),
        ("u", "nominee_unit_id", unit_ids),
    ):
        for chunk in chunks(ids):
            found |= {
                (kind, holder, award)
                for holder, award in Nomination.objects.filter(
                    campaign=campaign, status__in=LIVE, **{f"{field_name}__in": chunk}
                ).values_list(field_name, "award_id")
            }
    return found


def _authorise(actor, unit: Unit, campaign: Campaign) -> None:
    if not may_prepare(scope_for(actor), unit):
        raise PermissionDenied(_("Bạn không lập đề nghị cho đơn vị này."))
    if not campaign.is_open:
        raise ValidationError({"campaign": _("Đợt thi đua này đã dừng nhận đề nghị.")})


def nomination_import_check(
    *, actor, unit: Unit, campaign: Campaign, rows: Sequence[ImportRow]
) -> list[RowResult]:
    """Every row with its problems, eligibility failures included; writes nothing.

    A fixed number of queries whatever the number of rows. Raises PermissionDenied unless
    the actor prepares nominations for the unit, ValidationError if the campaign is closed.
    """
    _authorise(actor, unit, campaign)
    lookups = _Lookups.for_rows(rows, campaign)
    seen: dict[tuple, int] = {}
    results = []
    for row in rows:
        result = RowResult(number=row.number)
        person, nominee_unit = _check_nominee(row, result, lookups, unit)
        award = check_award(row, result, lookups, person=person, unit=nominee_unit)
        if award is not None:
            _check_route(result, lookups, award)
        result.achievements = cell_text(row.get("thanh_tich"))
        if not result.achievements:
            result.errors.append(_("Thiếu tóm tắt thành tích."))
        holder = ("p", person.pk) if person else ("u", nominee_unit.pk) if nominee_unit else None
        if holder and award:
            key = (*holder, award.pk)
            if key in lookups.nominated:
                result.errors.append(
                    _("Đã có đề nghị “%(award)s” cho đối tượng này trong đợt thi đua.")
                    % {"award": award.name}
                )
            elif key in seen:
                result.errors.append(_("Trùng với dòng %(row)s của tệp.") % {"row": seen[key]})
            seen.setdefault(key, row.number)
        result.person, result.nominee_unit, result.award_found = person, nominee_unit, award
        results.append(result)
    _check_eligibility(results, unit, campaign)
    return results


def _check_nominee(row: ImportRow, result: RowResult, lookups: _Lookups, unit: Unit):
    """The person or the collective of the row, found and within the submitting unit."""
    before = len(result.errors)
    person, nominee_unit = check_holder(row, result, lookups)
    found = person.unit if person else nominee_unit
    if found is None or found.is_within(unit):
        return person, nominee_unit
    # outside the unit: say so without the name (nor a name mismatch) the user may not see
    del result.errors[before:]
    result.name = cell_text(row.get("ho_ten"))
    if person:
        message = _("Quân nhân số hiệu “%(value)s” không thuộc %(unit)s.")
    else:
        message = _("Đơn vị mã “%(value)s” không thuộc %(unit)s.")
    result.errors.append(message % {"value": result.holder, "unit": unit.short_name})
    return None, None


def _check_route(result: RowResult, lookups: _Lookups, award: Award) -> None:
    if not award.is_active:
        result.errors.append(_("“%(award)s” hiện không còn áp dụng.") % {"award": award.name})
    elif award.pk not in lookups.routed:
        result.errors.append(
            _("Chưa có quy trình xét duyệt đang áp dụng cho “%(award)s”.") % {"award": award.name}
        )


def _check_eligibility(results: list[RowResult], unit: Unit, campaign: Campaign) -> None:
    """Add each failed eligibility rule of the otherwise valid rows, with what was found and
    what would satisfy it."""
    checked = [result for result in results if result.ok]
    verdicts = check_candidates(
        [
            Candidate(
                award=result.award_found,
                campaign=campaign,
                submitting_unit=unit,
                person=result.person,
                nominee_unit=result.nominee_unit,
            )
            for result in checked
        ]
    )
    for result, verdict in zip(checked, verdicts, strict=True):
        for failure in verdict.failures:
            message = _("Chưa đạt tiêu chuẩn “%(rule)s”: %(explanation)s") % {
                "rule": failure.label,
                "explanation": failure.explanation,
            }
            if failure.remedy:
                message += " " + _("Cách khắc phục: %(remedy)s") % {"remedy": failure.remedy}
            result.errors.append(message)


def nomination_import(
    *,
    actor,
    unit: Unit,
    campaign: Campaign,
    title: str,
    rows: Sequence[ImportRow],
    file_name: str = "",
) -> SubmissionLetter:
    """Create a submission letter of the unit holding a draft nomination for each valid row.

    Side effects, in one transaction: checks the rows again (nomination_import_check);
    creates the letter (letter_create: number, audit event) and each valid row's nomination
    through nomination_create (route, process, "created" event, audit event); writes one
    "letter.import" audit event naming the rows imported and skipped. Rows with a problem
    are skipped. If no row is valid, or any creation fails, raises ValidationError and
    nothing is written. Raises PermissionDenied unless the actor prepares for the unit.
    """
    with transaction.atomic():
        results = nomination_import_check(actor=actor, unit=unit, campaign=campaign, rows=rows)
        valid = [result for result in results if result.ok]
        if not valid:
            raise ValidationError(
                _("Không có dòng nào hợp lệ để nhập; hãy sửa các lỗi rồi kiểm tra lại."),
                code="nothing_valid",
            )
        letter = letter_create(actor=actor, unit=unit, campaign=campaign, title=title)
        created = []
        for result in valid:
            try:
                nomination = nomination_create(
                    actor=actor,
                    submitting_unit=unit,
                    award=result.award_found,
                    campaign=campaign,
                    achievements=result.achievements,
                    person=result.person,
                    nominee_unit=result.nominee_unit,
                    letter=letter,
                )
            except ValidationError as error:
                # leaving the block rolls back the letter and the rows created before
                raise ValidationError(
                    _("Dòng %(row)s: %(error)s (không dòng nào được nhập).")
                    % {"row": result.number, "error": " ".join(error.messages)},
                    code="row_failed",
                ) from error
            created.append(nomination.pk)
        audit_record(
            actor=actor,
            verb="letter.import",
            obj=letter,
            data={
                "file": file_name,
                "nominations": created,
                "skipped_rows": [result.number for result in results if not result.ok],
            },
        )
    return letter
