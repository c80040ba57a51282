from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from kb.models import (
    Answer,
    Feedback,
    GlossaryTerm,
    KnownProblem,
    Step,
    SupportLine,
    Tutorial,
    TutorialStep,
)
from kb.tree import shortest_path, tree_problems, wizard_url


def warn_about_tree(request) -> None:
    """Editors see at once what their change broke, before users do."""
    for problem in tree_problems():
        messages.warning(request, problem)


# Editors paste addresses without a scheme; they are public web pages, hence https.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class AnswerInline(admin.TabularInline):
    model = Answer
    fk_name = "question"
    fields = ["position", "label", "next_step"]
    autocomplete_fields = ["next_step"]
    extra = 0
    ordering = ["position", "id"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["heading", "slug", "kind", "outcome_type", "is_start", "answer_count"]
    list_filter = ["kind", "outcome_type", "support_lines"]
    search_fields = ["slug", "title", "question", "body"]
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["support_lines"]
    autocomplete_fields = ["tutorial"]
    inlines = [AnswerInline]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "is_start", "title", "question", "slug", "body", "tutorial",
                           "video_url"]}),
        (
            _("Issue"),
            {
                "fields": [
                    "outcome_type", "support_lines", "action_url", "action_label",
                ],
                "description": _("À remplir pour une issue (fin du parcours)."),
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_answers=Count("answers"))

    @admin.display(description=_("titre"), ordering="title")
    def heading(self, step):
        return step.heading

    @admin.display(description=_("réponses"), ordering="num_answers")
    def answer_count(self, step):
        return step.num_answers

    def view_on_site(self, step):
        path = shortest_path(step)
        return None if path is None else wizard_url(path)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_about_tree(request)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_about_tree(request)
        return super().changelist_view(request, extra_context)


@admin.register(SupportLine)
class SupportLineAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["name", "organisation", "phone", "email", "verified_on", "outcome_count"]
    search_fields = ["name", "organisation", "phone", "email", "covers"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["used_by"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organisation", "covers", "position"]}),
        (_("Coordonnées"), {"fields": ["phone", "call_cost", "email", "faq_url",
                                        "opening_hours"]}),
        (_("Fiabilité"), {"fields": ["verified_on", "source", "notes"]}),
        (_("Utilisation"), {"fields": ["used_by"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_outcomes=Count("outcomes"))

    @admin.display(description=_("issues qui y renvoient"), ordering="num_outcomes")
    def outcome_count(self, line):
        return line.num_outcomes

    @admin.display(description=_("issues qui y renvoient"))
    def used_by(self, line):
        titles = [step.heading for step in line.outcomes.all()]
        return ", ".join(titles) or _("Aucune : ligne visible seulement dans l'annuaire.")


class TutorialStepInline(admin.StackedInline):
    model = TutorialStep
    fields = ["position", "title", "where", "body", "screenshot", "screenshot_alt", "warning"]
    extra = 0
    ordering = ["position", "id"]


@admin.register(Tutorial)
class TutorialAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["title", "service", "is_published", "verified_on", "updated_at"]
    list_filter = ["service", "is_published"]
    search_fields = ["title", "summary", "steps__body"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["help_step", "related"]
    filter_horizontal = ["help_lines"]
    inlines = [TutorialStepInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "service", "is_published", "position"]}),
        (_("Contenu"), {"fields": ["prerequisites", "video_url", "related"]}),
        (_("Toujours bloqué ?"), {"fields": ["help_step", "help_lines"]}),
        (_("Fiabilité"), {"fields": ["verified_on", "source"]}),
    ]
    # "Voir sur le site" shows drafts too (to staff), without caching: the preview.


@admin.register(KnownProblem)
class KnownProblemAdmin(admin.ModelAdmin):
    list_display = ["symptom", "support_line", "contact_note", "position"]
    list_editable = ["position"]
    search_fields = ["symptom", "cause", "fix"]
    prepopulated_fields = {"slug": ("symptom",)}
    autocomplete_fields = ["tutorial"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "expansion"]
    search_fields = ["term", "expansion", "definition"]
    prepopulated_fields = {"slug": ("term",)}


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: what visitors said, for editors to improve the pages."""

    list_display = ["page", "helpful", "comment", "created_at"]
    list_filter = ["helpful", "created_at"]
    search_fields = ["page", "comment"]
    readonly_fields = ["page", "helpful", "comment", "created_at"]
    exclude = ["visitor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
