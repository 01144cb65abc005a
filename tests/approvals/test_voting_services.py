"""Council sessions: quorum, secret ballot, counting on the whole roster, conclusion."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals.models import AgendaItem, NominationStatus, SessionStatus
from approvals.models.catalogue import agree_votes_needed
from approvals.services import voting
from tests.approvals.voting_helpers import (
    at_council_vote,
    ministry_council,
    prepared_session,
    roster_users,
)

pytestmark = pytest.mark.django_db


def _vote_all(session, users, *, agree_on=lambda item_pk, voter_index: True, opinions=None):
    receipts = []
    items = list(session.items.filter(round=session.round).values_list("pk", flat=True))
    absent = set(
        session.attendances.filter(status="absent").values_list("membership_id", flat=True)
    )
    voters = [user for membership_id, user in users.items() if membership_id not in absent]
    for index, user in enumerate(voters):
        recused = voting.recused_item_ids(session, voting.membership_of(user, session))
        choices = {
            pk: "agree" if agree_on(pk, index) else "disagree" for pk in items if pk not in recused
        }
        receipts.append(
            voting.ballot_cast(actor=user, session=session, choices=choices, opinions=opinions)
        )
    return receipts


def test_without_quorum_the_chair_cannot_open_the_vote(demo_user):
    nominations = at_council_vote(demo_user, 1)
    session = prepared_session(demo_user, nominations, present=11)  # 17 members: 12 needed
    with pytest.raises(ValidationError) as refused:
        voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    assert "có mặt 11/17 thành viên, cần ít nhất 12" in str(refused.value)
    session.refresh_from_db()
    assert session.status == SessionStatus.PREPARING


def test_a_quorum_opens_the_vote_and_the_result_counts_on_the_whole_roster(demo_user):
    council = ministry_council()
    users = roster_users(council)
    nominations = at_council_vote(demo_user, 2)
    session = prepared_session(demo_user, nominations, present=12, written=2)
    with pytest.raises(PermissionDenied):
        voting.voting_open(actor=demo_user("hd.thuky"), session=session)  # the chair opens it
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    first, second = session.items.order_by("nomination_id")
    # 14 ballots (12 present + 2 written); > 50% of 17 needs 9
    assert first.required_agree == 9
    _vote_all(
        session,
        users,
        agree_on=lambda pk, i: pk == first.pk or i < 8,
    )
    session = voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.agree, first.disagree, first.passed) == (14, 0, True)
    assert (second.agree, second.disagree, second.passed) == (8, 6, False)

    session = voting.session_conclude(
        actor=demo_user("hd.chutich"), session=session, conclusion="Thống nhất như kết quả."
    )
    assert voting.session_results_apply(session=session) == 2
    assert voting.session_results_apply(session=session) == 0  # idempotent
    passed, failed = (n.__class__.objects.get(pk=n.pk) for n in nominations)
    assert passed.current_stage.kind == "decision"
    assert failed.status == NominationStatus.REJECTED
    assert "8/17" in failed.events.last().comment


@pytest.mark.parametrize(
    ("size", "percent", "rule", "needed"),
    [
        (17, 90, "gte", 16),
        (17, 50, "gt", 9),
        (20, 90, "gte", 18),
        (20, 50, "gt", 11),
        (10, 90, "gte", 9),
        (9, 90, "gte", 9),
        (25, 50, "gt", 13),
        (24, 50, "gt", 13),
    ],
)
def test_thresholds_round_explicitly(size, percent, rule, needed):
    assert agree_votes_needed(size, percent, rule) == needed


def test_a_member_votes_once_and_only_in_their_own_council(demo_user):
    users = roster_users(ministry_council())
    nominations = at_council_vote(demo_user, 1)
    session = prepared_session(demo_user, nominations, present=17)
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    item = session.items.get()
    voter = demo_user("hd.uyvien1")
    receipt = voting.ballot_cast(actor=voter, session=session, choices={item.pk: "agree"})
    with pytest.raises(ValidationError):
        voting.ballot_cast(actor=voter, session=session, choices={item.pk: "disagree"})
    with pytest.raises(PermissionDenied):
        voting.ballot_cast(actor=demo_user("canbo.f3"), session=session, choices={item.pk: "agree"})
    with pytest.raises(ValidationError):  # an incomplete ballot
        voting.ballot_cast(actor=demo_user("hd.uyvien2"), session=session, choices={})
    assert voting.receipt_counted(session, receipt)
    assert not voting.receipt_counted(session, "0000-0000-0000-0000")
    assert len(users) == 17


def test_results_stay_hidden_until_the_vote_closes_and_the_chair_cannot_flip_them(demo_user):
    users = roster_users(ministry_council())
    nominations = at_council_vote(demo_user, 1)
    session = prepared_session(demo_user, nominations, present=17)
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    _vote_all(session, users, agree_on=lambda pk, i: i < 5)
    item = AgendaItem.objects.get(session=session)
    assert (item.agree, item.passed) == (None, None)  # nothing counted before the close
    with pytest.raises(ValidationError):
        voting.session_conclude(actor=demo_user("hd.chutich"), session=session)
    session = voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    session = voting.session_conclude(
        actor=demo_user("hd.chutich"), session=session, conclusion="Đề nghị được thông qua."
    )
    item.refresh_from_db()
    assert item.passed is False  # the conclusion's words do not change the count
    voting.session_results_apply(session=session)
    assert nominations[0].__class__.objects.get(pk=nominations[0].pk).status == "rejected"


def test_a_second_round_for_items_that_fell_short(demo_user):
    users = roster_users(ministry_council())
    nominations = at_council_vote(demo_user, 2)
    session = prepared_session(demo_user, nominations, present=17)
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    first, second = session.items.order_by("nomination_id")
    _vote_all(session, users, agree_on=lambda pk, i: pk == first.pk or i < 6)
    session = voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    with pytest.raises(ValidationError):  # a passed item cannot be voted again
        voting.session_conclude(
            actor=demo_user("hd.chutich"), session=session, second_round=[first.pk]
        )
    session = voting.session_conclude(
        actor=demo_user("hd.chutich"), session=session, second_round=[second.pk]
    )
    assert (session.round, session.status) == (2, SessionStatus.VOTING)
    _vote_all(session, users, agree_on=lambda pk, i: i < 12)
    session = voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    session = voting.session_conclude(actor=demo_user("hd.chutich"), session=session)
    assert voting.session_results_apply(session=session) == 2
    moved = [n.__class__.objects.get(pk=n.pk) for n in nominations]
    assert [n.current_stage.kind for n in moved] == ["decision", "decision"]
    assert session.items.get(round=2).agree == 12


def test_a_member_from_the_nominating_units_chain_does_not_vote_on_it(demo_user):
    from approvals.models import Unit

    council = ministry_council()
    users = roster_users(council)
    nominations = at_council_vote(demo_user, 1)
    session = prepared_session(demo_user, nominations, present=17)
    # one member serves in Quân khu 1, above the nominating Sư đoàn 3
    member = (
        session.attendances.select_related("membership__person")
        .filter(membership__role="member")
        .first()
        .membership
    )
    member.person.unit = Unit.objects.get(code="qk1")
    member.person.save(update_fields=["unit"])
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    item = session.items.get()
    with pytest.raises(ValidationError):
        voting.ballot_cast(actor=users[member.pk], session=session, choices={item.pk: "agree"})
    assert voting.ballot_cast(actor=users[member.pk], session=session, choices={})
    _vote_all(
        ({**{}, **{}} and session) or session, {k: v for k, v in users.items() if k != member.pk}
    )
    session = voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    item.refresh_from_db()
    assert (item.agree, item.disagree, item.recused) == (16, 0, 1)


@pytest.mark.parametrize(("agree", "passed"), [(9, True), (8, False)])
def test_exactly_at_the_threshold_passes_and_one_below_fails(demo_user, agree, passed):
    """More than 50% of 17 members is 9 agree votes: 9 passes, 8 does not."""
    from tests.approvals.voting_helpers import decide_by_council

    (nomination,) = decide_by_council(demo_user, at_council_vote(demo_user, 1), agree=agree)
    item = nomination.agenda_items.get()
    assert (item.required_agree, item.agree, item.disagree, item.passed) == (
        9,
        agree,
        17 - agree,
        passed,
    )
    expected = "decision" if passed else None
    assert (nomination.current_stage.kind if nomination.is_active else None) == expected


def test_ninety_percent_of_seventeen_needs_sixteen(demo_user):
    """Cờ thi đua-style thresholds: ≥ 90% of the whole roster, rounded up, 15 is not enough."""
    from tests.approvals.voting_helpers import decide_by_council

    nominations = at_council_vote(demo_user, 1)
    # the stage's settings set the threshold; it is fixed when the session is created
    stage = nominations[0].current_stage
    stage.settings = {**stage.settings, "threshold_percent": 90, "threshold_rule": "gte"}
    stage.save(update_fields=["settings"])
    (nomination,) = decide_by_council(demo_user, nominations, agree=15)
    item = nomination.agenda_items.get()
    assert (item.required_agree, item.agree, item.passed) == (16, 15, False)


def test_the_close_rewrites_every_anonymous_row_as_it_was_in_a_new_order(demo_user):
    """The close's shuffle keeps every key, item, choice and opinion, and no row's place."""
    from approvals.models import Ballot, BallotChoice
    from bench.secrecy_checks import stored_orders

    users = roster_users(ministry_council())
    nominations = at_council_vote(demo_user, 2)
    session = prepared_session(demo_user, nominations, present=17)
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    _vote_all(
        session,
        users,
        agree_on=lambda pk, index: index % 3 != 0,
        opinions={pk: f"Ý kiến {pk}" for pk in session.items.values_list("pk", flat=True)},
    )
    choices = BallotChoice.objects.filter(item__session=session)
    ballots = Ballot.objects.filter(session=session)
    columns = ("pk", "item_id", "choice", "opinion")
    before = (set(choices.values_list(*columns)), set(ballots.values_list("pk", "receipt_hash")))
    order_before = stored_orders(BallotChoice, choices)["physical"]
    session = voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    after = (set(choices.values_list(*columns)), set(ballots.values_list("pk", "receipt_hash")))
    assert after == before and len(before[0]) == 34 and len(before[1]) == 17
    # 34 rows: the same order again would happen once in 34! closes
    assert stored_orders(BallotChoice, choices)["physical"] != order_before
    counts = {
        item.pk: (item.agree, item.disagree, item.recused, item.passed)
        for item in session.items.all()
    }
    # 17 voters, every third disagrees (indexes 0, 3, ..., 15: 6); > 50% of 17 needs 9
    assert set(counts.values()) == {(11, 6, 0, True)}


def test_the_close_runs_no_statement_per_item_or_per_ballot(
    demo_user, django_assert_max_num_queries
):
    users = roster_users(ministry_council())
    chair = demo_user("hd.chutich")
    session = prepared_session(demo_user, at_council_vote(demo_user, 3), present=17)
    session = voting.voting_open(actor=chair, session=session)
    _vote_all(session, users)
    # savepoint, session lock, scope, marks, tally (2 on SQLite), recusals (one item list,
    # one UPDATE per distinct count), ballots and choices rewritten (3 each on SQLite, one
    # executemany for the inserts; 1 each on PostgreSQL), session, audit (3), release
    with django_assert_max_num_queries(19):
        voting.voting_close(actor=chair, session=session)
    assert set(session.items.values_list("agree", "passed")) == {(17, True)}
