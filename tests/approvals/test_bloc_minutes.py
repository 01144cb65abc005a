"""Minutes of a bloc's review: content in Vietnamese, PDF and DOCX, filed once per dossier,
downloaded only by those who may see the review."""

import hashlib
import io
import re

import docx
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from docx.oxml.ns import qn
from pypdf import PdfReader

from approvals import tasks
from approvals.documents import bloc_minutes
from approvals.models import Attachment, AuditEvent, Unit
from approvals.services import bloc_reviews as services
from approvals.services.roles import role_grant
from tests.approvals.test_bloc_reviews import (
    _co_bqp_at_bloc,
    acclaiming,
    open_review,
    units,
    vote,
)
from tests.factories.organisation import UserFactory

pytestmark = pytest.mark.django_db

DECISION = "Quân khu 1 có điểm chấm bình quân cao hơn, khối trưởng quyết định suy tôn."
NOTES = "Hội nghị thống nhất đề nghị Bộ trưởng tặng Cờ thi đua cho Quân khu 1."


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _score(review, people):
    """Every delegate gives 8, except 9 to QK1 on the training criterion (weight 2):
    QK1 averages (2 × 9 + 1 × 8) / 3 = 8,67; the others 8,00."""
    training, _regulars = services.criteria_of(review)
    qk1 = units()["qk1"]
    for user in people.values():
        delegate = services.delegate_of(user, review)
        services.score_record(
            actor=user,
            review=review,
            scores={
                (unit.pk, criterion.pk): 9
                if (unit.pk, criterion.pk) == (qk1.pk, training.pk)
                else 8
                for unit in services.units_to_score(review, delegate)
                for criterion in services.criteria_of(review)
            },
        )


