import sys

from django.core.management import BaseCommand, CommandError

from kb.models import ContentVersion


class Command(BaseCommand):
    help = "Écrit la version publiée (ou --numero N) dans FICHIER, ou sur la sortie standard."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Fichier à écrire (par défaut : la sortie).")
        parser.add_argument("--numero", type=int, dest="number",
                            help="Numéro de version (par défaut : la dernière).")

    def handle(self, *args, file=None, number=None, **options):
        versions = ContentVersion.objects.all()
        version = (versions.filter(number=number) if number else versions).first()
        if version is None:
            raise CommandError("Aucune version publiée ne correspond.")
        if file:
            with open(file, "w", encoding="utf-8", newline="\n") as out:
                out.write(version.document)
            self.stderr.write(f"Version {version.number} écrite dans {file}.")
        else:
            sys.stdout.write(version.document)
