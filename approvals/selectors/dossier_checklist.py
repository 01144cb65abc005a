"""The dossier's checklist: which documents the award requires, by which stage, and what is there.

A requirement of the award version in force for the nomination's campaign names a stage
kind; the document must be in the dossier before the nomination leaves the first stage of
that kind on its route, and every later one. A requirement for a kind of stage the route
does not have is listed as not applicable to this route and never blocks.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from approvals.models import Attachment, Award, DocumentRequirement, DocumentType, Nomination
from workflows.models import Stage, StageKind, StageLevel

# stages left by a vote's result or by a decision: documents do not hold those up (see
# services.nominations._apply), so nothing is shown as blocking there
UNCHECKED_KINDS = frozenset({StageKind.COUNCIL_VOTE, StageKind.BLOC_VOTE, StageKind.DECISION})


@dataclass(frozen=True)
class ChecklistItem:
    document_type: DocumentType
    stage_kind: str
    # the first stage of that kind on the route; None when the route has no such stage
    stage_position: int | None
    stage_label: str
    attachment: Attachment | None
    blocks_now: bool

    @property
    def applies(self) -> bool:
        return self.stage_position is not None

    @property
    def present(self) -> bool:
        return self.attachment is not None


def _requirements(nomination: Nomination) -> list[DocumentRequirement]:
    """The requirements in force, each with the first route stage of its kind (2 queries)."""
    # only the award's versions are read: an unsaved Award with the id spares loading its row
    version = Award(pk=nomination.award_id).version_for(nomination.campaign)
    if version is None:
        return []
    first_stage = Stage.objects.filter(
        version_id=nomination.route_version_id, kind=OuterRef("stage_kind")
    ).order_by("position")
    return list(
        DocumentRequirement.objects.filter(version=version)
        .select_related("document_type")
        .annotate(
            stage_position=Subquery(first_stage.values("position")[:1]),
            stage_level=Subquery(first_stage.values("level")[:1]),
        )
        .order_by("pk")
    )


def _current_by_type(nomination: Nomination, attachments) -> dict[int, Attachment]:
    """The latest current attachment of each document type."""
    if attachments is None:
        attachments = Attachment.objects.filter(
            nomination=nomination, is_current=True, document_type__isnull=False
        ).order_by("uploaded_at", "pk")
    current = {}
    for attachment in attachments:
        if attachment.is_current and attachment.document_type_id is not None:
            current[attachment.document_type_id] = attachment
    return current


def _label(kind: str, position: int | None, level: str | None) -> str:
    kind_label = StageKind(kind).label if kind in StageKind.values else kind
    if position is None:
        return str(kind_label)
    return f"{position}. {kind_label} — {StageLevel(level).label}"


def checklist(nomination: Nomination, *, attachments=None) -> list[ChecklistItem]:
    """One item per required document type, in the order of the stages that require them.

    `attachments`: the nomination's attachments already loaded (any order, old versions
    included), to spare the query. At most 3 queries, whatever the counts.
    """
    checked = nomination.is_active and nomination.current_stage.kind not in UNCHECKED_KINDS
    return _items(nomination, attachments=attachments, checked=checked)


def _items(nomination: Nomination, *, attachments, checked: bool) -> list[ChecklistItem]:
    """The items; `checked`: whether documents hold up leaving the current stage at all."""
    by_type: dict[int, DocumentRequirement] = {}
    for requirement in _requirements(nomination):
        # a type required by several stage kinds is due by the earliest one on the route
        known = by_type.get(requirement.document_type_id)
        if known is None or (
            requirement.stage_position is not None
            and (known.stage_position is None or requirement.stage_position < known.stage_position)
        ):
            by_type[requirement.document_type_id] = requirement
    current = _current_by_type(nomination, attachments)
    position = nomination.stage_position
    items = []
    for requirement in by_type.values():
        attachment = current.get(requirement.document_type_id)
        due = requirement.stage_position is not None and requirement.stage_position <= position
        items.append(
            ChecklistItem(
                document_type=requirement.document_type,
                stage_kind=requirement.stage_kind,
                stage_position=requirement.stage_position,
                stage_label=_label(
                    requirement.stage_kind, requirement.stage_position, requirement.stage_level
                ),
                attachment=attachment,
                blocks_now=checked and due and attachment is None,
            )
        )
    items.sort(key=lambda item: (item.stage_position is None, item.stage_position or 0))
    return items


def missing_to_leave(nomination: Nomination) -> list[DocumentType]:
    """Documents required by a stage at or before the current one that the dossier lacks
    (no current attachment of that type). At most 3 queries."""
    return [
        item.document_type
        for item in _items(nomination, attachments=None, checked=False)
        if item.applies and item.stage_position <= nomination.stage_position and not item.present
    ]
