"""The audit trail is append-only and hash-chained: `verify_audit` finds any row edited,
deleted or forged, and sign-ins are in it."""

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from django.urls import reverse

from approvals.models import AuditChain, AuditEvent
from approvals.models.audit import ImmutableAuditError
from approvals.services.audit import audit_record, audit_verify, event_hash
from tests.approvals.nomination_helpers import move, nominate
from tests.conftest import on_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(demo_user):
    """A few state changes through the services, so that the chain has events to check."""
    move(demo_user, nominate(demo_user, index=0), "canbo.f3")
    nominate(demo_user, index=1)
    assert AuditEvent.objects.count() >= 4
    return list(AuditEvent.objects.order_by("sequence"))


def verify_output(capsys) -> str:
    call_command("verify_audit")
    return capsys.readouterr().out


def problems() -> str:
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    assert "Audit trail broken" in str(broken.value)
    return " ".join(audit_verify().problems)


def tamper(sql: str, *params) -> None:
    """Alter the trail as someone with database access would: the application refuses to."""
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", AuditEvent._meta.db_table), params)


def test_an_untouched_trail_verifies(trail, capsys):
    assert f"Audit trail intact: {len(trail)} events" in verify_output(capsys)
    sequences = [event.sequence for event in trail]
    assert sequences == list(range(1, len(trail) + 1))
    assert all(event.previous_hash == before.hash for before, event in itertools.pairwise(trail))


def test_an_edited_row_is_found(trail):
    edited = trail[2]
    tamper("UPDATE {table} SET data = %s WHERE id = %s", '{"status": "awarded"}', edited.pk)
    assert f"#{edited.sequence} (id {edited.pk}): content changed" in problems()


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(trail):
    edited = trail[1]
    edited.verb = "nomination.forged"
    edited.hash = event_hash(edited)
    tamper(
        "UPDATE {table} SET verb = %s, hash = %s WHERE id = %s", edited.verb, edited.hash, edited.pk
    )
    assert f"#{trail[2].sequence} (id {trail[2].pk}): does not follow" in problems()


def test_a_deleted_row_is_found(trail):
    deleted = trail[1]
    tamper("DELETE FROM {table} WHERE id = %s", deleted.pk)
    found = problems()
    assert f"expected #{deleted.sequence}, events are missing" in found


def test_the_last_row_deleted_is_found(trail):
    tamper("DELETE FROM {table} WHERE id = %s", trail[-1].pk)
    assert "events at the end are missing" in problems()


def test_a_forged_row_at_the_end_is_found(trail):
    last = trail[-1]
    forged = AuditEvent(
        sequence=last.sequence + 1,
        created_at=last.created_at,
        actor_name="tth.canbo",
        verb="nomination.approved",
        object_type="approvals.nomination",
        object_id="1",
        previous_hash=last.hash,
    )
    forged.hash = event_hash(forged)
    forged.save(force_insert=True)
    assert "the chain's head is at" in problems()


def test_an_event_moved_to_another_account_is_found(trail, demo_user):
    event = next(e for e in trail if e.actor_id)
    tamper(
        "UPDATE {table} SET actor_id = %s WHERE id = %s", demo_user("bqp.thutruong").pk, event.pk
    )
    assert f"#{event.sequence} (id {event.pk}): the account was changed" in problems()


def test_the_model_refuses_to_change_or_delete_an_event(trail):
    event = trail[0]
    event.verb = "changed"
    with pytest.raises(ImmutableAuditError):
        event.save()
    with pytest.raises(ImmutableAuditError):
        event.delete()
    with pytest.raises(ImmutableAuditError):  # nor in bulk
        AuditEvent.objects.filter(pk=event.pk).update(verb="changed")
    with pytest.raises(ImmutableAuditError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_sign_ins_sign_outs_and_refused_sign_ins_are_audited(client, demo_user):
    from approvals.demo.data import DEMO_PASSWORD

    client.post(reverse("login"), {"username": "canbo.f3", "password": "sai-mat-khau"})
    refused = AuditEvent.objects.get(verb="auth.login_failed")
    assert refused.data["username"] == "canbo.f3"
    assert "sai-mat-khau" not in str(refused.data)
    client.post(reverse("login"), {"username": "canbo.f3", "password": DEMO_PASSWORD})
    client.post(reverse("logout"))
    verbs = list(
        AuditEvent.objects.filter(actor=demo_user("canbo.f3")).values_list("verb", flat=True)
    )
    assert "auth.login" in verbs and "auth.logout" in verbs
    assert audit_verify().intact


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain(demo_user):
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    load_demo()  # a transactional test starts from an empty database
    load_demo_routes()
    assert on_postgres()
    user = demo_user("tth.canbo")
    errors = []

    def write(worker: int):
        try:
            for index in range(25):
                audit_record(actor=user, verb=f"bench.{worker}.{index}", obj=user)
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    check = audit_verify()
    assert check.intact, check.problems
    assert AuditChain.objects.get(pk=1).last_sequence == AuditEvent.objects.count()
