"""What a broken or hostile client sends to the content side (preview, editors' admin, import,
public forms, login) gets a French 400 or the form back with its error: never a 500 nor a
false « base indisponible » (issues 24 and 25). Runs on SQLite and on PostgreSQL."""

import json
import logging
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DataError
from django.test import Client

from kb.document import draft_document, to_json
from kb.models import ContentVersion, KnownProblem, SupportLine, Tutorial

VERSIONS = "/admin/kb/contentversion/"
CARD_LEAF = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
# 100,000 levels: far past what Python's JSON reader (or any recursion) can follow.
DEEPLY_NESTED = b"[" * 100_000 + b"]" * 100_000
CSRF_SECRET = "a" * 32  # a well-formed CSRF cookie, also accepted as the form's token


def browser() -> Client:
    """A client checked as the site checks browsers: its posts come from this site
    (kb.cross_site), and it holds a CSRF cookie, as staff do: a refusal then goes through
    Django's CSRF check once more, as it does in production."""
    client = Client(enforce_csrf_checks=True, headers={"Origin": "http://testserver"})
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


def french_400(response) -> bool:
    return response.status_code == 400 and "Requête invalide" in response.content.decode()


# --- The staff's preview ------------------------------------------------------------------

@pytest.mark.parametrize("suivant", [
    "-1", "a\nb", "a\x00b", "/\u0440\u0430rcours/",  # Cyrillic « ра » for « pa »
    "😀", "ｅｘａｍｐｌｅ", "https://evil.example/", "//evil.example/", "/n-existe-pas/",
])
def test_a_preview_return_address_that_is_not_a_page_of_the_site_is_a_french_400(
        editor_client, seed_tree, suivant):
    response = editor_client.post("/apercu/", {"suivant": suivant})
    assert french_400(response) and "Location" not in response
    assert "Aperçu du brouillon" not in editor_client.get("/").content.decode()
    assert french_400(editor_client.get("/apercu/", {"suivant": suivant}))


def test_a_preview_return_address_of_a_page_still_leads_there(editor_client, seed_tree):
    response = editor_client.post("/apercu/", {"suivant": CARD_LEAF + "?vue=1"})
    assert response.status_code == 302 and response["Location"] == CARD_LEAF + "?vue=1"


# --- The editors' admin -------------------------------------------------------------------

@pytest.mark.parametrize("tutorial", ["abc", "éà", "1 OR 1=1", "99999999999999999999999"])
def test_an_autocomplete_choice_that_is_not_an_id_gives_the_form_back_with_its_error(
        editor_client, seed_tree, tutorial):
    response = editor_client.post("/admin/kb/knownproblem/add/", {
        "symptom": "Écran blanc", "slug": "ecran-blanc", "tutorial": tutorial, "position": 1})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not KnownProblem.objects.filter(slug="ecran-blanc").exists()


@pytest.mark.parametrize(("related", "error"), [
    ("abc", "« abc » n’est pas une valeur correcte"),
    ("99999999999999999999999", "Sélectionnez un choix valide"),
])
def test_related_tutorials_that_are_not_ids_give_the_form_back_with_its_error(
        editor_client, seed_tree, related, error):
    tutorial = Tutorial.objects.first()
    response = editor_client.post(f"/admin/kb/tutorial/{tutorial.pk}/change/", {
        "title": tutorial.title, "related": [related], "steps-TOTAL_FORMS": 0,
        "steps-INITIAL_FORMS": 0})
    assert response.status_code == 200
    assert error in response.content.decode().replace("\xa0", " ")


@pytest.mark.parametrize("query", ["de=999999999999", "a=999999999999",
                                   "de=99999999999999999999999&a=-99999999999999999999999"])
def test_comparing_with_a_version_number_too_large_shows_the_page(editor_client, seed_tree,
                                                                   query):
    response = editor_client.get(f"{VERSIONS}comparer/?{query}")
    assert response.status_code == 200 and "Comparer deux versions" in response.content.decode()


