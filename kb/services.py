"""Writes that turn the editors' draft into what visitors see, called from the admin and
from management commands alike."""

import io
import json
import logging
import smtplib
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from kb import editors, images, selection, tasks
from kb.document import (
    COLLECTIONS,
    FORMAT,
    FORMAT_VERSION,
    DocumentError,
    checksum,
    draft_document,
    load_into_draft,
    parse,
    to_json,
)
from kb.models import (
    ContentVersion,
    GlossaryTerm,
    KnownProblem,
    ScheduledPublication,
    Step,
    SupportLine,
    Tutorial,
)
from kb.snapshot import published
from kb.validation import Problem, problems

REFERENCE_CONTENT = Path(settings.BASE_DIR) / "fixtures" / "content.json"
# An archive holds the document under this name, and each screenshot file under its own.
ARCHIVE_DOCUMENT = "contenu.json"
ZIP_SIGNATURE = b"PK\x03\x04"
logger = logging.getLogger(__name__)
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024  # unpacked: a hundred tutorials' screenshots, or a bomb


class PublishRefused(Exception):
    """Nothing was published; `problems` says, in French, what to fix first."""

    def __init__(self, problems: list[Problem | str]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


class NothingToPublish(PublishRefused):
    """The draft is already what visitors see."""


def published_document() -> dict:
    """What visitors see, as a document (an empty one before the first publication)."""
    latest = ContentVersion.objects.order_by("-number").only("document").first()
    if latest is None:
        return {collection: [] for collection in COLLECTIONS}
    return json.loads(latest.document)


def draft_differs() -> bool:
    """Whether the draft is not what visitors see (the admin says so on every page)."""
    latest = ContentVersion.objects.order_by("-number").only("checksum").first()
    return latest is None or latest.checksum != checksum(to_json(draft_document()))


def pending_changes(user=None, *, draft: dict | None = None) -> list[selection.PendingChange]:
    """The draft's changes object by object, each with what stops it, if anything, its team
    and whether `user` may publish it."""
    draft = draft if draft is not None else draft_document()
    published_now = published_document()
    pending = selection.pending_changes(published_now, draft)
    stopping = {}
    for problem in problems(draft):
        stopping.setdefault((problem.collection, problem.slug), []).append(problem)
    allowed = editors.publishable(user, pending, published_now, draft)
    items = {(c, item["slug"]): item for document in (published_now, draft)
             for c in selection.PREFIXES for item in document.get(c, [])}
    for change in pending:
        change.problems = stopping.get((change.collection, change.slug), [])
        change.team = editors.owner(change.collection, items[change.collection, change.slug])
        change.allowed = change.key in allowed
    return pending


def selected_document(keys: set[str], *, draft: dict | None = None, user=None) -> dict:
    """What visitors see plus the ticked changes of the draft, or PublishRefused naming what
    is wrong: no change ticked, a key that names no change, or a whole that does not hold
    (then with the unticked changes it needs)."""
    draft = draft if draft is not None else draft_document()
    published = published_document()
    pending = selection.pending_changes(published, draft)
    if not keys:
        raise PublishRefused(["Cochez au moins une modification à publier."])
    unknown = sorted(keys - {change.key for change in pending})
    if unknown:
        raise PublishRefused([
            f"« {name} » ne désigne aucune modification du brouillon (les modifications "
            "en attente sont listées sur la page de publication, ou par "
            "« publish_content --liste »)." for name in unknown])
    refused = sorted(keys - editors.publishable(user, pending, published, draft))
    if refused:
        raise PublishRefused([
            f"« {name} » appartient à une autre équipe (ou au contenu national) : seuls ses "
            "éditeurs peuvent le publier." for name in refused])
    document = selection.apply(published, draft, keys)
    found = problems(document)
    if found:
        needed = selection.companions(published, draft, keys, pending)
        if needed:
            # « Cochez aussi X » says it once: not also « … renvoie vers X, qui n'existe pas ».
            missing = {(change.collection, change.slug) for change in needed}
            found = [Problem("", "", "Ce choix ne tient pas seul : cochez aussi "
                             + ", ".join(f"{change.subject} ({change.kind_label})"
                                         for change in needed) + "."),
                     *[problem for problem in found if problem.about not in missing]]
        raise PublishRefused(found)
    return document


@transaction.atomic
def publish_content(*, user=None, note: str = "", only: set[str] | None = None,
                    reverted_to: int | None = None) -> ContentVersion:
    """Validate the whole draft, or what visitors see plus the changes named in `only`, and
    make it the new published version; or refuse and change nothing. The changes not chosen
    stay in the draft. Every process serves the new version within KB_CONTENT_CHECK_SECONDS."""
    if only is None and user is not None and not user.is_superuser:
        # « Tout publier » for an editor: everything they may publish, nothing of others.
        draft, published_now = draft_document(), published_document()
        pending = selection.pending_changes(published_now, draft)
        only = editors.publishable(user, pending, published_now, draft)
    if only is None:
        document = draft_document()
        found = problems(document)
        if found:
            raise PublishRefused(found)
    else:
        document = selected_document(set(only), user=user)
    return publish_document(document, user=user, note=note, reverted_to=reverted_to)


def publish_document(document: dict, *, user=None, note: str = "", by: str = "",
                     reverted_to: int | None = None) -> ContentVersion:
    """Store a validated document as the next version (in the caller's transaction)."""
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
                note=note.strip()[:300],
                published_by=user.get_username() if user else by,
                reverted_to=reverted_to,
            )
    except IntegrityError:
        raise PublishRefused(["Une autre publication vient d'avoir lieu au même moment : "
                              "rechargez la page, vérifiez les différences et réessayez."]
                             ) from None
    transaction.on_commit(published.forget)  # this process at once, the others within 1 s
    return version


