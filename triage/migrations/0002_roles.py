"""The two staff roles, with the least permissions they need.

Agents de support: tickets and reply templates; no content. Éditeurs de contenu: the
knowledge base and the visitors' opinions; never tickets (personal data)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENTS = {
    "triage": {"ticket": ["view", "add", "change"], "ticketevent": ["view", "add"],
               "replytemplate": ["view", "add", "change", "delete"]},
}
EDITORS = {
    "kb": {
        **{model: ["view", "add", "change", "delete"] for model in [
            "step", "answer", "supportline", "tutorial", "tutorialstep", "knownproblem",
            "glossaryterm",
        ]},
        "feedback": ["view", "delete"],
    },
}
GROUPS = {"Agents de support": AGENTS, "Éditeurs de contenu": EDITORS}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [
            (app, f"{action}_{model}")
            for app, models in grants.items() for model, actions in models.items()
            for action in actions
        ]
        group.permissions.set([
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in codenames
        ])


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
        ("kb", "0002_knowledge_base"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
