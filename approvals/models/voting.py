"""Council sessions and the secret ballot.

Secrecy by construction (docs/ballot-secrecy.md): `VoteMark` records *that* a member voted
in a round; `Ballot` (a receipt's hash) and `BallotChoice` (one anonymous choice on one
agenda item) record *what* was voted. None of the anonymous rows has a foreign key to a
member or to each other, a timestamp, or a sequential id: their keys are random UUIDs. At
the close of a round the anonymous rows are rewritten in random order.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    PREPARING = "preparing", _("Đang chuẩn bị")
    VOTING = "voting", _("Đang bỏ phiếu")
    CLOSED = "closed", _("Đã kết thúc bỏ phiếu")
    CONCLUDED = "concluded", _("Chủ tịch đã kết luận")


class CouncilSession(models.Model):
    council = models.ForeignKey(
        "approvals.AwardsCouncil",
        verbose_name=_("hội đồng"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    title = models.CharField(_("tên phiên họp"), max_length=200)
    meeting_date = models.DateField(_("ngày họp"))
    voting_deadline = models.DateTimeField(_("hạn bỏ phiếu"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.PREPARING,
    )
    round = models.PositiveSmallIntegerField(_("vòng bỏ phiếu"), default=1)
    roster_size = models.PositiveSmallIntegerField(_("tổng số thành viên"), default=0)
    quorum_required = models.PositiveSmallIntegerField(_("số thành viên phải có mặt"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày lập"), auto_now_add=True)
    opened_at = models.DateTimeField(_("mở bỏ phiếu lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc bỏ phiếu lúc"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("kết luận lúc"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ tọa kết luận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    conclusion = models.TextField(_("kết luận của chủ tịch hội đồng"), blank=True)

    class Meta:
        verbose_name = _("phiên họp hội đồng")
        verbose_name_plural = _("phiên họp hội đồng")
        ordering = ["-meeting_date", "-pk"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    WRITTEN = "written", _("Vắng, bỏ phiếu bằng văn bản")
    ABSENT = "absent", _("Vắng")


class Attendance(models.Model):
    """A roster member's attendance at a session (the roster on the meeting date)."""

    session = models.ForeignKey(
        CouncilSession, on_delete=models.CASCADE, related_name="attendances"
    )
    membership = models.ForeignKey(
        "approvals.CouncilMembership",
        verbose_name=_("thành viên"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("điểm danh"),
        max_length=8,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.ABSENT,
    )

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "membership"], name="attendance_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.get_status_display()}"


class AgendaItem(models.Model):
    """A nomination on a session's agenda in one round, and that round's result."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="items")
    nomination = models.ForeignKey(
        "approvals.Nomination",
        verbose_name=_("đề nghị"),
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    round = models.PositiveSmallIntegerField(_("vòng"), default=1)
    threshold_percent = models.DecimalField(_("ngưỡng (%)"), max_digits=5, decimal_places=2)
    threshold_rule = models.CharField(_("cách so ngưỡng"), max_length=4)
    required_agree = models.PositiveSmallIntegerField(_("số phiếu tán thành cần có"), default=0)
    # filled when the round closes
    agree = models.PositiveSmallIntegerField(_("tán thành"), null=True, blank=True)
    disagree = models.PositiveSmallIntegerField(_("không tán thành"), null=True, blank=True)
    recused = models.PositiveSmallIntegerField(_("không tham gia biểu quyết"), default=0)
    passed = models.BooleanField(_("đạt"), null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("đề nghị đưa ra biểu quyết")
        verbose_name_plural = _("đề nghị đưa ra biểu quyết")
        ordering = ["session", "round", "nomination__award__sort_order", "nomination__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "nomination", "round"], name="agenda_item_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.nomination} (vòng {self.round})"


class VoteMark(models.Model):
    """That a member has submitted their ballot in a round; never what they voted."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="marks")
    round = models.PositiveSmallIntegerField()
    membership = models.ForeignKey(
        "approvals.CouncilMembership", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "round", "membership"], name="vote_mark_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.membership} đã bỏ phiếu vòng {self.round}"


class Ballot(models.Model):
    """One submitted ballot, known only by its receipt's hash: no member, no time, no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField()
    receipt_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"Phiếu {self.receipt_hash[:8]}…"


class Choice(models.TextChoices):
    AGREE = "agree", _("Tán thành")
    DISAGREE = "disagree", _("Không tán thành")


class BallotChoice(models.Model):
    """One anonymous choice on one agenda item, unlinked from the ballot and other choices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    opinion = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.get_choice_display()
