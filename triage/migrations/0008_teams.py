"""Tickets and reply templates get a team. An installation from before teams keeps working
unchanged: its tickets belong to the national team (teams.0002), its templates are shared."""

import django.db.models.deletion
from django.db import migrations, models


def tickets_to_the_national_team(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    Ticket = apps.get_model("triage", "Ticket")
    national, _created = Team.objects.get_or_create(
        is_national=True, defaults={"slug": "national", "name": "Assistance e-CPS"})
    Ticket.objects.filter(team__isnull=True).update(team=national)


class Migration(migrations.Migration):

    dependencies = [
        ("teams", "0002_national_team"),
        ("triage", "0007_submission_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="team",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="tickets", to="teams.team",
                                    verbose_name="équipe"),
        ),
        migrations.RunPython(tickets_to_the_national_team, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ticket",
            name="team",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="tickets", to="teams.team",
                                    verbose_name="équipe"),
        ),
        migrations.AddField(
            model_name="replytemplate",
            name="team",
            field=models.ForeignKey(blank=True, help_text="Vide : proposé à toutes les équipes (modèle national).", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="reply_templates", to="teams.team", verbose_name="équipe"),
        ),
    ]
