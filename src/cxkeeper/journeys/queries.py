"""Reads of the journey map, shaped for pages and the API. No writes here."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cxkeeper.core import figures, words
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.models import ChangeRecord
from cxkeeper.journeys.choices import ROLE_LETTERS, Lane, ResponsibilityRole
from cxkeeper.journeys.models import Handoff, Journey, Responsibility, ShareLink, Stage, Step, Suggestion
from cxkeeper.org.models import Team, Workspace

# ---------------------------------------------------------------- fetching


def steps_with_teams() -> QuerySet[Step]:
    return Step.objects.select_related("stage", "stage__journey").prefetch_related(
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("team"))
    )


def journey_by_slug(slug: str) -> Journey:
    return get_object_or_404(Journey.objects.select_related("persona", "keeper", "last_reviewed_by"), slug=slug)


def step_by_id(pk: int) -> Step:
    return get_object_or_404(steps_with_teams(), pk=pk)


# ---------------------------------------------------------------- review freshness


def review_deadline(journey: Journey, workspace: Workspace | None = None):
    workspace = workspace or Workspace.current()
    reference = journey.last_reviewed_at or journey.created_at
    return reference + timedelta(days=workspace.review_interval_days)


def is_overdue(journey: Journey, workspace: Workspace | None = None, now=None) -> bool:
    return (now or timezone.now()) > review_deadline(journey, workspace)


def overdue_journeys(now=None) -> list[Journey]:
    workspace = Workspace.current()
    journeys = Journey.objects.select_related("keeper").order_by("last_reviewed_at", "name")
    return [j for j in journeys if is_overdue(j, workspace, now)]


def journeys_overview() -> list[dict]:
    workspace = Workspace.current()
    journeys = Journey.objects.select_related("persona", "keeper").annotate(
        n_stages=Count("stages", distinct=True), n_steps=Count("stages__steps", distinct=True)
    )
    return [{"journey": j, "overdue": is_overdue(j, workspace), "deadline": review_deadline(j, workspace)}
            for j in journeys]


# ---------------------------------------------------------------- the service blueprint


@dataclass
class StepCard:
    step: Step
    chips: list[tuple[Team, str, bool]]  # team, role letter, lead
    highlighted: bool = False
    owned: bool = False


@dataclass
class BlueprintRow:
    lane: str
    label: str
    cells: list[list[StepCard]]


@dataclass
class Blueprint:
    journey: Journey
    stages: list[Stage]
    rows: list[BlueprintRow]
    teams: list[Team]
    highlight: Team | None
    n_steps: int
    n_highlighted: int = 0
    unowned: list[Step] = field(default_factory=list)


def journey_blueprint(journey: Journey, highlight: Team | None = None) -> Blueprint:
    """Stages as columns, lanes as rows, step cards with team chips: kept per change of the
    records (`core.figures`), since the journey map, its exports and the shared link show it on
    every view. Read-only for callers: the same value is handed to every reader."""
    return figures.figure("journeys.blueprint", (journey.pk, journey.version, highlight.pk if highlight else None),
                          lambda: _journey_blueprint(journey, highlight), depends=(figures.RECORDS,))


def _journey_blueprint(journey: Journey, highlight: Team | None = None) -> Blueprint:
    """Three queries in all."""
    stages = list(journey.stages.order_by("position", "pk"))
    steps = list(steps_with_teams().filter(stage__journey=journey).order_by("stage__position", "position", "pk"))
    column = {stage.pk: i for i, stage in enumerate(stages)}
    rows = [BlueprintRow(lane, label, [[] for _ in stages]) for lane, label in Lane.choices]
    row_of = {row.lane: row for row in rows}
    teams: dict[int, Team] = {}
    n_highlighted, unowned = 0, []
    for step in steps:
        responsibilities = sorted(step.responsibilities.all(), key=lambda r: (r.role != "owns", not r.is_lead,
                                                                              r.team.name))
        chips = [(r.team, ROLE_LETTERS[r.role], r.is_lead) for r in responsibilities]
        for r in responsibilities:
            teams[r.team_id] = r.team
        highlighted = highlight is not None and any(r.team_id == highlight.pk for r in responsibilities)
        owned = any(r.role == ResponsibilityRole.OWNS for r in responsibilities)
        if not owned:
            unowned.append(step)
        n_highlighted += highlighted
        row_of[step.lane].cells[column[step.stage_id]].append(StepCard(step, chips, highlighted, owned))
    return Blueprint(journey, stages, rows, sorted(teams.values(), key=lambda t: t.name), highlight,
                     len(steps), n_highlighted, unowned)


# ---------------------------------------------------------------- responsibility matrix


@dataclass
class MatrixRow:
    step: Step
    letters: list[str]  # one per team column: "O", "O*" (lead), "C", "I" or ""


def responsibility_matrix(journey: Journey | None = None, team: Team | None = None,
                          role: str | None = None) -> tuple[list[Team], list[MatrixRow]]:
    """Steps as rows, teams as columns; filter by journey, by a team's steps, or by role."""
    steps = steps_with_teams().order_by("stage__journey__name", "stage__position", "position", "pk")
    if journey is not None:
        steps = steps.filter(stage__journey=journey)
    if team is not None:
        steps = steps.filter(responsibilities__team=team)
    if role:
        steps = steps.filter(responsibilities__role=role).distinct()
    steps = list(steps.distinct())
    team_ids = {r.team_id for s in steps for r in s.responsibilities.all() if not role or r.role == role}
    teams = list(Team.objects.filter(pk__in=team_ids)) if (journey or team or role) else list(Team.objects.all())
    index = {t.pk: i for i, t in enumerate(teams)}
    rows = []
    for step in steps:
        letters = [""] * len(teams)
        for r in step.responsibilities.all():
            if r.team_id in index and (not role or r.role == role):
                letters[index[r.team_id]] = ROLE_LETTERS[r.role] + ("*" if r.is_lead else "")
        rows.append(MatrixRow(step, letters))
    return teams, rows


