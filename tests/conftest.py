"""Shared fixtures: the demo data set loaded once, demo users by name, service checks."""

import functools
import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"


def _absent(reason: str) -> None:
    """Skip a test whose service is missing, except in CI where that is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@functools.cache
def redis_unavailable() -> str:
    """Why the Redis broker cannot be used, or "" when CELERY_BROKER_URL reaches Redis."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        return "needs Redis and a Celery worker: set CELERY_BROKER_URL to a redis:// URL"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"needs Redis: the broker at CELERY_BROKER_URL is unreachable ({error})"
    return ""


def require_services(node) -> None:
    """Skip (or, under CI, fail) when a service the node's markers ask for is missing."""
    missing = []
    if node.get_closest_marker("postgres") and not on_postgres():
        missing.append("needs PostgreSQL: set DATABASE_URL to a PostgreSQL database")
    if node.get_closest_marker("redis") and redis_unavailable():
        missing.append(redis_unavailable())
    if missing:
        _absent("; ".join(missing))


@pytest.fixture(autouse=True)
def _required_services(request):
    require_services(request.node)
    if request.node.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        _absent("needs Chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo organisation once into the test database."""
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    with django_db_blocker.unblock():
        load_demo()
        load_demo_routes()
    yield
    # a connection a thread or worker of a fault test left open must not stop the test
    # database from being dropped
    if on_postgres():
        from django.db import connection

        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def demo_user(db):
    """Return a demo user by username."""

    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def client_for(client, demo_user):
    """A test client signed in as the named demo user."""

    def login(username: str):
        client.force_login(demo_user(username))
        return client

    return login


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Vietnamese: a request in English activates English in the thread,
    which would otherwise carry into the next test's messages."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Files written by a test (dossiers, minutes) go to its own folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager_celery(monkeypatch):
    """Run .delay() in this process for the test, even when a broker is configured (CI)."""
    from project.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
