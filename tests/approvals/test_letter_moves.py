"""A letter moves as one: each of its nominations gets what a single approval gives it, in
a number of statements that does not grow with the letter (services.nominations.moves_apply).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import STATUS

from approvals.models import AuditEvent, Campaign, Nomination, Notification, Unit
from approvals.services.audit import audit_verify
from approvals.services.letters import letter_act, letter_create
from approvals.services.nominations import Action
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import nominate

pytestmark = pytest.mark.django_db


def _letter_of(demo_user, count: int, *, first: int = 0):
    officer = demo_user("canbo.f3")
    letter = letter_create(
        actor=officer,
        unit=Unit.objects.get(code="f3"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        title=f"Đề nghị tặng Giấy khen ({count})",
    )
    nominations = [nominate(demo_user, index=first + i) for i in range(count)]
    Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(letter=letter)
    for nomination in nominations:
        complete_dossier(nomination, officer)
    return letter, nominations


def _submitted_then_approved(demo_user, letter, nominations) -> int:
    """Submit the letter, then the commander approves it; the approval's statement count."""
    letter_act(actor=demo_user("canbo.f3"), letter=letter, action=Action.APPROVE)
    commander = demo_user("chihuy.f3")
    for nomination in nominations:
        nomination.refresh_from_db()
        complete_dossier(nomination, commander)
    with CaptureQueriesContext(connection) as queries:
        letter_act(actor=commander, letter=letter, action=Action.APPROVE)
    return len(queries)


def test_a_letter_of_twelve_costs_the_statements_of_a_letter_of_two(demo_user):
    small, small_nominations = _letter_of(demo_user, 2)
    large, large_nominations = _letter_of(demo_user, 12, first=2)
    assert _submitted_then_approved(demo_user, small, small_nominations) == (
        _submitted_then_approved(demo_user, large, large_nominations)
    )


def test_each_nomination_of_a_letter_gets_its_own_task_event_audit_and_notice(demo_user):
    letter, nominations = _letter_of(demo_user, 4)
    audited = AuditEvent.objects.count()
    _submitted_then_approved(demo_user, letter, nominations)
    for nomination in Nomination.objects.filter(letter=letter).select_related("current_task"):
        assert nomination.stage_position == 3
        task = nomination.current_task
        assert (task.status, task.process_id) == (STATUS.NEW, nomination.process_id)
        assert list(nomination.events.values_list("action", flat=True)) == [
            "created",
            "submitted",
            "approved",
        ]
        # who acts at stage 3 was told, once per nomination
        assert Notification.objects.filter(nomination=nomination, kind="task").exists()
    verbs = list(AuditEvent.objects.order_by("sequence")[audited:].values_list("verb", flat=True))
    assert verbs.count("nomination.approved") == 4
    assert verbs.count("nomination.submitted") == 4
    assert audit_verify().intact
    assert len({n.current_task_id for n in Nomination.objects.filter(letter=letter)}) == 4


def test_the_next_office_gets_one_email_for_the_whole_letter(
    demo_user, django_capture_on_commit_callbacks, mailoutbox, eager_celery
):
    letter, nominations = _letter_of(demo_user, 4)
    letter_act(actor=demo_user("canbo.f3"), letter=letter, action=Action.APPROVE)
    commander = demo_user("chihuy.f3")
    for nomination in nominations:
        nomination.refresh_from_db()
        complete_dossier(nomination, commander)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter_act(actor=commander, letter=letter, action=Action.APPROVE)

    told = Notification.objects.filter(
        nomination__in=nominations, kind="task", emailed_at__isnull=False
    )
    recipients = {n.recipient.email for n in told.filter(nomination__stage_position=3)}
    assert recipients  # whoever reviews at Quân khu 1
    assert sorted(address for m in mailoutbox for address in m.to) == sorted(recipients)
    for message in mailoutbox:  # one each, naming every nomination of the letter
        assert message.subject == "4 thông báo mới về đề nghị khen thưởng"
        for nomination in nominations:
            assert f"Đề nghị chờ xử lý: {nomination.nominee_name} — Giấy khen" in message.body
