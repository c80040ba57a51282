"""Posters and cards for waiting rooms and offices (issue 20 §2): an A4 poster or an A6 card
with a title, three lines, a QR code to the team's front door (or to a step or tutorial), the
short address written below it, and the team's line. Printed from the browser (named pages
of exactly A4 and A6, static/css/site.css), so no PDF library is needed.

The QR code's address carries « ?qr=affiche » or « ?qr=carte »: count_scans counts it per
team and per day, nothing else."""

import logging
from urllib.parse import parse_qs, urlsplit

import segno
from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from teams.front_door import PUBLIC_VIEWS
from teams.models import POSTER_LINES, Scan, Team, validate_poster_lines

logger = logging.getLogger(__name__)

DEFAULT_TITLE = gettext_lazy("Votre e-CPS ne fonctionne pas ?")
DEFAULT_LINES = [
    gettext_lazy("Scannez ce QR code avec votre téléphone."),
    gettext_lazy("Répondez à deux ou trois questions : vous aurez la solution, le tutoriel "
                 "pas à pas ou le bon numéro à appeler."),
    gettext_lazy("Personne ne vous demandera votre mot de passe e-CPS ni le code PIN de "
                 "votre carte."),
]


def non_empty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def poster_text(team: Team) -> tuple[str, list[str]]:
    lines = non_empty_lines(team.poster_lines)
    return (team.poster_title or str(DEFAULT_TITLE),
            lines[:POSTER_LINES] or [str(line) for line in DEFAULT_LINES])


def destinations() -> list[tuple[str, list[tuple[str, str]]]]:
    """Where a QR code may lead, grouped for the form's menu: (path from the door's root,
    name). Steps by their direct link, which claims no answer."""
    from kb.snapshot import published

    content = published.get()
    pages = [(reverse("kb:home"), _("Accueil de la porte d'entrée (conseillé)")),
             (reverse("kb:known_problems"), _("Problèmes connus et solutions")),
             (reverse("kb:support_lines"), _("Contacts d'assistance"))]
    tutorials = sorted(((t.get_absolute_url(), t.title) for t in content.tutorials.values()
                        if t.is_published), key=lambda item: item[1])
    steps = sorted(((step.direct_url, step.heading) for step in content.steps.values()
                    if step is not content.start), key=lambda item: item[1])
    return [(_("Pages"), pages), (_("Tutoriels"), tutorials), (_("Étapes du parcours"), steps)]


def printable_teams(user):
    """A staff member prints for their own teams, and for the national site."""
    return (Team.objects.of(user) | Team.objects.filter(is_national=True)).distinct()


class PosterForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Équipe"), queryset=Team.objects.none(),
                                  empty_label=None, to_field_name="slug",
                                  widget=forms.Select(attrs={"class": "form-select"}))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=Scan.Kind.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))
    page = forms.ChoiceField(label=gettext_lazy("Le QR code mène à"), required=False,
                             widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=80, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control"}))
    lines = forms.CharField(
        label=gettext_lazy("Texte (trois lignes au plus)"), max_length=300, required=False,
        validators=[validate_poster_lines],
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=gettext_lazy("Pour cette impression. Le texte enregistré de l'équipe se "
                               "change dans l'administration (Équipes)."))

    def __init__(self, data, *, teams):
        super().__init__(data)
        self.fields["team"].queryset = teams
        self.fields["page"].choices = [(str(group), choices)
                                       for group, choices in destinations()]


@never_cache
@staff_member_required
def poster(request):
    """The poster or card to print, under the form that chooses it (hidden in print). The
    form is read from the address: a poster can be bookmarked and printed again."""
    teams = printable_teams(request.user)
    data = request.GET.copy()
    team = (teams.filter(slug=data.get("team", "")).first()
            or teams.filter(members=request.user).first() or teams.first())
    title, lines = poster_text(team)
    for name, default in [("team", team.slug), ("format", Scan.Kind.POSTER), ("title", title),
                          ("lines", "\n".join(lines))]:
        data.setdefault(name, default)
    form = PosterForm(data, teams=teams)
    form.is_valid()
    chosen = form.cleaned_data  # the fields that are right, even if another is not
    title = chosen.get("title") or title
    lines = non_empty_lines(chosen.get("lines", "")) or lines
    kind = chosen.get("format") or Scan.Kind.POSTER
    path = chosen.get("page") or reverse("kb:home")
    address = settings.TRIAGE_SITE_URL + team.door + path
    short = urlsplit(address)
    short_address = short.netloc + short.path
    qr_url = f"{address}{'&' if '?' in address else '?'}qr={kind}"
    return render(request, "teams/poster.html", {
        "form": form, "team": team, "kind": kind, "title": title, "lines": lines,
        "short_address": short_address,
        # segno escapes the title it writes into the SVG.
        "qr_svg": mark_safe(segno.make(qr_url, error="q").svg_inline(
            omitsize=True, border=2, title=_("QR code vers %(address)s") % {
                "address": short_address})),
        "scans": scans_of(team),
    }, status=200 if form.is_valid() else 400)


def scans_of(team: Team, days: int = 30) -> dict:
    since = timezone.localdate() - timezone.timedelta(days=days)
    counts = dict(team.scans.filter(day__gt=since).values_list("kind").annotate(Sum("count")))
    return {"days": days, "affiche": counts.get("affiche", 0), "carte": counts.get("carte", 0)}


def count_scans(get_response):
    """A page opened from a poster's or a card's QR code adds one to that day's count of the
    team whose door it is (the national team's on the site itself). Never in the way of the
    page: a failure to count is only a count lost."""

    def middleware(request):
        response = get_response(request)
        kind = scan_kind(request.META.get("QUERY_STRING", ""))
        match = request.resolver_match
        if (kind and request.method == "GET" and response.status_code == 200 and match
                and match.view_name in PUBLIC_VIEWS):
            try:
                add_scan(getattr(request, "front_door", None), kind)
            except DatabaseError as error:
                logger.warning("scan not counted: %s", type(error).__name__)
        return response

    return middleware


def scan_kind(query: str) -> str:
    """« affiche » or « carte » from the query string as sent (request.GET may be what made
    the request a 400: too many fields…), "" otherwise."""
    if "qr=" not in query:
        return ""
    try:
        kind = parse_qs(query, max_num_fields=20).get("qr", [""])[0]
    except ValueError:
        return ""
    return kind if kind in Scan.Kind.values else ""


def add_scan(door, kind: str) -> None:
    team = (Team.objects.filter(slug=door.slug).first() if door else None) or Team.national()
    today = timezone.localdate()
    with transaction.atomic():
        if Scan.objects.filter(team=team, kind=kind, day=today).update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                Scan.objects.create(team=team, kind=kind, day=today, count=1)
        except IntegrityError:  # created meanwhile by another worker
            Scan.objects.filter(team=team, kind=kind, day=today).update(count=F("count") + 1)
