"""Bloc reviews in every state, through the services, for the permission matrix.

"Own": reviews of Khối 2 (QK3 leads it every year here), with QK1's and QK3's officers as
their units' delegates. "Other": reviews of a bloc of two test units, whose officer and
delegates are made here and none of the matrix's users.
"""

import datetime

from approvals.models import BlocCriterion, BlocLeadership, BlocMembership, EmulationBloc, Unit
from approvals.services import bloc_reviews as services
from approvals.services.roles import role_grant
from tests.factories.organisation import UnitFactory, UserFactory

# state -> year of its review (the closed one is in the demo campaign's year)
STATES = {
    "review_closed": 2026,
    "review_preparing": 2027,
    "review_scoring": 2028,
    "review_acclaiming": 2029,
    "review_tied": 2030,
}
OWN_DELEGATES = {"qk1": "canbo.qk1", "qk3": "canbo.qk3"}


def _bloc_reviews(bloc, officer, delegates: dict[int, object], leader: Unit):
    reviews = {}
    for state, year in STATES.items():
        BlocLeadership.objects.get_or_create(bloc=bloc, year=year, defaults={"leader": leader})
        for order, name in enumerate(("Huấn luyện, sẵn sàng chiến đấu", "Xây dựng chính quy")):
            BlocCriterion.objects.create(bloc=bloc, year=year, name=name, weight=2 - order)
        review = services.review_create(
            actor=officer,
            bloc=bloc,
            year=year,
            title=f"Hội nghị bình xét {bloc.code} năm {year}",
            meeting_date=datetime.date(year, 11, 5),
            delegates=delegates,
            tie_rule="leader_decides" if state == "review_tied" else "second_round",
        )
        if state != "review_preparing":
            review = services.scoring_open(actor=officer, review=review)
        if state not in ("review_preparing", "review_scoring"):
            review = services.acclaim_open(actor=officer, review=review)
        reviews[state] = review
    return reviews


def _cast(review, ballots: dict[object, list[Unit]]):
    for user, units in ballots.items():
        services.acclaim_cast(actor=user, review=review, units=[unit.pk for unit in units])


def reviews_in_every_state(demo_user) -> dict[str, dict]:
    officer = demo_user("khoi2.canbo")
    khoi2 = EmulationBloc.objects.get(code="khoi-2")
    members = list(khoi2.members_in(2026))
    users = {
        unit.pk: demo_user(OWN_DELEGATES[unit.code])
        if unit.code in OWN_DELEGATES
        else UserFactory(username=f"daibieu.{unit.code}")
        for unit in members
    }
    qk1, qk3 = Unit.objects.get(code="qk1"), Unit.objects.get(code="qk3")
    own = _bloc_reviews(khoi2, officer, users, leader=qk3)
    # QK1 is acclaimed (its delegate votes for QK3); in the tied review QK1 and QK3 tie
    _cast(
        own["review_closed"], {user: [qk3 if pk == qk1.pk else qk1] for pk, user in users.items()}
    )
    services.acclaim_close(actor=officer, review=own["review_closed"])
    _cast(own["review_tied"], {users[qk1.pk]: [qk3], users[qk3.pk]: [qk1]})
    services.acclaim_close(actor=officer, review=own["review_tied"])

    other_bloc = EmulationBloc.objects.get(code="khoi-thu")
    first, second = UnitFactory(), UnitFactory()
    for unit in (first, second):
        BlocMembership.objects.create(bloc=other_bloc, unit=unit, start_year=2024)
    other_officer = UserFactory(username="canbo.khoi-thu")
    role_grant(actor=None, user=other_officer, role="bloc_officer", bloc=other_bloc)
    a, b = UserFactory(username="daibieu.thu-a"), UserFactory(username="daibieu.thu-b")
    other = _bloc_reviews(other_bloc, other_officer, {first.pk: a, second.pk: b}, leader=first)
    _cast(other["review_closed"], {a: [second]})
    services.acclaim_close(actor=other_officer, review=other["review_closed"])
    _cast(other["review_tied"], {a: [second], b: [first]})
    services.acclaim_close(actor=other_officer, review=other["review_tied"])
    for side in (own, other):
        for state, review in side.items():
            review.refresh_from_db()
            assert (
                review.status
                == {
                    "review_closed": "closed",
                    "review_preparing": "preparing",
                    "review_scoring": "scoring",
                    "review_acclaiming": "acclaiming",
                    "review_tied": "closed",
                }[state]
            )
    return {"own": own, "other": other}
