"""What changed between two content documents, in French, field by field with the old and
the new value: « Ligne « Support des cartes CPx » : téléphone 0 825 85 20 00 → 0 825 85 20 01 »."""

from dataclasses import dataclass

from kb.document import COLLECTION_MODELS, COLLECTIONS, TUTORIAL_STEP_FIELDS
from kb.models import TutorialStep

KIND_NAMES = {
    "support_lines": "Ligne", "steps": "Étape", "tutorials": "Tutoriel",
    "known_problems": "Problème connu", "glossary": "Terme", "overlays": "Ajouts de l'équipe",
}
# A new screenshot has a new file name: its size changing too is no news.
SAID_BY_THE_SCREENSHOT = {"screenshot_width", "screenshot_height"}
EXTRA_LABELS = {"answers": "réponses", "steps": "étapes"}


@dataclass(frozen=True)
class Change:
    subject: str  # « Ligne « Support des cartes CPx » »
    field: str  # « téléphone », or "" for an added or removed object
    old: str
    new: str

    def __str__(self):
        if not self.field:
            return f"{self.subject} : {'ajout' if not self.old else 'suppression'}"
        return f"{self.subject} : {self.field} {self.old or '(vide)'} → {self.new or '(vide)'}"


def step_headings(*documents: dict) -> dict[str, str]:
    """Each step's title (or question) by slug, the later documents winning."""
    return {step["slug"]: step.get("title") or step.get("question") or step["slug"]
            for document in documents for step in document.get("steps", [])}


def diff_documents(old: dict, new: dict, headings: dict | None = None) -> list[Change]:
    """`headings` names the steps that answers lead to (by default, from both documents)."""
    headings = headings if headings is not None else step_headings(old, new)
    changes = []
    for collection, fields in COLLECTIONS.items():
        before = {item["slug"]: item for item in old.get(collection, [])}
        after = {item["slug"]: item for item in new.get(collection, [])}
        for slug, item in after.items():
            subject = describe(collection, item)
            if slug not in before:
                changes.append(Change(subject, "", "", "ajouté"))
                continue
            changes += _field_changes(collection, subject, fields, before[slug], item,
                                      headings)
        changes += [Change(describe(collection, item), "", "supprimé", "")
                    for slug, item in before.items() if slug not in after]
    return changes


def describe(collection: str, item: dict) -> str:
    name = (item.get("name") or item.get("title") or item.get("question")
            or item.get("symptom") or item.get("term") or item.get("slug"))
    return f"{KIND_NAMES[collection]} « {name} »"


def _label(collection: str, field: str) -> str:
    if field in EXTRA_LABELS:  # lists in the document, reverse relations in the models
        return EXTRA_LABELS[field]
    return str(COLLECTION_MODELS[collection]._meta.get_field(field).verbose_name)


def _field_changes(collection, subject, fields, old, new, headings) -> list[Change]:
    changes = []
    for field in fields:
        if field.endswith("_html") or old.get(field) == new.get(field):
            continue
        if collection == "tutorials" and field == "steps":
            changes += _tutorial_step_changes(subject, old["steps"], new["steps"])
        elif collection == "overlays" and field == "steps":
            changes.append(Change(subject, "lignes en tête sur des étapes",
                                  _additions(old[field], headings),
                                  _additions(new[field], headings)))
        elif field == "answers":
            changes.append(Change(subject, _label(collection, field),
                                  _answers(old[field], headings),
                                  _answers(new[field], headings)))
        else:
            changes.append(Change(subject, _label(collection, field),
                                  _text(old.get(field)), _text(new.get(field))))
    return changes


def _tutorial_step_changes(subject, old_steps, new_steps) -> list[Change]:
    changes = []
    for n in range(max(len(old_steps), len(new_steps))):
        where = f"{subject}, étape {n + 1}"
        if n >= len(old_steps):
            changes.append(Change(where, "", "", f"ajoutée : {new_steps[n]['title']}"))
        elif n >= len(new_steps):
            changes.append(Change(where, "", f"supprimée : {old_steps[n]['title']}", ""))
        else:
            for field, empty in TUTORIAL_STEP_FIELDS.items():
                if field.endswith("_html") or field in SAID_BY_THE_SCREENSHOT:
                    continue
                before, after = old_steps[n].get(field, empty), new_steps[n].get(field, empty)
                if before != after:
                    label = str(TutorialStep._meta.get_field(field).verbose_name)
                    changes.append(Change(where, label, _text(before), _text(after)))
    return changes


def _answers(answers: list[dict], headings: dict) -> str:
    """One answer a line: « Oui » → « Votre e-CPS est activée… »."""
    return "\n".join(f"« {a['label']} » → « {headings.get(a['next_step'], a['next_step'])} »"
                     for a in answers)


def _additions(additions: list[dict], headings: dict) -> str:
    return "\n".join(f"« {headings.get(a['step'], a['step'])} » : {', '.join(a['support_lines'])}"
                     for a in additions)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)

