"""Exports as background jobs: the same rows the user's list shows, the file to its
requester only, progress while it runs, a bounded number of queries."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from approvals.exports import tables
from approvals.exports.nominations import nomination_export_produce
from approvals.models import Job, JobStatus, Nomination, NominationStatus
from approvals.selectors.nominations import nominations_filtered
from approvals.selectors.reports import ReportGroup, yearly_report
from approvals.services.jobs import job_execute, job_start
from tests.approvals.nomination_helpers import move, nominate, people_of
from tests.factories.organisation import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager(eager_celery):
    """The job runs in this process when the request's transaction commits."""


@pytest.fixture
def nominations(demo_user):
    """F3's: three submitted (one approved on), a draft; QK3's: two submitted, a draft."""
    f3 = [move(demo_user, nominate(demo_user, index=i), "canbo.f3") for i in range(3)]
    f3[0] = move(demo_user, f3[0], "chihuy.f3")
    f3.append(nominate(demo_user, index=3))
    qk3 = [
        move(demo_user, nominate(demo_user, by="canbo.qk3", unit="qk3", index=i), "canbo.qk3")
        for i in range(2)
    ]
    qk3.append(nominate(demo_user, by="canbo.qk3", unit="qk3", index=2))
    return {"f3": f3, "qk3": qk3}


def _start(client, url_name, data, capture) -> Job:
    with capture(execute=True):
        response = client.post(reverse(url_name), data)
    assert response.status_code == 302, response.content
    job = Job.objects.get(requested_by=response.wsgi_request.user)
    assert response.url == reverse("job_detail", args=[job.pk])
    return job


def _download(client, job) -> bytes:
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)  # read whole, which closes the file


def _xlsx_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_unit_officer_exports_exactly_what_their_list_shows(
    nominations, client_for, demo_user, django_capture_on_commit_callbacks
):
    client = client_for("canbo.f3")
    job = _start(
        client, "nomination_export", {"format": "xlsx"}, django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.file_name.endswith(".xlsx")
    title, header, *rows = _xlsx_rows(_download(client, job))
    assert "Danh sách đề nghị khen thưởng" in title[0]
    assert header[:2] == ("Mã đề nghị", "Người/tập thể được đề nghị")
    expected = list(nominations_filtered(demo_user("canbo.f3"), {}).values_list("pk", flat=True))
    assert [row[0] for row in rows] == expected  # the list's rows, in the list's order
    assert set(expected) == {n.pk for n in nominations["f3"]}  # the draft is theirs too
    approved = next(row for row in rows if row[0] == nominations["f3"][0].pk)
    columns = dict(zip(header, approved, strict=True))
    person = nominations["f3"][0].person
    assert columns["Người/tập thể được đề nghị"] == person.full_name
    assert columns["Cấp bậc"] == person.get_rank_display()
    assert columns["Chức vụ"] == person.position
    assert columns["Đơn vị đề nghị"] == "Sư đoàn 3"
    assert columns["Danh hiệu, hình thức khen thưởng"] == "Giấy khen"
    assert columns["Tình trạng"] == "Đang xét duyệt"
    assert columns["Bước hiện tại"] == "3. Xem xét, tổng hợp"
    assert columns["Nơi xử lý"] == "Quân khu 1"
    assert columns["Ngày gửi"] is not None and columns["Hạn xử lý"] is not None


def test_the_export_keeps_the_lists_filters(
    nominations, client_for, demo_user, django_capture_on_commit_callbacks
):
    client = client_for("canbo.f3")
    data = {"format": "csv", "status": "in_progress", "page": "3"}
    job = _start(client, "nomination_export", data, django_capture_on_commit_callbacks)
    assert job.params["filters"] == {"status": ["in_progress"]}
    _header, *rows = _csv_rows(_download(client, job))
    ids = [int(row[0]) for row in rows]
    assert ids == list(
        nominations_filtered(demo_user("canbo.f3"), {"status": "in_progress"}).values_list(
            "pk", flat=True
        )
    )
    assert set(ids) == {n.pk for n in nominations["f3"][:3]}


def test_the_secretariat_exports_every_submitted_nomination(
    nominations, client_for, demo_user, django_capture_on_commit_callbacks
):
    client = client_for("tth.canbo")
    job = _start(client, "nomination_export", {"format": "csv"}, django_capture_on_commit_callbacks)
    header, *rows = _csv_rows(_download(client, job))
    assert header[1] == "Người/tập thể được đề nghị"
    ids = {int(row[0]) for row in rows}
    # drafts stay with their units; everything sent, of every unit, is there
    assert ids == set(
        Nomination.objects.exclude(status=NominationStatus.DRAFT).values_list("pk", flat=True)
    )
    assert {n.pk for n in nominations["qk3"][:2]} <= ids
    assert any("Quân khu 3" in row for row in rows)


def test_another_user_cannot_open_or_download_someone_elses_job(
    nominations, client_for, django_capture_on_commit_callbacks
):
    owner = client_for("canbo.f3")
    job = _start(owner, "nomination_export", {"format": "xlsx"}, django_capture_on_commit_callbacks)
    for username in ("chihuy.f3", "canbo.qk1", "tth.canbo", "quantri"):
        client = client_for(username)
        assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("job_detail", args=[job.pk]), {"format": "json"}).status_code == (
            404
        )
        assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    owner = client_for("canbo.f3")
    assert owner.get(reverse("job_detail", args=[job.pk])).status_code == 200


