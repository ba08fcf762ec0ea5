"""The sample organization survives journey-as-code: export → apply into an emptied workspace
→ export gives the same bytes, and the coverage gaps are still there."""

import pytest

from cxkeeper.journeys.models import Journey, Step
from cxkeeper.journeys.queries import coverage_report
from cxkeeper.org.models import Team
from cxkeeper.sample.load import load_sample_organization
from cxkeeper.testing.worlds import class_world
from cxkeeper.workspace.apply import apply_workspace
from cxkeeper.workspace.export import export_workspace

EMPTY = "workspace:\n  name: Empty\nglossary: []\nteams: []\npersonas: []\njourneys: []\n"


@pytest.mark.django_db
class TestTheSampleAsCode:
    """The sample is loaded once for the class (a load takes seconds); each test starts from it
    as loaded: the round trip's emptying and re-applying is rolled back before the next test."""

    sample = class_world(load_sample_organization, data_dir=True)

    def test_sample_round_trips_byte_identical(self, sample):
        exported = export_workspace()
        emptied = apply_workspace(EMPTY, filename="empty.yaml")
        assert emptied.ok, emptied.errors
        assert not Journey.objects.exists() and not Team.objects.exists() and not Step.objects.exists()

        applied = apply_workspace(exported, filename="sample.yaml")
        assert applied.ok, applied.errors
        assert export_workspace() == exported
        assert apply_workspace(exported, filename="sample.yaml").changes == []

    def test_sample_coverage_gaps_are_reported(self, sample):
        coverage = coverage_report()
        assert {s.name for s in coverage.unowned_steps} >= {"Hear about an outage", "Return the old router"}
        assert {s.name for s, _ in coverage.shared_without_lead} >= {"Receive the first bill"}
        assert [t.name for t in coverage.idle_teams] == ["Corporate Communications"]
        assert any(i.team.name.startswith("IT") and i.owns > 0 for i in coverage.hidden_heroes)
        assert coverage.cross_team_handoffs


