"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = "Chromium de Debian introuvable (/usr/bin/chromium) : apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django would then
    # refuse the test's own (synchronous, safe) database calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def live_content(transactional_db, live_server):
    """The real content, visible to the live server's thread."""
    call_command("load_content", verbosity=0)
    call_command("load_reply_templates", verbosity=0)
    return live_server


@pytest.fixture
def open_page(browser):
    """open_page(url, javascript=True, width=360) -> a Playwright page on a phone-sized screen."""
    contexts = []

    def open_(url, *, javascript=True, width=PHONE["width"]):
        context = browser.new_context(
            viewport={**PHONE, "width": width}, java_script_enabled=javascript, locale="fr-FR"
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def editor_page(live_content, django_user_model, open_page):
    """An editor signed in, on the admin's index, on a desk-sized screen. The permissions of
    the « Éditeurs de contenu » group, given directly: a live server's test empties the
    database between tests, the groups its migration created included."""
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("eddie", password="x-Secret-42",
                                                   is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="kb"))
    page = open_page(live_content.url + "/admin/", width=1280)
    page.get_by_label("Nom d’utilisateur").fill("eddie")
    page.get_by_label("Mot de passe").fill("x-Secret-42")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/admin/")
    return page


def assert_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
