"""Exports of lists and reports, produced by background jobs for the user who asked."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.utils import translation


@contextmanager
def as_requester(job):
    """The job's requester, re-read now, in the language they asked in.

    Everything exported is filtered for this user exactly as their pages are; a user
    deactivated since asking gets nothing.
    """
    user = job.requested_by
    if not user.is_active:
        raise PermissionDenied("the requester's account is no longer active")
    with translation.override(job.params.get("language") or None):
        yield user
