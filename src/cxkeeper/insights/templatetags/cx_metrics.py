"""Metric values on pages: `{% load cx_metrics %}`, then `{{ value|metric_text:base }}`,
`{{ value|metric_number:base }}` (a `MetricValue`), `{{ number|metric_value:base }}` (a plain
number of that metric: a target, a baseline) or `{{ assessment|projection:base }}` — all
written by `insights.metrics.format_metric` with the metric's digits, unit and scale."""

from django import template

from cxkeeper.insights import charts, presentation
from cxkeeper.insights.metrics import format_estimate, format_metric, format_target

register = template.Library()


@register.filter
def metric_text(value, base: str = ""):
    """A metric value as pages show it: "5.21 (95%: 5.01 to 5.41, n=180)", or
    "too few responses (n=12)"."""
    return presentation.metric_text(base, value)


@register.filter
def metric_number(value, base: str = ""):
    """Just the figure ("5.21", "82.0%") or "too few responses"."""
    return presentation.metric_number(base, value)


def _written(value, write, base: str):
    """`write(number, base)` for a number (— for nothing); anything else as it is."""
    try:
        number = None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return value
    return write(number, base)


@register.filter
def metric_value(value, base: str = ""):
    """A plain number of metric `base` with its digits and unit: "40.1%", "5.50", "−16.8"."""
    return _written(value, format_metric, base)


@register.filter
def projection(assessment, base: str = ""):
    """A target's projection at its due date with its interval, cut to the metric's scale and
    saying so: "5.43 (3.63 to 7.00, the top of the scale)"."""
    projected = getattr(assessment, "projected", None)
    return format_estimate(projected, getattr(assessment, "projected_low", None),
                           getattr(assessment, "projected_high", None), base)


@register.filter
def metric_target(value, base: str = ""):
    """A target as people set it, with the metric's unit: "70%", "5.5", "−10"."""
    return _written(value, format_target, base)


@register.filter
def chart_table(spec):
    """The data of a chart as a table (columns, rows) for the "data table" beside it."""
    return charts.data_table(spec)
