"""The list's filters (selectors.nominations.nominations_filtered), each alone, and the page."""

import datetime
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import AwardsCouncil, BlocMembership, EmulationBloc, Nomination, Unit
from approvals.selectors.nominations import nominations_filtered
from tests.approvals.nomination_helpers import move, nominate
from tests.approvals.tracking_helpers import backdate, spread
from tests.factories.organisation import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def n(demo_user):
    return spread(demo_user)


def found(demo_user, n, username="quantri", **params) -> set[str]:
    """The names (keys of the spread) of the nominations the filter gives the user."""
    names = {nomination.pk: name for name, nomination in n.items()}
    pks = nominations_filtered(demo_user(username), params).values_list("pk", flat=True)
    return {names[pk] for pk in pks if pk in names}


ALL = {
    "draft",
    "at_unit",
    "at_parent",
    "awarded",
    "at_council",
    "at_appraisal",
    "at_bloc",
    "rejected",
    "returned",
    "withdrawn",
}


def test_without_filters_the_administrator_gets_every_nomination(demo_user, n):
    assert found(demo_user, n) == ALL


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("waiting", {"at_unit", "at_parent", "at_council", "at_appraisal", "at_bloc", "returned"}),
        ("draft", {"draft"}),
        ("returned", {"returned"}),
        ("awarded", {"awarded"}),
        ("rejected", {"rejected"}),
        ("withdrawn", {"withdrawn"}),
        ("nonsense", ALL),  # an unknown status is no filter
    ],
)
def test_status(demo_user, n, status, expected):
    assert found(demo_user, n, status=status) == expected


def test_award_and_campaign(demo_user, n):
    assert found(demo_user, n, award="bk-bqp") == {"at_council", "at_appraisal"}
    assert found(demo_user, n, award="co-bqp") == {"at_bloc"}
    assert found(demo_user, n, campaign="tdqt-2026") == ALL
    assert found(demo_user, n, campaign="tdqt-2025") == set()
    Nomination.objects.filter(pk=n["draft"].pk).update(campaign=_campaign("tdqt-2025"))
    assert found(demo_user, n, campaign="tdqt-2025") == {"draft"}


def _campaign(code):
    from approvals.models import Campaign

    return Campaign.objects.get(code=code)


def test_deciding_level_comes_from_the_catalogue(demo_user, n):
    assert found(demo_user, n, deciding="minister") == {"at_council", "at_appraisal", "at_bloc"}
    giay_khen = ALL - {"at_council", "at_appraisal", "at_bloc"}
    assert found(demo_user, n, deciding="parent_commander") == giay_khen
    assert found(demo_user, n, deciding="president") == set()


def test_unit_takes_its_whole_subtree_or_only_itself(demo_user, n):
    f3_side = ALL - {"at_appraisal"}
    assert found(demo_user, n, unit="qk1") == f3_side  # Sư đoàn 3 is under Quân khu 1
    assert found(demo_user, n, unit="f3") == f3_side
    assert found(demo_user, n, unit="qk3") == {"at_appraisal"}
    assert found(demo_user, n, unit="bqp") == ALL
    assert found(demo_user, n, unit="qk1", subunits="0") == set()
    assert found(demo_user, n, unit="f3", subunits="0") == f3_side
    assert found(demo_user, n, unit="no-such-unit") == set()


def test_bloc_counts_members_and_the_units_under_them_in_the_campaigns_year(demo_user, n):
    assert found(demo_user, n, bloc="khoi-2") == ALL  # Quân khu 1 and 3 are members
    test_bloc = EmulationBloc.objects.create(
        code="khoi-thu", name="Khối thử", organiser=Unit.objects.get(code="bqp")
    )
    BlocMembership.objects.create(
        bloc=test_bloc, unit=Unit.objects.get(code="qk3"), start_year=2026
    )
    # Sư đoàn 3 itself was a member, but only until 2025: the 2026 campaign does not count it
    BlocMembership.objects.create(
        bloc=test_bloc, unit=Unit.objects.get(code="f3"), start_year=2020, end_year=2025
    )
    assert found(demo_user, n, bloc="khoi-thu") == {"at_appraisal"}
    BlocMembership.objects.filter(bloc=test_bloc, unit__code="f3").update(end_year=None)
    assert found(demo_user, n, bloc="khoi-thu") == ALL
    assert found(demo_user, n, bloc="no-such-bloc") == set()


def test_bloc_filter_is_one_query(demo_user, n):
    nominations = nominations_filtered(demo_user("quantri"), {"bloc": "khoi-2", "unit": "qk1"})
    with CaptureQueriesContext(connection) as queries:
        assert len(list(nominations)) == len(ALL) - 1
    assert len(queries) == 1


