import sys

from django.core.management import BaseCommand, CommandError

from kb.models import ContentVersion
from kb.services import export_overlay


class Command(BaseCommand):
    help = ("Écrit ce qu'ajoute une équipe au contenu national (ses ajouts, ses lignes, "
            "tutoriels et problèmes connus), tel que publié dans la dernière version (ou "
            "--numero N), dans FICHIER ou sur la sortie standard.")

    def add_arguments(self, parser):
        parser.add_argument("team", help="Identifiant de l'équipe, par exemple « hdf ».")
        parser.add_argument("--output", dest="file", help="Fichier à écrire.")
        parser.add_argument("--numero", type=int, dest="number",
                            help="Numéro de version (par défaut : la dernière).")

    def handle(self, *args, team, file=None, number=None, **options):
        versions = ContentVersion.objects.all()
        version = (versions.filter(number=number) if number else versions).first()
        if version is None:
            raise CommandError("Aucune version publiée ne correspond.")
        text = export_overlay(team, version)
        if file:
            with open(file, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            self.stderr.write(f"Ajouts de l'équipe « {team} » (version {version.number}) "
                              f"écrits dans {file}.")
        else:
            sys.stdout.write(text)