# ---------------------------------------------------------------- coverage


@dataclass
class TeamImpact:
    team: Team
    owns: int
    contributes: int
    informed: int
    steps: list[Step]


@dataclass
class Coverage:
    unowned_steps: list[Step]
    shared_without_lead: list[tuple[Step, list[Team]]]
    idle_teams: list[Team]
    hidden_heroes: list[TeamImpact]
    cross_team_handoffs: list[Handoff]
    n_steps: int

    @property
    def n_problems(self) -> int:
        return len(self.unowned_steps) + len(self.shared_without_lead) + len(self.idle_teams)


def coverage_report(journey: Journey | None = None) -> Coverage:
    """Where the map has cracks: nobody owns a step, several own it and none leads, a team
    touches nothing; plus the customer impact of back-office teams and every cross-team handoff."""
    steps = steps_with_teams().order_by("stage__journey__name", "stage__position", "position", "pk")
    handoffs = Handoff.objects.select_related("from_step", "to_step", "from_team", "to_team",
                                              "from_step__stage__journey", "to_step__stage__journey")
    if journey is not None:
        steps = steps.filter(stage__journey=journey)
        handoffs = handoffs.filter(Q(from_step__stage__journey=journey) | Q(to_step__stage__journey=journey))
    steps = list(steps)
    unowned, shared = [], []
    impact: dict[int, TeamImpact] = {}
    for step in steps:
        owners = [r for r in step.responsibilities.all() if r.role == ResponsibilityRole.OWNS]
        if not owners:
            unowned.append(step)
        elif len(owners) > 1 and not any(r.is_lead for r in owners):
            shared.append((step, [r.team for r in owners]))
        for r in step.responsibilities.all():
            entry = impact.setdefault(r.team_id, TeamImpact(r.team, 0, 0, 0, []))
            setattr(entry, r.role, getattr(entry, r.role) + 1)
            entry.steps.append(step)
    all_teams = list(Team.objects.all())
    idle = [t for t in all_teams if t.pk not in impact]
    heroes = sorted((impact[t.pk] for t in all_teams if t.pk in impact and t.is_hidden_hero_candidate),
                    key=lambda i: (-(i.owns + i.contributes), i.team.name))
    crossing = [h for h in handoffs if h.crosses_teams]
    return Coverage(unowned, shared, idle, heroes, crossing, len(steps))


# ---------------------------------------------------------------- teams


def team_steps(team: Team) -> list[tuple[Journey, list[tuple[Step, Responsibility]]]]:
    """Every step the team impacts, grouped by journey in map order."""
    responsibilities = (
        Responsibility.objects.filter(team=team)
        .select_related("step", "step__stage", "step__stage__journey")
        .order_by("step__stage__journey__name", "step__stage__position", "step__position")
    )
    grouped: dict[int, list] = defaultdict(list)
    journeys: dict[int, Journey] = {}
    for r in responsibilities:
        journey = r.step.stage.journey
        journeys[journey.pk] = journey
        grouped[journey.pk].append((r.step, r))
    return [(journeys[pk], items) for pk, items in grouped.items()]


def team_handoffs(team: Team) -> list[Handoff]:
    return list(
        Handoff.objects.filter(Q(from_team=team) | Q(to_team=team)).select_related(
            "from_step", "to_step", "from_team", "to_team"
        )
    )


