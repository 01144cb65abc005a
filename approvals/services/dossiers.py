"""Attaching documents to a nomination: checked by content, size-limited, versioned.

A file is what its bytes say, not what its name or the browser claims: a PDF named
"anh.png" is stored as the PDF it is, under "anh.pdf" and served as application/pdf, since
refusing it would only make the officer rename it. Names are for display only (the file on
disk is a random token); a name that marks the file as a program is refused.
"""

import hashlib
import re
import unicodedata
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
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
# an Office file unpacks to a few times its size; far more is a zip bomb aimed at whoever
# opens it (the server itself never unpacks it, it reads the zip's directory only)
UNPACKED_FACTOR = 10
MAX_ZIP_MEMBERS = 5_000
# a name carrying one of these, even before another extension ("to-trinh.exe.pdf"), is a
# masquerade: the content is judged anyway, but the uploader was deceived or deceiving
EXECUTABLE_EXTENSIONS = frozenset(
    # a word list (SIM905 ignored) reads better than 32 quoted strings one per line
    "exe com scr bat cmd pif msi msp dll cpl jar js jse vbs vbe wsf wsh hta ps1 psm1 sh "  # noqa: SIM905
    "bash apk lnk reg inf docm dotm xlsm xltm xlam pptm".split()
)
# device names Windows will not let a downloaded file be saved under, whatever the extension
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(10)] + [f"LPT{i}" for i in range(10)]
)
NAME_STEM_CHARS = 120
DEFAULT_STEM = "tai-lieu"


def _refuse(message: str, **values) -> ValidationError:
    return ValidationError({"upload": message % values if values else message})


def _office_kind(upload: UploadedFile, display: str) -> str | None:
    """ "docx" or "xlsx" from the zip's parts; refuses macros and zip bombs, None otherwise."""
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    names = {member.filename for member in members}
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_ZIP_MEMBERS or unpacked > UNPACKED_FACTOR * settings.ATTACHMENT_MAX_BYTES:
        raise _refuse(
            _(
                "Tệp “%(name)s” khi giải nén lớn bất thường (%(size)s); hồ sơ không nhận tệp "
                "này. Đề nghị mở và lưu lại tệp rồi tải lên."
            ),
            name=display,
            size=filesizeformat(unpacked),
        )
    if any(name.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
        raise _refuse(
            _(
                "Tệp “%(name)s” có chứa macro; hồ sơ chỉ nhận tệp DOCX, XLSX không có macro. "
                "Đề nghị lưu lại thành tệp .docx hoặc .xlsx thông thường rồi tải lên."
            ),
            name=display,
        )
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    return None


def sniff(upload: UploadedFile, display: str = "") -> str | None:
    """The kind of file by its content, whatever its name or declared type says; None if
    not one we accept. Raises ValidationError for an Office file with macros or a zip bomb."""
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
        return _office_kind(upload, display or upload.name)
    return None


def display_name(name: str) -> str:
    """The uploaded name fit to show: NFC, without folders, control or direction-changing
    characters (its extension is not yet checked)."""
    name = unicodedata.normalize("NFC", name or "")
    # control (NUL, newlines) and format characters (U+202E right-to-left override and the
    # other bidi controls, zero-width ones): nothing a file name needs, everything a spoof does
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return " ".join(name.split())


def _clean_name(name: str, extension: str) -> str:
    """A safe display name ending in the extension of what the content is."""
    name = display_name(name)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^-\w. ]", "", stem).strip().replace(" ", "_").lstrip("._-")
    stem = stem[:NAME_STEM_CHARS].rstrip("._") or DEFAULT_STEM
    if stem.split(".", 1)[0].upper() in WINDOWS_RESERVED:
        stem = f"{DEFAULT_STEM}-{stem}"
    return f"{stem}{extension}"


def _check_name(name: str) -> None:
    """Refuse a name that passes for one kind of file while marked as a program."""
    *inner, last = display_name(name).lower().split(".")[1:] or [""]
    # "com" inside a name is a web address ("baochinhphu.com.pdf"), not an extension
    inner = [part for part in inner if part != "com"]
    executable = next((p for p in (*inner, last) if p in EXECUTABLE_EXTENSIONS), None)
    if executable:
        raise _refuse(
            _(
                "Tên tệp “%(name)s” có đuôi .%(extension)s của tệp chương trình hoặc tệp có "
                "macro; hồ sơ không nhận tệp mang tên như vậy. Đề nghị đặt lại tên tệp."
            ),
            name=display_name(name),
            extension=executable,
        )


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
    _check_name(upload.name)
    kind = sniff(upload, display_name(upload.name))
    if kind is None:
        raise _refuse(
            _(
                "Chỉ nhận tệp PDF, DOCX, XLSX, JPEG hoặc PNG; nội dung tệp “%(name)s” "
                "không phải các định dạng đó."
            ),
            name=display_name(upload.name),
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
    try:
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
    except Exception:
        # the row goes with the transaction; the file would stay behind without this
        attachment.file.delete(save=False)
        raise
    return attachment
