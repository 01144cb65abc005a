"""Attaching documents to a nomination: checked by content, size-limited, versioned."""

import hashlib
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from approvals.models import Attachment, DocumentType, Nomination
from approvals.permissions import may_act
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record

# what the first bytes (and, for Office files, the zip's parts) say the file is
KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
}


def sniff(upload: UploadedFile) -> str | None:
    """The kind of file by its content, whatever its name says; None if not one we accept."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def _clean_name(name: str, extension: str) -> str:
    stem = get_valid_filename(name.replace("\\", "/").rsplit("/", 1)[-1]) or "tai-lieu"
    stem = stem.rsplit(".", 1)[0][:120] if "." in stem else stem[:120]
    return f"{stem}{extension}"


def may_attach(user, nomination: Nomination) -> bool:
    """Whoever acts on the nomination's current stage adds documents to it."""
    return may_act(scope_for(user), nomination)


@transaction.atomic
def attachment_add(
    *,
    actor,
    nomination: Nomination,
    upload: UploadedFile,
    document_type: DocumentType | None = None,
    replaces: Attachment | None = None,
) -> Attachment:
    """Store a document with the nomination, or a new version of one already there.

    Side effects: writes the file under the private media root with a random name; marks
    the replaced version as no longer current (it stays downloadable); writes an audit event.
    """
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not may_attach(actor, nomination):
        raise PermissionDenied(_("Chỉ người đang xử lý đề nghị ở bước hiện tại mới thêm tài liệu."))
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "upload": _("Tệp %(size)s, vượt quá giới hạn %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                "upload": _(
                    "Chỉ nhận tệp PDF, DOCX, XLSX, JPEG hoặc PNG; nội dung tệp “%(name)s” "
                    "không phải các định dạng đó."
                )
                % {"name": upload.name}
            }
        )
    if replaces is not None:
        replaces = Attachment.objects.select_for_update().get(pk=replaces.pk)
        if replaces.nomination_id != nomination.pk or not replaces.is_current:
            raise ValidationError(
                {"replaces": _("Chỉ thay thế được bản đang dùng của đề nghị này.")}
            )
        replaces.is_current = False
        replaces.save(update_fields=["is_current"])
        document_type = document_type or replaces.document_type
    content_type, extension = KINDS[kind]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        nomination=nomination,
        document_type=document_type,
        original_name=_clean_name(upload.name, extension),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        replaces=replaces,
    )
    attachment.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        verb="attachment.add",
        obj=nomination,
        data={
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "sha256": digest.hexdigest(),
        },
    )
    return attachment
