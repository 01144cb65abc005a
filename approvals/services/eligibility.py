"""Eligibility: an award's rules (data in the catalogue) checked against a nominee.

`check_candidates` checks many nominees at once with a bounded number of queries (the facts
come from `selectors.eligibility_facts`); each rule gives a plain Vietnamese explanation of
what was found and, when it fails, of what would satisfy it. The rules in force are those of
the award version in force on the campaign's start (see `Award.version_for`).

Submission and the secretariat's appraisal refuse a nomination with a failed rule that the
secretariat has not overridden (services.nominations: `check_nominations` for every
nomination moving together, `refusal` for the first that fails; overrides: `rule_overrides`).
"""

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import (
    Award,
    AwardRule,
    AwardVersion,
    Campaign,
    Nomination,
    Person,
    RuleOverride,
    Unit,
)
from approvals.models.catalogue import RuleKind
from approvals.models.eligibility import INITIATIVE_LEVEL_CODES, BreakKind, InitiativeLevel
from approvals.selectors.eligibility_facts import (
    SUBMITTED,
    UNREAD,
    Facts,
    holder_of,
    load_facts,
)


class Outcome(TextChoices):
    PASSED = "passed", gettext_lazy("Đạt")
    PENDING = "pending", gettext_lazy("Chờ kết quả")
    FAILED = "failed", gettext_lazy("Không đạt")
    OVERRIDDEN = "overridden", gettext_lazy("Được miễn áp dụng")
    NOT_APPLICABLE = "n/a", gettext_lazy("Không áp dụng")


@dataclass(frozen=True)
class Candidate:
    """Who would be nominated for what: an existing nomination, or a row not yet created."""

    award: Award
    campaign: Campaign
    submitting_unit: Unit
    person: Person | None = None
    nominee_unit: Unit | None = None
    nomination: Nomination | None = None

    @classmethod
    def of(cls, nomination: Nomination) -> "Candidate":
        return cls(
            award=nomination.award,
            campaign=nomination.campaign,
            submitting_unit=nomination.submitting_unit,
            person=nomination.person,
            nominee_unit=nomination.nominee_unit,
            nomination=nomination,
        )

    @property
    def holder(self):
        return holder_of(
            self.person.pk if self.person else None,
            self.nominee_unit.pk if self.nominee_unit else None,
        )


@dataclass(frozen=True)
class RuleResult:
    rule: AwardRule | None
    outcome: str
    explanation: str
    remedy: str = ""
    override: RuleOverride | None = None

    @property
    def label(self) -> str:
        return self.rule.description if self.rule else _("Tiêu chuẩn áp dụng")

    @property
    def failed(self) -> bool:
        return self.outcome == Outcome.FAILED

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label


@dataclass(frozen=True)
class Verdict:
    candidate: Candidate
    version: AwardVersion | None
    results: tuple[RuleResult, ...]

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.failed)

    @property
    def eligible(self) -> bool:
        return not self.failures


@dataclass
class _Batch:
    """What earlier candidates of the same check add: quotas and duplicates count them."""

    quota_added: Counter = field(default_factory=Counter)  # (unit, campaign, award) -> n
    nominated: set = field(default_factory=set)  # (holder, award, campaign)


def _years(years) -> str:
    return ", ".join(str(y) for y in sorted(years))


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _cap(base: int, percent) -> int:
    return int((Decimal(base) * Decimal(str(percent)) / 100).to_integral_value(ROUND_FLOOR))


def _award_name(facts: Facts, code: str) -> str:
    award = facts.awards.get(code)
    return award.name if award else code


def _held_in(facts: Facts, c: Candidate, codes, year: int):
    ids = {facts.awards[code].pk for code in codes if code in facts.awards}
    return [h for h in facts.held.get(c.holder, ()) if h.award_id in ids and h.year == year]


