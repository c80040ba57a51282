"""The content document: everything a visitor can see, as one JSON document.

It is what a published version stores, what `export_content` writes and `import_content`
reads, and what `fixtures/content.json` holds. Objects refer to each other by slug; lists are
in display order; each Markdown field comes with its rendered, sanitised HTML (`…_html`),
which an import ignores and renders again, so that export → import → publish → export gives
the same bytes.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from kb.markdown import render_markdown
from kb.models import (
    Answer,
    GlossaryTerm,
    KnownProblem,
    Overlay,
    OverlayStep,
    Step,
    SupportLine,
    Tutorial,
    TutorialStep,
)

FORMAT = "assistance-ecps/contenu"
FORMAT_VERSION = 1

# For each collection: its fields and their default when a hand-written file leaves one out.
# Slugs (and lists of slugs) name other objects; "…_html" fields are derived, never read.
LINE_FIELDS = {
    "slug": None, "name": None, "organisation": "", "covers": "", "phone": "", "call_cost": "",
    "email": "", "faq_url": "", "opening_hours": "", "visitor_notice": "", "notes": "",
    "verified_on": None,
    "source": "", "position": 0, "team": "",
}
STEP_FIELDS = {
    "slug": None, "kind": None, "is_start": False, "title": "", "question": "", "body": "",
    "body_html": "", "outcome_type": "", "action_url": "", "action_label": "", "video_url": "",
    "tutorial": None, "support_lines": [], "known_problems": [], "answers": [],
    "audience": "everyone",
}
ANSWER_FIELDS = {"label": None, "next_step": None}
TUTORIAL_FIELDS = {
    "slug": None, "title": None, "summary": "", "service": None, "prerequisites": "",
    "prerequisites_html": "", "video_url": "", "verified_on": None, "source": "",
    "is_published": True, "position": 0, "related": [], "help_step": None, "help_lines": [],
    "steps": [], "team": "", "audience": "everyone",
}
TUTORIAL_STEP_FIELDS = {
    "title": None, "where": "", "body": None, "body_html": "", "illustration": "",
    "screenshot": "", "screenshot_width": 0, "screenshot_height": 0, "screenshot_alt": "",
    "warning": "", "warning_html": "",
}
PROBLEM_FIELDS = {
    "slug": None, "symptom": None, "cause": "", "fix": "", "fix_html": "", "support_line": None,
    "contact_note": "", "tutorial": None, "position": 0, "verified_on": "", "team": "",
    "sources": "", "audience": "everyone",
}
TERM_FIELDS = {"slug": None, "term": None, "expansion": "", "definition": ""}
# What a team adds at its front door (kb.models.Overlay); its own lines, tutorials and known
# problems are those of the collections above whose "team" is its slug.
OVERLAY_FIELDS = {"slug": None, "welcome": "", "services": [], "lines": [], "steps": []}
OVERLAY_STEP_FIELDS = {"step": None, "support_lines": []}

COLLECTIONS = {
    "support_lines": LINE_FIELDS,
    "steps": STEP_FIELDS,
    "tutorials": TUTORIAL_FIELDS,
    "known_problems": PROBLEM_FIELDS,
    "glossary": TERM_FIELDS,
    "overlays": OVERLAY_FIELDS,
}
# The draft model behind each collection (for the admin's links and the diff's labels).
COLLECTION_MODELS = {
    "support_lines": SupportLine, "steps": Step, "tutorials": Tutorial,
    "known_problems": KnownProblem, "glossary": GlossaryTerm, "overlays": Overlay,
}
NESTED = {("steps", "answers"): ANSWER_FIELDS, ("tutorials", "steps"): TUTORIAL_STEP_FIELDS,
          ("overlays", "steps"): OVERLAY_STEP_FIELDS}
# Left out of a document while empty, as in documents written before these fields existed:
# a new field does not make every earlier version differ from the draft.
LEFT_OUT_WHEN_EMPTY = {"verified_on": None, "illustration": "", "screenshot_width": 0,
                       "screenshot_height": 0, "team": "", "sources": "",
                       "audience": "everyone"}
# A support line cited in a text, « [[ligne:ans-support-cartes]] »: the site shows the line
# with its number and cost (kb.snapshot), publication checks it exists (kb.validation).
LINE_REFERENCE = re.compile(r"\[\[ligne:([a-z0-9_-]+)\]\]")
RELATION_FIELDS = {"tutorial", "support_lines", "known_problems", "answers", "related",
                   "help_step", "help_lines", "steps", "support_line", "lines", "step"}


class DocumentError(ValueError):
    """A file that is not a content document, or not a valid one. The messages are French
    and name the place in the file (e.g. "steps[3].answers[0].next_step")."""

    def __init__(self, errors: list[str]):
        self.errors = [str(error) for error in errors]  # lazy translations, too
        super().__init__("\n".join(self.errors))


# --- Draft -> document --------------------------------------------------------------------

def _plain(obj, fields) -> dict:
    data = {}
    for name in fields:
        if name in RELATION_FIELDS:
            continue
        value = getattr(obj, name)
        if name in LEFT_OUT_WHEN_EMPTY and value == LEFT_OUT_WHEN_EMPTY[name]:
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else (
            value.name if name == "screenshot" else value
        )
    return data


def draft_document() -> dict:
    """The draft tables as a document. Each table is read once, whole, and grouped here:
    a constant number of queries, and no IN lists of thousands of ids."""
    lines = list(SupportLine.objects.order_by("position", "name", "slug"))
    line_slugs = {line.pk: line.slug for line in lines}
    tutorials = list(Tutorial.objects.order_by("position", "title", "slug"))
    tutorial_slugs = {tutorial.pk: tutorial.slug for tutorial in tutorials}
    steps = list(Step.objects.order_by("slug"))
    step_slugs = {step.pk: step.slug for step in steps}
    problems = list(KnownProblem.objects.order_by("position", "symptom", "slug"))
    problem_slugs = {problem.pk: problem.slug for problem in problems}

    def grouped(pairs, slugs) -> dict[int, list[str]]:
        groups: dict[int, list[str]] = {}
        for owner, target in pairs:
            groups.setdefault(owner, []).append(slugs[target])
        return groups

    # Relations in display order: lines, problems and tutorials by their position.
    rank = {kind: {slug: n for n, slug in enumerate(slugs.values())} for kind, slugs in (
        ("lines", line_slugs), ("problems", problem_slugs), ("tutorials", tutorial_slugs))}
    step_lines = grouped(Step.support_lines.through.objects.values_list(
        "step_id", "supportline_id"), line_slugs)
    step_problems = grouped(Step.known_problems.through.objects.values_list(
        "step_id", "knownproblem_id"), problem_slugs)
    related = grouped(Tutorial.related.through.objects.values_list(
        "from_tutorial_id", "to_tutorial_id"), tutorial_slugs)
    help_lines = grouped(Tutorial.help_lines.through.objects.values_list(
        "tutorial_id", "supportline_id"), line_slugs)
    answers: dict[int, list[dict]] = {}
    for question, label, next_step in Answer.objects.order_by("position", "id").values_list(
            "question_id", "label", "next_step_id"):
        answers.setdefault(question, []).append({"label": label,
                                                 "next_step": step_slugs[next_step]})
    tutorial_steps: dict[int, list[dict]] = {}
    for step in TutorialStep.objects.order_by("position", "id"):
        tutorial_steps.setdefault(step.tutorial_id, []).append(
            _plain(step, TUTORIAL_STEP_FIELDS))

    def ordered(slugs, kind):
        return sorted(slugs, key=rank[kind].__getitem__)

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "support_lines": [_plain(line, LINE_FIELDS) for line in lines],
        "steps": [
            {
                **_plain(step, STEP_FIELDS),
                "tutorial": tutorial_slugs.get(step.tutorial_id),
                "support_lines": ordered(step_lines.get(step.pk, []), "lines"),
                "known_problems": ordered(step_problems.get(step.pk, []), "problems"),
                "answers": answers.get(step.pk, []),
            }
            for step in steps
        ],
        "tutorials": [
            {
                **_plain(tutorial, TUTORIAL_FIELDS),
                "related": ordered(related.get(tutorial.pk, []), "tutorials"),
                "help_step": step_slugs.get(tutorial.help_step_id),
                "help_lines": ordered(help_lines.get(tutorial.pk, []), "lines"),
                "steps": tutorial_steps.get(tutorial.pk, []),
            }
            for tutorial in tutorials
        ],
        "known_problems": [
            {
                **_plain(problem, PROBLEM_FIELDS),
                "support_line": line_slugs.get(problem.support_line_id),
                "tutorial": tutorial_slugs.get(problem.tutorial_id),
            }
            for problem in problems
        ],
        "glossary": [_plain(term, TERM_FIELDS)
                     for term in GlossaryTerm.objects.order_by("term", "slug")],
        "overlays": _overlays(line_slugs, step_slugs, rank["lines"]),
    }


def _overlays(line_slugs, step_slugs, line_rank) -> list[dict]:
    overlays = list(Overlay.objects.order_by("slug"))
    lines = {}
    for overlay, line in Overlay.lines.through.objects.values_list("overlay_id",
                                                                    "supportline_id"):
        lines.setdefault(overlay, []).append(line_slugs[line])
    step_lines = {}
    for addition, line in OverlayStep.support_lines.through.objects.values_list(
            "overlaystep_id", "supportline_id"):
        step_lines.setdefault(addition, []).append(line_slugs[line])
    additions = {}
    for addition in OverlayStep.objects.order_by("position", "id"):
        additions.setdefault(addition.overlay_id, []).append({
            "step": step_slugs[addition.step_id],
            "support_lines": sorted(step_lines.get(addition.pk, []), key=line_rank.get)})
    return [{**_plain(overlay, OVERLAY_FIELDS),
             "lines": sorted(lines.get(overlay.pk, []), key=line_rank.get),
             "steps": additions.get(overlay.pk, [])} for overlay in overlays]


def to_json(document: dict) -> str:
    """The canonical text of a document: the same content always gives the same bytes.
    No overlay, no "overlays" key: as in the documents published before teams existed."""
    if "overlays" in document and not document["overlays"]:
        document = {key: value for key, value in document.items() if key != "overlays"}
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- Text -> document (structure only) ----------------------------------------------------

def parse(text: str) -> dict:
    """Read a document and check its shape. Raises DocumentError listing every fault."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError([
            f"Ce fichier n'est pas du JSON valide (ligne {error.lineno}, colonne "
            f"{error.colno}) : {error.msg}."
        ]) from None
    except RecursionError:  # [[[[…]]]]: Python's reader gives up past ~1,000 levels
        raise DocumentError([
            "Ce fichier contient des listes ou des objets imbriqués sur des milliers de "
            "niveaux : ce n'est pas un export de contenu, qui n'en a que quelques-uns."
        ]) from None
    errors = []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DocumentError([f"Ce fichier n'est pas un export de contenu : la clé « format » "
                             f"doit valoir « {FORMAT} »."])
    if data.get("format_version") != FORMAT_VERSION:
        errors.append(f"format_version : ce site lit la version {FORMAT_VERSION} du format.")
    unknown = set(data) - {"format", "format_version", *COLLECTIONS}
    errors += [f"{key} : clé inconnue." for key in sorted(unknown)]
    document = {"format": FORMAT, "format_version": FORMAT_VERSION}
    for name, fields in COLLECTIONS.items():
        items = data.get(name, [])
        if not isinstance(items, list):
            errors.append(f"{name} : une liste est attendue.")
            continue
        document[name] = [_shape(item, fields, f"{name}[{i}]", name, errors)
                          for i, item in enumerate(items)]
        seen = set()
        for i, item in enumerate(document[name]):
            slug = item.get("slug")
            if not isinstance(slug, str):  # a list is no slug, and _shape said so
                continue
            if slug in seen:
                errors.append(f"{name}[{i}].slug : « {slug} » figure deux fois.")
            seen.add(slug)
    if errors:
        raise DocumentError(errors)
    return document


