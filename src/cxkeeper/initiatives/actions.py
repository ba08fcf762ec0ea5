"""Writes to friction points. Every write is a versioned, audited core action; permissions are
checked here so pages and API enforce the same rules (see permissions.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import asdict

from django.db import DatabaseError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from cxkeeper.core import figures, numbers
from cxkeeper.core.actions import _validate as validate_object
from cxkeeper.core.actions import create_object, delete_object, update_object
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.events import Event, emit, emit_after_commit, event_kind
from cxkeeper.core.history import record_change, snapshot
from cxkeeper.core.models import ChangeAction
from cxkeeper.core.roles import Role, role_of
from cxkeeper.initiatives import queries
from cxkeeper.initiatives.choices import (
    NEEDS_REASON,
    STATUS_TRANSITIONS,
    AffectedOrigin,
    ConstraintKind,
    DecidedHow,
    DecisionState,
    Effort,
    FrictionSource,
    FrictionStatus,
    Importance,
    InitiativeStatus,
    MoveDirection,
    OptionStanceValue,
    PlannedStatus,
    Stance,
    TeamRole,
)
from cxkeeper.initiatives.models import (
    AffectedTeam,
    Decision,
    FrictionPoint,
    Initiative,
    InitiativeMetric,
    InitiativeTeam,
    Option,
    OptionStance,
    Perspective,
    PlannedChange,
    PriorityWeights,
    RankingSnapshot,
)
from cxkeeper.initiatives.permissions import (
    require_answer_for,
    require_change,
    require_change_initiative,
    require_change_planned,
    require_declare_change,
    require_delete_initiative,
    require_plan_initiative,
    require_propose_option,
    require_raise,
    require_run_process,
    require_set_weights,
    user_team_ids,
)
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import Person, Team, Workspace
from cxkeeper.org.permissions import require_executive_sponsor
from cxkeeper.outcomes.models import MetricDefinition

EDITABLE = ("title", "description", "journey", "step", "status", "source", "evidence", "owner_team")
MAX_EXAMPLES = 3
MAX_EXAMPLE_LENGTH = 500


def raise_friction_point(values: dict, *, acting_user) -> FrictionPoint:
    require_raise(acting_user)
    values = {k: v for k, v in values.items() if k in EDITABLE}  # a step fills in its journey (model clean)
    values["raised_by"] = acting_user
    with transaction.atomic():
        friction_point, _ = create_object(FrictionPoint, values, acting_user=acting_user)
        if friction_point.step_id:  # placed on the map: the teams there are asked at once
            sync_affected_teams(friction_point, acting_user=acting_user)
    return friction_point


def _number(x) -> float | None:
    return float(x) if x is not None and math.isfinite(float(x)) else None


def theme_evidence(theme, *, since=None) -> dict:
    """What a friction point keeps of a theme: enough to judge it later without the feedback.

    Example texts are stored feedback (redacted at import) and redacted once more here, so a
    pattern added since the import also applies; the date range is of the theme's items."""
    from cxkeeper.insights.actions import redactor
    from cxkeeper.insights.models import Feedback

    examples = [redactor().redact(text).text[:MAX_EXAMPLE_LENGTH] for text in list(theme.examples)[:MAX_EXAMPLES]]
    span = Feedback.objects.filter(pk__in=list(theme.feedback_ids)).aggregate(first=Min("received_at"),
                                                                             last=Max("received_at"))
    growth = theme.growing
    return {
        "theme_key": theme.key,
        "label": theme.label,
        "keywords": list(theme.keywords),
        "count": int(theme.count),
        "share_unrouted": _number(theme.share_unrouted),
        "share_negative": _number(theme.share_negative),
        "growth": {"days": growth.days, "current": growth.current, "previous": growth.previous,
                   "ratio": _number(growth.ratio), "p_value": _number(growth.p_value),
                   "testable": bool(growth.testable), "significant": growth.significant()},
        "examples": examples,
        "first_seen": span["first"].date().isoformat() if span["first"] else None,
        "last_seen": span["last"].date().isoformat() if span["last"] else None,
        "discovered_since": since.isoformat() if since is not None else None,
    }


def raise_friction_point_from_theme(theme, *, step=None, journey=None, since=None, acting_user) -> FrictionPoint:
    """A theme of unrouted or negative feedback becomes a friction point, with its evidence.

    `step` defaults to the step the router would send the theme to, when that step is on
    `journey` (unrouted feedback belongs to no journey, so the router may point elsewhere).
    Praise is not friction: a theme whose members lean positive is refused."""
    require_raise(acting_user)
    if getattr(theme, "is_praise", False):
        raise InvalidInput({"theme": "This theme is praise (most of its customers are happy); "
                                     "only problems can be raised as friction points."})
    suggested = theme.suggested_step
    if step is None and suggested is not None and (journey is None or suggested.stage.journey_id == journey.pk):
        step = suggested
    title = theme.label[:1].upper() + theme.label[1:] if theme.label else "Theme in feedback"
    description = (f"Raised from a theme of {numbers.count(theme.count)} feedback items "
                   f"({numbers.percent(100 * theme.share_unrouted)} unrouted, "
                   f"{numbers.percent(100 * theme.share_negative)} negative) about: {', '.join(theme.keywords)}.")
    return raise_friction_point({
        "title": title[:200], "description": description, "step": step, "journey": journey,
        "source": FrictionSource.THEME, "evidence": theme_evidence(theme, since=since),
    }, acting_user=acting_user)


