"""Numbers, dates and statuses as the reports write them: a metric's figures through
`insights.metrics.format_metric` / `format_interval` (its digits and unit, a real minus sign,
thousands separated, intervals cut to the metric's scale and saying so) — the formatter the
pages use. A missing figure is an en dash (–) in reports."""

from __future__ import annotations

import datetime as dt

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.insights.metrics import CATALOGUE, digits, format_interval, format_metric, format_target
from cxkeeper.outcomes.choices import Status
from cxkeeper.outcomes.reports.style import STATUS_MARK

MISSING = "–"
__all__ = ["MISSING", "count", "day_text", "digits", "interval_text", "kpi_number", "metric_num", "month_text", "num",
           "plain", "series_text", "signed", "status_label", "status_summary", "target_text", "unit_of", "value_text"]


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


def metric_num(value: float | None, base: str) -> str:
    """A value of metric `base` with its digits and unit: 5.21, 82.0%, −16.8."""
    return format_metric(value, base if base in CATALOGUE else "volume", empty=MISSING)


def target_text(value: float | None, base: str) -> str:
    """A target as people set it, with the metric's unit: 70%, 5.5."""
    return format_target(value, base, empty=MISSING)


def value_text(value: MetricValue, base: str) -> str:
    if not value.enough or value.value is None:
        return f"not enough data (n = {count(value.n)})"
    return metric_num(value.value, base)


def interval_text(value: MetricValue, base: str) -> str:
    """"80.1% to 84.0%", "3.63 to 7.00, the top of the scale" (cut to the metric's scale)."""
    if not value.enough or value.low is None or value.high is None:
        return MISSING
    return format_interval(value.low, value.high, base if base in CATALOGUE else "volume", value=value.value,
                           empty=MISSING)


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
    return numbers.with_unit(numbers.compact(value, 2), unit.strip())


def series_text(monthly: list[tuple[dt.date, MetricValue]], base: str) -> str:
    """A monthly series in words, for Markdown and screen readers."""
    parts = [f"{month_text(day)} {metric_num(v.value, base)} (n {count(v.n)})" if v.enough
             else f"{month_text(day)} {MISSING} (n {count(v.n)})" for day, v in monthly]
    return "Monthly: " + " · ".join(parts) + "."
