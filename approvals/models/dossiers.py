"""Documents attached to a nomination; a replacement keeps the earlier version."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_path(instance: "Attachment", filename: str) -> str:
    # MEDIA_ROOT is outside the web root and no URL serves it: only the permission-checked
    # download view reads these files
    return f"private/nominations/{instance.nomination_id}/{filename}"


class Attachment(models.Model):
    nomination = models.ForeignKey(
        "approvals.Nomination",
        verbose_name=_("đề nghị"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    document_type = models.ForeignKey(
        "approvals.DocumentType",
        verbose_name=_("loại tài liệu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("định dạng"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("thay thế cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    is_current = models.BooleanField(_("bản đang dùng"), default=True)

    class Meta:
        verbose_name = _("tài liệu hồ sơ")
        verbose_name_plural = _("tài liệu hồ sơ")
        ordering = ["nomination", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
