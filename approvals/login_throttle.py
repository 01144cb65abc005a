"""Refusing sign-in for a while after repeated failures, counted from the audit trail.

Every refused sign-in is an audit event (approvals/signals.py), so the count is shared by
every web process and survives restarts. The backend refuses a locked username whatever the
password (pages and the API's token endpoint alike); the login form says why.
"""

import datetime

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import AuditEvent


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def is_locked(username: str) -> bool:
    """True once LOGIN_FAILURE_LIMIT sign-ins for this username failed within the window."""
    if not username:
        return False
    recent = AuditEvent.objects.filter(
        verb="auth.login_failed",
        created_at__gte=timezone.now() - _window(),
        data__username=username[:150],
    )
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Đã đăng nhập sai %(limit)s lần: tài khoản tạm khóa %(minutes)s phút. "
            "Thử lại sau, hoặc liên hệ quản trị hệ thống."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if is_locked(username):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={
                    "limit": settings.LOGIN_FAILURE_LIMIT,
                    "minutes": settings.LOGIN_LOCK_MINUTES,
                },
            )
        return super().clean()
