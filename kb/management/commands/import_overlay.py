from django.core.management import BaseCommand, CommandError

from kb.document import DocumentError
from kb.services import import_overlay


class Command(BaseCommand):
    help = ("Remplace, dans le brouillon, ce qu'ajoute une équipe par un fichier écrit par "
            "export_overlay ; le reste du brouillon ne change pas. Rien n'est publié.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as source:
                team = import_overlay(source.read())
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Lecture impossible : {error}") from None
        except DocumentError as error:
            raise CommandError("Import refusé, le brouillon n'a pas changé :\n"
                               + "\n".join(f"- {e}" for e in error.errors)) from None
        self.stdout.write(f"Ajouts de l'équipe « {team} » chargés dans le brouillon : "
                          "vérifiez puis publiez.")