def test_the_job_page_shows_progress_then_the_file(
    nominations, client_for, demo_user, django_capture_on_commit_callbacks
):
    client = client_for("canbo.f3")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("nomination_export"), {"format": "xlsx"})
    job = Job.objects.get(requested_by=demo_user("canbo.f3"))
    assert response.url == reverse("job_detail", args=[job.pk])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=120, total=1000)
    page = client.get(response.url).content.decode()
    assert "Đã xử lý 120 / 1000" in page and 'value="12"' in page
    state = client.get(response.url, {"format": "json"}).json()
    assert state == {"status": "running", "done": 120, "total": 1000, "percent": 12}
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, done=0, total=0)
    for callback in callbacks:  # the commit: the job runs
        callback()
    state = client.get(response.url, {"format": "json"}).json()
    assert state == {"status": "done", "done": 4, "total": 4, "percent": 100}
    assert reverse("job_download", args=[job.pk]) in client.get(response.url).content.decode()


def test_the_producer_reports_progress_as_it_writes(nominations, demo_user, monkeypatch):
    monkeypatch.setattr(tables, "PROGRESS_EVERY", 3)
    job = Job.objects.create(
        kind="nomination_export",
        requested_by=demo_user("tth.canbo"),
        params={"filters": {}, "format": "csv"},
    )
    calls = []
    produced = nomination_export_produce(job, lambda done, total: calls.append((done, total)))
    assert calls == [(0, 5), (3, 5), (5, 5)]  # F3's three sent and QK3's two
    assert produced.name.endswith(".csv")


def test_a_requester_no_longer_active_gets_nothing(nominations, demo_user):
    user = demo_user("canbo.f3")
    job = Job.objects.create(
        kind="nomination_export", requested_by=user, params={"filters": {}, "format": "csv"}
    )
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(PermissionDenied):
        job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.storage_name


def test_the_yearly_report_exports_the_figures_of_the_page(
    nominations, client_for, demo_user, django_capture_on_commit_callbacks
):
    client = client_for("tth.canbo")
    data = {"year": 2026, "group": "bloc", "report": "summary", "format": "xlsx"}
    job = _start(client, "report_export", data, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.done, job.total) == (2, 2)  # the bloc's row and the total
    title, header, *rows = _xlsx_rows(_download(client, job))
    assert title[0] == "Tổng hợp đề nghị khen thưởng năm 2026"
    assert header[:3] == ("Khối, cụm thi đua", "Đã gửi lên cấp trên", "Được khen thưởng")
    report = yearly_report(demo_user("tth.canbo"), year=2026, group=ReportGroup.BLOC)
    bloc_row, total_row = rows[0], rows[1]
    assert bloc_row[0] == report.rows[0].label
    assert list(bloc_row[1:7]) == [cell.value for cell in report.rows[0].cells]
    assert total_row[0] == "Tổng cộng" and total_row[1] == 5


