"""The home page is "my work" (issue 14): an entry point above every app, because it gathers
what several apps show — my team's steps and how they are doing (outcomes' scorecard, from
the figure store), the perspectives my team owes (initiatives), my action items and, for an
executive sponsor, the escalations waiting (governance), targets off track in my scope, what
changed since my last visit — and no app may import the ones above it to do that.

A new workspace gets a first-run checklist instead (mission, teams, a journey, feedback,
people), and every empty part says what to do next. The page stays cheap: the figures come
from `core.figures` (the team scorecard and the outcome views the other pages store), the
rest are small bounded queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from cxkeeper.core import queries as core_queries
from cxkeeper.core.roles import Role, role_of
from cxkeeper.governance import queries as governance_queries
from cxkeeper.governance.choices import CLOSED_STATUSES
from cxkeeper.initiatives import queries as initiative_queries
from cxkeeper.insights import clock
from cxkeeper.insights.models import Feedback
from cxkeeper.journeys import queries as journey_queries
from cxkeeper.journeys.models import Journey
from cxkeeper.journeys.permissions import require_structure
from cxkeeper.org.models import Person, Team, Workspace
from cxkeeper.org.permissions import can
from cxkeeper.outcomes import queries as outcome_queries
from cxkeeper.outcomes.choices import Status

PREVIOUS_LOGIN = "cxkeeper_previous_login"  # session key: when this person last signed in before now
FALLBACK_DAYS = 7       # "what changed" for a first sign-in: the last week
CHANGES_SHOWN = 12
STEPS_SHOWN = 8
TEAMS_SHOWN = 3
TROUBLE = (Status.OFF_TRACK, Status.AT_RISK)


# ---------------------------------------------------------------- "since my last visit"
# Django sets `last_login` to now when a person signs in, before anyone else hears of it; the
# previous value is read just before that write (one query, at sign-in only) and kept in the
# new session, so home can say what changed since then.


@receiver(pre_save, sender=get_user_model(), dispatch_uid="cxkeeper.home.previous_login")
def _keep_previous_login(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) == {"last_login"} and instance.pk:
        previous = sender.objects.filter(pk=instance.pk).values_list("last_login", flat=True).first()
        instance._cxkeeper_previous_login = previous


@receiver(user_logged_in, dispatch_uid="cxkeeper.home.remember_previous_login")
def _remember_previous_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    previous = getattr(user, "_cxkeeper_previous_login", None)
    request.session[PREVIOUS_LOGIN] = previous.isoformat() if previous else ""


def last_visit(request) -> dt.datetime | None:
    """When the person signed in before this session (None: never, or not known)."""
    value = request.session.get(PREVIOUS_LOGIN) or ""
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


# ---------------------------------------------------------------- what the page shows


@dataclass
class TeamWork:
    team: Team
    card: object                  # outcomes.queries.Scorecard, from the figure store
    steps: list                   # StepLines, the ones that got worse first
    troubled_targets: list        # TargetViews off track or at risk


@dataclass
class SetupItem:
    label: str
    done: bool
    url_name: str
    todo: str                     # what to do, for those who may
    ask: str                      # whom to ask, for the others
    roles: tuple = (Role.ADMIN, Role.KEEPER)  # who may do it (they get the link)


@dataclass
class MyWork:
    role: str
    teams: list[Team]
    team_work: list[TeamWork] = field(default_factory=list)
    org_troubled: list = field(default_factory=list)       # for people in no team: every target in trouble
    perspectives_owed: list = field(default_factory=list)
    action_items: list = field(default_factory=list)
    sponsor_of: list = field(default_factory=list)            # councils I am the sponsor of
    workspace_sponsor: bool = False                           # the workspace's executive sponsor
    council_escalations: list = field(default_factory=list)
    friction_escalations: list = field(default_factory=list)
    kept_journeys: list = field(default_factory=list)       # journeys_overview rows of journeys I keep
    changes: list = field(default_factory=list)
    more_changes: bool = False
    since: dt.datetime | None = None
    since_label: str = ""
    setup: list[SetupItem] = field(default_factory=list)
    recent_wins: list | None = None  # see recent_wins()

    @property
    def setup_done(self) -> bool:
        return all(item.done for item in self.setup)

    @property
    def is_sponsor(self) -> bool:
        return bool(self.sponsor_of) or self.workspace_sponsor

    @property
    def escalations(self) -> int:
        return len(self.council_escalations) + len(self.friction_escalations)


def first_run_checklist(workspace: Workspace) -> list[SetupItem]:
    """What a new workspace needs before cxkeeper is useful, each a cheap existence check."""
    return [
        SetupItem("Write the North Star", bool(workspace.mission.strip()), "org:workspace",
                  "Write the CX mission statement everyone works toward.", "Your keeper writes it."),
        SetupItem("Add your teams", Team.objects.exists(), "org:team_create",
                  "Add every function that shapes the experience, back office included.", "An admin adds teams.",
                  (Role.ADMIN,)),
        SetupItem("Draw a first journey", Journey.objects.exists(), "journeys:create",
                  "Draw one journey: stages, steps, and which team owns each step.", "Your keeper draws journeys."),
        SetupItem("Bring in customer feedback", Feedback.objects.exists(), "imports:home",
                  "Import a survey, ticket or review export.", "A keeper or an admin imports feedback."),
        SetupItem("Invite people", Person.objects.count() > 1, "org:person_create",
                  "Add the people of every team, with their role.", "An admin invites people.", (Role.ADMIN,)),
    ]


def _worse_first(lines) -> list:
    def key(line):
        worse = sum(1 for c in line.changes.values() if c.better is False)
        better = sum(1 for c in line.changes.values() if c.better)
        return (-worse, -better, -line.n)
    return sorted(lines, key=key)


def recent_wins(teams) -> list | None:
    """Wins credited to my teams (every win for someone in no team), newest change first, at
    most five — measured once per data change by the wins app (docs/wins.md)."""
    from cxkeeper.wins import queries as win_queries

    found = {}
    for team in teams or [None]:
        for row in win_queries.wins(team=team):
            found[row.pk] = row
    return sorted(found.values(), key=lambda m: (m.change_date or dt.date.min, m.pk), reverse=True)[:5]


def my_work(request) -> MyWork:
    user = request.user
    role = role_of(user)
    person = getattr(user, "person", None)
    teams = list(person.teams.order_by("name")) if person is not None else []
    workspace = Workspace.current()
    work = MyWork(role=role, teams=teams, setup=first_run_checklist(workspace))
    as_of = clock.data_through() or outcome_queries.default_as_of()

    # my team's steps and how they are doing: the team scorecard's figure (same key as its page)
    for team in teams[:TEAMS_SHOWN]:
        card = outcome_queries.scorecard(team, as_of=as_of, period_days=90)
        work.team_work.append(TeamWork(team, card, _worse_first(card.steps)[:STEPS_SHOWN],
                                       [v for v in card.targets if v.status in TROUBLE]))
    if not teams:
        # no team of my own: my scope is the organization (the outcome views the outcomes page stores)
        work.org_troubled = [view for outcome in outcome_queries.outcome_views(as_of=as_of)
                             for view in outcome.targets if view.status in TROUBLE]

    work.perspectives_owed = initiative_queries.perspectives_owed(teams, limit=10)
    items = governance_queries.action_items().exclude(status__in=CLOSED_STATUSES)
    work.action_items = list(items.filter(Q(owner=user) | Q(owner_team__in=teams))[:10])

    # the executive sponsor: of a council (its escalated questions) or of the workspace (the
    # friction points the teams could not agree on)
    work.sponsor_of = list(governance_queries.councils().filter(sponsor=user))
    work.workspace_sponsor = workspace.executive_sponsor_id == user.pk
    if work.sponsor_of:
        work.council_escalations = list(governance_queries.escalations_waiting()
                                        .filter(council__in=work.sponsor_of)[:10])
    if work.workspace_sponsor:
        work.friction_escalations = list(initiative_queries.escalations()[:10])

    work.kept_journeys = [row for row in journey_queries.journeys_overview() if row["journey"].keeper_id == user.pk]

    work.since = last_visit(request)
    if work.since is None:
        work.since = timezone.now() - dt.timedelta(days=FALLBACK_DAYS)
        work.since_label = f"in the last {FALLBACK_DAYS} days"
    changes = list(core_queries.activity().filter(at__gt=work.since).exclude(actor=user)[:CHANGES_SHOWN + 1])
    work.changes, work.more_changes = changes[:CHANGES_SHOWN], len(changes) > CHANGES_SHOWN
    work.recent_wins = recent_wins(teams)
    return work


def home(request):
    work = my_work(request)
    return render(request, "home.html", {
        "work": work,
        "headline": [(m, outcome_queries.BASE_METRICS[m][0]) for m in outcome_queries.HEADLINE_METRICS],
        "can_structure": can(require_structure, request.user),
        "overdue": journey_queries.overdue_journeys(),
    })
