"""The clock: the one day every figure is measured up to, and the default period ending there.

Every page, API answer, CLI `--json` and report reads its default end day here, so the
outcomes list, the target pages, scorecards, the organization view, the heatmap, the step
insights, friction signals, `cxkeeper metrics` and the reports all measure the same days.

**Data through** is the latest day whose feedback volume is a real day's volume: at least
`FULL_DAY_SHARE` (20%) of the typical day, where "typical" is the median daily volume of the
(up to) `TRAILING_DAYS` (28) earlier days that have feedback. Days are walked back from the
latest day with feedback until one qualifies. Why: a handful of rows dated a few days after the
rest (a late export, a clock-skewed survey tool, a test row) would otherwise move the end of
every window to an almost empty day, shrink every 90-day period and change everyone's figures
and target statuses — the import would change figures through *other* rows. With this rule an
import changes figures only through its own rows; a real new day (a day's worth of feedback)
moves the clock as it should.

Small or new workspaces: with fewer than `MIN_HISTORY_DAYS` (7) earlier days with feedback
there is nothing to call typical, so the day counts as it is. No feedback at all: today, for
pages that still need a day to show ("no feedback yet").

Cheap: one query for the latest days with feedback (the day index of the step × day rollup)
and one sum per day over those days; nothing reads raw feedback.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Sum

from cxkeeper.core import figures
from cxkeeper.insights.models import StepDayRollup

#: a day counts as "data" when it has at least this share of the typical day's feedback
FULL_DAY_SHARE = 0.2
#: the typical day: the median over this many earlier days that have feedback
TRAILING_DAYS = 28
#: fewer earlier days with feedback than this: every day counts (nothing to compare with)
MIN_HISTORY_DAYS = 7
#: days with feedback looked at, walking back from the latest (bounds the work)
LOOK_BACK_DAYS = 120
#: the default period of every figure: the 90 days ending on the data-through day
DEFAULT_PERIOD_DAYS = 90


class _Unread:
    """The one "not read yet" marker; it stays the same object through pickling, so figures
    kept in the store (`core.figures`) still compare `is UNREAD`."""

    def __reduce__(self):
        return "UNREAD"

    def __repr__(self):
        return "UNREAD"


#: "not read yet", for callers that carry a data-through day they may already know
UNREAD = _Unread()


@dataclass(frozen=True)
class Period:
    """The days a figure covers, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict:
        """The JSON shape of API answers and CLI `--json`: `"period": {"start", "end", "days"}`."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


def daily_volumes(limit: int = LOOK_BACK_DAYS) -> list[tuple[dt.date, int]]:
    """(day, feedback items) of the latest `limit` days that have feedback, newest first."""
    # index-only (day, step_id); a day whose cells were all emptied by corrections sums to 0
    # below and is left out
    days = list(StepDayRollup.objects.values_list("day", flat=True).distinct().order_by("-day")[:limit])
    if not days:
        return []
    rows = (StepDayRollup.objects.filter(day__gte=days[-1], day__lte=days[0]).values("day")
            .annotate(total=Sum("n")).order_by("-day"))
    return [(row["day"], int(row["total"] or 0)) for row in rows if row["total"]]


def data_through_of(volumes: list[tuple[dt.date, int]]) -> dt.date | None:
    """The rule of the module docstring over (day, volume) pairs, newest first."""
    for i, (day, n) in enumerate(volumes):
        earlier = [v for _, v in volumes[i + 1:i + 1 + TRAILING_DAYS]]
        if len(earlier) < MIN_HISTORY_DAYS or n >= FULL_DAY_SHARE * statistics.median(earlier):
            return day
    return volumes[0][0] if volumes else None


def data_through() -> dt.date | None:
    """The last day of data every figure is measured up to (None: no feedback yet); read on
    every page, so kept until the feedback changes (`core.figures`)."""
    return figures.figure("insights.data_through", (), lambda: data_through_of(daily_volumes()),
                          depends=(figures.FEEDBACK,))


def as_of() -> dt.date:
    """The default end day of every figure: data through, or today before any feedback."""
    return data_through() or dt.date.today()


def period(days: int = DEFAULT_PERIOD_DAYS, *, end: dt.date | None = None,
           start: dt.date | None = None) -> Period:
    """A figure's period: the given ends, else the `days` days ending on the data-through day."""
    end = end or as_of()
    return Period(start or end - dt.timedelta(days=days - 1), end)


def clock_dict(period_: Period | None = None) -> dict:
    """What API answers and CLI `--json` add: `"data_through"` and, with a period, `"period"`."""
    through = data_through()
    payload: dict = {"data_through": through.isoformat() if through else None}
    if period_ is not None:
        payload["period"] = period_.as_dict()
    return payload
