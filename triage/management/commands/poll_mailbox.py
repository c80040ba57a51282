import logging
import ssl

from django.conf import settings
from django.core.cache import cache
from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from triage.inbound import RESULTS, receive

logger = logging.getLogger(__name__)
BATCH = 200  # messages filed per pass: a backlog is worked through a minute at a time
SCANNED = 2000  # messages looked at per pass: a flood of one sender never hides the others
LOCK, LOCK_SECONDS = "triage:poll-mailbox", 600


class Command(BaseCommand):
    help = ("Lit la boîte IMAP de l'équipe (TRIAGE_IMAP_*) et ajoute chaque réponse à son "
            "ticket. Les messages traités vont dans le dossier « Traités », ceux qui ne "
            "correspondent à aucun ticket dans « Non rattachés ». À lancer chaque minute.")

    def handle(self, *args, **options):
        config = settings.TRIAGE_IMAP
        if not config["host"]:
            raise CommandError("TRIAGE_IMAP_HOST n'est pas défini : aucune boîte à lire.")
        if not cache.add(LOCK, 1, LOCK_SECONDS):  # a pass is still running (a slow one)
            self.stdout.write("Une lecture de la boîte est déjà en cours.")
            return
        try:
            counts = poll(config)
        except LoginError as error:
            raise CommandError(f"La boîte IMAP {config['user']} a refusé l'identifiant ou le "
                               "mot de passe (TRIAGE_IMAP_USER, TRIAGE_IMAP_PASSWORD).") from error
        except DatabaseError as error:
            raise CommandError("La base de données ne répond pas : les messages restent dans "
                               "la boîte pour le prochain passage.") from error
        except (OSError, IMAPClientError) as error:
            # Down, hung (the timeout), a certificate refused: the next run tries again and
            # the messages wait in the mailbox.
            raise CommandError(f"La boîte IMAP {config['host']}:{config['port']} est "
                               f"injoignable ({type(error).__name__}) : rien n'est perdu, les "
                               "messages attendent le prochain passage.") from error
        finally:
            cache.delete(LOCK)
        self.stdout.write("\n".join(f"{n} {RESULTS[result]}" for result, n in
                                    sorted(counts.items())) or "Aucun message.")


def connect(config) -> IMAPClient:
    context = ssl.create_default_context(cafile=config["cafile"] or None)
    client = IMAPClient(config["host"], port=config["port"], ssl=config["tls"] == "ssl",
                        ssl_context=context, timeout=config.get("timeout", 30))
    if config["tls"] == "starttls":
        client.starttls(context)
    client.login(config["user"], config["password"])
    return client


def poll(config) -> dict[str, int]:
    """One pass over the mailbox. Each message is filed, then moved: a crash between the two
    leaves it in place, and the next pass finds it already filed (its Message-ID). A message
    the server refuses to give or to move is skipped, never blocking the ones after it; one
    that held a password or a PIN is deleted once filed (masked in the ticket, it must not
    stay readable in the mailbox)."""
    counts: dict[str, int] = {}
    with connect(config) as client:
        for folder in (config["done"], config["unmatched"]):
            if not client.folder_exists(folder):
                client.create_folder(folder)
        client.select_folder(config["folder"])
        filed = 0
        for uid in client.search("ALL")[:SCANNED]:
            if filed >= BATCH:
                break
            try:
                raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]", b"")
            except IMAPClientError as error:
                logger.warning("message %s not fetched: %s", uid, type(error).__name__)
                continue
            received = receive(raw)
            counts[received.result] = counts.get(received.result, 0) + 1
            if received.result == "throttled":
                continue  # stays in the inbox for a later minute
            filed += 1
            try:
                if received.secret:
                    remove(client, uid)
                else:
                    move(client, uid, config["unmatched"] if received.for_the_team
                         else config["done"])
            except IMAPClientError as error:
                logger.warning("message %s not moved: %s", uid, type(error).__name__)
    return counts


def move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    client.copy([uid], folder)
    remove(client, uid)


def remove(client: IMAPClient, uid: int) -> None:
    client.delete_messages([uid])
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()
