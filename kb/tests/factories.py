"""Small factory functions for trees that are not the real content."""

import datetime
from collections import deque

from kb.models import Answer, Step, SupportLine
from kb.services import publish_content


def publish(note="test"):
    """Make the draft built by these factories what visitors see."""
    return publish_content(note=note)


def make_line(slug="ligne-test", **fields) -> SupportLine:
    defaults = {
        "name": "Ligne de test", "organisation": "Organisme", "covers": "Tout.",
        "phone": "01 23 45 67 89", "call_cost": "Prix d'un appel vers un fixe",
        "email": "support@example.fr", "verified_on": datetime.date(2026, 1, 1), "source": "Test",
    }
    return SupportLine.objects.create(slug=slug, **{**defaults, **fields})


def make_question(slug, *, is_start=False, **fields) -> Step:
    fields.setdefault("question", f"Question {slug} ?")
    return Step.objects.create(slug=slug, kind=Step.Kind.QUESTION, is_start=is_start, **fields)


def make_outcome(slug, *, lines=(), **fields) -> Step:
    fields.setdefault("title", f"Issue {slug}")
    fields.setdefault(
        "outcome_type",
        Step.OutcomeType.CONTACT_SUPPORT if lines else Step.OutcomeType.SUCCESS,
    )
    step = Step.objects.create(slug=slug, kind=Step.Kind.OUTCOME, **fields)
    step.support_lines.set(lines)
    return step


def link(question, *next_steps) -> None:
    for position, next_step in enumerate(next_steps, 1):
        Answer.objects.create(
            question=question, next_step=next_step, label=f"Vers {next_step.slug}",
            position=position,
        )


def make_big_tree(size: int, branching: int = 2) -> tuple[str, ...]:
    """A valid tree of `size` steps, built breadth first with bulk inserts. Returns the slug
    chain from the start to the deepest outcome."""
    line = make_line(slug=f"ligne-{size}")
    questions = (size - 1) // branching
    kinds = [Step.Kind.QUESTION if i < questions else Step.Kind.OUTCOME for i in range(size)]
    Step.objects.bulk_create(
        Step(
            slug=f"etape-{i}", kind=kind, is_start=(i == 0),
            question=f"Question {i} ?" if kind == Step.Kind.QUESTION else "",
            title="" if kind == Step.Kind.QUESTION else f"Issue {i}",
            outcome_type="" if kind == Step.Kind.QUESTION else Step.OutcomeType.CONTACT_SUPPORT,
        )
        for i, kind in enumerate(kinds)
    )
    steps = list(Step.objects.order_by("id"))  # ids, whatever the database returns
    answers, parent = [], {}
    children = deque(range(1, size))
    # Every question gets `branching` answers; the start takes the remainder.
    answer_counts = [branching + (size - 1) % branching] + [branching] * (questions - 1)
    for i, count in enumerate(answer_counts):
        for position in range(1, count + 1):
            child = children.popleft()
            parent[child] = i
            answers.append(Answer(question=steps[i], next_step=steps[child],
                                  label=f"Réponse {position}", position=position))
    Answer.objects.bulk_create(answers)
    Step.support_lines.through.objects.bulk_create(
        Step.support_lines.through(step=step, supportline=line)
        for step in steps if step.kind == Step.Kind.OUTCOME
    )
    chain, node = [], size - 1
    while node != 0:
        chain.append(steps[node].slug)
        node = parent[node]
    return tuple(reversed(chain))


def as_typed(html: str) -> str:
    """A page's HTML with « e-CPS » as typed: the site keeps it on one line with a span
    (kb.templatetags.french), which tests looking for a sentence read through."""
    return html.replace('<span class="text-nowrap">e-CPS</span>', "e-CPS")
