"""Publishing: the whole draft is checked first; a refused publication changes nothing that
visitors see, and says in French exactly what to fix."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from kb.checks import check_draft_content
from kb.document import draft_document
from kb.models import Answer, ContentVersion, KnownProblem, Step, SupportLine, Tutorial
from kb.services import NothingToPublish, PublishRefused, publish_content
from kb.tests.factories import link, make_line, make_outcome, make_question, publish
from kb.validation import problems


def draft_problems() -> list[str]:
    return [str(problem) for problem in problems(draft_document())]


@pytest.fixture
def small_tree(db):
    """start -> (a -> (ok, help), ok), published as version 1."""
    line = make_line()
    start = make_question("start", is_start=True)
    a = make_question("a")
    ok = make_outcome("ok")
    help_ = make_outcome("help", lines=[line])
    link(start, a, ok)
    link(a, ok, help_)
    publish()
    return {"start": start, "a": a, "ok": ok, "help": help_, "line": line}


def assert_refused_and_live_site_unchanged(client, *expected):
    before = client.get("/parcours/a/").content
    with pytest.raises(PublishRefused) as refused:
        publish_content(note="should not pass")
    messages = [str(problem) for problem in refused.value.problems]
    for text in expected:
        assert any(text in message for message in messages), messages
    assert ContentVersion.objects.count() == 1
    assert client.get("/parcours/a/").content == before


def test_the_reference_content_has_no_problem(seed_tree):
    assert draft_problems() == []
    call_command("check", "--tag", "kb", "--fail-level", "WARNING")


def test_a_valid_tree_publishes_as_the_next_version(small_tree, admin_user):
    small_tree["line"].phone = "01 23 45 67 00"
    small_tree["line"].save()
    version = publish_content(user=admin_user, note="Nouveau numéro")
    assert (version.number, version.note, version.published_by) == (2, "Nouveau numéro",
                                                                     "admin")


def test_an_unchanged_draft_is_not_published_again(small_tree):
    with pytest.raises(NothingToPublish, match="identique à la version 1"):
        publish_content()


def test_an_orphan_step_is_refused(client, small_tree):
    make_outcome("orphan")
    assert_refused_and_live_site_unchanged(
        client, "L'issue « Issue orphan » n'est atteinte par aucun chemin")


def test_a_cycle_is_refused(client, small_tree):
    b = make_question("b")
    link(b, small_tree["a"], small_tree["ok"])
    Answer.objects.filter(question=small_tree["a"], next_step=small_tree["ok"]).update(
        next_step=b)
    assert_refused_and_live_site_unchanged(
        client, "Le parcours tourne en rond : La question « Question a ? » mène par « Vers ok » "
        "à « Question b ? », qui mène par « Vers a » à « Question a ? ».")


def test_a_question_with_a_single_answer_is_refused(client, small_tree):
    Answer.objects.filter(question=small_tree["a"], next_step=small_tree["help"]).delete()
    assert_refused_and_live_site_unchanged(
        client, "« Question a ? » a 1 réponse(s) : il en faut au moins deux",
        "L'issue « Issue help » n'est atteinte")


def test_dead_ends_are_refused(client, small_tree):
    make_question("impasse")
    Answer.objects.filter(question=small_tree["a"], next_step=small_tree["ok"]).update(
        next_step=Step.objects.get(slug="impasse"))
    small_tree["help"].support_lines.clear()
    assert_refused_and_live_site_unchanged(
        client, "La question « Question impasse ? » a 0 réponse(s)",
        "L'issue « Issue help » renvoie vers l'assistance mais n'indique aucune ligne")


def test_a_missing_start_is_refused(client, small_tree):
    Step.objects.update(is_start=False)
    assert_refused_and_live_site_unchanged(
        client, "Aucune étape n'est marquée comme première question du parcours.")


def test_a_screenshot_without_its_description_is_refused(client, small_tree):
    tutorial = Tutorial.objects.create(slug="tuto", title="Tuto", summary="Résumé",
                                       service="ecps", verified_on=datetime.date(2026, 1, 1))
    tutorial.steps.create(title="Écran", body="Texte", screenshot="tutoriels/ecran.png")
    assert_refused_and_live_site_unchanged(
        client, "Le tutoriel « Tuto », étape 1 : la capture d'écran n'a pas de description")


def test_two_lines_for_one_service_with_different_numbers_are_refused(client, small_tree):
    make_line(slug="doublon", name="Ligne de test", phone="01 23 45 67 00")
    assert_refused_and_live_site_unchanged(
        client, "semblent être le même service avec des numéros différents")


def test_an_outcome_and_its_known_problem_sending_to_different_lines_are_refused(
        client, small_tree):
    other = make_line(slug="autre", name="Autre ligne", email="autre@example.fr",
                      phone="01 99 99 99 99")
    problem = KnownProblem.objects.create(slug="symptome", symptom="Symptôme", cause="Cause",
                                          fix="Solution", support_line=other)
    small_tree["help"].known_problems.add(problem)
    assert_refused_and_live_site_unchanged(
        client, "mais son problème connu « Symptôme » envoie vers « Autre ligne »")


def test_bad_numbers_urls_and_references_are_refused(client, small_tree):
    SupportLine.objects.filter(pk=small_tree["line"].pk).update(phone="12 34")
    Step.objects.filter(slug="ok").update(video_url="javascript:alert(1)")
    hidden = Tutorial.objects.create(slug="cache", title="Caché", summary="…", service="ecps",
                                     verified_on=datetime.date(2026, 1, 1), is_published=False)
    Step.objects.filter(slug="help").update(tutorial=hidden)
    assert_refused_and_live_site_unchanged(
        client, "le numéro « 12 34 » n'est pas un numéro français",
        "le lien « vidéo » n'est pas une adresse web valide",
        "renvoie vers le tutoriel « cache », qui n'est pas publié")


def test_the_command_exits_non_zero_and_names_the_fault(small_tree):
    make_outcome("orphan")
    with pytest.raises(CommandError, match="orphan"):
        call_command("publish_content", "--note", "x")
    assert ContentVersion.objects.count() == 1


def test_a_broken_draft_shows_in_manage_py_check(small_tree):
    make_outcome("orphan")
    assert [warning.id for warning in check_draft_content(None)] == ["kb.W001"]
    with pytest.raises(SystemCheckError, match="orphan"):
        call_command("check", "--tag", "kb", "--fail-level", "WARNING")


def test_an_empty_draft_is_refused(client, small_tree):
    for model in (Answer, Step):
        model.objects.all().delete()
    with pytest.raises(PublishRefused, match="Le parcours guidé est vide"):
        publish_content()
    assert client.get("/parcours/a/").status_code == 200