def _consecutive_prior(rule, c: Candidate, facts: Facts, batch) -> RuleResult:
    code, count = rule.params["award"], int(rule.params["years"])
    name = _award_name(facts, code)
    wanted = range(c.campaign.year - count, c.campaign.year)
    missing = [year for year in wanted if not _held_in(facts, c, [code], year)]
    if not missing:
        return RuleResult(
            rule,
            Outcome.PASSED,
            _("Đạt “%(award)s” các năm %(years)s.") % {"award": name, "years": _years(wanted)},
        )
    return RuleResult(
        rule,
        Outcome.FAILED,
        _(
            "Cần đạt “%(award)s” %(n)s năm liên tục liền trước (%(years)s); Sổ khen thưởng "
            "chưa có năm %(missing)s."
        )
        % {"award": name, "n": count, "years": _years(wanted), "missing": _years(missing)},
        _(
            "Đề nghị khi đủ %(n)s năm liên tục. Nếu đã có quyết định mà sổ chưa ghi, bổ sung "
            "vào Sổ khen thưởng (nhập từ tệp)."
        )
        % {"n": count},
    )


def _same_year(rule, c: Candidate, facts: Facts, batch) -> RuleResult:
    codes = rule.params["awards"]
    names = " / ".join(f"“{_award_name(facts, code)}”" for code in codes)
    year = c.campaign.year
    if _held_in(facts, c, codes, year):
        return RuleResult(
            rule,
            Outcome.PASSED,
            _("Đã đạt %(awards)s năm %(year)s.") % {"awards": names, "year": year},
        )
    ids = {facts.awards[code].pk for code in codes if code in facts.awards}
    in_flight = any(
        n.award_id in ids and n.campaign_id == c.campaign.pk for n in facts.live.get(c.holder, ())
    ) or any((c.holder, award_id, c.campaign.pk) in batch.nominated for award_id in ids)
    if in_flight:
        return RuleResult(
            rule,
            Outcome.PENDING,
            _(
                "Đang được đề nghị %(awards)s trong cùng đợt: chỉ quyết định đề nghị này khi "
                "có kết quả đó."
            )
            % {"awards": names},
        )
    return RuleResult(
        rule,
        Outcome.FAILED,
        _("Chưa đạt và chưa được đề nghị %(awards)s năm %(year)s.")
        % {"awards": names, "year": year},
        _("Đề nghị %(awards)s trong cùng đợt (có thể trong cùng tờ trình).") % {"awards": names},
    )


def _quota_result(rule, c, facts, batch, *, base: int, base_text: str) -> RuleResult:
    counts = facts.quotas[(c.submitting_unit.pk, c.campaign.pk)]
    key = (c.submitting_unit.pk, c.campaign.pk, c.award.pk)
    already = counts.by_award.get(c.award.pk, 0) + batch.quota_added[key]
    counted = c.nomination is not None and c.nomination.status in SUBMITTED
    total = already if counted else already + 1
    percent = rule.params["percent"]
    cap = _cap(base, percent)
    values = {
        "unit": c.submitting_unit.short_name,
        "base": base_text,
        "percent": percent,
        "cap": cap,
        "total": total,
        "award": c.award.name,
    }
    text = _(
        "%(unit)s: %(base)s; tối đa %(percent)s%% là %(cap)s. Số đề nghị “%(award)s” trong "
        "đợt, kể cả đang xét và đề nghị này: %(total)s."
    )
    if total <= cap:
        return RuleResult(rule, Outcome.PASSED, text % values)
    return RuleResult(
        rule,
        Outcome.FAILED,
        text % values,
        _("Vượt %(over)s so với tỷ lệ: rút bớt đề nghị hoặc đề nghị miễn áp dụng.")
        % {"over": total - cap},
    )


def _quota_of_strength(rule, c, facts, batch) -> RuleResult:
    strength = c.submitting_unit.strength
    if not strength:
        return RuleResult(
            rule,
            Outcome.FAILED,
            _("%(unit)s chưa có quân số biên chế nên chưa tính được tỷ lệ.")
            % {"unit": c.submitting_unit.short_name},
            _("Cập nhật quân số của đơn vị."),
        )
    return _quota_result(
        rule, c, facts, batch, base=strength, base_text=_("quân số %(n)s") % {"n": strength}
    )


def _quota_of_units(rule, c, facts, batch) -> RuleResult:
    units = facts.quotas[(c.submitting_unit.pk, c.campaign.pk)].subunits
    return _quota_result(
        rule, c, facts, batch, base=units, base_text=_("%(n)s đơn vị trực thuộc") % {"n": units}
    )