# ---------------------------------------------------------------- history and activity


def recent_activity(limit: int = 20, journey: Journey | None = None) -> QuerySet[ChangeRecord]:
    records = ChangeRecord.objects.select_related("actor", "content_type")
    if journey is not None:
        records = records.filter(journey_id=journey.pk)
    return records[:limit]


def step_history(step: Step) -> QuerySet[ChangeRecord]:
    """The step itself and everything attached to it: responsibilities, handoffs."""
    return ChangeRecord.objects.filter(step_id=step.pk).select_related("actor", "content_type")


# ---------------------------------------------------------------- what a removal touches


def steps_under(place: Journey | Stage | Step) -> QuerySet[Step]:
    """The steps a journey, stage or step delete takes with it (each is announced)."""
    if isinstance(place, Step):
        return Step.objects.filter(pk=place.pk)
    if isinstance(place, Stage):
        return Step.objects.filter(stage=place)
    return Step.objects.filter(stage__journey=place)


def team_map_parts(team: Team) -> tuple[int, int]:
    """(responsibilities, handoffs) of a team: what leaves the map with it."""
    handoffs = Handoff.objects.filter(Q(from_team=team) | Q(to_team=team)).count()
    return Responsibility.objects.filter(team=team).count(), handoffs


# ---------------------------------------------------------------- sharing the journey (issue 14, decisions/0037)


def share_links_of(journey: Journey) -> QuerySet:
    return ShareLink.objects.filter(journey=journey).select_related("created_by", "revoked_by")


def active_share_link(token: str):
    """The share link with this token if it still works, else None (unknown and revoked look alike)."""
    if not token or len(token) > 64:
        return None
    return ShareLink.objects.select_related("journey").filter(token=token, revoked_at__isnull=True).first()


def suggestions_for(step: Step) -> QuerySet:
    return Suggestion.objects.filter(step=step).select_related("author", "decided_by")


def suggestion_by_id(pk: int):
    return get_object_or_404(Suggestion.objects.select_related("step__stage__journey", "author"), pk=pk)


# What changed on the map since a date, in plain words, read from history (core.ChangeRecord).
ADDED, REMOVED, REOWNED, RENAMED, MOVED = "added", "removed", "re-owned", "renamed", "moved"
CHANGE_KINDS = {ADDED: "Added", REMOVED: "Removed", REOWNED: "Responsibility changed", RENAMED: "Renamed",
                MOVED: "Moved"}


@dataclass
class MapChange:
    kind: str          # one of CHANGE_KINDS
    at: object         # datetime
    who: str
    text: str          # one plain sentence
    step_id: int | None
    step_name: str

    @property
    def kind_label(self) -> str:
        return CHANGE_KINDS[self.kind]


@dataclass
class MapChanges:
    journey: Journey
    since: object      # date
    changes: list[MapChange]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        return [(kind, label, self.count(kind)) for kind, label in CHANGE_KINDS.items()]


def _stage_name(label: str | None) -> str:
    return (label or "").split(" › ", 1)[-1]


def _role_words(snapshot: dict | None) -> str:
    if not snapshot:
        return ""
    role = ResponsibilityRole(snapshot.get("role", "owns")).label.lower()
    verb = {"owns": "owns", "contributes": "contributes to", "informed": "is informed of"}[role]
    return verb + (" (lead owner)" if snapshot.get("is_lead") else "")


def _step_change(record: ChangeRecord, who: str) -> list[MapChange]:
    before, after = record.before or {}, record.after or {}
    name = after.get("name") or before.get("name") or record.object_repr
    lanes = dict(Lane.choices)
    if record.action == "create":
        return [MapChange(ADDED, record.at, who, f"{who} added step “{name}” to stage "
                          f"“{_stage_name(after.get('stage_label'))}” ({lanes.get(after.get('lane'), '')}).",
                          record.object_id, name)]
    if record.action == "delete":
        return [MapChange(REMOVED, record.at, who, f"{who} removed step “{name}” from stage "
                          f"“{_stage_name(before.get('stage_label'))}”.", None, name)]
    found = []
    if before.get("name") != after.get("name"):
        found.append(MapChange(RENAMED, record.at, who, f"{who} renamed step “{before.get('name')}” to "
                               f"“{after.get('name')}”.", record.object_id, name))
    if before.get("stage") != after.get("stage"):
        found.append(MapChange(MOVED, record.at, who, f"{who} moved step “{name}” from stage "
                               f"“{_stage_name(before.get('stage_label'))}” to "
                               f"“{_stage_name(after.get('stage_label'))}”.", record.object_id, name))
    if before.get("lane") != after.get("lane"):
        found.append(MapChange(MOVED, record.at, who, f"{who} moved step “{name}” from the lane "
                               f"“{lanes.get(before.get('lane'), '')}” to “{lanes.get(after.get('lane'), '')}”.",
                               record.object_id, name))
    return found