def _shape(item, fields: dict, place: str, collection: str, errors: list) -> dict:
    if not isinstance(item, dict):
        errors.append(f"{place} : un objet {{…}} est attendu.")
        return {}
    shaped = {}
    for key in sorted(set(item) - set(fields)):
        errors.append(f"{place}.{key} : clé inconnue.")
    for key, default in fields.items():
        value = item.get(key, default)
        where = f"{place}.{key}"
        if value is None and default is None and key not in RELATION_FIELDS:
            errors.append(f"{where} : valeur obligatoire manquante.")
        elif (collection, key) in NESTED:
            if not isinstance(value, list):
                errors.append(f"{where} : une liste est attendue.")
                value = []
            value = [_shape(sub, NESTED[collection, key], f"{where}[{j}]", key, errors)
                     for j, sub in enumerate(value)]
        elif isinstance(default, list):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(f"{where} : une liste d'identifiants est attendue.")
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                errors.append(f"{where} : true ou false est attendu.")
        elif isinstance(default, int):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.append(f"{where} : un nombre entier positif est attendu.")
        elif value is not None and not isinstance(value, str):
            errors.append(f"{where} : un texte est attendu.")
        shaped[key] = value
    return shaped


# --- Document -> draft --------------------------------------------------------------------

@dataclass
class _Placed:
    obj: object
    place: str


