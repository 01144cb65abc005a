"""Nothing stored or logged links a council member to what they voted.

See docs/ballot-secrecy.md. Runs on PostgreSQL, where the system columns (xmin, ctid) that
could betray the order of writing exist.
"""

import logging
import uuid

import pytest
from django.apps import apps
from django.db import connection, models

from approvals.models import AuditEvent, Ballot, BallotChoice, VoteMark
from approvals.services import voting
from tests.approvals.voting_helpers import (
    at_council_vote,
    ministry_council,
    prepared_session,
    roster_users,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
ANONYMOUS = (Ballot, BallotChoice)
IDENTIFYING = {"CouncilMembership", "Person", "User", "VoteMark", "Attendance", "AuditEvent"}


def test_the_anonymous_tables_cannot_point_to_a_member_a_time_or_an_order():
    for model in ANONYMOUS:
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None:
                assert field.related_model.__name__ not in IDENTIFYING, (model, field.name)
            assert not isinstance(field, models.DateTimeField | models.DateField), field
        assert isinstance(model._meta.pk, models.UUIDField)
    # and nothing identifying points to them
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model in ANONYMOUS:
                assert model in ANONYMOUS or model.__name__ == "AgendaItem", (model, field)


def _system_columns(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text, ctid::text FROM {table}")  # noqa: S608
        return cursor.fetchall()


def test_after_three_votes_no_query_over_the_ballot_tables_tells_whose_is_whose(demo_user, caplog):
    users = roster_users(ministry_council())
    nominations = at_council_vote(demo_user, 2)
    session = prepared_session(demo_user, nominations, present=17)
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    first, second = session.items.order_by("pk").values_list("pk", flat=True)
    voters = [demo_user("hd.uyvien1"), demo_user("hd.uyvien2"), demo_user("hd.uyvien3")]
    plan = [
        ({first: "agree", second: "agree"}, "Ý kiến riêng thứ nhất"),
        ({first: "disagree", second: "agree"}, ""),
        ({first: "agree", second: "disagree"}, "Ý kiến riêng thứ ba"),
    ]
    with caplog.at_level(logging.DEBUG):
        for user, (choices, opinion) in zip(voters, plan, strict=True):
            voting.ballot_cast(
                actor=user, session=session, choices=choices, opinions={first: opinion}
            )
    # the logs and the audit trail say who voted, never what
    for record in caplog.records:
        text = record.getMessage()
        assert "agree" not in text and "Ý kiến riêng" not in text
    for event in AuditEvent.objects.filter(verb="ballot.cast"):
        assert set(event.data) == {"round"}
    assert VoteMark.objects.filter(session=session).count() == 3

    # the rest of the council votes so the round can close, then the close shuffles
    for user in users.values():
        if user not in voters:
            voting.ballot_cast(
                actor=user, session=session, choices={first: "agree", second: "agree"}
            )
    voting.voting_close(actor=demo_user("hd.chutich"), session=session)

    ballots = Ballot.objects.filter(session=session)
    choices = BallotChoice.objects.filter(item__session=session)
    assert ballots.count() == 17 and choices.count() == 34
    assert all(
        isinstance(pk, uuid.UUID) and pk.version == 4 for pk in ballots.values_list("pk", flat=True)
    )
    # every anonymous row now carries the one transaction id of the close, none of a voter's
    ballot_xmins = {x for x, _ in _system_columns(Ballot._meta.db_table)}
    choice_xmins = {x for x, _ in _system_columns(BallotChoice._meta.db_table)}
    mark_xmins = {x for x, _ in _system_columns(VoteMark._meta.db_table)}
    assert len(ballot_xmins) == 1 and ballot_xmins == choice_xmins
    assert not ballot_xmins & mark_xmins
    # the opinions are there for the minutes, unattributed
    opinions = set(choices.exclude(opinion="").values_list("opinion", flat=True))
    assert opinions == {"Ý kiến riêng thứ nhất", "Ý kiến riêng thứ ba"}
