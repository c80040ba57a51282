"""Publish what is ready, not everything: an urgent fix goes out alone while an unfinished
change stays in the draft; a selection that does not hold alone is refused with the change it
needs named; a publication can be scheduled and is checked again when it runs."""

import datetime
import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kb.models import Answer, ContentVersion, ScheduledPublication, Step, SupportLine, Tutorial
from kb.services import (
    PublishRefused,
    pending_changes,
    publish_content,
    run_scheduled_publications,
    schedule_publication,
)
from kb.tests.factories import make_outcome, make_question

CARD_LEAF = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
VERSIONS = "/admin/kb/contentversion/"


def new_card_number():
    SupportLine.objects.filter(slug="ans-support-cartes").update(phone="0 825 85 20 01")


def unfinished_tree_edit():
    """A new question under « Que se passe-t-il ? » (method B) with a single answer: the
    publish checks refuse it until it has a second one."""
    parent = Step.objects.get(slug="methode-b-probleme")
    question = make_question("mail-non-recu", question="L'e-mail est-il arrivé ?")
    Answer.objects.create(question=question, next_step=Step.objects.get(slug="ecps-activee"),
                          label="Oui", position=1)
    Answer.objects.create(question=parent, next_step=question, label="Je n'ai pas reçu l'e-mail",
                          position=9)
    return question


def keys():
    return {change.key for change in pending_changes()}


def test_the_draft_is_listed_object_by_object_with_what_stops_each(seed_tree):
    new_card_number()
    unfinished_tree_edit()
    pending = {change.key: change for change in pending_changes()}
    assert set(pending) == {"ligne:ans-support-cartes", "etape:mail-non-recu",
                            "etape:methode-b-probleme"}
    line = pending["ligne:ans-support-cartes"]
    assert (line.subject, line.kind, line.problems) == (
        "Ligne « Support des cartes CPx »", "modification", [])
    assert [(c.field, c.old, c.new) for c in line.changes] == [
        ("téléphone", "0 825 85 20 00", "0 825 85 20 01")]
    assert pending["etape:mail-non-recu"].kind == "ajout"
    assert "1 réponse(s)" in str(pending["etape:mail-non-recu"].problems[0])


def test_an_urgent_fix_is_published_alone_while_a_tree_edit_is_unfinished(seed_tree):
    new_card_number()
    unfinished_tree_edit()
    with pytest.raises(PublishRefused):
        publish_content()  # the whole draft: refused, as before
    call_command("publish_content", "--seulement", "ligne:ans-support-cartes",
                 "--note", "Nouveau numéro", verbosity=0)
    version = ContentVersion.objects.first()
    assert (version.number, version.note) == (2, "Nouveau numéro")
    assert 'href="tel:0825852001"' in Client().get(CARD_LEAF).content.decode()
    published = json.loads(version.document)
    assert "mail-non-recu" not in {step["slug"] for step in published["steps"]}
    # The tree edit is still in the draft, and still waiting.
    assert Step.objects.filter(slug="mail-non-recu").exists()
    assert keys() == {"etape:mail-non-recu", "etape:methode-b-probleme"}
    assert Client().get("/parcours/methode-b/methode-b-probleme/").content.decode().count(
        "pas reçu l") == 0


def test_a_tick_that_needs_its_companion_is_refused_naming_it(seed_tree):
    question = unfinished_tree_edit()
    Answer.objects.create(question=question, label="Non",
                          next_step=make_outcome("renvoyer-le-mail"), position=2)
    # The parent's new answer alone points to a step visitors do not have.
    with pytest.raises(PublishRefused) as refused:
        publish_content(only={"etape:methode-b-probleme"})
    first = str(refused.value.problems[0])
    assert first.startswith("Ce choix ne tient pas seul : cochez aussi ")
    assert "Étape « L'e-mail est-il arrivé ? » (nouveau)" in first
    # The new question alone is reached by nothing visitors have.
    with pytest.raises(PublishRefused) as refused:
        publish_content(only={"etape:mail-non-recu", "etape:renvoyer-le-mail"})
    assert "Étape « Que se passe-t-il ? » (modifié)" in str(refused.value.problems[0])
    assert ContentVersion.objects.count() == 1
    # The three together hold, and nothing else is published with them.
    new_card_number()
    publish_content(only={"etape:methode-b-probleme", "etape:mail-non-recu",
                          "etape:renvoyer-le-mail"})
    assert keys() == {"ligne:ans-support-cartes"}


def test_a_removal_can_be_published_alone_and_refused_while_something_uses_it(seed_tree):
    Tutorial.objects.filter(slug="installer-application").delete()
    with pytest.raises(PublishRefused) as refused:
        publish_content(only={"tutoriel:installer-application"})
    assert "(modifié)" in str(refused.value.problems[0])  # the steps that showed it
    assert ContentVersion.objects.count() == 1


def test_no_tick_or_an_unknown_name_is_refused_in_french(seed_tree):
    new_card_number()
    with pytest.raises(PublishRefused, match="Cochez au moins une modification"):
        publish_content(only=set())
    with pytest.raises(PublishRefused, match="« ligne:inconnue » ne désigne aucune"):
        publish_content(only={"ligne:inconnue"})
    with pytest.raises(CommandError, match="ne désigne aucune modification"):
        call_command("publish_content", "--seulement", "etape:carte-cpx", verbosity=0)


