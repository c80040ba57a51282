from django.core.checks import Warning, register
from django.db import DatabaseError


@register("kb")
def check_decision_tree(app_configs, **kwargs):
    """Report broken tree content on `manage.py check`, before users meet it.

    A warning, not an error: an error would stop `migrate` and `runserver`, and a content
    mistake must never block a deployment. `make run` and CI use --fail-level WARNING.
    """
    from kb.tree import tree_problems

    try:
        problems = tree_problems()
    except DatabaseError:
        return []  # tables not created yet: nothing to check before `migrate`
    return [
        Warning(problem, hint="Corrigez l'étape dans l'administration.", id="kb.W001")
        for problem in problems
    ]
