"""Staff preview the draft; visitors get pages rendered once per version (the same bytes
for everyone: tests/test_cross_site_posts.py; the pages-viewed cookie:
triage/tests/test_help_request.py)."""

from django.test import Client

from kb.models import SupportLine

CARD_LEAF = "/parcours/methode-a/methode-a-erreur/probleme-carte/"


def test_staff_preview_the_draft_with_a_banner_never_cached_then_leave(editor, seed_tree):
    SupportLine.objects.filter(slug="ans-support-cartes").update(phone="0 825 85 20 01")
    staff = Client()
    staff.force_login(editor)
    assert "0825852001" not in staff.get(CARD_LEAF).content.decode()  # not in preview yet
    response = staff.post("/apercu/", {"suivant": CARD_LEAF})
    assert response["Location"] == CARD_LEAF
    response = staff.get(CARD_LEAF)
    html = response.content.decode()
    assert "Aperçu du brouillon" in html and 'href="tel:0825852001"' in html
    assert "no-store" in response["Cache-Control"]
    assert "0825852001" not in Client().get(CARD_LEAF).content.decode()  # visitors: published
    staff.post("/apercu/", {"action": "quitter", "suivant": CARD_LEAF})
    html = staff.get(CARD_LEAF).content.decode()
    assert "Aperçu du brouillon" not in html and "0825852001" not in html


def test_only_staff_can_preview(client, seed_tree):
    response = client.post("/apercu/", {"suivant": "/"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "Aperçu du brouillon" not in client.get("/").content.decode()


def test_preview_never_redirects_off_site(editor, seed_tree):
    staff = Client()
    staff.force_login(editor)
    response = staff.post("/apercu/", {"suivant": "https://evil.example/"})
    assert response.status_code == 400 and "Location" not in response


def test_a_flash_message_is_shown_even_on_a_cached_page(client, seed_tree):
    page = "/tutoriels/choisir-mot-de-passe/"
    Client().get(page)
    client.post("/avis/", {"page": page, "helpful": "1"})
    assert "Merci, votre avis a été enregistré." in client.get(page).content.decode()
    assert "Merci, votre avis" not in client.get(page).content.decode()  # shown once


def test_a_cached_page_goes_compressed_to_a_browser_that_accepts_gzip(seed_tree):
    import gzip

    plain = Client().get(CARD_LEAF)
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    for encoding in ["gzip, deflate, br", "br;q=1.0, gzip;q=0.8"]:
        compressed = Client().get(CARD_LEAF, HTTP_ACCEPT_ENCODING=encoding)
        assert compressed["Content-Encoding"] == "gzip"
        assert gzip.decompress(compressed.content) == plain.content
    refused = Client().get(CARD_LEAF, HTTP_ACCEPT_ENCODING="gzip;q=0, br")
    assert "Content-Encoding" not in refused and refused.content == plain.content


def test_a_page_in_memory_leaves_without_a_query_with_its_headers_and_the_visitors_cookie(
        seed_tree, settings, django_assert_num_queries):
    """Issue 23: served before the rest of the middleware stack, the same page as rendered."""
    settings.KB_CONTENT_CHECK_SECONDS = 60  # as in production: the version is checked now and then
    first = Client().get(CARD_LEAF)
    with django_assert_num_queries(0):
        second = Client().get(CARD_LEAF)
    assert second.content == first.content
    for header in ["Content-Type", "Vary", "X-Frame-Options", "Content-Security-Policy"]:
        assert second[header] == first[header], header
    assert second.cookies["ecps_pages"].value  # the visit's pages, as on the first render
    staff_answer = Client()
    staff_answer.cookies[settings.SESSION_COOKIE_NAME] = "une-session"
    with django_assert_num_queries(1):  # a session is looked up: never served from memory
        staff_answer.get(CARD_LEAF)
