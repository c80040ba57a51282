from django.contrib import admin

from triage.models import ReplyTemplate

# Tickets are worked in the agent workspace (/agents/), not in the admin: the admin is the
# editors' tool, and editors must never see personal data.


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "subject"]
    search_fields = ["name", "subject", "body"]
    filter_horizontal = ["tutorials"]
