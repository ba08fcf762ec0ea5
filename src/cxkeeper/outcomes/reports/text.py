"""Numbers, dates and statuses as the reports write them: figures through `core.numbers` (a
real minus sign, thousands separated), digits and units from the metric catalogue. A missing
figure is an en dash (–) in reports."""

from __future__ import annotations

import datetime as dt

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.insights.metrics import CATALOGUE, digits
from cxkeeper.outcomes.choices import Status
from cxkeeper.outcomes.reports.style import STATUS_MARK

MISSING = "–"
__all__ = ["MISSING", "count", "day_text", "digits", "interval_text", "kpi_number", "month_text", "num", "plain",
           "series_text", "signed", "status_label", "status_summary", "unit_of", "value_text"]


def num(value: float | None, places: int) -> str:
    return numbers.fixed(value, places, empty=MISSING)


def signed(value: float | None, places: int) -> str:
    return numbers.signed(value, places, empty=MISSING)


def plain(value: float) -> str:
    """A target as people write it (5.5, 70, −10), with a real minus sign."""
    return numbers.plain(value, empty=MISSING)


def count(n: int | None) -> str:
    """A number of responses or items: 99,664."""
    return numbers.count(n, empty=MISSING)


def unit_of(base: str) -> str:
    return CATALOGUE[base].unit


def value_text(value: MetricValue, base: str) -> str:
    if not value.enough or value.value is None:
        return f"not enough data (n = {value.n})"
    return f"{num(value.value, digits(base))}{unit_of(base)}"


def interval_text(value: MetricValue, base: str) -> str:
    if not value.enough or value.low is None or value.high is None:
        return MISSING
    places = digits(base)
    return f"{num(value.low, places)} – {num(value.high, places)}{unit_of(base)}"


def day_text(day: dt.date | None) -> str:
    return f"{day:%-d %b %Y}" if day else MISSING


def month_text(day: dt.date) -> str:
    return f"{day:%b %y}"


def status_label(status: str) -> str:
    return f"{STATUS_MARK[status]} {Status(status).label}"


def status_summary(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{counts[s]} {Status(s).label.lower()}" for s in Status.values)
    return f"{total} target{'s' if total != 1 else ''}: {parts}."


def kpi_number(value: float | None, unit: str) -> str:
    """A team KPI's value with its unit: 4.5 min, 12%, 1,235 € per contact."""
    if value is None:
        return MISSING
    text = numbers.compact(value, 2)
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}".strip()


def series_text(monthly: list[tuple[dt.date, MetricValue]], base: str) -> str:
    """A monthly series in words, for Markdown and screen readers."""
    parts = [f"{month_text(day)} {num(v.value, digits(base))} (n {v.n})" if v.enough
             else f"{month_text(day)} {MISSING} (n {v.n})" for day, v in monthly]
    return "Monthly: " + " · ".join(parts) + "."
