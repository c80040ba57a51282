from django.contrib import admin
from django.db.models import Q

from teams.models import Team
from triage.models import ReplyTemplate

# Tickets are worked in the agent workspace (/agents/), not in the admin: the admin is the
# editors' tool, and editors must never see personal data.


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Each team writes its own templates; the national ones (no team), shared by every team,
    are read by all and written by superusers only."""

    list_display = ["name", "subject", "team"]
    search_fields = ["name", "subject", "body"]
    filter_horizontal = ["tutorials"]

    def get_queryset(self, request):
        templates = super().get_queryset(request)
        if request.user.is_superuser:
            return templates
        return templates.filter(Q(team__isnull=True) | Q(team__in=Team.objects.of(request.user)))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "team" and not request.user.is_superuser:
            kwargs["queryset"] = Team.objects.of(request.user)
            kwargs["required"] = True  # a national template is the superusers' to write
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _writable(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or (
            obj.team_id is not None and Team.objects.of(request.user).filter(
                pk=obj.team_id).exists())

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._writable(request, obj)
