"""The live tracking dashboard: its figures, their links to the list, scope and query count."""

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import Campaign, Nomination, Unit
from approvals.selectors.dashboard import dashboard
from tests.approvals.nomination_helpers import nominate
from tests.approvals.tracking_helpers import advance, backdate, spread
from tests.factories.organisation import PersonFactory

pytestmark = pytest.mark.django_db

WAITING = ("in_progress", "returned")
FIGURE_LINK = re.compile(r'<a class="[^"]*\bfigure\b[^"]*" href="([^"]+)" data-count="(\d+)"')


@pytest.fixture
def n(demo_user):
    return spread(demo_user)


def _secretariat_sees():
    """What the secretariat may read, written out: every nomination once it is submitted."""
    return Nomination.objects.exclude(status="draft")


def _counts(rows: list, key=lambda row: row.label) -> dict:
    return {key(row): row.total.count for row in rows}


def test_secretariat_figures_equal_direct_counts(demo_user, n):
    figures = dashboard(demo_user("tth.canbo"))
    seen = _secretariat_sees()
    totals = {name: figure.count for name, figure in figures["totals"].figures.items()}
    assert totals == {
        "total": seen.count(),
        "waiting": seen.filter(status__in=WAITING).count(),
        "overdue": seen.filter(status__in=WAITING, due_date__lt=timezone.localdate()).count(),
        "awarded": seen.filter(status="awarded").count(),
    }
    assert totals == {"total": 9, "waiting": 6, "overdue": 1, "awarded": 1}
    by_award = dict(seen.values_list("award__name").annotate(n=Count("pk")))
    assert _counts(figures["awards"]) == by_award
    by_campaign = dict(seen.values_list("campaign__name").annotate(n=Count("pk")))
    assert _counts(figures["by_campaign"]) == by_campaign
    waiting = seen.filter(status__in=WAITING)
    kinds = dict(waiting.values_list("current_stage__kind").annotate(n=Count("pk")))
    assert {figure.params["stage"]: figure.count for _l, figure in figures["stages"]["kinds"]} == (
        kinds
    )
    levels = dict(waiting.values_list("current_stage__level").annotate(n=Count("pk")))
    assert {f.params["level"]: f.count for _l, f in figures["stages"]["levels"]} == levels
    # rolled up to the units directly under the Ministry
    qk1, qk3 = Unit.objects.get(code="qk1"), Unit.objects.get(code="qk3")
    assert _counts(figures["units"]) == {
        "Quân khu 1": seen.filter(submitting_unit__path__startswith=qk1.path).count(),
        "Quân khu 3": seen.filter(submitting_unit__path__startswith=qk3.path).count(),
    }
    assert _counts(figures["blocs"], key=lambda row: row.figures["total"].params["bloc"]) == {
        "khoi-2": 9
    }
    deciding = {row.total.params["deciding"]: row.total.count for row in figures["deciding"]}
    assert deciding == {"minister": 3, "parent_commander": 6}
    funnel = {
        figure.params.get("status", figure.params["reached"]): figure.count
        for _label, figure in figures["funnel"]
    }
    assert funnel == {
        "submitted": 9,
        "past_unit": 5,
        "council": 1,
        "waiting": 6,
        "awarded": 1,
        "rejected": 1,
        "withdrawn": 1,
    }
    overdue = [(kind, name, figure.count) for kind, name, figure in figures["overdue"]]
    assert overdue == [("unit", "Quân khu 1", 1)]
    oldest = [nomination.pk for nomination in figures["oldest"]]
    expected = seen.filter(status__in=WAITING).order_by("stage_entered_at", "pk")
    assert oldest == list(expected.values_list("pk", flat=True)[:10])
    assert figures["oldest_link"].count == 6


def _figure_links(client, url: str, params=None) -> list[tuple[str, int]]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script" not in page  # charts are drawn on the server
    return [(html_lib.unescape(href), int(count)) for href, count in FIGURE_LINK.findall(page)]


@pytest.mark.parametrize(
    ("username", "campaign", "at_least"),
    [
        ("tth.canbo", "", 60),
        ("tth.canbo", "tdqt-2026", 60),
        ("canbo.f3", "", 60),
        ("canbo.qk3", "", 20),
        ("khoi2.canbo", "", 20),
        ("hd.uyvien1", "", 20),
        ("bqp.thutruong", "", 10),
    ],
)
def test_every_figure_links_to_a_list_of_exactly_that_many(
    client_for, n, username, campaign, at_least
):
    backdate(n["at_parent"], 30, 20, 10)
    backdate(n["awarded"], 40, 33, 26, 19, 12)
    client = client_for(username)
    links = _figure_links(client, reverse("dashboard"), {"campaign": campaign} if campaign else {})
    assert len(links) >= at_least
    for href, count in links:
        assert href.startswith(reverse("nomination_list") + "?"), href
        if campaign:
            assert f"campaign={campaign}" in href, href
        response = client.get(href)
        assert response.context["page"].paginator.count == count, href