@transaction.atomic
def load_into_draft(document: dict) -> None:
    """Replace the draft by `document` (already parsed): objects are updated in place by
    slug (tickets keep their links to support lines), the others deleted. All or nothing:
    any invalid field raises DocumentError naming its place, and the draft is unchanged."""
    errors: list[str] = []
    checked: list[_Placed] = []

    def upsert(model, collection, fields):
        existing = {obj.slug: obj for obj in model.objects.all()}
        kept = {}
        for i, item in enumerate(document[collection]):
            obj = existing.get(item["slug"]) or model()
            for key in fields:
                if key not in RELATION_FIELDS and not key.endswith("_html"):
                    # A date left out or empty is no date (a known problem never verified,
                    # or a version published before known problems had one).
                    value = item.get(key, fields[key])
                    setattr(obj, key, None if key == "verified_on" and not value else value)
            checked.append(_Placed(obj, f"{collection}[{i}] (« {item['slug']} »)"))
            kept[item["slug"]] = obj
        model.objects.exclude(slug__in=kept).delete()
        return kept

    Answer.objects.all().delete()  # recreated below; answers protect the steps they lead to
    lines = upsert(SupportLine, "support_lines", LINE_FIELDS)
    upsert(GlossaryTerm, "glossary", TERM_FIELDS)
    tutorials = upsert(Tutorial, "tutorials", TUTORIAL_FIELDS)
    steps = upsert(Step, "steps", STEP_FIELDS)
    problems = upsert(KnownProblem, "known_problems", PROBLEM_FIELDS)
    document.setdefault("overlays", [])
    overlays = upsert(Overlay, "overlays", OVERLAY_FIELDS)

    def ref(objects, slug, place):
        if slug is None:
            return None
        if slug not in objects:
            errors.append(f"{place} : « {slug} » n'existe pas dans ce fichier.")
        return objects.get(slug)

    def refs(objects, slugs, place):
        return [obj for slug in slugs if (obj := ref(objects, slug, place)) is not None]

    for i, item in enumerate(document["known_problems"]):
        problem = problems[item["slug"]]
        problem.support_line = ref(lines, item["support_line"], f"known_problems[{i}].support_line")
        problem.tutorial = ref(tutorials, item["tutorial"], f"known_problems[{i}].tutorial")
    for i, item in enumerate(document["steps"]):
        steps[item["slug"]].tutorial = ref(tutorials, item["tutorial"], f"steps[{i}].tutorial")
    help_steps = {
        slug: ref(steps, item["help_step"], f"tutorials[{i}].help_step")
        for i, item in enumerate(document["tutorials"]) if (slug := item["slug"])
    }

    for placed in checked:
        try:
            placed.obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors += [f"{placed.place} : {message}" for message in _messages(placed.obj, error)]
    if sum(item["is_start"] for item in document["steps"]) > 1:
        errors.append("steps : une seule étape peut être la première du parcours.")
    if errors:
        raise DocumentError(errors)

    for placed in checked:  # in dependency order: lines, terms, tutorials, steps, problems
        placed.obj.save()
    for slug, step in help_steps.items():  # steps exist only now
        tutorials[slug].help_step = step
        tutorials[slug].save(update_fields=["help_step"])
    answers, tutorial_steps = [], []
    for i, item in enumerate(document["steps"]):
        step = steps[item["slug"]]
        step.support_lines.set(refs(lines, item["support_lines"], f"steps[{i}].support_lines"))
        step.known_problems.set(refs(problems, item["known_problems"],
                                     f"steps[{i}].known_problems"))
        for j, answer in enumerate(item["answers"]):
            target = ref(steps, answer["next_step"], f"steps[{i}].answers[{j}].next_step")
            answers.append(Answer(question=step, label=answer["label"], next_step=target,
                                  position=j))
    for i, item in enumerate(document["tutorials"]):
        tutorial = tutorials[item["slug"]]
        tutorial.related.set(refs(tutorials, item["related"], f"tutorials[{i}].related"))
        tutorial.help_lines.set(refs(lines, item["help_lines"], f"tutorials[{i}].help_lines"))
        tutorial.steps.all().delete()
        for j, fields in enumerate(item["steps"]):
            step = TutorialStep(tutorial=tutorial, position=j, **{
                key: fields.get(key, empty) for key, empty in TUTORIAL_STEP_FIELDS.items()
                if not key.endswith("_html")})
            # bulk_create sends no pre_save signal: render here.
            step.body_html = render_markdown(step.body)
            step.warning_html = render_markdown(step.warning)
            tutorial_steps.append(_Placed(step, f"tutorials[{i}].steps[{j}]"))
    for placed in tutorial_steps:
        try:
            placed.obj.full_clean(exclude=["tutorial"], validate_unique=False,
                                  validate_constraints=False)
        except ValidationError as error:
            errors += [f"{placed.place} : {message}" for message in _messages(placed.obj, error)]
    for i, item in enumerate(document["overlays"]):
        overlay = overlays[item["slug"]]
        overlay.lines.set(refs(lines, item["lines"], f"overlays[{i}].lines"))
        overlay.steps.all().delete()
        for j, addition in enumerate(item["steps"]):
            place = f"overlays[{i}].steps[{j}]"
            step = ref(steps, addition["step"], f"{place}.step")
            if step is not None:
                OverlayStep.objects.create(overlay=overlay, step=step, position=j
                                           ).support_lines.set(
                    refs(lines, addition["support_lines"], f"{place}.support_lines"))
    if errors:
        raise DocumentError(errors)  # inside the transaction: everything above is undone
    Answer.objects.bulk_create(answers)
    TutorialStep.objects.bulk_create([placed.obj for placed in tutorial_steps])


def _messages(obj, error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    labels = {field.name: field.verbose_name for field in obj._meta.fields}
    return [f"{name} (« {labels.get(name, name)} ») : {message}"
            for name, messages in error.message_dict.items() for message in messages]
