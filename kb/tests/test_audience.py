"""Content knows who it is for: method B needs an RPPS number, method A a card, and
publication refuses a page that offers either to readers who cannot use it (kb.audience)."""

import pytest

from kb.audience import Audience, unconditioned_offers
from kb.document import draft_document
from kb.models import KnownProblem, Step, Tutorial, TutorialStep
from kb.services import PublishRefused, publish_content
from kb.validation import problems


def refusals() -> list[str]:
    with pytest.raises(PublishRefused) as refused:
        publish_content()
    return [str(problem) for problem in refused.value.problems]


def test_the_reference_content_offers_nothing_to_the_wrong_audience(seed_tree):
    assert problems(draft_document()) == []


def test_method_b_offered_in_the_card_tutorial_without_its_condition_is_refused(seed_tree):
    """The defect found in the method A tutorial, step 2, which ADELI professionals follow."""
    step = TutorialStep.objects.get(tutorial__slug="activer-e-cps-avec-carte",
                                    title="Connectez-vous avec votre carte")
    step.warning = ("Si la carte n'est pas lue, demandez le logiciel à votre service "
                    "informatique, ou activez votre e-CPS sans carte (méthode B).")
    step.save()
    messages = refusals()
    assert any(m.startswith("Le tutoriel « Activer sa e-CPS avec sa carte CPx (méthode A) », "
                            "pour « Avec une carte CPx (méthode A) », propose la méthode B sans "
                            "dire qu'elle demande un numéro RPPS") for m in messages), messages
    step.warning = step.warning.replace("ou activez", "ou, avec un numéro RPPS, activez")
    step.save()
    publish_content()


def test_a_solution_offering_method_b_on_the_no_rpps_outcome_is_refused(seed_tree):
    """« PIN bloqué » is listed on « Sans numéro RPPS … »: even with its condition, method B
    is for none of that page's readers."""
    problem = KnownProblem.objects.get(slug="code-pin-bloque")
    problem.fix += (" Avec une carte CPS et un numéro RPPS, vous pouvez aussi activer votre "
                    "e-CPS sans carte (méthode B).")
    problem.save()
    messages = refusals()
    assert any("liste le problème connu « Code PIN de la carte bloqué ou oublié », dont la "
               "solution propose une méthode qu'aucun de ses lecteurs ne peut utiliser" in m
               for m in messages), messages


def test_a_page_offering_a_tutorial_part_of_its_readers_cannot_follow_is_refused(seed_tree):
    step = Step.objects.get(slug="methode-b")
    step.tutorial = Tutorial.objects.get(slug="activer-e-cps-avec-carte")
    step.save()
    messages = refusals()
    assert any("pour « Enregistrés au RPPS (méthode B) », propose le tutoriel « Activer sa "
               "e-CPS avec sa carte CPx (méthode A) »" in m for m in messages), messages


def test_a_known_problem_for_none_of_a_page_s_readers_is_refused(seed_tree):
    step = Step.objects.get(slug="methode-a-obligatoire")
    step.known_problems.add(KnownProblem.objects.get(slug="rpps-plus-sans-carte"))
    messages = refusals()
    assert any("il ne concerne aucun de ses lecteurs" in m for m in messages), messages


def test_a_known_problem_s_tutorial_is_for_all_its_readers(seed_tree):
    problem = KnownProblem.objects.get(slug="code-pin-bloque")
    problem.tutorial = Tutorial.objects.get(slug="activer-e-cps-avec-coordonnees")
    problem.save()
    messages = refusals()
    assert any(m.startswith("Le problème connu « Code PIN de la carte bloqué ou oublié », pour "
                            "« Avec une carte CPx (méthode A) », propose le tutoriel « Activer "
                            "sa e-CPS sans carte") for m in messages), messages


@pytest.mark.parametrize(("text", "audience", "offers"), [
    ("Activez votre e-CPS sans carte (méthode B).", Audience.EVERYONE, ["B"]),
    ("Activez votre e-CPS sans carte (méthode B).", Audience.RPPS, []),
    ("Avec un numéro RPPS, activez-la sans carte (méthode B).", Audience.CARD, []),
    ("Votre e-CPS activée (méthode A ou B).", Audience.EVERYONE, []),
    ("Avec la méthode A, sur l'ordinateur ; avec la méthode B, sur le téléphone.",
     Audience.EVERYONE, []),
    ("Suivez la méthode A.", Audience.NO_CARD, ["A"]),
    ("Suivez la méthode A, avec votre carte.", Audience.EVERYONE, []),
])
def test_what_counts_as_an_offer(text, audience, offers):
    assert [method for method, _line in unconditioned_offers(text, audience)] == offers


def test_editors_choose_who_a_page_is_for(admin_client, seed_tree):
    step = Step.objects.get(slug="methode-b")
    html = admin_client.get(f"/admin/kb/step/{step.pk}/change/").content.decode()
    assert 'name="audience"' in html and "Enregistrés au RPPS (méthode B)" in html
    problem = KnownProblem.objects.get(slug="code-pin-bloque")
    html = admin_client.get(f"/admin/kb/knownproblem/{problem.pk}/change/").content.decode()
    assert 'name="audience"' in html
