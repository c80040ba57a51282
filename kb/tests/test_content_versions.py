"""Versions: revert restores exactly, export/import round-trips byte for byte, the reference
content never overwrites editors, and visitors mid-walk survive a publish."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kb.diff import diff_documents
from kb.document import DocumentError, draft_document, to_json
from kb.models import Answer, ContentVersion, Step, SupportLine, Tutorial
from kb.services import REFERENCE_CONTENT, import_content, revert_content
from kb.tests.factories import publish

CARD_LEAF = "/parcours/methode-a/methode-a-erreur/probleme-carte/"


def set_card_phone(phone: str) -> None:
    line = SupportLine.objects.get(slug="ans-support-cartes")
    line.phone = phone
    line.save()


def test_the_reference_content_is_published_as_version_1(seed_tree):
    version = ContentVersion.objects.get()
    assert version.number == 1
    assert version.document == REFERENCE_CONTENT.read_text(encoding="utf-8")


def test_load_content_on_a_database_with_content_changes_nothing(seed_tree):
    set_card_phone("01 02 03 04 05")  # an editor's draft change
    publish()
    before = list(ContentVersion.objects.values_list("number", "checksum"))
    draft_before = to_json(draft_document())
    call_command("load_content", verbosity=0)
    assert list(ContentVersion.objects.values_list("number", "checksum")) == before
    assert to_json(draft_document()) == draft_before
    assert 'href="tel:0102030405"' in Client().get(CARD_LEAF).content.decode()


def test_reloading_the_reference_on_purpose_is_a_new_version_that_can_be_reverted(seed_tree):
    set_card_phone("01 02 03 04 05")
    publish()
    call_command("load_content", "--remplacer", verbosity=0)
    assert ContentVersion.objects.first().number == 3
    assert 'href="tel:0825852000"' in Client().get(CARD_LEAF).content.decode()
    call_command("revert_content", "2", verbosity=0)
    assert 'href="tel:0102030405"' in Client().get(CARD_LEAF).content.decode()


def test_revert_restores_exactly_the_earlier_content_and_resets_the_draft(seed_tree):
    first = ContentVersion.objects.get(number=1)
    set_card_phone("01 02 03 04 05")
    Step.objects.filter(slug="ecps-activee").update(title="Tout fonctionne")
    publish()
    set_card_phone("01 99 99 99 99")  # an unpublished draft change, dropped by the revert
    version = revert_content(number=1, note="Erreur de saisie")
    assert (version.number, version.reverted_to, version.note) == (3, 1, "Erreur de saisie")
    assert version.document == first.document and version.checksum == first.checksum
    assert to_json(draft_document()) == first.document
    html = Client().get(CARD_LEAF).content.decode()
    assert 'href="tel:0825852000"' in html and "0102030405" not in html


def test_revert_of_an_unknown_version_is_refused_in_french(seed_tree):
    with pytest.raises(CommandError, match="La version 42 n'existe pas"):
        call_command("revert_content", "42")


def test_export_import_publish_export_is_byte_identical(seed_tree, tmp_path):
    first, second = tmp_path / "un.json", tmp_path / "deux.json"
    call_command("export_content", str(first), verbosity=0)  # version 1
    set_card_phone("01 02 03 04 05")
    publish()  # version 2 differs, so importing version 1 is a real change
    call_command("import_content", str(first), verbosity=0)
    call_command("publish_content", "--note", "aller-retour", verbosity=0)  # version 3
    call_command("export_content", str(second), verbosity=0)
    assert ContentVersion.objects.first().number == 3
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == REFERENCE_CONTENT.read_bytes()


@pytest.mark.parametrize(("mangle", "message"), [
    (lambda text: text[:-20], "n'est pas du JSON valide (ligne"),
    (lambda text: text.replace('"format": "assistance-ecps/contenu"', '"format": "autre"'),
     "n'est pas un export de contenu"),
    (lambda text: text.replace('"next_step": "methode-a-erreur"', '"next_step": "disparue"'),
     "renvoie vers l'étape « disparue », qui n'existe pas"),
    (lambda text: text.replace('"phone": "0 825 85 20 00"', '"phone": 825'),
     "support_lines[1].phone : un texte est attendu."),
    (lambda text: text.replace('"phone": "0 825 85 20 00"', '"phone": "0 825 85 20 00 00 00 00"'),
     "support_lines[1] (« ans-support-cartes ») : La ligne « Support des cartes CPx » : le numéro"),
    (lambda text: text.replace('"is_start": false', '"is_start": true', 1),
     "une seule étape peut être la première du parcours"),
])
def test_a_bad_file_is_refused_with_its_place_and_changes_nothing(seed_tree, tmp_path, mangle,
                                                                  message):
    before = to_json(draft_document())
    bad = tmp_path / "mauvais.json"
    bad.write_text(mangle(REFERENCE_CONTENT.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_content", str(bad))
    assert message in str(error.value)
    assert "le brouillon est inchangé" in str(error.value)
    assert to_json(draft_document()) == before


def test_an_import_keeps_tickets_linked_to_their_support_lines(seed_tree):
    line_ids = dict(SupportLine.objects.values_list("slug", "pk"))
    import_content(text=REFERENCE_CONTENT.read_text(encoding="utf-8"))
    assert dict(SupportLine.objects.values_list("slug", "pk")) == line_ids


def test_a_publish_during_a_walk_keeps_the_next_click_working(seed_tree):
    """A visitor has the method A error question on screen; an editor inserts a question
    between « méthode A » and it, and removes the card leaf's old place. Each link the
    visitor's page holds still leads somewhere useful."""
    visitor = Client()
    page = visitor.get("/parcours/methode-a/methode-a-erreur/").content.decode()
    assert 'href="/parcours/methode-a/methode-a-erreur/probleme-carte/"' in page
    erreur = Step.objects.get(slug="methode-a-erreur")
    where = Step.objects.create(slug="erreur-ou", kind=Step.Kind.QUESTION,
                                question="Où l'erreur apparaît-elle ?")
    Answer.objects.filter(question__slug="methode-a", next_step=erreur).update(next_step=where)
    Answer.objects.create(question=where, label="Sur l'ordinateur", next_step=erreur)
    Answer.objects.create(question=where, label="Sur le téléphone",
                          next_step=Step.objects.get(slug="probleme-application"))
    publish()
    response = visitor.get("/parcours/methode-a/methode-a-erreur/probleme-carte/")
    assert response.status_code == 302
    # The same step, shown as reached directly: no answer to the new question is claimed.
    assert response["Location"] == "/parcours/etape/probleme-carte/"
    assert visitor.get(response["Location"]).status_code == 200
    # The step itself deleted: the visitor lands on its nearest surviving parent.
    Answer.objects.filter(next_step__slug="probleme-carte").delete()
    Step.objects.filter(slug="probleme-carte").delete()
    Answer.objects.create(question=erreur, label="Autre", next_step=Step.objects.get(
        slug="ecps-activee"))
    publish()
    response = visitor.get("/parcours/methode-a/methode-a-erreur/probleme-carte/")
    assert response["Location"] == "/parcours/etape/methode-a-erreur/"


