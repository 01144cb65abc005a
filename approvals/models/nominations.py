"""Nominations, the submission letters that carry them, and their timeline.

A nomination pins the route version it started on. Where it stands is mirrored in plain
columns (stage position, who must act, due date) so that inboxes and lists filter in SQL;
the viewflow process and task it runs on are linked for the engine.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NominationStatus(models.TextChoices):
    DRAFT = "draft", _("Đang lập")
    IN_PROGRESS = "in_progress", _("Đang xét duyệt")
    RETURNED = "returned", _("Trả lại để hoàn thiện")
    AWARDED = "awarded", _("Đã quyết định khen thưởng")
    REJECTED = "rejected", _("Không được đề nghị")
    WITHDRAWN = "withdrawn", _("Đơn vị đã rút")


ACTIVE_STATUSES = (NominationStatus.DRAFT, NominationStatus.IN_PROGRESS, NominationStatus.RETURNED)
# a nominee has at most one of these per award and campaign (withdrawn and rejected ones may
# be followed by a new nomination)
LIVE_STATUSES = (*ACTIVE_STATUSES, NominationStatus.AWARDED)
FINAL_STATUSES = (NominationStatus.AWARDED, NominationStatus.REJECTED, NominationStatus.WITHDRAWN)


class SubmissionLetter(models.Model):
    """A tờ trình: the unit's numbered letter that carries many nominations together."""

    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị trình"),
        on_delete=models.PROTECT,
        related_name="submission_letters",
    )
    campaign = models.ForeignKey(
        "approvals.Campaign",
        verbose_name=_("đợt thi đua"),
        on_delete=models.PROTECT,
        related_name="submission_letters",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    sequence = models.PositiveIntegerField(_("số thứ tự"))
    number = models.CharField(_("số tờ trình"), max_length=60, unique=True)
    title = models.CharField(_("trích yếu"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày lập"), auto_now_add=True)

    class Meta:
        verbose_name = _("tờ trình")
        verbose_name_plural = _("tờ trình")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "sequence"], name="letter_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Nomination(models.Model):
    award = models.ForeignKey(
        "approvals.Award", verbose_name=_("danh hiệu"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        "approvals.Campaign",
        verbose_name=_("đợt thi đua"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    submitting_unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị đề nghị"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    person = models.ForeignKey(
        "approvals.Person",
        verbose_name=_("cá nhân được đề nghị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    nominee_unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("tập thể được đề nghị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_nominations",
    )
    nominee_name = models.CharField(_("tên người/tập thể"), max_length=255, editable=False)
    # the name without diacritics, lower case: what the search compares ("nguyen van duc")
    search_name = models.CharField(max_length=255, editable=False, default="")
    achievements = models.TextField(_("tóm tắt thành tích"))
    letter = models.ForeignKey(
        SubmissionLetter,
        verbose_name=_("tờ trình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominations",
    )
    route_version = models.ForeignKey(
        "workflows.RouteVersion",
        verbose_name=_("quy trình áp dụng"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    status = models.CharField(
        _("tình trạng"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.DRAFT,
    )
    # Where it stands, mirrored from the route and the engine for SQL filtering.
    stage_position = models.PositiveSmallIntegerField(_("bước hiện tại"), default=1)
    current_stage = models.ForeignKey(
        "workflows.Stage",
        verbose_name=_("bước hiện tại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_permission = models.CharField(max_length=40, blank=True, editable=False)
    acting_unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_bloc = models.ForeignKey(
        "approvals.EmulationBloc",
        verbose_name=_("khối đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_council = models.ForeignKey(
        "approvals.AwardsCouncil",
        verbose_name=_("hội đồng đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage_entered_at = models.DateTimeField(_("đến bước hiện tại lúc"), null=True, blank=True)
    due_date = models.DateField(_("hạn xử lý"), null=True, blank=True)
    posted_until = models.DateField(_("công khai đến hết ngày"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # After a return, the stage that returned it; resubmission goes straight back there.
    resume_position = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    process = models.OneToOneField(
        "viewflow.Process",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nomination",
        editable=False,
    )
    current_task = models.ForeignKey(
        "viewflow.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày lập"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ngày kết thúc"), null=True, blank=True)
    # How far it has got, whatever became of it afterwards (set on entering a stage): past the
    # submitting unit's stages; at a council's vote. The list's "reached" filter reads these.
    reached_past_unit = models.BooleanField(default=False, editable=False)
    reached_council = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["acting_permission", "acting_unit", "status"], name="nomination_acting_unit"
            ),
            models.Index(fields=["acting_bloc", "status"], name="nomination_acting_bloc"),
            models.Index(fields=["acting_council", "status"], name="nomination_acting_council"),
            models.Index(fields=["status", "due_date"], name="nomination_status_due"),
            models.Index(fields=["campaign", "award", "status"], name="nomination_campaign"),
            # the lists' order: newest first
            models.Index(fields=["-created_at", "-id"], name="nomination_newest"),
            # the dashboard's counts, read from the index alone in the order they are grouped
            # (selectors/dashboard._groups: no sort, no read of the table; PostgreSQL only)
            models.Index(
                fields=["award", "campaign", "submitting_unit", "status", "current_stage"],
                include=["due_date", "submitted_at", "reached_past_unit", "reached_council"],
                name="nomination_dashboard",
            ),
            # the dashboard's week chart: what ended since a day (with what waits, by status)
            models.Index(
                fields=["finished_at"],
                condition=models.Q(finished_at__isnull=False),
                name="nomination_finished",
            ),
            # the dashboard's "waiting longest at their stage"
            models.Index(
                fields=["stage_entered_at", "id"],
                condition=models.Q(status__in=["in_progress", "returned"]),
                name="nomination_waiting_oldest",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, nominee_unit__isnull=True)
                | models.Q(person__isnull=True, nominee_unit__isnull=False),
                name="nomination_one_nominee",
            ),
            # what nomination_create checks, kept by the database against two requests at once
            models.UniqueConstraint(
                fields=["award", "campaign", "person"],
                condition=models.Q(person__isnull=False, status__in=LIVE_STATUSES),
                name="nomination_live_person_unique",
            ),
            models.UniqueConstraint(
                fields=["award", "campaign", "nominee_unit"],
                condition=models.Q(nominee_unit__isnull=False, status__in=LIVE_STATUSES),
                name="nomination_live_unit_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_name} — {self.award}"

    def save(self, *args, **kwargs) -> None:
        from approvals.models.people import fold_vietnamese

        self.search_name = fold_vietnamese(self.nominee_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "nominee_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_active and self.due_date is not None and self.due_date < timezone.localdate()


class EventAction(models.TextChoices):
    CREATED = "created", _("Lập đề nghị")
    SUBMITTED = "submitted", _("Gửi đề nghị")
    APPROVED = "approved", _("Đồng ý, chuyển bước tiếp theo")
    VOTED = "voted", _("Ghi nhận kết quả biểu quyết")
    RETURNED = "returned", _("Trả lại để hoàn thiện")
    REJECTED = "rejected", _("Không đề nghị")
    WITHDRAWN = "withdrawn", _("Rút đề nghị")
    AWARDED = "awarded", _("Quyết định khen thưởng")
    AMENDED = "amended", _("Quyết định sửa đổi")
    REVOKED = "revoked", _("Quyết định hủy bỏ khen thưởng")
    CLAIMED = "claimed", _("Nhận xử lý")
    RELEASED = "released", _("Trả lại hàng chờ")
    OVERRIDDEN = "overridden", _("Miễn áp dụng điều kiện")


class NominationEvent(models.Model):
    """One step of a nomination's timeline: who did what, when, from where to where, and why."""

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("đề nghị"), on_delete=models.CASCADE, related_name="events"
    )
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("thao tác"), max_length=12, choices=EventAction.choices)
    from_position = models.PositiveSmallIntegerField(null=True, blank=True)
    from_stage = models.CharField(_("từ bước"), max_length=200, blank=True)
    to_position = models.PositiveSmallIntegerField(null=True, blank=True)
    to_stage = models.CharField(_("đến bước"), max_length=200, blank=True)
    status_after = models.CharField(
        _("tình trạng sau"), max_length=12, choices=NominationStatus.choices
    )
    comment = models.TextField(_("ý kiến"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The kind of stage the nomination waits at after the event and just before it (empty when
    # it is not waiting: a draft, or finished), so that the dashboard's week chart adds up the
    # changes without reading each timeline in order.
    waiting_kind = models.CharField(max_length=20, blank=True, default="", editable=False)
    waiting_kind_before = models.CharField(max_length=20, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("diễn biến xử lý")
        verbose_name_plural = _("diễn biến xử lý")
        ordering = ["nomination", "created_at", "pk"]
        indexes = [
            # the dashboard's week chart: the changes since a day, read from the index alone
            models.Index(
                fields=["created_at"],
                include=["nomination", "waiting_kind", "waiting_kind_before"],
                name="nomination_event_created",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.get_action_display()}"
