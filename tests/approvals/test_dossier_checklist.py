"""Required documents per award and stage: the checklist, and the stage it keeps a nomination at."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import (
    AuditEvent,
    Campaign,
    DocumentRequirement,
    DocumentType,
    Nomination,
    NominationStatus,
    Unit,
)
from approvals.selectors.dossier_checklist import checklist, missing_to_leave
from approvals.services.dossiers import attachment_add
from approvals.services.letters import letter_act, letter_create
from approvals.services.nominations import Action, VoteResult, stage_act, stage_record_vote_result
from tests.approvals.dossier_helpers import PDF, complete_dossier
from tests.approvals.nomination_helpers import move, nominate

pytestmark = pytest.mark.django_db

BASIC = ["to-trinh", "bao-cao-thanh-tich", "bien-ban-binh-xet"]
MISSING_ALL = (
    "Hồ sơ còn thiếu: Tờ trình đề nghị khen thưởng; Báo cáo thành tích; Biên bản họp bình xét. "
    "Tải lên trước khi chuyển bước."
)


def _upload(user, nomination, code: str, *, replaces=None, content=PDF):
    return attachment_add(
        actor=user,
        nomination=nomination,
        upload=SimpleUploadedFile(f"{code}.pdf", content),
        document_type=DocumentType.objects.get(code=code),
        replaces=replaces,
    )


def _state(nomination) -> tuple:
    nomination = Nomination.objects.get(pk=nomination.pk)
    return (
        nomination.status,
        nomination.stage_position,
        nomination.current_task_id,
        nomination.events.count(),
        AuditEvent.objects.count(),
    )


def _codes(documents) -> list[str]:
    return [document.code for document in documents]


def test_leaving_the_unit_without_the_documents_is_refused_and_changes_nothing(demo_user):
    nomination = nominate(demo_user)
    before = _state(nomination)
    with pytest.raises(ValidationError) as refused:
        stage_act(actor=demo_user("canbo.f3"), nomination=nomination, action=Action.APPROVE)
    assert refused.value.messages == [MISSING_ALL]
    assert _state(nomination) == before
    assert _state(nomination)[:2] == (NominationStatus.DRAFT, 1)


def test_after_the_uploads_the_nomination_moves_on(demo_user):
    officer = demo_user("canbo.f3")
    nomination = nominate(demo_user)
    _upload(officer, nomination, "to-trinh")
    _upload(officer, nomination, "bao-cao-thanh-tich")
    with pytest.raises(ValidationError, match=r"Hồ sơ còn thiếu: Biên bản họp bình xét\. "):
        stage_act(actor=officer, nomination=nomination, action=Action.APPROVE)
    _upload(officer, nomination, "bien-ban-binh-xet")
    assert missing_to_leave(nomination) == []
    moved = stage_act(actor=officer, nomination=nomination, action=Action.APPROVE)
    assert (moved.status, moved.stage_position) == (NominationStatus.IN_PROGRESS, 2)


def test_a_document_due_at_the_approval_blocks_the_commander_not_the_officer(demo_user):
    officer, commander = demo_user("canbo.f3"), demo_user("chihuy.f3")
    nomination = nominate(demo_user, award="hc-bvtq-3")
    assert _codes(missing_to_leave(nomination)) == BASIC  # the Party's opinion is not due yet
    complete_dossier(nomination, officer)
    nomination = stage_act(actor=officer, nomination=nomination, action=Action.APPROVE)
    assert nomination.current_stage.kind == "approval"

    before = _state(nomination)
    with pytest.raises(ValidationError) as refused:
        stage_act(actor=commander, nomination=nomination, action=Action.APPROVE)
    assert refused.value.messages == [
        "Hồ sơ còn thiếu: Ý kiến của cấp ủy Đảng. Tải lên trước khi chuyển bước."
    ]
    assert _state(nomination) == before
    _upload(commander, nomination, "y-kien-cap-uy")
    nomination = stage_act(actor=commander, nomination=nomination, action=Action.APPROVE)
    assert nomination.stage_position == 3


def test_a_replaced_document_counts_by_its_current_version(demo_user):
    officer = demo_user("canbo.f3")
    nomination = nominate(demo_user)
    complete_dossier(nomination, officer)
    first = nomination.attachments.get(document_type__code="to-trinh")
    second = _upload(officer, nomination, "to-trinh", replaces=first, content=PDF + b"%v2")
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    item = next(i for i in checklist(nomination) if i.document_type.code == "to-trinh")
    assert item.attachment == second
    assert missing_to_leave(nomination) == []
    assert (
        stage_act(actor=officer, nomination=nomination, action=Action.APPROVE).stage_position == 2
    )


def test_a_letter_with_one_incomplete_nomination_moves_none(demo_user):
    officer = demo_user("canbo.f3")
    letter = letter_create(
        actor=officer,
        unit=Unit.objects.get(code="f3"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        title="Đề nghị tặng Giấy khen năm 2026",
    )
    complete, incomplete = nominate(demo_user, index=0), nominate(demo_user, index=1)
    Nomination.objects.filter(pk__in=[complete.pk, incomplete.pk]).update(letter=letter)
    complete_dossier(complete, officer)
    before = [_state(complete), _state(incomplete)]
    with pytest.raises(ValidationError, match="Hồ sơ còn thiếu"):
        letter_act(actor=officer, letter=letter, action=Action.APPROVE)
    assert [_state(complete), _state(incomplete)] == before

    complete_dossier(incomplete, officer)
    done = letter_act(actor=officer, letter=letter, action=Action.APPROVE)
    assert [n.stage_position for n in done] == [2, 2]


def test_a_vote_result_is_not_held_up_by_the_dossier(demo_user):
    f3 = Unit.objects.get(code="f3")
    from approvals.models import Award
    from approvals.services.nominations import nomination_create

    nomination = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=f3,
        award=Award.objects.get(code="co-bqp"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Đơn vị dẫn đầu phong trào thi đua của khối.",
        nominee_unit=f3,
    )
    nomination = move(demo_user, nomination, "canbo.f3", "chihuy.f3")
    assert nomination.current_stage.kind == "bloc_vote"
    # a document set aside after the submission (as if superseded): the vote still counts
    nomination.attachments.filter(document_type__code="to-trinh").update(is_current=False)
    assert _codes(missing_to_leave(nomination)) == ["to-trinh"]
    assert not any(item.blocks_now for item in checklist(nomination))  # a vote stage
    moved = stage_record_vote_result(
        actor=demo_user("khoi2.canbo"),
        nomination=nomination,
        result=VoteResult(passed=True, agree=7, members=8, required=5),
    )
    assert moved.current_stage.kind == "appraisal"


def test_a_requirement_for_a_stage_the_route_lacks_is_listed_and_never_blocks(demo_user):
    nomination = nominate(demo_user)  # Giấy khen: no public posting on its route
    version = nomination.award.version_for(nomination.campaign)
    DocumentRequirement.objects.create(
        version=version,
        document_type=DocumentType.objects.get(code="xac-nhan-dot-xuat"),
        stage_kind="posting",
    )
    items = checklist(nomination)
    assert [item.document_type.code for item in items] == [*BASIC, "xac-nhan-dot-xuat"]
    extra = items[-1]
    assert (extra.applies, extra.blocks_now, extra.stage_label) == (
        False,
        False,
        "Công khai lấy ý kiến",
    )
    assert [(i.stage_label, i.blocks_now) for i in items[:3]] == [
        ("1. Lập hồ sơ đề nghị — Đơn vị đề nghị", True)
    ] * 3
    complete_dossier(nomination, demo_user("canbo.f3"))
    moved = stage_act(actor=demo_user("canbo.f3"), nomination=nomination, action=Action.APPROVE)
    assert moved.stage_position == 2


def test_the_checklist_reads_in_three_queries_whatever_the_dossier(
    demo_user, django_assert_max_num_queries
):
    officer = demo_user("canbo.f3")
    nomination = nominate(demo_user, award="hc-bvtq-3")
    complete_dossier(nomination, officer)
    for _ in range(5):
        current = nomination.attachments.get(document_type__code="to-trinh", is_current=True)
        _upload(officer, nomination, "to-trinh", replaces=current)
    fresh = Nomination.objects.select_related("campaign", "current_stage").get(pk=nomination.pk)
    with django_assert_max_num_queries(3):
        items = checklist(fresh)
    assert [(i.document_type.code, i.present) for i in items] == [
        *((code, True) for code in BASIC),
        ("y-kien-cap-uy", False),
    ]
    assert items[-1].stage_label == "2. Chỉ huy phê duyệt, ký tờ trình — Đơn vị đề nghị"
    with django_assert_max_num_queries(3):
        assert missing_to_leave(fresh) == []


def _rows(html: str) -> dict[str, str]:
    """The checklist's rows by document code: the whole <tr ...> tag and its cells."""
    table = html.split('id="checklist"', 1)[1].split("</table>", 1)[0]
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r'<tr data-document="([^"]+)".*?</tr>', table, re.S)
    }


