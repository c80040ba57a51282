from django.core.management import BaseCommand, CommandError

from kb.document import DocumentError
from kb.services import PublishRefused, load_reference_content


class Command(BaseCommand):
    help = ("Publie le contenu de référence (fixtures/content.json) comme version 1, seulement "
            "si la base n'a encore aucun contenu. Avec --remplacer, le recharge volontairement "
            "comme nouvelle version (qu'on peut annuler avec revert_content).")

    def add_arguments(self, parser):
        parser.add_argument("--remplacer", action="store_true", dest="replace",
                            help="Remplace le brouillon par le contenu de référence et le publie.")

    def handle(self, *args, replace=False, **options):
        try:
            version = load_reference_content(replace=replace)
        except (DocumentError, PublishRefused) as error:
            raise CommandError(f"Contenu de référence refusé :\n{error}") from None
        if not options["verbosity"]:
            return
        if version is None and replace:
            self.stdout.write("Le contenu de référence est déjà la version publiée : rien à "
                              "faire.")
        elif version is None:
            self.stdout.write("Contenu déjà présent : rien n'a été chargé ni modifié (pour "
                              "recharger la référence : load_content --remplacer).")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Version {version.number} publiée : {version.note}."))
