"""What visitors read: the published content, as plain Python objects in memory.

Each process holds the latest published version (kb.models.ContentVersion) as one Snapshot,
built once from its JSON document, and swaps it whole when a newer version appears. Finding
out costs one tiny query at most every KB_CONTENT_CHECK_SECONDS, never one per page and
never in a visitor's request (PublishedContent), so a warm process serves the wizard,
tutorials, known problems, glossary, contacts and search without touching the database.
Staff in preview mode get a Snapshot of the draft instead, built for their request alone.

A wizard URL is the chain of step slugs from the first question, e.g.
/parcours/methode-a/methode-a-erreur/probleme-carte/. The trail therefore lives in the URL:
the back button, bookmarks and links sent by an agent all work without a session, and a
step shared by two branches still shows the path the person actually took.
"""

import datetime
import json
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import DatabaseError, connections
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils.html import escape

from kb import illustrations, images, search
from kb.document import LINE_REFERENCE
from kb.models import ContactLinks, ContentVersion, StepRole
from kb.models import Tutorial as DraftTutorial
from kb.models import TutorialStep as DraftTutorialStep
from kb.templatetags.french import french_spacing
from teams.front_door import Doors, load_doors, teams_version

# Deeper than any sensible tree; longer URLs are refused without looking further.
MAX_DEPTH = 40
PREVIEW_SESSION_KEY = "kb_preview"


def wizard_url(slugs: Sequence[str], *, arrived_at: str | None = None) -> str:
    """The page of a walk: /parcours/a/b/ from the first question; /parcours/etape/x/a/ for a
    visitor who arrived directly on step x (from a search result, a tutorial, a bookmark)
    and answered only from there."""
    if arrived_at is not None:
        return reverse("kb:wizard_direct", args=["/".join((arrived_at, *slugs))])
    return reverse("kb:wizard_start") + "".join(f"{slug}/" for slug in slugs)


@dataclass(eq=False)
class Line(ContactLinks):
    slug: str
    name: str
    organisation: str
    covers: str
    phone: str
    call_cost: str
    email: str
    faq_url: str
    opening_hours: str
    visitor_notice: str
    notes: str  # for editors: never shown
    verified_on: datetime.date
    source: str
    team: str = ""  # a regional team's own line (kb.models.Overlay); "" for a national one


@dataclass(eq=False)
class Answer:
    label: str
    next_step: "Step"


@dataclass(eq=False)
class Step(StepRole):
    slug: str
    kind: str
    title: str
    question: str
    body: str
    body_html: str
    outcome_type: str
    action_url: str
    action_label: str
    video_url: str
    tutorial: "Tutorial | None" = None  # only a published one
    support_lines: list[Line] = field(default_factory=list)
    known_problems: list["KnownProblem"] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def direct_url(self) -> str:
        """A link to this step alone, which claims no answer: the page says the visitor
        arrived there directly (kb.views.wizard_direct)."""
        return wizard_url((), arrived_at=self.slug)


@dataclass(eq=False)
class TutorialStep:
    title: str
    where: str
    body: str
    body_html: str
    screenshot: str
    screenshot_alt: str
    warning: str
    warning_html: str
    # Left out of documents while empty (kb.document.LEFT_OUT_WHEN_EMPTY).
    illustration: str = ""
    screenshot_width: int = 0
    screenshot_height: int = 0

    @property
    def where_label(self) -> str:
        return DraftTutorialStep.Where(self.where).label if self.where else ""

    @property
    def illustration_url(self) -> str:
        return illustrations.url(self.illustration) if self.illustration else ""

    @property
    def illustration_alt(self) -> str:
        return illustrations.description(self.illustration) if self.illustration else ""

    @property
    def screenshot_url(self) -> str:
        """For browsers that ignore srcset: the file a phone at density 2 takes."""
        return images.src(self.screenshot, self.screenshot_width, at_least=720) if (
            self.screenshot) else ""

    @property
    def screenshot_srcset(self) -> str:
        return images.srcset(self.screenshot, self.screenshot_width)

    screenshot_sizes = images.SIZES


@dataclass(eq=False)
class Tutorial:
    slug: str
    title: str
    summary: str
    service: str
    prerequisites: str
    prerequisites_html: str
    video_url: str
    verified_on: datetime.date
    source: str
    is_published: bool
    steps: list[TutorialStep]
    related: list["Tutorial"] = field(default_factory=list)
    help_step: Step | None = None
    help_lines: list[Line] = field(default_factory=list)
    team: str = ""

    @property
    def service_label(self) -> str:
        return DraftTutorial.Service(self.service).label

    def get_absolute_url(self) -> str:
        return reverse("kb:tutorial", args=[self.slug])


