from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from teams.models import EMBEDDED, Team


def embed_snippet(team: Team) -> str:
    """What a partner pastes into its page: the frame, with an accessible name, and our
    script that makes its height follow the content (README « Intégrer le parcours »)."""
    site = settings.TRIAGE_SITE_URL
    # Escaped here for the partner's page (and once more by the admin, around the textarea).
    title = escape(_("Assistance e-CPS, %(team)s : parcours guidé") % {"team": team.name})
    return (f'<iframe src="{site}{team.door}/{EMBEDDED}/" title="{title}" '
            f'data-assistance-ecps style="width: 100%; height: 640px; border: 0;"></iframe>\n'
            f'<script src="{site}/static/js/integre.js" defer></script>')


class TeamForm(forms.ModelForm):
    """Who the team is and how to reach it. What it adds to the content (welcome text, lines,
    tutorials) is its overlay, edited and published by its editors (kb.Overlay)."""

    class Meta:
        model = Team
        fields = ["name", "slug", "organisation", "region", "email", "phone", "opening_hours",
                  "host", "frame_origins", "poster_title", "poster_lines",
                  "response_target_days", "members"]
        widgets = {"frame_origins": forms.Textarea(attrs={"rows": 3}),
                   "poster_lines": forms.Textarea(attrs={"rows": 3})}

    def clean_host(self):
        return self.cleaned_data["host"].strip().lower()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ["name", "slug", "region", "email", "response_target_days", "is_national"]
    filter_horizontal = ["members"]
    search_fields = ["name", "slug", "region"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "is_national", "snippet"] if obj else ["is_national"]

    @admin.display(description=_("code à coller sur le site partenaire"))
    def snippet(self, obj):
        if obj.is_national:
            return _("Le site national ne s'intègre pas : seules les portes d'entrée des équipes "
                     "régionales s'affichent dans le site d'un partenaire.")
        if not obj.frame_origins.strip():
            return _("Indiquez d'abord les sites qui peuvent intégrer le parcours, puis "
                     "enregistrez.")
        return format_html(
            '<textarea readonly rows="4" cols="90" aria-label="{}">{}</textarea>'
            '<p class="help">{}</p>', _("Code à coller"), embed_snippet(obj),
            _("À coller dans la page du partenaire, à l'endroit où le parcours doit apparaître. "
              "La hauteur du cadre suit son contenu grâce au script ; si la politique de "
              "sécurité du site partenaire refuse les scripts extérieurs, gardez la hauteur "
              "fixe du cadre (640px) ou augmentez-la."))

    def has_delete_permission(self, request, obj=None):
        # A team with tickets cannot be deleted (they are protected); the national one never.
        return super().has_delete_permission(request, obj) and not (obj and obj.is_national)
