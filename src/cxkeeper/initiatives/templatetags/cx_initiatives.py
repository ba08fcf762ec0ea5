"""Template tags of initiatives used on pages of lower apps (the journey map's list of
planned changes): the page asks here, so the journeys app never imports initiatives."""

from django import template

from cxkeeper.initiatives import queries

register = template.Library()


@register.simple_tag
def planned_changes_on(journey):
    """Planned changes (not withdrawn) touching a step of `journey`, by go-live date."""
    return queries.planned_changes_on(journey)