@transaction.atomic
def schedule_publication(*, keys: set[str], run_at, user=None, note: str = ""
                         ) -> ScheduledPublication:
    """Check the ticked changes now, as a publication would, and freeze them for `run_at`.
    They are checked again when they run (publish_scheduled)."""
    if run_at <= timezone.now():
        raise PublishRefused(["Choisissez une date et une heure à venir."])
    draft = draft_document()
    selected_document(set(keys), draft=draft, user=user)
    pending = {change.key: change for change in
               selection.pending_changes(published_document(), draft)}
    in_draft = {selection.key(collection, item["slug"]): item
                for collection in selection.PREFIXES for item in draft[collection]}
    scheduled = ScheduledPublication.objects.create(
        run_at=run_at, changes={name: in_draft.get(name) for name in sorted(keys)},
        summary="\n".join(f"{pending[name].subject} ({pending[name].kind_label})"
                          for name in sorted(keys)),
        note=note.strip()[:300], scheduled_by=user.get_username() if user else "",
        notify=getattr(user, "email", "") or "",
    )
    # The queue runs it at its time; the timer command is the fallback (README).
    transaction.on_commit(lambda: tasks.publish_scheduled.using(run_after=run_at).enqueue())
    return scheduled


def run_scheduled_publications(now=None) -> list[ScheduledPublication]:
    """Publish what is due, each on top of what visitors see at that moment and after the
    whole checks. A refused one changes nothing and its editor is told by e-mail. Several
    timers at once never run one twice: each is claimed by a conditional update."""
    now = now or timezone.now()
    done = []
    due = ScheduledPublication.objects.filter(
        status=ScheduledPublication.Status.WAITING, run_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        claimed = ScheduledPublication.objects.filter(
            pk=pk, status=ScheduledPublication.Status.WAITING).update(
            status=ScheduledPublication.Status.RUNNING)
        if not claimed:
            continue
        scheduled = ScheduledPublication.objects.get(pk=pk)
        frozen = {"format": FORMAT, "format_version": FORMAT_VERSION,
                  **{collection: [] for collection in COLLECTIONS}}
        for name, item in scheduled.changes.items():
            if item is not None:
                frozen[selection.COLLECTION_OF[name.partition(":")[0]]].append(item)
        try:
            with transaction.atomic():
                document = selection.apply(published_document(), frozen,
                                           set(scheduled.changes))
                found = problems(document)
                if found:
                    raise PublishRefused(found)
                version = publish_document(
                    document, by=scheduled.scheduled_by,
                    note=scheduled.note or "Publication programmée")
        except PublishRefused as refused:
            scheduled.status = ScheduledPublication.Status.REFUSED
            scheduled.outcome = "\n".join(str(problem) for problem in refused.problems)
            scheduled.save(update_fields=["status", "outcome"])
            _tell_refused(scheduled)
        else:
            scheduled.status = ScheduledPublication.Status.PUBLISHED
            scheduled.version_number = version.number
            scheduled.outcome = f"Version {version.number} publiée."
            scheduled.save(update_fields=["status", "version_number", "outcome"])
        done.append(scheduled)
    return done


def _tell_refused(scheduled: ScheduledPublication) -> None:
    """The editor who scheduled it learns why nothing changed (never fails the run)."""
    if not scheduled.notify:
        logger.warning("Publication programmée %s refusée ; personne à prévenir.",
                       scheduled.pk)
        return
    body = render_to_string("kb/mail/scheduled_refused.txt", {
        "scheduled": scheduled, "site": settings.TRIAGE_SITE_URL})
    try:
        send_mail(f"Publication programmée refusée : {scheduled}", str(body),
                  settings.DEFAULT_FROM_EMAIL, [scheduled.notify])
    except (OSError, smtplib.SMTPException):
        logger.exception("Publication programmée %s refusée ; l'e-mail n'est pas parti.",
                         scheduled.pk)


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


OVERLAY_FORMAT = "assistance-ecps/ajouts-equipe"
TEAM_OWNED = ("support_lines", "tutorials", "known_problems")


def export_overlay(team: str, version: ContentVersion | None = None) -> str:
    """One team's overlay as published in `version` (the latest by default): its additions
    and its own lines, tutorials and known problems; never a national object."""
    version = version or ContentVersion.objects.order_by("-number").first()
    document = json.loads(version.document) if version else {}
    overlay = next((item for item in document.get("overlays", []) if item["slug"] == team),
                   None)
    return to_json({
        "format": OVERLAY_FORMAT, "format_version": FORMAT_VERSION, "team": team,
        "overlay": overlay,
        **{collection: [item for item in document.get(collection, [])
                        if item.get("team", "") == team] for collection in TEAM_OWNED},
    })


def import_overlay(text: str) -> str:
    """Replace one team's overlay in the draft by an export of it, after the checks a
    publication makes on what the file holds; the rest of the draft is untouched. Returns the
    team's slug; DocumentError and an unchanged draft on any fault."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise DocumentError(["Ce fichier n'est pas du JSON valide."]) from None
    if not isinstance(data, dict) or data.get("format") != OVERLAY_FORMAT:
        raise DocumentError([f"Ce fichier n'est pas un export des ajouts d'une équipe : la clé "
                             f"« format » doit valoir « {OVERLAY_FORMAT} »."])
    team = data.get("team")
    if not isinstance(team, str) or not team:
        raise DocumentError(["team : l'identifiant de l'équipe manque."])
    unknown = set(data) - {"format", "format_version", "team", "overlay", *TEAM_OWNED}
    if unknown:
        raise DocumentError([f"{key} : clé inconnue." for key in sorted(unknown)])
    # Its shape is checked as a content document's would be.
    parsed = parse(to_json({
        "format": FORMAT, "format_version": data.get("format_version"),
        **{collection: data.get(collection, []) for collection in TEAM_OWNED},
        "overlays": [data["overlay"]] if data.get("overlay") else []}))
    errors = [f"{collection}[{i}] (« {item['slug']} ») : appartient à l'équipe "
              f"« {item.get('team', '')} », pas à « {team} »."
              for collection in TEAM_OWNED for i, item in enumerate(parsed[collection])
              if item.get("team", "") != team]
    if parsed["overlays"] and parsed["overlays"][0]["slug"] != team:
        errors.append(f"overlay.slug : « {parsed['overlays'][0]['slug']} » au lieu de "
                      f"« {team} ».")
    if errors:
        raise DocumentError(errors)
    draft = draft_document()
    draft.setdefault("overlays", [])
    for collection in TEAM_OWNED:
        theirs = {item["slug"] for item in parsed[collection]}
        clash = [item["slug"] for item in draft[collection]
                 if item["slug"] in theirs and item.get("team", "") != team]
        if clash:
            raise DocumentError([f"{collection} : « {slug} » existe déjà hors de l'équipe "
                                 f"« {team} »." for slug in clash])
        draft[collection] = [item for item in draft[collection]
                             if item.get("team", "") != team] + parsed[collection]
    draft["overlays"] = [item for item in draft["overlays"] if item["slug"] != team
                         ] + parsed["overlays"]
    mine = {(collection, item["slug"]) for collection in TEAM_OWNED
            for item in parsed[collection]} | {("overlays", team)}
    found = [problem for problem in problems(draft) if (problem.collection, problem.slug) in mine]
    if found:
        raise DocumentError([str(problem) for problem in found])
    load_into_draft(draft)
    return team


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
