"""Khối 2's year-end review in the browser: the bloc's officer sets it up and runs it, two
delegates score and vote in their own browsers, the result reaches the members' nominations."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBERS = ["qk1", "qk2", "qk3", "qk4", "qk5", "qk7", "qk9", "btlhn"]
BROWSER_DELEGATES = ("qk2", "qk4")  # these two score and vote in their own browsers


def test_a_bloc_review_from_set_up_to_the_result_in_the_nominations(
    open_as, live_demo, demo_user, settings, tmp_path, eager_celery
):
    """The submission's minutes task runs in the live server's process (no worker here)."""
    from approvals.models import (
        BlocReview,
        EmulationBloc,
        NominationStatus,
        ReviewStatus,
        Unit,
    )
    from approvals.services import bloc_reviews as services
    from approvals.services.roles import role_grant
    from tests.approvals.test_bloc_reviews import _co_bqp_at_bloc, configure_criteria
    from tests.factories.organisation import UserFactory

    settings.MEDIA_ROOT = tmp_path  # submitting also writes the minutes
    bloc = EmulationBloc.objects.get(code="khoi-2")
    by_code = {unit.code: unit for unit in Unit.objects.filter(code__in=MEMBERS)}
    # set up with the services (no page for these): QK1's and QK3's Cờ thi đua BQP
    # nominations waiting at the bloc's vote, and the year's scoring criteria (entered by
    # the system administrator in the admin)
    role_grant(
        actor=None,
        user=UserFactory(username="chihuy.qk3"),
        role="unit_commander",
        unit=by_code["qk3"],
    )
    first = _co_bqp_at_bloc(demo_user, "qk1", "canbo.qk1", "chihuy.qk1")
    second = _co_bqp_at_bloc(demo_user, "qk3", "canbo.qk3", "chihuy.qk3")
    configure_criteria(bloc)
    people = {code: UserFactory(username=f"daibieu.{code}") for code in MEMBERS}
    for code in BROWSER_DELEGATES:
        people[code].set_password("Demo@2026")
        people[code].save()

    # the bloc's officer goes from the bloc's page to its reviews and sets up 2026's
    officer = open_as("khoi2.canbo")
    officer.click("a[data-action=bloc_detail]")
    officer.click("a[data-action=bloc_reviews]")
    assert "Bình xét, suy tôn của khối thi đua" in officer.locator("h1").inner_text()
    officer.click("a[data-action=bloc_review_create]")
    officer.select_option("#id_bloc", str(bloc.pk))
    officer.fill("#id_year", "2026")
    officer.fill("#id_title", "Hội nghị tổng kết Khối thi đua số 2 năm 2026")
    officer.fill("#id_meeting_date", "2026-11-05")
    screenshot(officer, "bloc-review-create")
    officer.click("button[data-action=bloc_review_save]")
    assert "Đã lập hội nghị bình xét" in officer.locator(".messages").inner_text()
    review = BlocReview.objects.get(bloc=bloc, year=2026)
    assert officer.locator("[data-field=status]").inner_text() == "Đang chuẩn bị"

    # the delegates are registered by user name on the review page
    for code, user in people.items():
        officer.fill(f"input[name='unit-{by_code[code].pk}']", user.username)
    officer.click("button[data-action=bloc_review_delegates]")
    assert "Đã cập nhật đại biểu" in officer.locator(".messages").inner_text()
    officer.click("button[data-action=bloc_review_open_scoring]")
    assert officer.locator("[data-field=status]").inner_text() == "Đang chấm điểm"
    screenshot(officer, "bloc-review-scoring")

    # two delegates score in their own browsers
    delegates = {}
    for code in BROWSER_DELEGATES:
        page = open_as(people[code].username)
        delegates[code] = page
        page.goto(f"{live_demo.url}/bloc-reviews/")
        page.click(f"tr[data-review='{review.pk}'] a")
        page.click("a[data-action=bloc_review_score]")
        assert page.locator(f"tr[data-unit='{by_code[code].pk}']").count() == 0  # own unit
        boxes = page.locator("input.score")
        assert boxes.count() == 14
        assert page.get_by_label("Quân khu 1 — Huấn luyện, SSCĐ").count() == 1
        for index in range(boxes.count()):
            boxes.nth(index).fill("9" if index < 2 else "8")
        screenshot(page, f"bloc-review-score-{code}")
        page.click("button[data-action=bloc_review_score]")
        assert "Đã ghi điểm chấm" in page.locator(".messages").inner_text()
    # the others score through the services
    criteria = services.criteria_of(review)
    for code, user in people.items():
        if code in BROWSER_DELEGATES:
            continue
        delegate = services.delegate_of(user, review)
        services.score_record(
            actor=user,
            review=review,
            scores={
                (unit.pk, criterion.pk): 8
                for unit in services.units_to_score(review, delegate)
                for criterion in criteria
            },
        )

    officer.reload()
    officer.click("button[data-action=bloc_review_open_acclaim]")
    assert officer.locator("[data-field=status]").inner_text() == "Đang bỏ phiếu suy tôn"

    # the two delegates cast their secret ballots for QK1
    for code, page in delegates.items():
        page.goto(f"{live_demo.url}/bloc-reviews/{review.pk}/")
        page.click("a[data-action=bloc_review_ballot]")
        assert "Chọn tối đa 1 đơn vị" in page.locator("[data-field=ballot-notice]").inner_text()
        assert page.locator(f"input[value='{by_code[code].pk}']").count() == 0
        page.check(f"input[name=units][value='{by_code['qk1'].pk}']")
        screenshot(page, f"bloc-review-ballot-{code}")
        page.click("button[data-action=acclaim_submit]")
        assert "Đồng chí đã nộp phiếu suy tôn" in page.locator(".messages").inner_text()
        assert "đã nộp phiếu" in page.locator("[data-field=my-ballot]").inner_text()
    # the rest through the services: QK1 gets 4 votes, QK3 one
    for voter, chosen in {"qk3": "qk1", "qk5": "qk1", "qk1": "qk3"}.items():
        services.acclaim_cast(actor=people[voter], review=review, units=[by_code[chosen].pk])

    officer.reload()
    assert "Đã có 5/8" in officer.locator("[data-field=voted]").inner_text()
    assert officer.locator("[data-result]").count() == 0  # nothing counted is shown yet
    officer.click("button[data-action=bloc_review_close]")
    assert officer.locator("[data-field=status]").inner_text() == "Đã kết thúc bỏ phiếu"
    proposed = officer.locator(f"tr[data-result='{by_code['qk1'].pk}']").inner_text()
    assert "Quân khu 1" in proposed and "Được suy tôn" in proposed
    assert "Không được suy tôn" in (
        officer.locator(f"tr[data-result='{by_code['qk3'].pk}']").inner_text()
    )
    screenshot(officer, "bloc-review-closed")
    officer.fill("#id_minutes", "Hội nghị thống nhất suy tôn Quân khu 1.")
    officer.click("button[data-action=bloc_review_submit]")
    assert "Đã gửi kết quả bình xét" in officer.locator(".messages").inner_text()
    assert "Hội nghị thống nhất suy tôn Quân khu 1." in officer.locator("#minutes").inner_text()

    # the officer sees where the result went: QK1's nomination on to the Ministry's
    # appraisal, QK3's not approved
    delivered = officer.locator("[data-field=delivered]")
    passed = delivered.locator(f"[data-nomination='{first.pk}']").inner_text()
    assert "Quân khu 1" in passed and "Đang xét duyệt: Thẩm định hồ sơ" in passed
    failed = delivered.locator(f"[data-nomination='{second.pk}']").inner_text()
    assert "Quân khu 3" in failed and "Không được đề nghị" in failed
    screenshot(officer, "bloc-review-submitted")

    # and so do the two units' officers on their nominations
    qk1_officer = open_as("canbo.qk1")
    qk1_officer.goto(f"{live_demo.url}/nominations/{first.pk}/")
    assert "Thẩm định hồ sơ" in qk1_officer.locator("[data-field=stage]").inner_text()
    assert "Được khối suy tôn" in qk1_officer.locator("main").inner_text()
    screenshot(qk1_officer, "bloc-review-nomination-passed")
    qk3_officer = open_as("canbo.qk3")
    qk3_officer.goto(f"{live_demo.url}/nominations/{second.pk}/")
    assert qk3_officer.locator("[data-field=status]").inner_text() == "Không được đề nghị"
    assert "Không được khối suy tôn" in qk3_officer.locator("main").inner_text()
    screenshot(qk3_officer, "bloc-review-nomination-rejected")
    review.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert first.current_stage.kind == "appraisal"
    assert second.status == NominationStatus.REJECTED
