from django import forms
from django.contrib import admin

from teams.models import Team


class TeamForm(forms.ModelForm):
    """Who the team is and how to reach it. What it adds to the content (welcome text, lines,
    tutorials) is its overlay, edited and published by its editors (kb.Overlay)."""

    class Meta:
        model = Team
        fields = ["name", "slug", "organisation", "region", "email", "phone", "opening_hours",
                  "host", "response_target_days", "members"]

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
        return ["slug", "is_national"] if obj else ["is_national"]

    def has_delete_permission(self, request, obj=None):
        # A team with tickets cannot be deleted (they are protected); the national one never.
        return super().has_delete_permission(request, obj) and not (obj and obj.is_national)