@dataclass(eq=False)
class KnownProblem:
    slug: str
    symptom: str
    cause: str
    fix: str
    fix_html: str
    contact_note: str
    support_line: Line | None = None
    tutorial: Tutorial | None = None
    team: str = ""

    def get_absolute_url(self) -> str:
        return reverse("kb:known_problems") + f"#{self.slug}"


@dataclass(eq=False)
class Term:
    slug: str
    term: str
    expansion: str
    definition: str

    def get_absolute_url(self) -> str:
        return reverse("kb:glossary") + f"#{self.slug}"


@dataclass(eq=False)
class Overlay:
    """What a team adds at its front door: the team's own objects are those whose `team` is
    its slug; this holds the rest (welcome text, services and lines first, lines on steps)."""

    slug: str
    welcome: str
    services: tuple[str, ...]
    lines: list[Line]
    step_lines: dict[str, list[Line]]  # step slug -> the team's lines shown first there


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
    arrived_at: Step | None = None  # the step reached directly, without the answers before

    @property
    def url(self) -> str:
        return wizard_url(self.slugs, arrived_at=self.arrived_at and self.arrived_at.slug)

    @property
    def support_lines(self) -> list[Line]:
        return [] if self.step.is_question else self.step.support_lines

    def summary(self, via: str = "") -> str:
        """The path as plain text, for an e-mail to support or a ticket: exactly the answers
        clicked, and where the visitor arrived without answering, if so."""
        lines = [f"- {arrived_directly(self.arrived_at, via)}"] if self.arrived_at else []
        lines += [f"- {entry.question.question} {entry.answer.label}" for entry in self.trail]
        lines.append(f"- Résultat : {self.step.heading}")
        return "\n".join(lines)


# Where a direct link to a step was followed from (its ?via=…), in words.
VIA = {"recherche": "depuis la recherche", "tutoriel": "depuis un tutoriel",
       "vue-d-ensemble": "depuis la vue d'ensemble du parcours",
       "agent": "depuis un lien envoyé par l'assistance",
       "probleme-connu": "depuis les problèmes connus"}


def arrived_directly(step: Step, via: str = "") -> str:
    """« Arrivé directement sur l'étape « … » (depuis la recherche) », never an answer."""
    origin = VIA.get(via, "par un lien direct")
    return f"Arrivé directement sur l'étape « {step.heading} » ({origin}), sans répondre " \
           "aux questions précédentes"


def cited_line(line: Line) -> str:
    """A line named in a text: its name, its number and its cost, or its address; the same
    facts, said the same way, as the line's own card."""
    name = escape(line.name)
    if line.phone:
        cost = f", {escape(line.call_cost)}" if line.call_cost else ""
        return (f'{name} (<a href="{escape(line.tel_href)}">{escape(line.phone)}</a>{cost})')
    return f'{name} (<a href="mailto:{escape(line.email)}">{escape(line.email)}</a>)'


def cite_lines(document: dict, lines: dict[str, Line]) -> dict:
    """The document with each [[ligne:…]] of its texts replaced by the line as it is in this
    version (a line that does not exist is left out: the publish checks refuse it)."""
    def cite(html: str) -> str:
        if "[[ligne:" not in (html or ""):
            return html
        return french_spacing(LINE_REFERENCE.sub(
            lambda found: cited_line(lines[found[1]]) if found[1] in lines else "", html))

    def cited(item: dict, *fields: str) -> dict:
        return {**item, **{field: cite(item.get(field, "")) for field in fields}}

    return {
        **document,
        "steps": [cited(item, "body_html") for item in document.get("steps", [])],
        "known_problems": [cited(item, "fix_html")
                           for item in document.get("known_problems", [])],
        "tutorials": [{**cited(item, "prerequisites_html"),
                       "steps": [cited(step, "body_html", "warning_html")
                                 for step in item["steps"]]}
                      for item in document.get("tutorials", [])],
    }


def french_order(text: str) -> tuple:
    """Dictionary order: accents, case and hyphens left out (« Annuaire Santé » before « ARS »,
    « e-CPS » among the E), the exact spelling only to break ties."""
    return ("".join(c for c in search.fold(text) if c.isalnum() or c == " "), text)


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else None


