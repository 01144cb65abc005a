import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_submits_commander_approves_and_the_next_level_sees_it(open_as):
    from approvals.models import Award, Campaign, DocumentType, Nomination, Person, Unit
    from tests.approvals.dossier_helpers import PDF

    f3 = Unit.objects.get(code="f3")
    person = Person.objects.filter(unit=f3).order_by("pk").first()

    officer = open_as("canbo.f3")
    officer.click("[data-action=nomination_create]")
    officer.select_option("#id_submitting_unit", str(f3.pk))
    officer.select_option("#id_campaign", str(Campaign.objects.get(code="tdqt-2026").pk))
    officer.select_option("#id_award", str(Award.objects.get(code="giay-khen").pk))
    officer.select_option("#id_person", str(person.pk))
    officer.fill("#id_achievements", "Hoàn thành xuất sắc nhiệm vụ huấn luyện, sẵn sàng chiến đấu.")
    officer.click("button[data-action=save]")
    assert officer.locator("[data-field=status]").inner_text() == "Đang lập"
    # sending without the dossier is refused, naming what is missing
    officer.click("button[data-action=act]")
    assert "Hồ sơ còn thiếu: Tờ trình đề nghị khen thưởng" in officer.locator("#act").inner_text()
    for code in ("to-trinh", "bao-cao-thanh-tich", "bien-ban-binh-xet"):
        # the upload form offers the next missing document
        offered = officer.locator("#id_document_type option:checked").inner_text()
        assert offered == DocumentType.objects.get(code=code).name
        upload = {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        officer.set_input_files("#id_upload", files=[upload])
        officer.click("button[data-action=upload]")
        assert "Đã thêm tài liệu vào hồ sơ." in officer.locator(".messages").inner_text()
    assert officer.locator("#checklist tr[data-present=no]").count() == 0
    officer.click("button[data-action=act]")
    assert "Đã xử lý đề nghị." in officer.locator(".messages").inner_text()
    nomination = Nomination.objects.get(person=person)
    assert nomination.stage_position == 2
    screenshot(officer, "nomination-submitted")

    commander = open_as("chihuy.f3")
    commander.click("nav.mainnav [data-nav=inbox]")
    row = commander.locator(f"tr[data-nomination='{nomination.pk}']")
    if not row.count():
        from approvals.models import Nomination as N

        screenshot(commander, "nomination-inbox-missing")
        waiting = list(N.objects.values_list("pk", "status", "stage_position", "acting_unit__code"))
        pytest.fail(f"not in the inbox: {commander.url}\n{commander.inner_text('main')}\n{waiting}")
    assert "Chỉ huy phê duyệt" in row.inner_text()
    row.locator("a").click()
    assert commander.locator("[data-field=stage]").inner_text().startswith("2. Chỉ huy phê duyệt")
    commander.check("input[name=action][value=approve]")
    commander.fill("#id_comment", "Đồng ý đề nghị.")
    commander.click("button[data-action=act]")
    assert "Đã xử lý đề nghị." in commander.locator(".messages").inner_text()
    screenshot(commander, "nomination-approved")

    next_level = open_as("canbo.qk1")
    next_level.click("nav.mainnav [data-nav=inbox]")
    assert next_level.locator("h1").inner_text() == "Việc cần xử lý"
    row = next_level.locator(f"tr[data-nomination='{nomination.pk}']")
    assert person.full_name in row.inner_text()
    assert "Xem xét, tổng hợp" in row.inner_text()
    row.locator("a").click()
    timeline = next_level.locator("table.timeline").inner_text()
    assert "Gửi đề nghị" in timeline and "Đồng ý đề nghị." in timeline
    screenshot(next_level, "nomination-next-level-inbox")
