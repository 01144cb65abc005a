"""What the bench does to which nomination: the routes as the demo users walk them.

Each nomination gets a path (its list of calls, in order); paths are then cut into waves,
the first call of every path, then the second, and so on, the way a batch moves through
the offices: everyone submits, then the commander approves them, and so on.
"""

from dataclasses import replace

from approvals.services.nominations import Action, ReturnTo
from bench.council import SECRETARY, CouncilVote
from bench.drive import DECIDE, Act, Create, DecideMany, LetterAct

UNIT_OFFICER = "canbo.f3"
COUNCIL = "council"

# The demo routes (workflows/demo.py) for a nomination of Sư đoàn 3, as (who, how).
ROUTES = {
    "giay-khen": [
        ("canbo.f3", Action.APPROVE),  # submit
        ("chihuy.f3", Action.APPROVE),
        ("canbo.qk1", Action.APPROVE),  # review at the parent command
        ("chihuy.qk1", DECIDE),  # decision: awarded
    ],
    "bk-bqp": [
        ("canbo.f3", Action.APPROVE),
        ("chihuy.f3", Action.APPROVE),
        ("canbo.qk1", Action.APPROVE),  # review at the direct command
        ("chihuy.qk1", Action.APPROVE),
        ("tth.canbo", Action.APPROVE),  # appraisal by the secretariat
        (SECRETARY, COUNCIL),  # the Ministry council's vote: one session (bench.council)
        ("bqp.thutruong", DECIDE),  # decision: awarded
    ],
}


def _call(username: str, how: str, nomination_id: int) -> Act:
    return Act(username=username, nomination_id=nomination_id, action=how)


def creates(
    *, award_code: str, person_ids: list[int], data, letter_ids: list[int] | None = None
) -> list[Create]:
    """One creation per person; with `letter_ids`, person i goes in letter_ids[i]."""
    return [
        Create(
            username=UNIT_OFFICER,
            submitting_unit_id=data.submitting_unit_id,
            campaign_id=data.campaign_id,
            award_code=award_code,
            person_id=person_id,
            letter_id=letter_ids[index] if letter_ids else 0,
        )
        for index, person_id in enumerate(person_ids)
    ]


def letters_route(award_code: str, letters: dict[int, list[int]]):
    """Every letter's nominations to the end of the route, a letter at a time: each office
    acts on the whole letter (letter_act), and the deciding authority issues one decision
    per letter. `letters` maps a letter's id to its nominations' ids."""
    waves = []
    for username, how in ROUTES[award_code]:
        if how == COUNCIL:
            raise ValueError("letters_route: a council vote is a session, not a letter's step")
        if how == DECIDE:
            waves.append([DecideMany(username, tuple(ids)) for ids in letters.values()])
        else:
            waves.append(
                [
                    LetterAct(username, letter_id, len(ids), how)
                    for letter_id, ids in letters.items()
                ]
            )
    return waves


def full_route(award_code: str, nomination_ids: list[int], *, vote_fails_every: int = 0):
    """Every nomination to the end of its route (1 in `vote_fails_every` loses the vote).

    A council vote is one wave of its own, a CouncilVote; whoever loses it goes no further.
    """
    every = vote_fails_every
    failing = frozenset(
        pk for i, pk in enumerate(nomination_ids) if every and i % every == every - 1
    )
    waves, going_on = [], list(nomination_ids)
    for username, how in ROUTES[award_code]:
        if how == COUNCIL:
            waves.append(CouncilVote(nomination_ids=tuple(going_on), failing_ids=failing))
            going_on = [pk for pk in going_on if pk not in failing]
        else:
            waves.append([_call(username, how, pk) for pk in going_on])
    return waves


def giay_khen_in_flight(nomination_ids: list[int]):
    """Left at every stage of giay-khen: draft, waiting at each office, returned, rejected."""
    steps = [_call(username, how, 0) for username, how in ROUTES["giay-khen"]]
    paths = []
    for index, nomination_id in enumerate(nomination_ids):
        kind = index % 6
        path = [replace(step, nomination_id=nomination_id) for step in steps[: min(kind, 3)]]
        if kind == 4:  # returned to the unit by Quân khu 1's officer, waiting for canbo.f3
            path = [
                *path[:2],
                Act(
                    username="canbo.qk1",
                    nomination_id=nomination_id,
                    action=Action.RETURN,
                    return_to=ReturnTo.UNIT,
                    comment="Bổ sung báo cáo thành tích có xác nhận.",
                ),
            ]
        elif kind == 5:  # rejected by the division commander
            path = [
                path[0],
                Act(
                    username="chihuy.f3",
                    nomination_id=nomination_id,
                    action=Action.REJECT,
                    comment="Chưa đủ tiêu chuẩn.",
                ),
            ]
        paths.append(path)
    return to_waves(paths)


def bk_bqp_in_flight(nomination_ids: list[int]):
    """Waiting at the Ministry: for the secretariat's appraisal, or for a council session."""
    route = ROUTES["bk-bqp"]
    paths = []
    for index, nomination_id in enumerate(nomination_ids):
        done = 4 + index % 2
        paths.append([_call(username, how, nomination_id) for username, how in route[:done]])
    return to_waves(paths)


def to_waves(paths: list[list[Act]]) -> list[list[Act]]:
    """Wave k holds the k-th call of every path that has one."""
    depth = max((len(path) for path in paths), default=0)
    return [[path[k] for path in paths if len(path) > k] for k in range(depth)]
