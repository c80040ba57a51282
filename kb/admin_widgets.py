"""Form widgets of the editors' admin: Markdown with its rendering beside it, plain text
that says it is plain."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kb.markdown import render_markdown

PLAIN_TEXT = _("Texte simple : pas de mise en forme (des * ou des # s'afficheraient tels "
               "quels).")


class MarkdownTextarea(forms.Textarea):
    """The source, and beside it what visitors will see. The rendering of the saved text comes
    with the page; static/js/markdown_preview.js renders it again while the editor types."""

    template_name = "admin/kb/markdown_textarea.html"

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, "data-markdown-preview": "", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["rendered"] = render_markdown(value or "")
        return context

    class Media:
        js = ["js/markdown_preview.js"]
        css = {"all": ["css/admin_editor.css"]}


class OnlyIdsLookedUp:
    """Django's autocomplete widget looks up the selected objects to show their names. When
    the form comes back with an error, the selection is what the browser sent, and a value
    that is no id (letters, accents) made that lookup raise: a 500 instead of the form with
    « Sélectionnez un choix valide ». Such values are left out of the lookup; the field's own
    error says what is wrong."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if self.is_id(item)], attr)

    def is_id(self, item) -> bool:
        try:
            self.field.target_field.to_python(item)
        except ValidationError:
            return False
        return True


class EditorAutocompleteSelect(OnlyIdsLookedUp, AutocompleteSelect):
    pass


class EditorAutocompleteSelectMultiple(OnlyIdsLookedUp, AutocompleteSelectMultiple):
    pass


def is_markdown(db_field) -> bool:
    """A Markdown field is stored with its rendering, in a sibling `…_html` field."""
    names = {field.name for field in db_field.model._meta.get_fields()}
    return f"{db_field.name}_html" in names


class EditorFieldsMixin:
    """For every kb admin form and inline: Markdown fields get their preview, free-text fields
    say they are plain, autocomplete fields survive what a browser may send."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = EditorAutocompleteSelect(db_field, self.admin_site,
                                                        using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = EditorAutocompleteSelectMultiple(db_field, self.admin_site,
                                                                using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and is_markdown(db_field):
            kwargs["widget"] = MarkdownTextarea
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        free_text = isinstance(db_field, models.TextField) or (
            isinstance(db_field, models.CharField) and not db_field.choices
            and (db_field.max_length or 0) >= 100 and db_field.name != "slug")
        if (field is not None and free_text and not is_markdown(db_field)
                and not isinstance(db_field, (models.URLField, models.EmailField))
                and "Texte simple" not in str(field.help_text)):
            field.help_text = f"{field.help_text} {PLAIN_TEXT}".strip()
        return field
