"""Shared fixtures: the demo data set loaded once, demo users by name, service checks."""

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


@pytest.fixture(autouse=True)
def _required_services(request):
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if request.node.get_closest_marker("postgres") and not on_postgres:
        _absent("needs PostgreSQL: set DATABASE_URL to a PostgreSQL database")
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
