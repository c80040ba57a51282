"""Replies by e-mail, back into their ticket.

A professional answers an agent's e-mail from their mail client; the mail server hands the
message to `manage.py receive_mail` (a pipe transport) or leaves it in a mailbox that
`manage.py poll_mailbox` reads (IMAP). Either way `receive(raw)` decides what it is:

- the ticket it answers: our Message-ID in In-Reply-To or References (unguessable), then
  the ticket's reference in the subject *from the ticket's own address* (references follow
  each other: a stranger must not write into someone's ticket by guessing one), then the
  private link quoted in the body (signed). Never the sender's address alone;
- what is new in it: the plain text (or the HTML made text), quoted history and signature
  cut off (mail-parser-reply, French and English headers, after the clean-up below);
- whether a machine wrote it (out of office, bounce, list): noted on the ticket, never
  treated as an answer, so that two robots never write to each other forever.

The answer then has the same effects as one written on the private page
(triage.services.professional_answer): the ticket is « à traiter » again, its agent told. A
closed ticket is reopened as long as it is kept (TRIAGE_RETENTION_MONTHS, after which its
personal data is purged and nothing can match it any more): a reply to « c'est réglé » is
the professional saying it is not.
"""

import hashlib
import io
import logging
import re
import time
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _
from mailparser_reply.parser import EmailMessage as ReplyParser

from kb.privacy import contains_secret
from triage.models import Attachment, OutgoingMail, Ticket, TicketEvent
from triage.services import professional_answer, queue_mail, render_mail_text

logger = logging.getLogger(__name__)

MAX_TEXT = 5000  # as the help form's description
# A sender writing more than this in a minute is a loop or a flood: left for later.
FLOOD = (50, 60)
REFERENCE = re.compile(r"\bECPS-(\d{4})-(\d{6,})\b", re.IGNORECASE)
FOLLOW_TOKEN = re.compile(r"/aide/suivi/([A-Za-z0-9_:.-]+)/")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class Received:
    """What became of one message. `result` is one of RESULTS' keys."""

    result: str
    ticket: Ticket | None = None
    # It held a password or a PIN (masked in the ticket): the mailbox must not keep it.
    secret: bool = False

    @property
    def for_the_team(self) -> bool:
        """Left in the team's mailbox (a folder of its own), not processed."""
        return self.result in ("unmatched", "unreadable")


# What the commands print, for whoever runs them.
RESULTS = {
    "threaded": "ajouté à son ticket",
    "automatic": "message automatique, noté sur son ticket",
    "duplicate": "déjà reçu",
    "unmatched": "rattaché à aucun ticket, laissé à l'équipe",
    "throttled": "expéditeur trop rapide, remis à plus tard",
    "unreadable": "illisible, laissé à l'équipe",
}


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


