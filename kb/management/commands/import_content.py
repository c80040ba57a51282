from pathlib import Path

from django.core.management import BaseCommand, CommandError

from kb.document import DocumentError
from kb.services import import_file


class Command(BaseCommand):
    help = ("Charge un export de contenu dans le brouillon, après l'avoir vérifié ; rien ne "
            "change en cas d'erreur. Publiez ensuite avec publish_content.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier JSON, ou archive .zip avec les images, "
                                         "produit par export_content.")

    def handle(self, *args, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error}") from None
        try:
            import_file(data)
        except DocumentError as error:
            raise CommandError(f"{file} n'a pas été importé, le brouillon est inchangé :\n"
                               + "\n".join(f"- {line}" for line in error.errors)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{file} est chargé dans le brouillon. Vérifiez l'aperçu, puis publiez."))