class Snapshot:
    """One version of the public content. Built once, then only read: safe to share between
    the threads of a process. Tolerates a broken draft (for previews): a missing reference
    is left out rather than raised."""

    def __init__(self, document: dict, *, number: int, is_preview: bool = False):
        self.number = number
        self.is_preview = is_preview
        self.lines = [
            Line(**{key: line[key] for key in Line.__dataclass_fields__
                    if key not in ("verified_on", "team")},
                 verified_on=_date(line["verified_on"]), team=line.get("team", ""))
            for line in document.get("support_lines", [])
        ]
        lines = {line.slug: line for line in self.lines}
        document = cite_lines(document, lines)
        self.tutorials = {
            item["slug"]: Tutorial(
                **{key: item[key] for key in (
                    "slug", "title", "summary", "service", "prerequisites", "prerequisites_html",
                    "video_url", "source", "is_published")},
                verified_on=_date(item["verified_on"]),
                steps=[TutorialStep(**step) for step in item["steps"]],
                help_lines=[lines[s] for s in item["help_lines"] if s in lines],
                team=item.get("team", ""),
            )
            for item in document.get("tutorials", [])
        }
        visible = {slug: t for slug, t in self.tutorials.items() if t.is_published}
        self.known_problems = [
            KnownProblem(
                **{key: item[key] for key in (
                    "slug", "symptom", "cause", "fix", "fix_html", "contact_note")},
                support_line=lines.get(item["support_line"]),
                tutorial=visible.get(item["tutorial"]),
                team=item.get("team", ""),
            )
            for item in document.get("known_problems", [])
        ]
        problems = {problem.slug: problem for problem in self.known_problems}
        self.steps = {
            item["slug"]: Step(
                **{key: item[key] for key in (
                    "slug", "kind", "title", "question", "body", "body_html", "outcome_type",
                    "action_url", "action_label", "video_url")},
                tutorial=visible.get(item["tutorial"]),
                support_lines=[lines[s] for s in item["support_lines"] if s in lines],
                known_problems=[problems[s] for s in item["known_problems"] if s in problems],
            )
            for item in document.get("steps", [])
        }
        for item in document.get("steps", []):
            self.steps[item["slug"]].answers = [
                Answer(answer["label"], self.steps[answer["next_step"]])
                for answer in item["answers"] if answer["next_step"] in self.steps
            ]
        self.start = next((self.steps[item["slug"]] for item in document.get("steps", [])
                           if item["is_start"]), None)
        for item in document.get("tutorials", []):
            tutorial = self.tutorials[item["slug"]]
            tutorial.related = [visible[s] for s in item["related"] if s in visible]
            tutorial.help_step = self.steps.get(item["help_step"])
        self.published_tutorials = list(visible.values())
        self.glossary = sorted((Term(**term) for term in document.get("glossary", [])),
                               key=lambda term: french_order(term.term))
        self.overlays = {
            item["slug"]: Overlay(
                slug=item["slug"], welcome=item["welcome"], services=tuple(item["services"]),
                lines=[lines[s] for s in item["lines"] if s in lines],
                step_lines={addition["step"]: [lines[s] for s in addition["support_lines"]
                                               if s in lines]
                            for addition in item["steps"]})
            for item in document.get("overlays", [])
        }

    @classmethod
    def empty(cls) -> "Snapshot":
        return cls({}, number=0)

    # --- The wizard ---

    def walk(self, slugs: Sequence[str], *, arrived_at: str | None = None) -> Walk | None:
        """Where a wizard URL leads, or None if the chain is not a path of the tree. From the
        first question, or from `arrived_at`, a step the visitor reached directly: then the
        trail holds only the answers clicked from there."""
        slugs = tuple(slugs)
        first = self.steps.get(arrived_at) if arrived_at is not None else self.start
        if first is None or len(slugs) > MAX_DEPTH:
            return None
        current, trail = first, []
        for depth, slug in enumerate(slugs):
            answer = next((a for a in current.answers if a.next_step.slug == slug), None)
            if answer is None:
                return None
            trail.append(TrailEntry(current, answer,
                                    wizard_url(slugs[:depth], arrived_at=arrived_at)))
            current = answer.next_step
        choices = tuple((answer, wizard_url((*slugs, answer.next_step.slug),
                                            arrived_at=arrived_at))
                        for answer in current.answers)
        return Walk(current, slugs, tuple(trail), choices,
                    arrived_at=first if arrived_at is not None else None)

    @cached_property
    def shortest_paths(self) -> dict[str, tuple[str, ...]]:
        """For every reachable step, the shortest chain of slugs that leads to it."""
        if self.start is None:
            return {}
        paths = {self.start.slug: ()}
        queue = deque([self.start])
        while queue:
            current = queue.popleft()
            for answer in current.answers:
                if answer.next_step.slug not in paths:
                    paths[answer.next_step.slug] = (*paths[current.slug], answer.next_step.slug)
                    queue.append(answer.next_step)
        return paths

    @cached_property
    def most_questions(self) -> int:
        """The most answers any path of the tree asks for, so that the home page promises
        what the tree really does. Iterative (a deep tree cannot exhaust the recursion
        limit); a cycle, possible only in a preview of a broken draft, counts once."""
        if self.start is None:
            return 0
        depth: dict[str, int] = {}
        stack = [(self.start, False)]
        while stack:
            step, children_done = stack.pop()
            if children_done:
                depth[step.slug] = max((1 + depth.get(a.next_step.slug, 0)
                                        for a in step.answers), default=0)
            elif step.slug not in depth:
                depth[step.slug] = 0  # on the path: a cycle stops here
                stack.append((step, True))
                stack += [(a.next_step, False) for a in step.answers
                          if a.next_step.slug not in depth]
        return depth[self.start.slug]

    def shortest_path(self, slug: str) -> tuple[str, ...] | None:
        """Used to send an old link to where its step now stands after an editor reshaped
        the tree, and for admin previews. None if the step is gone or unreachable."""
        return self.shortest_paths.get(slug)

    def nearest_step(self, slugs: Sequence[str]) -> str | None:
        """For a wizard URL that is no longer a path (a publish reshaped the tree while a
        visitor was walking it, an old bookmark): its last step that still exists, shown as
        reached directly, so that no answer the visitor did not give is claimed."""
        return next((slug for slug in reversed(slugs) if slug in self.steps), None)

    # --- Search ---

    @cached_property
    def search_index(self) -> search.Index:
        """Built on first use, once per version (a few seconds for 10,000 tutorials). Shared
        by every front door: its addresses are the site root's, placed behind the door of
        the page that shows them (the `here` filter)."""
        outer = get_script_prefix()
        set_script_prefix("/")
        try:
            return search.Index(search.build_documents(self))
        finally:
            set_script_prefix(outer)