def test_the_page_shows_what_is_there_and_what_blocks_the_stage(client_for, demo_user):
    officer = demo_user("canbo.f3")
    nomination = nominate(demo_user, award="hc-bvtq-3")
    old = _upload(officer, nomination, "bao-cao-thanh-tich")
    current = _upload(officer, nomination, "bao-cao-thanh-tich", replaces=old, content=PDF + b"2")
    html = client_for("canbo.f3").get(reverse("nomination_detail", args=[nomination.pk]))
    html = html.content.decode()
    rows = _rows(html)
    assert list(rows) == [*BASIC, "y-kien-cap-uy"]
    present = rows["bao-cao-thanh-tich"]
    assert 'data-present="yes"' in present and "✓" in present and "✗" not in present
    assert reverse("attachment_download", args=[current.pk]) in present
    assert reverse("attachment_download", args=[old.pk]) not in present
    for code in ("to-trinh", "bien-ban-binh-xet"):
        assert 'data-present="no"' in rows[code] and "✗" in rows[code]
        assert 'data-blocks="yes"' in rows[code]
    # the Party committee's opinion is missing too, but due only at the commander's approval
    due_later = rows["y-kien-cap-uy"]
    assert "✗" in due_later and "data-blocks" not in due_later
    assert "2. Chỉ huy phê duyệt, ký tờ trình" in due_later
    assert 'data-field="blocking"' in html
    # the upload form offers the first missing document of this stage
    to_trinh = DocumentType.objects.get(code="to-trinh")
    assert re.search(rf'<option value="{to_trinh.pk}" selected>', html)

    complete_dossier(nomination, officer)
    html = client_for("canbo.f3").get(reverse("nomination_detail", args=[nomination.pk]))
    html = html.content.decode()
    assert 'data-blocks="yes"' not in html and 'data-field="blocking"' not in html


