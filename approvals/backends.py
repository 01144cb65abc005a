"""Signing in: Django's model backend, loading the user's person with the user."""

from django.contrib.auth.backends import ModelBackend


class PersonModelBackend(ModelBackend):
    """Every page shows who is signed in ("Trung tá Phạm Thu Hà"): one query, not two."""

    def get_user(self, user_id):
        user_model = self._user_model()
        user = user_model._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()