def test_a_nul_in_a_multipart_form_is_a_french_400_like_in_any_other(editor_client, seed_tree):
    """The admin's forms are multipart: their values, their field names, and the names of the
    files sent are read for a NUL as an urlencoded form's are."""
    SupportLine.objects.filter(slug="ans-support-cartes").update(phone="0 825 85 20 01")
    assert french_400(editor_client.post(VERSIONS + "publier/", {"note": "a\x00b"}))
    assert french_400(editor_client.post(VERSIONS + "publier/", {"no\x00te": "a"}))
    assert ContentVersion.objects.count() == 1
    # Django itself removes control characters from uploaded files' names: nothing to refuse.
    response = editor_client.post(VERSIONS + "importer/", {
        "file": SimpleUploadedFile("contenu\x00.json", b"[]")})
    assert response.status_code == 200


def test_a_publication_note_the_database_refuses_is_a_400_not_an_outage(
        editor_client, seed_tree, monkeypatch, caplog):
    """Bad data that reached a query (a check missing before it) is no database outage."""
    def refused(**kwargs):
        raise DataError("value too long for type character varying(300)")

    monkeypatch.setattr("kb.admin.publish_content", refused)
    with caplog.at_level(logging.WARNING, logger="kb.middleware"):
        response = editor_client.post(VERSIONS + "publier/", {"note": "x"})
    assert french_400(response)
    assert [r.getMessage() for r in caplog.records if r.name == "kb.middleware"] == [
        "database refused the data: DataError"]


# --- Import -------------------------------------------------------------------------------

def test_an_import_nested_thousands_of_levels_deep_is_refused_in_french_and_changes_nothing(
        editor_client, seed_tree, tmp_path):
    before = to_json(draft_document())
    response = editor_client.post(VERSIONS + "importer/", {
        "file": SimpleUploadedFile("contenu.json", DEEPLY_NESTED)})
    assert response.status_code == 200
    assert "imbriqués sur des milliers de niveaux" in response.content.decode()
    nested = tmp_path / "imbrique.json"
    nested.write_bytes(DEEPLY_NESTED)
    with pytest.raises(CommandError) as error:
        call_command("import_content", str(nested))
    assert "imbriqués sur des milliers de niveaux" in str(error.value)
    assert to_json(draft_document()) == before


def test_an_import_with_a_list_where_a_slug_belongs_is_refused_in_french(seed_tree, tmp_path):
    document = json.loads(ContentVersion.objects.get().document)
    document["glossary"][0]["slug"] = [[["x"]]]
    bad = tmp_path / "liste.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_content", str(bad))
    assert "glossary[0].slug : un texte est attendu." in str(error.value)


# --- Public forms and the login page -------------------------------------------------------

PUBLIC_FORMS = {"/identifiant/": "number=10002232642", "/avis/": f"page={CARD_LEAF}&helpful=1",
                "/admin/login/": "username=eddie&password=x"}


@pytest.mark.parametrize("charset", ["utf-16", "utf-16-le", "utf-32", "latin-1"])
@pytest.mark.parametrize("url", PUBLIC_FORMS)
def test_a_public_form_sent_in_another_charset_than_utf8_is_a_french_400(seed_tree, url,
                                                                         charset):
    body = f"csrfmiddlewaretoken={CSRF_SECRET}&{PUBLIC_FORMS[url]}".encode(charset)
    response = browser().generic(
        "POST", url, body, content_type=f"application/x-www-form-urlencoded; charset={charset}")
    assert french_400(response)


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "undefined", "idna",
                                     "utf-8\x00", "x-inconnu"])
