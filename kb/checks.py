from django.core.checks import Warning, register
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
