"""Team editors, and what a team adds to the national content moved into the content.

National editors (« Éditeurs de contenu ») keep everything and may now say so: they edit and
publish the national content. Team editors (« Éditeurs d'équipe ») edit and publish only the
overlay of the teams they belong to: its welcome text, its lines, tutorials and known
problems. A team's welcome, services and lines, until now fields of the team, become its
overlay in the editors' draft, published with the next publication."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEAM_EDITORS = "Éditeurs d'équipe"
OWN = ["supportline", "tutorial", "tutorialstep", "knownproblem", "overlay", "overlaystep"]
READ = ["step", "answer", "glossaryterm", "contentversion"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    kb = Permission.objects.filter(content_type__app_label="kb")
    national, _ = Group.objects.get_or_create(name="Éditeurs de contenu")
    national.permissions.add(*kb.filter(codename__in=[
        "edit_national_content",
        *[f"{action}_{model}" for model in ("overlay", "overlaystep")
          for action in ("view", "add", "change", "delete")]]))
    team, _ = Group.objects.get_or_create(name=TEAM_EDITORS)
    team.permissions.set(kb.filter(codename__in=[
        "publish_content",
        *[f"{action}_{model}" for model in OWN for action in ("view", "add", "change", "delete")],
        *[f"view_{model}" for model in READ]]))


def move_overlays(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    Overlay = apps.get_model("kb", "Overlay")
    SupportLine = apps.get_model("kb", "SupportLine")
    for team in Team.objects.filter(is_national=False):
        if not (team.welcome or team.services or team.lines):
            continue
        overlay, _ = Overlay.objects.get_or_create(slug=team.slug, defaults={
            "welcome": team.welcome, "services": team.services})
        overlay.lines.set(SupportLine.objects.filter(slug__in=team.lines))
        SupportLine.objects.filter(slug__in=team.lines).update(team=team.slug)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=TEAM_EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [("teams", "0005_front_door"), ("kb", "0012_team_overlays")]

    operations = [
        migrations.RunPython(grant, remove_group),
        migrations.RunPython(move_overlays, migrations.RunPython.noop),
        migrations.RemoveField("team", "welcome"),
        migrations.RemoveField("team", "services"),
        migrations.RemoveField("team", "lines"),
    ]
