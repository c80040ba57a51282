from django.core.management import BaseCommand

from kb.freshness import check_all_links


class Command(BaseCommand):
    help = ("Vérifie les adresses externes du contenu (sans suivre les redirections, "
            "KB_LINK_CHECK_TIMEOUT secondes au plus chacune) et garde le résultat pour le "
            "tableau de bord des éditeurs. À planifier chaque nuit ; jamais pendant une visite.")

    def handle(self, *args, **options):
        results = check_all_links()
        bad = [check for check in results if not check.status or not 200 <= check.status < 300]
        for check in bad:
            self.stdout.write(f"{check.url} : {check.verdict}")
        self.stdout.write(f"{len(results)} adresses vérifiées, {len(bad)} à corriger.")
