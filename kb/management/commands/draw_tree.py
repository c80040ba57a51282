from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand
from django.template.loader import render_to_string

from kb.snapshot import published
from kb.tree_picture import picture


class Command(BaseCommand):
    help = ("Dessine l'arbre publié en un fichier SVG autonome (l'image du README : "
            "manage.py draw_tree docs/parcours.svg).")

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier SVG à écrire")

    def handle(self, *args, **options):
        css = (Path(settings.BASE_DIR) / "static" / "css" / "tree.css").read_text()
        svg = render_to_string("kb/tree_standalone.svg", {
            "picture": picture(published.get()), "css": css,
            "title": "Parcours guidé Assistance e-CPS"})
        Path(options["fichier"]).write_text(svg, encoding="utf-8")
        self.stdout.write(f"Arbre dessiné dans {options['fichier']}.")
