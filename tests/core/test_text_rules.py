"""Length limits and character rules on every text a person writes (issue 10, finding 13: a
2 MB mission, 2.4 MB of friction evidence, NUL and right-to-left override characters were
accepted). One check in `core.actions`, so pages, the API and workspace applies agree."""

from __future__ import annotations

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.text_rules import TEXT_LIMIT
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.models import Step
from cxkeeper.org.models import Workspace


@pytest.mark.parametrize("text,needle", [
    ("Sign in\x00 please", "control character (U+0000)"),
    ("Pay \u202eyllib\u202c now", "direction-override character (U+202E)"),
    ("Isolate \u2066x\u2069", "direction-override character (U+2066)"),
    ("bell\x07", "control character (U+0007)"),
])
def test_control_and_direction_override_characters_are_refused(small_org, text, needle):
    step = small_org.login_step
    with pytest.raises(InvalidInput) as refused:
        journey_actions.update_step(step, {"description": text}, expected_version=step.version, acting_user=SYSTEM)
    assert any(needle in problem for problem in refused.value.errors["description"])
    assert Step.objects.get(pk=step.pk).description == step.description


def test_plain_right_to_left_text_tabs_and_line_breaks_are_fine(small_org):
    step = small_org.login_step
    text = "שלום\tעולם\nمرحبا\r\nok"
    step = journey_actions.update_step(step, {"description": text}, expected_version=step.version,
                                          acting_user=SYSTEM)
    assert step.description == text


def test_long_text_is_refused_with_its_length(small_org):
    step = small_org.login_step
    with pytest.raises(InvalidInput) as refused:
        journey_actions.update_step(step, {"description": "x" * (TEXT_LIMIT + 1)}, expected_version=step.version,
                                    acting_user=SYSTEM)
    assert refused.value.errors["description"] == [f"is too long: {TEXT_LIMIT + 1:,} characters, at most "
                                                   f"{TEXT_LIMIT:,}."]


def test_phrases_in_a_list_obey_the_same_rules(small_org):
    step = small_org.login_step
    with pytest.raises(InvalidInput) as refused:
        journey_actions.update_step(step, {"phrases": ["fine", "bad\x00one"]}, expected_version=step.version,
                                    acting_user=SYSTEM)
    assert "phrases" in refused.value.errors


def test_a_two_megabyte_mission_is_refused_on_the_page(client, small_org):
    client.force_login(small_org.admin)
    workspace = Workspace.current()
    response = client.post("/workspace/", {
        "name": workspace.name, "mission": "m" * 2_000_000, "review_interval_days": workspace.review_interval_days,
        "version": workspace.version})
    assert response.status_code == 422 and "is too long: 2,000,000 characters" in response.content.decode()
    assert len(Workspace.current().mission) < 2_000_000


def test_a_huge_text_through_the_api_is_a_422_naming_the_field(small_org, api_as):
    step = small_org.login_step
    response = api_as(small_org.keeper).patch(f"/steps/{step.pk}", {"description": "y" * 2_400_000,
                                                                   "version": step.version})
    assert response.status_code == 422 and "description" in response.json()["errors"]
