"""The sample organization `cxkeeper demo` loads: rich enough to show every view, with its gaps."""

from __future__ import annotations

import io
import stat
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.utils import timezone
from rich.console import Console

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.core.roles import Role
from cxkeeper.journeys.choices import JourneyStatus, Lane, ResponsibilityRole
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step
from cxkeeper.org.actions import create_person
from cxkeeper.org.choices import Office, TeamFunction
from cxkeeper.org.models import GlossaryTerm, Person, Team, Workspace
from cxkeeper.sample import organization as sample
from cxkeeper.sample.load import PASSWORD_FILE, SampleNotLoaded, coverage_gaps, load_sample_organization
from cxkeeper.testing.worlds import class_world

EDITING = (ResponsibilityRole.OWNS, ResponsibilityRole.CONTRIBUTES)
BACK_OFFICE_FUNCTIONS = (
    TeamFunction.IT, TeamFunction.BILLING_FINANCE, TeamFunction.SUPPLY_CHAIN, TeamFunction.LEGAL,
    TeamFunction.OPERATIONS, TeamFunction.HR,
)
MODELS = (Workspace, GlossaryTerm, Team, Person, get_user_model(), Persona, Journey, Stage, Step,
          Responsibility, Handoff, ChangeRecord)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    # Twenty users with the production hasher would make every test slow for no benefit here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.fixture
def loaded(db, data_dir):
    return load_sample_organization()


def owners(step):
    return [r for r in step.responsibilities.all() if r.role == ResponsibilityRole.OWNS]


@pytest.mark.django_db
class TestTheLoadedSample:
    """Read-only checks of one load, shared by the class (a load takes seconds): each test sees
    the sample exactly as loaded, whatever the one before it wrote (see testing/worlds.py)."""

    loaded = class_world(load_sample_organization, data_dir=True)

    def test_workspace_language(self, loaded):
        workspace = Workspace.current()
        assert workspace.name == sample.WORKSPACE_NAME
        assert "Every team" in workspace.mission
        assert workspace.review_interval_days == 90
        terms = set(GlossaryTerm.objects.values_list("term", flat=True))
        assert len(terms) >= 12
        assert {"NPS", "CSAT", "CES", "Journey", "Stage", "Step", "Touchpoint", "Lane", "Keeper", "Handoff",
                "Friction point", "Hidden hero"} <= terms


    @pytest.mark.django_db
    def test_teams_cover_every_function(self, loaded):
        teams = Team.objects.all()
        assert teams.count() >= 12
        assert set(teams.values_list("function", flat=True)) == set(TeamFunction.values)
        assert {Office.FRONT, Office.BACK} <= set(teams.values_list("office", flat=True))
        assert all(team.lead is not None and team.description for team in teams)
        # Every function takes part in the journeys, not only appears in the team list.
        on_map = set(Responsibility.objects.values_list("team__function", flat=True))
        assert on_map == set(TeamFunction.values)


    @pytest.mark.django_db
    def test_back_office_teams_own_or_contribute(self, loaded):
        for function in BACK_OFFICE_FUNCTIONS:
            assert Responsibility.objects.filter(
                team__function=function, team__office=Office.BACK, role__in=EDITING
            ).exists(), f"no back-office {function} team owns or contributes to a step"


    @pytest.mark.django_db
    def test_three_published_journeys_with_steps_in_every_lane(self, loaded):
        journeys = list(Journey.objects.prefetch_related("stages__steps"))
        assert [j.name for j in journeys] == sorted(j.name for j in sample.JOURNEYS)
        assert Step.objects.count() >= 40
        for journey in journeys:
            assert journey.status == JourneyStatus.PUBLISHED
            assert journey.keeper.person.role == Role.KEEPER
            assert journey.persona is not None
            lanes = {step.lane for stage in journey.stages.all() for step in stage.steps.all()}
            assert lanes == set(Lane.values), journey.name
        positions = list(Stage.objects.filter(journey__name="Get help & fix a problem").values_list("position",
                                                                                                    flat=True))
        assert positions == list(range(len(positions)))


    @pytest.mark.django_db
    def test_steps_are_described_with_distinct_phrases(self, loaded):
        all_phrases = []
        for step in Step.objects.all():
            assert step.description and step.channel, step.name
            assert 3 <= len(step.phrases) <= 6, step.name
            all_phrases += step.phrases
        assert len(all_phrases) == len(set(all_phrases))
        names = [step.name for _, _, step in sample.all_steps()]
        assert len(names) == len(set(names)), "handoffs find steps by name, so names must be unique"


    @pytest.mark.django_db
    def test_stories_from_the_design_are_on_the_map(self, loaded):
        login = Step.objects.get(name="Log in to the app")
        assert any("log in" in p for p in login.phrases)
        assert login.responsibilities.get(is_lead=True).team.function == TeamFunction.IT
        first_bill = Step.objects.get(name="Receive the first bill")
        assert any("salesperson" in p for p in first_bill.phrases)
        assert first_bill.responsibilities.filter(team__function=TeamFunction.SALES).exists()
        outage = Step.objects.get(name="Hear about an outage")
        assert any("outage" in p for p in outage.phrases)


    @pytest.mark.django_db
    def test_deliberate_coverage_gaps(self, loaded):
        steps = list(Step.objects.prefetch_related("responsibilities"))
        unowned = [s.name for s in steps if not owners(s)]
        assert 2 <= len(unowned) <= 3
        several_no_lead = [s.name for s in steps if len(owners(s)) > 1 and not any(r.is_lead for r in owners(s))]
        assert 1 <= len(several_no_lead) <= 2
        idle = Team.objects.filter(responsibilities__isnull=True)
        assert list(idle.values_list("name", flat=True)) == [sample.CORP_COMMS]
        assert not Handoff.objects.filter(from_team__in=idle).exists()
        assert not Handoff.objects.filter(to_team__in=idle).exists()
        assert coverage_gaps() == {"no owner": unowned, "several owners, no lead": several_no_lead,
                                   "team on no step": [sample.CORP_COMMS]}


    @pytest.mark.django_db
    def test_handoffs_cross_teams_that_are_on_their_steps(self, loaded):
        handoffs = list(Handoff.objects.select_related("from_step", "to_step"))
        assert len(handoffs) >= 10
        for handoff in handoffs:
            assert handoff.crosses_teams
            assert handoff.from_step.responsibilities.filter(team=handoff.from_team).exists(), str(handoff)
            assert handoff.to_step.responsibilities.filter(team=handoff.to_team).exists(), str(handoff)
        pairs = {(h.from_team.function, h.to_team.function) for h in handoffs}
        assert (TeamFunction.SALES, TeamFunction.OPERATIONS) in pairs
        assert (TeamFunction.CUSTOMER_SERVICE, TeamFunction.IT) in pairs
        assert (TeamFunction.BILLING_FINANCE, TeamFunction.CUSTOMER_SERVICE) in pairs


    @pytest.mark.django_db
    def test_one_journey_reviewed_recently_and_one_overdue(self, loaded):
        now = timezone.now()
        interval = timedelta(days=Workspace.current().review_interval_days)
        reviewed = [j.last_reviewed_at for j in Journey.objects.all()]
        assert any(r is not None and now - r < timedelta(days=30) for r in reviewed)
        assert any(r is not None and now - r > interval for r in reviewed)
        assert all(j.last_reviewed_by == j.keeper for j in Journey.objects.filter(last_reviewed_at__isnull=False))


    @pytest.mark.django_db
    def test_users_for_every_role_sign_in_with_the_printed_password(self, loaded):
        assert {username for username, _ in loaded.users} == {p.username for p in sample.PEOPLE}
        assert set(Person.objects.values_list("role", flat=True)) == set(Role.values)
        assert Person.objects.filter(role=Role.KEEPER).count() >= 2
        for username, about in loaded.users:
            assert about
            user = authenticate(username=username, password=loaded.password)
            assert user is not None, username
            assert user.is_superuser == (user.person.role == Role.ADMIN)
        for person in Person.objects.filter(role=Role.MEMBER):
            assert 1 <= person.teams.count() <= 2, person
        assert any("executive sponsor" in about for _, about in loaded.users)


    @pytest.mark.django_db
    def test_built_through_actions_so_history_exists(self, loaded):
        step_changes = ChangeRecord.objects.filter(step_id__isnull=False, actor__isnull=True)
        assert step_changes.count() >= Step.objects.count()
        assert ChangeRecord.objects.filter(journey_id__isnull=False).exists()