@pytest.fixture
def full_review(demo_user, media, django_capture_on_commit_callbacks, eager_celery):
    role_grant(
        actor=None,
        user=UserFactory(username="chihuy.qk3"),
        role="unit_commander",
        unit=Unit.objects.get(code="qk3"),
    )
    first = _co_bqp_at_bloc(demo_user, "qk1", "canbo.qk1", "chihuy.qk1")
    second = _co_bqp_at_bloc(demo_user, "qk3", "canbo.qk3", "chihuy.qk3")
    officer = demo_user("khoi2.canbo")
    review, people = open_review(demo_user, tie_rule="leader_decides")
    _score(review, people)
    review = services.acclaim_open(actor=officer, review=review)
    vote(review, people, {"qk1": ["qk3"], "qk3": ["qk1"], "qk4": ["qk1"], "qk5": ["qk3"]})
    review = services.acclaim_close(actor=officer, review=review)
    by_code = units()
    review = services.leader_decide(
        actor=demo_user("canbo.qk3"), review=review, units=[by_code["qk1"].pk], decision=DECISION
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review = services.review_submit(actor=officer, review=review, minutes=NOTES)
    assert not bloc_minutes.bloc_minutes_files(review)  # nothing before the commit
    for callback in callbacks:  # the commit: the minutes task among the notifications
        callback()
    assert set(bloc_minutes.bloc_minutes_files(review)) == {"pdf", "docx"}
    return review, people, (first, second)


def _docx_text(review) -> tuple[list[str], str]:
    name = bloc_minutes.bloc_minutes_storage_name(review, "docx")
    with default_storage.open(name, "rb") as stored:
        document = docx.Document(io.BytesIO(stored.read()))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [
        "\t".join(cell.text for cell in row.cells)
        for table in document.tables
        for row in table.rows
    ]
    return paragraphs, "\n".join([*paragraphs, *cells])


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_minutes_give_the_scores_the_rounds_the_leaders_decision_and_the_result(
    full_review, demo_user
):
    review, people, _nominations = full_review
    paragraphs, text = _docx_text(review)
    for words in (
        "KHỐI THI ĐUA SỐ 2",
        "BỘ TƯ LỆNH QUÂN KHU 3",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hà Nội, ngày 05 tháng 11 năm 2026",
        "BIÊN BẢN HỌP BÌNH XÉT, SUY TÔN",
        "đề nghị tặng Cờ thi đua của Bộ Quốc phòng năm 2026",
        "Khối thi đua số 2 (các quân khu và Bộ Tư lệnh Thủ đô Hà Nội).",
        "đơn vị khối trưởng: Bộ Tư lệnh Quân khu 3",
        "Huấn luyện, SSCĐ\t2\t10",  # criterion, weight, maximum
        "Xây dựng chính quy\t1\t10",
        "Bộ Tư lệnh Quân khu 1\t7\t8,67",  # scored by the 7 other delegates
        "Bộ Tư lệnh Quân khu 2\t7\t8,00",
        "Vòng 1: số phiếu phát ra 8; số phiếu thu về 4.",
        "Bộ Tư lệnh Quân khu 1\t2/8\tĐược suy tôn (khối trưởng quyết định)",
        "Bộ Tư lệnh Quân khu 3\t2/8\tBằng phiếu",
        "Bộ Tư lệnh Quân khu 4\t0/8\tKhông được suy tôn",
        "bằng nhau 2 phiếu tại ngưỡng suy tôn; theo quy chế của khối, khối trưởng quyết định.",
        "Bộ Tư lệnh Quân khu 3 quyết định suy tôn Bộ Tư lệnh Quân khu 1.",
        f"Nội dung quyết định: “{DECISION}”",
        "Đây là quyết định của khối trưởng, không phải kết quả bỏ phiếu",
        "1. Bộ Tư lệnh Quân khu 1: 2/8 phiếu (vòng 1), điểm bình quân 8,67; khối trưởng quyết "
        "định khi bằng phiếu.",
        f"Ý kiến, kết luận tại hội nghị: {NOTES}",
    ):
        assert words in text, words
    # the delegates present, by name, per member unit
    for code, user in people.items():
        assert f"{units()[code].name}\t{user.username}\t" in text, code
    # no name is attached to the votes
    first = next(i for i, p in enumerate(paragraphs) if p.startswith("III."))
    last = next(i for i, p in enumerate(paragraphs) if p.startswith("V."))
    for line in paragraphs[first:last]:
        assert "daibieu" not in line, line
    leader = str(demo_user("canbo.qk3").person)
    officer = str(demo_user("khoi2.canbo").person)
    assert f"Người quyết định: đồng chí {leader}" in text
    assert f"Thư ký: đồng chí {officer}, cán bộ thi đua của khối." in paragraphs
    name = bloc_minutes.bloc_minutes_storage_name(review, "docx")
    with default_storage.open(name, "rb") as stored:
        document = docx.Document(io.BytesIO(stored.read()))
    left, right = (cell.text for cell in document.tables[-1].rows[0].cells)
    assert left.startswith("THƯ KÝ\nCÁN BỘ THI ĐUA CỦA KHỐI") and left.endswith(officer)
    assert right.startswith("ĐẠI DIỆN ĐƠN VỊ KHỐI TRƯỞNG\nBỘ TƯ LỆNH QUÂN KHU 3")
    assert right.endswith(leader)
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size.pt) == ("Times New Roman", 13)
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"


def test_the_pdf_keeps_the_numbers_the_decision_and_vietnamese_diacritics(full_review):
    review, _people, _nominations = full_review
    name = bloc_minutes.bloc_minutes_storage_name(review, "pdf")
    with default_storage.open(name, "rb") as stored:
        content = stored.read()
    text = _pdf_text(content)
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BIÊN BẢN HỌP BÌNH XÉT, SUY TÔN",
        "Huấn luyện, SSCĐ",
        "8,67",
        "2/8",
        "Vòng 1: số phiếu phát ra 8; số phiếu thu về 4.",
        DECISION,
        "Bộ Tư lệnh Quân khu 1: 2/8 phiếu (vòng 1), điểm bình quân 8,67",
        NOTES,
    ):
        assert words in text, words
    assert re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", text)
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("LiberationSerif" in font for font in fonts), fonts