@pytest.mark.parametrize("url", PUBLIC_FORMS)
def test_a_charset_python_cannot_decode_text_with_is_ignored_and_the_form_read_as_utf8(
        seed_tree, url, charset):
    """Labels such as rot13 or base64 name codecs, not charsets: Django took them and failed
    while building the request, before any page could answer."""
    body = f"csrfmiddlewaretoken={CSRF_SECRET}&{PUBLIC_FORMS[url]}".encode()
    for content_type in (f"application/x-www-form-urlencoded; charset={charset}",
                         f"text/plain; charset={charset}"):
        response = browser().generic("POST", url + "?depuis=%C3%A9t%C3%A9", body,
                                     content_type=content_type)
        assert response.status_code < 500, content_type
    response = browser().get(url + "?q=%C3%A9", CONTENT_TYPE=f"text/plain; charset={charset}")
    assert response.status_code < 500


def test_a_multipart_form_with_a_codec_for_charset_is_read_as_utf8(seed_tree):
    body = (f'--xx\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{CSRF_SECRET}\r\n--xx\r\nContent-Disposition: form-data; name="number"\r\n\r\n'
            '10002232642\r\n--xx--\r\n').encode()
    response = browser().generic("POST", "/identifiant/", body,
                                 content_type="multipart/form-data; boundary=xx; charset=rot13")
    assert response.status_code == 200 and "10002232642" in response.content.decode()


def test_a_query_string_with_too_many_fields_and_a_charset_is_a_french_400(seed_tree):
    """Django parsed the query string while building the request when a charset was given:
    its refusal of more than 1,000 fields then came before any middleware."""
    query = "&".join(f"a{i}=1" for i in range(1500))
    response = Client().get(f"/recherche/?{query}", CONTENT_TYPE="text/plain; charset=utf-8")
    assert french_400(response)


def test_a_form_body_django_cannot_read_is_a_french_400_even_with_csrf_checked(seed_tree):
    too_many = "&".join(f"a{i}=1" for i in range(1500)).encode()
    response = browser().generic("POST", "/identifiant/", too_many,
                                 content_type="application/x-www-form-urlencoded")
    assert french_400(response)
    broken = b"--xx\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\n1"
    response = browser().generic("POST", "/identifiant/", broken,
                                 content_type="multipart/form-data; boundary=xx")
    assert response.status_code < 500


@pytest.mark.parametrize("username", ["u" * 151, "u" * 300, "u" * 100_000])
def test_an_overlong_username_gives_the_login_form_back_not_a_database_outage(
        db, username, caplog):
    with caplog.at_level(logging.WARNING):
        response = Client().post("/admin/login/", {"username": username, "password": "x"})
    assert response.status_code == 200
    assert "au plus 150 caractères" in response.content.decode()
    assert not [r for r in caplog.records if "database" in r.getMessage()]


def test_a_nul_in_the_login_form_is_a_french_400_whatever_its_encoding(db):
    form = {"username": "u\x00", "password": "x"}
    assert french_400(Client().post("/admin/login/", urlencode(form),
                                    content_type="application/x-www-form-urlencoded"))
    assert french_400(Client().post("/admin/login/", form))  # multipart



def test_an_address_too_long_for_any_page_is_a_french_400(editor_client, seed_tree):
    """SQLite refuses a LIKE pattern over 50,000 bytes: an admin search that long read as
    « base indisponible »."""
    response = editor_client.get("/admin/kb/supportline/", {"q": "[" * 100_000})
    assert french_400(response) and "trop longue" in response.content.decode()
    assert editor_client.get("/admin/kb/supportline/", {"q": "[" * 1_000}).status_code == 200


@pytest.mark.parametrize("object_id", ["abc", "😀", "99999999999999999999999", "-1"])
def test_a_version_page_that_cannot_exist_is_a_404(editor_client, seed_tree, object_id):
    assert editor_client.get(f"{VERSIONS}{quote(object_id)}/change/").status_code == 404


def test_a_date_filter_with_a_huge_number_is_a_400_not_a_500(admin_user_client):
    """Found by the fuzzer: the admin's date hierarchy passed it to datetime()."""
    huge = "6530700426"
    response = admin_user_client.get(
        f"/admin/axes/accesslog/?attempt_time__day={huge}&attempt_time__month={huge}"
        f"&attempt_time__year={huge}")
    assert response.status_code == 400
