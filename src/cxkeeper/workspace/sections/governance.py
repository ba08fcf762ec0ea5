"""The councils' part of the file: each council's charter and its member seats.

Identity: a council by its name; a seat by its team's name. People are usernames, journeys and
teams names in this file. The section is optional: a file without `councils` leaves the
councils as they are. Meetings, decisions and action items are the council's record, not its
structure: they are never in the file (docs/decisions/0028). A council the file drops is
deleted — unless it has met, decided or assigned anything, which the apply refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxkeeper.governance import actions as council_actions
from cxkeeper.governance.models import Council, CouncilMember
from cxkeeper.journeys.models import Journey
from cxkeeper.org.models import Team
from cxkeeper.workspace import lenient
from cxkeeper.workspace.changes import ApplyState, differences, labels, quote
from cxkeeper.workspace.checks import check_unique, listed
from cxkeeper.workspace.schema_types import SchemaPart, array, name, obj, text, username
from cxkeeper.workspace.writing import by_name, compact
from cxkeeper.workspace.yaml_io import Path, WorkspaceFileError


@dataclass
class SeatSpec:
    path: Path
    team: str
    representative: str | None
    deputy: str | None


@dataclass
class CouncilSpec:
    path: Path
    name: str
    purpose: str
    journeys: list[str] | None  # None: every journey
    sponsor: str | None
    facilitator: str | None
    council_decides: str
    sponsor_decides: str
    teams_decide: str
    quorum: int
    cadence_days: int
    meeting_minutes: int
    escalation_path: str
    members: list[SeatSpec] = field(default_factory=list)


def _count(minimum: int, maximum: int, description: str) -> dict:
    return {"type": ["integer", "null"], "minimum": minimum, "maximum": maximum, "description": description}


def schema() -> SchemaPart:
    return SchemaPart(
        properties={"councils": array({"$ref": "#/$defs/council"},
                                       "The CX councils and their charters. Omitted: councils are left as they "
                                       "are; listed: councils not listed are deleted (a council that has met "
                                       "cannot be).")},
        defs={
            "council": obj({
                "name": name(Council),
                "purpose": {"type": "string", "minLength": 1, "description": "Why the council exists."},
                "journeys": {"type": ["array", "null"], "items": {"type": "string", "minLength": 1},
                             "description": "The journeys in its scope, by name. Omitted: every journey."},
                "sponsor": username("The executive sponsor: breaks ties, decides escalations."),
                "facilitator": username("Runs the meetings (usually the keeper)."),
                "council_decides": text(Council, "council_decides", "What the council decides."),
                "sponsor_decides": text(Council, "sponsor_decides", "What the sponsor decides."),
                "teams_decide": text(Council, "teams_decide", "What teams decide alone."),
                "quorum": _count(1, 1000, "Member teams present to decide (default 1)."),
                "cadence_days": _count(1, 366, "Days between meetings (default 28)."),
                "meeting_minutes": _count(5, 600, "How long a meeting lasts (default 60)."),
                "escalation_path": text(Council, "escalation_path", "What happens when the council cannot agree."),
                "members": array({"$ref": "#/$defs/council_member"}, "A seat per team."),
            }, ["name", "purpose"], "A council and its charter."),
            "council_member": obj({
                "team": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The team, by name."},
                "representative": username("Represents the team."),
                "deputy": username("Stands in for the representative."),
            }, ["team"], "A team's seat on a council."),
        },
    )


# ---------------------------------------------------------------- export


def councils_data() -> list[dict]:
    councils = sorted(Council.objects.select_related("sponsor", "facilitator").prefetch_related("journeys"),
                      key=lambda c: by_name(c.name))
    data = []
    for c in councils:
        seats = sorted(c.members.select_related("team", "representative", "deputy"), key=lambda s: by_name(s.team.name))
        data.append(compact({
            "name": c.name, "purpose": c.purpose,
            "journeys": None if c.all_journeys else sorted((j.name for j in c.journeys.all()), key=by_name),
            "sponsor": c.sponsor.get_username() if c.sponsor else None,
            "facilitator": c.facilitator.get_username() if c.facilitator else None,
            "council_decides": c.council_decides, "sponsor_decides": c.sponsor_decides,
            "teams_decide": c.teams_decide, "quorum": c.quorum, "cadence_days": c.cadence_days,
            "meeting_minutes": c.meeting_minutes, "escalation_path": c.escalation_path,
            "members": [compact({"team": s.team.name,
                                 "representative": s.representative.get_username() if s.representative else None,
                                 "deputy": s.deputy.get_username() if s.deputy else None}) for s in seats],
        }))
    return data


# ---------------------------------------------------------------- reading and checks


def _bounded(data, key, default, low, high) -> int:
    found = lenient.value(data, key, int, default)
    return found if low <= found <= high else default


def build_councils(data: dict) -> list[CouncilSpec] | None:
    if not isinstance(data.get("councils"), list):
        return None
    specs = []
    for path, item in lenient.items(data, "councils", ()):
        journeys = lenient.texts(item, "journeys") if isinstance(item.get("journeys"), list) else None
        specs.append(CouncilSpec(
            path, lenient.name(item), lenient.text(item, "purpose").strip(), journeys,
            lenient.name(item, "sponsor") or None, lenient.name(item, "facilitator") or None,
            lenient.text(item, "council_decides"), lenient.text(item, "sponsor_decides"),
            lenient.text(item, "teams_decide"), _bounded(item, "quorum", 1, 1, 1000),
            _bounded(item, "cadence_days", 28, 1, 366), _bounded(item, "meeting_minutes", 60, 5, 600),
            lenient.text(item, "escalation_path"),
            [SeatSpec(seat_path, lenient.name(seat, "team"), lenient.name(seat, "representative") or None,
                      lenient.name(seat, "deputy") or None)
             for seat_path, seat in lenient.items(item, "members", path)]))
    return specs


def check_councils(doc) -> list[WorkspaceFileError]:
    if doc.councils is None:
        return []
    errors = check_unique(doc, doc.councils, lambda c: c.name, "council name")
    teams = {t.name for t in doc.teams}
    journeys = {j.name for j in doc.journeys}
    for council in doc.councils:
        if not council.purpose:
            errors.append(doc.error(council.path + ("purpose",), "the purpose is empty"))
        for index, journey in enumerate(council.journeys or []):
            if journey not in journeys:
                errors.append(doc.error(council.path + ("journeys", index),
                                        f"unknown journey {journey!r}; journeys: {listed(journeys)}"))
        errors += check_unique(doc, council.members, lambda s: s.team, "team", f" on council {council.name!r}")
        for seat in council.members:
            if seat.team not in teams:
                errors.append(doc.error(seat.path + ("team",), f"unknown team {seat.team!r}; teams: {listed(teams)}"))
    return errors


def user_references(doc) -> list[tuple[str, Path]]:
    found = []
    for council in doc.councils or []:
        found += [(council.sponsor, council.path + ("sponsor",))] if council.sponsor else []
        found += [(council.facilitator, council.path + ("facilitator",))] if council.facilitator else []
        for seat in council.members:
            found += [(who, seat.path + (role,)) for role, who in (("representative", seat.representative),
                                                                   ("deputy", seat.deputy)) if who]
    return found


# ---------------------------------------------------------------- apply


class CouncilsSync:
    """Councils and seats, through `cxkeeper.governance.actions` (after teams, people and journeys)."""

    def __init__(self, state: ApplyState):
        self.state = state
        self.doc = state.doc

    def apply(self) -> None:
        if self.doc.councils is None:
            return
        state = self.state
        wanted = {spec.name for spec in self.doc.councils}
        existing = {c.name: c for c in Council.objects.all()}
        for council_name, council in sorted(existing.items()):
            if council_name not in wanted:
                state.do(("councils",), council_actions.delete_council, council, expected_version=None,
                         acting_user=state.actor)
                state.record("-", (f"council {quote(council_name)}",))
        teams = {t.name: t for t in Team.objects.all()}
        journeys = {j.name: j for j in Journey.objects.all()}
        for spec in self.doc.councils:
            path = (f"council {quote(spec.name)}",)
            values = {"purpose": spec.purpose, "all_journeys": spec.journeys is None,
                      "sponsor": state.users.get(spec.sponsor) if spec.sponsor else None,
                      "facilitator": state.users.get(spec.facilitator) if spec.facilitator else None,
                      "council_decides": spec.council_decides, "sponsor_decides": spec.sponsor_decides,
                      "teams_decide": spec.teams_decide, "quorum": spec.quorum, "cadence_days": spec.cadence_days,
                      "meeting_minutes": spec.meeting_minutes, "escalation_path": spec.escalation_path}
            scope = sorted(journeys[name].pk for name in (spec.journeys or []))
            council = existing.get(spec.name)
            if council is None:
                council = state.do(spec.path, council_actions.create_council,
                                   {"name": spec.name, **values, "journeys": scope}, acting_user=state.actor)
                state.record("+", path)
            else:
                changes = differences(council, values)
                if sorted(council.journeys.values_list("pk", flat=True)) != scope:
                    changes["journeys"] = scope
                if changes:
                    council = state.do(spec.path, council_actions.update_council, council, changes,
                                       expected_version=None, acting_user=state.actor)
                    # `all_journeys` is the file's `journeys` (omitted: every journey)
                    named = ("journeys" if f == "all_journeys" else f for f in labels(changes))
                    state.record("~", path, tuple(dict.fromkeys(named)))
            self._seats(council, spec, teams, path)

    def _seats(self, council: Council, spec: CouncilSpec, teams: dict, path: tuple[str, ...]) -> None:
        state = self.state
        wanted = {seat.team: seat for seat in spec.members}
        stored = {s.team.name: s for s in CouncilMember.objects.filter(council=council).select_related("team")}
        for team_name, seat in sorted(stored.items()):
            if team_name not in wanted:
                state.do(spec.path, council_actions.remove_member, seat, expected_version=None,
                         acting_user=state.actor)
                state.record("-", path + (f"seat of {quote(team_name)}",))
        for seat_spec in spec.members:
            values = {"representative": state.users.get(seat_spec.representative) if seat_spec.representative
                      else None,
                      "deputy": state.users.get(seat_spec.deputy) if seat_spec.deputy else None}
            seat = stored.get(seat_spec.team)
            where = path + (f"seat of {quote(seat_spec.team)}",)
            if seat is None:
                state.do(seat_spec.path, council_actions.add_member, council, {"team": teams[seat_spec.team], **values},
                         acting_user=state.actor)
                state.record("+", where)
            else:
                changes = differences(seat, values)
                if changes:
                    state.do(seat_spec.path, council_actions.update_member, seat, changes, expected_version=None,
                             acting_user=state.actor)
                    state.record("~", where, labels(changes))
