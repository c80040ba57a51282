"""Publishing what is ready, not everything: the draft's changes object by object, and the
document made of the published version plus the changes an editor ticked.

A change is one object of the document (a line, a step with its answers, a tutorial with its
steps, a known problem, a glossary term) that the draft adds, changes or removes. Its key
names it for people and for the command line: « ligne:ans-support-cartes ». The published
document plus a selection of changes is then validated as a whole, like the full draft: a
selection that would leave a dead end is refused, and the unticked changes it needs (its
companions: what it points to, or what points to it) are named.
"""

from dataclasses import dataclass, field

from kb.diff import Change, describe, diff_documents, step_headings
from kb.document import LINE_REFERENCE

# Key prefixes, in French, for the command line and the form: « ligne:ans-support-cartes ».
PREFIXES = {
    "support_lines": "ligne", "steps": "etape", "tutorials": "tutoriel",
    "known_problems": "probleme", "glossary": "terme", "overlays": "equipe",
}
COLLECTION_OF = {prefix: collection for collection, prefix in PREFIXES.items()}

# The order the draft lists each collection in (kb.document.draft_document).
SORT_KEYS = {
    "support_lines": lambda item: (item.get("position", 0), item["name"], item["slug"]),
    "steps": lambda item: item["slug"],
    "tutorials": lambda item: (item.get("position", 0), item["title"], item["slug"]),
    "known_problems": lambda item: (item.get("position", 0), item["symptom"], item["slug"]),
    "glossary": lambda item: (item["term"], item["slug"]),
    "overlays": lambda item: item["slug"],
}


def key(collection: str, slug: str) -> str:
    return f"{PREFIXES[collection]}:{slug}"


@dataclass
class PendingChange:
    """One object the draft adds, changes or removes, with its field-by-field changes."""

    collection: str
    slug: str
    subject: str  # « Ligne « Support des cartes CPx » »
    kind: str  # "ajout", "modification" or "suppression"
    changes: list[Change] = field(default_factory=list)
    problems: list = field(default_factory=list)  # what stops it in the draft, if anything

    @property
    def key(self) -> str:
        return key(self.collection, self.slug)

    @property
    def kind_label(self) -> str:
        return {"ajout": "nouveau", "modification": "modifié", "suppression": "supprimé"}[
            self.kind]


def _by_slug(document: dict, collection: str) -> dict[str, dict]:
    return {item["slug"]: item for item in document.get(collection, [])}


def pending_changes(published: dict, draft: dict) -> list[PendingChange]:
    """Every object that differs between what visitors see and the draft, in the order of
    the draft (lines, steps, tutorials, known problems, terms)."""
    pending = []
    headings = step_headings(published, draft)
    for collection in PREFIXES:
        before, after = _by_slug(published, collection), _by_slug(draft, collection)
        for slug, item in after.items():
            if slug not in before:
                pending.append(PendingChange(collection, slug, describe(collection, item),
                                             "ajout"))
            elif before[slug] != item:
                pending.append(PendingChange(
                    collection, slug, describe(collection, item), "modification",
                    diff_documents({collection: [before[slug]]}, {collection: [item]},
                                   headings)))
        for slug, item in before.items():
            if slug not in after:
                pending.append(PendingChange(collection, slug, describe(collection, item),
                                             "suppression"))
    return pending


def apply(published: dict, draft: dict, keys: set[str]) -> dict:
    """The published document with the draft's version of each object in `keys` (added,
    replaced or removed). Every other object stays as visitors see it. The keys are checked
    by the caller (kb.services.selected_document), against the draft's pending changes."""
    wanted = {}
    for name in keys:
        prefix, _, slug = name.partition(":")
        wanted.setdefault(COLLECTION_OF[prefix], set()).add(slug)
    document = {**published, "format": draft["format"],
                "format_version": draft["format_version"]}
    for collection, slugs in wanted.items():
        items = _by_slug(published, collection)
        after = _by_slug(draft, collection)
        for slug in slugs:
            if slug in after:
                items[slug] = after[slug]
            else:  # removed (if a scheduled removal finds it gone already, nothing to do)
                items.pop(slug, None)
        document[collection] = sorted(items.values(), key=SORT_KEYS[collection])
    return document


def references(collection: str, item: dict) -> set[tuple[str, str]]:
    """The objects an object points to, as (collection, slug)."""
    found = set()

    def add(target_collection, slugs):
        found.update((target_collection, slug) for slug in slugs if slug)

    # Lines cited in its texts ([[ligne:…]], kb.validation).
    texts = " ".join(str(item.get(field, "")) for field in ("body", "fix", "prerequisites"))
    texts += " ".join(f"{step.get('body', '')} {step.get('warning', '')}"
                      for step in item.get("steps", []) if isinstance(step, dict))
    add("support_lines", LINE_REFERENCE.findall(texts))

    if collection == "steps":
        add("tutorials", [item.get("tutorial")])
        add("support_lines", item.get("support_lines", []))
        add("known_problems", item.get("known_problems", []))
        add("steps", [answer["next_step"] for answer in item.get("answers", [])])
    elif collection == "tutorials":
        add("tutorials", item.get("related", []))
        add("steps", [item.get("help_step")])
        add("support_lines", item.get("help_lines", []))
    elif collection == "overlays":
        add("support_lines", item.get("lines", []))
        for addition in item.get("steps", []):
            add("steps", [addition["step"]])
            add("support_lines", addition["support_lines"])
    elif collection == "known_problems":
        add("support_lines", [item.get("support_line")])
        add("tutorials", [item.get("tutorial")])
    return found


def companions(published: dict, draft: dict, keys: set[str],
               pending: list[PendingChange]) -> list[PendingChange]:
    """The unticked changes linked to a ticked one: it points to them, or they point to it,
    in the draft or in what visitors see. Named when a selection is refused."""
    ticked = {(change.collection, change.slug) for change in pending if change.key in keys}
    linked = set()
    for document in (published, draft):
        for collection in PREFIXES:
            for item in document.get(collection, []):
                here = (collection, item["slug"])
                targets = references(collection, item)
                if here in ticked:
                    linked |= targets
                elif targets & ticked:
                    linked.add(here)
    return [change for change in pending
            if change.key not in keys and (change.collection, change.slug) in linked]
