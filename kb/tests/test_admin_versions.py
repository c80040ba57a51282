"""The editors' side of versions in the admin: status, publish, history, diff, revert,
export and import; and who may do what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kb.models import ContentVersion, SupportLine
from kb.services import REFERENCE_CONTENT
from kb.tests.factories import make_outcome

VERSIONS = "/admin/kb/contentversion/"
CARD_LEAF = "/parcours/methode-a/methode-a-erreur/probleme-carte/"


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def change_card_phone(phone="0 825 85 20 01"):
    SupportLine.objects.filter(slug="ans-support-cartes").update(phone=phone)


def test_the_admin_says_whether_the_draft_differs_from_what_is_published(editor_client,
                                                                         seed_tree):
    html = editor_client.get("/admin/").content.decode()
    assert "Version 1, publiée le" in html and "Le brouillon est identique" in html
    change_card_phone()
    html = editor_client.get("/admin/").content.decode()
    assert "Le brouillon a été modifié depuis" in html


def test_an_editor_sees_the_changes_then_publishes_with_a_note(editor_client, seed_tree):
    change_card_phone()
    html = editor_client.get(VERSIONS + "publier/").content.decode()
    assert "Ligne « Support des cartes CPx »" in html
    assert "<del>0 825 85 20 00</del>" in html and "<ins>0 825 85 20 01</ins>" in html
    response = editor_client.post(VERSIONS + "publier/", {
        "note": "Nouveau numéro", "modifications": "ligne:ans-support-cartes",
        "action": "publier"})
    version = ContentVersion.objects.first()
    assert (version.number, version.note, version.published_by) == (2, "Nouveau numéro",
                                                                     "eddie")
    assert response["Location"] == f"{VERSIONS}{version.pk}/change/"
    assert 'href="tel:0825852001"' in Client().get(CARD_LEAF).content.decode()


def test_a_broken_draft_shows_what_to_fix_with_links_and_cannot_be_published(editor_client,
                                                                             seed_tree):
    orphan = make_outcome("orpheline")
    html = editor_client.get(VERSIONS + "publier/").content.decode()
    assert "Pas prête : " in html
    assert "L&#x27;issue « Issue orpheline » n&#x27;est atteinte par aucun" in html
    assert ">Tout publier</button>" not in html
    response = editor_client.post(VERSIONS + "publier/", {
        "note": "x", "modifications": "etape:orpheline", "action": "publier"})
    html = response.content.decode()
    assert "Publication refusée : rien n'a changé pour les visiteurs" in html
    assert "L&#x27;issue « Issue orpheline » n&#x27;est atteinte par aucun chemin" in html
    assert f'href="/admin/kb/step/{orphan.pk}/change/"' in html
    assert 'value="etape:orpheline" id="m1" checked' in html and 'value="x"' in html
    assert ContentVersion.objects.count() == 1


def test_history_lists_versions_and_a_version_shows_what_it_changed(editor_client, seed_tree):
    change_card_phone()
    editor_client.post(VERSIONS + "publier/", {"note": "Nouveau numéro", "action": "tout"})
    html = editor_client.get(VERSIONS).content.decode()
    assert "Nouveau numéro" in html and "eddie" in html
    version = ContentVersion.objects.first()
    html = editor_client.get(f"{VERSIONS}{version.pk}/change/").content.decode()
    assert "Modifications par rapport à la version 1" in html
    assert "<del>0 825 85 20 00</del>" in html
    html = editor_client.get(VERSIONS + "comparer/?de=2&a=1").content.decode()
    assert "De la version 2 à la version 1" in html and "<ins>0 825 85 20 00</ins>" in html
    assert editor_client.get(VERSIONS + "comparer/?de=x&a=9").status_code == 200


def test_revert_asks_for_confirmation_then_publishes_the_old_content(editor_client, seed_tree):
    change_card_phone()
    editor_client.post(VERSIONS + "publier/", {"note": "Erreur", "action": "tout"})
    html = editor_client.get(VERSIONS + "1/retablir/").content.decode()
    assert "Confirmer : rétablir la version 1" in html
    assert ContentVersion.objects.count() == 2  # a GET changes nothing
    editor_client.post(VERSIONS + "1/retablir/", {"note": "Retour"})
    latest = ContentVersion.objects.first()
    assert (latest.number, latest.reverted_to) == (3, 1)
    assert 'href="tel:0825852000"' in Client().get(CARD_LEAF).content.decode()


def test_export_downloads_the_published_document(editor_client, seed_tree):
    response = editor_client.get(VERSIONS + "exporter/")
    assert response["Content-Disposition"] == (
        'attachment; filename="contenu-ecps-version-1.json"')
    assert response.content == REFERENCE_CONTENT.read_bytes()


def test_import_loads_a_file_into_the_draft_or_says_what_is_wrong(editor_client, seed_tree):
    text = REFERENCE_CONTENT.read_text(encoding="utf-8")
    bad = text.replace('"next_step": "methode-a-erreur"', '"next_step": "disparue"')
    response = editor_client.post(VERSIONS + "importer/", {
        "file": SimpleUploadedFile("contenu.json", bad.encode())})
    html = response.content.decode()
    assert "Le fichier n'a pas été importé" in html
    assert "renvoie vers l&#x27;étape « disparue », qui n&#x27;existe pas" in html
    for garbage in (b"\xff\xfe\x00", b"", b"[]"):
        response = editor_client.post(VERSIONS + "importer/", {
            "file": SimpleUploadedFile("x.json", garbage)})
        assert response.status_code == 200
    changed = text.replace('"phone": "0 825 85 20 00"', '"phone": "0 825 85 20 01"')
    response = editor_client.post(VERSIONS + "importer/", {
        "file": SimpleUploadedFile("contenu.json", changed.encode())})
    assert response["Location"] == VERSIONS + "publier/"
    assert SupportLine.objects.get(slug="ans-support-cartes").phone == "0 825 85 20 01"
    assert 'href="tel:0825852000"' in Client().get(CARD_LEAF).content.decode()  # draft only


@pytest.mark.parametrize("url", [
    VERSIONS, VERSIONS + "publier/", VERSIONS + "comparer/", VERSIONS + "exporter/",
    VERSIONS + "1/retablir/", VERSIONS + "importer/",
])
def test_agents_and_visitors_cannot_reach_versions(client, agent_client, seed_tree, url):
    assert agent_client.get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_an_agent_cannot_publish(agent_client, seed_tree):
    change_card_phone()
    assert agent_client.post(VERSIONS + "publier/", {"note": "x"}).status_code == 403
    assert ContentVersion.objects.count() == 1


def test_versions_are_never_edited_or_deleted(admin_user_client, seed_tree):
    version = ContentVersion.objects.get()
    assert admin_user_client.get(VERSIONS + "add/").status_code == 403
    assert admin_user_client.get(f"{VERSIONS}{version.pk}/delete/").status_code == 403
