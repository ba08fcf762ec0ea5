"""Metric values on pages: `{% load cx_metrics %}`, then `{{ value|metric_text:base }}` or
`{{ value|metric_number:base }}` (written as `insights.presentation` writes them)."""

from django import template

from cxkeeper.insights import presentation

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
