from django.core.management import BaseCommand, CommandError

from kb.services import PublishRefused, pending_changes, publish_content


class Command(BaseCommand):
    help = ("Vérifie le brouillon et le publie comme nouvelle version ; refuse s'il a un défaut. "
            "Avec --seulement, publie uniquement les modifications nommées (le reste reste "
            "dans le brouillon).")

    def add_arguments(self, parser):
        parser.add_argument("--note", default="", help="Ce qui change, en une phrase.")
        parser.add_argument(
            "--seulement", nargs="+", metavar="MODIFICATION", default=None,
            help="Les modifications à publier, par exemple « ligne:ans-support-cartes » "
                 "(voir --liste).")
        parser.add_argument("--liste", action="store_true",
                            help="Affiche les modifications en attente et leur nom, sans rien "
                                 "publier.")

    def handle(self, *args, note="", seulement=None, liste=False, **options):
        if liste:
            pending = pending_changes()
            if not pending:
                self.stdout.write("Le brouillon est identique à la version publiée.")
            for change in pending:
                stop = " — pas prête : " + " ; ".join(map(str, change.problems)) \
                    if change.problems else ""
                self.stdout.write(f"{change.key}\t{change.subject} ({change.kind_label}){stop}")
            return
        try:
            version = publish_content(note=note, only=set(seulement) if seulement else None)
        except PublishRefused as refused:
            raise CommandError("Publication refusée, rien n'a changé pour les visiteurs :\n"
                               + "\n".join(f"- {problem}" for problem in refused.problems)
                               ) from None
        self.stdout.write(self.style.SUCCESS(f"Version {version.number} publiée."))
