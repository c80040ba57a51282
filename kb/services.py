"""Writes that turn the editors' draft into what visitors see, called from the admin and
from management commands alike."""

import json
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from kb.document import (
    COLLECTIONS,
    DocumentError,
    checksum,
    draft_document,
    load_into_draft,
    parse,
    to_json,
)
from kb.models import ContentVersion, GlossaryTerm, KnownProblem, Step, SupportLine, Tutorial
from kb.snapshot import published
from kb.validation import Problem, problems

REFERENCE_CONTENT = Path(settings.BASE_DIR) / "fixtures" / "content.json"


class PublishRefused(Exception):
    """Nothing was published; `problems` says, in French, what to fix first."""

    def __init__(self, problems: list[Problem | str]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


class NothingToPublish(PublishRefused):
    """The draft is already what visitors see."""


def draft_differs() -> bool:
    """Whether the draft is not what visitors see (the admin says so on every page)."""
    latest = ContentVersion.objects.order_by("-number").only("checksum").first()
    return latest is None or latest.checksum != checksum(to_json(draft_document()))


@transaction.atomic
def publish_content(*, user=None, note: str = "", reverted_to: int | None = None
                    ) -> ContentVersion:
    """Validate the whole draft and make it the new published version, or refuse and change
    nothing. Every process serves it within KB_CONTENT_CHECK_SECONDS."""
    document = draft_document()
    found = problems(document)
    if found:
        raise PublishRefused(found)
    text = to_json(document)
    digest = checksum(text)
    latest = ContentVersion.objects.select_for_update().order_by("-number").first()
    if latest and latest.checksum == digest and reverted_to is None:
        raise NothingToPublish([f"Le brouillon est identique à la version {latest.number} "
                              "publiée : il n'y a rien de nouveau à publier."])
    try:
        with transaction.atomic():
            version = ContentVersion.objects.create(
                number=(latest.number if latest else 0) + 1, document=text, checksum=digest,
                note=note.strip()[:300], published_by=user.get_username() if user else "",
                reverted_to=reverted_to,
            )
    except IntegrityError:
        raise PublishRefused(["Une autre publication vient d'avoir lieu au même moment : "
                              "rechargez la page, vérifiez les différences et réessayez."]
                             ) from None
    transaction.on_commit(published.forget)  # this process at once, the others within 1 s
    return version


@transaction.atomic
def revert_content(*, number: int, user=None, note: str = "") -> ContentVersion:
    """Publish version `number` again, as a new version, and reset the draft to it."""
    try:
        earlier = ContentVersion.objects.get(number=number)
    except ContentVersion.DoesNotExist:
        raise PublishRefused([f"La version {number} n'existe pas."]) from None
    load_into_draft(json.loads(earlier.document))
    return publish_content(user=user, note=note or f"Retour à la version {number}",
                           reverted_to=number)


@transaction.atomic
def import_content(*, text: str) -> None:
    """Replace the draft by a document (an export, or the reference content), after checking
    it as a publication would. On any fault, DocumentError and an unchanged draft."""
    document = parse(text)
    found = problems(document)
    if found:
        places = {(collection, item["slug"]): f"{collection}[{i}] (« {item['slug']} »)"
                  for collection in COLLECTIONS for i, item in enumerate(document[collection])}
        raise DocumentError([
            f"{places.get((p.collection, p.slug), p.collection)} : {p}" for p in found])
    load_into_draft(document)


def has_content() -> bool:
    return ContentVersion.objects.exists() or any(
        model.objects.exists()
        for model in (Step, SupportLine, Tutorial, KnownProblem, GlossaryTerm)
    )


def load_reference_content(*, replace: bool = False, user=None) -> ContentVersion | None:
    """The reference content of fixtures/content.json, published. Without `replace`, only
    into a database that has no content at all: editors' work is never overwritten. With it,
    a new draft and version that can be reverted like any other."""
    if not replace and ContentVersion.objects.exists():
        return None
    if replace or not has_content():
        import_content(text=REFERENCE_CONTENT.read_text(encoding="utf-8"))
        note = "Contenu de référence (fixtures/content.json)"
    else:  # a database from before versions existed: its draft becomes version 1
        note = "Première publication du contenu existant"
    try:
        return publish_content(user=user, note=note)
    except NothingToPublish:
        return None  # the reference was already what visitors see
