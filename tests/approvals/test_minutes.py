"""Minutes of a council session: content in Vietnamese, PDF and DOCX, filed once per dossier."""

import datetime
import hashlib
import io
import re
from decimal import Decimal

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import translation
from docx.oxml.ns import qn
from pypdf import PdfReader

from approvals import tasks
from approvals.documents import minutes
from approvals.models import AgendaItem, Attachment, AuditEvent, CouncilMembership
from approvals.services import voting
from tests.approvals.voting_helpers import (
    at_council_vote,
    ministry_council,
    prepared_session,
    roster_users,
)

pytestmark = pytest.mark.django_db

OPINION = "Thành tích chưa thật nổi bật so với tiêu chuẩn của hình thức khen thưởng."
CONCLUSION = "Thống nhất đề nghị Bộ trưởng khen thưởng theo kết quả bỏ phiếu kín."


@pytest.fixture(autouse=True)
def _vietnamese():
    """Expected names with their ranks in Vietnamese, whatever an earlier test activated."""
    with translation.override("vi"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def concluded_session(demo_user):
    """17 members: 12 present, 2 in writing, 3 absent; the first item 14-0, the second 8-6."""
    users = roster_users(ministry_council())
    nominations = at_council_vote(demo_user, 2)
    session = prepared_session(demo_user, nominations, present=12, written=2)
    chair = demo_user("hd.chutich")
    session = voting.voting_open(actor=chair, session=session)
    first, second = session.items.order_by("nomination_id")
    absent = set(
        session.attendances.filter(status="absent").values_list("membership_id", flat=True)
    )
    voters = [user for membership_id, user in users.items() if membership_id not in absent]
    assert len(voters) == 14
    for index, user in enumerate(voters):
        voting.ballot_cast(
            actor=user,
            session=session,
            choices={first.pk: "agree", second.pk: "agree" if index < 8 else "disagree"},
            opinions={second.pk: OPINION} if index == 9 else None,
        )
    session = voting.voting_close(actor=chair, session=session)
    session = voting.session_conclude(actor=chair, session=session, conclusion=CONCLUSION)
    return session, nominations


def _docx(session):
    with default_storage.open(minutes.minutes_storage_name(session, "docx"), "rb") as stored:
        return docx.Document(io.BytesIO(stored.read()))


def _pdf_text(session) -> str:
    with default_storage.open(minutes.minutes_storage_name(session, "pdf"), "rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
        text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


def _section(paragraphs: list[str], start: str, end: str) -> list[str]:
    first = next(i for i, text in enumerate(paragraphs) if text.startswith(start))
    last = next(i for i, text in enumerate(paragraphs) if text.startswith(end))
    return paragraphs[first + 1 : last]


def test_the_minutes_give_the_count_the_quorum_and_the_threshold_of_each_nomination(
    demo_user, media
):
    session, (passed, failed) = concluded_session(demo_user)
    assert tasks.minutes_generate(session_id=session.pk) == 2

    document = _docx(session)
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    header, roster, results, signatures = document.tables
    header_text = "\n".join(cell.text for cell in header.rows[0].cells)
    assert "BỘ QUỐC PHÒNG\nHỘI ĐỒNG THI ĐUA, KHEN THƯỞNG" in header_text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in header_text
    assert "Hà Nội, ngày 26 tháng 11 năm 2026" in header_text
    assert "BIÊN BẢN" in paragraphs
    assert "Họp Hội đồng Thi đua - Khen thưởng Bộ Quốc phòng" in paragraphs

    assert (
        "Tổng số thành viên Hội đồng vào ngày họp: 17 đồng chí. Có mặt: 12; vắng, bỏ phiếu "
        "bằng văn bản: 2; vắng: 3."
    ) in text
    assert "phải có ít nhất 12/17 thành viên có mặt (2/3 tổng số thành viên)" in text
    assert "có mặt 12/17, đủ túc số để tiến hành bỏ phiếu" in text
    assert "số phiếu phát ra 14 (có mặt 12, bằng văn bản 2); số phiếu thu về 14" in text
    assert len(roster.rows) == 1 + 17
    attendance = [row.cells[4].text for row in roster.rows[1:]]
    assert attendance.count("Có mặt") == 12
    assert attendance.count("Vắng, bỏ phiếu bằng văn bản") == 2
    assert attendance.count("Vắng") == 3

    rows = {row.cells[2].text: [cell.text for cell in row.cells] for row in results.rows[1:]}
    assert [cell.text for cell in results.rows[0].cells][5:10] == [
        "Tán thành",
        "Không tán thành",
        "Không biểu quyết",
        "Ngưỡng",
        "Kết quả",
    ]
    good, short = rows[str(passed.person)], rows[str(failed.person)]
    assert good[1] == passed.award.name
    assert good[3] == passed.person.unit.name
    assert good[4:] == ["1", "14", "0", "0", "> 50% của 17 = 9 phiếu", "Đạt"]
    assert short[4:] == ["1", "8", "6", "0", "> 50% của 17 = 9 phiếu", "Không đạt"]

    opinions = _section(paragraphs, "III.", "IV.")
    assert f"– Phiếu không tán thành: “{OPINION}”" in opinions
    roster_names = CouncilMembership.objects.filter(
        pk__in=session.attendances.values("membership_id")
    ).values_list("person__full_name", flat=True)
    assert len(roster_names) == 17
    for name in roster_names:
        assert not any(name in line for line in opinions), name

    conclusion = _section(paragraphs, "IV.", "Biên bản kết thúc")
    assert "Căn cứ kết quả bỏ phiếu kín, 1/2 đề nghị đạt" in conclusion[0]
    assert f"Ý kiến kết luận: {CONCLUSION}" in conclusion
    chair = demo_user("hd.chutich").person
    secretary = session.attendances.get(membership__role="secretary").membership.person
    assert f"Chủ trì: đồng chí {chair}, Chủ tịch Hội đồng." in paragraphs
    assert f"Thư ký: đồng chí {secretary}, Thư ký Hội đồng." in paragraphs
    left, right = (cell.text for cell in signatures.rows[0].cells)
    assert left.startswith("THƯ KÝ HỘI ĐỒNG") and left.endswith(str(secretary))
    assert right.startswith("CHỦ TỊCH HỘI ĐỒNG") and right.endswith(str(chair))


def test_the_docx_is_set_in_times_new_roman_13(demo_user, media):
    session, _nominations = concluded_session(demo_user)
    tasks.minutes_generate(session_id=session.pk)
    normal = _docx(session).styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == 13
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }


def test_the_pdf_keeps_vietnamese_diacritics(demo_user, media):
    session, (passed, failed) = concluded_session(demo_user)
    tasks.minutes_generate(session_id=session.pk)
    text = _pdf_text(session)
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN",
        "Hội đồng",
        "Thành phần tham dự".upper(),
        "> 50% của 17 = 9 phiếu",
        OPINION,
        CONCLUSION,
    ):
        assert words in text, words
    for nomination in (passed, failed):
        name = nomination.person.full_name
        assert re.search(r"[^\x00-\x7f]", name)  # the nominee's name has diacritics
        assert name in text
    with default_storage.open(minutes.minutes_storage_name(session, "pdf"), "rb") as stored:
        fonts = {
            str(font["/BaseFont"])
            for page in PdfReader(stored).pages
            for font in page["/Resources"]["/Font"].values()
        }
    assert fonts and all("LiberationSerif" in font for font in fonts), fonts


