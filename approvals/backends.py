"""Signing in: Django's model backend, loading the user's person with the user."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied


class PersonModelBackend(ModelBackend):
    """Every page shows who is signed in ("Trung tá Phạm Thu Hà"): one query, not two."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Refuse a username locked after repeated failures (approvals.login_throttle)."""
        from approvals.login_throttle import is_locked

        name = username or kwargs.get(self._user_model().USERNAME_FIELD)
        if is_locked(name or ""):
            raise PermissionDenied  # Django records it as one more failed sign-in
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        user_model = self._user_model()
        user = user_model._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()
