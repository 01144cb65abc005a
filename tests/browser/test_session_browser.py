import datetime

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_VOTERS = ("hd.uyvien1", "hd.uyvien2", "hd.uyvien3")


def test_a_council_session_from_agenda_to_conclusion(
    open_as, live_demo, demo_user, settings, tmp_path, eager_celery
):
    """The conclusion's tasks run in the live server's process (no worker in this test)."""
    from django.utils import timezone

    from approvals.models import CouncilSession, NominationStatus
    from approvals.services import voting
    from tests.approvals.voting_helpers import at_council_vote, ministry_council, roster_users

    settings.MEDIA_ROOT = tmp_path  # concluding also writes the minutes
    today = timezone.localdate()
    first, second = at_council_vote(demo_user, 2)
    users = roster_users(ministry_council(), day=today)  # users for the seats without one

    # the secretary puts the two waiting nominations on a new session's agenda
    secretary = open_as("hd.thuky")
    secretary.click("nav.mainnav [data-nav=sessions]")
    secretary.click("a[data-action=session_create]")
    for nomination in (first, second):
        assert secretary.is_checked(f"input[name=nominations][value='{nomination.pk}']")
    secretary.fill("#id_title", "Phiên họp xét Bằng khen của Bộ trưởng năm 2026")
    secretary.fill("#id_meeting_date", today.isoformat())
    deadline = timezone.localtime() + datetime.timedelta(days=2)
    secretary.fill("#id_voting_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    screenshot(secretary, "session-create")
    secretary.click("button[data-action=session_save]")
    assert "Đã lập phiên họp với 2 đề nghị" in secretary.locator(".messages").inner_text()
    session = CouncilSession.objects.get()
    assert secretary.locator("[data-field=status]").inner_text() == "Đang chuẩn bị"
    assert "Chưa thể mở bỏ phiếu" in secretary.locator("#quorum").inner_text()

    # everyone is present: one button marks the whole roster
    secretary.click("button[data-set-all=present]")
    assert secretary.locator("input[type=radio][value=present]:checked").count() == 17
    secretary.click("button[data-action=session_attendance]")
    assert "Có mặt 17/17, cần 12" in secretary.locator("[data-field=quorum]").inner_text()
    screenshot(secretary, "session-attendance")

    # the chair opens the vote
    chair = open_as("hd.chutich")
    chair.click("nav.mainnav [data-nav=sessions]")
    chair.click(f"tr[data-session='{session.pk}'] a")
    chair.click("button[data-action=session_open]")
    assert chair.locator("[data-field=status]").inner_text() == "Đang bỏ phiếu"

    # three members vote in their own browsers
    item_one, item_two = session.items.order_by("nomination_id")
    for index, username in enumerate(BROWSER_VOTERS):
        member = open_as(username)
        member.click("nav.mainnav [data-nav=sessions]")
        member.click(f"tr[data-session='{session.pk}'] a")
        member.click("a[data-action=session_ballot]")
        notice = member.locator("[data-field=ballot-notice]").inner_text()
        assert "Phiếu chỉ được ghi khi đồng chí bấm Nộp phiếu" in notice
        assert member.locator("input[type=radio]:checked").count() == 0
        # a change of mind before submitting is the browser's business only
        member.check(f"input[name='choice-{item_one.pk}'][value=disagree]")
        member.check(f"input[name='choice-{item_one.pk}'][value=agree]")
        if index == 0:  # an incomplete ballot comes back with the choice kept
            member.click("button[data-action=ballot_submit]")
            assert "Phiếu chưa đầy đủ" in member.locator("#errors").inner_text()
            assert member.is_checked(f"input[name='choice-{item_one.pk}'][value=agree]")
            screenshot(member, "session-ballot-incomplete")
        member.check(f"input[name='choice-{item_two.pk}'][value=agree]")
        member.fill(f"#id_opinion-{item_two.pk}", "Thành tích tiêu biểu, đề nghị khen thưởng.")
        member.click("button[data-action=ballot_submit]")
        receipt = member.locator("[data-field=receipt]").inner_text().strip()
        assert len(receipt) == 19
        if index == 0:
            screenshot(member, "session-ballot-receipt")
        member.click(f"a[href='/sessions/{session.pk}/receipt/']")
        member.fill("#id_receipt", receipt)
        member.click("button[data-action=receipt_check]")
        result = member.locator("[data-field=receipt-result]").inner_text()
        assert "Phiếu của đồng chí đã được tính" in result
        member.goto(f"{live_demo.url}/sessions/{session.pk}/ballot/")
        assert "Đồng chí đã nộp phiếu" in member.locator("[data-field=ballot-state]").inner_text()

    # the other fourteen present members vote through the service: the first nomination
    # gets every vote, the second only five of the 9 it needs (> 50% of 17)
    browser_users = {demo_user(username).pk for username in BROWSER_VOTERS}
    agreeing_on_second = 2
    for user in users.values():
        if user.pk in browser_users:
            continue
        second_choice = "agree" if agreeing_on_second > 0 else "disagree"
        agreeing_on_second -= 1
        voting.ballot_cast(
            actor=user,
            session=session,
            choices={item_one.pk: "agree", item_two.pk: second_choice},
        )

    chair.reload()
    assert "Đã có 17/17" in chair.locator("#voting [data-field=voted]").inner_text()
    assert chair.locator("[data-tally]").count() == 0  # nothing counted is shown yet
    screenshot(chair, "session-voting")
    chair.click("button[data-action=session_close]")
    assert chair.locator("[data-field=status]").inner_text() == "Đã kết thúc bỏ phiếu"
    assert chair.locator(f"tr[data-item='{item_one.pk}'] [data-tally=agree]").inner_text() == "17"
    assert chair.locator(f"tr[data-item='{item_two.pk}'] [data-tally=agree]").inner_text() == "5"
    screenshot(chair, "session-closed")
    chair.fill("#id_conclusion", "Hội đồng thống nhất theo kết quả kiểm phiếu.")
    chair.click("button[data-action=session_conclude]")
    assert chair.locator("[data-field=status]").inner_text() == "Chủ tịch đã kết luận"
    applied = chair.locator("#results [data-field=applied]").all_inner_texts()
    assert applied == ["Đã chuyển bước", "Đã chuyển bước"]
    screenshot(chair, "session-concluded")

    passed, failed = (n.__class__.objects.get(pk=n.pk) for n in (first, second))
    assert passed.current_stage.kind == "decision"
    assert failed.status == NominationStatus.REJECTED
