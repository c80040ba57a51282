"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.signals import got_request_exception

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


BUILT_CSS = Path(__file__).resolve().parents[2] / "static" / "build" / "bootstrap.min.css"


@pytest.fixture(scope="session")
def browser():
    if not BUILT_CSS.exists():  # the pages would be tested without their Bootstrap
        pytest.fail("Le CSS du site n'est pas construit : lancez `make css` (ou `make test`).")
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


class ServerErrors(logging.Handler):
    """The live server's answers of 500 or more, read from its request log (one line per
    request, kb.middleware.request_log), whatever produced them: an exception, the French
    503, a view's own status."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.answers: list[str] = []
        self.exceptions: list[str] = []

    def emit(self, record):
        http = getattr(record, "http", None)
        if http and http["status"] >= 500:
            self.answers.append(f"{http['method']} {http['path']} : {http['status']}")

    def exception(self, sender, **kwargs):
        self.exceptions.append(sys.exc_info()[0].__name__)


@contextmanager
def failing_on_server_errors():
    errors = ServerErrors()
    logger = logging.getLogger("helpdesk.requests")
    logger.addHandler(errors)
    got_request_exception.connect(errors.exception)
    try:
        yield
    finally:
        logger.removeHandler(errors)
        got_request_exception.disconnect(errors.exception)
    if errors.answers:
        pytest.fail("Le serveur a répondu par une erreur : " + " ; ".join(errors.answers)
                    + (f" (exceptions : {', '.join(errors.exceptions)})"
                       if errors.exceptions else ""))


# A 500 anywhere in a browser test fails it, even when the page the test looks at seemed
# fine (an htmx request, an image, a form posted in the background), in its fixtures (an
# editor signing in) as in the test itself.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with failing_on_server_errors():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with failing_on_server_errors():
        return (yield)


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
    return signed_in(open_page(live_content.url + "/admin/", width=1280), "eddie", "**/admin/")


def signed_in(page, username: str, then: str):
    """The staff login form, on the page it redirected to, filled in; waits for `then`."""
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill("x-Secret-42")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(then)
    return page


def assert_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