def _quota_of_holders(rule, c, facts, batch) -> RuleResult:
    other = facts.awards.get(rule.params["award"])
    counts = facts.quotas[(c.submitting_unit.pk, c.campaign.pk)]
    holders = counts.by_award.get(other.pk, 0) if other else 0
    holders += batch.quota_added[(c.submitting_unit.pk, c.campaign.pk, other.pk if other else 0)]
    name = _award_name(facts, rule.params["award"])
    return _quota_result(
        rule,
        c,
        facts,
        batch,
        base=holders,
        base_text=_("%(n)s người đạt hoặc đang được đề nghị “%(award)s”")
        % {"n": holders, "award": name},
    )


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _overlap(start, end, low, high) -> int:
    first, last = max(start, low), min(end, high)
    return (last - first).days + 1 if last >= first else 0


def service_reached_on(
    enlisted: datetime.date, breaks, years: int, *, up_to: datetime.date, maternity_counts: bool
) -> tuple[datetime.date, datetime.date, int, int]:
    """(start of continuous service, the day it reaches `years`, maternity days, days not
    counted). A discharge restarts the service; unpaid leave (and maternity leave when the
    rule does not count it) pushes the day back by its length."""
    start = enlisted
    for item in breaks:
        if item.kind == BreakKind.DISCHARGE and item.end < up_to:
            start = max(start, item.end + datetime.timedelta(days=1))
    maternity = uncounted = 0
    for item in breaks:
        if item.kind == BreakKind.DISCHARGE:
            continue
        days = _overlap(item.start, item.end, start, up_to)
        if item.kind == BreakKind.MATERNITY:
            maternity += days
            if maternity_counts:
                continue
        uncounted += days
    reached = _add_years(start, years) + datetime.timedelta(days=uncounted)
    return start, reached, maternity, uncounted


def _min_service_years(rule, c, facts, batch) -> RuleResult:
    if c.person is None:
        return RuleResult(rule, Outcome.NOT_APPLICABLE, _("Chỉ áp dụng cho cá nhân."))
    years = int(rule.params["years"])
    maternity_counts = rule.params.get("count_maternity_leave", True)
    up_to = c.campaign.end_date
    start, reached, maternity, uncounted = service_reached_on(
        c.person.enlistment_date,
        facts.breaks.get(c.person.pk, ()),
        years,
        up_to=up_to,
        maternity_counts=maternity_counts,
    )
    text = _("Phục vụ liên tục từ %(start)s; đủ %(n)s năm vào ngày %(reached)s.") % {
        "start": _date(start),
        "n": years,
        "reached": _date(reached),
    }
    if maternity and maternity_counts:
        text += " " + _("Đã tính %(days)s ngày nghỉ thai sản vào thời gian phục vụ.") % {
            "days": maternity
        }
    if uncounted:
        text += " " + _("Không tính %(days)s ngày nghỉ vào thời gian phục vụ.") % {
            "days": uncounted
        }
    if reached <= up_to:
        return RuleResult(rule, Outcome.PASSED, text)
    return RuleResult(
        rule,
        Outcome.FAILED,
        text + " " + _("Đợt thi đua tính đến ngày %(day)s.") % {"day": _date(up_to)},
        _("Đề nghị từ đợt có ngày kết thúc từ %(day)s trở đi.") % {"day": _date(reached)},
    )


def _initiative(rule, c, facts, batch) -> RuleResult:
    if c.person is None:
        return RuleResult(rule, Outcome.NOT_APPLICABLE, _("Chỉ áp dụng cho cá nhân."))
    level = INITIATIVE_LEVEL_CODES[rule.params["level"]]
    span = int(rule.params.get("years") or 1)
    first_year = c.campaign.year - span + 1
    found = [
        item
        for item in facts.initiatives.get(c.person.pk, ())
        if item.level >= level and first_year <= item.recognised_on.year <= c.campaign.year
    ]
    period = str(c.campaign.year) if span == 1 else _years(range(first_year, c.campaign.year + 1))
    if found:
        best = found[0]
        return RuleResult(
            rule,
            Outcome.PASSED,
            _("Sáng kiến “%(title)s”, công nhận %(level)s ngày %(day)s.")
            % {
                "title": best.title,
                "level": best.get_level_display().lower(),
                "day": _date(best.recognised_on),
            },
        )
    return RuleResult(
        rule,
        Outcome.FAILED,
        _("Chưa có sáng kiến được công nhận từ %(level)s trở lên trong năm %(period)s.")
        % {"level": InitiativeLevel(level).label.lower(), "period": period},
        _(
            "Nhập sáng kiến đã được công nhận (ở hồ sơ cá nhân) và tải lên giấy chứng nhận "
            "sáng kiến."
        ),
    )