def _responsibility_change(record: ChangeRecord, who: str) -> list[MapChange]:
    before, after = record.before or {}, record.after or {}
    snap = after or before
    team, step_name, step_id = snap.get("team_label", "a team"), snap.get("step_label", "a step"), snap.get("step")
    if record.action == "create":
        text = f"{who} recorded that {team} {_role_words(after)} “{step_name}”."
    elif record.action == "delete":
        text = f"{who} removed {team} from “{step_name}” (it {_role_words(before)} it)."
    elif (before.get("role"), before.get("is_lead")) != (after.get("role"), after.get("is_lead")):
        text = f"{who} changed {words.possessive(team)} part in “{step_name}”: it now {_role_words(after)} it " \
               f"(before: {_role_words(before)})."
    else:
        return []
    return [MapChange(REOWNED, record.at, who, text, step_id, step_name)]


def _stage_record(record: ChangeRecord, who: str) -> list[MapChange]:
    before, after = record.before or {}, record.after or {}
    if record.action == "create":
        return [MapChange(ADDED, record.at, who, f"{who} added stage “{after.get('name')}”.", None, "")]
    if record.action == "delete":
        return [MapChange(REMOVED, record.at, who, f"{who} removed stage “{before.get('name')}”.", None, "")]
    if before.get("name") != after.get("name"):
        return [MapChange(RENAMED, record.at, who, f"{who} renamed stage “{before.get('name')}” to "
                          f"“{after.get('name')}”.", None, "")]
    return []


def map_changes_since(journey: Journey, since) -> MapChanges:
    """Steps and stages added, removed, renamed or moved, and responsibilities changed, since the
    start of day `since` (the server's time zone), newest first — all read from history, so
    removed steps are there too."""
    from datetime import datetime, time

    from django.contrib.contenttypes.models import ContentType

    start = timezone.make_aware(datetime.combine(since, time.min))
    types = ContentType.objects.get_for_models(Step, Responsibility, Stage)
    readers = {types[Step].pk: _step_change, types[Responsibility].pk: _responsibility_change,
               types[Stage].pk: _stage_record}
    records = (ChangeRecord.objects.filter(journey_id=journey.pk, at__gte=start, content_type_id__in=readers)
               .order_by("-at", "-id"))
    changes: list[MapChange] = []
    for record in records[:2000]:
        who = record.actor_label if record.actor_label and record.actor_label != "system" else "The system"
        changes.extend(readers[record.content_type_id](record, who))
    existing = set(Step.objects.filter(pk__in={c.step_id for c in changes if c.step_id}).values_list("pk", flat=True))
    for change in changes:
        if change.step_id not in existing:
            change.step_id = None  # removed since: nothing to link to
    return MapChanges(journey, since, changes)


def parse_since(text: str | None, today=None):
    """The `since` of "changes since": a date as YYYY-MM-DD, not in the future. Bad → InvalidInput."""
    from datetime import date

    value = (text or "").strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        since = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput({"since": f"“{value[:40]}” is not a date: give one as YYYY-MM-DD, e.g. 2026-11-27."}) \
            from None
    today = today or timezone.localdate()
    if since > today:
        raise InvalidInput({"since": f"{since.isoformat()} is in the future; give a day up to today "
                                     f"({today.isoformat()})."})
    return since


PRINT_STAGES_PER_SHEET = 4  # as the PDF export: wider journeys print as sheets of four stages


def blueprint_sheets(blueprint: Blueprint, size: int = PRINT_STAGES_PER_SHEET) -> list[tuple[int, int, Blueprint]]:
    """The blueprint cut into parts of `size` stages, (first and last stage number, part), for print:
    one sheet each. A journey that fits one sheet gives no parts (the page prints as it is)."""
    if len(blueprint.stages) <= size + 1:
        return []
    sheets = []
    for start in range(0, len(blueprint.stages), size):
        part = slice(start, start + size)
        rows = [BlueprintRow(row.lane, row.label, row.cells[part]) for row in blueprint.rows]
        sheet = Blueprint(blueprint.journey, blueprint.stages[part], rows, blueprint.teams, blueprint.highlight,
                          blueprint.n_steps, blueprint.n_highlighted, blueprint.unowned)
        sheets.append((start + 1, min(start + size, len(blueprint.stages)), sheet))
    return sheets
