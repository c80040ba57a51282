"""What editors should check again: content verified long ago or never, and external links
that no longer answer as they should (checked by `manage.py check_links`, never during a
page view)."""

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import Feedback, KnownProblem, LinkCheck, Step, SupportLine, Tutorial

URL_IN_TEXT = re.compile(r"https?://[^\s<>()\[\]\"'«»]+[^\s<>()\[\]\"'«».,;:!?]")


@dataclass
class Item:
    kind: str
    label: str
    admin_url: str
    verified_on: date | None = None


def _admin_url(obj) -> str:
    return reverse(f"admin:kb_{obj._meta.model_name}_change", args=[obj.pk])


def verification_due(*, months: int | None = None, today: date | None = None) -> list[Item]:
    """Support lines, tutorials and known problems verified more than `months` ago, oldest
    first."""
    months = settings.KB_FRESHNESS_MONTHS if months is None else months
    cutoff = (today or timezone.localdate()) - timedelta(days=round(months * 30.44))
    items = [Item(_("Ligne d'assistance"), line.name, _admin_url(line), line.verified_on)
             for line in SupportLine.objects.filter(verified_on__lt=cutoff)]
    items += [Item(_("Tutoriel"), tutorial.title, _admin_url(tutorial), tutorial.verified_on)
              for tutorial in Tutorial.objects.filter(verified_on__lt=cutoff)]
    items += [Item(_("Problème connu"), problem.symptom, _admin_url(problem), problem.verified_on)
              for problem in KnownProblem.objects.filter(verified_on__lt=cutoff)]
    return sorted(items, key=lambda item: item.verified_on)


def never_verified() -> list[Item]:
    return [Item(_("Problème connu"), problem.symptom, _admin_url(problem))
            for problem in KnownProblem.objects.filter(verified_on__isnull=True)]


def external_links() -> dict[str, list[Item]]:
    """Every external address of the draft, with where it appears."""
    found: dict[str, list[Item]] = {}

    def add(text: str, kind: str, obj, label: str) -> None:
        for url in URL_IN_TEXT.findall(text or ""):
            places = found.setdefault(url, [])
            if not any(place.admin_url == _admin_url(obj) for place in places):
                places.append(Item(kind, label, _admin_url(obj)))

    for line in SupportLine.objects.all():
        add(f"{line.faq_url} {line.source} {line.visitor_notice}", _("Ligne d'assistance"), line,
            line.name)
    for tutorial in Tutorial.objects.prefetch_related("steps"):
        texts = [tutorial.video_url, tutorial.source, tutorial.prerequisites,
                 *(f"{step.body} {step.warning}" for step in tutorial.steps.all())]
        add(" ".join(texts), _("Tutoriel"), tutorial, tutorial.title)
    for step in Step.objects.all():
        add(f"{step.action_url} {step.video_url} {step.body}", _("Étape du parcours"), step,
            step.heading)
    for problem in KnownProblem.objects.all():
        add(f"{problem.fix} {problem.cause}", _("Problème connu"), problem, problem.symptom)
    return found


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is reported, not followed


def check_link(url: str, *, timeout: float) -> tuple[int | None, str, str]:
    """(HTTP status, where a redirect leads, error) for one address; bounded by `timeout`
    seconds per attempt. HEAD first, GET when a server refuses HEAD."""
    opener = urllib.request.build_opener(_NoRedirect)
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={
            "User-Agent": "Assistance-e-CPS-verification-des-liens/1.0"})
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, "", ""
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return error.code, error.headers.get("Location", "") or "", ""
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return None, "", type(reason).__name__ if not isinstance(reason, str) else reason
    return None, "", "aucune réponse"


def check_all_links(*, timeout: float | None = None) -> list[LinkCheck]:
    timeout = settings.KB_LINK_CHECK_TIMEOUT if timeout is None else timeout
    results = []
    links = external_links()
    for url in sorted(links):
        status, location, error = check_link(url, timeout=timeout)
        check, _created = LinkCheck.objects.update_or_create(url=url, defaults={
            "status": status, "redirect_to": location[:500], "error": error[:200],
            "checked_at": timezone.now()})
        results.append(check)
    LinkCheck.objects.exclude(url__in=links).delete()  # addresses no longer in the content
    return results


def link_problems() -> list[tuple[LinkCheck, list[Item]]]:
    """Broken or redirecting addresses still in the content, with where they appear."""
    links = external_links()
    return [(check, links[check.url]) for check in
            LinkCheck.objects.filter(~Q(status__gte=200, status__lt=300)).order_by("url")
            if check.url in links]


def page_votes() -> list[dict]:
    """« Cette page vous a-t-elle été utile ? » per page, the least useful first, with the
    latest comments."""
    rows = (Feedback.objects.values("page")
            .annotate(yes=Count("id", filter=Q(helpful=True)),
                      no=Count("id", filter=Q(helpful=False))))
    comments: dict[str, list[str]] = {}
    for page, comment in (Feedback.objects.exclude(comment="").order_by("-created_at")
                          .values_list("page", "comment")):
        if len(comments.setdefault(page, [])) < 5:
            comments[page].append(comment)
    result = [{**row, "total": row["yes"] + row["no"],
               "useful_share": round(100 * row["yes"] / (row["yes"] + row["no"])),
               "comments": comments.get(row["page"], [])} for row in rows]
    return sorted(result, key=lambda row: (row["useful_share"], -row["total"]))