def test_the_minutes_join_each_dossier_once_when_the_task_runs_twice(demo_user, media):
    session, nominations = concluded_session(demo_user)
    assert tasks.minutes_generate(session_id=session.pk) == 2
    assert tasks.minutes_generate(session_id=session.pk) == 0
    for nomination in nominations:
        # the dossier holds the officers' uploads too: one minutes document among them
        attachment = Attachment.objects.get(
            nomination=nomination, document_type__code="bien-ban-hoi-dong"
        )
        assert attachment.original_name == f"bien-ban-hoi-dong-phien-{session.pk}.pdf"
        assert attachment.uploaded_by is None
        assert attachment.content_type == "application/pdf"
        with attachment.file.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"%PDF-")
        assert (attachment.size, attachment.sha256) == (
            len(content),
            hashlib.sha256(content).hexdigest(),
        )
    # regenerating replaced the session's two files rather than adding more
    folder = media / "private" / "minutes" / str(session.pk)
    assert sorted(path.name for path in folder.iterdir()) == [
        f"bien-ban-hoi-dong-phien-{session.pk}.docx",
        f"bien-ban-hoi-dong-phien-{session.pk}.pdf",
    ]
    assert set(minutes.minutes_files(session)) == {"pdf", "docx"}
    assert AuditEvent.objects.filter(verb="session.minutes", object_id=str(session.pk)).count() == 2


