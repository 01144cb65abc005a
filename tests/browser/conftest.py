"""Playwright driving Debian's Chromium against the live test server."""

import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Chromium")  # the autouse service check fails first under CI
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # fixtures are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_demo(live_server):
    """The live server with the demo data (reloaded if a previous test flushed it)."""
    from approvals.demo.loader import load_demo
    from approvals.models import Unit
    from workflows.demo import load_demo_routes

    if not Unit.objects.filter(code="bqp").exists():
        load_demo()
        load_demo_routes()
    return live_server


@pytest.fixture
def open_as(browser, live_demo):
    """A new browser context signed in as the named demo user; returns its page."""
    from approvals.demo.data import DEMO_PASSWORD

    contexts = []

    def open_page(username: str):
        context = browser.new_context(locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_demo.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def pdf_page_image(pdf_path, name: str, pages: int = 2) -> None:
    """The PDF's first pages as PNG artifacts, as a reader sees them (pypdfium2 renders)."""
    import pypdfium2

    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        for index in range(min(pages, len(document))):
            image = document[index].render(scale=1.5).to_pil()
            image.save(ARTIFACTS / f"{name}-{index + 1}.png")
    finally:
        document.close()
