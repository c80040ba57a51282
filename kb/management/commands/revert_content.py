from django.core.management import BaseCommand, CommandError

from kb.services import PublishRefused, revert_content


class Command(BaseCommand):
    help = ("Republie une version antérieure comme nouvelle version et remet le brouillon à "
            "son contenu.")

    def add_arguments(self, parser):
        parser.add_argument("number", type=int, help="Numéro de la version à rétablir.")
        parser.add_argument("--note", default="")

    def handle(self, *args, number, note="", **options):
        try:
            version = revert_content(number=number, note=note)
        except PublishRefused as refused:
            raise CommandError("Retour refusé, rien n'a changé :\n"
                               + "\n".join(f"- {problem}" for problem in refused.problems)
                               ) from None
        self.stdout.write(self.style.SUCCESS(
            f"Version {version.number} publiée : contenu de la version {number}."))
