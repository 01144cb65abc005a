"""The dossier's checklist: which documents the award requires, by which stage, and what is there.

A requirement of the award version in force for the nomination's campaign names a stage
kind; the document must be in the dossier before the nomination leaves the first stage of
that kind on its route, and every later one. A requirement for a kind of stage the route
does not have is listed as not applicable to this route and never blocks.
"""

from copy import copy
from dataclasses import dataclass

from django.db.models import CharField, F, OuterRef, Subquery, TextField, Value

from approvals.models import (
    Attachment,
    Award,
    DocumentRequirement,
    DocumentType,
    Nomination,
)
from approvals.selectors.eligibility_facts import UNREAD, versions_on
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


def _in_force(nomination: Nomination):
    """The id of the version in force on the campaign's start, as a subquery: the
    requirements are read without reading the version first."""
    return versions_on(nomination.award_id, nomination.campaign.start_date).values("pk")[:1]


def _with_stages(requirements, stages) -> list[DocumentRequirement]:
    """Give each requirement the first stage of its kind on the route (None when none)."""
    first = {}
    for stage in sorted(stages, key=lambda stage: stage.position):
        first.setdefault(stage.kind, stage)
    for requirement in requirements:
        stage = first.get(requirement.stage_kind)
        requirement.stage_position = stage.position if stage else None
        requirement.stage_level = stage.level if stage else None
    return requirements


def _requirements(nomination: Nomination, *, version=UNREAD, stages=None) -> list:
    """The requirements in force, each with the first route stage of its kind (2 queries;
    1 when the version or the route's stages are given)."""
    if version is UNREAD and stages is not None:
        wanted = DocumentRequirement.objects.filter(version_id=Subquery(_in_force(nomination)))
    else:
        if version is UNREAD:
            # only the award's versions are read: an unsaved Award with the id spares its row
            version = Award(pk=nomination.award_id).version_for(nomination.campaign)
        if version is None:
            return []
        wanted = DocumentRequirement.objects.filter(version=version)
    wanted = wanted.select_related("document_type").order_by("pk")
    if stages is not None:
        return _with_stages(list(wanted), stages)
    first_stage = Stage.objects.filter(
        version_id=nomination.route_version_id, kind=OuterRef("stage_kind")
    ).order_by("position")
    return list(
        wanted.annotate(
            stage_position=Subquery(first_stage.values("position")[:1]),
            stage_level=Subquery(first_stage.values("level")[:1]),
        )
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


def checklist(
    nomination: Nomination, *, attachments=None, stages=None, version=UNREAD
) -> list[ChecklistItem]:
    """One item per required document type, in the order of the stages that require them.

    `attachments`: the nomination's attachments already loaded (any order, old versions
    included), to spare the query; `stages`: its route's stages, and `version`: the award's
    version in force (None if there is none), when the caller has read them. At most 3
    queries, whatever the counts; 1 with the attachments and the stages.
    """
    checked = nomination.is_active and nomination.current_stage.kind not in UNCHECKED_KINDS
    requirements = _requirements(nomination, version=version, stages=stages)
    return _items(nomination, requirements, attachments=attachments, checked=checked)


def checklist_and_types(
    nomination: Nomination, *, attachments, stages, version=UNREAD
) -> tuple[list[ChecklistItem], list[DocumentType]]:
    """The checklist (as `checklist`) and every document type, in code order (what the
    upload form offers), in one query: the requirements and the types as one UNION ALL."""
    checked = nomination.is_active and nomination.current_stage.kind not in UNCHECKED_KINDS
    if version is UNREAD:
        wanted = DocumentRequirement.objects.filter(version_id=Subquery(_in_force(nomination)))
    elif version is None:
        wanted = DocumentRequirement.objects.none()
    else:
        wanted = DocumentRequirement.objects.filter(version=version)
    text = CharField()
    requirements = wanted.order_by().annotate(
        doc_row=Value("requirement", output_field=text),
        doc_id=F("pk"),
        doc_type=F("document_type_id"),
        doc_text=F("stage_kind"),
        doc_name=Value("", output_field=text),
        doc_description=Value("", output_field=TextField()),
    )
    types = DocumentType.objects.order_by().annotate(
        doc_row=Value("type", output_field=text),
        doc_id=F("pk"),
        doc_type=F("pk"),
        doc_text=F("code"),
        doc_name=F("name"),
        doc_description=F("description"),
    )
    columns = ("doc_row", "doc_id", "doc_type", "doc_text", "doc_name", "doc_description")
    rows = list(types.values_list(*columns).union(requirements.values_list(*columns), all=True))
    by_id = {
        pk: DocumentType(pk=pk, code=code, name=name, description=description)
        for row, pk, _type, code, name, description in rows
        if row == "type"
    }
    found = sorted(
        (
            DocumentRequirement(pk=pk, document_type=by_id[type_id], stage_kind=kind)
            for row, pk, type_id, kind, _name, _description in rows
            if row == "requirement"
        ),
        key=lambda requirement: requirement.pk,
    )
    items = _items(
        nomination, _with_stages(found, stages), attachments=attachments, checked=checked
    )
    return items, sorted(by_id.values(), key=lambda document_type: document_type.code)


def _items(
    nomination: Nomination, requirements, *, attachments, checked: bool
) -> list[ChecklistItem]:
    """The items; `checked`: whether documents hold up leaving the current stage at all."""
    by_type: dict[int, DocumentRequirement] = {}
    for requirement in requirements:
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


def _missing(nomination: Nomination, requirements, attachments) -> list[DocumentType]:
    return [
        item.document_type
        for item in _items(nomination, requirements, attachments=attachments, checked=False)
        if item.applies and item.stage_position <= nomination.stage_position and not item.present
    ]


def missing_to_leave(nomination: Nomination) -> list[DocumentType]:
    """Documents required by a stage at or before the current one that the dossier lacks
    (no current attachment of that type). At most 3 queries."""
    return _missing(nomination, _requirements(nomination), None)


def missing_to_leave_many(nominations: list[Nomination], stages: dict[int, list[Stage]]) -> dict:
    """missing_to_leave of each nomination ({id: [document types]}), for a batch moving
    together: the versions in force (one query per award and campaign), their requirements
    and the dossiers' current attachments (one query each). `stages`: each route version's
    stages, by the version's id."""
    versions = {}
    for nomination in nominations:
        key = (nomination.award_id, nomination.campaign_id)
        if key not in versions:
            versions[key] = Award(pk=nomination.award_id).version_for(nomination.campaign)
    wanted = DocumentRequirement.objects.filter(
        version_id__in={version.pk for version in versions.values() if version}
    )
    by_version: dict[int, list] = {}
    for requirement in wanted.select_related("document_type").order_by("pk"):
        by_version.setdefault(requirement.version_id, []).append(requirement)
    attachments: dict[int, list] = {nomination.pk: [] for nomination in nominations}
    current = Attachment.objects.filter(
        nomination_id__in=attachments, is_current=True, document_type__isnull=False
    )
    for attachment in current.order_by("uploaded_at", "pk"):
        attachments[attachment.nomination_id].append(attachment)
    on_route: dict[tuple, list] = {}  # the requirements, placed on a route version's stages
    missing = {}
    for nomination in nominations:
        version = versions[nomination.award_id, nomination.campaign_id]
        key = (version.pk if version else None, nomination.route_version_id)
        if key not in on_route:
            requirements = [copy(r) for r in by_version.get(key[0], [])]
            on_route[key] = _with_stages(requirements, stages[nomination.route_version_id])
        missing[nomination.pk] = _missing(nomination, on_route[key], attachments[nomination.pk])
    return missing
