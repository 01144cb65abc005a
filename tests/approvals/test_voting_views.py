"""Council session pages as their users see them: the secretary, the chair, a member, outsiders."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import (
    AgendaItem,
    CouncilSession,
    NominationStatus,
    SessionStatus,
    Unit,
    VoteMark,
)
from approvals.services import voting
from tests.approvals.voting_helpers import (
    MEETING,
    at_council_vote,
    ministry_council,
    prepared_session,
    roster_users,
)

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"\b[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}\b")


def _html(response) -> str:
    return response.content.decode()


def _voting_session(demo_user, nominations, *, present=17):
    session = prepared_session(demo_user, nominations, present=present)
    return voting.voting_open(actor=demo_user("hd.chutich"), session=session)


def _vote_everyone(session, users, *, agree=lambda index, item_pk: True, skip=()):
    items = list(session.items.filter(round=session.round).values_list("pk", flat=True))
    present = set(
        session.attendances.exclude(status="absent").values_list("membership_id", flat=True)
    )
    index = 0
    for membership_id, user in users.items():
        if membership_id not in present or user.username in skip:
            continue
        choices = {pk: "agree" if agree(index, pk) else "disagree" for pk in items}
        voting.ballot_cast(actor=user, session=session, choices=choices)
        index += 1


# the list and a new session ----------------------------------------------------------------


def test_the_secretary_creates_a_session_from_the_waiting_nominations(client_for, demo_user):
    first, second = at_council_vote(demo_user, 2)
    client = client_for("hd.thuky")
    listing = _html(client.get(reverse("session_list")))
    assert "Lập phiên họp" in listing
    page = client.get(reverse("session_create"))
    assert page.status_code == 200
    html = _html(page)
    for nomination in (first, second):  # every waiting nomination is checked by default
        assert re.search(rf'name="nominations" value="{nomination.pk}"[^>]*checked', html)
    assert "Chọn tất cả" in html
    deadline = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        reverse("session_create"),
        {
            "council": ministry_council().pk,
            "title": "Phiên họp xét Bằng khen năm 2026",
            "meeting_date": MEETING.isoformat(),
            "voting_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "nominations": [first.pk],
        },
    )
    session = CouncilSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("session_detail", args=[session.pk])
    assert list(session.items.values_list("nomination_id", flat=True)) == [first.pk]
    assert (session.roster_size, session.quorum_required) == (17, 12)
    detail = _html(client.get(response.url))
    assert "Có mặt 0/17, cần 12" in detail
    # the other nomination is still waiting and offered for the next session
    assert f'value="{second.pk}"' in _html(client.get(reverse("session_create")))


def test_a_bad_deadline_keeps_what_was_typed(client_for, demo_user):
    first, second = at_council_vote(demo_user, 2)
    client = client_for("hd.thuky")
    meeting = timezone.localdate() + datetime.timedelta(days=10)
    early = f"{meeting - datetime.timedelta(days=5):%Y-%m-%d}T17:00"  # before the meeting
    response = client.post(
        reverse("session_create"),
        {
            "council": ministry_council().pk,
            "title": "Phiên họp tháng Mười hai",
            "meeting_date": meeting.isoformat(),
            "voting_deadline": early,
            "nominations": [second.pk],
        },
    )
    assert response.status_code == 400
    html = _html(response)
    assert "Hạn bỏ phiếu không được trước ngày họp." in html
    assert 'value="Phiên họp tháng Mười hai"' in html
    assert f'value="{early}"' in html
    assert f'value="{meeting.isoformat()}"' in html
    assert re.search(rf'value="{second.pk}"[^>]*checked', html)
    assert not re.search(rf'value="{first.pk}"[^>]*checked', html)
    assert not CouncilSession.objects.exists()

    unreadable = client.post(
        reverse("session_create"),
        {
            "council": ministry_council().pk,
            "title": "Phiên họp tháng Mười hai",
            "meeting_date": MEETING.isoformat(),
            "voting_deadline": "ngày mai",
        },
    )
    assert unreadable.status_code == 400
    html = _html(unreadable)
    assert 'value="ngày mai"' in html
    assert "Chọn ít nhất một đề nghị đưa ra biểu quyết." in html


def test_only_the_secretary_and_the_chair_may_create_sessions(client_for, demo_user):
    at_council_vote(demo_user, 1)
    assert client_for("hd.uyvien1").get(reverse("session_create")).status_code == 403
    assert client_for("tth.canbo").get(reverse("session_create")).status_code == 403
    assert "Lập phiên họp" not in _html(client_for("hd.uyvien1").get(reverse("session_list")))


def test_the_list_shows_each_session_with_its_counts(client_for, demo_user):
    session = prepared_session(demo_user, at_council_vote(demo_user, 2), present=13, written=2)
    html = _html(client_for("hd.uyvien1").get(reverse("session_list")))
    row = re.search(rf'<tr data-session="{session.pk}">(.*?)</tr>', html, re.S).group(1)
    assert session.title in row
    assert "Đang chuẩn bị" in row
    assert "13/17" in row and "+2" in row
    assert '<td class="num">2</td>' in row  # agenda size


# the session page ---------------------------------------------------------------------------


def test_attendance_can_mark_everyone_present(client_for, demo_user):
    session = prepared_session(demo_user, at_council_vote(demo_user, 1), present=0)
    client = client_for("hd.thuky")
    html = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert "Đánh dấu tất cả có mặt" in html
    assert "Chưa thể mở bỏ phiếu: mới có mặt 0/17 thành viên, cần ít nhất 12" in html
    data = {f"m{a.membership_id}": "present" for a in session.attendances.all()}
    response = client.post(reverse("session_attendance", args=[session.pk]), data)
    assert response.status_code == 302
    html = _html(client.get(response.url))
    assert "Có mặt 17/17, cần 12" in html
    assert "Đã đủ túc số" in html
    assert 'data-action="session_open"' not in html  # the secretary does not open the vote


def test_an_incomplete_attendance_is_refused(client_for, demo_user):
    session = prepared_session(demo_user, at_council_vote(demo_user, 1), present=3)
    first = session.attendances.first()
    response = client_for("hd.thuky").post(
        reverse("session_attendance", args=[session.pk]), {f"m{first.membership_id}": "present"}
    )
    assert response.status_code == 400
    assert "Điểm danh chưa đầy đủ" in _html(response)
    assert session.attendances.filter(status="present").count() == 3


def test_without_quorum_the_chair_is_told_why_the_vote_cannot_open(client_for, demo_user):
    session = prepared_session(demo_user, at_council_vote(demo_user, 1), present=11)
    client = client_for("hd.chutich")
    page = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert "Có mặt 11/17, cần 12" in page
    assert "Chưa thể mở bỏ phiếu: mới có mặt 11/17 thành viên, cần ít nhất 12" in page
    response = client.post(reverse("session_open", args=[session.pk]))
    assert response.status_code == 400
    assert "Chưa đủ túc số: có mặt 11/17 thành viên, cần ít nhất 12" in _html(response)
    session.refresh_from_db()
    assert session.status == SessionStatus.PREPARING


def test_the_chair_opens_the_vote_with_a_quorum(client_for, demo_user):
    session = prepared_session(demo_user, at_council_vote(demo_user, 1), present=12)
    client = client_for("hd.chutich")
    assert client.post(reverse("session_open", args=[session.pk])).status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.VOTING
    # the secretary may not
    other = prepared_session(demo_user, at_council_vote(demo_user, 1, start=1), present=12)
    assert client_for("hd.thuky").post(reverse("session_open", args=[other.pk])).status_code == 403


def test_the_threshold_is_worded_on_the_whole_roster_with_its_rounding(client_for, demo_user):
    session = prepared_session(demo_user, at_council_vote(demo_user, 1), present=0)
    item = session.items.get()
    html = _html(client_for("hd.uyvien1").get(reverse("session_detail", args=[session.pk])))
    assert item.required_agree == 9
    assert (
        "&gt; 50% của toàn bộ 17 thành viên: 17 × 50% = 8,5, phải nhiều hơn 8,5 → "
        "cần ít nhất 9 phiếu tán thành." in html
    )
    AgendaItem.objects.filter(pk=item.pk).update(
        threshold_percent=90, threshold_rule="gte", required_agree=16
    )
    html = _html(client_for("hd.uyvien1").get(reverse("session_detail", args=[session.pk])))
    assert "≥ 90% của toàn bộ 17 thành viên: 17 × 90% = 15,3, làm tròn lên → cần ít nhất 16" in html


def test_outsiders_do_not_see_the_session(client_for, demo_user):
    session = _voting_session(demo_user, at_council_vote(demo_user, 1))
    for username in ("canbo.f3", "chihuy.qk1", "bqp.thutruong"):
        client = client_for(username)
        for name in ("session_detail", "session_ballot", "session_receipt"):
            assert client.get(reverse(name, args=[session.pk])).status_code == 404, (username, name)
        assert session.title not in _html(client.get(reverse("session_list")))
    # the secretariat and the administrator see it, but do not vote
    for username in ("tth.canbo", "quantri"):
        client = client_for(username)
        assert client.get(reverse("session_detail", args=[session.pk])).status_code == 200
        assert session.title in _html(client.get(reverse("session_list")))
        assert client.get(reverse("session_ballot", args=[session.pk])).status_code == 403


# the ballot ---------------------------------------------------------------------------------


def test_a_member_votes_once_on_the_whole_agenda_and_gets_a_receipt(client_for, demo_user):
    first, second = at_council_vote(demo_user, 2)
    session = _voting_session(demo_user, [first, second])
    item_one, item_two = session.items.order_by("nomination_id")
    client = client_for("hd.uyvien1")
    detail = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert 'data-action="session_ballot"' in detail
    page = client.get(reverse("session_ballot", args=[session.pk]))
    assert page.status_code == 200
    html = _html(page)
    assert "Phiếu chỉ được ghi khi đồng chí bấm Nộp phiếu; sau khi nộp không sửa được" in html
    assert html.count('type="radio"') == 4
    assert "checked" not in html  # nothing chosen in advance
    assert first.nominee_name in html and second.nominee_name in html

    incomplete = client.post(
        reverse("session_ballot", args=[session.pk]),
        {f"choice-{item_one.pk}": "disagree", f"opinion-{item_one.pk}": "Chưa tiêu biểu."},
    )
    assert incomplete.status_code == 400
    html = _html(incomplete)
    assert "Phiếu chưa đầy đủ: còn 1 đề nghị chưa chọn" in html
    assert re.search(rf'name="choice-{item_one.pk}" value="disagree"[^>]*checked', html)
    assert "Chưa tiêu biểu." in html
    assert not VoteMark.objects.exists()

    done = client.post(
        reverse("session_ballot", args=[session.pk]),
        {
            f"choice-{item_one.pk}": "disagree",
            f"opinion-{item_one.pk}": "Chưa tiêu biểu.",
            f"choice-{item_two.pk}": "agree",
        },
    )
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    receipt = RECEIPT.search(_html(done)).group(0)
    assert VoteMark.objects.filter(session=session).count() == 1
    # the receipt is not kept anywhere on the way: not in the session or its messages
    assert receipt not in str(dict(client.session.items()))
    assert all(receipt not in cookie.value for cookie in client.cookies.values())

    again = _html(client.get(reverse("session_ballot", args=[session.pk])))
    assert "Đồng chí đã nộp phiếu" in again
    assert 'type="radio"' not in again
    assert receipt not in again
    twice = client.post(
        reverse("session_ballot", args=[session.pk]),
        {f"choice-{item_one.pk}": "agree", f"choice-{item_two.pk}": "agree"},
    )
    assert twice.status_code == 400
    assert VoteMark.objects.filter(session=session).count() == 1
    detail = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert "Đồng chí đã nộp phiếu." in detail
    assert "Đã có 1/17 thành viên được bỏ phiếu nộp phiếu." in detail

    # anyone who sees the session can check a receipt, and learns only whether it counted
    checker = client_for("hd.thuky")
    counted = checker.post(
        reverse("session_receipt", args=[session.pk]), {"receipt": receipt.lower()}
    )
    assert counted.status_code == 200
    html = _html(counted)
    assert "Phiếu của đồng chí đã được tính" in html
    assert "Tán thành" not in html and "Chưa tiêu biểu" not in html
    unknown = checker.post(
        reverse("session_receipt", args=[session.pk]), {"receipt": "0000-0000-0000-0000"}
    )
    assert "Không tìm thấy phiếu với mã này" in _html(unknown)


def test_an_absent_member_and_a_non_member_cannot_open_the_ballot(client_for, demo_user):
    session = _voting_session(demo_user, at_council_vote(demo_user, 1), present=12)
    absent = session.attendances.get(membership__person__user__username="hd.uyvien3")
    absent.status = "absent"
    absent.save(update_fields=["status"])
    assert (
        client_for("hd.uyvien3").get(reverse("session_ballot", args=[session.pk])).status_code
        == 403
    )
    assert (
        client_for("tth.canbo").post(reverse("session_ballot", args=[session.pk])).status_code
        == 403
    )


def test_a_recused_item_has_no_inputs_on_the_ballot(client_for, demo_user):
    first, second = at_council_vote(demo_user, 2)
    session = _voting_session(demo_user, [first, second])
    member = demo_user("hd.uyvien2").person
    member.unit = Unit.objects.get(code="qk1")  # above the nominating Sư đoàn 3
    member.save(update_fields=["unit"])
    html = _html(client_for("hd.uyvien2").get(reverse("session_ballot", args=[session.pk])))
    assert html.count("Không tham gia biểu quyết") == 2
    assert 'type="radio"' not in html
    done = client_for("hd.uyvien2").post(reverse("session_ballot", args=[session.pk]), {})
    assert done.status_code == 200
    assert RECEIPT.search(_html(done))


# tallies, conclusion, second round -----------------------------------------------------------


def test_tallies_are_hidden_until_the_round_closes(client_for, demo_user):
    users = roster_users(ministry_council())
    first, second = at_council_vote(demo_user, 2)
    session = _voting_session(demo_user, [first, second])
    items = dict(session.items.values_list("nomination_id", "pk"))
    _vote_everyone(session, users, agree=lambda index, pk: pk == items[first.pk] or index < 5)
    client = client_for("hd.chutich")
    before = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert "Đã có 17/17 thành viên được bỏ phiếu nộp phiếu." in before
    assert "data-tally" not in before
    assert "Không đạt" not in before and ">Đạt<" not in before
    assert "Không tán thành" not in before

    assert client.post(reverse("session_close", args=[session.pk])).status_code == 302
    after = _html(client.get(reverse("session_detail", args=[session.pk])))
    first_row = re.search(rf'data-item="{items[first.pk]}">(.*?)</tr>', after, re.S).group(1)
    second_row = re.search(rf'data-item="{items[second.pk]}">(.*?)</tr>', after, re.S).group(1)
    assert 'data-tally="agree">17<' in first_row and "<strong>Đạt</strong>" in first_row
    assert 'data-tally="agree">5<' in second_row and 'data-tally="disagree">12<' in second_row
    assert "Không đạt" in second_row
    # a member sees the tallies too, once closed
    member = _html(client_for("hd.uyvien3").get(reverse("session_detail", args=[session.pk])))
    assert 'data-tally="agree">17<' in member


def test_the_chair_concludes_and_the_results_move_the_nominations(
    client_for, demo_user, django_capture_on_commit_callbacks, settings, tmp_path, eager_celery
):
    settings.MEDIA_ROOT = tmp_path  # concluding also writes the minutes
    users = roster_users(ministry_council())
    first, second = at_council_vote(demo_user, 2)
    session = _voting_session(demo_user, [first, second])
    items = dict(session.items.values_list("nomination_id", "pk"))
    _vote_everyone(session, users, agree=lambda index, pk: pk == items[first.pk] or index < 5)
    client = client_for("hd.chutich")
    client.post(reverse("session_close", args=[session.pk]))
    page = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert 'name="second_round"' in page  # the Ministry council allows a second round
    assert f'value="{items[second.pk]}"' in page and f'value="{items[first.pk]}"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("session_conclude", args=[session.pk]),
            {"conclusion": "Hội đồng thống nhất theo kết quả kiểm phiếu."},
        )
    assert response.status_code == 302
    html = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert "Chủ tịch hội đồng đã kết luận" in html
    assert "Hội đồng thống nhất theo kết quả kiểm phiếu." in html
    assert html.count("Đã chuyển bước") == 2
    passed, failed = (n.__class__.objects.get(pk=n.pk) for n in (first, second))
    assert passed.current_stage.kind == "decision"
    assert failed.status == NominationStatus.REJECTED


def test_a_failed_item_goes_to_a_second_round_with_its_tally_hidden(client_for, demo_user):
    users = roster_users(ministry_council())
    first, second = at_council_vote(demo_user, 2)
    session = _voting_session(demo_user, [first, second])
    items = dict(session.items.values_list("nomination_id", "pk"))
    _vote_everyone(session, users, agree=lambda index, pk: pk == items[first.pk] or index < 5)
    client = client_for("hd.chutich")
    client.post(reverse("session_close", args=[session.pk]))
    refused = client.post(
        reverse("session_conclude", args=[session.pk]), {"second_round": [items[first.pk]]}
    )
    assert refused.status_code == 400  # a passed item is not voted again
    response = client.post(
        reverse("session_conclude", args=[session.pk]), {"second_round": [items[second.pk]]}
    )
    assert response.status_code == 302
    html = _html(client.get(reverse("session_detail", args=[session.pk])))
    assert "Vòng 2" in html
    round_two = session.items.get(round=2)
    row = re.search(rf'data-item="{round_two.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "data-tally" not in row
    assert 'data-tally="agree">5<' in html  # the first round's count stays visible
    ballot = _html(client_for("hd.uyvien1").get(reverse("session_ballot", args=[session.pk])))
    assert ballot.count('type="radio"') == 2  # only the second round's item


# bounded queries ------------------------------------------------------------------------------


def _closed_session(demo_user, count, *, start):
    nominations = at_council_vote(demo_user, count, start=start)
    session = _voting_session(demo_user, nominations)
    voting.ballot_cast(
        actor=demo_user("hd.uyvien1"),
        session=session,
        choices=dict.fromkeys(session.items.values_list("pk", flat=True), "agree"),
    )
    return voting.voting_close(actor=demo_user("hd.chutich"), session=session)


def test_the_session_page_reads_as_many_queries_for_20_items_as_for_2(
    client_for, demo_user, django_assert_max_num_queries
):
    small = _closed_session(demo_user, 2, start=0)
    large = _closed_session(demo_user, 20, start=2)
    assert large.items.count() == 20
    client = client_for("hd.chutich")
    client.get(reverse("session_detail", args=[small.pk]))  # the login's own first queries
    with CaptureQueriesContext(connection) as measured:
        assert client.get(reverse("session_detail", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(len(measured)) as large_queries:
        html = _html(client.get(reverse("session_detail", args=[large.pk])))
    assert html.count('data-tally="agree"') == 20
    assert len(large_queries) == len(measured)


def test_the_session_list_reads_a_fixed_number_of_queries(client_for, demo_user):
    prepared_session(demo_user, at_council_vote(demo_user, 1), present=12)
    client = client_for("tth.canbo")
    client.get(reverse("session_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("session_list"))
    for index in range(1, 4):
        prepared_session(demo_user, at_council_vote(demo_user, 1, start=index), present=12)
    with CaptureQueriesContext(connection) as four:
        html = _html(client.get(reverse("session_list")))
    assert html.count("data-session=") == 4
    assert len(four) == len(one)


def test_a_deadline_is_compared_with_the_meeting_date_in_local_time(demo_user):
    # 06:00 in Hà Nội on the meeting day is still the day before in UTC
    deadline = datetime.datetime(2026, 11, 25, 23, 0, tzinfo=datetime.UTC)
    session = voting.session_create(
        actor=demo_user("hd.thuky"),
        council=ministry_council(),
        title="Phiên họp sáng sớm",
        meeting_date=MEETING,
        voting_deadline=deadline,
        nominations=at_council_vote(demo_user, 1),
    )
    assert timezone.localtime(session.voting_deadline).date() == MEETING
