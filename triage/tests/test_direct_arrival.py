"""The trail never claims an answer the visitor did not give. A step reached without answering
(a search result, a tutorial, the overview, a bookmark, an agent's link) is shown as such,
has one stable address, and what a help request or a pre-filled e-mail attaches is exactly
the answers clicked."""

from collections import Counter
from html import unescape
from urllib.parse import unquote

from kb.snapshot import published
from kb.tests.factories import as_typed
from triage.models import Ticket
from triage.tests.factories import VALID_FORM

METHOD_B_WALK = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/"


def shared_steps() -> list[str]:
    """The steps of the reference tree reached by two answers or more."""
    content = published.get()
    incoming = Counter(answer.next_step.slug for step in content.steps.values()
                       for answer in step.answers)
    return [slug for slug, count in incoming.items() if count >= 2]


def text(response) -> str:
    return as_typed(unescape(response.content.decode())).replace("\u00a0", " ").replace(
        "\u202f", " ")


def test_every_shared_step_has_a_direct_address_that_claims_no_answer(client, seed_tree):
    content = published.get()
    shared = shared_steps()
    assert {"ecps-activee", "probleme-application"} <= set(shared)
    every_answer = {answer.label for step in content.steps.values() for answer in step.answers}
    for slug in shared:
        step = content.steps[slug]
        assert step.direct_url == f"/parcours/etape/{slug}/"
        html = text(client.get(step.direct_url))
        assert "Vous êtes arrivé directement sur cette étape" in html
        assert "Vos réponses" not in html
        # No answer of the tree is shown as given (the step's own answers are choices).
        given = every_answer - {answer.label for answer in step.answers}
        for label in given:
            assert f"<strong>{label}</strong>" not in html, (slug, label)


def test_answers_clicked_after_a_direct_arrival_are_the_only_ones_listed(client, seed_tree):
    html = text(client.get("/parcours/etape/methode-b-probleme/methode-b-erreur/"))
    assert "Arrivé directement sur « Que se passe-t-il ? »" in html
    assert "Que se passe-t-il ? <strong>Je rencontre une erreur</strong>" in html
    assert "Oui, j'ai une carte CPx" not in html and "Non, je n'ai pas de carte" not in html


def test_a_direct_link_from_search_keeps_its_origin_into_the_help_request(client, seed_tree):
    direct = "/parcours/etape/probleme-application/?via=recherche"
    html = text(client.get(direct))
    assert 'href="/aide/?depuis=/parcours/etape/probleme-application/%3Fvia%3Drecherche"' in html
    help_page = text(client.get("/aide/", {"depuis": direct}))
    assert "Arrivé directement sur l'étape « Problème avec l'application e-CPS" in help_page
    assert "Oui, j'ai une carte CPx" not in help_page
    client.post("/aide/", {**VALID_FORM, "depuis": direct})
    ticket = Ticket.objects.get()
    assert ticket.trail == [{
        "question": "Arrivé directement sur l'étape « Problème avec l'application e-CPS : "
                    "contactez le support e-CPS » (depuis la recherche), sans répondre aux "
                    "questions précédentes", "answer": ""}]
    assert ticket.wizard_url == "/parcours/etape/probleme-application/"


def test_a_walk_through_method_b_attaches_exactly_the_answers_clicked(client, seed_tree):
    client.post("/aide/", {**VALID_FORM, "depuis": METHOD_B_WALK})
    assert Ticket.objects.get().trail == [
        {"question": "Avez-vous une carte CPx ?", "answer": "Non, je n'ai pas de carte"},
        {"question": "Votre e-CPS est-elle activée ?", "answer": "Non, elle n'est pas activée"},
        {"question": "Que se passe-t-il ?", "answer": "Je rencontre une erreur"},
        {"question": "Quel problème rencontrez-vous ?",
         "answer": "J'ai un problème avec l'application e-CPS"},
    ]


def test_the_pre_filled_e_mail_of_a_direct_step_invents_no_answer(client, seed_tree):
    html = client.get("/parcours/etape/probleme-application/?via=tutoriel").content.decode()
    mailto = unquote(next(part for part in html.split('"') if part.startswith("mailto:")))
    assert "Arrivé directement sur l'étape" in mailto and "depuis un tutoriel" in mailto
    assert "Oui, j'ai une carte CPx" not in mailto and "Non, je n'ai pas de carte" not in mailto


def test_an_unknown_origin_or_step_is_never_trusted(client, seed_tree):
    html = client.get("/parcours/etape/probleme-application/?via=<script>").content.decode()
    assert "via=<script>" not in html and "%3Cscript" not in html  # dropped, not echoed
    assert client.get("/parcours/etape/inexistante/").status_code == 404
    assert client.get("/parcours/etape/a%20b/").status_code == 404


def test_a_team_door_has_the_same_direct_addresses(client, seed_tree):
    from django.core.management import call_command

    call_command("load_teams", verbosity=0)
    html = text(client.get("/hdf/parcours/etape/ecps-activee/"))
    assert "Vous êtes arrivé directement sur cette étape" in html
    assert "03 62 94 39 82" in html  # the team's addition is still there
