"""Fixtures of the fault tests: committed demo data for transactional tests on PostgreSQL."""

import pytest

from approvals.models import Unit


def load_demo_if_flushed() -> None:
    """Transactional tests empty the database when they end; put the demo back if so."""
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    if not Unit.objects.filter(code="bqp").exists():
        load_demo()
        load_demo_routes()


@pytest.fixture(scope="package", autouse=True)
def _demo_back_after_the_faults(django_db_setup, django_db_blocker):
    """After the last fault test's flush, the demo is back for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        load_demo_if_flushed()


@pytest.fixture
def committed_demo(transactional_db):
    """The demo data, committed, so that other connections and processes see it."""
    load_demo_if_flushed()


@pytest.fixture
def start_worker(tmp_path, request, capsys):
    """Start real Celery workers on the Redis broker (the queue purged first); all are stopped
    at the end, and their logs printed if the test failed."""
    from project.celery import app
    from tests.worker_process import Worker

    app.control.purge()  # what earlier tests enqueued without a worker
    started: list[Worker] = []

    def start(name: str = "worker", **options) -> Worker:
        worker = Worker(tmp_path / name, **options)
        started.append(worker)
        return worker.start()

    failed_before = request.session.testsfailed
    yield start
    for worker in started:
        worker.stop()
    if request.session.testsfailed > failed_before:
        with capsys.disabled():
            for worker in started:
                print(worker.tail())