@pytest.mark.django_db
def test_password_is_generated_once_per_data_folder_and_private(loaded, data_dir, settings, tmp_path_factory):
    path = data_dir / PASSWORD_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == loaded.password
    assert len(loaded.password) >= 12
    settings.DATA_DIR = tmp_path_factory.mktemp("other")
    assert load_sample_organization().password != loaded.password


@pytest.mark.django_db
def test_second_load_adds_nothing(loaded):
    before = {model: model.objects.count() for model in MODELS}
    again = load_sample_organization()
    assert {model: model.objects.count() for model in MODELS} == before
    assert again.password == loaded.password
    assert again.users == loaded.users


@pytest.mark.django_db
def test_progress_and_summary_are_printed(data_dir):
    out = io.StringIO()
    load_sample_organization(console=Console(file=out, width=160))
    text = out.getvalue()
    assert sample.WORKSPACE_NAME in text
    for journey in sample.JOURNEYS:
        assert journey.name in text
    assert "Gap — no owner" in text and sample.CORP_COMMS in text
    out = io.StringIO()
    load_sample_organization(console=Console(file=out, width=160))
    assert "not loaded again" in out.getvalue()


@pytest.mark.django_db
def test_refuses_a_workspace_that_clashes(data_dir):
    create_person(username="alex", password=None, acting_user=SYSTEM)
    with pytest.raises(SampleNotLoaded, match="alex"):
        load_sample_organization()
    assert not Team.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_committed_load_leaves_no_notification_noise(data_dir):
    credentials = load_sample_organization()
    assert Responsibility.objects.exists()
    assert not Notification.objects.exists()
    assert authenticate(username="ivan", password=credentials.password) is not None