def test_who_holds_it_now(demo_user, n):
    unit_pk = dict(Unit.objects.values_list("code", "pk"))
    assert found(demo_user, n, acting_unit=unit_pk["qk1"]) == {"at_parent"}
    assert found(demo_user, n, acting_unit=unit_pk["f3"]) == {"draft", "at_unit", "returned"}
    # at the council's vote the council holds it, not the Ministry it belongs to
    assert found(demo_user, n, acting_unit=unit_pk["bqp"]) == {"at_appraisal"}
    council = AwardsCouncil.objects.get(unit__code="bqp")
    assert found(demo_user, n, acting_council=council.pk) == {"at_council"}
    bloc = EmulationBloc.objects.get(code="khoi-2")
    assert found(demo_user, n, acting_bloc=bloc.pk) == {"at_bloc"}
    assert found(demo_user, n, acting_bloc="x") == ALL  # not an id: no filter


def test_stage_kind_and_level(demo_user, n):
    assert found(demo_user, n, stage="appraisal") == {"at_appraisal"}
    assert found(demo_user, n, stage="council_vote") == {"at_council"}
    assert found(demo_user, n, level="parent") == {"at_parent", "awarded"}  # decided there
    assert found(demo_user, n, level="parent", status="waiting") == {"at_parent"}
    assert found(demo_user, n, level="bloc") == {"at_bloc"}
    assert found(demo_user, n, level="ministry") == {"at_council", "at_appraisal"}


def test_milestones_reached_whatever_happened_next(demo_user, n):
    submitted = ALL - {"draft"}
    assert found(demo_user, n, reached="submitted") == submitted
    past_unit = {"at_parent", "awarded", "at_council", "at_appraisal", "at_bloc"}
    assert found(demo_user, n, reached="past_unit") == past_unit
    assert found(demo_user, n, reached="council") == {"at_council"}


def test_overdue(demo_user, n):
    assert found(demo_user, n, overdue="1") == {"at_parent"}
    Nomination.objects.filter(pk=n["awarded"].pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=9)
    )
    assert found(demo_user, n, overdue="1") == {"at_parent"}  # finished: never overdue


def test_waiting_at_a_stage_on_a_past_day(demo_user, n):
    # created 30 days ago, submitted 20 days ago (to the commander), approved 10 days ago
    backdate(n["at_parent"], 30, 20, 10)
    today = timezone.localdate()

    def on(days_ago, stage=""):
        day = (today - datetime.timedelta(days=days_ago)).isoformat()
        return "at_parent" in found(demo_user, n, waiting_on=day, waiting_stage=stage)

    assert not on(25)  # a draft is not waiting
    assert on(15) and on(15, "approval") and not on(15, "review")
    assert on(5, "review") and not on(5, "approval")
    assert on(0, "review")
    assert found(demo_user, n, waiting_on="2026-02-30") == ALL  # not a date: no filter


@pytest.mark.parametrize(
    "typed",
    [
        "nguyen van duc",
        "NGUYỄN VĂN ĐỨC",
        "Nguyễn Văn Đức",
        "  nguyễn   văn đức ",
        unicodedata.normalize("NFD", "Nguyễn Văn Đức"),  # combining marks, as some keyboards type
        "van duc",
    ],
)
def test_name_search_ignores_diacritics_and_case(demo_user, n, typed):
    assert found(demo_user, n, q=typed) == {"at_parent"}


def test_name_search_finds_a_collective_and_misses_other_names(demo_user, n):
    assert found(demo_user, n, q="trung doan bo binh dak to") == {"at_bloc"}
    assert found(demo_user, n, q="ĐẮK TÔ") == {"at_bloc"}
    assert found(demo_user, n, q="nguyen van dung") == set()


def test_order_by_the_longest_wait(demo_user, n):
    ages = {"at_appraisal": 9, "at_parent": 30, "at_bloc": 2}
    for name, days in ages.items():
        Nomination.objects.filter(pk=n[name].pk).update(
            stage_entered_at=timezone.now() - datetime.timedelta(days=days)
        )
    params = {"order": "oldest", "status": "waiting"}
    names = {nomination.pk: name for name, nomination in n.items()}
    pks = nominations_filtered(demo_user("quantri"), params).values_list("pk", flat=True)
    ordered = [names[pk] for pk in pks]
    assert ordered[:2] == ["at_parent", "at_appraisal"]


