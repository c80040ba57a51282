from kb.models import Answer, Step
from kb.snapshot import MAX_DEPTH
from kb.tests.factories import as_typed, publish

METHOD_B_ERROR = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/"


def test_the_home_page_says_what_it_does_and_asks_the_first_question(client, seed_tree):
    html = client.get("/").content.decode()
    assert "nous vous indiquons la démarche à suivre ou le service à contacter" in html
    assert 'href="/parcours/methode-a/"' in html
    assert 'href="/parcours/methode-b/"' in html


def test_the_home_page_survives_an_empty_database(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "pas encore disponible" in response.content.decode()


def test_an_htmx_request_gets_only_the_step(client, seed_tree):
    response = client.get(METHOD_B_ERROR, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "<title>Quel problème rencontrez-vous\u00a0? — Assistance e-CPS</title>" in html
    assert 'id="step-heading"' in html
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(client, seed_tree):
    response = client.get(
        METHOD_B_ERROR, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_every_answer_and_trail_link_is_a_real_link(client, seed_tree):
    html = client.get(METHOD_B_ERROR).content.decode()
    for href in ["/parcours/", "/parcours/methode-b/", "/parcours/methode-b/methode-b-probleme/",
                 METHOD_B_ERROR + "probleme-coordonnees/",
                 METHOD_B_ERROR + "probleme-application/"]:
        assert f'href="{href}" hx-get="{href}"' in html


def test_the_trail_lists_each_answer_with_a_link_to_change_it(client, seed_tree):
    html = client.get(METHOD_B_ERROR).content.decode()
    assert "Avez-vous une carte CPx\u00a0? <strong>Non, je n&#x27;ai pas de carte</strong>" in html
    assert "Que se passe-t-il\u00a0? <strong>Je rencontre une erreur</strong>" in html
    assert html.count("Modifier<span") == 3
    assert "Recommencer depuis le début" in html


def test_an_unknown_step_is_a_french_404(client, seed_tree):
    response = client.get("/parcours/n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Cette étape du parcours n&#x27;existe plus" in html
    assert 'href="/parcours/"' in html and 'href="tel:0806800213"' in html


def test_malformed_or_huge_paths_are_404_not_500(client, seed_tree):
    assert client.get("/parcours/methode-a/%00/").status_code == 400  # a NUL byte
    assert client.get("/parcours/m%C3%A9thode/").status_code == 404
    assert client.get("/parcours/" + "methode-a/" * (MAX_DEPTH + 1)).status_code == 404


def test_a_skipped_step_opens_as_reached_directly_without_made_up_answers(client, seed_tree):
    response = client.get("/parcours/probleme-carte/")
    assert response.status_code == 302
    assert response["Location"] == "/parcours/etape/probleme-carte/"
    html = client.get(response["Location"]).content.decode()
    assert "Vous êtes arrivé directement sur cette étape" in html
    assert "Oui, j&#x27;ai une carte CPx" not in html and "Vos réponses" not in html


def test_an_old_link_still_works_after_the_tree_is_reshaped(client, seed_tree):
    """An editor inserts a question: links sent before that still reach the same step."""
    erreur = Step.objects.get(slug="methode-a-erreur")
    new_question = Step.objects.create(
        slug="erreur-ou", kind=Step.Kind.QUESTION, question="Où l'erreur apparaît-elle ?"
    )
    Answer.objects.filter(question__slug="methode-a", next_step=erreur).update(
        next_step=new_question
    )
    Answer.objects.create(question=new_question, label="Sur l'ordinateur", next_step=erreur)
    Answer.objects.create(question=new_question, label="Sur le téléphone",
                          next_step=Step.objects.get(slug="ecps-activee"))
    publish()
    response = client.get("/parcours/methode-a/methode-a-erreur/probleme-carte/")
    # The same step, without claiming an answer to the new question nobody was asked.
    assert response["Location"] == "/parcours/etape/probleme-carte/"
    assert client.get(response["Location"]).status_code == 200


def test_editor_markup_in_a_step_body_is_inert(client, seed_tree):
    step = Step.objects.get(slug="methode-a")
    step.body = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> '
                 "[lien](javascript:alert(3)) **gras**")
    step.save()
    publish()
    html = client.get("/parcours/methode-a/").content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<strong>gras</strong>" in html


def test_a_method_page_explains_how_before_asking_whether_it_worked(client, seed_tree):
    """Someone who has not tried yet reads the method before « Votre e-CPS est-elle
    activée ? » (whose « Non » leads to the errors); someone coming back jumps to it."""
    html = client.get("/parcours/methode-b/").content.decode()
    jump = html.index('href="#step-question"')
    how = html.index("Comment faire")
    question = html.index('id="step-question"')
    first_answer = html.index('class="btn btn-answer"')
    assert jump < how < question < first_answer
    # A plain question keeps its answers first.
    html = client.get("/parcours/").content.decode()
    assert 'href="#step-question"' not in html
    assert html.index('class="btn btn-answer"') < html.index("désigne les cartes professionnelles")


def test_the_activation_e_mail_that_never_arrives_has_its_own_answer(client, seed_tree):
    html = client.get("/parcours/methode-b/methode-b-probleme/").content.decode()
    assert "L&#x27;e-mail d&#x27;activation n&#x27;arrive pas" in html
    outcome = client.get("/parcours/methode-b/methode-b-probleme/mail-activation-non-recu/")
    text = outcome.content.decode()
    assert "courrier indésirable" in text and 'href="tel:0806800213"' in text
    # The coordonnées outcome links to it instead of « revenez à la question précédente ».
    details = client.get(
        "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-coordonnees/")
    assert 'href="/parcours/etape/mail-activation-non-recu/"' in details.content.decode()
    assert "Revenez à la question précédente" not in details.content.decode()


def test_on_an_outcome_the_line_is_one_tap_from_the_first_screen(client, seed_tree):
    html = as_typed(client.get("/parcours/methode-a/methode-a-erreur/probleme-application/"
                               ).content.decode())
    jump = html.index('href="#sans-solution"')
    assert jump < html.index('id="solutions"') < html.index('id="sans-solution"')
    assert "Contactez directement\u00a0: Support de l&#x27;application e-CPS" in html
