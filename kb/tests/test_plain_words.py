"""An editor's day in plain words: things named by their titles, never their slugs; saving
says where it went; no technical detail on the first screen; the steps in the tree's order;
the « étape suivante » chooser ranks by the words typed; deleting a step is away from
removing an answer."""

import re
from html import unescape

import pytest
from django.test import Client

from kb.models import Answer, ContentVersion, GlossaryTerm, Step
from kb.services import draft_document, pending_changes, publish_content
from kb.validation import problems

VERSIONS = "/admin/kb/contentversion/"


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def page(client, url) -> str:
    return unescape(client.get(url).content.decode()).replace("\u00a0", " ")


def test_a_loop_is_said_with_the_titles(seed_tree):
    Answer.objects.filter(question__slug="methode-b-probleme",
                          label="Je rencontre une erreur").update(
        next_step=Step.objects.get(slug="methode-b-probleme"))
    messages = [str(problem) for problem in problems(draft_document())]
    assert ("Le parcours tourne en rond : La question « Que se passe-t-il ? » mène à "
            "elle-même par « Je rencontre une erreur ».") in messages


def test_no_message_about_the_tree_names_a_step_by_its_slug(seed_tree):
    slugs = set(Step.objects.values_list("slug", flat=True))
    Answer.objects.filter(question__slug="methode-a-erreur").first().delete()  # 1 answer
    Answer.objects.filter(question__slug="methode-b-probleme",
                          label="Je rencontre une erreur").update(
        next_step=Step.objects.get(slug="methode-b"))  # a loop
    messages = [str(problem) for problem in problems(draft_document())]
    assert len(messages) >= 2
    for message in messages:
        for slug in slugs:
            assert f"({slug})" not in message and f"→ {slug}" not in message, message
    # Two questions worded alike are told apart by the answer that leads to each.
    assert any("La question « Quel problème rencontrez-vous ? » (après « Non, je rencontre "
               "une erreur » de « Activez votre e-CPS avec votre carte (méthode A) »)" in m
               for m in messages)


def test_a_changed_answer_is_shown_with_the_title_it_leads_to(seed_tree):
    question = Step.objects.create(slug="mail-non-recu", kind="question",
                                   question="L'e-mail est-il arrivé ?")
    Answer.objects.create(question=Step.objects.get(slug="methode-b-probleme"), position=9,
                          label="Je n'ai pas reçu l'e-mail", next_step=question)
    [change] = [c for c in pending_changes() if c.key == "etape:methode-b-probleme"]
    [answers] = change.changes
    assert "« Je n'ai pas reçu l'e-mail » → « L'e-mail est-il arrivé ? »" in answers.new
    assert "mail-non-recu" not in answers.new


def test_saving_says_it_went_into_the_draft_with_the_way_to_preview_and_publish(
        seed_tree, editor_client):
    term = GlossaryTerm.objects.get(slug="rpps")
    response = editor_client.post(f"/admin/kb/glossaryterm/{term.pk}/change/", {
        "term": term.term, "slug": term.slug, "expansion": term.expansion,
        "definition": term.definition + " Corrigé."}, follow=True)
    html = unescape(response.content.decode())
    assert f"« {term.term} » : enregistré dans le brouillon. Les visiteurs ne le verront " \
           "qu'après publication." in html
    assert re.search(r'<a href="/apercu/\?suivant=[^"]*">Aperçu</a> · '
                     r'<a href="/admin/kb/contentversion/publier/">Publier</a>', html)
    assert "objet" not in html.split('<ul class="messagelist">')[1].split("</ul>")[0]


def test_a_versions_first_screen_has_no_checksum_and_no_revert_to_itself(seed_tree,
                                                                        editor_client):
    current = ContentVersion.objects.get()
    html = page(editor_client, f"{VERSIONS}{current.pk}/change/")
    assert "C'est la version que voient les visiteurs." in html
    assert "Rétablir" not in html
    before_details = html.split('<details class="technical">')[0]
    assert "SHA-256" not in before_details and current.checksum not in before_details
    GlossaryTerm.objects.filter(slug="rpps").update(definition="Autre définition.")
    publish_content()
    html = page(editor_client, f"{VERSIONS}{current.pk}/change/")  # now an older one
    assert "Rétablir la version 1…" in html


def test_the_steps_are_listed_in_the_trees_order(seed_tree, editor_client):
    html = page(editor_client, "/admin/kb/step/")
    rows = re.findall(r'<th class="field-heading"><a href="[^"]+">([^<]+)</a>', html)
    assert rows[0] == "Avez-vous une carte CPx ?"
    assert rows.index("Activez votre e-CPS avec votre carte (méthode A)") < rows.index(
        "Quel problème rencontrez-vous ?")
    positions = re.findall(r'<td class="field-position">([^<]+)</td>', html)
    assert positions.count("première question du parcours") == 1
    assert positions[0] == "première question du parcours"
    assert "<h1>Étapes du parcours</h1>" in html and "objet" not in html
    assert ">Question<" in html and "Issue : contacter une ligne d'assistance" in html
    for technical in ("is_start", "outcome_type", "Première étape du parcours"):
        assert technical not in html.split("<tbody>")[0]  # the column headers


def test_the_next_step_chooser_ranks_steps_titled_with_the_words_first(seed_tree,
                                                                       editor_client):
    response = editor_client.get("/admin/autocomplete/", {
        "app_label": "kb", "model_name": "answer", "field_name": "next_step",
        "term": "coordonnées"})
    texts = [result["text"] for result in response.json()["results"]]
    titled = [text for text in texts if "coordonnées" in text.split(" — ")[0]]
    assert len(titled) >= 3 and texts[:len(titled)] == titled
    assert all(" — " in text for text in texts)  # each with its place in the tree


def test_deleting_a_step_is_not_next_to_removing_an_answer(seed_tree, editor_client):
    step = Step.objects.get(slug="methode-b-probleme")
    html = page(editor_client, f"/admin/kb/step/{step.pk}/change/")
    tools = html.split('<ul class="object-tools">')[1].split("</ul>")[0]
    assert "Supprimer cette étape…" in tools
    submit_row = html.split('<div class="submit-row">')[-1].split("</div>")[0]
    assert "deletelink" not in submit_row
