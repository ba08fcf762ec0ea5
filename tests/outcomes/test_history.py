"""Outcome objects have history pages like the journey map's: who changed what, when."""

import pytest
from django.test import Client

from cxkeeper.outcomes import actions

pytestmark = pytest.mark.django_db


def test_target_history_page_shows_who_changed_the_value(outcomes, small_org, password):
    target = outcomes.login_target
    actions.update_target(target, {"value": 5.2}, expected_version=target.version, acting_user=small_org.keeper)
    client = Client()
    client.login(username=small_org.viewer.username, password=password)
    page = client.get(f"/history/outcomes/target/{target.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert small_org.keeper.username in text and "5.2" in text


def test_history_of_a_kpi_link_and_an_unknown_model(outcomes, small_org, password):
    client = Client()
    client.login(username=small_org.viewer.username, password=password)
    link = outcomes.handle_time.links.get()
    assert client.get(f"/history/outcomes/kpilink/{link.pk}/").status_code == 200
    assert client.get(f"/history/outcomes/kpivalue/{link.pk}/").status_code == 404
