"""Fifty council members submitting at the same moment, each on their own connection."""

import datetime
import threading

import pytest
from django.db import connection

from approvals.models import AgendaItem, Ballot, CouncilMembership, VoteMark
from approvals.services import voting
from tests.approvals.voting_helpers import (
    MEETING,
    at_council_vote,
    ministry_council,
    prepared_session,
)
from tests.factories.organisation import PersonFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
MEMBERS = 50


@pytest.fixture
def demo_restored():
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    load_demo()
    load_demo_routes()
    yield
    load_demo()  # the transactional test empties the database when it ends
    load_demo_routes()


def test_fifty_simultaneous_ballots_are_each_counted_once(demo_user, demo_restored):
    council = ministry_council()
    CouncilMembership.objects.filter(council=council).update(
        end_date=MEETING - datetime.timedelta(days=1)
    )
    for index in range(MEMBERS):
        person = PersonFactory(unit=council.unit, user=UserFactory(username=f"uv{index:02d}"))
        CouncilMembership.objects.create(
            council=council, person=person, role="member", start_date=datetime.date(2026, 1, 1)
        )
    nominations = at_council_vote(demo_user, 2)
    session = prepared_session(demo_user, nominations, present=MEMBERS)
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    first, second = session.items.order_by("pk").values_list("pk", flat=True)
    users = {
        m.pk: m.person.user
        for m in CouncilMembership.objects.filter(
            pk__in=session.attendances.values("membership_id")
        ).select_related("person__user")
    }
    barrier = threading.Barrier(MEMBERS)
    errors, receipts = [], []

    def cast(index: int, user):
        try:
            barrier.wait(timeout=30)
            choice = "agree" if index % 5 else "disagree"  # 40 agree, 10 disagree on the first
            receipts.append(
                voting.ballot_cast(
                    actor=user, session=session, choices={first: choice, second: "agree"}
                )
            )
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(i, u)) for i, u in enumerate(users.values())]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(receipts)) == MEMBERS
    assert VoteMark.objects.filter(session=session).count() == MEMBERS
    assert Ballot.objects.filter(session=session).count() == MEMBERS
    voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    one, two = AgendaItem.objects.filter(session=session).order_by("pk")
    assert (one.agree, one.disagree, two.agree, two.disagree) == (40, 10, 50, 0)
    assert all(voting.receipt_counted(session, receipt) for receipt in receipts)