def _bloc_acclaim(rule, c, facts, batch) -> RuleResult:
    if c.nominee_unit is None:
        return RuleResult(rule, Outcome.NOT_APPLICABLE, _("Chỉ áp dụng cho tập thể."))
    year = c.campaign.year
    if (c.award.pk, year) in facts.acclaimed.get(c.nominee_unit.pk, set()):
        return RuleResult(
            rule, Outcome.PASSED, _("Được khối thi đua suy tôn năm %(year)s.") % {"year": year}
        )
    position = c.nomination.stage_position if c.nomination else 0
    route = c.nomination.route_version_id if c.nomination else (c.award.pk, c.campaign.pk)
    stages = facts.stage_kinds.get(route, [])
    passed = [label for pos, kind, label in stages if kind == "bloc_vote" and pos < position]
    if passed and c.nomination.status in SUBMITTED:
        return RuleResult(
            rule,
            Outcome.PASSED,
            _("Khối thi đua đã bình xét, suy tôn ở bước “%(stage)s”.") % {"stage": passed[-1]},
        )
    ahead = [label for pos, kind, label in stages if kind == "bloc_vote" and pos >= position]
    if ahead:
        return RuleResult(
            rule,
            Outcome.PENDING,
            _("Khối thi đua sẽ bình xét, suy tôn ở bước “%(stage)s”.") % {"stage": ahead[0]},
        )
    return RuleResult(
        rule,
        Outcome.FAILED,
        _("Chưa có kết quả khối thi đua suy tôn năm %(year)s.") % {"year": year},
        _("Đề nghị sau khi khối bình xét, suy tôn đơn vị dẫn đầu."),
    )


def _no_pending_case(rule, c, facts, batch) -> RuleResult:
    cases = facts.cases.get(c.holder, ())
    if not cases:
        return RuleResult(
            rule, Outcome.PASSED, _("Không có vụ việc kỷ luật, thanh tra, khiếu nại đang xem xét.")
        )
    found = "; ".join(
        _("%(kind)s (%(reference)s, từ %(day)s)")
        % {
            "kind": case.get_kind_display(),
            "reference": case.reference,
            "day": _date(case.opened_on),
        }
        for case in cases
    )
    return RuleResult(
        rule,
        Outcome.FAILED,
        found + ".",
        _("Chỉ đề nghị khi vụ việc đã được kết luận (Nghị định 152/2025/NĐ-CP, Điều 4)."),
    )


def _once_per_campaign(rule, c, facts, batch) -> RuleResult:
    own = c.nomination.pk if c.nomination else None
    others = [
        n
        for n in facts.live.get(c.holder, ())
        if n.award_id == c.award.pk and n.campaign_id == c.campaign.pk and n.pk != own
    ]
    if (c.holder, c.award.pk, c.campaign.pk) in batch.nominated:
        return RuleResult(
            rule,
            Outcome.FAILED,
            _("Đối tượng này có hai lần trong cùng danh sách đề nghị “%(award)s”.")
            % {"award": c.award.name},
            _("Bỏ dòng trùng."),
        )
    if not others:
        return RuleResult(rule, Outcome.PASSED, _("Chưa có đề nghị nào khác trong đợt."))
    return RuleResult(
        rule,
        Outcome.FAILED,
        _("Đã có đề nghị “%(award)s” cho đối tượng này trong đợt (số %(number)s).")
        % {"award": c.award.name, "number": others[0].pk},
        _("Dùng đề nghị đã có; không lập đề nghị thứ hai."),
    )


def _not_awarded_twice(rule, c, facts, batch) -> RuleResult:
    held = _held_in(facts, c, [c.award.code], c.campaign.year)
    if not held:
        return RuleResult(
            rule,
            Outcome.PASSED,
            _("Chưa được khen “%(award)s” cho thành tích năm %(year)s.")
            % {"award": c.award.name, "year": c.campaign.year},
        )
    return RuleResult(
        rule,
        Outcome.FAILED,
        _("Đã được khen “%(award)s” cho thành tích năm %(year)s (quyết định %(number)s).")
        % {"award": c.award.name, "year": c.campaign.year, "number": held[0].decision_number},
        _("Một thành tích chỉ được khen thưởng một lần."),
    )


