"""Who may raise a friction point is one rule (`insights.permissions`): the insight pages show
"Raise as friction point" to exactly the people the initiatives action lets raise one."""

import pytest
from django.test import Client

from cxkeeper.core.actors import SYSTEM
from cxkeeper.initiatives import permissions as initiative_permissions
from cxkeeper.insights import permissions as insight_permissions
from cxkeeper.org.permissions import can
from cxkeeper.testing.pages import PERSONAS

from .conftest import plant_themes

RAISERS = ("admin", "keeper", "it_member", "sales_member")


def test_initiatives_raise_by_the_insights_rule():
    assert initiative_permissions.require_raise is insight_permissions.require_propose_friction_point
    assert insight_permissions.can_propose_friction_point(SYSTEM)
    with pytest.raises(TypeError):
        insight_permissions.require_propose_friction_point(None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_raise_button_shows_for_exactly_the_raisers(org, persona):
    plant_themes()
    user = getattr(org, persona)
    client = Client()
    client.force_login(user)
    page = client.get(f"/feedback/friction/?journey={org.journey.slug}").content.decode()
    shown = 'action="/friction-points/from-theme/"' in page
    assert "router" in page and "invoice" in page  # the themes are shown to everyone
    assert shown == (persona in RAISERS) == can(initiative_permissions.require_raise, user)
