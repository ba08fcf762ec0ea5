"""Kestrel Connect's council in the sample: charter, sponsor, a seat for every function, the
last meeting's minutes (decisions; action items done and overdue) and the next meeting's agenda
drawn from the data."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cxkeeper.governance import queries
from cxkeeper.sample import organization as sample
from cxkeeper.sample.governance import load_sample_council
from cxkeeper.sample.load import load_sample_organization
from cxkeeper.testing.worlds import class_world


def build():
    load_sample_organization()
    return load_sample_council()


@pytest.mark.django_db
class TestSampleCouncil:
    loaded = class_world(build, data_dir=True)

    def test_the_charter_names_a_sponsor_a_facilitator_and_every_function(self, loaded):
        council = loaded.council
        assert (council.sponsor.username, council.facilitator.username) == ("evelyn", "kira")
        seats = list(queries.members_of(council))
        assert {s.team.name for s in seats} == {t.name for t in sample.TEAMS}
        assert all(s.representative is not None for s in seats)
        assert council.council_decides and council.sponsor_decides and council.teams_decide

    def test_the_last_meeting_had_quorum_and_recorded_decisions_and_actions(self, loaded):
        last = loaded.last
        assert queries.quorum(last).met and last.summary
        assert [d.decided_by for d in last.decisions.all()] == ["consensus", "consensus"]
        items = list(last.action_items.all())
        today = timezone.localdate()
        assert len(items) == 5
        assert [i.title for i in items if i.status == "done"] == [
            "Add the first bill's amount to every order confirmation"]
        assert sorted(i.owner_team.name for i in items if i.is_overdue(today)) == [sample.BILLING, sample.CARE]

    def test_the_next_meeting_follows_the_cadence_with_an_agenda_from_the_data(self, loaded):
        upcoming = loaded.upcoming
        assert upcoming.starts_at > timezone.now()
        assert (upcoming.starts_at - loaded.last.starts_at).days == loaded.council.cadence_days
        kinds = [i.kind for i in queries.agenda_of(upcoming)]
        assert kinds.count("overdue_action") == 2

    def test_loading_twice_changes_nothing(self, loaded):
        assert load_sample_council() is None
