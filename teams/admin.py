from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kb.models import SupportLine, Tutorial
from teams.models import Team


class TeamForm(forms.ModelForm):
    """Its regional services and its lines, ticked rather than typed."""

    services = forms.MultipleChoiceField(
        label=_("services régionaux"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[choice for choice in Tutorial.Service.choices if choice[0] != "ecps"],
        help_text=Team._meta.get_field("services").help_text)
    lines = forms.MultipleChoiceField(
        label=_("ses lignes d'assistance"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Montrées en premier sur sa porte d'entrée."))

    class Meta:
        model = Team
        fields = ["name", "slug", "organisation", "region", "email", "phone", "opening_hours",
                  "host", "welcome", "services", "lines", "response_target_days", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = SupportLine.objects.values_list("slug", "name")

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