def signal_evidence(signal, *, as_of=None, window_days=None, comparisons=None) -> dict:
    """What a friction point keeps of a friction signal: the figures, their n, interval and test,
    the periods, who owns the step, how many customers and how severe — and ≤ 3 example texts,
    redacted once more (as for themes) — so it can be judged later without the feedback."""
    from cxkeeper.insights.actions import redactor

    def figure(value) -> dict:
        return {"value": _number(value.value), "n": int(value.n), "low": _number(value.low),
                "high": _number(value.high)}

    examples = [redactor().redact(text).text[:MAX_EXAMPLE_LENGTH] for text in list(signal.examples)[:MAX_EXAMPLES]]
    evidence = {
        "signal_kind": signal.kind,
        "metric": signal.metric,
        "metric_label": signal.metric_label,
        "step_name": signal.step.name if signal.step is not None else None,
        "current": figure(signal.current),
        "reference": figure(signal.reference),
        "reference_label": signal.reference_label,
        "difference": _number(signal.difference),
        "difference_low": _number(signal.difference_low),
        "difference_high": _number(signal.difference_high),
        "unit": signal.unit,
        "test": signal.test,
        "p_value": _number(signal.p_value),
        "p_adjusted": _number(signal.p_adjusted),
        "alpha": _number(signal.alpha),
        "comparisons": comparisons,
        "period": [d.isoformat() for d in signal.period],
        "reference_period": [d.isoformat() for d in signal.reference_period],
        "as_of": as_of.isoformat() if as_of is not None else None,
        "window_days": window_days,
        "customers_affected": signal.customers_affected,
        "times_minimum": _number(signal.times_minimum),
        "impact": _number(signal.impact),
        "teams": list(signal.teams),
        "explanation": signal.explanation,
        "examples": examples,
    }
    if signal.theme is not None:
        evidence["theme_key"] = signal.theme.key
        evidence["label"] = signal.theme.label
    return evidence


def raise_friction_point_from_signal(signal, *, journey=None, as_of=None, window_days=None, comparisons=None,
                                     acting_user) -> FrictionPoint:
    """A friction signal becomes a friction point at its step, with its evidence; the title
    says what is worse and where, the description is the signal's own explanation."""
    require_raise(acting_user)
    where = f" at “{signal.step.name}”" if signal.step is not None else ""
    if signal.kind == "negative_theme" and signal.theme is not None:
        title = f"Growing complaint{where}: {signal.theme.label}"
    elif signal.kind == "volume_spike":
        title = f"Volume spike{where}"
    else:
        title = f"{signal.metric_label}{where} worse than {signal.reference_label}"
    step = signal.step
    if journey is None and step is not None:
        journey = step.stage.journey
    return raise_friction_point({
        "title": title[:200], "description": signal.explanation, "step": step, "journey": journey,
        "source": FrictionSource.SIGNAL,
        "evidence": signal_evidence(signal, as_of=as_of, window_days=window_days, comparisons=comparisons),
    }, acting_user=acting_user)


def update_friction_point(friction_point: FrictionPoint, changes: dict, *, expected_version,
                          acting_user) -> FrictionPoint:
    require_change(acting_user, friction_point)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput({name: "This field cannot be changed." for name in unknown})
    friction_point, _ = update_object(friction_point, changes, expected_version=expected_version,
                                      acting_user=acting_user)
    return friction_point


def set_friction_point_status(friction_point: FrictionPoint, status: str, *, expected_version,
                              acting_user) -> FrictionPoint:
    """Mark a friction point addressed or dismissed (or open again)."""
    require_change(acting_user, friction_point, "change the status of")
    if status not in FrictionStatus.values:
        raise InvalidInput({"status": f"“{status}” is not one of {', '.join(FrictionStatus.values)}."})
    return update_friction_point(friction_point, {"status": status}, expected_version=expected_version,
                                 acting_user=acting_user)


def delete_friction_point(friction_point: FrictionPoint, *, expected_version, acting_user) -> None:
    require_change(acting_user, friction_point, "delete")
    with transaction.atomic():  # its initiatives stay, without it (an update in each one's history)
        detach_initiatives(friction_point=friction_point, acting_user=acting_user)
        delete_cocreation_of(friction_point, acting_user=acting_user)
        delete_object(friction_point, expected_version=expected_version, acting_user=acting_user)


def detach_friction_points(place: Journey | Step, *, acting_user) -> int:
    """A journey or step is being deleted (announced, see `initiatives.removals`): friction
    points placed there stay — with their status and evidence — and lose the place, an UPDATE
    in each one's history. A step's friction points keep their journey. Returns how many.

    The deleting action's permission covers this consequence; no second check here."""
    if isinstance(place, Step):
        placed, changes = FrictionPoint.objects.filter(step=place), {"step": None}
    else:  # a journey: its steps were deleted (and detached) first, but say so for any left
        placed, changes = FrictionPoint.objects.filter(journey=place), {"journey": None, "step": None}
    points = list(placed.order_by("pk"))
    for friction_point in points:
        update_object(friction_point, changes, expected_version=None, acting_user=acting_user)
    return len(points)


# --- initiatives ---
# An initiative and its parts (teams with a role, metrics with a direction, milestones) change
# together in one transaction, under the initiative's row lock and version, and each change is
# one history row of the initiative whose snapshot names its teams and metrics too.

INITIATIVE_FIELDS = ("title", "description", "friction_point", "status", "ship_date", "steps", "depends_on",
                     "milestones", "teams", "metrics")
WEIGHT_FIELDS = ("impact", "fit", "effort", "confidence", "period_days")


def _initiative_snapshot(initiative: Initiative) -> dict:
    data = snapshot(initiative)
    data["teams"] = [{"team": r.team_id, "team_label": r.team.name, "role": r.role}
                     for r in initiative.team_roles.select_related("team").order_by("team__name")]
    data["metrics"] = [{"metric": m.metric_id, "metric_label": m.metric.name, "direction": m.direction}
                       for m in initiative.metric_moves.select_related("metric").order_by("metric__name")]
    return data


def _pairs(items, key: str, second: str) -> list[tuple]:
    """[(team, role)] from (team, role) pairs or {"team": …, "role": …} dicts alike."""
    pairs = []
    for item in items or []:
        if isinstance(item, dict):
            pairs.append((item.get(key), item.get(second)))
        else:
            first, other = item
            pairs.append((first, other))
    return pairs


def _clean_teams(items, *, lead_required: bool = True) -> list[tuple[Team, str]]:
    teams = _pairs(items, "team", "role")
    problems = []
    seen = set()
    for team, role in teams:
        if not isinstance(team, Team):
            problems.append("Each contributing team must be an existing team.")
            continue
        if role not in TeamRole.values:
            problems.append(f"“{role}” is not a role; a team leads, contributes or is consulted "
                            f"({', '.join(TeamRole.values)}).")
        if team.pk in seen:
            problems.append(f"“{team.name}” is named twice; give each team one role.")
        seen.add(team.pk)
    leads = [team.name for team, role in teams if role == TeamRole.LEAD]
    if lead_required and len(leads) != 1:
        problems.append("Exactly one team leads an initiative; "
                        + ("none does." if not leads else f"{len(leads)} do ({', '.join(leads)})."))
    if problems:
        raise InvalidInput({"teams": problems})
    return teams


