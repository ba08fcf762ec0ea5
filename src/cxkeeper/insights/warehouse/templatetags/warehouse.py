"""`{% warehouse_freshness %}` beside figures; `{% warehouse_sample step %}` on a step's page."""

from __future__ import annotations

from django import template

from cxkeeper.insights.warehouse import queries

register = template.Library()


@register.inclusion_tag("warehouse/partials/freshness.html")
def warehouse_freshness():
    return {"sources": queries.freshness()}


@register.inclusion_tag("warehouse/partials/sample.html")
def warehouse_sample(step, start=None, end=None):
    return {"samples": queries.step_sample(step.pk, start=start, end=end)}


@register.inclusion_tag("warehouse/partials/sources.html")
def warehouse_sources():
    return {"sources": queries.freshness()}
