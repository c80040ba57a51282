"""Issue 20 §1 in Chromium: a partner's page on another origin (127.0.0.2) frames a team's
front door and walks it to an outcome; a site the team does not list gets an empty frame;
the framed pages are accessible at 360 px."""

import http.server
import threading

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from teams.models import Team
from tests.browser.conftest import assert_accessible
from tests.browser.test_wizard_browser import APP_PROBLEM_PATH

pytestmark = pytest.mark.browser


class Partner:
    """A partner's site: one page with the snippet the admin gives, served on its own origin."""

    def __init__(self, host: str, snippet: str):
        page = (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Portail '
                f'partenaire</title><meta name="viewport" content="width=device-width">'
                f'</head><body><h1>Portail régional de santé</h1>'
                f'<p>Votre e-CPS ne fonctionne pas ? Suivez le parcours ci-dessous.</p>'
                f'{snippet}<p id="apres">Pied de page du partenaire</p></body></html>').encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partners(live_content, settings):
    from teams.admin import embed_snippet

    call_command("load_teams", verbosity=0)
    hdf = Team.objects.get(slug="hdf")
    settings.TRIAGE_SITE_URL = live_content.url
    snippet = embed_snippet(hdf)
    allowed, refused = Partner("127.0.0.2", snippet), Partner("127.0.0.3", snippet)
    hdf.frame_origins = allowed.url.rstrip("/")  # 127.0.0.3 is not listed
    hdf.save()
    yield allowed, refused
    allowed.close()
    refused.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_partner_frames_the_wizard_and_walks_it_to_an_outcome(partners, open_page, width):
    allowed, _refused = partners
    page = open_page(allowed.url, width=width)
    frame_element = page.locator("iframe[data-assistance-ecps]")
    expect(frame_element).to_have_attribute("title", "Assistance e-CPS, Équipe fimatho : "
                                                     "parcours guidé")
    frame = page.frame_locator("iframe[data-assistance-ecps]")
    expect(frame.locator("h1")).to_be_visible()
    expect(frame.locator(".site-header")).to_have_count(0)
    for label in APP_PROBLEM_PATH:
        frame.get_by_role("link", name=label, exact=True).click()
    call = frame.get_by_role("link", name="Appeler le 0 806 800 213")
    expect(call).to_have_attribute("target", "_blank")  # the phone, outside the frame
    content = page.frame(url=lambda url: "/integre/" in url)
    assert content.url.endswith("/hdf/integre/parcours/methode-b/methode-b-probleme/"
                                "methode-b-erreur/probleme-application/")
    # The frame grew to its content: no scroll bar inside, the partner's page goes on below.
    for _attempt in range(50):  # the page's message crosses to the partner's script
        frame_height = frame_element.evaluate("f => f.getBoundingClientRect().height")
        content_height = frame.locator("html").evaluate(
            "h => h.getBoundingClientRect().height")
        if abs(frame_height - content_height) <= 2:
            break
        page.wait_for_timeout(100)
    assert abs(frame_height - content_height) <= 2 and frame_height > 640
    # Links that leave the site open outside the frame.
    for link in frame.locator('a[href^="tel:"], a[href^="mailto:"], a[href^="http"]').all():
        assert link.get_attribute("target") == "_blank"
    # A full-page screenshot leaves a frame's lower part blank: a viewport as tall as the page.
    page.set_viewport_size({"width": width, "height": page.evaluate(
        "document.documentElement.scrollHeight")})
    page.screenshot(path=f"/tmp/integre-{width}.png")
    if width == 360:
        assert_accessible(content)
    # And shrinks back on a shorter page (nothing in the page grows with the frame).
    frame.get_by_role("link", name="Assistance e-CPS").click()
    expect(frame.locator("h1")).to_contain_text("Vous n'arrivez pas à activer")
    page.wait_for_function("() => document.querySelector('iframe').getBoundingClientRect()"
                           f".height < {frame_height}")


def test_a_site_the_team_does_not_list_gets_an_empty_frame(partners, open_page):
    _allowed, refused = partners
    page = open_page(refused.url)
    expect(page.locator("h1")).to_have_text("Portail régional de santé")
    page.wait_for_timeout(1000)  # the frame's answer has come (and been refused)
    frame = page.frame_locator("iframe[data-assistance-ecps]")
    # Chromium puts its own error page in the frame, none of the site's content.
    expect(frame.get_by_text("Avez-vous une carte CPx")).to_have_count(0)
    (child,) = page.main_frame.child_frames
    assert child.url.startswith("chrome-error://"), child.url
    page.screenshot(path="/tmp/integre-refuse-360.png", full_page=True)
