"""Completing a nomination's dossier in tests as its actor would: one upload per missing type."""

from django.core.files.uploadedfile import SimpleUploadedFile

from approvals.models import Attachment, Nomination
from approvals.selectors.dossier_checklist import missing_to_leave
from approvals.services.dossiers import attachment_add, may_attach

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def complete_dossier(nomination: Nomination, user) -> list[Attachment]:
    """Upload, as `user`, a small PDF for each document the nomination needs to leave its
    current stage; returns the new attachments.

    A user who may not act at the stage uploads nothing, so that a test of a refused action
    sees the action's own refusal.
    """
    if not may_attach(user, nomination):
        return []
    return [
        attachment_add(
            actor=user,
            nomination=nomination,
            upload=SimpleUploadedFile(f"{document.code}.pdf", PDF),
            document_type=document,
        )
        for document in missing_to_leave(nomination)
    ]
