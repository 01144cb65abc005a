"""Importing historic awards: reading CSV and XLSX, every row's errors, all valid rows or none."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from approvals.models import AuditEvent, Award, AwardRecord, Person, Unit
from approvals.services import registry_import as importer
from approvals.services.registry_files import read_registry_file
from approvals.services.registry_import import registry_import
from tests.approvals.test_registry import person_of, record, revoking_decision

pytestmark = pytest.mark.django_db

DECISION_HEADINGS = ["Số quyết định", "Ngày quyết định", "Cấp quyết định"]
HEADER = "so_hieu,ma_don_vi,ho_ten,danh_hieu,nam,so_quyet_dinh,ngay_quyet_dinh,cap_quyet_dinh"


def upload(text: str, name="so-khen-thuong.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


def xlsx(rows, *, name="so-khen-thuong.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Khác").append(["không đọc trang này"])
    workbook.active = 1  # the reader takes the first sheet, not the active one
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def rows_of(text: str):
    return read_registry_file(upload(text))


def counts() -> tuple[int, int]:
    return AwardRecord.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def secretariat(demo_user):
    return demo_user("tth.canbo")


# reading files


def test_reads_csv_with_a_byte_order_mark_and_semicolons():
    person = person_of("f3")
    text = "\ufeffSố hiệu;Họ tên;Danh hiệu;Năm;Số quyết định;Ngày quyết định;Cấp quyết định\n"
    text += f"{person.service_number};{person.full_name};cstt;2023;15/QĐ-F3;20/12/2023;Sư đoàn 3\n"
    text += "\n;;;;;;\n"  # blank lines are skipped
    (row,) = read_registry_file(upload(text))
    assert row.number == 2
    assert row.get("so_hieu") == person.service_number
    assert row.get("ngay_quyet_dinh") == "20/12/2023" and row.get("cap_quyet_dinh") == "Sư đoàn 3"


def test_reads_english_keys_and_commas():
    text = "service_number,award,year,decision_number,decision_date,authority,note\n"
    text += 'X-1,cstt,2023,"15/QĐ-F3",2023-12-20,"Sư đoàn 3, Quân khu 1",ghi chú\n'
    (row,) = rows_of(text)
    assert row.get("cap_quyet_dinh") == "Sư đoàn 3, Quân khu 1" and row.get("ghi_chu") == "ghi chú"


def test_reads_the_first_sheet_of_an_xlsx_with_date_and_number_cells():
    decided = datetime.datetime(2023, 12, 20)
    rows = read_registry_file(
        xlsx(
            [
                ["STT", "Số hiệu", "Danh hiệu", "Năm", *DECISION_HEADINGS],
                [1, 123456, "cstt", 2023, "15/QĐ-F3", decided, "Sư đoàn 3"],
                [2, "X-2", "cstt", 2022.0, "16/QĐ-F3", "21/12/2022", "Sư đoàn 3"],
            ]
        )
    )
    assert [row.number for row in rows] == [2, 3]
    assert rows[0].get("so_hieu") == "123456" and rows[0].get("nam") == "2023"
    assert rows[0].get("ngay_quyet_dinh") == datetime.date(2023, 12, 20)
    assert rows[1].get("nam") == "2022" and rows[1].get("ngay_quyet_dinh") == "21/12/2022"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02 not a table", "Không đọc được tệp"),
        (b"PK\x03\x04 a broken zip", "Không đọc được tệp"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Tệp Excel dạng cũ (.xls)"),
        ("so_hieu,ho_ten\nX,Đơn\n".encode("cp1258"), "không phải mã UTF-8"),
        (b"", "Tệp không có dữ liệu."),
        (f"{HEADER}\n".encode(), "không có dòng dữ liệu"),
        (b"ho_ten,danh_hieu\nA,cstt\n", "Dòng tiêu đề thiếu cột: so_hieu / ma_don_vi, nam"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_clear_message(content, message):
    with pytest.raises(ValidationError) as error:
        read_registry_file(SimpleUploadedFile("tep.csv", content))
    assert message in " ".join(error.value.messages)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        read_registry_file(upload(HEADER + "\n" + "x," * 100))
    assert "vượt quá giới hạn" in error.value.messages[0]


def test_a_file_with_too_many_rows_is_refused(monkeypatch):
    from approvals.services import registry_files

    monkeypatch.setattr(registry_files, "MAX_ROWS", 2)
    line = "X,,,cstt,2023,1/QĐ,20/12/2023,F3"
    assert len(rows_of("\n".join([HEADER, line, line]))) == 2
    with pytest.raises(ValidationError) as error:
        rows_of("\n".join([HEADER, line, line, line]))
    assert "Tệp có hơn 2 dòng dữ liệu" in error.value.messages[0]


# checking rows


def test_a_dry_run_reports_every_error_in_vietnamese_and_writes_nothing(secretariat):
    f3 = Unit.objects.get(code="f3")
    person, other = person_of("f3"), person_of("f3", 1)
    record(person, "cstdcs", 2022)  # already in the registry
    record(other, "cstdcs", 2022, revoked_by=revoking_decision())  # revoked: no duplicate
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    sn, on = person.service_number, other.service_number
    lines = [
        HEADER,
        f"{sn},,,cstt,2023,1/QĐ,20/12/2023,Sư đoàn 3",  # 2: valid
        ",khong-co,,dvtt,2023,2/QĐ,20/12/2023,Sư đoàn 3",  # 3: unknown unit
        "KHONG-CO,,,cstt,2023,3/QĐ,20/12/2023,Sư đoàn 3",  # 4: unknown person
        f"{sn},,,khong-co,2023,4/QĐ,20/12/2023,Sư đoàn 3",  # 5: unknown award
        f"{sn},f3,,cstt,2021,5/QĐ,20/12/2021,Sư đoàn 3",  # 6: both holders
        ",,,cstt,2021,6/QĐ,20/12/2021,Sư đoàn 3",  # 7: neither holder
        f"{sn},,,cstt,2020,7/QĐ,31/02/2020,Sư đoàn 3",  # 8: bad date
        f"{sn},,,cstt,2019,8/QĐ,{tomorrow},Sư đoàn 3",  # 9: a date in the future
        f"{sn},,,cstt,hai nghìn,9/QĐ,20/12/2019,Sư đoàn 3",  # 10: bad year
        f"{sn},,,cstdcs,2022,10/QĐ,20/12/2022,Sư đoàn 3",  # 11: duplicate of the registry
        f"{sn},,,cstt,2023,11/QĐ,21/12/2023,Sư đoàn 3",  # 12: duplicate of row 2
        f"{sn},,,cstt,2018,,20/12/2018,Sư đoàn 3",  # 13: no decision number
        f"{sn},,Người Khác,cstt,2017,13/QĐ,20/12/2017,Sư đoàn 3",  # 14: another name
        f"{sn},,,dvqt,2016,14/QĐ,20/12/2016,Sư đoàn 3",  # 15: a collective award
        f',f3,"{f3.name}",dvqt,2023,15/QĐ,2023-12-20,Quân khu 1',  # 16: valid, a unit
        f"{on},,,cstdcs,2022,16/QĐ,20/12/2022,Sư đoàn 3",  # 17: valid: the old one was revoked
        f"{sn},,,cstt,2024,17/QĐ,15/01/2023,",  # 18: no authority (a later year is fine)
    ]
    before = counts()
    report = registry_import(actor=secretariat, rows=rows_of("\n".join(lines)), dry_run=True)
    assert counts() == before
    errors = {row.number: " | ".join(row.errors) for row in report.rows}
    assert [row.number for row in report.valid] == [2, 16, 17]
    expected = {
        3: "Không tìm thấy đơn vị có mã “khong-co”.",
        4: "Không tìm thấy quân nhân có số hiệu “KHONG-CO”.",
        5: "Không có danh hiệu “khong-co” trong danh mục",
        6: "Chỉ ghi một trong hai: số hiệu (cá nhân) hoặc mã đơn vị (tập thể)",
        7: "Thiếu số hiệu (cá nhân) hoặc mã đơn vị (tập thể).",
        8: "Ngày quyết định “31/02/2020” không hợp lệ",
        9: f"Ngày quyết định {tomorrow} ở tương lai.",
        10: "Năm “hai nghìn” không hợp lệ",
        11: "Trùng với bản ghi đã có trong sổ khen thưởng",
        12: "Trùng với dòng 2 của tệp.",
        13: "Thiếu số quyết định.",
        14: "Họ tên “Người Khác” không khớp với số hiệu",
        15: "“Đơn vị Quyết thắng” chỉ dành cho tập thể.",
        18: "Thiếu cấp quyết định.",
    }
    for number, message in expected.items():
        assert message in errors[number], (number, errors[number])
    assert len(report.invalid) == len(expected)
    assert report.error_messages()[0].startswith("Dòng 3: ")


def test_an_award_is_found_by_its_exact_name_too(secretariat):
    person = person_of("f3")
    text = f"{HEADER}\n{person.service_number},,,chiến sĩ TIÊN TIẾN,2023,1/QĐ,20/12/2023,F3\n"
    text += f"{person.service_number},,,Chien si tien tien,2022,2/QĐ,20/12/2022,F3\n"
    report = registry_import(actor=secretariat, rows=rows_of(text), dry_run=True)
    assert report.rows[0].ok and report.rows[0].record.award.code == "cstt"
    assert "Không có danh hiệu" in report.rows[1].errors[0]


def test_checking_does_a_fixed_number_of_queries(secretariat, django_assert_max_num_queries):
    people = list(Person.objects.filter(unit__code="f3").order_by("pk")[:40])
    lines = [HEADER]
    for index, person in enumerate(people):
        lines.append(f"{person.service_number},,,cstt,{2000 + index % 20},{index}/QĐ,01/12/2020,F3")
    lines += [",f3,,dvqt,2020,X/QĐ,01/12/2020,QK1", ",qk3,,dvqt,2020,Y/QĐ,01/12/2020,QK3"]
    rows = rows_of("\n".join(lines))
    with django_assert_max_num_queries(5 + 4):  # scope (4), people, units, awards, existing (2)
        registry_import(actor=secretariat, rows=rows, dry_run=True)


# writing


def test_the_import_writes_every_valid_row_and_reports_the_skipped(secretariat):
    person, qk3 = person_of("f3"), Unit.objects.get(code="qk3")
    text = "\n".join(
        [
            HEADER + ",ghi_chu",
            f"{person.service_number},,,cstdcs,2021,33/QĐ-F3,20/12/2021,Sư đoàn 3,Bản lưu",
            ",qk3,,co-qk,2020,12/QĐ-BQP,15/01/2021,Bộ trưởng Bộ Quốc phòng,",
            "KHONG-CO,,,cstt,2023,3/QĐ,20/12/2023,Sư đoàn 3,",
        ]
    )
    before = counts()
    report = registry_import(
        actor=secretariat, rows=rows_of(text), dry_run=False, file_name="a.csv"
    )
    assert [row.number for row in report.invalid] == [4]
    assert AwardRecord.objects.count() == before[0] + 2
    individual = AwardRecord.objects.get(pk=report.created[0])
    assert (individual.person, individual.award.code, individual.year) == (person, "cstdcs", 2021)
    assert individual.source == "imported" and individual.note == "Bản lưu"
    assert individual.holder_unit == person.unit and individual.holder_name == person.full_name
    assert individual.decision_date == datetime.date(2021, 12, 20)
    assert individual.search_name and individual.is_valid
    collective = AwardRecord.objects.get(pk=report.created[1])
    assert collective.unit == qk3 and collective.holder_unit == qk3
    assert collective.authority == "Bộ trưởng Bộ Quốc phòng"
    events = AuditEvent.objects.filter(verb="registry.import").order_by("pk")
    assert [int(e.object_id) for e in events] == report.created
    assert events[0].actor == secretariat and events[0].data == {"file": "a.csv", "row": 2}
    again = registry_import(actor=secretariat, rows=rows_of(text), dry_run=False)
    assert again.created == [] and len(again.invalid) == 3  # now duplicates of the registry


def test_a_failure_while_writing_leaves_nothing_written(secretariat, monkeypatch):
    people = list(Person.objects.filter(unit__code="f3").order_by("pk")[:3])
    lines = [HEADER] + [
        f"{p.service_number},,,cstt,2023,{i}/QĐ,20/12/2023,Sư đoàn 3" for i, p in enumerate(people)
    ]
    calls = []

    def failing_audit(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(importer, "audit_record", failing_audit)
    before = counts()
    with pytest.raises(RuntimeError):
        registry_import(actor=secretariat, rows=rows_of("\n".join(lines)), dry_run=False)
    assert len(calls) == 2 and counts() == before


@pytest.mark.parametrize("username", ["canbo.f3", "chihuy.qk1", "hd.chutich", "bqp.thutruong"])
def test_only_the_secretariat_and_administrators_may_import(demo_user, username):
    rows = rows_of(f"{HEADER}\n{person_of('f3').service_number},,,cstt,2023,1/QĐ,20/12/2023,F3\n")
    for dry_run in (True, False):
        with pytest.raises(PermissionDenied):
            registry_import(actor=demo_user(username), rows=rows, dry_run=dry_run)
    assert registry_import(actor=demo_user("quantri"), rows=rows, dry_run=True).rows[0].ok


# the page


def test_others_are_refused_the_import_pages(client_for):
    client = client_for("canbo.f3")
    before = counts()
    assert client.get(reverse("registry_import")).status_code == 403
    assert client.get(reverse("registry_import_template")).status_code == 403
    text = f"{HEADER}\n{person_of('f3').service_number},,,cstt,2023,1/QĐ,20/12/2023,F3\n"
    response = client.post(reverse("registry_import"), {"upload": upload(text), "action": "import"})
    assert response.status_code == 403 and counts() == before


def test_a_dry_run_then_the_import_without_uploading_again(client_for, settings):
    person = person_of("f3")
    text = f"{HEADER}\n{person.service_number},,,cstt,2023,1/QĐ,20/12/2023,Sư đoàn 3\n"
    text += "KHONG-CO,,,cstt,2023,2/QĐ,20/12/2023,Sư đoàn 3\n"
    client = client_for("tth.canbo")
    before = counts()
    response = client.post(reverse("registry_import"), {"upload": upload(text), "action": "check"})
    assert response.status_code == 200 and counts() == before
    page = response.content.decode()
    assert "Kết quả kiểm tra (chưa ghi vào sổ)" in page
    assert "Không tìm thấy quân nhân có số hiệu “KHONG-CO”." in page
    assert "Tệp đang dùng: so-khen-thuong.csv" in page
    kept = client.session["registry_import_file"]["storage"]
    assert kept.startswith("private/registry-imports/") and default_storage.exists(kept)
    response = client.post(reverse("registry_import"), {"action": "import"})
    assert response.status_code == 200
    assert AwardRecord.objects.count() == before[0] + 1
    assert AwardRecord.objects.filter(person=person, year=2023, source="imported").exists()
    assert "Đã nhập 1 bản ghi vào sổ khen thưởng; bỏ qua 1 dòng lỗi." in response.content.decode()
    assert not default_storage.exists(kept) and "registry_import_file" not in client.session


def test_import_without_a_file_asks_for_one(client_for):
    response = client_for("tth.canbo").post(reverse("registry_import"), {"action": "import"})
    assert "Hãy chọn tệp để kiểm tra hoặc nhập." in response.content.decode()


def test_an_unreadable_upload_is_explained_on_the_page(client_for, settings):
    client = client_for("tth.canbo")
    bad = SimpleUploadedFile("anh.csv", b"\x89PNG\r\n\x1a\n\x00\x00")
    response = client.post(reverse("registry_import"), {"upload": bad, "action": "check"})
    assert "Không đọc được tệp." in response.content.decode()
    settings.ATTACHMENT_MAX_BYTES = 10
    response = client.post(
        reverse("registry_import"), {"upload": upload(HEADER), "action": "check"}
    )
    assert "vượt quá giới hạn" in response.content.decode()
    assert "registry_import_file" not in client.session


def test_the_template_has_the_header_and_an_example_the_reader_understands(client_for):
    response = client_for("tth.canbo").get(reverse("registry_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A1"].value == "Số hiệu"
    (row,) = read_registry_file(SimpleUploadedFile("mau.xlsx", response.content))
    assert row.get("danh_hieu") == "cstdcs" and row.get("ngay_quyet_dinh") == datetime.date(
        2023, 12, 20
    )
    codes = {r[0] for r in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert codes == set(Award.objects.values_list("code", flat=True))