def _clean_metrics(items) -> list[tuple[MetricDefinition, str]]:
    metrics = _pairs(items, "metric", "direction")
    problems, seen = [], set()
    for metric, direction in metrics:
        if not isinstance(metric, MetricDefinition):
            problems.append("Each metric must be one of the metric catalogue.")
            continue
        if direction not in MoveDirection.values:
            problems.append(f"Say which way “{metric.name}” should move: up or down, not “{direction}”.")
        if metric.pk in seen:
            problems.append(f"“{metric.name}” is named twice.")
        seen.add(metric.pk)
    if problems:
        raise InvalidInput({"metrics": problems})
    return metrics


def _clean_milestones(items) -> list[dict]:
    cleaned = []
    for i, item in enumerate(items or [], start=1):
        if not isinstance(item, dict):
            raise InvalidInput({"milestones": f"Milestone {i} must have a title, a due date and whether it is done."})
        due = item.get("due")
        if isinstance(due, dt.date):
            due = due.isoformat()
        cleaned.append({"title": str(item.get("title", "")).strip(), "due": due or None,
                        "done": bool(item.get("done", False))})
    return cleaned


def dependency_cycle(initiative: Initiative | None, depends_on) -> list[str] | None:
    """The titles along a cycle the dependencies would make (first = last), or None.

    `initiative` None is a new one: nothing depends on it yet, so only its own list could
    name itself (impossible), and there is no cycle."""
    if initiative is None or initiative.pk is None:
        return None
    edges: dict[int, set[int]] = {}
    for source, target in Initiative.depends_on.through.objects.values_list("from_initiative_id",
                                                                             "to_initiative_id"):
        edges.setdefault(source, set()).add(target)
    edges[initiative.pk] = {d.pk for d in depends_on}
    path: list[int] = []

    def walk(node: int, seen: set[int]) -> bool:
        for nxt in sorted(edges.get(node, ())):
            if nxt == initiative.pk:
                path.append(nxt)
                return True
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                if walk(nxt, seen):
                    return True
                path.pop()
        return False

    if not walk(initiative.pk, set()):
        return None
    titles = dict(Initiative.objects.filter(pk__in=path).values_list("pk", "title"))
    titles[initiative.pk] = initiative.title
    return [initiative.title, *(titles[pk] for pk in path)]


def _check_dependencies(initiative: Initiative | None, depends_on) -> None:
    if initiative is not None and any(d.pk == initiative.pk for d in depends_on):
        raise InvalidInput({"depends_on": f"“{initiative.title}” cannot depend on itself."})
    cycle = dependency_cycle(initiative, depends_on)
    if cycle:
        raise InvalidInput({"depends_on": "These dependencies would make a cycle, so no initiative could ever start "
                                          "first: " + " → ".join(f"“{t}”" for t in cycle) + ". Nothing was saved."})


def _write_parts(initiative: Initiative, teams, metrics) -> None:
    if teams is not None:
        initiative.team_roles.all().delete()
        InitiativeTeam.objects.bulk_create([InitiativeTeam(initiative=initiative, team=t, role=r) for t, r in teams])
    if metrics is not None:
        initiative.metric_moves.all().delete()
        InitiativeMetric.objects.bulk_create([InitiativeMetric(initiative=initiative, metric=m, direction=d)
                                              for m, d in metrics])


TEAM_NAMED = event_kind("initiative.team_named", "Your team is named on an initiative")
PERSPECTIVE_ASKED = event_kind("perspective.asked", "Your team is asked for its perspective")
PERSPECTIVE_REMINDER = event_kind("perspective.reminder", "A reminder: your team's perspective is still owed")
PERSPECTIVE_GIVEN = event_kind("perspective.given", "A team gave its perspective")
OPTION_PROPOSED = event_kind("friction.option", "A new option on a friction point your team is affected by")
FRICTION_DECIDED = event_kind("friction.decided", "A friction point your team is affected by was decided")
FRICTION_ESCALATED = event_kind("friction.escalated", "A friction point waits for your decision as sponsor")


def _actor_name(acting_user) -> str | None:
    return acting_user.get_username() if getattr(acting_user, "pk", None) else None


def _members_event(kind: str, team_ids, message: str, url: str, *, actor_id, actor, change_id=None):
    """The event for every member of these teams (but the one acting), read after commit."""
    team_ids = sorted(set(team_ids))

    def event():
        recipients = (Person.objects.filter(teams__in=team_ids).exclude(user_id=actor_id)
                      .values_list("user_id", flat=True))
        return Event(kind, message[:500], url=url, recipient_ids=tuple(sorted(set(recipients))),
                     team_ids=tuple(team_ids), actor=actor, change_id=change_id)

    emit_after_commit(kind, event)


def _notify_teams(initiative: Initiative, team_ids: set[int], *, acting_user, message: str) -> None:
    """After commit: the members of teams newly named on an initiative hear of it."""
    if not team_ids:
        return
    _members_event(TEAM_NAMED, team_ids, message, initiative.get_absolute_url(),
                   actor_id=getattr(acting_user, "pk", None), actor=_actor_name(acting_user))


def plan_initiative(values: dict, *, acting_user) -> Initiative:
    """A new initiative (status "proposed"), with its teams — exactly one leading — the steps it
    changes, the metrics it should move, milestones and dependencies."""
    unknown = sorted(set(values) - set(INITIATIVE_FIELDS))
    if unknown:
        raise InvalidInput({name: "This field cannot be set." for name in unknown})
    values = dict(values)
    teams = _clean_teams(values.pop("teams", []))
    require_plan_initiative(acting_user, next(team for team, role in teams if role == TeamRole.LEAD))
    metrics = _clean_metrics(values.pop("metrics", []))
    if values.get("status", InitiativeStatus.PROPOSED) != InitiativeStatus.PROPOSED:
        raise InvalidInput({"status": "A new initiative starts as proposed; move it on with its status afterwards."})
    values.pop("status", None)
    values["milestones"] = _clean_milestones(values.get("milestones"))
    steps = list(values.pop("steps", None) or [])
    depends_on = list(values.pop("depends_on", None) or [])
    with transaction.atomic():
        initiative = Initiative(**values, created_by=acting_user if getattr(acting_user, "pk", None) else None)
        validate_object(initiative)
        initiative.save()
        initiative.steps.set(steps)
        initiative.depends_on.set(depends_on)
        _write_parts(initiative, teams, metrics)
        record_change(initiative, ChangeAction.CREATE, None, _initiative_snapshot(initiative), acting_user)
        _notify_teams(initiative, {team.pk for team, _ in teams}, acting_user=acting_user,
                      message=f"Your team is named on the initiative “{initiative.title}”.")
    return initiative


