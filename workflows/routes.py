"""Route rules, selection and publication: the only code that writes routes."""

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Award, AwardsCouncil, Campaign
from approvals.models.organisation import UnitLevel
from approvals.models.roles import Role
from approvals.services.audit import audit_record
from workflows.models import Route, RouteVersion, Stage, StageKind, StageLevel, VersionStatus

ALLOWED_ROLES: dict[str, set[str]] = {
    StageKind.PREPARE: {Role.UNIT_OFFICER},
    StageKind.COMMANDER_APPROVAL: {Role.UNIT_COMMANDER},
    StageKind.REVIEW: {
        Role.UNIT_OFFICER,
        Role.UNIT_COMMANDER,
        Role.BLOC_OFFICER,
        Role.SECRETARIAT_OFFICER,
    },
    StageKind.APPRAISAL: {Role.SECRETARIAT_OFFICER},
    StageKind.COUNCIL_VOTE: {Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR},
    StageKind.BLOC_VOTE: {Role.BLOC_OFFICER},
    StageKind.PUBLIC_POSTING: {Role.SECRETARIAT_OFFICER},
    StageKind.FORWARD_UPWARD: {Role.SECRETARIAT_OFFICER, Role.UNIT_COMMANDER},
    StageKind.DECISION: {Role.DECIDING_AUTHORITY, Role.SECRETARIAT_OFFICER},
}
# Levels where a kind of stage can happen at all.
ALLOWED_LEVELS: dict[str, set[str]] = {
    StageKind.BLOC_VOTE: {StageLevel.BLOC},
    StageKind.COUNCIL_VOTE: {
        StageLevel.SUBMITTING_UNIT,
        StageLevel.PARENT_COMMAND,
        StageLevel.DIRECT_COMMAND,
        StageLevel.MINISTRY,
    },
    StageKind.APPRAISAL: {StageLevel.MINISTRY, StageLevel.DIRECT_COMMAND},
    StageKind.PUBLIC_POSTING: {StageLevel.MINISTRY, StageLevel.DIRECT_COMMAND},
    StageKind.PREPARE: {StageLevel.SUBMITTING_UNIT},
}
BLOC_KINDS = {StageKind.BLOC_VOTE, StageKind.REVIEW}
# A council sits at these unit levels for a relative stage level to find one.
COUNCIL_LEVELS = {
    StageLevel.DIRECT_COMMAND: UnitLevel.DIRECT,
    StageLevel.MINISTRY: UnitLevel.MINISTRY,
}


class StageLike(Protocol):
    level: str
    kind: str
    acting_role: str
    settings: dict


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _settings_problems(number: int, stage: StageLike) -> list[str]:
    problems = []
    options = stage.settings or {}
    if stage.kind == StageKind.PUBLIC_POSTING:
        days = options.get("posting_working_days")
        if not isinstance(days, int) or days < 1:
            problems.append(
                _(
                    "Bước %(n)s: bước công khai phải có số ngày làm việc công khai "
                    "(posting_working_days) từ 1 trở lên."
                )
                % {"n": number}
            )
    percent = options.get("threshold_percent")
    if percent is not None and not (isinstance(percent, int | float) and 0 < percent <= 100):
        problems.append(
            _("Bước %(n)s: ngưỡng tán thành phải lớn hơn 0 và không quá 100%%.") % {"n": number}
        )
    if options.get("threshold_rule") not in (None, "gte", "gt"):
        problems.append(
            _("Bước %(n)s: cách so ngưỡng chỉ nhận “gte” (từ … trở lên) hoặc “gt” (trên …).")
            % {"n": number}
        )
    quorum = options.get("quorum")
    if quorum is not None and not (
        isinstance(quorum, list)
        and len(quorum) == 2
        and all(isinstance(x, int) for x in quorum)
        and 0 < quorum[0] <= quorum[1]
    ):
        problems.append(
            _("Bước %(n)s: túc số phải có dạng [tử số, mẫu số], ví dụ [2, 3].") % {"n": number}
        )
    return problems


