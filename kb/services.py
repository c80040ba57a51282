"""Writes that turn the editors' draft into what visitors see, called from the admin and
from management commands alike."""

import io
import json
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from kb import images
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
# An archive holds the document under this name, and each screenshot file under its own.
ARCHIVE_DOCUMENT = "contenu.json"
ZIP_SIGNATURE = b"PK\x03\x04"
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024  # unpacked: a hundred tutorials' screenshots, or a bomb


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
def import_content(*, text: str, files: dict[str, bytes] | None = None) -> None:
    """Replace the draft by a document (an export, or the reference content), after checking
    it as a publication would. Its screenshots must be on the site already or among `files`
    (from an archive), which are then written to the storage. On any fault, DocumentError
    and an unchanged draft."""
    document = parse(text)
    found = problems(document)
    if found:
        places = {(collection, item["slug"]): f"{collection}[{i}] (« {item['slug']} »)"
                  for collection in COLLECTIONS for i, item in enumerate(document[collection])}
        raise DocumentError([
            f"{places.get((p.collection, p.slug), p.collection)} : {p}" for p in found])
    files = files or {}
    to_write, missing = {}, []
    for name, place in images.stored_files(document):
        if name in to_write or default_storage.exists(name):
            continue
        if name in files and images.is_image(files[name]):
            to_write[name] = files[name]
        else:
            missing.append(f"{place} : l'image « {name} » n'est ni sur le site ni dans le "
                           "fichier. Importez l'archive .zip exportée avec ses images.")
    if missing:
        raise DocumentError(missing)
    # Before the draft: a file no draft shows costs nothing; a draft showing no file would.
    for name, data in to_write.items():
        default_storage.save(name, ContentFile(data))
    load_into_draft(document)


def export_archive(version: ContentVersion) -> bytes:
    """A version with the screenshots it shows, as one .zip file that import_archive reads
    on another site (a test server, a new installation)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(ARCHIVE_DOCUMENT, version.document)
        for name in dict(images.stored_files(json.loads(version.document))):
            try:
                with default_storage.open(name) as file:
                    # WebP is compressed already: stored as it is.
                    archive.writestr(name, file.read(), compress_type=zipfile.ZIP_STORED)
            except FileNotFoundError:
                continue  # lost from the storage: the import will name it
    return out.getvalue()


def read_archive(data: bytes) -> tuple[str, dict[str, bytes]]:
    """The document and the screenshot files of an archive, or DocumentError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError(["Cette archive .zip est illisible."]) from None
    with archive:
        entries = {entry.filename: entry for entry in archive.infolist()}
        if ARCHIVE_DOCUMENT not in entries:
            raise DocumentError([f"Cette archive ne contient pas de « {ARCHIVE_DOCUMENT} » : "
                                 "ce n'est pas un export de contenu."])
        if sum(entry.file_size for entry in entries.values()) > MAX_ARCHIVE_BYTES:
            raise DocumentError(["Cette archive dépasse 200 Mo une fois décompressée : ce "
                                 "n'est pas un export de contenu."])
        try:
            text = archive.read(ARCHIVE_DOCUMENT).decode("utf-8")
            files = {name: archive.read(name) for name in entries
                     if images.SERVED_NAME.fullmatch(name)}
        except UnicodeDecodeError:
            raise DocumentError([f"« {ARCHIVE_DOCUMENT} » n'est pas un texte UTF-8."]) from None
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise DocumentError([f"Cette archive .zip est abîmée : {error}."]) from None
    return text, files


def import_file(data: bytes) -> None:
    """An uploaded export, JSON or .zip archive (told apart by their first bytes), into the
    draft: the admin's import and `manage.py import_content` alike."""
    if data.startswith(ZIP_SIGNATURE):
        text, files = read_archive(data)
        import_content(text=text, files=files)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(["Ce fichier n'est ni un texte UTF-8 ni une archive .zip : ce "
                             "n'est pas un export de contenu."]) from None
    import_content(text=text)


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
