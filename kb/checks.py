from django.core.checks import Error, Warning, register
from django.db import DatabaseError


@register("kb")
def check_draft_content(app_configs, **kwargs):
    """Report what would stop the draft from being published, on `manage.py check`.

    A warning, not an error: an error would stop `migrate` and `runserver`, and a draft
    mistake never reaches visitors anyway (publishing refuses it).
    """
    from kb.document import draft_document
    from kb.validation import problems

    try:
        document = draft_document()
    except DatabaseError:
        return []  # tables not created yet: nothing to check before `migrate`
    if not document["steps"]:
        return []  # a new database: load_content comes next
    found = problems(document)
    return [Warning(str(problem), hint="Corrigez le brouillon dans l'administration.",
                    id="kb.W001") for problem in found]


@register("kb", deploy=False)
def check_built_css(app_configs, **kwargs):
    """Every page links the Bootstrap that `make css` builds (not committed): without it,
    pages lose their styles, and in production the static files' manifest refuses them."""
    from pathlib import Path

    from django.conf import settings

    built = Path(settings.BASE_DIR) / "static" / "build" / "bootstrap.min.css"
    if built.exists():
        return []
    return [Error("Le CSS du site n'est pas construit (static/build/bootstrap.min.css).",
                  hint="Lancez `make css` (Node.js et npm), ou `make run`.", id="kb.E002")]
