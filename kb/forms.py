from urllib.parse import urlsplit

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from kb.identifiers import national_identifier
from kb.models import Feedback
from kb.pages import resolve_local
from kb.privacy import contains_secret
from kb.snapshot import published

# Pages on which visitors may leave an opinion.
FEEDBACK_PAGES = {"tutorial", "wizard_step"}


class IdentifierForm(forms.Form):
    number = forms.CharField(
        label=_("Votre numéro RPPS, ADELI ou votre identifiant national"),
        help_text=_("Par exemple 10002232642 (RPPS, 11 chiffres) ou 123456789 (ADELI, 9 "
                    "caractères). Les espaces et les points sont acceptés."),
        max_length=40,
        error_messages={"max_length": _("Ce numéro est trop long : un numéro RPPS compte 11 "
                                        "chiffres, un numéro ADELI 9.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "spellcheck": "false"}),
    )

    def clean_number(self):
        return national_identifier(self.cleaned_data["number"])


class FeedbackForm(forms.ModelForm):
    helpful = forms.TypedChoiceField(
        label=_("Cette page vous a-t-elle été utile ?"), choices=[("1", _("Oui")), ("0", _("Non"))],
        coerce=lambda value: value == "1", widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez si la page vous a aidé.")},
    )
    comment = forms.CharField(
        label=_("Un commentaire ? (facultatif)"), required=False, max_length=1000,
        help_text=_("1 000 caractères au plus. N'y indiquez ni mot de passe, ni code PIN, ni "
                    "donnée de santé."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={"max_length": _("Votre commentaire dépasse 1 000 caractères "
                                        "(il en compte %(show_value)d).")},
    )

    class Meta:
        model = Feedback
        fields = ["page", "helpful", "comment"]
        widgets = {"page": forms.HiddenInput}

    def clean_comment(self):
        if contains_secret(self.cleaned_data["comment"]):
            raise forms.ValidationError(_(
                "Votre commentaire semble contenir un mot de passe ou un code PIN : retirez-le. "
                "Personne ne doit le connaître."))
        return self.cleaned_data["comment"]

    def clean_page(self):
        page = self.cleaned_data["page"]
        match = resolve_local(page)
        if match is None or match.url_name not in FEEDBACK_PAGES or not published_page(match):
            raise forms.ValidationError(_("Cette page ne peut pas recevoir d'avis."))
        return urlsplit(page).path  # one vote per page, whatever its query string


def published_page(match) -> bool:
    """Votes are stored for pages that exist, not for any made-up wizard or tutorial path."""
    content = published.get()
    if match.url_name == "wizard_step":
        return content.walk(match.kwargs["trail"].split("/")) is not None
    if match.url_name == "tutorial":
        tutorial = content.tutorials.get(match.kwargs["slug"])
        return tutorial is not None and tutorial.is_published
    return True


class StaffLoginForm(AdminAuthenticationForm):
    """The login page of editors and agents. Django's form gives the username its maximum
    length (150) after the field is built, so no validator checks it: a longer name went on
    to authenticate() and to django-axes' record of the failure, which PostgreSQL refused
    (a column of 255 characters), hence an error page. Here the length is checked like any
    other field's, and the form comes back with its message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
