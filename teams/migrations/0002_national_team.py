"""An installation from before teams keeps working unchanged: its queue becomes the national
team's, and everyone who worked on tickets is a member of it."""

from django.conf import settings
from django.db import migrations
from django.db.models import Q


def create_national_team(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    User = apps.get_model("auth", "User")
    team, _created = Team.objects.get_or_create(slug="national", defaults={
        "name": "Assistance e-CPS", "is_national": True,
        "response_target_days": settings.TRIAGE_RESPONSE_TARGET_DAYS})
    agents = User.objects.filter(
        Q(groups__permissions__codename="change_ticket")
        | Q(user_permissions__codename="change_ticket"), is_active=True).distinct()
    team.members.add(*agents)


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_teams"),
        ("triage", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_national_team, migrations.RunPython.noop)]
