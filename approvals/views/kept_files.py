"""An uploaded import file kept between the dry run and the import, one per user and import."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class KeptFile:
    """Where an import keeps its upload: a session key and a folder under private media."""

    session_key: str
    folder: str

    def _prefix(self, request) -> str:
        return f"private/{self.folder}/{request.user.pk}/"

    def store(self, request, upload) -> dict:
        """Keep the upload for this user, replacing the one kept before:
        {"storage": name in storage, "name": the uploaded file's name}."""
        self.forget(request)
        upload.seek(0)
        extension = ".xlsx" if upload.read(4) == b"PK\x03\x04" else ".csv"
        upload.seek(0)
        name = f"{self._prefix(request)}{uuid.uuid4().hex}{extension}"
        kept = {"storage": default_storage.save(name, upload), "name": upload.name}
        request.session[self.session_key] = kept
        return kept

    def get(self, request) -> dict | None:
        kept = request.session.get(self.session_key)
        if (
            kept
            and kept["storage"].startswith(self._prefix(request))
            and default_storage.exists(kept["storage"])
        ):
            return kept
        return None

    def forget(self, request) -> None:
        kept = request.session.pop(self.session_key, None)
        if kept and kept["storage"].startswith(self._prefix(request)):
            default_storage.delete(kept["storage"])

    def read(self, request, upload, reader: Callable) -> tuple[list, dict]:
        """The rows of the new upload (kept for next time) or else of the file kept before.

        Raises the reader's ValidationError (a new upload that fails is not kept), or one
        asking for a file when there is neither.
        """
        if upload is not None:
            try:
                rows = reader(upload)
            except ValidationError:
                self.forget(request)
                raise
            return rows, self.store(request, upload)
        kept = self.get(request)
        if kept is None:
            raise ValidationError(_("Hãy chọn tệp để kiểm tra hoặc nhập."))
        with default_storage.open(kept["storage"], "rb") as stored:
            return reader(stored), kept
