import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from kb import editors, illustrations, images, tasks
from kb.admin_widgets import EditorFieldsMixin
from kb.diff import KIND_NAMES, diff_documents
from kb.document import COLLECTION_MODELS, DocumentError, draft_document
from kb.freshness import link_problems, never_verified, page_votes, verification_due
from kb.markdown import render_markdown
from kb.models import (
    Answer,
    ContentVersion,
    Feedback,
    GlossaryTerm,
    KnownProblem,
    LinkCheck,
    Overlay,
    OverlayStep,
    ScheduledPublication,
    Step,
    SupportLine,
    Tutorial,
    TutorialStep,
)
from kb.pages import describe_pages
from kb.services import (
    PublishRefused,
    export_archive,
    import_file,
    pending_changes,
    publish_content,
    published_document,
    revert_content,
    schedule_publication,
)
from kb.snapshot import Snapshot, wizard_url
from kb.tree_picture import outline, picture
from kb.validation import Problem, problems, warnings

MAX_IMPORT_BYTES = 100 * 1024 * 1024  # an archive with its screenshots

# The task queue's own table is for developers (in English): not in the editors' admin.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
LINK_CHECK_REQUESTED = "kb:link-check-requested"  # when an editor asked (the job clears it)


class PublishForm(forms.Form):
    note = forms.CharField(label=_("Note (ce qui change, en une phrase)"), max_length=300,
                           required=False)
    le = forms.DateTimeField(
        label=_("Publier le"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Indiquez une date et une heure, par exemple "
                                     "01/01/2027 08:00.")})


def warn_about_draft(request) -> None:
    """Editors see at once what their change would break, long before a publication."""
    for problem in problems(draft_document()):
        messages.warning(request, str(problem))


def preview_url(path: str) -> str:
    return reverse("kb:preview") + "?" + urlencode({"suivant": path})


# Editors paste addresses without a scheme; they are public web pages, hence https.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def usage(groups: list[tuple[str, list]]) -> str:
    """« Où est-ce utilisé » : each group of objects that refer to this one, linked to their
    forms, so that an editor knows what a change will touch before saving it."""
    parts = [format_html("<p><strong>{}</strong> : {}</p>", label, format_html_join(
        ", ", '<a href="{}">{}</a>',
        ((reverse(f"admin:kb_{item._meta.model_name}_change", args=[item.pk]),
          getattr(item, "heading", None) or str(item)) for item in items)))
        for label, items in groups if items]
    return mark_safe("".join(parts)) if parts else _("Nulle part : rien ne renvoie ici.")


class AnswerInline(EditorFieldsMixin, admin.TabularInline):
    model = Answer
    fk_name = "question"
    fields = ["position", "label", "next_step"]
    autocomplete_fields = ["next_step"]
    extra = 0
    ordering = ["position", "id"]