def _update_initiative(initiative: Initiative, changes: dict, *, expected_version, acting_user,
                       lead_required: bool = True) -> Initiative:
    changes = dict(changes)
    with transaction.atomic():
        current = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(current, expected_version)
        before = _initiative_snapshot(current)
        if "status" in changes and changes["status"] != current.status:
            status = changes["status"]
            if status not in InitiativeStatus.values:
                raise InvalidInput({"status": f"“{status}” is not one of {', '.join(InitiativeStatus.values)}."})
            allowed = STATUS_TRANSITIONS[current.status]
            if status not in allowed:
                raise InvalidInput({"status": f"An initiative that is {InitiativeStatus(current.status).label} "
                                              f"cannot become {InitiativeStatus(status).label}; it can become "
                                              + " or ".join(InitiativeStatus(s).label for s in allowed) + "."})
        teams = _clean_teams(changes.pop("teams"), lead_required=lead_required) if "teams" in changes else None
        metrics = _clean_metrics(changes.pop("metrics")) if "metrics" in changes else None
        if "milestones" in changes:
            changes["milestones"] = _clean_milestones(changes["milestones"])
        steps = list(changes.pop("steps") or []) if "steps" in changes else None
        depends_on = list(changes.pop("depends_on") or []) if "depends_on" in changes else None
        if depends_on is not None:
            _check_dependencies(current, depends_on)  # named by the titles as they stand
        for name, value in changes.items():
            setattr(current, name, value)
        validate_object(current)
        if depends_on is not None:
            current.depends_on.set(depends_on)
        if steps is not None:
            current.steps.set(steps)
        old_teams = {r["team"] for r in before["teams"]}
        _write_parts(current, teams, metrics)
        after = _initiative_snapshot(current)
        if after == before:
            return current
        current.version += 1
        current.save()
        record_change(current, ChangeAction.UPDATE, before, _initiative_snapshot(current), acting_user)
        if teams is not None:
            _notify_teams(current, {team.pk for team, _ in teams} - old_teams, acting_user=acting_user,
                          message=f"Your team is named on the initiative “{current.title}”.")
    return current


def update_initiative(initiative: Initiative, changes: dict, *, expected_version, acting_user) -> Initiative:
    """Change any of its fields and parts; a status change must be an allowed transition
    (`choices.STATUS_TRANSITIONS`), a dependency must not close a cycle."""
    require_change_initiative(acting_user, initiative)
    unknown = sorted(set(changes) - set(INITIATIVE_FIELDS))
    if unknown:
        raise InvalidInput({name: "This field cannot be changed." for name in unknown})
    if "teams" in changes:
        new_lead = next((t for t, r in _clean_teams(changes["teams"]) if r == TeamRole.LEAD), None)
        require_plan_initiative(acting_user, new_lead)  # a member cannot hand the lead to a team of others
    return _update_initiative(initiative, changes, expected_version=expected_version, acting_user=acting_user)


def set_initiative_status(initiative: Initiative, status: str, *, ship_date=None, expected_version,
                          acting_user) -> Initiative:
    """Move an initiative on (or back); reaching "shipped" needs the ship date."""
    require_change_initiative(acting_user, initiative, "change the status of")
    changes = {"status": status}
    if ship_date is not None:
        changes["ship_date"] = ship_date
    return _update_initiative(initiative, changes, expected_version=expected_version, acting_user=acting_user)


def delete_initiative(initiative: Initiative, *, expected_version, acting_user) -> None:
    """Gone with its teams, metrics and milestones (kept in its history); initiatives that
    depended on it lose that dependency, an update in each one's history."""
    require_delete_initiative(acting_user, initiative)
    with transaction.atomic():
        current = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(current, expected_version)
        for dependent in current.dependents.order_by("pk"):
            remaining = [d for d in dependent.depends_on.all() if d.pk != current.pk]
            _update_initiative(dependent, {"depends_on": remaining}, expected_version=None, acting_user=acting_user,
                               lead_required=False)
        record_change(current, ChangeAction.DELETE, _initiative_snapshot(current), None, acting_user)
        current.delete()


def detach_initiatives(*, friction_point: FrictionPoint | None = None, team: Team | None = None,
                       steps=None, metric: MetricDefinition | None = None, acting_user) -> int:
    """Something an initiative names is being deleted: each initiative loses it, an update in
    its history (the deleting action's permission covers this). Returns how many changed."""
    changed = 0
    if friction_point is not None:
        for initiative in Initiative.objects.filter(friction_point=friction_point).order_by("pk"):
            _update_initiative(initiative, {"friction_point": None}, expected_version=None, acting_user=acting_user,
                               lead_required=False)
            changed += 1
    if team is not None:
        for initiative in Initiative.objects.filter(team_roles__team=team).distinct().order_by("pk"):
            kept = [(r.team, r.role) for r in initiative.team_roles.select_related("team") if r.team_id != team.pk]
            _update_initiative(initiative, {"teams": kept}, expected_version=None, acting_user=acting_user,
                               lead_required=False)
            changed += 1
    if steps is not None:
        step_ids = {s.pk for s in steps}
        for initiative in Initiative.objects.filter(steps__in=step_ids).distinct().order_by("pk"):
            kept = [s for s in initiative.steps.all() if s.pk not in step_ids]
            _update_initiative(initiative, {"steps": kept}, expected_version=None, acting_user=acting_user,
                               lead_required=False)
            changed += 1
    if metric is not None:
        for initiative in Initiative.objects.filter(metric_moves__metric=metric).distinct().order_by("pk"):
            kept = [(m.metric, m.direction) for m in initiative.metric_moves.select_related("metric")
                    if m.metric_id != metric.pk]
            _update_initiative(initiative, {"metrics": kept}, expected_version=None, acting_user=acting_user,
                               lead_required=False)
            changed += 1
    return changed


# --- priorities ---


