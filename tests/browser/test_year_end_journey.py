"""A whole year-end case in the browser, as its users walk it: Sư đoàn 3's letter with a
Bằng khen for a person and a Cờ thi đua for the division, from the unit's officer to the
Minister's decision and back to the unit's award history."""

import datetime

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOC_MEMBERS = ["qk1", "qk2", "qk3", "qk4", "qk5", "qk7", "qk9", "btlhn"]
BLOC_BROWSER_DELEGATE = "qk2"  # scores and votes in its own browser
COUNCIL_BROWSER_VOTERS = ("hd.uyvien1", "hd.uyvien2", "hd.uyvien3")
DECISION_NUMBER = "215/QĐ-BQP"
SUBMITTED = "Đã xử lý đề nghị."


def _messages(page) -> str:
    return page.locator(".messages").inner_text()


def _upload_dossier(page, codes) -> None:
    """Upload one PDF per required document type on the nomination's page."""
    from approvals.models import DocumentType
    from tests.approvals.dossier_helpers import PDF

    for code in codes:
        page.select_option("#id_document_type", str(DocumentType.objects.get(code=code).pk))
        upload = {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        page.set_input_files("#id_upload", files=[upload])
        page.click("button[data-action=upload]")
        assert "Đã thêm tài liệu vào hồ sơ." in _messages(page)
    assert page.locator("#checklist tr[data-blocks=yes]").count() == 0


def _nominate(page, url, *, letter, award, achievements, person=None, unit=None) -> None:
    from approvals.models import Award, Campaign

    page.goto(f"{url}/")
    page.click("[data-action=nomination_create]")
    page.select_option("#id_submitting_unit", str(letter.unit_id))
    page.select_option("#id_campaign", str(Campaign.objects.get(code="tdqt-2026").pk))
    page.select_option("#id_award", str(Award.objects.get(code=award).pk))
    if person is not None:
        page.select_option("#id_person", str(person.pk))
    else:
        page.select_option("#id_nominee_unit", str(unit.pk))
    page.fill("#id_achievements", achievements)
    page.select_option("#id_letter", str(letter.pk))
    page.click("button[data-action=save]")
    assert page.locator("[data-field=status]").inner_text() == "Đang lập"


def _act_on_letter(page, url, letter, comment: str, count: int) -> None:
    page.goto(f"{url}/letters/{letter.pk}/")
    page.check("#act input[name=action][value=approve]")
    page.fill("#act #id_comment", comment)
    page.click("#act button[type=submit]")
    assert f"Đã xử lý {count} đề nghị của tờ trình {letter.number}." in _messages(page)


def _approve_from_inbox(page, nomination, comment: str, stage: str) -> None:
    page.click("nav.mainnav [data-nav=inbox]")
    row = page.locator(f"tr[data-nomination='{nomination.pk}']")
    assert stage in row.inner_text()
    row.locator("a").first.click()
    page.check("input[name=action][value=approve]")
    page.fill("#id_comment", comment)
    page.click("button[data-action=act]")
    assert SUBMITTED in _messages(page)
    # back in the inbox, the nomination has left it
    assert page.locator(f"tr[data-nomination='{nomination.pk}']").count() == 0


def test_a_year_end_case_from_the_unit_to_the_award_history(
    open_as, live_demo, demo_user, settings, tmp_path, eager_celery
):
    """Background tasks (minutes, results) run in the live server's process (no worker)."""
    from django.utils import timezone

    from approvals.models import (
        BlocReview,
        CouncilSession,
        Decision,
        EmulationBloc,
        Nomination,
        NominationStatus,
        Person,
        SubmissionLetter,
        Unit,
    )
    from approvals.services import bloc_reviews, voting
    from tests.approvals.test_bloc_reviews import configure_criteria
    from tests.approvals.voting_helpers import ministry_council, roster_users
    from tests.factories.organisation import UserFactory

    settings.MEDIA_ROOT = tmp_path  # dossiers, the bloc's and the council's minutes
    url = live_demo.url
    f3 = Unit.objects.get(code="f3")
    # the first person of F3 (the last has a pending case, which excludes them)
    person = Person.objects.filter(unit=f3).order_by("pk").first()
    basic = ("to-trinh", "bao-cao-thanh-tich", "bien-ban-binh-xet")

    # 1. F3's officer opens the year's submission letter
    officer = open_as("canbo.f3")
    officer.click("nav.mainnav [data-nav=letters]")
    officer.click("a[href='/letters/new/']")
    officer.select_option("#id_unit", str(f3.pk))
    officer.select_option("#id_campaign", label="Phong trào Thi đua Quyết thắng năm 2026")
    officer.fill("#id_title", "Đề nghị khen thưởng tổng kết năm 2026 của Sư đoàn 3")
    officer.click("form.form button[type=submit]")
    letter = SubmissionLetter.objects.get(unit=f3)
    assert f"Đã lập tờ trình số {letter.number}." in _messages(officer)
    assert officer.locator("h1").inner_text() == f"Tờ trình số {letter.number}"
    screenshot(officer, "journey-01-letter-created")

    # 2. two nominations in the letter, each with its dossier
    _nominate(
        officer,
        url,
        letter=letter,
        award="bk-bqp",
        person=person,
        achievements="Hoàn thành xuất sắc nhiệm vụ huấn luyện, sẵn sàng chiến đấu năm 2026.",
    )
    _upload_dossier(officer, basic)
    screenshot(officer, "journey-02-person-dossier")
    _nominate(
        officer,
        url,
        letter=letter,
        award="co-bqp",
        unit=f3,
        achievements="Đơn vị dẫn đầu phong trào Thi đua Quyết thắng của Quân khu 1 năm 2026.",
    )
    _upload_dossier(officer, basic)
    merit = Nomination.objects.get(person=person)
    flag = Nomination.objects.get(nominee_unit=f3)
    assert {merit.letter_id, flag.letter_id} == {letter.pk}

    # 3. the officer sends the whole letter up
    _act_on_letter(officer, url, letter, "Kính trình Thủ trưởng Sư đoàn.", 2)
    statuses = officer.locator("main").inner_text()
    assert person.full_name in statuses and "Chỉ huy phê duyệt" in statuses
    screenshot(officer, "journey-03-letter-submitted")

    # 4. the commander finds both in the inbox and approves the letter
    commander = open_as("chihuy.f3")
    commander.click("nav.mainnav [data-nav=inbox]")
    for nomination in (merit, flag):
        assert commander.locator(f"tr[data-nomination='{nomination.pk}']").count() == 1
    screenshot(commander, "journey-04-commander-inbox")
    _act_on_letter(commander, url, letter, "Đồng ý đề nghị.", 2)
    merit.refresh_from_db()
    flag.refresh_from_db()
    assert merit.current_stage.kind == "review" and flag.current_stage.kind == "bloc_vote"

    # 5. Quân khu 1 reviews and its commander forwards the person's nomination
    qk1_officer = open_as("canbo.qk1")
    _approve_from_inbox(qk1_officer, merit, "Đã xem xét, đề nghị Bộ.", "Xem xét, tổng hợp")
    qk1_commander = open_as("chihuy.qk1")
    _approve_from_inbox(qk1_commander, merit, "Đồng ý trình Bộ Quốc phòng.", "Chỉ huy phê duyệt")
    qk1_commander.goto(f"{url}/nominations/{merit.pk}/")
    assert "Thẩm định hồ sơ" in qk1_commander.locator("[data-field=stage]").inner_text()
    screenshot(qk1_commander, "journey-05-qk1-forwarded")

    # 6. Khối thi đua số 2's year-end review acclaims Quân khu 1, the member unit F3's flag
    # nomination speaks for (bloc_reviews.member_for), which carries it on. Set up with
    # services as test_bloc_review_browser does (no page for these): the year's criteria
    # (entered by the administrator in the admin) and the delegates' accounts.
    bloc = EmulationBloc.objects.get(code="khoi-2")
    by_code = {unit.code: unit for unit in Unit.objects.filter(code__in=BLOC_MEMBERS)}
    configure_criteria(bloc)
    delegates = {code: UserFactory(username=f"daibieu.{code}") for code in BLOC_MEMBERS}
    delegates[BLOC_BROWSER_DELEGATE].set_password("Demo@2026")
    delegates[BLOC_BROWSER_DELEGATE].save()

    bloc_officer = open_as("khoi2.canbo")
    bloc_officer.click("a[data-action=bloc_detail]")
    bloc_officer.click("a[data-action=bloc_reviews]")
    bloc_officer.click("a[data-action=bloc_review_create]")
    bloc_officer.select_option("#id_bloc", str(bloc.pk))
    bloc_officer.fill("#id_year", "2026")
    bloc_officer.fill("#id_title", "Hội nghị tổng kết Khối thi đua số 2 năm 2026")
    bloc_officer.fill("#id_meeting_date", "2026-11-20")
    bloc_officer.click("button[data-action=bloc_review_save]")
    assert "Đã lập hội nghị bình xét" in _messages(bloc_officer)
    review = BlocReview.objects.get(bloc=bloc, year=2026)
    for code, user in delegates.items():
        bloc_officer.fill(f"input[name='unit-{by_code[code].pk}']", user.username)
    bloc_officer.click("button[data-action=bloc_review_delegates]")
    assert "Đã cập nhật đại biểu" in _messages(bloc_officer)
    bloc_officer.click("button[data-action=bloc_review_open_scoring]")
    assert bloc_officer.locator("[data-field=status]").inner_text() == "Đang chấm điểm"

    delegate = open_as(delegates[BLOC_BROWSER_DELEGATE].username)
    delegate.goto(f"{url}/bloc-reviews/{review.pk}/")
    delegate.click("a[data-action=bloc_review_score]")
    boxes = delegate.locator("input.score")
    for index in range(boxes.count()):
        boxes.nth(index).fill("9" if index < 2 else "8")
    delegate.click("button[data-action=bloc_review_score]")
    assert "Đã ghi điểm chấm" in _messages(delegate)
    # the other delegates score through the services (their part is not this journey's)
    criteria = bloc_reviews.criteria_of(review)
    for code, user in delegates.items():
        if code == BLOC_BROWSER_DELEGATE:
            continue
        seat = bloc_reviews.delegate_of(user, review)
        bloc_reviews.score_record(
            actor=user,
            review=review,
            scores={
                (unit.pk, criterion.pk): 8
                for unit in bloc_reviews.units_to_score(review, seat)
                for criterion in criteria
            },
        )
    bloc_officer.reload()
    bloc_officer.click("button[data-action=bloc_review_open_acclaim]")
    assert bloc_officer.locator("[data-field=status]").inner_text() == "Đang bỏ phiếu suy tôn"

    delegate.goto(f"{url}/bloc-reviews/{review.pk}/")
    delegate.click("a[data-action=bloc_review_ballot]")
    delegate.check(f"input[name=units][value='{by_code['qk1'].pk}']")
    screenshot(delegate, "journey-06-bloc-ballot")
    delegate.click("button[data-action=acclaim_submit]")
    assert "Đồng chí đã nộp phiếu suy tôn" in _messages(delegate)
    for voter, chosen in {"qk3": "qk1", "qk4": "qk1", "qk5": "qk1", "qk1": "qk3"}.items():
        bloc_reviews.acclaim_cast(actor=delegates[voter], review=review, units=[by_code[chosen].pk])

    bloc_officer.reload()
    assert "Đã có 5/8" in bloc_officer.locator("[data-field=voted]").inner_text()
    bloc_officer.click("button[data-action=bloc_review_close]")
    proposed = bloc_officer.locator(f"tr[data-result='{by_code['qk1'].pk}']").inner_text()
    assert "Quân khu 1" in proposed and "4/8" in proposed and "Được suy tôn" in proposed
    bloc_officer.fill("#id_minutes", "Hội nghị thống nhất suy tôn Quân khu 1.")
    bloc_officer.click("button[data-action=bloc_review_submit]")
    assert "Đã gửi kết quả bình xét" in _messages(bloc_officer)
    delivered = bloc_officer.locator(f"[data-field=delivered] [data-nomination='{flag.pk}']")
    assert "Đang xét duyệt: Thẩm định hồ sơ" in delivered.inner_text()
    screenshot(bloc_officer, "journey-07-bloc-acclaimed")

    # 7. the secretariat appraises both nominations of the letter (the bloc's minutes are
    # in the flag's dossier by now, filed by the review's task)
    flag.refresh_from_db()
    assert flag.attachments.filter(document_type__code="ket-qua-suy-ton").exists()
    secretariat = open_as("tth.canbo")
    secretariat.click("nav.mainnav [data-nav=inbox]")
    for nomination in (merit, flag):
        row = secretariat.locator(f"tr[data-nomination='{nomination.pk}']")
        assert "Thẩm định hồ sơ" in row.inner_text()
    screenshot(secretariat, "journey-08-secretariat-inbox")
    _act_on_letter(secretariat, url, letter, "Hồ sơ đủ điều kiện, trình Hội đồng.", 2)

    # 8. the council: the secretary sets the agenda and attendance, the chair opens the vote
    # Council members without a demo account get one (seeding, not the journey's subject).
    today = timezone.localdate()
    users = roster_users(ministry_council(), day=today)
    secretary = open_as("hd.thuky")
    secretary.click("nav.mainnav [data-nav=sessions]")
    secretary.click("a[data-action=session_create]")
    for nomination in (merit, flag):
        assert secretary.is_checked(f"input[name=nominations][value='{nomination.pk}']")
    secretary.fill("#id_title", "Phiên họp xét khen thưởng tổng kết năm 2026")
    secretary.fill("#id_meeting_date", today.isoformat())
    deadline = timezone.localtime() + datetime.timedelta(days=2)
    secretary.fill("#id_voting_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    secretary.click("button[data-action=session_save]")
    assert "Đã lập phiên họp với 2 đề nghị" in _messages(secretary)
    session = CouncilSession.objects.get()
    secretary.click("button[data-set-all=present]")
    secretary.click("button[data-action=session_attendance]")
    assert "Có mặt 17/17, cần 12" in secretary.locator("[data-field=quorum]").inner_text()

    chair = open_as("hd.chutich")
    chair.click("nav.mainnav [data-nav=sessions]")
    chair.click(f"tr[data-session='{session.pk}'] a")
    chair.click("button[data-action=session_open]")
    assert chair.locator("[data-field=status]").inner_text() == "Đang bỏ phiếu"

    # three members vote in their own browsers
    items = list(session.items.order_by("nomination_id"))
    for username in COUNCIL_BROWSER_VOTERS:
        member = open_as(username)
        member.click("nav.mainnav [data-nav=sessions]")
        member.click(f"tr[data-session='{session.pk}'] a")
        member.click("a[data-action=session_ballot]")
        for item in items:
            member.check(f"input[name='choice-{item.pk}'][value=agree]")
        if username == COUNCIL_BROWSER_VOTERS[0]:
            screenshot(member, "journey-09-council-ballot")
        member.click("button[data-action=ballot_submit]")
        assert len(member.locator("[data-field=receipt]").inner_text().strip()) == 19
    # the other fourteen present members vote through the service (not this journey's
    # subject; test_session_browser walks a member's ballot in full)
    in_browser = {demo_user(username).pk for username in COUNCIL_BROWSER_VOTERS}
    for user in users.values():
        if user.pk not in in_browser:
            voting.ballot_cast(
                actor=user, session=session, choices={item.pk: "agree" for item in items}
            )

    # 9. the chair closes the vote and concludes
    chair.reload()
    assert "Đã có 17/17" in chair.locator("#voting [data-field=voted]").inner_text()
    chair.click("button[data-action=session_close]")
    assert chair.locator("[data-field=status]").inner_text() == "Đã kết thúc bỏ phiếu"
    for item in items:
        row = chair.locator(f"tr[data-item='{item.pk}']")
        assert row.locator("[data-tally=agree]").inner_text() == "17"
        assert "cần ít nhất 9 phiếu tán thành" in row.inner_text()
    screenshot(chair, "journey-10-council-tally")
    chair.fill("#id_conclusion", "Hội đồng thống nhất đề nghị Bộ trưởng khen thưởng.")
    chair.click("button[data-action=session_conclude]")
    assert chair.locator("[data-field=status]").inner_text() == "Chủ tịch đã kết luận"
    applied = chair.locator("#results [data-field=applied]").all_inner_texts()
    assert applied == ["Đã chuyển bước", "Đã chuyển bước"]

    # 10. the Minister issues one decision for both
    minister = open_as("bqp.thutruong")
    minister.click("nav.mainnav [data-nav=inbox]")
    for nomination in (merit, flag):
        assert minister.locator(f"tr[data-nomination='{nomination.pk}']").count() == 1
    minister.click("nav.mainnav [data-nav=decisions]")
    minister.click("a[data-action=decision_create]")
    for nomination in (merit, flag):
        assert minister.is_checked(f"input[name=nominations][value='{nomination.pk}']")
    minister.fill("#id_number", DECISION_NUMBER)
    minister.fill("#id_signer_title", "Bộ trưởng")
    minister.fill("#id_signer_name", "Trịnh Đình Hùng")
    minister.click("button[data-action=decision_issue]")
    assert f"Đã ban hành Quyết định số {DECISION_NUMBER}: 2 đề nghị" in _messages(minister)
    assert minister.locator("table[data-table=entries] tbody tr").count() == 2
    screenshot(minister, "journey-11-decision-issued")
    assert Decision.objects.get().number == DECISION_NUMBER
    for nomination in (merit, flag):
        nomination.refresh_from_db()
        assert nomination.status == NominationStatus.AWARDED

    # 11. F3's officer finds both awards in the unit's history, and the person's in theirs
    officer.goto(f"{url}/units/")
    officer.click(f"a[href='/units/{f3.pk}/awards/']")
    tables = officer.locator("table.registry")
    collective = tables.nth(0).inner_text()
    assert "Cờ thi đua của Bộ Quốc phòng" in collective and DECISION_NUMBER in collective
    individual = tables.nth(1).inner_text()
    assert person.full_name in individual and "Bằng khen của Bộ trưởng" in individual
    assert DECISION_NUMBER in individual
    screenshot(officer, "journey-12-unit-award-history")
    officer.click(f"table.registry a[href='/people/{person.pk}/']")
    history = officer.locator("#award-history + table").inner_text()
    assert "Bằng khen của Bộ trưởng Bộ Quốc phòng" in history and DECISION_NUMBER in history
    screenshot(officer, "journey-13-person-award-history")