def test_the_command_lists_the_changes_and_their_names(seed_tree, capsys):
    new_card_number()
    unfinished_tree_edit()
    call_command("publish_content", "--liste")
    out = capsys.readouterr().out
    assert "ligne:ans-support-cartes\tLigne « Support des cartes CPx » (modifié)\n" in out
    assert "etape:mail-non-recu\t" in out and "pas prête : " in out
    assert ContentVersion.objects.count() == 1


def test_the_publish_page_publishes_the_ticked_change_and_keeps_the_rest(seed_tree,
                                                                         editor):
    new_card_number()
    unfinished_tree_edit()
    client = Client()
    client.force_login(editor)
    html = client.get(VERSIONS + "publier/").content.decode()
    assert "3 modifications en attente" in html
    assert 'value="ligne:ans-support-cartes"' in html and "Pas prête :" in html
    assert ">Tout publier</button>" not in html  # the draft as a whole would be refused
    response = client.post(VERSIONS + "publier/", {
        "modifications": ["ligne:ans-support-cartes"], "note": "Numéro", "action": "publier"})
    assert response.status_code == 302
    assert ContentVersion.objects.first().number == 2
    html = client.get(VERSIONS + "publier/").content.decode()
    assert "2 modifications en attente" in html
    assert 'value="ligne:ans-support-cartes"' not in html


def in_an_hour():
    return timezone.now() + datetime.timedelta(hours=1)


def test_a_scheduled_publication_runs_when_due_with_the_changes_as_they_were(seed_tree,
                                                                            editor):
    new_card_number()
    scheduled = schedule_publication(keys={"ligne:ans-support-cartes"}, run_at=in_an_hour(),
                                     user=editor, note="Nouveau numéro au 1er janvier")
    SupportLine.objects.filter(slug="ans-support-cartes").update(phone="0 825 85 20 09")
    assert run_scheduled_publications() == []  # not due yet
    assert ContentVersion.objects.count() == 1
    [done] = run_scheduled_publications(now=in_an_hour() + datetime.timedelta(minutes=1))
    assert done.pk == scheduled.pk and done.status == "published"
    version = ContentVersion.objects.first()
    assert (version.number, version.published_by, version.note) == (
        2, "eddie", "Nouveau numéro au 1er janvier")
    assert 'href="tel:0825852001"' in Client().get(CARD_LEAF).content.decode()
    # Run again (a second timer): nothing twice.
    assert run_scheduled_publications(now=in_an_hour() + datetime.timedelta(minutes=2)) == []
    assert keys() == {"ligne:ans-support-cartes"}  # the later edit (…09) is still a draft


def test_a_scheduled_publication_checked_again_is_refused_and_its_editor_told(seed_tree,
                                                                             editor):
    Step.objects.filter(slug="probleme-application").update(title="Nouveau titre")
    schedule_publication(keys={"etape:probleme-application"}, run_at=in_an_hour(),
                         user=editor)
    # Meanwhile the tutorial that step shows is removed, and that is published.
    Tutorial.objects.filter(slug="installer-application").delete()
    publish_content()
    assert ContentVersion.objects.count() == 2
    # The scheduled change brings the tutorial back into the step: refused when it runs.
    [done] = run_scheduled_publications(now=in_an_hour() + datetime.timedelta(minutes=1))
    assert done.status == "refused" and "installer-application" in done.outcome
    assert ContentVersion.objects.count() == 2
    [message] = mail.outbox
    assert message.to == ["eddie@example.fr"]
    assert message.subject.startswith("Publication programmée refusée")
    assert "rien n'a changé pour eux" in message.body and "installer-application" in message.body


def test_scheduling_is_checked_at_once_and_needs_a_time_to_come(seed_tree, editor):
    unfinished_tree_edit()
    with pytest.raises(PublishRefused, match="à venir"):
        schedule_publication(keys={"etape:mail-non-recu"}, user=editor,
                             run_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(PublishRefused):
        schedule_publication(keys={"etape:mail-non-recu"}, run_at=in_an_hour(), user=editor)
    assert not ScheduledPublication.objects.exists()


def test_the_publish_page_schedules_then_cancels(seed_tree, editor):
    new_card_number()
    client = Client()
    client.force_login(editor)
    when = timezone.localtime(in_an_hour()).strftime("%Y-%m-%dT%H:%M")
    response = client.post(VERSIONS + "publier/", {
        "modifications": ["ligne:ans-support-cartes"], "le": when, "action": "programmer"})
    assert response.status_code == 302
    scheduled = ScheduledPublication.objects.get()
    html = client.get(VERSIONS + "publier/").content.decode()
    assert "Publications programmées" in html and "Ligne « Support des cartes CPx »" in html
    response = client.post(VERSIONS + "publier/", {
        "modifications": ["ligne:ans-support-cartes"], "le": "demain", "note": "garde-moi",
        "action": "programmer"})
    html = response.content.decode()
    assert "Indiquez une date et une heure" in html and 'value="garde-moi"' in html
    client.post(f"{VERSIONS}programmees/{scheduled.pk}/annuler/")
    scheduled.refresh_from_db()
    assert scheduled.status == "cancelled"
    assert run_scheduled_publications(now=in_an_hour() + datetime.timedelta(hours=1)) == []
