"""The decision tree: walking a wizard URL, and checking the tree's integrity.

A wizard URL is the chain of step slugs from the first question, e.g.
/parcours/methode-a/methode-a-erreur/probleme-carte/. The trail therefore lives in the URL:
the back button, bookmarks and links sent by an agent all work without a session, and a
step shared by two branches still shows the path the person actually took.
"""

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse

from kb.models import Answer, Step, SupportLine

# Deeper than any sensible tree; longer URLs are refused without touching the database.
MAX_DEPTH = 40


def wizard_url(slugs: Sequence[str]) -> str:
    return reverse("kb:wizard_start") + "".join(f"{slug}/" for slug in slugs)


@dataclass(frozen=True)
class TrailEntry:
    question: Step
    answer: Answer
    change_url: str  # the question's own page, where the answer can be changed


@dataclass(frozen=True)
class Walk:
    """Where a person stands in the tree, and how they got there."""

    step: Step
    slugs: tuple[str, ...]
    trail: tuple[TrailEntry, ...]
    choices: tuple[tuple[Answer, str], ...]  # (answer, URL it leads to), for a question
    support_lines: tuple[SupportLine, ...]  # for an outcome

    @property
    def url(self) -> str:
        return wizard_url(self.slugs)

    def summary(self) -> str:
        """The path as plain text, for an e-mail to support or a ticket."""
        lines = [f"- {entry.question.question} {entry.answer.label}" for entry in self.trail]
        lines.append(f"- Résultat : {self.step.heading}")
        return "\n".join(lines)


def walk(slugs: Sequence[str]) -> Walk | None:
    """Resolve a wizard URL in a constant number of queries (2 for a question, 3 for an
    outcome), whatever the size of the tree. None if the chain is not a path of the tree."""
    slugs = tuple(slugs)
    if len(slugs) > MAX_DEPTH:
        return None
    steps = list(
        Step.objects.filter(Q(is_start=True) | Q(slug__in=slugs)).select_related("tutorial")
    )
    by_slug = {step.slug: step for step in steps}
    start = next((step for step in steps if step.is_start), None)
    if start is None or any(slug not in by_slug for slug in slugs):
        return None
    chain = [start, *(by_slug[slug] for slug in slugs)]

    answers_by_question = defaultdict(list)
    questions = {step.id for step in chain if step.is_question}
    for answer in Answer.objects.filter(question__in=questions).select_related("next_step"):
        answers_by_question[answer.question_id].append(answer)

    trail = []
    for depth, (current, following) in enumerate(zip(chain, chain[1:], strict=False)):
        answer = next(
            (a for a in answers_by_question[current.id] if a.next_step_id == following.id), None
        )
        if answer is None:
            return None
        trail.append(TrailEntry(current, answer, wizard_url(slugs[:depth])))

    step = chain[-1]
    choices = tuple(
        (answer, wizard_url((*slugs, answer.next_step.slug)))
        for answer in answers_by_question[step.id]
    )
    support_lines = () if step.is_question else tuple(step.support_lines.all())
    return Walk(step, slugs, tuple(trail), choices, support_lines)


def _edges() -> dict[int, list[int]]:
    edges = defaultdict(list)
    for question_id, next_id in Answer.objects.values_list("question_id", "next_step_id"):
        edges[question_id].append(next_id)
    return edges


def shortest_path(step: Step) -> tuple[str, ...] | None:
    """The shortest chain of slugs from the first question to `step`, or None if unreachable.
    Used to redirect old links after an editor reshaped the tree, and for admin previews."""
    slugs = dict(Step.objects.values_list("id", "slug"))
    start_id = Step.objects.filter(is_start=True).values_list("id", flat=True).first()
    if start_id is None:
        return None
    edges = _edges()
    parents = {start_id: None}
    queue = deque([start_id])
    while queue:
        current = queue.popleft()
        if current == step.id:
            path = []
            while parents[current] is not None:
                path.append(slugs[current])
                current = parents[current]
            return tuple(reversed(path))
        for following in edges[current]:
            if following not in parents:
                parents[following] = current
                queue.append(following)
    return None


def tree_problems() -> list[str]:
    """Everything that would strand a user: no start, unreachable steps, cycles, questions
    with fewer than two answers, outcomes that lead nowhere. In French, for editors."""
    steps = {
        step.id: step
        for step in Step.objects.annotate(
            answer_count=Count("answers", distinct=True),
            line_count=Count("support_lines", distinct=True),
        )
    }
    if not steps:
        return []
    edges = _edges()
    problems = []

    starts = [step for step in steps.values() if step.is_start]
    if not starts:
        problems.append("Aucune étape n'est marquée comme première question du parcours.")
    elif not starts[0].is_question:
        problems.append(f"La première étape « {starts[0].slug} » doit être une question.")

    for step in steps.values():
        if step.is_question and step.answer_count < 2:
            problems.append(
                f"La question « {step.slug} » a {step.answer_count} réponse(s) : "
                "il en faut au moins deux, sinon le parcours s'y arrête."
            )
        if step.is_question:
            continue
        if step.answer_count:
            problems.append(f"L'issue « {step.slug} » a des réponses : seule une question en a.")
        if not step.outcome_type:
            problems.append(f"L'issue « {step.slug} » n'indique pas ce qui se passe ensuite.")
        if step.outcome_type == Step.OutcomeType.CONTACT_SUPPORT and not step.line_count:
            problems.append(
                f"L'issue « {step.slug} » renvoie vers l'assistance mais n'indique aucune ligne."
            )
        needs_link = (Step.OutcomeType.EXTERNAL_ACTION, Step.OutcomeType.PROCEDURE)
        if step.outcome_type in needs_link and not (step.action_url or step.video_url):
            problems.append(f"L'issue « {step.slug} » n'a pas de lien vers la démarche.")

    if starts:
        reachable = {starts[0].id}
        queue = deque(reachable)
        while queue:
            for following in edges[queue.popleft()]:
                if following not in reachable:
                    reachable.add(following)
                    queue.append(following)
        for step_id in sorted(steps.keys() - reachable, key=lambda i: steps[i].slug):
            problems.append(
                f"L'étape « {steps[step_id].slug} » n'est atteinte par aucun chemin depuis la "
                "première question."
            )

    cycle = _find_cycle(steps.keys(), edges)
    if cycle:
        names = " → ".join(steps[step_id].slug for step_id in cycle)
        problems.append(f"Le parcours tourne en rond : {names}.")
    return problems


def _find_cycle(nodes, edges) -> list[int] | None:
    """One cycle as a list of ids (first id repeated at the end), or None. Iterative, so a
    deep tree cannot exhaust Python's recursion limit."""
    state = {}  # absent: unseen, 1: on the current path, 2: done
    for root in nodes:
        if root in state:
            continue
        path = [root]
        state[root] = 1
        iterators = [iter(edges[root])]
        while iterators:
            following = next(iterators[-1], None)
            if following is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following):], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                iterators.append(iter(edges[following]))
    return None
