"""The national coordinator: the figures of every team, and no ticket (no personal data)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Coordination nationale"


def create_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.set([Permission.objects.get(content_type__app_label="teams",
                                                  codename="view_all_figures")])


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("teams", "0003_coordinator")]

    operations = [migrations.RunPython(create_group, remove_group)]
