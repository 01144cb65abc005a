from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Thi đua, khen thưởng")

    def ready(self) -> None:
        from approvals import signals  # noqa: F401  (connects the audit of sign-ins)
