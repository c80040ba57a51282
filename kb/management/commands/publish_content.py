from django.core.management import BaseCommand, CommandError

from kb.services import PublishRefused, publish_content


class Command(BaseCommand):
    help = "Vérifie le brouillon et le publie comme nouvelle version ; refuse s'il a un défaut."

    def add_arguments(self, parser):
        parser.add_argument("--note", default="", help="Ce qui change, en une phrase.")

    def handle(self, *args, note="", **options):
        try:
            version = publish_content(note=note)
        except PublishRefused as refused:
            raise CommandError("Publication refusée, rien n'a changé pour les visiteurs :\n"
                               + "\n".join(f"- {problem}" for problem in refused.problems)
                               ) from None
        self.stdout.write(self.style.SUCCESS(f"Version {version.number} publiée."))
