"""Background jobs a user asked for (exports, generated documents) and the file they produce.

The job's row carries its progress, so the page that waits on it can show "120 / 1,000"; the
file it writes is kept under private media and served to the requester only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Lỗi")


# what each kind of job produces, as the user reads it (kinds are not choices: adding one
# needs no migration)
JOB_KINDS = {
    "decision_documents": _("Văn bản quyết định khen thưởng"),
    "certificates": _("Bằng, giấy khen in cho người được khen"),
    "letter_documents": _("Tờ trình và danh sách đề nghị"),
    "nomination_export": _("Xuất danh sách đề nghị"),
    "achievement_report": _("Báo cáo thành tích (bản thảo)"),
    "yearly_report": _("Báo cáo tổng hợp năm"),
}


class Job(models.Model):
    kind = models.CharField(_("loại"), max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("đã xử lý"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), default=0)
    file_name = models.CharField(_("tên tệp"), max_length=200, blank=True)
    storage_name = models.CharField(max_length=300, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_requester")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        return str(JOB_KINDS.get(self.kind, self.kind))

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
