from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Thi đua, khen thưởng")

    def ready(self) -> None:
        from approvals import checks, signals  # noqa: F401  (registers checks; audits sign-ins)
