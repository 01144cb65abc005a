"""Service members and defence employees, optionally linked to a login."""

import unicodedata

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def fold_vietnamese(text: str) -> str:
    """Lower-case text without diacritics ("Nguyễn Văn Đức" -> "nguyen van duc")."""
    # Đ/đ, and the look-alike Ð/ð (U+00D0/U+00F0) some older keyboards type for them
    for letter, plain in (("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D")):
        text = text.replace(letter, plain)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


class Rank(models.TextChoices):
    PRIVATE_2 = "binh_nhi", _("Binh nhì")
    PRIVATE_1 = "binh_nhat", _("Binh nhất")
    CORPORAL = "ha_si", _("Hạ sĩ")
    SERGEANT = "trung_si", _("Trung sĩ")
    STAFF_SERGEANT = "thuong_si", _("Thượng sĩ")
    SECOND_LT = "thieu_uy", _("Thiếu úy")
    LT = "trung_uy", _("Trung úy")
    SENIOR_LT = "thuong_uy", _("Thượng úy")
    CAPTAIN = "dai_uy", _("Đại úy")
    MAJOR = "thieu_ta", _("Thiếu tá")
    LT_COLONEL = "trung_ta", _("Trung tá")
    SENIOR_LT_COLONEL = "thuong_ta", _("Thượng tá")
    COLONEL = "dai_ta", _("Đại tá")
    MAJOR_GENERAL = "thieu_tuong", _("Thiếu tướng")
    LT_GENERAL = "trung_tuong", _("Trung tướng")
    COLONEL_GENERAL = "thuong_tuong", _("Thượng tướng")
    GENERAL = "dai_tuong", _("Đại tướng")
    NONE = "", _("Không có quân hàm")


class PersonCategory(models.TextChoices):
    OFFICER = "officer", _("Sĩ quan")
    PROFESSIONAL = "professional", _("Quân nhân chuyên nghiệp")
    SOLDIER = "soldier", _("Hạ sĩ quan, binh sĩ")
    EMPLOYEE = "employee", _("Công nhân, viên chức quốc phòng")


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Person(models.Model):
    service_number = models.CharField(_("số hiệu"), max_length=20, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, db_index=True, default="")
    category = models.CharField(_("đối tượng"), max_length=16, choices=PersonCategory.choices)
    rank = models.CharField(_("cấp bậc"), max_length=16, choices=Rank.choices, blank=True)
    position = models.CharField(_("chức vụ"), max_length=160, blank=True)
    unit = models.ForeignKey(
        "approvals.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="people"
    )
    gender = models.CharField(_("giới tính"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    enlistment_date = models.DateField(_("ngày nhập ngũ / tuyển dụng"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("quân nhân, người lao động")
        verbose_name_plural = _("quân nhân, người lao động")
        ordering = ["unit__path", "full_name"]

    def __str__(self) -> str:
        rank = self.get_rank_display() if self.rank else ""
        return f"{rank} {self.full_name}".strip()

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold_vietnamese(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)
