"""The dossier documents a nomination needs before it may leave a stage, as the bench supplies
them: uploaded through the service by the stage's actor (bench.drive), or written in bulk
with the rows bench.scale_data seeds (one stored placeholder file shared by every row)."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals.models import Attachment, Nomination
from approvals.selectors.dossier_checklist import checklist, missing_to_leave
from approvals.services.dossiers import attachment_add, may_attach

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PLACEHOLDER = "private/bench/ho-so-mau.pdf"


def dossier_complete(actor, nomination_id: int) -> int:
    """Upload, as the stage's actor, a small PDF for each document the nomination needs to
    leave its current stage; returns how many. Nothing when the actor may not act there."""
    nomination = Nomination.objects.select_related("campaign", "current_stage").get(
        pk=nomination_id
    )
    if not may_attach(actor, nomination):
        return 0
    missing = missing_to_leave(nomination)
    for document in missing:
        attachment_add(
            actor=actor,
            nomination=nomination,
            upload=SimpleUploadedFile(f"{document.code}.pdf", PDF),
            document_type=document,
        )
    return len(missing)


def _placeholder() -> str:
    if not default_storage.exists(PLACEHOLDER):
        return default_storage.save(PLACEHOLDER, ContentFile(PDF))
    return PLACEHOLDER


def dossier_rows(nominations: list[Nomination]) -> list[Attachment]:
    """Attachment rows (unsaved) for the documents each nomination held to get where it is:
    those required by a stage before the furthest it reached (a returned one comes back to
    where it was). The nominations must have their ids (after bulk_create)."""
    stored, sha256 = _placeholder(), hashlib.sha256(PDF).hexdigest()
    required: dict[tuple, list] = {}  # (award, campaign, route version) -> [(type, position)]
    rows = []
    for nomination in nominations:
        key = (nomination.award_id, nomination.campaign_id, nomination.route_version_id)
        if key not in required:
            required[key] = [
                (item.document_type, item.stage_position)
                for item in checklist(nomination, attachments=[])
                if item.applies
            ]
        reached = max(nomination.stage_position, nomination.resume_position or 0)
        rows += [
            Attachment(
                nomination=nomination,
                document_type=document_type,
                file=stored,
                original_name=f"{document_type.code}.pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=sha256,
            )
            for document_type, position in required[key]
            if position < reached
        ]
    return rows