def test_a_reader_sees_the_checklist_without_the_upload_form(client_for, demo_user):
    nomination = move(demo_user, nominate(demo_user), "canbo.f3")
    html = client_for("canbo.f3").get(reverse("nomination_detail", args=[nomination.pk]))
    html = html.content.decode()
    assert all('data-present="yes"' in row for row in _rows(html).values())
    assert reverse("attachment_upload", args=[nomination.pk]) not in html
    outsider = client_for("canbo.qk3")
    assert outsider.get(reverse("nomination_detail", args=[nomination.pk])).status_code == 404


def _measure(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_does_the_same_queries_with_1_and_with_10_attachments(client_for, demo_user):
    officer = demo_user("canbo.f3")
    one, ten = nominate(demo_user, index=0), nominate(demo_user, index=1)
    _upload(officer, one, "to-trinh")
    complete_dossier(ten, officer)
    for code in ("tom-tat-thanh-tich", "chung-nhan-sang-kien", "xac-nhan-dot-xuat"):
        _upload(officer, ten, code)
    for _ in range(4):
        current = ten.attachments.get(document_type__code="to-trinh", is_current=True)
        _upload(officer, ten, "to-trinh", replaces=current)
    assert (one.attachments.count(), ten.attachments.count()) == (1, 10)
    client = client_for("canbo.f3")
    small = _measure(client, reverse("nomination_detail", args=[one.pk]))
    assert _measure(client, reverse("nomination_detail", args=[ten.pk])) == small
