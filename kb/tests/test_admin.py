import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import Client

from kb.models import Step, SupportLine
from kb.tests.factories import make_outcome

CARD_OUTCOMES = [
    "/parcours/methode-a/methode-a-erreur/probleme-carte/",
    "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-coordonnees/",
]


def line_form(line, **changes):
    data = {k: v for k, v in model_to_dict(line).items() if v is not None}
    data["verified_on"] = line.verified_on.isoformat()
    return {**data, **changes}


def test_an_editor_fixes_a_phone_number_once_for_every_outcome_when_published(
        admin_user_client, seed_tree):
    visitor = Client()
    line = SupportLine.objects.get(slug="ans-support-cartes")
    response = admin_user_client.post(
        f"/admin/kb/supportline/{line.pk}/change/",
        line_form(line, phone="01 02 03 04 05", verified_on="2026-11-20")
    )
    assert response.status_code == 302
    for url in CARD_OUTCOMES:  # saved in the draft: visitors still see the published number
        assert 'href="tel:0825852000"' in visitor.get(url).content.decode()
    response = admin_user_client.post("/admin/kb/contentversion/publier/",
                                      {"note": "Numéro", "action": "tout"})
    assert response.status_code == 302
    for url in CARD_OUTCOMES:
        html = visitor.get(url).content.decode()
        assert 'href="tel:0102030405"' in html
        assert "0 825 85 20 00" not in html


def test_a_wrong_phone_number_gets_a_french_message_and_keeps_the_rest(admin_user_client,
                                                                        seed_tree):
    line = SupportLine.objects.get(slug="ans-support-cartes")
    response = admin_user_client.post(
        f"/admin/kb/supportline/{line.pk}/change/",
        line_form(line, phone="08 25 ABC", covers="Texte modifié"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez un numéro français à 10 chiffres" in html
    assert "Texte modifié" in html
    assert SupportLine.objects.get(pk=line.pk).phone == "0 825 85 20 00"


def test_the_admin_pages_of_the_tree_open(admin_user_client, seed_tree):
    step = Step.objects.get(slug="methode-a")
    for url in ["/admin/", "/admin/kb/step/", f"/admin/kb/step/{step.pk}/change/",
                "/admin/kb/supportline/", "/admin/kb/step/add/"]:
        assert admin_user_client.get(url).status_code == 200, url


def test_the_admin_previews_a_step_at_its_wizard_address(admin_user_client, seed_tree):
    step = Step.objects.get(slug="probleme-carte")
    html = admin_user_client.get(f"/admin/kb/step/{step.pk}/change/").content.decode()
    assert "/apercu/?suivant=%2Fparcours%2Fmethode-a%2Fmethode-a-erreur%2Fprobleme-carte%2F" in html


def test_the_step_list_warns_editors_about_a_broken_tree(admin_user_client, seed_tree):
    make_outcome("orpheline")
    html = admin_user_client.get("/admin/kb/step/").content.decode()
    assert "L&#x27;issue « Issue orpheline » n&#x27;est atteinte par aucun chemin" in html


@pytest.mark.parametrize(("fields", "error_field"), [
    ({"kind": Step.Kind.QUESTION, "question": ""}, "question"),
    ({"kind": Step.Kind.OUTCOME, "title": "", "outcome_type": "success"}, "title"),
    ({"kind": Step.Kind.OUTCOME, "title": "Mise à jour", "outcome_type": "external_action"},
     "action_url"),
    ({"kind": Step.Kind.OUTCOME, "title": "Fin", "outcome_type": "success", "is_start": True},
     "is_start"),
])
def test_steps_are_validated_in_french(db, fields, error_field):
    step = Step(slug="etape", **fields)
    with pytest.raises(ValidationError) as error:
        step.full_clean()
    assert error_field in error.value.message_dict


def test_the_admin_pages_of_the_knowledge_base_open(admin_user_client, seed_tree):
    from kb.models import Feedback, KnownProblem, Tutorial

    tutorial = Tutorial.objects.get(slug="activer-e-cps-avec-carte")
    Feedback.objects.create(page="/tutoriels/activer-e-cps-avec-carte/", visitor="x" * 64,
                            helpful=False, comment="Étape 4 pas claire.")
    for url in ["/admin/kb/tutorial/", f"/admin/kb/tutorial/{tutorial.pk}/change/",
                "/admin/kb/tutorial/add/", "/admin/kb/knownproblem/",
                f"/admin/kb/knownproblem/{KnownProblem.objects.first().pk}/change/",
                "/admin/kb/glossaryterm/", "/admin/kb/feedback/"]:
        response = admin_user_client.get(url)
        assert response.status_code == 200, url
    assert "Étape 4 pas claire." in admin_user_client.get("/admin/kb/feedback/").content.decode()


def test_a_new_phone_number_asks_to_confirm_the_verification_date(admin_user_client, seed_tree):
    line = SupportLine.objects.get(slug="ans-support-cartes")
    url = f"/admin/kb/supportline/{line.pk}/change/"
    response = admin_user_client.post(url, line_form(line, phone="01 02 03 04 05"))
    assert response.status_code == 200  # the form again, with what was typed
    html = response.content.decode()
    assert "indiquez la date à laquelle vous l&#x27;avez vérifié" in html
    assert 'value="01 02 03 04 05"' in html
    line.refresh_from_db()
    assert line.phone != "01 02 03 04 05"
    response = admin_user_client.post(url, line_form(line, phone="01 02 03 04 05",
                                                     keep_verified_on="on"))
    assert response.status_code == 302  # a typo fixed: the date stays, on purpose
    line.refresh_from_db()
    response = admin_user_client.post(url, line_form(line, covers="Autre texte"))
    assert response.status_code == 302  # nothing about the contact: nothing to confirm
