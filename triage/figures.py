"""The team's figures: counts and durations only, never who asked or what they wrote."""

import csv
import io
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.pages import describe_pages
from triage.models import Ticket, TicketEvent

TOP = 10


@dataclass
class Week:
    monday: datetime
    opened: int = 0
    first_replies: list[float] = field(default_factory=list)  # hours to the first reply

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.first_replies), 1) if self.first_replies else None


@dataclass
class TeamFigures:
    weeks: list[Week]
    first_replies: list[float]
    resolved: int
    transferred: int
    outcomes: list[tuple[str, int]]
    pages: list[tuple[str, str, int]]  # path, title, count

    @property
    def opened(self) -> int:
        return sum(week.opened for week in self.weeks)

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.first_replies), 1) if self.first_replies else None

    @property
    def resolved_share(self) -> int | None:
        closed = self.resolved + self.transferred
        return round(100 * self.resolved / closed) if closed else None


def week_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    monday = local.date() - timedelta(days=local.weekday())
    return timezone.make_aware(datetime.combine(monday, time()))


def team_figures(*, teams, weeks: int = 12, now: datetime | None = None) -> TeamFigures:
    """Tickets of `teams` received in the last `weeks` weeks (this one included), duplicates
    merged into another ticket left out. Three queries."""
    now = now or timezone.now()
    first_monday = week_start(now) - timedelta(weeks=weeks - 1)
    table = [Week(first_monday + timedelta(weeks=n)) for n in range(weeks)]
    tickets = (Ticket.objects.filter(created_at__gte=first_monday, created_at__lte=now,
                                     merged_into__isnull=True, team__in=teams)
               .annotate(first_reply=Min("events__at",
                                         filter=Q(events__kind=TicketEvent.Kind.REPLY)))
               .values_list("created_at", "source", "status", "outcome_title",
                            "pages_viewed", "first_reply"))
    all_replies, statuses, outcomes, pages = [], Counter(), Counter(), Counter()
    for created_at, source, status, outcome_title, pages_viewed, first_reply in tickets:
        week = table[(week_start(created_at) - first_monday).days // 7]
        week.opened += 1
        statuses[status] += 1
        # A caller had the first answer on the phone: only written requests are timed.
        if source == Ticket.Source.WEB and first_reply:
            hours = (first_reply - created_at).total_seconds() / 3600
            week.first_replies.append(hours)
            all_replies.append(hours)
        if outcome_title:
            outcomes[outcome_title] += 1
        # Without the query string: search words may be anything, a name included. A page
        # read twice before one ticket counts once.
        pages.update({path.split("?")[0] for path in pages_viewed})
    top_pages = pages.most_common(TOP)
    titles = dict(describe_pages([path for path, _count in top_pages]))
    return TeamFigures(
        weeks=table, first_replies=all_replies,
        resolved=statuses[Ticket.Status.RESOLVED], transferred=statuses[Ticket.Status.TRANSFERRED],
        outcomes=outcomes.most_common(TOP),
        pages=[(path, titles.get(path, path), count) for path, count in top_pages],
    )


def column_chart(values: list[float | None], labels: list[str], *, width=360, height=150):
    """Bars for a series, as coordinates for an SVG drawn by the template. The drawing is
    about as wide as a phone, so its text stays readable there; with many weeks, one label in
    a few (every value stays in the table below the chart)."""
    top = max([value for value in values if value] or [1])
    step = width / max(len(values), 1)
    every = math.ceil(len(values) / 6)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = (value or 0) / top * (height - 40)
        bars.append({
            "x": round(index * step + step * 0.15, 1), "width": round(step * 0.7, 1),
            "y": round(height - 20 - bar_height, 1), "height": round(bar_height, 1),
            "value": value, "label": label, "text_x": round(index * step + step / 2, 1),
            "show": index % every == (len(values) - 1) % every,  # the last week always
        })
    return {"bars": bars, "width": width, "height": height, "baseline": height - 20,
            "empty": all(value is None for value in values)}


def share(count: int, largest: int) -> int:
    """A bar's length in percent of the longest, for the ranked lists."""
    return round(100 * count / largest) if largest else 0


def as_csv(figures: TeamFigures) -> str:
    """Semicolons and a byte order mark: what a French spreadsheet opens as columns."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Indicateur"), _("Libellé"), _("Valeur")])
    for week in figures.weeks:
        writer.writerow([_("Demandes reçues, semaine du"), f"{week.monday:%Y-%m-%d}",
                         week.opened])
    for week in figures.weeks:
        writer.writerow([_("Délai médian de première réponse (heures), semaine du"),
                         f"{week.monday:%Y-%m-%d}",
                         "" if week.median_hours is None else week.median_hours])
    writer.writerow([_("Délai médian de première réponse (heures)"), _("période"),
                     "" if figures.median_hours is None else figures.median_hours])
    writer.writerow([_("Demandes closes"), _("résolues sans transfert"), figures.resolved])
    writer.writerow([_("Demandes closes"), _("transférées au support national"),
                     figures.transferred])
    for title, count in figures.outcomes:
        writer.writerow([_("Issue du parcours avant la demande"), title, count])
    for path, title, count in figures.pages:
        writer.writerow([_("Page lue avant la demande"), f"{title} ({path})", count])
    return out.getvalue()
