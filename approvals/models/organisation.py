"""The unit tree, from the Ministry of Defence down to grassroots units.

The tree is stored as a materialised path of primary keys ("/1/7/42/"), so that a subtree
is one indexed prefix query and the ancestors are one primary-key query.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    MINISTRY = "ministry", _("Bộ Quốc phòng")
    DIRECT = "direct", _("Đơn vị trực thuộc Bộ")
    DIVISION = "division", _("Sư đoàn, lữ đoàn, bộ chỉ huy tỉnh và tương đương")
    REGIMENT = "regiment", _("Trung đoàn và tương đương")
    GRASSROOTS = "grassroots", _("Tiểu đoàn và cấp cơ sở")


LEVEL_ORDER = [level.value for level in UnitLevel]


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "Unit", *, include_self: bool = True) -> "UnitQuerySet":
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def subtrees_of(self, units) -> "UnitQuerySet":
        """Every unit under any of the given units (one query, OR of prefixes)."""
        condition = models.Q(pk__in=[])
        for unit in units:
            condition |= models.Q(path__startswith=unit.path)
        return self.filter(condition)


class Unit(models.Model):
    code = models.SlugField(_("mã đơn vị"), max_length=40, unique=True)
    short_name = models.CharField(_("tên ngắn"), max_length=80)
    name = models.CharField(_("tên đầy đủ"), max_length=255)
    level = models.CharField(_("cấp"), max_length=16, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # db_index also makes PostgreSQL build a varchar_pattern_ops index for the prefix LIKE
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    strength = models.PositiveIntegerField(
        _("quân số"), default=0, help_text=_("Quân số biên chế, dùng để tính tỷ lệ danh hiệu.")
    )
    nominations_include_subunits = models.BooleanField(
        _("cán bộ TĐKT quản lý cả đơn vị cấp dưới"),
        default=False,
        help_text=_("Cán bộ TĐKT của đơn vị được xem và lập đề nghị cho các đơn vị cấp dưới."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        permissions = [
            ("view_unit_records", _("Xem hồ sơ thi đua của đơn vị")),
            ("prepare_nomination", _("Lập đề nghị khen thưởng cho đơn vị")),
            ("approve_nomination", _("Phê duyệt, ký đề nghị của đơn vị")),
            ("act_secretariat", _("Thực hiện nhiệm vụ cơ quan thường trực")),
            ("decide_award", _("Quyết định khen thưởng")),
        ]

    def __str__(self) -> str:
        return self.short_name

    def save(self, *args, **kwargs) -> None:
        """Keep path and depth right on insert and when the unit moves under another parent."""
        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)
                self._set_path()
                Unit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
                return
            old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            self._set_path()
            if old_path and old_path != self.path and self.path.startswith(old_path):
                raise ValueError("A unit cannot be moved under its own subtree.")
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                depth_shift = self.path.count("/") - old_path.count("/")
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + depth_shift,
                )

    def _set_path(self) -> None:
        parent_path = self.parent.path if self.parent_id else "/"
        self.path = f"{parent_path}{self.pk}/"
        self.depth = parent_path.count("/") - 1

    def clean(self) -> None:
        if self.pk and self.parent_id and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("Không thể chuyển đơn vị vào dưới chính nó.")})

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def ancestors(self, *, include_self: bool = False) -> UnitQuerySet:
        ids = self.ancestor_ids() + ([self.pk] if include_self else [])
        return Unit.objects.filter(pk__in=ids).order_by("depth")

    def subtree(self, *, include_self: bool = True) -> UnitQuerySet:
        return Unit.objects.subtree_of(self, include_self=include_self)

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)