def test_a_vanished_tutorial_gives_a_helpful_page(seed_tree):
    Tutorial.objects.filter(slug="installer-application").update(slug="installer-l-application")
    publish()
    response = Client().get("/tutoriels/installer-application/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Ce tutoriel n&#x27;existe pas ou plus" in html
    assert 'href="/parcours/"' in html and 'href="/tutoriels/"' in html
    assert 'href="tel:0825852000"' in html


def test_the_diff_says_field_by_field_what_changed_in_french(seed_tree):
    set_card_phone("0 825 85 20 01")
    publish()
    old, new = (json.loads(v.document) for v in ContentVersion.objects.order_by("number"))
    assert [str(change) for change in diff_documents(old, new)] == [
        "Ligne « Support des cartes CPx » : téléphone 0 825 85 20 00 → 0 825 85 20 01"
    ]


def test_the_diff_names_added_removed_and_reordered_things(seed_tree):
    old = json.loads(ContentVersion.objects.get().document)
    Tutorial.objects.get(slug="installer-application").steps.filter(position=0).delete()
    Step.objects.get(slug="methode-a-erreur").answers.first().delete()
    SupportLine.objects.filter(slug="fimatho").update(name="Équipe FIMATHO")
    changes = [str(change) for change in diff_documents(old, draft_document())]
    assert "Ligne « Équipe FIMATHO » : nom Équipe fimatho → Équipe FIMATHO" in changes
    assert any(c.startswith("Étape « Quel problème rencontrez-vous ? » : réponses « ")
               for c in changes)
    assert any("Tutoriel « Installer et régler l'application e-CPS », étape" in c
               for c in changes)


def test_an_import_error_never_half_applies(seed_tree):
    document = json.loads(REFERENCE_CONTENT.read_text(encoding="utf-8"))
    document["support_lines"][0]["opening_hours"] = "Du lundi au vendredi"  # applied first…
    document["tutorials"][0]["steps"][0]["where"] = "tablette"  # …then an invalid choice
    with pytest.raises(DocumentError, match=r"tutorials\[0\]\.steps\[0\]"):
        import_content(text=json.dumps(document))
    assert SupportLine.objects.get(slug=document["support_lines"][0]["slug"]).opening_hours == ""