def test_the_minutes_join_each_dossier_once_when_the_task_runs_twice(full_review, media):
    review, _people, nominations = full_review
    assert tasks.bloc_minutes_generate(review_id=review.pk) == 0  # filed already on submit
    assert tasks.bloc_minutes_generate(review_id=review.pk) == 0
    for nomination in nominations:
        # the dossier holds the officers' uploads too: one minutes document among them
        attachment = Attachment.objects.get(
            nomination=nomination, document_type__code="ket-qua-suy-ton"
        )
        assert attachment.original_name == "bien-ban-suy-ton-khoi-2-2026.pdf"
        assert attachment.uploaded_by is None
        with attachment.file.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"%PDF-")
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    folder = media / "private" / "bloc-minutes" / str(review.pk)
    assert sorted(path.name for path in folder.iterdir()) == [
        "bien-ban-suy-ton-khoi-2-2026.docx",
        "bien-ban-suy-ton-khoi-2-2026.pdf",
    ]
    assert (
        AuditEvent.objects.filter(verb="bloc_review.minutes", object_id=str(review.pk)).count() == 3
    )


def test_minutes_wait_for_the_submission(demo_user, media):
    review, people = acclaiming(demo_user)
    vote(review, people, {"qk2": ["qk1"]})
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    assert tasks.bloc_minutes_generate(review_id=review.pk) == 0
    assert tasks.bloc_minutes_generate(review_id=0) == 0
    assert not bloc_minutes.bloc_minutes_files(review)


def test_the_download_is_for_those_who_may_see_the_review(full_review, client, demo_user):
    review, _people, _nominations = full_review
    url = reverse("bloc_review_minutes", args=[review.pk])
    client.force_login(demo_user("canbo.f3"))
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "docx"}).status_code == 404
    client.force_login(demo_user("canbo.qk3"))  # the leader unit's officer
    page = client.get(reverse("bloc_review_detail", args=[review.pk])).content.decode()
    assert 'data-action="bloc_review_minutes"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "bien-ban-suy-ton-khoi-2-2026.pdf" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    with default_storage.open(bloc_minutes.bloc_minutes_storage_name(review, "pdf"), "rb") as f:
        assert content == f.read()  # the copy filed in the dossiers
    response = client.get(url, {"format": "docx"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert client.get(url, {"format": "exe"}).status_code == 404


def test_a_draft_before_submission_and_nothing_while_a_tie_is_pending(demo_user, client):
    review, people = acclaiming(demo_user, tie_rule="leader_decides")
    vote(review, people, {"qk1": ["qk3"], "qk3": ["qk1"]})
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    url = reverse("bloc_review_minutes", args=[review.pk])
    client.force_login(demo_user("khoi2.canbo"))
    assert client.get(url).status_code == 404  # the leader has not decided yet
    services.leader_decide(
        actor=demo_user("canbo.qk3"), review=review, units=[units()["qk3"].pk], decision=DECISION
    )
    response = client.get(url)
    assert response.status_code == 200
    assert DECISION in _pdf_text(b"".join(response.streaming_content))


def test_the_dossier_pages_show_the_minutes_filed_by_the_system(full_review, client, demo_user):
    """The minutes join the dossiers with no uploader; the nomination's page still opens, and
    the bloc's officer, who no longer sees those nominations, sees where the result went."""
    review, _people, (first, second) = full_review
    client.force_login(demo_user("canbo.qk1"))
    page = client.get(reverse("nomination_detail", args=[first.pk]))
    assert page.status_code == 200
    assert "bien-ban-suy-ton-khoi-2-2026.pdf" in page.content.decode()
    client.force_login(demo_user("khoi2.canbo"))
    page = client.get(reverse("bloc_review_detail", args=[review.pk])).content.decode()
    assert f'data-nomination="{first.pk}"' in page
    assert f'data-nomination="{second.pk}"' in page
    assert "Thẩm định hồ sơ" in page
    client.force_login(demo_user("canbo.qk3"))  # a delegate's view, not the officer's
    page = client.get(reverse("bloc_review_detail", args=[review.pk])).content.decode()
    assert 'data-field="delivered"' not in page
