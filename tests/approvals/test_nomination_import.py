"""Importing nominations from a unit's list: every row's problems, then one letter or nothing."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from approvals.models import (
    AuditEvent,
    Award,
    Campaign,
    Nomination,
    NominationEvent,
    NominationStatus,
    SubmissionLetter,
    Unit,
)
from approvals.services import nomination_import as importer
from approvals.services.nomination_import import (
    TEMPLATE_HEADERS,
    nomination_import,
    nomination_import_check,
    read_nomination_file,
)
from tests.approvals.nomination_helpers import nominate, people_of

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Số hiệu quân nhân", "Mã đơn vị (tập thể)", "Họ và tên", "Danh hiệu", "Thành tích"]
DONE = "Hoàn thành xuất sắc nhiệm vụ năm 2026."


def xlsx(rows, *, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())


def rows_of(rows, **kwargs):
    return read_nomination_file(xlsx(rows, **kwargs))


def person_row(person, award="giay-khen", achievements=DONE, name=""):
    return [person.service_number, "", name, award, achievements]


def unit_row(code, award="giay-khen", achievements=DONE):
    return ["", code, "", award, achievements]


def counts() -> tuple[int, int, int, int]:
    return (
        Nomination.objects.count(),
        SubmissionLetter.objects.count(),
        NominationEvent.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def f3():
    return Unit.objects.get(code="f3")


@pytest.fixture
def campaign():
    return Campaign.objects.get(code="tdqt-2026")


@pytest.fixture
def officer(demo_user):
    return demo_user("canbo.f3")


def check(officer, f3, campaign, rows, **kwargs):
    return nomination_import_check(
        actor=officer, unit=f3, campaign=campaign, rows=rows_of(rows, **kwargs)
    )


def f3_regiment() -> Unit:
    return Unit.objects.filter(parent__code="f3").order_by("path").first()


# the file and its template


def test_the_template_has_the_headers_an_example_and_the_award_codes(client_for):
    response = client_for("canbo.f3").get(reverse("nomination_import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    first, awards = workbook.worksheets
    assert [cell.value for cell in first[1]] == TEMPLATE_HEADERS
    assert first["B2"].value and first["E2"].value == "cstt"
    codes = {row[0] for row in awards.iter_rows(min_row=2, values_only=True)}
    assert {"cstt", "cstdcs", "giay-khen", "hc-qkqt"} <= codes
    (row,) = read_nomination_file(SimpleUploadedFile("mau.xlsx", response.content))
    assert row.get("danh_hieu") == "cstt" and row.get("thanh_tich").startswith("Hoàn thành")


def test_english_headers_name_the_same_columns(officer, f3, campaign):
    person = people_of("f3")[10]
    text = "No.,Service number,Unit code,Full name,Award,Achievements\n"
    text += f"1,{person.service_number},,{person.full_name},giay-khen,{DONE}\n"
    (row,) = read_nomination_file(SimpleUploadedFile("list.csv", text.encode()))
    assert row.get("so_hieu") == person.service_number and row.get("thanh_tich") == DONE
    (result,) = nomination_import_check(actor=officer, unit=f3, campaign=campaign, rows=[row])
    assert result.ok and result.name == person.full_name


def test_a_file_without_the_needed_columns_is_refused():
    with pytest.raises(ValidationError) as error:
        rows_of([["x", "cstt"]], header=["STT", "Họ và tên", "Danh hiệu"])
    assert "Dòng tiêu đề thiếu cột: so_hieu / ma_don_vi, thanh_tich" in error.value.messages[0]


# the dry run


def test_a_dry_run_reports_every_problem_in_vietnamese_and_writes_nothing(
    demo_user, officer, f3, campaign
):
    people = people_of("f3")
    nominated = nominate(demo_user, index=11)  # giay-khen in the campaign already
    stranger = people_of("qk3")[0]
    Award.objects.create(
        code="kt-thu", name="Khen thưởng thử", kind="commendation", subject="both"
    )  # no route
    before = counts()
    results = check(
        officer,
        f3,
        campaign,
        [
            person_row(people[10]),  # 2: valid
            ["QN-KHONG-CO", "", "", "giay-khen", DONE],  # 3: unknown service number
            unit_row("khong-co"),  # 4: unknown unit code
            person_row(stranger),  # 5: a person of QK3
            unit_row("qk3"),  # 6: a collective outside F3
            person_row(people[12], award="khong-co"),  # 7: unknown award
            person_row(people[12], award="co-bqp"),  # 8: a collective's award for a person
            person_row(people[12], award="dvtt"),  # 9: collective, and no route
            person_row(people[12], award="kt-thu"),  # 10: no route
            person_row(people[13], achievements=""),  # 11: no achievements
            person_row(people[10]),  # 12: same as row 2
            person_row(nominated.person),  # 13: already nominated in the campaign
            person_row(people[14], name="Tên Khác Hẳn"),  # 14: the name does not match
            unit_row(f3_regiment().code),  # 15: valid collective
        ],
    )
    assert counts() == before
    errors = {result.number: result.errors for result in results}
    assert errors[2] == [] and errors[15] == []
    assert errors[3] == ["Không tìm thấy quân nhân có số hiệu “QN-KHONG-CO”."]
    assert errors[4] == ["Không tìm thấy đơn vị có mã “khong-co”."]
    assert errors[5] == [f"Quân nhân số hiệu “{stranger.service_number}” không thuộc Sư đoàn 3."]
    assert stranger.full_name not in str(results[3])  # nothing told about people outside
    assert errors[6] == ["Đơn vị mã “qk3” không thuộc Sư đoàn 3."]
    assert errors[7] == ["Không có danh hiệu “khong-co” trong danh mục (ghi mã hoặc đúng tên)."]
    assert errors[8] == ["“Cờ thi đua của Bộ Quốc phòng” chỉ dành cho tập thể."]
    assert "Chưa có quy trình xét duyệt đang áp dụng cho “Đơn vị tiên tiến”." in errors[9]
    assert errors[10] == ["Chưa có quy trình xét duyệt đang áp dụng cho “Khen thưởng thử”."]
    assert errors[11] == ["Thiếu tóm tắt thành tích."]
    assert errors[12] == ["Trùng với dòng 2 của tệp."]
    assert errors[13] == ["Đã có đề nghị “Giấy khen” cho đối tượng này trong đợt thi đua."]
    assert errors[14][0].startswith("Họ tên “Tên Khác Hẳn” không khớp với số hiệu")


def test_an_eligibility_failure_is_reported_with_its_explanation_and_remedy(officer, f3, campaign):
    person = people_of("f3")[10]  # no initiative, no Advanced Soldier this year
    (result,) = check(officer, f3, campaign, [person_row(person, award="cstdcs")])
    assert not result.ok
    initiative = next(e for e in result.errors if "sáng kiến" in e)
    assert initiative.startswith(
        "Chưa đạt tiêu chuẩn “Có sáng kiến được công nhận từ cấp trung đoàn”: "
        "Chưa có sáng kiến được công nhận"
    )
    assert "Cách khắc phục: Nhập sáng kiến đã được công nhận" in initiative


def test_a_row_earlier_in_the_file_counts_for_the_rules_of_later_rows(officer, f3, campaign):
    person = people_of("f3")[10]
    results = check(
        officer, f3, campaign, [person_row(person, award="cstt"), person_row(person, "cstdcs")]
    )
    assert results[0].ok
    # Advanced Soldier in the same list: that rule waits for it instead of failing
    assert not any("Chiến sĩ tiên tiến trong năm" in e for e in results[1].errors)


def test_the_check_needs_the_same_queries_for_5_rows_as_for_200(officer, f3, campaign):
    people = list(people_of("f3"))
    subunits = list(Unit.objects.filter(path__startswith=f3.path).exclude(pk=f3.pk))
    kinds = [
        lambda i: person_row(people[i % len(people)]),
        lambda i: person_row(people[i % len(people)], award="cstdcs"),
        lambda i: person_row(people[i % len(people)], award="hc-qkqt"),
        lambda i: unit_row(subunits[i % len(subunits)].code, award="bk-bqp"),
        lambda i: [f"QN-KHONG-CO-{i}", "", "", "cstt", DONE],
    ]
    rows = rows_of([kinds[i % len(kinds)](i) for i in range(200)])
    measured = []
    for size in (5, 200):
        officer = type(officer).objects.get(pk=officer.pk)  # no scope cached from before
        with CaptureQueriesContext(connection) as queries:
            results = nomination_import_check(
                actor=officer, unit=f3, campaign=campaign, rows=rows[:size]
            )
        assert len(results) == size and any(r.ok for r in results)
        measured.append(len(queries))
    assert measured[0] == measured[1], measured
    assert measured[1] <= 30


def test_only_a_preparer_of_the_unit_may_check_or_import(demo_user, f3, campaign):
    rows = rows_of([person_row(people_of("f3")[10])])
    for username in ("canbo.qk3", "chihuy.f3", "tth.canbo"):
        with pytest.raises(PermissionDenied):
            nomination_import_check(
                actor=demo_user(username), unit=f3, campaign=campaign, rows=rows
            )
        with pytest.raises(PermissionDenied):
            nomination_import(
                actor=demo_user(username), unit=f3, campaign=campaign, title="Thử", rows=rows
            )
    assert nomination_import_check(
        actor=demo_user("canbo.qk1"), unit=f3, campaign=campaign, rows=rows
    )


def test_a_closed_campaign_is_refused(officer, f3):
    closed = Campaign.objects.get(code="tdqt-2025")
    with pytest.raises(ValidationError) as error:
        check(officer, f3, closed, [person_row(people_of("f3")[10])])
    assert "đã dừng nhận đề nghị" in str(error.value)


# the import


def test_the_import_creates_every_valid_row_in_one_letter(officer, f3, campaign):
    people = people_of("f3")
    regiment = f3_regiment()
    before = counts()
    letter = nomination_import(
        actor=officer,
        unit=f3,
        campaign=campaign,
        title="Đề nghị khen thưởng năm 2026",
        rows=rows_of(
            [
                person_row(people[10]),
                person_row(people[11], award="bk-bqp"),
                ["QN-KHONG-CO", "", "", "giay-khen", DONE],  # skipped
                unit_row(regiment.code),
                person_row(people[12], award="cstdcs"),  # ineligible: skipped
            ]
        ),
        file_name="danh-sach.xlsx",
    )
    nominations = list(letter.nominations.order_by("pk"))
    assert [(n.person, n.nominee_unit) for n in nominations] == [
        (people[10], None),
        (people[11], None),
        (None, regiment),
    ]
    assert {(n.status, n.stage_position, n.submitting_unit_id) for n in nominations} == {
        (NominationStatus.DRAFT, 1, f3.pk)
    }
    assert (letter.unit, letter.campaign, letter.title) == (
        f3,
        campaign,
        "Đề nghị khen thưởng năm 2026",
    )
    # the letter, 3 nominations with their "created" events, audit for each and the import
    assert counts() == (before[0] + 3, before[1] + 1, before[2] + 3, before[3] + 5)
    audit = AuditEvent.objects.get(verb="letter.import", object_id=str(letter.pk))
    assert audit.data == {
        "file": "danh-sach.xlsx",
        "nominations": [n.pk for n in nominations],
        "skipped_rows": [4, 6],
    }


def test_a_file_without_a_valid_row_is_refused(officer, f3, campaign):
    before = counts()
    with pytest.raises(ValidationError) as error:
        nomination_import(
            actor=officer,
            unit=f3,
            campaign=campaign,
            title="Thử",
            rows=rows_of([["QN-KHONG-CO", "", "", "giay-khen", DONE]]),
        )
    assert "Không có dòng nào hợp lệ để nhập" in error.value.messages[0]
    assert counts() == before


def test_a_failure_in_the_middle_leaves_nothing(monkeypatch, officer, f3, campaign):
    real = importer.nomination_create
    calls = []

    def failing_on_the_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise ValidationError("Lỗi giả lập.")
        return real(**kwargs)

    monkeypatch.setattr(importer, "nomination_create", failing_on_the_third)
    before = counts()
    with pytest.raises(ValidationError) as error:
        nomination_import(
            actor=officer,
            unit=f3,
            campaign=campaign,
            title="Thử",
            rows=rows_of([person_row(person) for person in people_of("f3")[10:14]]),
        )
    assert error.value.messages == ["Dòng 4: Lỗi giả lập. (không dòng nào được nhập)."]
    assert counts() == before


def test_a_row_that_became_invalid_after_the_dry_run_is_skipped(demo_user, officer, f3, campaign):
    people = people_of("f3")
    rows = rows_of([person_row(people[10]), person_row(people[11])])
    assert all(
        r.ok for r in nomination_import_check(actor=officer, unit=f3, campaign=campaign, rows=rows)
    )
    nominate(demo_user, index=11)  # someone nominates row 3's person meanwhile
    letter = nomination_import(actor=officer, unit=f3, campaign=campaign, title="Thử", rows=rows)
    assert list(letter.nominations.values_list("person", flat=True)) == [people[10].pk]


# the page


def _form(f3, campaign, **extra):
    return {"unit": f3.pk, "campaign": campaign.pk, "title": "Tờ trình nhập từ tệp", **extra}


def test_the_page_checks_keeps_the_file_and_then_imports(client_for, f3, campaign):
    client = client_for("canbo.f3")
    people = people_of("f3")
    upload = xlsx([person_row(people[10]), ["QN-KHONG-CO", "", "", "giay-khen", DONE]])
    before = counts()
    response = client.post(
        reverse("nomination_import"), _form(f3, campaign, upload=upload, action="check")
    )
    assert response.status_code == 200 and counts() == before
    page = response.content.decode()
    assert "✓" in page and "Không tìm thấy quân nhân có số hiệu “QN-KHONG-CO”." in page
    assert 'value="Tờ trình nhập từ tệp"' in page  # the form keeps what was typed
    kept = client.session["nomination_import_file"]["storage"]
    assert kept.startswith("private/nomination-imports/") and default_storage.exists(kept)

    response = client.post(reverse("nomination_import"), _form(f3, campaign, action="import"))
    letter = SubmissionLetter.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse(
        "letter_detail", args=[letter.pk]
    )
    assert list(letter.nominations.values_list("person", flat=True)) == [people[10].pk]
    assert not default_storage.exists(kept) and "nomination_import_file" not in client.session


def test_the_page_refuses_an_import_for_another_unit(client_for, f3, campaign):
    upload = xlsx([person_row(people_of("f3")[10])])
    client = client_for("canbo.qk3")  # signing in is audited: count after it
    before = counts()
    assert client.get(reverse("nomination_import")).status_code == 200
    response = client.post(
        reverse("nomination_import"), _form(f3, campaign, upload=upload, action="import")
    )
    assert response.status_code == 403 and counts() == before
    assert client_for("chihuy.f3").get(reverse("nomination_import")).status_code == 403


def test_the_lists_link_to_the_import_for_preparers_only(client_for):
    for name in ("nomination_list", "letter_list"):
        url = reverse("nomination_import")
        assert url in client_for("canbo.f3").get(reverse(name)).content.decode()
        assert url not in client_for("chihuy.f3").get(reverse(name)).content.decode()
