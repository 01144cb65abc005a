import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretariat_reads_the_dashboard_and_opens_the_list_behind_a_figure(
    open_as, live_demo, demo_user
):
    from tests.approvals.tracking_helpers import backdate, spread
    from tests.approvals.voting_helpers import at_council_vote

    nominations = spread(demo_user)
    at_council_vote(demo_user, 4, start=6)
    backdate(nominations["at_unit"], 30, 29)  # waiting at the division for four weeks

    secretary = open_as("tth.canbo")
    secretary.click("nav.mainnav [data-nav=dashboard]")
    assert secretary.locator("#funnel").is_visible()
    screenshot(secretary, "dashboard")

    overdue = secretary.locator("#totals a.overdue")
    expected = int(overdue.get_attribute("data-count"))
    assert expected >= 1
    overdue.click()
    assert secretary.url.split("?")[0].endswith("/nominations/")
    rows = secretary.locator("table.nominations tbody tr[data-nomination]")
    assert rows.count() == expected
    assert (
        nominations["at_parent"].nominee_name in secretary.locator("table.nominations").inner_text()
    )