def header(message, name: str) -> str:
    """A header as text, whatever it holds: a malformed one is read as empty, never raised."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - the email package raises many kinds on broken headers
        return ""
    return str(value or "").strip()


# --- Machines ------------------------------------------------------------------------------

def automatic_reason(message) -> str:
    """Why this message was written by a machine (an out-of-office reply, a bounce, a list),
    or "" for a person. The headers RFC 3834 and the common mail servers set."""
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "Auto-Submitted"
    for name in ("X-Autoreply", "X-Autorespond", "X-Loop", "List-Id", "List-Unsubscribe"):
        if header(message, name):
            return name
    if re.search(r"\b(all|oof|autoreply|dr)\b", header(message, "X-Auto-Response-Suppress"),
                 re.IGNORECASE):
        return "X-Auto-Response-Suppress"
    if header(message, "Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return "Precedence"
    if message.get_content_type() == "multipart/report" or any(
            part.get_content_type() == "message/delivery-status" for part in message.walk()):
        return "delivery-status"
    sender = parseaddr(header(message, "From"))[1].lower()
    if sender.split("@")[0] in ("mailer-daemon", "postmaster") or header(
            message, "Return-Path") == "<>":
        return "bounce"
    return ""


# --- The ticket it answers ----------------------------------------------------------------

def referenced_ids(message) -> list[str]:
    return MESSAGE_ID.findall(" ".join(
        [header(message, "In-Reply-To"), header(message, "References")]))


def find_ticket(message, text: str) -> Ticket | None:
    ids = referenced_ids(message)
    ticket = None
    if ids:
        # Only mails to the professional: an agent answering the notice of a new answer
        # is not the professional answering.
        mail = OutgoingMail.objects.filter(message_id__in=ids, to_agent=False).select_related(
            "ticket").first()
        event = None if mail else TicketEvent.objects.filter(
            message_id__in=ids).select_related("ticket").first()
        ticket = mail.ticket if mail else event.ticket if event else None
    if ticket is None:
        ticket = _by_reference(message)
    if ticket is None:
        ticket = _by_private_link(text)
    for _hop in range(5):  # a merged ticket's answers go to the one kept
        if ticket is None or ticket.merged_into_id is None:
            break
        ticket = ticket.merged_into
    if ticket is not None and ticket.anonymised_at is not None:
        return None  # purged: nothing personal left to answer into
    return ticket


def _by_reference(message) -> Ticket | None:
    found = REFERENCE.search(header(message, "Subject"))
    sender = parseaddr(header(message, "From"))[1]
    if not found or not sender:
        return None
    ticket = Ticket.objects.filter(pk=int(found[2])).first()
    if (ticket and ticket.created_at.year == int(found[1])
            and ticket.email.lower() == sender.lower()):
        return ticket
    return None


def _by_private_link(text: str) -> Ticket | None:
    for token in FOLLOW_TOKEN.findall(text):
        pk = Ticket.pk_from_follow_token(token)
        if pk is not None:
            return Ticket.objects.filter(pk=pk).first()
    return None


# --- What is new in it ----------------------------------------------------------------------

class _HtmlText(HTMLParser):
    """An HTML mail as the text a person reads, without what it quotes (<blockquote>)."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"}

    def __init__(self):
        super().__init__()
        self.parts, self._quoted, self._skipped = [], 0, 0

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self._skipped = 0  # a <head> left open (HTML allows it) ends here
        if tag == "blockquote":
            self._quoted += 1
        elif tag in ("style", "script", "head"):
            self._skipped += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self._quoted = max(0, self._quoted - 1)
        elif tag in ("style", "script", "head"):
            self._skipped = max(0, self._skipped - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._quoted and not self._skipped:
            self.parts.append(data)


def body_text(message) -> str:
    """The message's text: its plain part, else its HTML part as text. A wrong or unknown
    charset is read with replacement characters rather than refused."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001 - broken MIME structure
        part = None
    if part is None:
        return ""
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - unknown charset, broken encoding
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        reader = _HtmlText()
        reader.feed(content)
        reader.close()
        content = "".join(reader.parts)
    return CONTROL.sub("", content.replace("\r\n", "\n"))


# Control characters a database refuses (NUL) or a page cannot show; not \n nor \t.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# What mail-parser-reply misses in French clients (tested on real replies: see the tests).
WRAPPED_WROTE = re.compile(r"^(Le .{5,200}?)\n(.{0,120}a écrit\s?:)\s*$", re.MULTILINE)
CUT_BEFORE = [
    re.compile(r"^-{2,}\s*(Message d'origine|Original Message|Message transféré)\s*-{2,}\s*$",
               re.MULTILINE | re.IGNORECASE),
    # Outlook's header block: « De : … » then, within four lines, « Objet : » or « Envoyé : ».
    re.compile(r"^\*?De\s?:\*?\s.*\n(?:.*\n){0,4}?\*?(?:Objet|À|Envoyé|Date)\s?:",
               re.MULTILINE),
    re.compile(r"^_{10,}\s*$", re.MULTILINE),
]
SENT_FROM = re.compile(r"^(Envoyé|Envoyée) (de|depuis) (mon|Outlook|l'application) .{0,40}$",
                       re.MULTILINE | re.IGNORECASE)


def new_text(full: str) -> str:
    """What the person wrote in this message, without the history their client quoted nor
    their signature. The whole text when that leaves nothing (better too much than nothing)."""
    text = WRAPPED_WROTE.sub(r"\1 \2", full)
    for pattern in CUT_BEFORE:
        found = pattern.search(text)
        if found:
            text = text[:found.start()]
    text = SENT_FROM.sub("", text)
    try:
        replies = ReplyParser(text=text, languages=["fr", "en"],
                              keep_hyphen_lists=True).read().replies
        kept = replies[0].body if replies else text
    except Exception:  # noqa: BLE001 - a parser's regex on an odd text: keep it whole
        kept = text
    kept = "\n".join(line for line in kept.splitlines() if not line.startswith(">"))
    kept = re.sub(r"\n{3,}", "\n\n", kept).strip()
    return (kept or full.strip())[:MAX_TEXT]


MASKED = "[Passage masqué : il semblait contenir un mot de passe ou un code PIN.]"


def mask_secrets(text: str) -> tuple[str, bool]:
    """A password or a PIN written in a mail (the privacy guard, kb.privacy) is never kept:
    each paragraph that gives one is replaced by a notice, the whole text if the secret
    still shows across paragraphs. Better to lose a sentence than to store a secret."""
    if not contains_secret(text):
        return text, False
    paragraphs = [MASKED if contains_secret(paragraph) else paragraph
                  for paragraph in re.split(r"\n\s*\n", text)]
    masked = "\n\n".join(paragraphs)
    return (MASKED if contains_secret(masked) else masked), True


# --- Receiving -----------------------------------------------------------------------------

def _flooding(message) -> bool:
    """More than FLOOD's count from one sender within the current minute. A fixed window
    (its key names the minute): a cache that pushes an expiry back on each count (the
    database cache does) can never keep a sender throttled beyond it."""
    sender = parseaddr(header(message, "From"))[1].lower()
    count, period = FLOOD
    window = int(time.time() // period)
    key = f"triage:inbound:{hashlib.sha256(sender.encode()).hexdigest()[:32]}:{window}"
    cache.add(key, 0, period * 2)
    try:
        return cache.incr(key) > count
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period * 2)
        return False


def receive(raw: bytes) -> Received:
    """Files one message. Never raises on what the message holds (the poller and the pipe
    go on with the next one); logs one line without any personal data."""
    try:
        message = parse(raw)
        received = _receive(message)
    except DatabaseError:
        raise  # not the mail's fault: it stays where it is, for the next pass or delivery
    except Exception as error:  # noqa: BLE001 - a mail nobody can read must not stop the rest
        logger.warning("inbound mail unreadable: %s", type(error).__name__)
        return Received("unreadable")
    logger.info("inbound mail: %s%s", received.result,
                f" (ticket {received.ticket.pk})" if received.ticket else "")
    return received


def _receive(message) -> Received:
    message_id = (MESSAGE_ID.findall(header(message, "Message-ID")) or [""])[0][:300]
    if message_id and (OutgoingMail.objects.filter(message_id=message_id).exists()
                       or TicketEvent.objects.filter(message_id=message_id).exists()):
        return Received("duplicate")  # already filed, or our own mail come back
    if _flooding(message):
        return Received("throttled")
    full = body_text(message)
    ticket = find_ticket(message, full)
    if ticket is None:
        return Received("unmatched")
    reason = automatic_reason(message)
    try:
        with transaction.atomic():
            if reason:
                TicketEvent.objects.create(
                    ticket=ticket, kind=TicketEvent.Kind.NOTE, message_id=message_id or None,
                    summary=_("Message automatique reçu (%(subject)s), non traité comme une "
                              "réponse") % {"subject": header(message, "Subject")[:120]})
                return Received("automatic", ticket)
            text, masked = mask_secrets(new_text(full))
            kept, refused = sort_attachments(message)
            if refused:
                text += "\n\n" + _("[Pièces jointes non conservées (seules les images et les "
                                   "PDF de %(size)s Mo au plus le sont) : %(names)s]") % {
                    "size": ATTACHMENT_MAX_BYTES // (1024 * 1024), "names": ", ".join(refused)}
            event = professional_answer(ticket=ticket, text=text)
            for name, content_type, data in kept:
                store_attachment(event, name, content_type, data)
            event.message_id = message_id or None
            event.summary = _("Le demandeur a répondu par e-mail")
            event.save(update_fields=["message_id", "summary"])
            if masked:
                _tell_once_about_the_secret(ticket)
    except IntegrityError:
        return Received("duplicate")  # the same message filed at the same time elsewhere
    return Received("threaded", ticket, secret=masked)


# On the ticket's timeline, and how the notice is found again so that it is sent once.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
IMAGE_FORMATS = ["PNG", "JPEG", "GIF", "WEBP"]
MAX_PIXELS = 25_000_000  # a 4K screen is 8.3 million; each image is decoded in memory


def sort_attachments(message) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """(kept, refused names): images and PDFs up to the limit, re-read to make sure they are
    what they say (an image re-encoded without its metadata, a PDF by its signature)."""
    kept, refused = [], []
    for part in message.iter_attachments():
        name = " ".join(CONTROL.sub("", part.get_filename() or _("sans nom")).split())[:150]
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001 - a broken encoding: refused like any other
            data = b""
        if len(kept) < ATTACHMENT_MAX_COUNT and 0 < len(data) <= ATTACHMENT_MAX_BYTES:
            image = _as_png(data)
            if image is not None:
                kept.append((name, "image/png", image))
                continue
            if data.startswith(b"%PDF-"):
                kept.append((name, "application/pdf", data))
                continue
        refused.append(name)
    return kept, refused


def _as_png(data: bytes) -> bytes | None:
    """An image as a fresh PNG (what it carried besides its pixels left behind), or None
    when the bytes are not an image."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.load()
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            upright.convert("RGBA" if upright.has_transparency_data else "RGB").save(out, "PNG")
            return out.getvalue()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a forged file
        return None


def store_attachment(event, name: str, content_type: str, data: bytes) -> Attachment:
    extension = ".pdf" if content_type == "application/pdf" else ".png"
    attachment = Attachment(ticket=event.ticket, event=event, name=name,
                            content_type=content_type, size=len(data))
    attachment.file.save(uuid.uuid4().hex + extension, ContentFile(data), save=False)
    attachment.save()
    return attachment


SECRET_NOTICE = "Le demandeur a été prévenu que son e-mail contenait un code secret, masqué ici."


def _tell_once_about_the_secret(ticket: Ticket) -> None:
    if TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.NOTE,
                                  summary=SECRET_NOTICE).exists():
        return
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.NOTE, summary=SECRET_NOTICE)
    queue_mail(ticket=ticket, subject=_("[%(reference)s] Votre message contenait un code "
                                        "secret") % {"reference": ticket.reference},
               body=render_mail_text("triage/email/secret_masked.txt", {"ticket": ticket}))