class TreeOrderChangeList(ChangeList):
    """The list of steps in the tree's order, unless the editor sorts by a column."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["tree_rank", "slug", "pk"]


def tree_order():
    """Each step's rank in the draft's tree, breadth first from the first question (the
    answers' order breaks ties); steps out of the tree last. One query."""
    start, children = None, {}
    for question, following, is_start in Answer.objects.order_by("position", "pk").values_list(
            "question_id", "next_step_id", "question__is_start"):
        children.setdefault(question, []).append(following)
        start = question if is_start else start
    rank, queue = {}, [start] if start else []
    while queue:
        pk = queue.pop(0)
        if pk in rank:
            continue
        rank[pk] = len(rank)
        queue += children.get(pk, [])
    if not rank:
        return Value(0, output_field=IntegerField())
    return Case(*[When(pk=pk, then=Value(n)) for pk, n in rank.items()],
                default=Value(len(rank)), output_field=IntegerField())


class SavedToDraftMixin:
    """Saving says where it went, in an editor's words (not Django's « L'objet … a été
    modifié avec succès »): into the draft, seen by visitors only once published."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        request.saved_to_draft = (obj, "saved")

    def delete_model(self, request, obj):
        request.saved_to_draft = (obj, "deleted")
        super().delete_model(request, obj)

    def changelist_view(self, request, extra_context=None):
        # « Étapes du parcours », not Django's « Sélectionnez l'objet … à changer ».
        title = capfirst(self.model._meta.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def message_user(self, request, message, level=messages.INFO, extra_tags="",
                     fail_silently=False):
        saved = getattr(request, "saved_to_draft", None)
        if level == messages.SUCCESS and saved is not None:
            obj, what = saved
            shown = getattr(obj, "heading", None) or str(obj)
            site = self.view_on_site(obj) if callable(self.view_on_site) and what == "saved" \
                else None
            text = (_("« {} » : enregistré dans le brouillon. Les visiteurs ne le verront "
                      "qu'après publication.") if what == "saved" else
                    _("« {} » : supprimé du brouillon. Les visiteurs le voient jusqu'à la "
                      "publication."))
            message = format_html(
                text + ' <a href="{}">{}</a> · <a href="{}">{}</a>', shown,
                site or preview_url("/"), _("Aperçu"),
                reverse("admin:kb_contentversion_publish"), _("Publier"))
        super().message_user(request, message, level, extra_tags, fail_silently)


@admin.register(Step)
class StepAdmin(SavedToDraftMixin, EditorFieldsMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["heading", "position", "nature", "answer_count"]
    actions = None  # no ticking steps to delete them in bulk: one at a time, from its page
    list_filter = ["kind", "outcome_type", "support_lines"]
    search_fields = ["slug", "title", "question", "body"]
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["support_lines", "known_problems"]
    autocomplete_fields = ["tutorial"]
    inlines = [AnswerInline]
    readonly_fields = ["updated_at", "used_by"]
    QUESTION_FIELDSETS = [
        (None, {"fields": ["kind", "is_start", "question", "slug", "audience", "body",
                           "tutorial", "video_url"]}),
        (_("Utilisation"), {"fields": ["used_by", "updated_at"]}),
    ]
    OUTCOME_FIELDSETS = [
        (None, {"fields": ["kind", "title", "slug", "audience", "body", "tutorial",
                           "video_url"]}),
        (_("Issue"), {"fields": ["outcome_type", "support_lines", "known_problems",
                                  "action_url", "action_label"]}),
        (_("Utilisation"), {"fields": ["used_by", "updated_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        """A question shows only question fields, an outcome only outcome fields. A new
        step shows them all, the outcome's part said to be for outcomes only."""
        if obj is not None:
            return self.QUESTION_FIELDSETS if obj.is_question else self.OUTCOME_FIELDSETS
        return [
            (None, {"fields": ["kind", "is_start", "title", "question", "slug", "audience",
                               "body", "tutorial", "video_url"]}),
            (_("Issue"), {"fields": ["outcome_type", "support_lines", "known_problems",
                                      "action_url", "action_label"],
                          "description": _("À remplir pour une issue (fin du parcours).")}),
        ]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields  # a saved slug stays

    def get_readonly_fields(self, request, obj=None):
        # Its form is made for its kind: a question becomes an outcome by a new step.
        return [*self.readonly_fields, "kind"] if obj is not None else self.readonly_fields

    def get_inlines(self, request, obj):
        # Answers belong to questions: an outcome ends the path.
        return [] if obj is not None and not obj.is_question else self.inlines

    @admin.display(description=_("où est-ce utilisé"))
    def used_by(self, step):
        return usage([(_("Réponses qui y mènent"),
                       [answer.question for answer in step.incoming_answers.all()])])

    def get_queryset(self, request):
        # Lists, menus and autocomplete results all name each step with its position, in the
        # order of the tree: the first question, then its answers' steps, and so on.
        return (super().get_queryset(request).annotate(num_answers=Count("answers"),
                                                       tree_rank=tree_order())
                .prefetch_related("incoming_answers__question").order_by("tree_rank", "slug"))

    def get_changelist(self, request, **kwargs):
        return TreeOrderChangeList

    def get_search_results(self, request, queryset, search_term):
        """The « étape suivante » chooser and the list's search: the steps whose title (or
        question) holds the words typed come first, then those whose text does."""
        found, distinct = super().get_search_results(request, queryset, search_term)
        words = search_term.split()
        if not words:
            return found, distinct
        in_title = Q()
        for word in words:
            in_title &= Q(title__icontains=word) | Q(question__icontains=word)
        rank = Case(When(in_title, then=Value(0)), default=Value(1),
                    output_field=IntegerField())
        return found.annotate(relevance=rank).order_by("relevance", "tree_rank", "slug"), \
            distinct

    @admin.display(description=_("nature"))
    def nature(self, step):
        if step.is_question:
            return _("Question")
        return _("Issue : %(type)s") % {"type": step.get_outcome_type_display().lower()
                                        if step.outcome_type else _("à préciser")}

    @admin.display(description=_("titre"), ordering="title")
    def heading(self, step):
        return step.heading

    @admin.display(description=_("place dans le parcours"))
    def position(self, step):
        return step.position_label

    @admin.display(description=_("réponses"), ordering="num_answers")
    def answer_count(self, step):
        return step.num_answers

    def view_on_site(self, step):
        """« Voir sur le site » shows the step as the draft would publish it."""
        path = Snapshot(draft_document(), number=-1).shortest_path(step.slug)
        return None if path is None else preview_url(wizard_url(path))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_about_draft(request)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_about_draft(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The step's « Supprimer » is in the tools at the top (admin/kb/step/change_form.html).
        return super().change_view(request, object_id, form_url,
                                   {**(extra_context or {}), "show_delete": False})


class SupportLineForm(forms.ModelForm):
    keep_verified_on = forms.BooleanField(
        label=_("La date de vérification reste juste"), required=False,
        help_text=_("À cocher seulement si vous corrigez une faute de frappe dans le numéro ou "
                    "l'e-mail, sans l'avoir vérifié de nouveau."))

    class Meta:
        model = SupportLine
        fields = ["phone", "email", "verified_on"]  # the admin adds the rest (fieldsets)

    def clean(self):
        """A new number or address is a fact someone checked: when, says « vérifié le »."""
        cleaned = super().clean()
        contact_changed = {"phone", "email"} & set(self.changed_data)
        if (self.instance.pk and contact_changed and "verified_on" not in self.changed_data
                and not cleaned.get("keep_verified_on")):
            self.add_error("verified_on", _(
                "Vous avez changé le téléphone ou l'e-mail : indiquez la date à laquelle vous "
                "l'avez vérifié, ou cochez « La date de vérification reste juste »."))
        return cleaned


class TeamOwnedAdmin:
    """Lines, tutorials and known problems belong to the national content or to one team's
    overlay: each editor sees them all but changes only their own (kb.editors)."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or editors.may_edit(request.user, obj.team))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or editors.may_edit(request.user, obj.team))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "team" and not request.user.is_superuser:
            choices = [(slug, slug) for slug in sorted(editors.teams_of(request.user))]
            if editors.is_national_editor(request.user):
                choices.insert(0, ("", _("Contenu national")))
            return forms.ChoiceField(label=db_field.verbose_name, choices=choices,
                                     required=False, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SupportLine)
class SupportLineAdmin(SavedToDraftMixin, TeamOwnedAdmin, EditorFieldsMixin,
                       admin.ModelAdmin):
    form = SupportLineForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["name", "organisation", "phone", "email", "team", "verified_on",
                    "outcome_count"]
    list_filter = ["team"]
    search_fields = ["name", "organisation", "phone", "email", "covers"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["used_by"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organisation", "covers", "team", "position"]}),
        (_("Coordonnées"), {"fields": ["phone", "call_cost", "email", "faq_url",
                                        "opening_hours"]}),
        (_("Fiabilité"), {"fields": ["verified_on", "keep_verified_on", "source", "notes"]}),
        (_("Utilisation"), {"fields": ["used_by"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_outcomes=Count("outcomes"))

    @admin.display(description=_("issues qui y renvoient"), ordering="num_outcomes")
    def outcome_count(self, line):
        return line.num_outcomes

    @admin.display(description=_("où est-ce utilisé"))
    def used_by(self, line):
        if line.pk is None:
            return "—"
        return usage([
            (_("Issues du parcours"), list(line.outcomes.all())),
            (_("Problèmes connus"), list(KnownProblem.objects.filter(support_line=line))),
            (_("Tutoriels (« Toujours bloqué ? »)"), list(line.tutorials.all())),
        ])


class TutorialStepInline(EditorFieldsMixin, admin.StackedInline):
    """Step by step: each shows its number, title and where it happens (computer or phone);
    its text opens on demand, so an 8-step tutorial fits on a screen or two."""

    model = TutorialStep
    fieldsets = [
        (None, {"fields": ["position", "title", "where"]}),
        (_("Texte, images et avertissement"), {
            "fields": ["body", "illustration", "screenshot", "screenshot_alt", "pictures",
                       "warning"],
            "classes": ["collapse"]}),
    ]
    readonly_fields = ["pictures"]
    extra = 0
    ordering = ["position", "id"]

    @admin.display(description=_("ce que verront les visiteurs"))
    def pictures(self, step):
        """The saved schematic and screenshot, small, as the tutorial shows them."""
        shown = []
        if step.illustration:
            shown.append((illustrations.url(step.illustration),
                          illustrations.description(step.illustration)))
        if step.screenshot:  # the smallest file is enough here
            shown.append((images.src(step.screenshot.name, step.screenshot_width, at_least=0),
                          step.screenshot_alt))
        if not shown:
            return _("Aucune image pour l'instant.")
        return format_html_join(" ", '<img src="{}" alt="{}" class="step-picture">', shown)


@admin.register(Tutorial)
class TutorialAdmin(SavedToDraftMixin, TeamOwnedAdmin, EditorFieldsMixin,
                    admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["title", "service", "team", "is_published", "verified_on", "updated_at"]
    list_filter = ["service", "team", "is_published"]
    search_fields = ["title", "summary", "steps__body"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["help_step", "related"]
    filter_horizontal = ["help_lines"]
    inlines = [TutorialStepInline]
    readonly_fields = ["used_by"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "service", "audience", "team",
                           "is_published", "position"]}),
        (_("Contenu"), {"fields": ["prerequisites", "video_url", "related"]}),
        (_("Toujours bloqué ?"), {"fields": ["help_step", "help_lines"]}),
        (_("Fiabilité"), {"fields": ["verified_on", "source"]}),
        (_("Utilisation"), {"fields": ["used_by"]}),
    ]

    @admin.display(description=_("où est-ce utilisé"))
    def used_by(self, tutorial):
        if tutorial.pk is None:
            return "—"
        return usage([
            (_("Étapes du parcours"), list(Step.objects.filter(tutorial=tutorial))),
            (_("Problèmes connus"), list(KnownProblem.objects.filter(tutorial=tutorial))),
            (_("Autres tutoriels (« À voir aussi »)"),
             list(Tutorial.objects.filter(related=tutorial).exclude(pk=tutorial.pk))),
        ])

    def view_on_site(self, tutorial):
        return preview_url(tutorial.get_absolute_url())


@admin.register(KnownProblem)
class KnownProblemAdmin(SavedToDraftMixin, TeamOwnedAdmin, EditorFieldsMixin,
                        admin.ModelAdmin):
    list_display = ["symptom", "support_line", "contact_note", "audience", "team", "position"]
    list_filter = ["team", "audience"]
    list_editable = ["position"]
    search_fields = ["symptom", "cause", "fix"]
    prepopulated_fields = {"slug": ("symptom",)}
    autocomplete_fields = ["tutorial"]
    readonly_fields = ["used_by"]

    @admin.display(description=_("où est-ce utilisé"))
    def used_by(self, problem):
        if problem.pk is None:
            return "—"
        return usage([(_("Issues du parcours"), list(problem.outcomes.all()))])

    def view_on_site(self, problem):
        return preview_url(problem.get_absolute_url())


class OverlayStepInline(admin.TabularInline):
    model = OverlayStep
    fields = ["step", "support_lines", "position"]
    autocomplete_fields = ["step"]
    filter_horizontal = ["support_lines"]
    extra = 0


@admin.register(Overlay)
class OverlayAdmin(SavedToDraftMixin, EditorFieldsMixin, admin.ModelAdmin):
    """What a team adds at its front door; its editors change it, publish it with the rest."""

    list_display = ["slug", "welcome", "updated_at"]
    filter_horizontal = ["lines"]
    inlines = [OverlayStepInline]
    fields = ["slug", "welcome", "services", "lines"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or editors.may_edit(request.user, obj.slug))

    has_delete_permission = has_change_permission

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "slug" and not request.user.is_superuser:
            return forms.ChoiceField(
                label=db_field.verbose_name, help_text=db_field.help_text,
                choices=[(slug, slug) for slug in sorted(editors.teams_of(request.user))])
        if db_field.name == "services":
            return forms.TypedMultipleChoiceField(
                label=db_field.verbose_name, required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[c for c in Tutorial.Service.choices if c[0] != "ecps"],
                help_text=_("Leurs tutoriels viennent en tête sur sa porte d'entrée."))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(SavedToDraftMixin, EditorFieldsMixin, admin.ModelAdmin):
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


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier d'export (JSON ou archive .zip)"))


@admin.register(ContentVersion)
class ContentVersionAdmin(admin.ModelAdmin):
    """Published versions: never edited. Publishing, comparing, reverting, exporting and
    importing are the actions of this page (kb.services does the work)."""

    list_display = ["number", "published_at", "author", "note", "reverted_to"]
    list_display_links = ["number"]
    search_fields = ["note", "published_by"]
    change_list_template = "admin/kb/contentversion/change_list.html"

    @admin.display(description=_("publiée par"), ordering="published_by")
    def author(self, version):
        return version.published_by or _("une commande (manage.py)")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("publier/", view(self.publish_view), name="kb_contentversion_publish"),
            path("programmees/<int:pk>/annuler/", view(self.cancel_scheduled_view),
                 name="kb_contentversion_cancel_scheduled"),
            path("arbre/", view(self.tree_view), name="kb_contentversion_tree"),
            path("tableau-de-bord/", view(self.dashboard_view),
                 name="kb_contentversion_dashboard"),
            path("apercu-markdown/", view(self.markdown_preview_view),
                 name="kb_contentversion_markdown_preview"),
            path("comparer/", view(self.compare_view), name="kb_contentversion_compare"),
            path("importer/", view(self.import_view), name="kb_contentversion_import"),
            path("exporter/", view(self.export_view), name="kb_contentversion_export"),
            path("<int:number>/exporter/", view(self.export_view),
                 name="kb_contentversion_export_one"),
            path("<int:number>/retablir/", view(self.revert_view),
                 name="kb_contentversion_revert"),
            *super().get_urls(),
        ]

    def _require(self, request, permission: str) -> None:
        if not request.user.has_perm(permission):
            raise PermissionDenied

    def _page(self, request, template, title, **context):
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": title, **context,
        })

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A version's page: what it changed compared with the one before it."""
        self._require(request, "kb.view_contentversion")
        version = self.get_object(request, object_id)  # None for « abc » too, not a 500
        if version is None:
            raise Http404(_("Cette version n'existe pas."))
        previous = ContentVersion.objects.filter(number__lt=version.number).first()
        changes = diff_documents(json.loads(previous.document) if previous else {},
                                 json.loads(version.document))
        return self._page(request, "admin/kb/contentversion/detail.html", str(version),
                          version=version, previous=previous, changes=changes,
                          is_current=version.number == ContentVersion.objects.latest_number(),
                          can_revert=request.user.has_perm("kb.publish_content")
                          and request.user.has_perm("kb.edit_national_content"))

    def publish_view(self, request):
        """The draft's changes object by object: the editor ticks what is ready and publishes
        it now, or schedules it; what is not ticked stays in the draft."""
        self._require(request, "kb.view_contentversion")
        form = PublishForm(request.POST or None)
        errors: list = []
        if request.method == "POST":
            self._require(request, "kb.publish_content")
            if form.is_valid():
                done = self._publish(request, form)
                if isinstance(done, list):
                    errors = done
                else:
                    return done
            else:
                errors = [error for field_errors in form.errors.values()
                          for error in field_errors]
        draft = draft_document()
        pending = pending_changes(request.user, draft=draft)
        latest = ContentVersion.objects.first()
        ticked = set(request.POST.getlist("modifications"))
        return self._page(
            request, "admin/kb/contentversion/publish.html", _("Publier"),
            latest=latest, pending=pending, ticked=ticked, form=form,
            errors=self._linked([e for e in errors if isinstance(e, Problem)])
            + [(str(e), None) for e in errors if not isinstance(e, Problem)],
            all_ready=pending and not any(change.problems for change in pending
                                          if change.allowed),
            can_publish=request.user.has_perm("kb.publish_content"),
            scheduled=ScheduledPublication.objects.order_by("-run_at")[:10],
            to_check=self._linked(warnings(draft)),
            preview_url=preview_url("/"))

    def _publish(self, request, form):
        """Publish, publish all or schedule; a redirect when done, else the problems."""
        action = request.POST.get("action")
        keys = set(request.POST.getlist("modifications"))
        note = form.cleaned_data["note"]
        try:
            if action == "programmer":
                if not form.cleaned_data["le"]:
                    return [_("Indiquez la date et l'heure de la publication programmée.")]
                scheduled = schedule_publication(keys=keys, run_at=form.cleaned_data["le"],
                                                 user=request.user, note=note)
                messages.success(request, _("%(what)s : les modifications cochées seront "
                                            "vérifiées de nouveau puis publiées à cette "
                                            "heure-là. Si elles ne passent plus les "
                                            "vérifications, rien ne change et vous êtes "
                                            "prévenu par e-mail.") % {"what": scheduled})
                return redirect("admin:kb_contentversion_publish")
            version = publish_content(user=request.user, note=note,
                                      only=None if action == "tout" else keys)
        except PublishRefused as refused:
            return refused.problems
        messages.success(request, _("Version %(n)s publiée : les visiteurs la voient "
                                    "désormais.") % {"n": version.number})
        return redirect("admin:kb_contentversion_change", version.pk)

    def cancel_scheduled_view(self, request, pk):
        self._require(request, "kb.publish_content")
        if request.method != "POST":
            return redirect("admin:kb_contentversion_publish")
        cancelled = ScheduledPublication.objects.filter(
            pk=pk, status=ScheduledPublication.Status.WAITING).update(
            status=ScheduledPublication.Status.CANCELLED,
            outcome=_("Annulée par %(user)s.") % {"user": request.user.get_username()})
        if cancelled:
            messages.success(request, _("La publication programmée est annulée."))
        else:
            messages.error(request, _("Cette publication n'est plus en attente : elle a déjà "
                                      "eu lieu ou a été annulée."))
        return redirect("admin:kb_contentversion_publish")

    def dashboard_view(self, request):
        """What to do today first (broken links, facts to check again, the pages visitors
        find least useful), at most a screen; every list in full one click away."""
        self._require(request, "kb.view_contentversion")
        if request.method == "POST":
            return self._request_link_check(request)
        votes = page_votes()
        titles = dict(describe_pages([row["page"] for row in votes]))
        votes = [{**row, "title": titles.get(row["page"], row["page"])} for row in votes]
        due, never, broken = verification_due(), never_verified(), link_problems()
        return self._page(
            request, "admin/kb/contentversion/dashboard.html", _("Tableau de bord des éditeurs"),
            months=settings.KB_FRESHNESS_MONTHS, due=due, never=never, broken=broken,
            to_verify=due + never,
            last_check=LinkCheck.objects.order_by("-checked_at").first(),
            check_requested=cache.get(LINK_CHECK_REQUESTED),
            votes=votes, unhelpful=[row for row in votes if row["useful_share"] < 50],
            overlays=overlay_summary(published_document()),
            can_check=request.user.has_perm("kb.publish_content"),
        )

    def _request_link_check(self, request):
        """« Vérifier les liens maintenant »: a job on the task queue, never run here."""
        self._require(request, "kb.publish_content")
        tasks.check_links.enqueue()
        cache.set(LINK_CHECK_REQUESTED, timezone.now(), 3600)
        messages.success(request, _("La vérification des liens est demandée : elle se fait "
                                    "en arrière-plan, en quelques minutes. Rechargez cette "
                                    "page pour voir son résultat."))
        return redirect("admin:kb_contentversion_dashboard")

    def markdown_preview_view(self, request):
        """The rendering of a Markdown field being typed: the same sanitised HTML that a
        publication stores. POST only (the text can be long); nothing is saved."""
        if request.method != "POST":
            return HttpResponse(status=405)
        if not any(request.user.has_perm(f"kb.change_{model}") for model in
                   ("step", "tutorial", "knownproblem", "supportline")):
            raise PermissionDenied
        return HttpResponse(render_markdown(request.POST.get("texte", "")[:20000]))

    def tree_view(self, request):
        """The draft's tree as a picture: each box opens its form; what the publish checks
        refuse, and what changed since the published version, stand out. Side by side with
        the published tree on request."""
        self._require(request, "kb.view_contentversion")
        draft = draft_document()
        latest = ContentVersion.objects.first()
        before = json.loads(latest.document) if latest else {}
        snapshot = Snapshot(draft, number=-1, is_preview=True)
        drawn = picture(snapshot)
        form_urls = {slug: reverse("admin:kb_step_change", args=[pk])
                     for slug, pk in Step.objects.values_list("slug", "pk")}  # one query
        flag_draft_boxes(drawn, draft, before, form_urls)
        added = overlay_additions(draft)
        for box in drawn.boxes:
            box.added = added.get(box.step.slug, "")
        drawn_slugs = {box.step.slug for box in drawn.boxes}
        side_by_side = request.GET.get("vue") == "cote-a-cote" and latest
        return self._page(
            request, "admin/kb/contentversion/tree.html", _("Arbre du parcours (brouillon)"),
            picture=drawn, outline=outline(snapshot, drawn), side_by_side=side_by_side,
            latest=latest,
            published_picture=picture(Snapshot(before, number=latest.number))
            if side_by_side else None,
            outside=[(step["question"] or step["title"], form_urls[step["slug"]])
                     for step in draft["steps"] if step["slug"] not in drawn_slugs],
            editor_legend=True,
            added_legend=_("Une équipe régionale y ajoute sa ligne (sur sa porte d'entrée)")
            if added else "",
        )

    def _linked(self, found) -> list[tuple[str, str | None]]:
        """(message, link to the object's form) for each problem."""
        wanted = {problem.collection for problem in found if problem.slug}
        ids = {(collection, slug): pk for collection in wanted
               for slug, pk in COLLECTION_MODELS[collection].objects.values_list("slug", "pk")}
        linked = []
        for problem in found:
            pk = ids.get((problem.collection, problem.slug))
            model = COLLECTION_MODELS.get(problem.collection)
            url = reverse(f"admin:kb_{model._meta.model_name}_change", args=[pk]) if pk else None
            linked.append((str(problem), url))
        return linked

    def compare_view(self, request):
        self._require(request, "kb.view_contentversion")
        numbers = list(ContentVersion.objects.values_list("number", flat=True))
        try:
            old = int(request.GET.get("de", numbers[1] if len(numbers) > 1 else 0))
            new = int(request.GET.get("a", numbers[0] if numbers else 0))
        except ValueError:
            old = new = 0
        versions = {v.number: v for v in ContentVersion.objects.filter(number__in=[old, new])}
        changes = None
        if old in versions and new in versions:
            changes = diff_documents(json.loads(versions[old].document),
                                     json.loads(versions[new].document))
        return self._page(request, "admin/kb/contentversion/compare.html",
                          _("Comparer deux versions"), numbers=numbers, old=old, new=new,
                          changes=changes)

    def revert_view(self, request, number):
        # A revert replaces the whole draft, every team's overlay included: national only.
        self._require(request, "kb.publish_content")
        self._require(request, "kb.edit_national_content")
        version = get_object_or_404(ContentVersion, number=number)
        if request.method == "POST":
            try:
                new = revert_content(number=number, user=request.user,
                                     note=request.POST.get("note", ""))
            except PublishRefused as refused:
                for problem in refused.problems:
                    messages.error(request, str(problem))
                return redirect("admin:kb_contentversion_change", version.pk)
            messages.success(request, _("Version %(new)s publiée avec le contenu de la version "
                                        "%(old)s ; le brouillon a été remis à ce contenu.")
                             % {"new": new.number, "old": number})
            return redirect("admin:kb_contentversion_change", new.pk)
        latest = ContentVersion.objects.first()
        changes = diff_documents(json.loads(latest.document), json.loads(version.document))
        return self._page(request, "admin/kb/contentversion/revert.html",
                          _("Rétablir la version %(n)s") % {"n": number},
                          version=version, latest=latest, changes=changes)

    def export_view(self, request, number=None):
        self._require(request, "kb.view_contentversion")
        versions = ContentVersion.objects.all()
        version = (versions.filter(number=number) if number else versions).first()
        if version is None:
            raise Http404(_("Aucune version publiée."))
        name = f"contenu-ecps-version-{version.number}"
        if request.GET.get("avec") == "images":
            response = HttpResponse(export_archive(version), content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
            return response
        response = HttpResponse(version.document, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response

    def import_view(self, request):
        self._require(request, "kb.publish_content")
        self._require(request, "kb.edit_national_content")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_IMPORT_BYTES:
                    raise DocumentError([_("Ce fichier dépasse 100 Mo : ce n'est pas un export "
                                           "de contenu.")])
                import_file(upload.read())
            except DocumentError as error:
                errors = error.errors
            else:
                messages.success(request, _("Le fichier est chargé dans le brouillon. Vérifiez "
                                            "les différences et l'aperçu, puis publiez."))
                return redirect("admin:kb_contentversion_publish")
        return self._page(request, "admin/kb/contentversion/import.html",
                          _("Importer un contenu dans le brouillon"), form=form, errors=errors)


def overlay_summary(document: dict) -> list[dict]:
    """What each team adds to the published national content, for the dashboard."""
    additions = overlay_additions(document)
    summary = []
    for overlay in document.get("overlays", []):
        team = overlay["slug"]
        owned = [(KIND_NAMES[collection], item.get("name") or item.get("title")
                  or item.get("symptom"))
                 for collection in ("support_lines", "tutorials", "known_problems")
                 for item in document[collection] if item.get("team", "") == team]
        steps = [(step, text) for step, text in additions.items()
                 if any(addition["step"] == step for addition in overlay["steps"])]
        summary.append({"team": team, "welcome": overlay["welcome"], "owned": owned,
                        "steps": steps, "services": overlay["services"]})
    return summary


def overlay_additions(document: dict) -> dict[str, str]:
    """For each step, what the teams' overlays add there, in words: « Équipe fimatho en tête
    pour l'équipe « hdf » » (one sentence per line, however many teams add it)."""
    names = {line["slug"]: line["name"] for line in document["support_lines"]}
    added: dict[str, dict[str, list[str]]] = {}
    for overlay in document.get("overlays", []):
        for addition in overlay["steps"]:
            for line in addition["support_lines"]:
                added.setdefault(addition["step"], {}).setdefault(line, []).append(
                    overlay["slug"])
    return {step: " ; ".join(
        _("%(line)s en tête pour %(teams)s") % {
            "line": names.get(line, line),
            "teams": (_("l'équipe « %(team)s »") % {"team": teams[0]} if len(teams) == 1 else
                      _("les équipes %(teams)s") % {"teams": ", ".join(
                          f"« {team} »" for team in teams)})}
        for line, teams in lines.items()) for step, lines in added.items()}


def flag_draft_boxes(drawn, draft: dict, before: dict, form_urls: dict[str, str]) -> None:
    """Boxes of the draft's picture link to their edit form, and say why they stand out."""
    found: dict[str, list[str]] = {}
    for problem in problems(draft):
        if problem.collection == "steps" and problem.slug:
            found.setdefault(problem.slug, []).append(str(problem))
    published_steps = {step["slug"]: step for step in before.get("steps", [])}
    draft_steps = {step["slug"]: step for step in draft["steps"]}
    for box in drawn.boxes:
        slug = box.step.slug
        box.url = form_urls[slug]
        if slug in found:
            box.state = "to-fix"
            box.flagged = _("À corriger : %(problems)s") % {"problems": " ; ".join(found[slug])}
        elif slug not in published_steps:
            box.state = "new"
            box.flagged = _("Nouvelle étape, pas encore publiée")
        elif published_steps[slug] != draft_steps[slug]:
            box.state = "changed"
            box.flagged = _("Modifiée depuis la publication")
