"""Issue 20 §1: a team's front door inside a partner's frame (/hdf/integre/…), allowed only
to the sites the team lists; every other page refuses every frame. (In Chromium:
tests/browser/test_embedded_browser.py.)"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from teams.models import Team, parse_origins
from teams.tests.test_front_door import PAGES
from triage.models import Ticket
from triage.tests.factories import VALID_FORM

PARTNER = "https://www.sante-ra.fr"
# A link of the framed pages that would leave the frame's pages for the full site.
UNFRAMED_LINK = re.compile(r'href="/(?!hdf/integre/|static/|media/)')


@pytest.fixture
def hdf(seed_tree):
    call_command("load_teams", verbosity=0)
    team = Team.objects.get(slug="hdf")
    team.frame_origins = f"{PARTNER}\nhttp://127.0.0.2:8123"
    team.save()
    return team


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]*)", response["Content-Security-Policy"])[1]


def test_the_teams_partners_and_only_they_may_frame_its_embedded_pages(client, hdf):
    for attempt in range(2):  # rendered, then from the page cache: the same headers
        response = client.get("/hdf/integre/parcours/")
        assert response.status_code == 200, attempt
        assert frame_ancestors(response) == f"{PARTNER} http://127.0.0.2:8123"
        assert "X-Frame-Options" not in response


@pytest.mark.parametrize("path", ["/hdf/parcours/", "/", "/parcours/", "/hdf/aide/",
                                  "/aide/", "/admin/login/", "/agents/"])
def test_every_other_page_refuses_every_frame(client, hdf, path):
    response = client.get(path, follow=True)
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_a_team_that_lists_no_site_cannot_be_framed_even_in_embedded_mode(client, hdf):
    Team.objects.filter(slug="hdf").update(frame_origins="")
    Team.objects.get(slug="hdf").save()  # a new doors version
    response = client.get("/hdf/integre/")
    assert frame_ancestors(response) == "'none'" and response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_opens_in_the_frame_without_the_sites_header_and_stays_there(
        client, hdf, page):
    response = client.get(f"/hdf/integre/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert "Ouvrir dans un nouvel onglet" in html
    assert UNFRAMED_LINK.findall(html) == []
    # A call, an e-mail or another site opens outside the frame.
    for tag in re.findall(r'<a\s[^>]*href="(?:tel:|mailto:|https?://)[^>]*>', html):
        assert 'target="_blank"' in tag, tag


def test_the_new_tab_link_opens_the_same_page_on_the_full_site(client, hdf):
    html = client.get("/hdf/integre/tutoriels/?x=1").content.decode()
    assert 'href="http://testserver/hdf/tutoriels/?x=1" target="_blank"' in html
    # Outside the frame, links stay as they were: no new tab for the team's phone number.
    assert 'href="tel:0362943982">' in client.get("/hdf/").content.decode()


def test_a_help_request_filed_in_the_frame_goes_to_the_team_and_confirms_in_the_frame(hdf):
    browser = Client(enforce_csrf_checks=True)  # in a frame: no cookie of this site is sent
    # The help link of a step seen in the frame.
    outcome = ("/hdf/integre/parcours/methode-b/methode-b-probleme/methode-b-erreur/"
               "probleme-application/")
    step = browser.get(outcome).content.decode()
    assert f'href="/hdf/integre/aide/?depuis={outcome}"' in step
    page = browser.get(f"/hdf/integre/aide/?depuis={outcome}").content.decode()
    assert f'formaction="http://testserver/hdf/aide/?depuis={outcome}"' in page
    response = browser.post("/hdf/integre/aide/", {**VALID_FORM, "depuis": outcome},
                            HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302
    assert response["Location"].startswith("/hdf/integre/aide/merci/")
    ticket = Ticket.objects.get()
    assert ticket.team == hdf and [entry["answer"] for entry in ticket.trail] == [
        "Non, je n'ai pas de carte", "Non, elle n'est pas activée", "Je rencontre une erreur",
        "J'ai un problème avec l'application e-CPS"]
    assert "Votre demande" in browser.get(response["Location"]).content.decode()


@pytest.mark.parametrize("text, origins", [
    ("https://www.sante-ra.fr", ["https://www.sante-ra.fr"]),
    ("HTTPS://Portail.PACA.fr:8443/\n\nhttps://portail.paca.fr:8443",
     ["https://portail.paca.fr:8443"]),
    ("http://127.0.0.2:8123 http://localhost", ["http://127.0.0.2:8123", "http://localhost"]),
    ("https://łódź.pl", ["https://xn--d-uga0v4h.pl"]),
    ("http://[::1]:8123", ["http://[::1]:8123"]),
])
def test_origins_are_read_as_a_browser_writes_them(text, origins):
    assert parse_origins(text) == origins


@pytest.mark.parametrize("text", [
    "http://www.sante-ra.fr",  # plain http: anyone on the way could frame the form
    "https://www.sante-ra.fr/page", "https://*.sante-ra.fr", "www.sante-ra.fr",
    "https://user@www.sante-ra.fr", "https://www.sante-ra.fr:99999", "javascript:alert(1)",
    "https://a.fr;script-src", "https://a,b.fr", "https://a_b.fr", "https://-a.fr",
])
def test_anything_but_an_origin_is_refused_in_french(text):
    with pytest.raises(ValidationError, match="ne sont pas des origines de site"):
        parse_origins(text)


def test_the_admin_gives_the_partner_the_snippet_to_paste(admin_user_client, hdf):
    html = admin_user_client.get(f"/admin/teams/team/{hdf.pk}/change/").content.decode()
    assert ("&lt;iframe src=&quot;http://127.0.0.1:8000/hdf/integre/&quot; "
            "title=&quot;Assistance e-CPS, Équipe fimatho : parcours guidé&quot;") in html
    assert "/static/js/integre.js" in html
    response = admin_user_client.post(f"/admin/teams/team/{hdf.pk}/change/", {
        "name": hdf.name, "response_target_days": 2, "frame_origins": "https://x.fr/chemin"})
    assert "ne sont pas des origines de site" in response.content.decode()


def test_a_bare_door_as_the_origin_of_a_request_is_no_error(client, hdf):
    """Review: « /hdf » alone once raised an IndexError (a 500) in resolve_local."""
    assert client.get("/aide/", {"depuis": "/hdf"}).status_code == 200
    assert client.get("/aide/", {"depuis": "/hdf/integre"}).status_code == 200


def test_the_follow_page_opens_inside_the_frame(client, hdf):
    from triage.tests.factories import make_ticket

    ticket = make_ticket(team=hdf)
    response = client.get(f"/hdf/integre{ticket.get_follow_url()}")
    assert response.status_code == 200
    assert frame_ancestors(response) == f"{PARTNER} http://127.0.0.2:8123"
    # From elsewhere, it is sent behind the team's door, outside any frame.
    response = client.get(ticket.get_follow_url())
    assert response.status_code == 302 and response["Location"].startswith("/hdf/aide/suivi/")


def test_the_new_tab_link_never_leads_to_another_site(client, hdf):
    html = client.get("/hdf/integre//evil.example/").content.decode()
    assert 'href="http://testserver/hdf/evil.example/" target="_blank"' in html
    assert "evil.example/\" target" not in html.replace("testserver/hdf/evil", "")


def test_a_team_name_with_markup_is_escaped_in_the_snippet(hdf):
    from teams.admin import embed_snippet

    hdf.name = 'Équipe "fimatho" <b>'
    snippet = embed_snippet(hdf)
    assert 'title="Assistance e-CPS, Équipe &quot;fimatho&quot; &lt;b&gt; : parcours guidé"' in (
        snippet)
