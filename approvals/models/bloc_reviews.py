"""A bloc's year-end review: open scoring against the bloc's criteria, then acclamation by
secret ballot of the unit(s) to propose for Cờ thi đua BQP.

The bloc's scoring method (criteria, weights, maximum scores) and its rules (quota, whether a
delegate may vote for their own unit, how ties are resolved, deadlines) are set per bloc and
year: they are not public and differ between blocs.

Secrecy of the acclamation follows docs/ballot-secrecy.md: `AcclaimMark` records *that* a
delegate voted in a round; `AcclaimChoice` records one anonymous choice, with no foreign key
to a delegate, a user or a mark, no timestamp and a random UUID key. The close rewrites the
round's choices in random order.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class BlocCriterion(models.Model):
    """One of a bloc's scoring criteria for a year, with its weight and maximum score."""

    bloc = models.ForeignKey(
        "approvals.EmulationBloc",
        verbose_name=_("khối"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tiêu chí"), max_length=300)
    weight = models.DecimalField(
        _("hệ số"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_score = models.DecimalField(
        _("điểm tối đa"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("tiêu chí chấm điểm của khối")
        verbose_name_plural = _("tiêu chí chấm điểm của khối")
        ordering = ["bloc", "-year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year", "name"], name="bloc_criterion_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0) & models.Q(max_score__gt=0),
                name="bloc_criterion_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} {self.year}: {self.name}"


class TieRule(models.TextChoices):
    SECOND_ROUND = "second_round", _("Bỏ phiếu lại giữa các đơn vị bằng phiếu")
    LEADER_DECIDES = "leader_decides", _("Khối trưởng quyết định")


class ReviewStatus(models.TextChoices):
    PREPARING = "preparing", _("Đang chuẩn bị")
    SCORING = "scoring", _("Đang chấm điểm")
    ACCLAIMING = "acclaiming", _("Đang bỏ phiếu suy tôn")
    CLOSED = "closed", _("Đã kết thúc bỏ phiếu")
    SUBMITTED = "submitted", _("Đã gửi kết quả")


class BlocReview(models.Model):
    """A bloc's year-end review meeting and its rules; one per bloc and year."""

    bloc = models.ForeignKey(
        "approvals.EmulationBloc",
        verbose_name=_("khối"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    award = models.ForeignKey(
        "approvals.Award",
        verbose_name=_("danh hiệu suy tôn"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("tên hội nghị"), max_length=200)
    meeting_date = models.DateField(_("ngày họp"))
    quota = models.PositiveSmallIntegerField(
        _("số đơn vị được suy tôn"), default=1, validators=[MinValueValidator(1)]
    )
    own_unit_vote_allowed = models.BooleanField(
        _("đại biểu được chấm điểm, bỏ phiếu cho đơn vị mình"), default=False
    )
    tie_rule = models.CharField(
        _("khi bằng phiếu"), max_length=16, choices=TieRule.choices, default=TieRule.SECOND_ROUND
    )
    scoring_deadline = models.DateTimeField(_("hạn chấm điểm"), null=True, blank=True)
    voting_deadline = models.DateTimeField(_("hạn bỏ phiếu suy tôn"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PREPARING,
    )
    round = models.PositiveSmallIntegerField(_("vòng bỏ phiếu"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày lập"), auto_now_add=True)
    closed_at = models.DateTimeField(_("kết thúc bỏ phiếu lúc"), null=True, blank=True)
    leader_decision = models.TextField(_("quyết định của khối trưởng"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    minutes = models.TextField(_("biên bản bình xét, suy tôn"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi kết quả"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("gửi kết quả lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hội nghị bình xét của khối")
        verbose_name_plural = _("hội nghị bình xét của khối")
        ordering = ["-year", "bloc"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="bloc_review_one_per_year"),
        ]

    def __str__(self) -> str:
        return self.title


class BlocDelegate(models.Model):
    """The user who speaks, scores and votes for one member unit at a review."""

    review = models.ForeignKey(BlocReview, on_delete=models.CASCADE, related_name="delegates")
    unit = models.ForeignKey(
        "approvals.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("đại biểu"),
        on_delete=models.PROTECT,
        related_name="bloc_delegations",
    )

    class Meta:
        verbose_name = _("đại biểu đơn vị")
        verbose_name_plural = _("đại biểu đơn vị")
        ordering = ["review", "unit__sort_order", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["review", "unit"], name="bloc_delegate_one_per_unit"),
            models.UniqueConstraint(fields=["review", "user"], name="bloc_delegate_one_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit}"


class BlocScore(models.Model):
    """A delegate's score for a member unit on one criterion (scoring is open, not secret)."""

    review = models.ForeignKey(BlocReview, on_delete=models.CASCADE, related_name="scores")
    delegate = models.ForeignKey(BlocDelegate, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị được chấm"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    criterion = models.ForeignKey(BlocCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("điểm chấm")
        verbose_name_plural = _("điểm chấm")
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "unit", "criterion"], name="bloc_score_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} → {self.unit}: {self.score}"


class AcclaimMark(models.Model):
    """That a delegate has cast their acclamation ballot in a round; never what they chose."""

    review = models.ForeignKey(BlocReview, on_delete=models.CASCADE, related_name="marks")
    round = models.PositiveSmallIntegerField()
    delegate = models.ForeignKey(BlocDelegate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "round", "delegate"], name="acclaim_mark_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.delegate} đã bỏ phiếu vòng {self.round}"


class AcclaimChoice(models.Model):
    """One anonymous choice of a unit in a round: no delegate, no mark, no time, no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(BlocReview, on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField()
    unit = models.ForeignKey("approvals.Unit", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return str(self.unit)


class AcclaimResult(models.Model):
    """A candidate unit's tally in a round, written at the close."""

    review = models.ForeignKey(BlocReview, on_delete=models.CASCADE, related_name="results")
    round = models.PositiveSmallIntegerField(_("vòng"))
    unit = models.ForeignKey(
        "approvals.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    votes = models.PositiveSmallIntegerField(_("số phiếu"), default=0)
    weighted_score = models.DecimalField(
        _("điểm bình quân"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    tied = models.BooleanField(_("bằng phiếu tại ngưỡng suy tôn"), default=False)
    proposed = models.BooleanField(_("được suy tôn"), default=False)

    class Meta:
        verbose_name = _("kết quả suy tôn")
        verbose_name_plural = _("kết quả suy tôn")
        ordering = ["review", "round", "-votes", "unit__sort_order", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "round", "unit"], name="acclaim_result_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.votes}"