def set_priority_weights(changes: dict, *, expected_version, acting_user) -> PriorityWeights:
    """Keepers set the board's weights and period (one row, with history). The board is ranked
    again on its next read (its figure names the weights' version) and the new order kept."""
    require_set_weights(acting_user)
    unknown = sorted(set(changes) - set(WEIGHT_FIELDS))
    if unknown:
        raise InvalidInput({name: "This field cannot be changed." for name in unknown})
    with transaction.atomic():
        current = PriorityWeights.objects.select_for_update().order_by("pk").first()
        if current is None:
            values = {name: getattr(PriorityWeights(), name) for name in WEIGHT_FIELDS} | dict(changes)
            weights, _ = create_object(PriorityWeights, values, acting_user=acting_user)
            return weights
        weights, _ = update_object(current, changes, expected_version=expected_version, acting_user=acting_user)
    return weights


def remember_ranking(board) -> RankingSnapshot | None:
    """Keep the board's order when it differs from the last one kept, or when the weights
    changed: the history of rank changes. Not a history row itself (it *is* history, of a
    computed figure). Two processes ranking the same data keep it once (`stamp` is unique); a
    busy database only means it is kept on a later view — the page never fails for it."""
    ranks = board.ranks()
    weights = asdict(board.weights)
    last = RankingSnapshot.objects.order_by("-taken_at", "-id").first()
    order = [r["friction_point"] for r in ranks]
    if last is not None and [r["friction_point"] for r in last.ranks] == order and last.weights == weights:
        return None
    if last is None:
        cause = "first ranking"
    elif last.weights != weights:
        cause = "the weights changed"
    else:
        cause = "the data changed (feedback, targets, perspectives or friction points)"
    period = board.period.as_dict()
    digest = hashlib.sha1(json.dumps([order, weights, period], sort_keys=True).encode(),
                          usedforsecurity=False).hexdigest()
    stamp = f"after-{last.pk if last else 0}-{digest}"
    snapshot_row = RankingSnapshot(stamp=stamp, weights=weights, period=period, cause=cause, ranks=ranks)
    try:  # like the figure store: while an import holds the embedded store's lock, keep it next time
        with figures._brief_wait(), transaction.atomic():
            RankingSnapshot.objects.bulk_create([snapshot_row], ignore_conflicts=True)
    except DatabaseError:
        return None
    return snapshot_row


# --- co-creation ---
# The collaboration loop of DESIGN §8 (docs/initiatives.md "Co-creation", decision 0025):
# keepers set the challenge and run the process, each affected team answers for itself,
# options are shaped together, and the decision is the teams' consensus or the executive
# sponsor's tie-break. Every write is an audited core action; notices go out after commit.


def _notify_members(kind: str, team_ids, message: str, url: str, change, *, acting_user) -> None:
    """After commit: every member of these teams (but the one acting) gets a notice."""
    if change is None:
        return
    _members_event(kind, team_ids, message, url, actor_id=getattr(acting_user, "pk", None),
                   actor=_actor_name(acting_user), change_id=change.pk)


def _notify_user(kind: str, user_id, message: str, url: str, change, *, acting_user=None) -> None:
    if user_id is None or change is None:
        return
    emit(Event(kind, message[:500], url=url, recipient_ids=(user_id,), actor=_actor_name(acting_user),
               change_id=change.pk))


def _subject_words(subject) -> str:
    return (f"the planned change “{subject.title}” (live {subject.go_live:%d %b %Y})"
            if isinstance(subject, PlannedChange) else f"the friction point “{subject.title}”")


def _ask(row: AffectedTeam, subject, *, acting_user) -> AffectedTeam:
    """Mark the team asked now and tell its members."""
    row, change = update_object(row, {"asked_at": timezone.now()}, expected_version=None, acting_user=acting_user)
    _notify_members(PERSPECTIVE_ASKED, [row.team_id], f"Your team {row.team.name} is asked for its perspective on "
                                 f"{_subject_words(subject)}: {row.why or row.reason}.",
                  subject.get_absolute_url(), change, acting_user=acting_user)
    return row


def sync_affected_teams(subject, *, acting_user) -> list[AffectedTeam]:
    """Bring the affected teams in line with the map: a team the map now ties to the subject's
    steps is added and asked; one it no longer ties in (and that a keeper did not add) is
    removed with that reason. A keeper's removal stays. Returns the affected rows."""
    steps = queries.steps_of(subject)
    derived = queries.teams_from_map(steps, upstream=not isinstance(subject, PlannedChange))
    rows = {r.team_id: r for r in queries.affected_rows(subject, include_removed=True)}
    where = queries.subject_kwargs(subject)
    derived_ids = set()
    for team, why in derived:
        derived_ids.add(team.pk)
        row = rows.get(team.pk)
        if row is None:
            row, _ = create_object(AffectedTeam, {**where, "team": team, "origin": AffectedOrigin.MAP, "why": why},
                                   acting_user=acting_user)
            _ask(row, subject, acting_user=acting_user)
        elif row.why != why and row.origin == AffectedOrigin.MAP:
            update_object(row, {"why": why}, expected_version=None, acting_user=acting_user)
    for team_id, row in rows.items():
        if team_id not in derived_ids and row.origin == AffectedOrigin.MAP and not row.removed:
            update_object(row, {"removed": True, "reason": "No longer tied to these steps on the journey map."},
                          expected_version=None, acting_user=acting_user)
    return list(queries.affected_rows(subject))


def set_challenge(friction_point: FrictionPoint, *, owner_team=None, steps=None, expected_version,
                  acting_user) -> FrictionPoint:
    """The shared challenge: the team that carries it and the steps it concerns (several).
    The affected teams follow from the map; each new one is notified and asked."""
    require_run_process(acting_user, "set the challenge of a friction point")
    changes: dict = {"owner_team": owner_team}
    if steps is not None:
        changes["steps"] = list(steps)
    with transaction.atomic():
        friction_point, _ = update_object(friction_point, changes, expected_version=expected_version,
                                          acting_user=acting_user)
        sync_affected_teams(friction_point, acting_user=acting_user)
    return friction_point