CHECKS: dict[str, Callable[..., RuleResult]] = {
    RuleKind.CONSECUTIVE_PRIOR: _consecutive_prior,
    RuleKind.SAME_YEAR: _same_year,
    RuleKind.QUOTA_OF_STRENGTH: _quota_of_strength,
    RuleKind.QUOTA_OF_UNITS: _quota_of_units,
    RuleKind.QUOTA_OF_HOLDERS: _quota_of_holders,
    RuleKind.MIN_SERVICE_YEARS: _min_service_years,
    RuleKind.INITIATIVE: _initiative,
    RuleKind.BLOC_ACCLAIM: _bloc_acclaim,
    RuleKind.NO_PENDING_DISCIPLINE: _no_pending_case,
    RuleKind.ONCE_PER_CAMPAIGN: _once_per_campaign,
    RuleKind.NOT_AWARDED_TWICE: _not_awarded_twice,
}


def _verdict(c: Candidate, facts: Facts, batch: _Batch) -> Verdict:
    version = facts.versions[(c.award.pk, c.campaign.pk)]
    if version is None:
        missing = RuleResult(
            None,
            Outcome.FAILED,
            _("“%(award)s” không có tiêu chuẩn có hiệu lực vào ngày %(day)s.")
            % {"award": c.award.name, "day": _date(c.campaign.start_date)},
            _("Quản trị viên bổ sung phiên bản tiêu chuẩn cho danh hiệu."),
        )
        return Verdict(c, None, (missing,))
    overrides = facts.overrides.get(c.nomination.pk, {}) if c.nomination else {}
    results = []
    for rule in version.rules.all():
        result = CHECKS[rule.kind](rule, c, facts, batch)
        if result.failed and rule.pk in overrides:
            result = RuleResult(
                rule, Outcome.OVERRIDDEN, result.explanation, override=overrides[rule.pk]
            )
        results.append(result)
    return Verdict(c, version, tuple(results))


def check_candidates(
    candidates: Sequence[Candidate],
    *,
    today: datetime.date | None = None,
    each_alone: bool = False,
    versions: dict | None = None,
    stages: dict | None = None,
) -> list[Verdict]:
    """Each candidate's verdict, in order; a bounded number of queries for any count.

    Later candidates count the earlier ones that are not yet submitted (a list being
    prepared, an import): towards quotas, and as duplicates. With `each_alone`, each is
    checked as if it were the only one added ("who could be nominated"). `versions` and
    `stages`: what the caller has read already (see `load_facts`)."""
    if not candidates:
        return []
    facts = load_facts(
        candidates, today=today or timezone.localdate(), versions=versions, stages=stages
    )
    batch = _Batch()
    verdicts = []
    for c in candidates:
        verdicts.append(_verdict(c, facts, batch))
        if each_alone:
            continue
        if c.nomination is None or c.nomination.status not in SUBMITTED:
            batch.quota_added[(c.submitting_unit.pk, c.campaign.pk, c.award.pk)] += 1
        batch.nominated.add((c.holder, c.award.pk, c.campaign.pk))
    return verdicts


def check_nominations(nominations: Sequence[Nomination]) -> list[Verdict]:
    return check_candidates([Candidate.of(n) for n in nominations])


def check_nomination(nomination: Nomination, *, version=UNREAD, stages=None) -> Verdict:
    """The nomination's verdict. A page that has read the award's version in force (with
    its rules, `version_in_force`) or the route's stages passes them, to spare their reads;
    left out, they are read here."""
    candidate = Candidate.of(nomination)
    versions = None
    if version is not UNREAD:
        versions = {(nomination.award_id, nomination.campaign_id): version}
    known = {nomination.route_version_id: list(stages)} if stages is not None else None
    return check_candidates([candidate], versions=versions, stages=known)[0]


def refusal(verdict: Verdict) -> ValidationError:
    """One message per failed rule: what was found and what would satisfy it."""
    c = verdict.candidate
    nominee = c.person or c.nominee_unit
    messages = [
        _("%(nominee)s chưa đủ điều kiện “%(award)s”:") % {"nominee": nominee, "award": c.award}
    ]
    for result in verdict.failures:
        message = f"{result.label}: {result.explanation}"
        if result.remedy:
            message += " " + _("Cách khắc phục: %(remedy)s") % {"remedy": result.remedy}
        messages.append(message)
    return ValidationError(messages, code="ineligible")
