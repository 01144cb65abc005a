import datetime

import pytest

from approvals.demo import data
from approvals.models import AwardsCouncil, AwardVersion
from tests.factories.organisation import CouncilFactory, CouncilMembershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_roster_at_a_past_date_shows_the_members_of_that_day():
    council = CouncilFactory()
    stays = CouncilMembershipFactory(council=council, role="chair")
    left = CouncilMembershipFactory(council=council, end_date=D(2025, 6, 30))
    joined = CouncilMembershipFactory(council=council, start_date=D(2025, 7, 1))

    assert {m.pk for m in council.roster_on(D(2025, 6, 30))} == {stays.pk, left.pk}
    assert {m.pk for m in council.roster_on(D(2025, 7, 1))} == {stays.pk, joined.pk}
    assert list(council.roster_on(D(2023, 12, 31))) == []


def test_roster_is_one_query_and_lists_the_chair_first(django_assert_num_queries):
    council = AwardsCouncil.objects.get(unit__code="bqp")
    with django_assert_num_queries(1):
        roster = list(council.roster_on(D(2026, 11, 1)))
    assert len(roster) == data.MINISTRY_COUNCIL_SIZE
    assert roster[0].role == "chair"


def test_demo_ministry_council_changed_one_seat_in_july_2025():
    council = AwardsCouncil.objects.get(unit__code="bqp")
    before = {m.person_id for m in council.roster_on(D(2025, 6, 30))}
    after = {m.person_id for m in council.roster_on(D(2025, 7, 1))}
    assert len(before) == len(after) == data.MINISTRY_COUNCIL_SIZE
    assert len(before - after) == 1 and len(after - before) == 1


@pytest.mark.parametrize(("members", "quorum"), [(17, 12), (9, 6), (7, 5), (3, 2), (1, 1)])
def test_quorum_is_two_thirds_rounded_up(members, quorum):
    assert AwardsCouncil(quorum_numerator=2, quorum_denominator=3).quorum_for(members) == quorum


@pytest.mark.parametrize(
    ("percent", "rule", "members", "needed"),
    [
        (90, "gte", 17, 16),  # 15.3 → 16
        (90, "gte", 10, 9),  # exactly 9
        (90, "gte", 25, 23),  # 22.5 → 23
        (50, "gt", 17, 9),  # more than 8.5
        (50, "gt", 10, 6),  # more than 5
        (50, "gt", 9, 5),
    ],
)
def test_required_agree_votes_count_on_the_whole_council(percent, rule, members, needed):
    version = AwardVersion(vote_threshold_percent=percent, threshold_rule=rule)
    assert version.required_agree_votes(members) == needed