def test_the_statistics_form_exports_as_csv_with_its_notes(
    nominations, client_for, django_capture_on_commit_callbacks
):
    client = client_for("canbo.f3")
    data = {"year": 2026, "report": "statistics", "format": "csv"}
    job = _start(client, "report_export", data, django_capture_on_commit_callbacks)
    rows = _csv_rows(_download(client, job))
    assert rows[0] == ["Khen thưởng cấp Nhà nước — 2026"]
    assert rows[1][:3] == ["Chỉ tiêu", "Đơn vị tính", "Tổng số"]
    household = next(row for row in rows if row[0].strip() == "Hộ gia đình")
    assert household[1] == "Hộ" and household[2:] == [""] * (len(household) - 2)
    assert any("Thông tư 03/2018/TT-BNV" in row[0] for row in rows if row)
    assert sum(1 for row in rows if row and row[0].startswith("Khen thưởng")) == 3


def test_an_invalid_export_request_is_refused(client_for):
    client = client_for("canbo.f3")
    bad_year = {"year": 1999, "group": "unit", "report": "summary", "format": "xlsx"}
    assert client.post(reverse("report_export"), bad_year).status_code == 400
    bad_format = {"year": 2026, "report": "summary", "format": "pdf"}
    assert client.post(reverse("report_export"), bad_format).status_code == 400
    assert client.post(reverse("nomination_export"), {"format": "pdf"}).status_code == 400
    assert client.get(reverse("nomination_export")).status_code == 405
    assert not Job.objects.exists()


def test_the_list_page_offers_the_export_with_its_filters(client_for):
    html = client_for("canbo.f3").get(
        reverse("nomination_list"), {"status": "draft", "q": "nguyen", "page": "2"}
    )
    page = html.content.decode()
    assert f'action="{reverse("nomination_export")}"' in page
    assert '<input type="hidden" name="status" value="draft">' in page
    assert '<input type="hidden" name="q" value="nguyen">' in page
    assert '<input type="hidden" name="page"' not in page


def test_text_that_looks_like_a_formula_stays_text():
    table = tables.Table("Thử", ["Tên"], [['=HYPERLINK("http://x")'], ["- Tập thể"]])
    sheet = load_workbook(io.BytesIO(tables.tables_xlsx([table]))).active
    cell = sheet["A3"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    rows = _csv_rows(tables.tables_csv([table]))
    assert rows[1:] == [['\'=HYPERLINK("http://x")'], ["'- Tập thể"]]


def _export_queries(job) -> int:
    with CaptureQueriesContext(connection) as queries:
        job_execute(job.pk)
    return len(queries)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("nomination_export", {"filters": {}, "format": "xlsx"}),
        ("yearly_report", {"year": 2026, "group": "bloc", "report": "summary", "format": "csv"}),
        ("yearly_report", {"year": 2026, "report": "statistics", "format": "xlsx"}),
    ],
)
def test_an_export_does_the_same_queries_for_few_and_many_nominations(
    demo_user, django_assert_max_num_queries, django_capture_on_commit_callbacks, kind, params
):
    f3 = people_of("f3")[0].unit
    people = PersonFactory.create_batch(60, unit=f3)
    for person in people[:5]:
        move(demo_user, nominate(demo_user, person=person), "canbo.f3", "chihuy.f3")
    with django_capture_on_commit_callbacks(execute=False):
        small = job_start(user=demo_user("canbo.f3"), kind=kind, params=params)
    few = _export_queries(small)
    for person in people[5:]:
        move(demo_user, nominate(demo_user, person=person), "canbo.f3", "chihuy.f3")
    with django_capture_on_commit_callbacks(execute=False):
        large = job_start(user=demo_user("canbo.f3"), kind=kind, params=params)
    with django_assert_max_num_queries(20):
        job_execute(large.pk)
    large.refresh_from_db()
    assert large.status == JobStatus.DONE
    Job.objects.filter(pk=large.pk).update(status=JobStatus.QUEUED)
    assert _export_queries(large) == few