def test_a_unit_sees_only_its_own_figures(demo_user, n):
    figures = dashboard(demo_user("canbo.qk3"))
    assert figures["totals"].total.count == 1
    assert [row.label for row in figures["units"]] == ["Quân khu 3"]
    assert _counts(figures["awards"]) == {"Bằng khen của Bộ trưởng Bộ Quốc phòng": 1}
    assert [nomination.pk for nomination in figures["oldest"]] == [n["at_appraisal"].pk]

    f3 = Unit.objects.get(code="f3")
    figures = dashboard(demo_user("canbo.f3"))
    own = Nomination.objects.filter(submitting_unit__path__startswith=f3.path)
    assert figures["totals"].total.count == own.count() == 9  # its drafts too
    # rolled up under its own unit: itself, and its regiments
    assert {row.label for row in figures["units"]} == {"Sư đoàn 3"}
    assert figures["units"][0].figures["total"].params == {"unit": "f3", "subunits": "0"}


def test_the_units_breakdown_rolls_up_under_the_users_highest_unit(demo_user, n):
    f3 = Unit.objects.get(code="f3")
    regiment = Unit.objects.get(code="e-dak-to")
    person = PersonFactory(unit=regiment)
    nominate(demo_user, unit=regiment.code, person=person)
    rows = {row.label: row for row in dashboard(demo_user("canbo.f3"))["units"]}
    assert rows["Sư đoàn 3"].total.count == 9
    assert rows["Sư đoàn 3"].total.params == {"unit": f3.code, "subunits": "0"}
    assert rows[regiment.short_name].total.params == {"unit": regiment.code}
    assert rows[regiment.short_name].total.count == 1


def test_the_campaign_selector_narrows_every_figure(demo_user, n):
    Nomination.objects.filter(pk=n["awarded"].pk).update(
        campaign=Campaign.objects.get(code="tdqt-2025")
    )
    everything = dashboard(demo_user("tth.canbo"))
    only_2026 = dashboard(demo_user("tth.canbo"), "tdqt-2026")
    assert everything["totals"].total.count == 9
    assert only_2026["totals"].total.count == 8
    assert only_2026["totals"].figures["awarded"].count == 0
    assert [row.label for row in only_2026["by_campaign"]] == [
        "Phong trào Thi đua Quyết thắng năm 2026"
    ]
    assert len(everything["by_campaign"]) == 2


def test_waiting_per_stage_week_by_week_reads_the_timeline(demo_user, n):
    # created 30 days ago, submitted to the commander 20 days ago, approved 10 days ago
    backdate(n["at_parent"], 30, 20, 10)
    weeks = dashboard(demo_user("tth.canbo"))["weeks"]
    today = timezone.localdate()
    assert weeks["days"][-1] == today
    assert weeks["days"][0] == today - datetime.timedelta(weeks=11)
    series = {s["kind"]: {day: f.count for day, f in s["points"]} for s in weeks["series"]}

    def at(kind, weeks_ago):
        return series.get(kind, {}).get(today - datetime.timedelta(weeks=weeks_ago), 0)

    assert at("approval", 3) == 0  # still a draft then
    assert at("approval", 2) == 1
    assert at("review", 2) == 0
    assert at("review", 1) == 1
    # today: what waits now, the same as the counts by current stage
    kinds = dashboard(demo_user("tth.canbo"))["stages"]["kinds"]
    now = {figure.params["stage"]: figure.count for _label, figure in kinds}
    assert {kind: points[today] for kind, points in series.items() if points[today]} == now


def _measure(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_does_the_same_queries_for_few_and_many_nominations(
    client_for, demo_user, n, django_assert_max_num_queries
):
    users = ("tth.canbo", "canbo.f3", "hd.uyvien1")
    small = {username: _measure(client_for(username), reverse("dashboard")) for username in users}
    f3 = Unit.objects.get(code="f3")
    for index, person in enumerate(PersonFactory.create_batch(30, unit=f3)):
        nomination = nominate(
            demo_user, person=person, award="bk-bqp" if index % 3 else "giay-khen"
        )
        if index % 2:
            advance(nomination, "appraisal" if index % 3 else "review")
    assert Nomination.objects.count() >= 40
    for username in users:
        client = client_for(username)
        with django_assert_max_num_queries(24):
            large = _measure(client, reverse("dashboard"))
        assert large == small[username], username
        with django_assert_max_num_queries(24):
            _measure(client, reverse("dashboard") + "?campaign=tdqt-2026")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_figure_link_reads_as_the_template_wrote_it(language):
    """The figure tag writes what `<a … href="{{ list_url }}?{{ f.query }}" data-count=
    "{{ f.count }}">{{ f.count|intcomma }}</a>` wrote: the count grouped the language's way,
    the query escaped."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.template import Context, Template
    from django.utils import translation

    from approvals.selectors.dashboard import Figure
    from approvals.templatetags.figures import grouped

    written = Template(
        '{% load humanize %}<a class="figure" href="{{ list_url }}?{{ f.query }}" '
        'data-count="{{ f.count }}">{{ f.count|intcomma }}</a>'
    )
    tag = Template("{% load figures %}{% figure f list_url %}")
    with translation.override(language):
        for count in (0, 7, 999, 1000, 12345, 1234567, -4321):
            assert grouped(count) == str(intcomma(count))
            context = {"f": Figure(count, {"status": "waiting", "q": "a&b <c>"}), "list_url": "/l/"}
            assert tag.render(Context(context)) == written.render(Context(context))