def _reason(reason: str, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": f"Say why you {doing}: the reason is kept in the history."})
    return reason


def add_affected_team(subject, team, *, reason: str, acting_user) -> AffectedTeam:
    require_run_process(acting_user, "add an affected team")
    reason = _reason(reason, "add this team")
    with transaction.atomic():
        row = queries.affected_rows(subject, include_removed=True).filter(team=team).first()
        if row is not None and not row.removed:
            raise InvalidInput({"team": f"{team.name} is already an affected team."})
        if row is None:
            row, _ = create_object(AffectedTeam, {**queries.subject_kwargs(subject), "team": team,
                                                  "origin": AffectedOrigin.KEEPER, "reason": reason,
                                                  "why": "added by a keeper"}, acting_user=acting_user)
        else:
            row, _ = update_object(row, {"removed": False, "reason": reason}, expected_version=None,
                                   acting_user=acting_user)
        return _ask(row, subject, acting_user=acting_user)


def remove_affected_team(subject, team, *, reason: str, acting_user) -> AffectedTeam:
    require_run_process(acting_user, "remove an affected team")
    reason = _reason(reason, "remove this team")
    row = queries.affected_rows(subject).filter(team=team).first()
    if row is None:
        raise InvalidInput({"team": f"{team.name} is not an affected team."})
    row, _ = update_object(row, {"removed": True, "reason": reason}, expected_version=None, acting_user=acting_user)
    return row


def _clean_constraints(value) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise InvalidInput({"constraints": "Give constraints as a list of {kind, text}."})
    cleaned = []
    for i, item in enumerate(value, 1):
        kind = (item or {}).get("kind") if isinstance(item, dict) else None
        text = str((item or {}).get("text") or "").strip() if isinstance(item, dict) else ""
        if kind not in ConstraintKind.values:
            raise InvalidInput({"constraints": f"Constraint {i}: the kind must be one of "
                                               f"{', '.join(ConstraintKind.values)}."})
        if not text:
            raise InvalidInput({"constraints": f"Constraint {i}: say what the constraint is."})
        cleaned.append({"kind": kind, "text": text})
    return cleaned


def _clean_perspective(values: dict) -> dict:
    problems: dict[str, str] = {}
    stance = values.get("stance")
    if stance not in Stance.values:
        problems["stance"] = f"Choose a stance: {', '.join(Stance.labels)}."
    reason = str(values.get("reason") or "").strip()
    if stance in NEEDS_REASON and not reason:
        problems["reason"] = (f"Say why your team {'objects' if stance == Stance.OBJECT else 'has concerns'}: "
                              "a reason is required with concerns and objections.")
    importance = values.get("importance", Importance.MATTERS)
    if importance not in Importance.values:
        problems["importance"] = "How much it matters to the team: 1 (hardly) to 5 (critical)."
    effort = values.get("effort") or ""
    if effort not in Effort.values:
        problems["effort"] = f"The effort estimate must be one of: {', '.join(v for v in Effort.values if v)}."
    if problems:
        raise InvalidInput(problems)
    return {"stance": stance, "reason": reason, "importance": importance,
            "constraints": _clean_constraints(values.get("constraints")),
            "contribution": str(values.get("contribution") or "").strip(), "effort": effort}


def give_perspective(subject, team, values: dict, *, expected_version=None, acting_user) -> Perspective:
    """A team's perspective on a friction point or planned change: a new one, or a change of
    the team's earlier answer (then `expected_version` is the version it read)."""
    require_answer_for(acting_user, team)
    if not queries.affected_rows(subject).filter(team=team).exists():
        raise InvalidInput({"team": f"{team.name} is not an affected team of {_subject_words(subject)}; "
                                    "a keeper can add it, with a reason."})
    cleaned = _clean_perspective(values)
    cleaned["answered_by"] = acting_user if getattr(acting_user, "pk", None) else None
    existing = queries.perspective_of(subject, team)
    if existing is None:
        perspective, change = create_object(Perspective, {**queries.subject_kwargs(subject), "team": team, **cleaned},
                                            acting_user=acting_user)
    else:
        if expected_version is None:
            raise InvalidInput({"version": f"{team.name} has already answered (version {existing.version}); "
                                           "send that version to change the answer."})
        perspective, change = update_object(existing, cleaned, expected_version=expected_version,
                                            acting_user=acting_user)
    keepers = list(Person.objects.filter(role__in=("keeper", "admin")).values_list("user_id", flat=True))
    keepers = [uid for uid in keepers if uid != getattr(acting_user, "pk", None)]
    if keepers and change is not None:
        emit(Event(PERSPECTIVE_GIVEN, f"{team.name} gave its perspective on {_subject_words(subject)}: "
                                      f"{Stance(perspective.stance).label}."[:500],
                   url=subject.get_absolute_url(), recipient_ids=tuple(sorted(set(keepers))), team_ids=(team.pk,),
                   actor=_actor_name(acting_user), change_id=change.pk))
    return perspective


def remind_pending(*, acting_user, now=None) -> int:
    """Remind every affected team not heard from after the workspace's reminder days (what a
    scheduler runs: `cxkeeper perspectives remind`). Returns how many teams were reminded."""
    require_run_process(acting_user, "send reminders")
    due = queries.reminders_due(now=now)
    for row in due:
        subject = row.subject
        row, change = update_object(row, {"reminded_at": now or timezone.now()}, expected_version=None,
                                    acting_user=acting_user)
        _notify_members(PERSPECTIVE_REMINDER,
                        [row.team_id], f"Reminder: your team {row.team.name} has not yet given its perspective on "
                                     f"{_subject_words(subject)}.", subject.get_absolute_url(), change,
                      acting_user=acting_user)
    return len(due)


def propose_option(friction_point: FrictionPoint, values: dict, *, acting_user) -> Option:
    affected = {t.pk for t in queries.affected_teams(friction_point)}
    require_propose_option(acting_user, friction_point, affected)
    values = {k: v for k, v in values.items() if k in ("title", "description")}
    if _decided(friction_point):
        raise InvalidInput({"title": "This friction point is decided; options can no longer be added."})
    option, change = create_object(Option, {**values, "friction_point": friction_point,
                                            "proposed_by": acting_user if getattr(acting_user, "pk", None) else None},
                                   acting_user=acting_user)
    _notify_members(OPTION_PROPOSED,
                    affected, f"A new option for “{friction_point.title}”: “{option.title}”. Give your team's stance.",
                  friction_point.get_absolute_url(), change, acting_user=acting_user)
    return option


def _decided(friction_point) -> bool:
    return Decision.objects.filter(friction_point=friction_point, state=DecisionState.DECIDED).exists()


def take_option_stance(option: Option, team, values: dict, *, expected_version=None, acting_user) -> OptionStance:
    require_answer_for(acting_user, team, "take a stance on an option for")
    friction_point = option.friction_point
    if team.pk not in {t.pk for t in queries.affected_teams(friction_point)}:
        raise InvalidInput({"team": f"{team.name} is not an affected team of “{friction_point.title}”."})
    stance = values.get("stance")
    reason = str(values.get("reason") or "").strip()
    if stance not in OptionStanceValue.values:
        raise InvalidInput({"stance": f"Choose a stance: {', '.join(OptionStanceValue.values)}."})
    if stance in NEEDS_REASON and not reason:
        raise InvalidInput({"reason": "A reason is required with concerns and objections."})
    if _decided(friction_point):
        raise InvalidInput({"stance": "This friction point is decided; stances are closed."})
    answered_by = acting_user if getattr(acting_user, "pk", None) else None
    existing = OptionStance.objects.filter(option=option, team=team).first()
    if existing is None:
        result, _ = create_object(OptionStance, {"option": option, "team": team, "stance": stance, "reason": reason,
                                                 "answered_by": answered_by}, acting_user=acting_user)
    else:
        if expected_version is None:
            raise InvalidInput({"version": f"{team.name} already took a stance (version {existing.version}); send "
                                           "that version to change it."})
        result, _ = update_object(existing, {"stance": stance, "reason": reason, "answered_by": answered_by},
                                  expected_version=expected_version, acting_user=acting_user)
    return result


def _decision_values(rationale: str, review_on) -> dict:
    problems = {}
    if not (rationale or "").strip():
        problems["rationale"] = "Say why this option: the rationale is recorded with the decision."
    if review_on is None:
        problems["review_on"] = "Give a date to look at this decision again."
    if problems:
        raise InvalidInput(problems)
    return {"rationale": rationale.strip(), "review_on": review_on}


def _record_decision(friction_point, values: dict, *, acting_user):
    existing = Decision.objects.filter(friction_point=friction_point).first()
    if existing is None:
        return create_object(Decision, {"friction_point": friction_point, **values}, acting_user=acting_user)
    return update_object(existing, values, expected_version=None, acting_user=acting_user)


def decide_by_consensus(friction_point: FrictionPoint, option: Option, *, rationale: str, review_on,
                        acting_user) -> Decision:
    """A keeper records the option every affected team supports as the decision."""
    require_run_process(acting_user, "record a decision")
    if option.friction_point_id != friction_point.pk:
        raise InvalidInput({"option": "That option belongs to another friction point."})
    if _decided(friction_point):
        raise InvalidInput({"option": "This friction point is already decided."})
    view = next(v for v in queries.option_views(friction_point) if v.option.pk == option.pk)
    if not view.supported_by_all:
        missing = [t.name for t, s in view.stances if s is None or s.stance != "support"]
        raise InvalidInput({"option": f"“{option.title}” is not supported by every affected team "
                                      f"(not yet: {', '.join(missing) or 'no affected teams'}); escalate to the "
                                      "executive sponsor when the teams disagree."})
    values = {**_decision_values(rationale, review_on), "state": DecisionState.DECIDED, "option": option,
              "how": DecidedHow.CONSENSUS, "decided_at": timezone.now(),
              "decided_by": acting_user if getattr(acting_user, "pk", None) else None}
    with transaction.atomic():
        decision, change = _record_decision(friction_point, values, acting_user=acting_user)
    _notify_members(FRICTION_DECIDED, [t.pk for t in queries.affected_teams(friction_point)],
                  f"Decided by every affected team: “{option.title}” for “{friction_point.title}”.",
                  friction_point.get_absolute_url(), change, acting_user=acting_user)
    return decision


def escalate(friction_point: FrictionPoint, *, note: str, acting_user) -> Decision:
    """The teams disagree: a keeper hands the choice to the executive sponsor."""
    require_run_process(acting_user, "escalate to the executive sponsor")
    if _decided(friction_point):
        raise InvalidInput({"note": "This friction point is already decided."})
    views = queries.option_views(friction_point)
    if not views:
        raise InvalidInput({"note": "Put at least one option on the table before escalating."})
    agreed = [v.option.title for v in views if v.supported_by_all]
    if agreed:
        raise InvalidInput({"note": f"Every affected team supports “{agreed[0]}”: record it as the decision "
                                    "instead of escalating."})
    note = _reason(note, "escalate")
    values = {"state": DecisionState.ESCALATED, "escalation_note": note, "escalated_at": timezone.now(),
              "escalated_by": acting_user if getattr(acting_user, "pk", None) else None}
    with transaction.atomic():
        decision, change = _record_decision(friction_point, values, acting_user=acting_user)
    sponsor = Workspace.current().executive_sponsor_id
    _notify_user(FRICTION_ESCALATED,
                 sponsor, f"Escalated to you: the teams disagree on “{friction_point.title}”. {note}",
                 friction_point.get_absolute_url(), change, acting_user=acting_user)
    return decision


def sponsor_decide(friction_point: FrictionPoint, option: Option, *, rationale: str, review_on,
                   acting_user) -> Decision:
    """The executive sponsor chooses among the options of an escalated friction point."""
    require_executive_sponsor(acting_user, "decide an escalation")
    decision = Decision.objects.filter(friction_point=friction_point).first()
    if decision is None or decision.state != DecisionState.ESCALATED:
        raise InvalidInput({"option": "This friction point is not waiting for the executive sponsor."})
    if option.friction_point_id != friction_point.pk:
        raise InvalidInput({"option": "That option belongs to another friction point."})
    values = {**_decision_values(rationale, review_on), "state": DecisionState.DECIDED, "option": option,
              "how": DecidedHow.SPONSOR, "decided_at": timezone.now(),
              "decided_by": acting_user if getattr(acting_user, "pk", None) else None}
    decision, change = update_object(decision, values, expected_version=None, acting_user=acting_user)
    _notify_members(FRICTION_DECIDED, [t.pk for t in queries.affected_teams(friction_point)],
                  f"The executive sponsor chose “{option.title}” for “{friction_point.title}”.",
                  friction_point.get_absolute_url(), change, acting_user=acting_user)
    return decision


# ---------------------------------------------------------------- planned changes

PLANNED_EDITABLE = ("title", "description", "kind", "go_live", "steps", "team", "status")


def _check_planned(values: dict, acting_user) -> None:
    problems = {}
    if "steps" in values and not values.get("steps"):
        problems["steps"] = ("Name at least one step the change touches: the affected teams, customers and "
                             "measures are found from its steps.")
    if "go_live" in values and not values.get("go_live"):
        problems["go_live"] = "Give the go-live date: the day it reaches customers."
    team = values.get("team")
    if team is not None and acting_user is not SYSTEM and role_of(acting_user) == Role.MEMBER \
            and team.pk not in user_team_ids(acting_user):
        problems["team"] = f"You are not in {team.name}: declare the change for one of your own teams."
    if problems:
        raise InvalidInput(problems)


def declare_planned_change(values: dict, *, acting_user) -> PlannedChange:
    """Any team member declares a planned change; the teams on its steps and downstream are
    asked for their perspective before the go-live date."""
    require_declare_change(acting_user)
    values = {k: v for k, v in values.items() if k in PLANNED_EDITABLE and k != "status"}
    values.setdefault("steps", [])
    values.setdefault("go_live", None)
    _check_planned(values, acting_user)
    values["declared_by"] = acting_user if getattr(acting_user, "pk", None) else None
    with transaction.atomic():
        planned, _ = create_object(PlannedChange, values, acting_user=acting_user)
        sync_affected_teams(planned, acting_user=acting_user)
    return planned


def update_planned_change(planned: PlannedChange, changes: dict, *, expected_version, acting_user) -> PlannedChange:
    require_change_planned(acting_user, planned)
    unknown = sorted(set(changes) - set(PLANNED_EDITABLE))
    if unknown:
        raise InvalidInput({name: "This field cannot be changed." for name in unknown})
    if "status" in changes and changes["status"] not in PlannedStatus.values:
        raise InvalidInput({"status": f"“{changes['status']}” is not one of {', '.join(PlannedStatus.values)}."})
    _check_planned(changes, acting_user)
    with transaction.atomic():
        planned, _ = update_object(planned, changes, expected_version=expected_version, acting_user=acting_user)
        if "steps" in changes:
            sync_affected_teams(planned, acting_user=acting_user)
    return planned


# ---------------------------------------------------------------- removals of what co-creation refers to


def _delete_rows(rows, *, acting_user) -> int:
    rows = list(rows)
    for row in rows:
        delete_object(row, expected_version=None, acting_user=acting_user)
    return len(rows)


def delete_cocreation_of(friction_point: FrictionPoint, *, acting_user) -> None:
    """What a friction point's delete takes with it, each with a DELETE record (the deleting
    action's permission covers it)."""
    _delete_rows(Decision.objects.filter(friction_point=friction_point), acting_user=acting_user)
    _delete_rows(OptionStance.objects.filter(option__friction_point=friction_point), acting_user=acting_user)
    _delete_rows(Option.objects.filter(friction_point=friction_point), acting_user=acting_user)
    _delete_rows(Perspective.objects.filter(friction_point=friction_point), acting_user=acting_user)
    _delete_rows(AffectedTeam.objects.filter(friction_point=friction_point), acting_user=acting_user)


def forget_team(team, *, acting_user) -> int:
    """A team is being deleted (announced, `initiatives.removals`): its perspectives, stances
    and place among the affected teams are deleted (DELETE records keep what it said); friction
    points it owned and changes it planned lose it (UPDATE). Returns how many rows changed."""
    n = _delete_rows(OptionStance.objects.filter(team=team), acting_user=acting_user)
    n += _delete_rows(Perspective.objects.filter(team=team), acting_user=acting_user)
    n += _delete_rows(AffectedTeam.objects.filter(team=team), acting_user=acting_user)
    for fp in FrictionPoint.objects.filter(owner_team=team).order_by("pk"):
        update_object(fp, {"owner_team": None}, expected_version=None, acting_user=acting_user)
        n += 1
    for planned in PlannedChange.objects.filter(team=team).order_by("pk"):
        update_object(planned, {"team": None}, expected_version=None, acting_user=acting_user)
        n += 1
    return n


def forget_step(step: Step, *, acting_user) -> int:
    """A step is being deleted: friction points and planned changes that concern it lose it
    from their steps (an UPDATE each)."""
    n = 0
    for fp in FrictionPoint.objects.filter(steps=step).order_by("pk"):
        update_object(fp, {"steps": [s for s in fp.steps.values_list("pk", flat=True) if s != step.pk]},
                      expected_version=None, acting_user=acting_user)
        n += 1
    for planned in PlannedChange.objects.filter(steps=step).order_by("pk"):
        update_object(planned, {"steps": [s for s in planned.steps.values_list("pk", flat=True) if s != step.pk]},
                      expected_version=None, acting_user=acting_user)
        n += 1
    return n


# --- from decision to initiative ---


def plan_initiative_from_decision(friction_point: FrictionPoint, *, lead_team=None, acting_user) -> Initiative:
    """An initiative from a friction point's decided option (issue 11 item 6): the option's title
    and description, the decision's rationale, the friction point's steps; the lead is the
    given team or else the friction point's owner team; the affected teams that supported the
    option contribute and the other affected teams are consulted. Planned as "proposed", so the
    lead team can still shape it."""
    decision = queries.decision_of(friction_point)
    if decision is None or decision.state != DecisionState.DECIDED or decision.option_id is None:
        raise InvalidInput({"decision": "This friction point has no decided option yet: decide first, "
                                        "by consensus or by the executive sponsor."})
    lead = lead_team or friction_point.owner_team
    if lead is None:
        raise InvalidInput({"lead_team": "Choose the team that leads the initiative (the friction point has "
                                         "no owner team)."})
    option = decision.option
    supporters = set(OptionStance.objects.filter(option=option, stance=OptionStanceValue.SUPPORT)
                     .values_list("team_id", flat=True))
    teams = [{"team": lead, "role": TeamRole.LEAD}]
    for team in queries.affected_teams(friction_point):
        if team.pk != lead.pk:
            role = TeamRole.CONTRIBUTES if team.pk in supporters else TeamRole.CONSULTED
            teams.append({"team": team, "role": role})
    how = decision.get_how_display()
    description = "\n\n".join(part for part in (
        option.description,
        f"Decided {how} on {decision.decided_at:%d %b %Y}: {decision.rationale}" if decision.decided_at
        else f"Decided {how}: {decision.rationale}") if part)
    return plan_initiative({
        "title": option.title[:200], "description": description, "friction_point": friction_point,
        "teams": teams, "steps": queries.concerned_steps(friction_point),
    }, acting_user=acting_user)
