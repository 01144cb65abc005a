import pytest
from pypdf import PdfReader

from tests.browser.conftest import pdf_page_image, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_minister_issues_a_decision_downloads_it_and_the_unit_sees_the_award(
    open_as, live_demo, demo_user, settings, tmp_path, eager_celery
):
    """The decision's PDF is produced by the job task, run in the live server's process."""
    from approvals.models import Decision, NominationStatus
    from tests.approvals.voting_helpers import at_council_vote, decide_by_council

    settings.MEDIA_ROOT = tmp_path
    first, second = decide_by_council(demo_user, at_council_vote(demo_user, 2), agree=100)
    assert first.current_stage.kind == second.current_stage.kind == "decision"

    minister = open_as("bqp.thutruong")
    minister.click("nav.mainnav [data-nav=decisions]")
    minister.click("a[data-action=decision_create]")
    for nomination in (first, second):
        assert minister.is_checked(f"input[name=nominations][value='{nomination.pk}']")
    minister.fill("#id_number", "129A/QĐ-BQP")
    minister.fill("#id_signer_title", "Bộ trưởng")
    minister.fill("#id_signer_name", "Trịnh Đình Hùng")
    screenshot(minister, "decision-create")
    minister.click("button[data-action=decision_issue]")
    assert (
        "Đã ban hành Quyết định số 129A/QĐ-BQP: 2 đề nghị"
        in minister.locator(".messages").inner_text()
    )
    decision = Decision.objects.get()
    rows = minister.locator("table[data-table=entries] tbody tr")
    assert rows.count() == 2
    for nomination in (first, second):
        nomination.refresh_from_db()
        assert nomination.status == NominationStatus.AWARDED

    minister.click("button[data-action=decision_pdf]")
    minister.wait_for_selector("[data-status=done]")
    with minister.expect_download() as download_info:
        minister.click("a[download]")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = "".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "Số: 129A/QĐ-BQP" in text
    assert first.nominee_name in text and second.nominee_name in text
    screenshot(minister, "decision-job")
    pdf_page_image(download.path(), "decision-pdf")

    # the awardee's unit finds the award in its history, with the decision's number
    officer = open_as("canbo.f3")
    officer.goto(f"{live_demo.url}/units/{first.person.unit_id}/awards/")
    history = officer.locator("main").inner_text()
    assert first.nominee_name in history and "129A/QĐ-BQP" in history
    screenshot(officer, "unit-award-history")
    assert decision.entries.count() == 2
