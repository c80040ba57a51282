"""An admin made for editors: each step's form fits its kind, and every support line,
tutorial and known problem says where it is used."""

from html import unescape

import pytest

from kb.models import KnownProblem, Step, SupportLine, Tutorial


@pytest.fixture
def editor_client(client, editor, seed_tree):
    client.force_login(editor)
    return client


def page(client, obj) -> str:
    url = f"/admin/kb/{obj._meta.model_name}/{obj.pk}/change/"
    return unescape(client.get(url).content.decode())


def test_a_question_shows_question_fields_and_an_outcome_outcome_fields(editor_client):
    question = page(editor_client, Step.objects.get(slug="methode-a"))
    assert 'name="question"' in question and 'name="answers-TOTAL_FORMS"' in question
    assert 'name="outcome_type"' not in question and 'name="support_lines"' not in question
    outcome = page(editor_client, Step.objects.get(slug="probleme-carte"))
    assert 'name="outcome_type"' in outcome and 'name="support_lines"' in outcome
    assert 'name="question"' not in outcome and "answers-TOTAL_FORMS" not in outcome
    new = unescape(editor_client.get("/admin/kb/step/add/").content.decode())
    assert 'name="question"' in new and 'name="outcome_type"' in new


def test_a_saved_outcome_keeps_its_kind_and_slug(editor_client):
    step = Step.objects.get(slug="probleme-carte")
    html = page(editor_client, step)
    assert 'name="kind"' not in html and 'name="slug"' in html


def test_every_shared_object_says_where_it_is_used(editor_client):
    cards = SupportLine.objects.get(slug="ans-support-cartes")
    html = page(editor_client, cards)
    assert "Issues du parcours" in html
    for step in cards.outcomes.all():
        assert f'<a href="/admin/kb/step/{step.pk}/change/">{step.heading}</a>' in html
    tutorial = Tutorial.objects.get(slug="activer-e-cps-avec-coordonnees")
    html = page(editor_client, tutorial)
    users = Step.objects.filter(tutorial=tutorial)
    assert users and all(f"/admin/kb/step/{s.pk}/change/" in html for s in users)
    problem = KnownProblem.objects.filter(outcomes__isnull=False).first()
    html = page(editor_client, problem)
    assert all(f"/admin/kb/step/{s.pk}/change/" in html for s in problem.outcomes.all())
    lonely = SupportLine.objects.create(slug="nouvelle", name="Nouvelle ligne",
                                        organisation="ARS", phone="03 20 00 00 00",
                                        verified_on="2026-11-01")
    assert "Nulle part : rien ne renvoie ici." in page(editor_client, lonely)
    step = Step.objects.get(slug="methode-a-erreur")
    assert "Réponses qui y mènent" in page(editor_client, step)


def test_markdown_fields_show_their_rendering_and_plain_fields_say_so(editor_client):
    problem = KnownProblem.objects.exclude(fix="").first()
    html = page(editor_client, problem)
    assert 'class="markdown-preview"' in html and "data-markdown-preview" in html
    assert "Texte simple" in html  # the cause is plain text
    tutorial = Tutorial.objects.get(slug="activer-e-cps-avec-coordonnees")
    html = page(editor_client, tutorial)
    # Each step: its title and where it happens in view, its text in a collapsible part.
    assert html.count('name="steps-0-where"') == 1
    assert "<details" in html and "Texte, images et avertissement" in html


def test_the_markdown_preview_renders_and_sanitises_without_saving(editor_client, agent,
                                                                   client):
    response = editor_client.post("/admin/kb/contentversion/apercu-markdown/", {
        "texte": "**Important** : [site](https://esante.gouv.fr)\n\n<script>x()</script>"})
    html = response.content.decode()
    assert "<strong>Important</strong>" in html and "<script>" not in html
    assert editor_client.get("/admin/kb/contentversion/apercu-markdown/").status_code == 405
    client.force_login(agent)
    assert client.post("/admin/kb/contentversion/apercu-markdown/",
                       {"texte": "x"}).status_code == 403
