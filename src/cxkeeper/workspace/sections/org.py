"""The organization's part of the file: workspace settings, the glossary and the teams.

Identity: a glossary term by its term, a team by its name (its slug may change with it). A
team's lead is a username (see `people.py` for how usernames are resolved).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxkeeper.org import actions as org_actions
from cxkeeper.org.choices import Office, TeamFunction
from cxkeeper.org.models import GlossaryTerm, Team, Workspace
from cxkeeper.workspace import lenient
from cxkeeper.workspace.changes import ApplyState, differences, labels, plan_slugs, quote, update_in_order
from cxkeeper.workspace.checks import check_unique
from cxkeeper.workspace.schema_types import SchemaPart, array, choice, length, name, obj, slug, text, username
from cxkeeper.workspace.writing import by_name, compact
from cxkeeper.workspace.yaml_io import Path, WorkspaceFileError


@dataclass
class WorkspaceSpec:
    path: Path
    name: str
    mission: str
    review_interval_days: int
    executive_sponsor: str | None = None
    perspective_reminder_days: int = 7


@dataclass
class GlossarySpec:
    path: Path
    term: str
    definition: str


@dataclass
class TeamSpec:
    path: Path
    name: str
    slug: str | None
    function: str
    office: str
    customer_facing: bool
    lead: str | None
    description: str


# ---------------------------------------------------------------- schema


def schema() -> SchemaPart:
    return SchemaPart(
        properties={
            "workspace": obj({
                "name": {"type": "string", "minLength": 1, **length(Workspace, "name"),
                         "description": "The organization's name."},
                "mission": text(Workspace, "mission", "The CX mission statement: the North Star."),
                "review_interval_days": {"type": ["integer", "null"], "minimum": 1,
                                         "description": "A journey not reviewed for this many days is "
                                                        "flagged as overdue (default 90)."},
                "executive_sponsor": username("The executive sponsor: breaks ties when affected teams "
                                              "disagree on a friction point (omitted: none)."),
                "perspective_reminder_days": {"type": ["integer", "null"], "minimum": 1,
                                              "description": "An affected team not heard after this many "
                                                             "days is reminded (default 7)."},
            }, ["name"], "Workspace settings."),
            "glossary": array({"$ref": "#/$defs/glossary_term"}, "The shared CX language.", nullable=False),
            "teams": array({"$ref": "#/$defs/team"}, "Every team; teams not listed are deleted.",
                           nullable=False),
        },
        required=["workspace", "glossary", "teams"],
        defs={
            "glossary_term": obj({
                "term": name(GlossaryTerm, "term", "term"),
                "definition": {"type": "string", "minLength": 1, "description": "What the term means here."},
            }, ["term", "definition"], "A glossary entry."),
            "team": obj({
                "name": name(Team),
                "slug": slug(Team),
                "function": choice(TeamFunction, "The function (default other)"),
                "office": choice(Office, "Front or back office (default front)"),
                "customer_facing": {"type": ["boolean", "null"],
                                    "description": "Does the team deal with customers directly "
                                                   "(default true)?"},
                "lead": username("The team lead."),
                "description": text(Team, "description", "What the team does."),
            }, ["name"], "A team of the organization."),
        },
    )


# ---------------------------------------------------------------- export


def org_data() -> dict:
    """The workspace settings, glossary and teams in the file's shape and order."""
    workspace = Workspace.objects.order_by("pk").first() or Workspace()
    teams = sorted(Team.objects.select_related("lead"), key=lambda t: by_name(t.name))
    return {
        "workspace": compact({"name": workspace.name, "mission": workspace.mission,
                              "review_interval_days": workspace.review_interval_days,
                              "executive_sponsor": (workspace.executive_sponsor.get_username()
                                                    if workspace.executive_sponsor_id else None),
                              # written only when not the default, so files from before it stay the same
                              "perspective_reminder_days": (None if workspace.perspective_reminder_days == 7
                                                            else workspace.perspective_reminder_days)}),
        "glossary": [{"term": t.term, "definition": t.definition}
                     for t in sorted(GlossaryTerm.objects.all(), key=lambda t: by_name(t.term))],
        "teams": [
            compact({"name": t.name, "slug": t.slug, "function": t.function, "office": t.office,
                     "customer_facing": t.customer_facing, "lead": t.lead.get_username() if t.lead else None,
                     "description": t.description})
            for t in teams
        ],
    }


# ---------------------------------------------------------------- reading and checks


def build_org(data: dict) -> tuple[WorkspaceSpec, list[GlossarySpec], list[TeamSpec]]:
    ws = data.get("workspace") if isinstance(data.get("workspace"), dict) else {}
    interval = lenient.value(ws, "review_interval_days", int, 90)
    remind = lenient.value(ws, "perspective_reminder_days", int, 7)
    workspace = WorkspaceSpec(("workspace",), lenient.name(ws), lenient.text(ws, "mission"),
                              interval if interval >= 1 else 90, lenient.name(ws, "executive_sponsor") or None,
                              remind if remind >= 1 else 7)
    glossary = [GlossarySpec(path, lenient.name(item, "term"), lenient.text(item, "definition"))
                for path, item in lenient.items(data, "glossary", ())]
    teams = [
        TeamSpec(path, lenient.name(item), lenient.name(item, "slug") or None,
                 lenient.choice(item, "function", TeamFunction, TeamFunction.OTHER),
                 lenient.choice(item, "office", Office, Office.FRONT),
                 lenient.value(item, "customer_facing", bool, True), lenient.name(item, "lead") or None,
                 lenient.text(item, "description"))
        for path, item in lenient.items(data, "teams", ())
    ]
    return workspace, glossary, teams


