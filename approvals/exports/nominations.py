"""The nomination list with its filters as XLSX or CSV (job kind "nomination_export")."""

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.exports import as_requester
from approvals.exports.tables import Table, tables_file, with_progress
from approvals.models import Nomination
from approvals.selectors.nominations import nominations_filtered
from approvals.services.jobs import JobFile, Progress

# the list's own parameters that are not filters
NOT_FILTERS = ("page", "format", "csrfmiddlewaretoken")
# bounds on what a request can make the job keep
MAX_FILTERS = 20
MAX_VALUES = 20
MAX_VALUE_LENGTH = 200


def export_filters(data: QueryDict) -> dict[str, list[str]]:
    """The list's filters from a request, to keep in the job's parameters (all values)."""
    return {
        key: [value[:MAX_VALUE_LENGTH] for value in data.getlist(key)[:MAX_VALUES]]
        for key in list(data)[:MAX_FILTERS]
        if key not in NOT_FILTERS
    }


def filters_querydict(filters: dict[str, list[str]]) -> QueryDict:
    """The kept filters as the list page receives them."""
    params = QueryDict(mutable=True)
    for key, values in filters.items():
        params.setlist(key, values)
    return params


def _where(nomination: Nomination) -> str:
    """Where it waits, as the list shows it."""
    place = nomination.acting_council or nomination.acting_bloc or nomination.acting_unit
    return str(place) if nomination.is_active and place else ""


def _row(nomination: Nomination) -> list:
    person = nomination.person
    stage = nomination.current_stage
    claimant = nomination.claimed_by if nomination.is_active else None
    return [
        nomination.pk,
        nomination.nominee_name,
        person.get_rank_display() if person and person.rank else "",
        person.position if person else "",
        nomination.submitting_unit.short_name,
        nomination.award.name,
        nomination.campaign.name,
        nomination.get_status_display(),
        f"{stage.position}. {stage.get_kind_display()}" if nomination.is_active and stage else "",
        _where(nomination),
        (claimant.get_full_name() or claimant.username) if claimant else "",
        nomination.due_date if nomination.is_active else None,
        timezone.localdate(nomination.submitted_at) if nomination.submitted_at else None,
        nomination.letter.number if nomination.letter else "",
    ]


HEADER = (
    gettext_lazy("Mã đề nghị"),
    gettext_lazy("Người/tập thể được đề nghị"),
    gettext_lazy("Cấp bậc"),
    gettext_lazy("Chức vụ"),
    gettext_lazy("Đơn vị đề nghị"),
    gettext_lazy("Danh hiệu, hình thức khen thưởng"),
    gettext_lazy("Đợt thi đua"),
    gettext_lazy("Tình trạng"),
    gettext_lazy("Bước hiện tại"),
    gettext_lazy("Nơi xử lý"),
    gettext_lazy("Người nhận xử lý"),
    gettext_lazy("Hạn xử lý"),
    gettext_lazy("Ngày gửi"),
    gettext_lazy("Số tờ trình"),
)
WIDTHS = (10, 30, 14, 24, 20, 30, 30, 20, 28, 28, 22, 12, 12, 20)


def nomination_export_produce(job, progress: Progress) -> JobFile:
    """What the requester's list shows with the kept filters (params: filters, format)."""
    with as_requester(job) as user:
        nominations = nominations_filtered(
            user, filters_querydict(job.params.get("filters", {}))
        ).select_related("person")
        total = nominations.count()
        rows = (_row(n) for n in nominations.iterator(chunk_size=500))
        table = Table(
            title=_("Danh sách đề nghị khen thưởng (xuất lúc %(time)s)")
            % {"time": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
            header=[str(label) for label in HEADER],
            rows=with_progress(rows, total=total, progress=progress),
            widths=WIDTHS,
        )
        return tables_file(
            [table], file_format=job.params["format"], stem=f"danh-sach-de-nghi-{job.pk}"
        )
