"""Sign-ins, sign-outs and refused sign-ins go to the audit trail."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from approvals.services.audit import audit_record


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, verb="auth.login", obj=user, data={"ip": _address(request)})


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, verb="auth.logout", obj=user, data={"ip": _address(request)})


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # the username tried, never the password
    username = str(credentials.get(get_user_model().USERNAME_FIELD, ""))[:150]
    audit_record(
        actor=None,
        verb="auth.login_failed",
        obj=None,
        data={"username": username, "ip": _address(request)},
    )