def test_filters_never_widen_what_a_unit_sees(demo_user, n):
    assert found(demo_user, n, "canbo.qk3", unit="f3") == set()
    assert found(demo_user, n, "canbo.qk3", bloc="khoi-2") == {"at_appraisal"}
    assert found(demo_user, n, "canbo.qk3", q="nguyen van duc") == set()
    assert found(demo_user, n, "canbo.f3", unit="bqp") == ALL - {"at_appraisal"}
    # the council's members see its agenda only, whatever they ask for
    assert found(demo_user, n, "hd.uyvien1", status="waiting") == {"at_council"}


def test_the_list_page_keeps_every_chosen_filter_and_offers_to_clear_them(client_for, n):
    council = AwardsCouncil.objects.get(unit__code="bqp")
    chosen = {
        "q": "đức",
        "campaign": "tdqt-2026",
        "award": "giay-khen",
        "deciding": "parent_commander",
        "unit": "qk1",
        "bloc": "khoi-2",
        "status": "waiting",
        "stage": "review",
        "level": "parent",
        "reached": "past_unit",
        "acting_unit": str(Unit.objects.get(code="qk1").pk),
        "overdue": "1",
        "waiting_on": timezone.localdate().isoformat(),
        "waiting_stage": "review",
        "order": "oldest",
    }
    response = client_for("tth.canbo").get(reverse("nomination_list"), chosen)
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"]] == [n["at_parent"].pk]
    html = response.content.decode()
    form = html[html.index('id="filters"') : html.index("</form>", html.index('id="filters"'))]
    for name, value in chosen.items():
        if name in ("q", "waiting_on"):
            assert f'name="{name}" value="{value}"' in form, name
        elif name == "overdue":
            assert 'name="overdue" value="1" checked' in form
        else:
            select = re.search(rf'<select name="{name}">(.*?)</select>', form, re.S).group(1)
            assert f'<option value="{value}" selected>' in select, name
    assert f'href="{reverse("nomination_list")}" class="clear-filters"' in form
    response = client_for("tth.canbo").get(
        reverse("nomination_list"), {"acting_council": council.pk, "subunits": "0", "unit": "f3"}
    )
    form = response.content.decode()
    assert f'<option value="{council.pk}" selected>' in form
    assert 'name="subunits" value="0" checked' in form


def test_the_unit_filter_offers_the_units_a_user_works_with(client_for):
    choices = client_for("canbo.f3").get(reverse("nomination_list")).context["choices"]
    codes = {choice.code for choice in choices["unit"]}
    assert {"bqp", "qk1", "f3"} <= codes  # their unit and the units above it
    assert "qk3" not in codes
    assert {choice.code for choice in choices["bloc"]} >= {"khoi-2"}


def test_the_list_does_the_same_queries_for_few_and_many_nominations_with_every_filter(
    client_for, demo_user, django_assert_max_num_queries
):
    f3 = Unit.objects.get(code="f3")
    people = PersonFactory.create_batch(60, unit=f3)
    params = {
        "q": "nguyen",
        "unit": "qk1",
        "bloc": "khoi-2",
        "deciding": "parent_commander",
        "status": "waiting",
        "reached": "submitted",
        "level": "unit",
        "acting_unit": str(f3.pk),
        "waiting_on": timezone.localdate().isoformat(),
        "waiting_stage": "approval",
        "order": "oldest",
    }

    def measure() -> tuple[int, int]:
        client = client_for("tth.canbo")
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("nomination_list"), params)
        assert response.status_code == 200
        return len(queries), response.context["page"].paginator.count

    for person in people[:5]:
        move(demo_user, nominate(demo_user, person=person), "canbo.f3")
    few, count = measure()
    assert count == 5
    for person in people[5:]:
        move(demo_user, nominate(demo_user, person=person), "canbo.f3")
    many, count = measure()
    assert count == 60
    assert few == many


def test_the_filter_selects_escape_values_and_labels():
    from approvals.selectors.nomination_filters import Choice
    from approvals.templatetags.choices import options

    items = [Choice(1, 'a"&b', "<Đơn vị> 'x'", 1), Choice(2, "c", "d", 0)]
    html = str(options(items, 'a"&b', value="code", label="indented", blank="<Tất cả>"))
    assert html == (
        '<option value="">&lt;Tất cả&gt;</option>'
        '<option value="a&quot;&amp;b" selected>\u00a0\u00a0&lt;Đơn vị&gt; &#x27;x&#x27;</option>'
        '<option value="c">d</option>'
    )
    assert str(options([(2, "two"), (3, "three")], 3)) == (
        '<option value="2">two</option><option value="3" selected>three</option>'
    )