def stage_problems(stages: Iterable[StageLike]) -> list[str]:
    """Everything wrong with an ordered list of stages, as sentences for the administrator."""
    stages = list(stages)
    if not stages:
        return [_("Quy trình phải có ít nhất một bước.")]
    problems = []
    first = stages[0]
    if first.kind != StageKind.PREPARE:
        problems.append(_("Bước đầu tiên phải là “Lập hồ sơ đề nghị” tại đơn vị đề nghị."))
    decisions = [n for n, stage in enumerate(stages, 1) if stage.kind == StageKind.DECISION]
    if not decisions:
        problems.append(_("Quy trình chưa có bước quyết định khen thưởng."))
    elif decisions != [len(stages)]:
        problems.append(_("Bước quyết định khen thưởng phải là bước cuối cùng và duy nhất."))
    for number, stage in enumerate(stages, 1):
        kind, level = _label(StageKind, stage.kind), _label(StageLevel, stage.level)
        if stage.acting_role not in ALLOWED_ROLES.get(stage.kind, set()):
            problems.append(
                _("Bước %(n)s: vai trò “%(role)s” không thực hiện được bước “%(kind)s”.")
                % {"n": number, "role": _label(Role, stage.acting_role), "kind": kind}
            )
        allowed_levels = ALLOWED_LEVELS.get(stage.kind)
        if allowed_levels is not None and stage.level not in allowed_levels:
            if stage.kind == StageKind.COUNCIL_VOTE:
                message = _("Bước %(n)s: không có hội đồng TĐKT ở cấp “%(level)s”.")
            else:
                message = _("Bước %(n)s: bước “%(kind)s” không thực hiện ở cấp “%(level)s”.")
            problems.append(message % {"n": number, "kind": kind, "level": level})
        elif (
            stage.kind == StageKind.COUNCIL_VOTE
            and stage.level in COUNCIL_LEVELS
            and not AwardsCouncil.objects.filter(unit__level=COUNCIL_LEVELS[stage.level]).exists()
        ):
            problems.append(
                _("Bước %(n)s: chưa có hội đồng TĐKT nào ở cấp “%(level)s”.")
                % {"n": number, "level": level}
            )
        if stage.level == StageLevel.BLOC and stage.kind not in BLOC_KINDS:
            problems.append(
                _("Bước %(n)s: khối thi đua chỉ xem xét hoặc bình xét, suy tôn.") % {"n": number}
            )
        if number > 1:
            before = stages[number - 2]
            if (before.level, before.kind) == (stage.level, stage.kind):
                problems.append(
                    _("Bước %(a)s và bước %(b)s trùng nhau (cùng cấp, cùng loại bước).")
                    % {"a": number - 1, "b": number}
                )
        problems.extend(_settings_problems(number, stage))
    return problems


def route_for(*, award: Award, campaign: Campaign | None) -> RouteVersion | None:
    """The published version a new nomination for this award and campaign starts on."""
    routes = Route.objects.filter(award=award)
    route = routes.filter(campaign=campaign).first() if campaign else None
    route = route or routes.filter(campaign__isnull=True).first()
    return route.current_version() if route else None


@transaction.atomic
def route_version_publish(*, actor, version: RouteVersion) -> RouteVersion:
    """Put a draft version in force.

    Side effects: validates its stages (ValidationError with every problem, nothing changed);
    retires the version in force before; writes one audit event.
    """
    version = RouteVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Chỉ ban hành được phiên bản đang là bản nháp."))
    problems = stage_problems(version.stages.order_by("position"))
    if problems:
        raise ValidationError(problems)
    RouteVersion.objects.filter(route=version.route, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=actor,
        verb="route.publish",
        obj=version,
        data={"route": version.route.code, "number": version.number},
    )
    return version


@transaction.atomic
def route_version_draft(
    *, actor, route: Route, stages: Iterable[dict] | None = None, note: str = ""
) -> RouteVersion:
    """Start a new draft version of a route, from the given stages or a copy of the current one.

    Side effects: creates the version and its stages; writes one audit event.
    """
    Route.objects.select_for_update().get(pk=route.pk)
    number = (route.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = RouteVersion.objects.create(route=route, number=number, note=note)
    if stages is None:
        current = route.current_version()
        stages = [
            {
                "level": s.level,
                "kind": s.kind,
                "acting_role": s.acting_role,
                "time_limit_working_days": s.time_limit_working_days,
                "settings": s.settings,
            }
            for s in (current.stages.all() if current else [])
        ]
    Stage.objects.bulk_create(
        Stage(version=version, position=position, **spec) for position, spec in enumerate(stages, 1)
    )
    audit_record(
        actor=actor, verb="route.draft", obj=version, data={"route": route.code, "number": number}
    )
    return version