def test_changed_minutes_become_a_new_version_of_the_dossier_document(demo_user, media):
    session, nominations = concluded_session(demo_user)
    tasks.minutes_generate(session_id=session.pk)
    session.conclusion += "\n\nBổ sung: biên bản được lập thành 02 bản."
    session.save(update_fields=["conclusion"])
    assert tasks.minutes_generate(session_id=session.pk) == 2
    versions = Attachment.objects.filter(
        nomination=nominations[0], document_type__code="bien-ban-hoi-dong"
    ).order_by("pk")
    assert [v.is_current for v in versions] == [False, True]
    assert versions[1].replaces == versions[0]


def test_minutes_wait_for_the_chairs_conclusion(demo_user, media):
    nominations = at_council_vote(demo_user, 1)
    session = prepared_session(demo_user, nominations, present=17)
    assert tasks.minutes_generate(session_id=session.pk) == 0
    assert tasks.minutes_generate(session_id=0) == 0
    with pytest.raises(ValidationError):
        minutes.minutes_generate(session=session)
    assert not Attachment.objects.filter(
        nomination=nominations[0], document_type__code="bien-ban-hoi-dong"
    ).exists()


@pytest.mark.parametrize(
    ("percent", "rule", "needed", "wording"),
    [
        ("50.00", "gt", 9, "> 50% của 17 = 9 phiếu"),
        ("90.00", "gte", 16, "≥ 90% của 17 = 16 phiếu"),
        ("66.67", "gte", 12, "≥ 66,67% của 17 = 12 phiếu"),
    ],
)
def test_threshold_wording(percent, rule, needed, wording):
    item = AgendaItem(
        threshold_percent=Decimal(percent), threshold_rule=rule, required_agree=needed
    )
    assert minutes.threshold_wording(item, 17) == wording


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 2, 5), "Hà Nội, ngày 05 tháng 02 năm 2026"),
        (datetime.date(2026, 11, 26), "Hà Nội, ngày 26 tháng 11 năm 2026"),
        (datetime.date(2026, 3, 9), "Hà Nội, ngày 09 tháng 3 năm 2026"),
    ],
)
def test_place_and_date_line(day, expected):
    assert minutes.place_date(day, "Hà Nội") == expected


def test_a_rule_the_secretariat_overrode_is_in_the_minutes_with_its_reason(demo_user, media):
    from approvals.models import PendingCase
    from approvals.models.catalogue import RuleKind
    from approvals.services.rule_overrides import rule_override

    session, (first, _second) = concluded_session(demo_user)
    PendingCase.objects.create(
        person=first.person,
        kind="complaint",
        reference="KN-31",
        opened_on=datetime.date(2026, 11, 1),
    )
    rule = first.award.version_for(first.campaign).rules.get(kind=RuleKind.NO_PENDING_DISCIPLINE)
    reason = "Đơn khiếu nại nặc danh, đã xác minh không có căn cứ."
    rule_override(actor=demo_user("tth.canbo"), nomination=first, rule=rule, reason=reason)
    tasks.minutes_generate(session_id=session.pk)
    text = "\n".join(p.text for p in _docx(session).paragraphs)
    assert "miễn áp dụng" in text
    assert f"{first.nominee_name} ({first.award.name}): {rule.description}. Lý do: {reason}" in text
