"""A Ministry council session with its whole roster able to sign in, for voting tests."""

import datetime

from django.utils import timezone

from approvals.models import AwardsCouncil, CouncilMembership
from approvals.selectors.nominations import acting_users
from approvals.services.voting import attendance_record, session_create
from tests.approvals.nomination_helpers import approve, nominate
from tests.factories.organisation import UserFactory

MEETING = datetime.date(2026, 11, 26)


def ministry_council() -> AwardsCouncil:
    return AwardsCouncil.objects.get(unit__code="bqp")


def roster_users(council: AwardsCouncil, day=MEETING) -> dict[int, object]:
    """Every roster member's user (made where the demo has none), by membership id."""
    users = {}
    for membership in council.roster_on(day).select_related("person__user"):
        person = membership.person
        if person.user is None:
            person.user = UserFactory(username=f"tv.{membership.pk}")
            person.save(update_fields=["user"])
        users[membership.pk] = person.user
    return users


def at_council_vote(demo_user, count: int, *, award="bk-bqp", start=0):
    """Nominations of Sư đoàn 3 carried to the Ministry council's vote stage."""
    result = []
    for index in range(start, start + count):
        nomination = nominate(demo_user, award=award, index=index)
        while nomination.current_stage.kind != "council_vote":
            nomination = approve(acting_users(nomination).first(), nomination)
        result.append(nomination)
    return result


def prepared_session(demo_user, nominations, *, present: int, written: int = 0):
    council = ministry_council()
    session = session_create(
        actor=demo_user("hd.thuky"),
        council=council,
        title="Phiên họp xét khen thưởng năm 2026",
        meeting_date=MEETING,
        voting_deadline=timezone.now() + datetime.timedelta(days=2),
        nominations=nominations,
    )
    ids = list(
        CouncilMembership.objects.filter(pk__in=session.attendances.values("membership_id"))
        .order_by("role_order", "pk")
        .values_list("pk", flat=True)
    )
    attendance_record(
        actor=demo_user("hd.thuky"),
        session=session,
        present=ids[:present],
        written=ids[present : present + written],
    )
    return session


def decide_by_council(demo_user, nominations, *, agree: int, council=None, chair=None):
    """Run a whole session on the nominations: all present, `agree` members agree on each."""
    from approvals.models import CouncilMembership
    from approvals.services import voting

    council = council or ministry_council()
    chair = chair or demo_user("hd.chutich")
    secretary = chair
    users = roster_users(council)
    session = session_create(
        actor=secretary,
        council=council,
        title="Phiên họp",
        meeting_date=MEETING,
        voting_deadline=timezone.now() + datetime.timedelta(days=1),
        nominations=nominations,
    )
    members = list(
        CouncilMembership.objects.filter(pk__in=session.attendances.values("membership_id"))
    )
    attendance_record(actor=secretary, session=session, present=[m.pk for m in members], written=[])
    session = voting.voting_open(actor=chair, session=session)
    items = list(session.items.values_list("pk", flat=True))
    for index, membership in enumerate(members):
        user = users[membership.pk]
        recused = voting.recused_item_ids(session, membership)
        choice = "agree" if index < agree else "disagree"
        voting.ballot_cast(
            actor=user,
            session=session,
            choices={pk: choice for pk in items if pk not in recused},
        )
    session = voting.voting_close(actor=chair, session=session)
    session = voting.session_conclude(actor=chair, session=session)
    voting.session_results_apply(session=session)
    return [n.__class__.objects.get(pk=n.pk) for n in nominations]