def check_org(doc) -> list[WorkspaceFileError]:
    errors = []
    if not doc.workspace.name:
        errors.append(doc.error(doc.workspace.path + ("name",), "the name is empty"))
    for term in doc.glossary:
        if not term.term:
            errors.append(doc.error(term.path + ("term",), "the term is empty"))
    errors += check_unique(doc, doc.glossary, lambda s: s.term, "glossary term")
    for team in doc.teams:
        if not team.name:
            errors.append(doc.error(team.path + ("name",), "the name is empty"))
    errors += check_unique(doc, doc.teams, lambda s: s.name, "team name")
    errors += check_unique(doc, doc.teams, lambda s: s.slug, "team slug")
    return errors


def user_references(doc) -> list[tuple[str, Path]]:
    """Every username this part of the file names, with where."""
    sponsor = doc.workspace.executive_sponsor
    return [(t.lead, t.path + ("lead",)) for t in doc.teams if t.lead] + (
        [(sponsor, doc.workspace.path + ("executive_sponsor",))] if sponsor else [])


# ---------------------------------------------------------------- apply


class OrgSync:
    """Settings, glossary and teams, through `cxkeeper.org.actions`."""

    def __init__(self, state: ApplyState):
        self.state = state
        self.doc = state.doc

    def settings(self) -> None:
        spec = self.doc.workspace
        workspace = Workspace.current()
        changes = differences(workspace, {"name": spec.name, "mission": spec.mission,
                                          "review_interval_days": spec.review_interval_days,
                                          "perspective_reminder_days": spec.perspective_reminder_days})
        if changes:
            self.state.do(spec.path, org_actions.update_workspace, changes, expected_version=None,
                          acting_user=self.state.actor)
            self.state.record("~", ("workspace",), labels(changes))

    def sponsor(self) -> None:
        """After people's accounts: the executive sponsor is someone the file names."""
        spec = self.doc.workspace
        workspace = Workspace.current()
        wanted = self.state.users[spec.executive_sponsor] if spec.executive_sponsor else None
        changes = differences(workspace, {"executive_sponsor": wanted})
        if changes:
            self.state.do(spec.path, org_actions.update_workspace, changes, expected_version=None,
                          acting_user=self.state.actor)
            self.state.record("~", ("workspace",), labels(changes))

    def glossary(self) -> None:
        state = self.state
        wanted = {spec.term: spec for spec in self.doc.glossary}
        existing = {term.term: term for term in GlossaryTerm.objects.all()}
        for term, stored in sorted(existing.items()):
            if term not in wanted:
                state.do(("glossary",), org_actions.delete_glossary_term, stored, expected_version=None,
                         acting_user=state.actor)
                state.record("-", (f"glossary term {quote(term)}",))
        for spec in self.doc.glossary:
            path = (f"glossary term {quote(spec.term)}",)
            if spec.term in existing:
                changes = differences(existing[spec.term], {"definition": spec.definition})
                if changes:
                    state.do(spec.path, org_actions.update_glossary_term, existing[spec.term], changes,
                             expected_version=None, acting_user=state.actor)
                    state.record("~", path, labels(changes))
            else:
                state.do(spec.path, org_actions.add_glossary_term, spec.term, spec.definition,
                         acting_user=state.actor)
                state.record("+", path)

    def teams(self) -> None:
        """Teams the file no longer has go first (their slugs and names free up), then updates, then new ones."""
        state = self.state
        wanted = {spec.name for spec in self.doc.teams}
        existing = {team.name: team for team in Team.objects.all()}
        for team_name, team in sorted(existing.items()):
            if team_name not in wanted:
                state.do(("teams",), org_actions.delete_team, team, expected_version=None, acting_user=state.actor)
                state.record("-", (f"team {quote(team_name)}",))
        existing = {team_name: team for team_name, team in existing.items() if team_name in wanted}
        slugs = plan_slugs(self.doc.teams, existing)
        updates, creates = [], []
        for spec in self.doc.teams:
            values = {"slug": slugs[spec.name], "function": spec.function, "office": spec.office,
                      "customer_facing": spec.customer_facing,
                      "lead": state.users[spec.lead] if spec.lead else None,
                      "description": spec.description}
            if spec.name in existing:
                changes = differences(existing[spec.name], values)
                if changes:
                    updates.append((spec.path, (f"team {quote(spec.name)}",), existing[spec.name], changes))
            else:
                creates.append((spec, values))
        update_in_order(state, updates, org_actions.update_team)
        for spec, values in creates:
            state.do(spec.path, org_actions.create_team, {"name": spec.name, **values}, acting_user=state.actor)
            state.record("+", (f"team {quote(spec.name)}",))
