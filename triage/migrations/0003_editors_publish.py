"""Editors publish, compare and revert content versions (kb.ContentVersion)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [("kb", "view_contentversion"), ("kb", "publish_content")]


def grant(apps, schema_editor):
    kb = apps.get_app_config("kb")
    kb.models_module = True
    create_permissions(kb, verbosity=0)
    kb.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Éditeurs de contenu")
    editors.permissions.add(*[
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in GRANTS
    ])


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Éditeurs de contenu"):
        editors.permissions.remove(*Permission.objects.filter(
            content_type__app_label="kb", codename__in=[c for _, c in GRANTS]))


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_roles"),
        ("kb", "0003_content_versions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
