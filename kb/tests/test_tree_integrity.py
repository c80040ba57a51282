import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from kb.checks import check_decision_tree
from kb.models import Answer, Step
from kb.tests.factories import link, make_line, make_outcome, make_question
from kb.tree import tree_problems


@pytest.fixture
def small_tree(db):
    """start -> (a -> (ok, help), ok)"""
    line = make_line()
    start = make_question("start", is_start=True)
    a = make_question("a")
    ok = make_outcome("ok")
    help_ = make_outcome("help", lines=[line])
    link(start, a, ok)
    link(a, ok, help_)
    return {"start": start, "a": a, "ok": ok, "help": help_}


def test_the_seed_tree_has_no_problem(seed_tree):
    assert tree_problems() == []
    call_command("check", "--tag", "kb", "--fail-level", "WARNING")


def test_a_valid_tree_has_no_problem(small_tree):
    assert tree_problems() == []


def test_it_reports_an_unreachable_step(small_tree):
    make_outcome("orphan")
    assert tree_problems() == [
        "L'étape « orphan » n'est atteinte par aucun chemin depuis la première question."
    ]


def test_it_reports_a_cycle(small_tree):
    b = make_question("b")
    link(b, small_tree["a"], small_tree["ok"])
    Answer.objects.filter(question=small_tree["a"], next_step=small_tree["ok"]).update(
        next_step=b
    )
    assert "Le parcours tourne en rond : a → b → a." in tree_problems()


def test_it_reports_a_question_with_a_single_answer(small_tree):
    Answer.objects.filter(question=small_tree["a"], next_step=small_tree["help"]).delete()
    problems = tree_problems()
    assert any("« a » a 1 réponse(s)" in p for p in problems)
    assert any("« help » n'est atteinte" in p for p in problems)


def test_it_reports_a_dead_end_question_and_an_outcome_leading_nowhere(small_tree):
    make_question("impasse")
    Answer.objects.filter(question=small_tree["a"], next_step=small_tree["ok"]).update(
        next_step=Step.objects.get(slug="impasse")
    )
    small_tree["help"].support_lines.clear()
    problems = tree_problems()
    assert any("« impasse » a 0 réponse(s)" in p for p in problems)
    assert any("« help » renvoie vers l'assistance mais n'indique aucune ligne" in p
               for p in problems)


def test_it_reports_a_missing_start(small_tree):
    Step.objects.update(is_start=False)
    assert "Aucune étape n'est marquée comme première question du parcours." in tree_problems()


def test_broken_content_fails_manage_py_check(small_tree):
    make_outcome("orphan")
    warnings = check_decision_tree(None)
    assert [w.id for w in warnings] == ["kb.W001"]
    with pytest.raises(SystemCheckError, match="orphan"):
        call_command("check", "--tag", "kb", "--fail-level", "WARNING")