class PublishedContent:
    """The latest published Snapshot of this process.

    Once a process holds a version, a visitor's request never waits for the database: when
    the version is due for a check, the request is served from memory at once and the check
    runs in a thread of its own (one at a time). A database that hangs or is down therefore
    costs visitors nothing; the check just fails and is tried again later. Only a process's
    very first page (no version in memory yet) reads the database itself. Tests set
    KB_CONTENT_CHECK_IN_BACKGROUND off, to see a publish made inside their transaction."""

    def __init__(self):
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0
        self.checks_in_background = 0  # for tests and the curious: how many were started
        # The teams' front doors (teams.front_door), read with the version and kept with it.
        self.doors = Doors([])
        self._doors_version = None

    @property
    def doors_version(self):
        """Changes with the teams; a cached public page depends on it (kb.page_cache)."""
        return self._doors_version

    def get(self) -> Snapshot:
        snapshot = self._snapshot
        if (snapshot is not None
                and time.monotonic() - self._checked_at < settings.KB_CONTENT_CHECK_SECONDS):
            return snapshot
        if snapshot is not None and settings.KB_CONTENT_CHECK_IN_BACKGROUND:
            if self._lock.acquire(blocking=False):  # else a check is under way already
                self._checked_at = time.monotonic()
                self.checks_in_background += 1
                threading.Thread(target=self._check_in_background, name="content-check",
                                 daemon=True).start()
            return snapshot
        with self._lock:
            return self._check()

    def _check(self) -> Snapshot:
        try:
            number = ContentVersion.objects.latest_number()
            doors_version = teams_version()
            if doors_version != self._doors_version:
                self.doors, self._doors_version = Doors(load_doors()), doors_version
        except DatabaseError:
            if self._snapshot is None:
                raise
            number = self._snapshot.number  # the database is down: keep serving
        self._checked_at = time.monotonic()
        if self._snapshot is None or number != self._snapshot.number:
            self._snapshot = load_version(number)
        return self._snapshot

    def _check_in_background(self) -> None:
        try:
            self._check()
        except DatabaseError:
            pass  # keep serving what we hold; the next check tries again
        finally:
            connections.close_all()  # this thread's own connection
            self._lock.release()

    def wait_for_check(self) -> None:
        """Until a check under way has finished (tests)."""
        with self._lock:
            pass

    def forget(self) -> None:
        """After a publish in this process, or between tests: read the database again."""
        with self._lock:
            self._snapshot = None
            self.doors, self._doors_version = Doors([]), None


def load_version(number: int) -> Snapshot:
    version = ContentVersion.objects.filter(number=number).only("number", "document").first()
    if version is None:
        return Snapshot.empty()
    return Snapshot(json.loads(version.document), number=version.number)


published = PublishedContent()


def in_preview(request) -> bool:
    """Staff who chose to browse the draft. Anonymous visitors have no session cookie, so
    this costs them nothing (the session is not even read)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return bool(request.session.get(PREVIEW_SESSION_KEY)) and request.user.is_staff


def content_for(request) -> Snapshot:
    """The content this request sees: the published version, or the draft in preview."""
    snapshot = getattr(request, "_kb_snapshot", None)
    if snapshot is None:
        if in_preview(request):
            from kb.document import draft_document

            snapshot = Snapshot(draft_document(), number=-1, is_preview=True)
        else:  # read once per request: by the front door, or here
            snapshot = getattr(request, "published", None) or published.get()
        request._kb_snapshot = snapshot
    return snapshot
