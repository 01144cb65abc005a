import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_signs_in_in_vietnamese_and_switches_to_english(open_as):
    page = open_as("canbo.f3")
    assert page.locator("h1").inner_text().startswith("Xin chào")
    assert page.locator("[data-action=people_list]").is_visible()
    assert page.locator("[data-action=council_detail]").count() == 0
    screenshot(page, "home-vi")

    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.locator("h1").inner_text().startswith("Hello")
    assert page.locator("[data-action=people_list]").inner_text() == "Service members and employees"
    screenshot(page, "home-en")


def test_officer_finds_a_person_without_typing_diacritics(open_as):
    from approvals.models import Unit
    from tests.factories.organisation import PersonFactory

    PersonFactory(full_name="Trương Thị Đoan Trang", unit=Unit.objects.get(code="f3-e1"))
    page = open_as("canbo.f3")
    page.click("[data-action=people_list]")
    page.fill("input[name=q]", "truong thi doan")
    page.click("form.filters button")
    assert page.locator("table.list tbody tr td a").all_inner_texts() == ["Trương Thị Đoan Trang"]
