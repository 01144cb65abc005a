"""Every rule kind, table-driven, with its boundaries: the engine in services.eligibility.

Each case builds an award whose only rule is the one under test, the facts the rule reads,
and checks the outcome and what the explanation says.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.models import (
    AcclaimResult,
    Award,
    AwardRule,
    AwardVersion,
    BlocReview,
    Campaign,
    EmulationBloc,
    Initiative,
    Nomination,
    PendingCase,
    ServiceBreak,
    Unit,
)
from approvals.services.eligibility import Candidate, Outcome, check_candidates
from tests.approvals.test_registry import record, revoking_decision
from tests.factories.organisation import PersonFactory, UnitFactory
from workflows.models import RouteVersion

pytestmark = pytest.mark.django_db

D = datetime.date
_codes = itertools.count()


@pytest.fixture
def campaign():
    return Campaign.objects.get(code="tdqt-2026")  # 1 Jan – 31 Dec 2026


@pytest.fixture
def unit():
    return UnitFactory(parent=Unit.objects.get(code="f3"), strength=20)


def award_with(kind: str, params: dict, *, subject="individual", versions=None) -> Award:
    """An award whose versions each carry one rule: [(from, to, kind, params)]."""
    award = Award.objects.create(
        code=f"rule-test-{next(_codes)}", name="Danh hiệu thử", kind="title", subject=subject
    )
    for start, end, rule_kind, rule_params in versions or [(D(2020, 1, 1), None, kind, params)]:
        version = AwardVersion.objects.create(
            award=award,
            effective_from=start,
            effective_to=end,
            deciding_level="minister",
            vote_threshold_percent=50,
            threshold_rule="gt",
        )
        AwardRule.objects.create(
            version=version, kind=rule_kind, params=rule_params, description=f"Điều kiện {kind}"
        )
    return award


def verdict_for(award, campaign, unit, *, person=None, nominee_unit=None, nomination=None):
    if person is None and nominee_unit is None and nomination is None:
        person = PersonFactory(unit=unit)
    candidate = Candidate(
        award=award,
        campaign=campaign,
        submitting_unit=unit,
        person=person,
        nominee_unit=nominee_unit,
        nomination=nomination,
    )
    return check_candidates([candidate], today=D(2026, 11, 26))[0]


def only_result(verdict):
    (result,) = verdict.results
    return result


def nomination_row(award, campaign, unit, *, status="in_progress", person=None, nominee_unit=None):
    """A nomination in a given state, written directly: quotas and duplicates count these."""
    if person is None and nominee_unit is None:
        person = PersonFactory(unit=unit)
    return Nomination.objects.create(
        award=award,
        campaign=campaign,
        submitting_unit=unit,
        person=person,
        nominee_unit=nominee_unit,
        nominee_name=person.full_name if person else nominee_unit.name,
        achievements="Hoàn thành xuất sắc nhiệm vụ.",
        route_version=RouteVersion.objects.order_by("pk").first(),
        status=status,
    )


# -- prerequisites from earlier years -------------------------------------------------------


@pytest.mark.parametrize(
    ("held_years", "revoked_year", "outcome", "missing"),
    [
        ({2023, 2024, 2025}, None, Outcome.PASSED, ""),  # exactly the 3 preceding years
        ({2022, 2023, 2024, 2025}, None, Outcome.PASSED, ""),  # more than needed
        ({2024, 2025}, None, Outcome.FAILED, "2023"),  # only 2
        ({2022, 2024, 2025}, None, Outcome.FAILED, "2023"),  # a gap year breaks the run
        ({2023, 2024}, None, Outcome.FAILED, "2025"),  # the last year is missing
        ({2023, 2024, 2025}, 2024, Outcome.FAILED, "2024"),  # a revoked record does not count
    ],
)
def test_consecutive_prior_years(campaign, unit, held_years, revoked_year, outcome, missing):
    award = award_with("consecutive_prior", {"award": "cstdcs", "years": 3})
    person = PersonFactory(unit=unit)
    for year in held_years:
        fields = {"revoked_by": revoking_decision(f"{year}/QĐ-HUY")} if year == revoked_year else {}
        record(person, award="cstdcs", year=year, **fields)
    record(person, award="cstt", year=2023)  # another title never stands in for it
    result = only_result(verdict_for(award, campaign, unit, person=person))
    assert result.outcome == outcome
    if missing:
        assert f"chưa có năm {missing}" in result.explanation
        assert "3 năm liên tục" in result.remedy
    else:
        assert "2023, 2024, 2025" in result.explanation


# -- prerequisites in the same year ---------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "outcome"),
    [
        ("held_this_year", Outcome.PASSED),
        ("nominated_this_campaign", Outcome.PENDING),  # decided together at year end
        ("held_last_year", Outcome.FAILED),
        ("nomination_withdrawn", Outcome.FAILED),
        ("nothing", Outcome.FAILED),
    ],
)
def test_same_year_prerequisite(campaign, unit, setup, outcome):
    award = award_with("same_year", {"awards": ["cstt", "ldtt"]})
    person = PersonFactory(unit=unit)
    cstt = Award.objects.get(code="cstt")
    if setup == "held_this_year":
        record(person, award="ldtt", year=2026)
    elif setup == "nominated_this_campaign":
        nomination_row(cstt, campaign, unit, status="draft", person=person)
    elif setup == "held_last_year":
        record(person, award="cstt", year=2025)
    elif setup == "nomination_withdrawn":
        nomination_row(cstt, campaign, unit, status="withdrawn", person=person)
    verdict = verdict_for(award, campaign, unit, person=person)
    assert only_result(verdict).outcome == outcome
    assert verdict.eligible == (outcome != Outcome.FAILED)


def test_bloc_acclaim(campaign, unit):
    award = award_with("bloc_acclaim", {}, subject="collective")
    acclaimed, other = UnitFactory(parent=unit), UnitFactory(parent=unit)
    review = BlocReview.objects.create(
        bloc=EmulationBloc.objects.first(),
        year=2026,
        award=award,
        title="Hội nghị bình xét",
        meeting_date=D(2026, 11, 1),
    )
    AcclaimResult.objects.create(review=review, round=1, unit=acclaimed, votes=7, proposed=True)
    AcclaimResult.objects.create(review=review, round=1, unit=other, votes=2, proposed=False)
    assert only_result(verdict_for(award, campaign, unit, nominee_unit=acclaimed)).outcome == (
        Outcome.PASSED
    )
    refused = only_result(verdict_for(award, campaign, unit, nominee_unit=other))
    assert refused.outcome == Outcome.FAILED
    assert "suy tôn năm 2026" in refused.explanation


# -- quotas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_before", "outcome"),
    [(0, Outcome.PASSED), (1, Outcome.PASSED), (2, Outcome.FAILED)],  # 10% of 20 = 2
)
def test_quota_of_strength_at_and_over_the_cap(campaign, unit, submitted_before, outcome):
    award = award_with("quota_of_strength", {"percent": 10})
    for _ in range(submitted_before):
        nomination_row(award, campaign, UnitFactory(parent=unit))  # nominees in the subtree
    result = only_result(verdict_for(award, campaign, unit))
    assert result.outcome == outcome
    assert "quân số 20" in result.explanation
    assert f"đề nghị này: {submitted_before + 1}" in result.explanation


def test_quota_counts_in_flight_nominations_of_the_subtree_only(campaign, unit):
    award = award_with("quota_of_strength", {"percent": 10})  # cap 2
    for status in ("draft", "rejected", "withdrawn"):  # not counted
        nomination_row(award, campaign, unit, status=status)
    nomination_row(award, campaign, UnitFactory(), status="in_progress")  # another subtree
    nomination_row(award, campaign, unit, status="returned")  # counted: still in flight
    assert only_result(verdict_for(award, campaign, unit)).outcome == Outcome.PASSED
    nomination_row(award, campaign, unit, status="awarded")  # counted
    assert only_result(verdict_for(award, campaign, unit)).outcome == Outcome.FAILED


def test_quota_counts_earlier_rows_of_the_same_list(campaign, unit):
    award = award_with("quota_of_strength", {"percent": 10})  # cap 2
    people = PersonFactory.create_batch(3, unit=unit)
    candidates = [
        Candidate(award=award, campaign=campaign, submitting_unit=unit, person=p) for p in people
    ]
    outcomes = [only_result(v).outcome for v in check_candidates(candidates)]
    assert outcomes == [Outcome.PASSED, Outcome.PASSED, Outcome.FAILED]


def test_quota_rechecked_for_a_submitted_nomination_counts_it_once(campaign, unit):
    award = award_with("quota_of_strength", {"percent": 10})  # cap 2
    nomination_row(award, campaign, unit)
    mine = nomination_row(award, campaign, unit)
    assert only_result(verdict_for(award, campaign, unit, nomination=mine)).outcome == (
        Outcome.PASSED
    )


@pytest.mark.parametrize(("subunits", "outcome"), [(5, Outcome.PASSED), (4, Outcome.FAILED)])
def test_quota_of_units(campaign, unit, subunits, outcome):
    award = award_with("quota_of_units", {"percent": 20}, subject="collective")
    children = [UnitFactory(parent=unit) for _ in range(subunits)]
    # 20% of 5 subunits = 1 collective; of 4 = 0
    result = only_result(verdict_for(award, campaign, unit, nominee_unit=children[0]))
    assert result.outcome == outcome


@pytest.mark.parametrize(("holders", "outcome"), [(10, Outcome.PASSED), (9, Outcome.FAILED)])
def test_quota_of_another_titles_holders(campaign, unit, holders, outcome):
    award = award_with("quota_of_holders", {"award": "cstt", "percent": 10})
    cstt = Award.objects.get(code="cstt")
    for _ in range(holders):
        nomination_row(cstt, campaign, unit)
    # 10% of 10 holders = 1 (this one passes); of 9 = 0
    result = only_result(verdict_for(award, campaign, unit))
    assert result.outcome == outcome
    assert f"{holders} người đạt hoặc đang được đề nghị" in result.explanation


# -- minimum service, maternity leave counted -----------------------------------------------


@pytest.mark.parametrize(
    ("enlisted", "breaks", "counts_maternity", "outcome"),
    [
        (D(2001, 12, 31), [], True, Outcome.PASSED),  # 25 years exactly on 31 Dec 2026
        (D(2002, 1, 1), [], True, Outcome.FAILED),  # one day short
        (D(2001, 10, 1), [("maternity", D(2010, 1, 1), D(2010, 6, 30))], True, Outcome.PASSED),
        (D(2001, 10, 1), [("maternity", D(2010, 1, 1), D(2010, 6, 30))], False, Outcome.FAILED),
        (D(2001, 10, 1), [("unpaid_leave", D(2010, 1, 1), D(2010, 4, 1))], True, Outcome.PASSED),
        (D(2001, 10, 1), [("unpaid_leave", D(2010, 1, 1), D(2010, 4, 2))], True, Outcome.FAILED),
        (D(1995, 1, 1), [("discharge", D(2003, 1, 1), D(2004, 1, 1))], True, Outcome.FAILED),
        (D(1995, 1, 1), [("discharge", D(1998, 1, 1), D(2001, 12, 30))], True, Outcome.PASSED),
    ],
)
def test_minimum_continuous_service(campaign, unit, enlisted, breaks, counts_maternity, outcome):
    award = award_with(
        "min_service_years", {"years": 25, "count_maternity_leave": counts_maternity}
    )
    person = PersonFactory(unit=unit, enlistment_date=enlisted, gender="female")
    for kind, start, end in breaks:
        ServiceBreak.objects.create(person=person, kind=kind, start=start, end=end)
    result = only_result(verdict_for(award, campaign, unit, person=person))
    assert result.outcome == outcome
    if breaks and breaks[0][0] == "maternity" and counts_maternity:
        assert "181 ngày nghỉ thai sản" in result.explanation
    if outcome == Outcome.FAILED:
        assert "đủ 25 năm vào ngày" in result.explanation
        assert result.remedy


# -- initiatives ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "recognised", "outcome"),
    [
        (2, D(2026, 5, 1), Outcome.PASSED),  # regiment level, this year
        (5, D(2026, 5, 1), Outcome.PASSED),  # army-wide is above regiment
        (1, D(2026, 5, 1), Outcome.FAILED),  # grassroots level only
        (2, D(2025, 12, 31), Outcome.FAILED),  # last year's
        (None, None, Outcome.FAILED),
    ],
)
def test_initiative_level_and_year(campaign, unit, level, recognised, outcome):
    award = award_with("initiative", {"level": "regiment"})
    person = PersonFactory(unit=unit)
    if level:
        Initiative.objects.create(
            person=person, title="Cải tiến giá súng", level=level, recognised_on=recognised
        )
    result = only_result(verdict_for(award, campaign, unit, person=person))
    assert result.outcome == outcome
    if outcome == Outcome.FAILED:
        assert "cấp trung đoàn" in result.explanation


# -- exclusions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "opened", "closed", "outcome"),
    [
        ("discipline", D(2026, 10, 1), None, Outcome.FAILED),  # pending discipline case
        ("inspection", D(2026, 10, 1), D(2026, 12, 1), Outcome.FAILED),  # closes later
        ("complaint", D(2026, 1, 1), D(2026, 11, 25), Outcome.PASSED),  # closed yesterday
        ("discipline", D(2026, 11, 27), None, Outcome.PASSED),  # opens tomorrow
    ],
)
def test_pending_case(campaign, unit, kind, opened, closed, outcome):
    award = award_with("no_pending_discipline", {})
    person = PersonFactory(unit=unit)
    PendingCase.objects.create(
        person=person, kind=kind, reference="15/KL", opened_on=opened, closed_on=closed
    )
    result = only_result(verdict_for(award, campaign, unit, person=person))
    assert result.outcome == outcome
    if outcome == Outcome.FAILED:
        assert "15/KL" in result.explanation
        assert "kết luận" in result.remedy


def test_pending_case_of_a_collective(campaign, unit):
    award = award_with("no_pending_discipline", {}, subject="collective")
    inspected = UnitFactory(parent=unit)
    PendingCase.objects.create(
        unit=inspected, kind="inspection", reference="TT-9", opened_on=D(2026, 3, 1)
    )
    assert only_result(verdict_for(award, campaign, unit, nominee_unit=inspected)).failed


@pytest.mark.parametrize(
    ("other_status", "outcome"),
    [
        ("draft", Outcome.FAILED),
        ("in_progress", Outcome.FAILED),
        ("awarded", Outcome.FAILED),
        ("withdrawn", Outcome.PASSED),
        ("rejected", Outcome.PASSED),
        (None, Outcome.PASSED),
    ],
)
def test_nominated_twice_in_a_campaign(campaign, unit, other_status, outcome):
    award = award_with("once_per_campaign", {})
    person = PersonFactory(unit=unit)
    if other_status:
        nomination_row(award, campaign, unit, status=other_status, person=person)
    assert only_result(verdict_for(award, campaign, unit, person=person)).outcome == outcome


def test_the_same_person_twice_in_one_list(campaign, unit):
    award = award_with("once_per_campaign", {})
    person = PersonFactory(unit=unit)
    row = Candidate(award=award, campaign=campaign, submitting_unit=unit, person=person)
    first, second = check_candidates([row, row])
    assert first.eligible and not second.eligible


@pytest.mark.parametrize(("year", "outcome"), [(2026, Outcome.FAILED), (2025, Outcome.PASSED)])
def test_the_same_achievement_is_not_awarded_twice(campaign, unit, year, outcome):
    award = award_with("not_awarded_twice", {})
    person = PersonFactory(unit=unit)
    record(person, award=award.code, year=year, decision_number="77/QĐ-BQP")
    result = only_result(verdict_for(award, campaign, unit, person=person))
    assert result.outcome == outcome
    if outcome == Outcome.FAILED:
        assert "77/QĐ-BQP" in result.explanation


# -- effective dates ------------------------------------------------------------------------


def test_the_rule_in_force_on_the_campaigns_start_applies_all_campaign(campaign, unit):
    """The rule changes on 1 July 2026, mid-campaign: the 2026 campaign (from 1 January) keeps
    the old rule; a campaign starting after 1 July takes the new one."""
    award = award_with(
        "",
        {},
        versions=[
            (D(2020, 1, 1), D(2026, 6, 30), "consecutive_prior", {"award": "cstdcs", "years": 3}),
            (D(2026, 7, 1), None, "consecutive_prior", {"award": "cstdcs", "years": 2}),
        ],
    )
    person = PersonFactory(unit=unit)
    record(person, award="cstdcs", year=2024)
    record(person, award="cstdcs", year=2025)
    old = verdict_for(award, campaign, unit, person=person)
    assert old.version.effective_from == D(2020, 1, 1)
    assert only_result(old).failed  # 3 years needed, 2 held
    later = Campaign.objects.create(
        code="dot-cuoi-2026",
        name="Đợt thi đua 6 tháng cuối năm 2026",
        kind="thematic",
        year=2026,
        start_date=D(2026, 7, 1),
        end_date=D(2026, 12, 31),
        submission_deadline=D(2026, 12, 10),
    )
    new = verdict_for(award, later, unit, person=person)
    assert new.version.effective_from == D(2026, 7, 1)
    assert only_result(new).outcome == Outcome.PASSED


def test_no_version_in_force_fails_with_a_reason(unit):
    award = award_with("", {}, versions=[(D(2027, 1, 1), None, "once_per_campaign", {})])
    verdict = verdict_for(award, Campaign.objects.get(code="tdqt-2026"), unit)
    assert not verdict.eligible
    assert "không có tiêu chuẩn có hiệu lực" in verdict.failures[0].explanation


# -- bounded queries ------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_candidates(campaign, unit):
    award = Award.objects.get(code="cstdcs")  # same year, initiative, quota, exclusions

    def queries_for(count: int) -> int:
        people = PersonFactory.create_batch(count, unit=unit)
        candidates = [
            Candidate(award=award, campaign=campaign, submitting_unit=unit, person=p)
            for p in people
        ]
        with CaptureQueriesContext(connection) as captured:
            verdicts = check_candidates(candidates)
        assert len(verdicts) == count
        return len(captured)

    assert queries_for(3) == queries_for(60)


# -- rules are configured as data: the admin checks their parameters -----------------------


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("consecutive_prior", {"award": "cstdcs"}, "Thiếu tham số “years”"),
        ("consecutive_prior", {"award": "khong-co", "years": 3}, "Không có danh hiệu mã"),
        ("consecutive_prior", {"award": "cstdcs", "years": "ba"}, "sai kiểu"),
        ("quota_of_strength", {"percent": 0}, "phải lớn hơn 0"),
        ("quota_of_strength", {"percent": 10, "cap": 3}, "không dùng cho loại điều kiện này"),
        ("initiative", {"level": "tinh"}, "Cấp sáng kiến phải là một trong"),
        ("min_service_years", {"years": 25, "count_maternity_leave": "có"}, "sai kiểu"),
        ("same_year", [], "phải là một đối tượng JSON"),
    ],
)
def test_a_rule_with_bad_parameters_is_refused_with_a_message(kind, params, message):
    from django.core.exceptions import ValidationError

    version = Award.objects.get(code="cstt").version_for(Campaign.objects.get(code="tdqt-2026"))
    rule = AwardRule(version=version, kind=kind, params=params, description="Thử")
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert message in " ".join(refused.value.messages)


def test_every_demo_rule_has_valid_parameters():
    for rule in AwardRule.objects.all():
        rule.full_clean()
