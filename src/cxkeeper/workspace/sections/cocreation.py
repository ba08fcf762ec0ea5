"""Co-creation in the workspace file (docs/initiatives.md "Co-creation"): for each friction
point with a shared challenge, its owner team, steps, affected teams, every team's perspective,
the options with each team's stance and the decision; the planned changes with theirs; and the
initiatives (`sections/initiatives.py`: checked against the file's teams, steps and metrics).

The section is **written for review** — a keeper keeps the file in git and sees in a diff who
changed their stance — and **read, never applied**: perspectives belong to the teams that give
them (each answered by a member of that team, on the pages, the API or the CLI), so an apply
checks the section against the schema and leaves co-creation as it is. So it is written only
when asked (`cxkeeper workspace export --with-cocreation`) — the default file stays round-trip
exact — and a workspace with no co-creation writes no section.

Identity: friction points and planned changes by title (and id, for two of the same title),
teams by name, steps as "journey › step", people by username.
"""

from __future__ import annotations

from cxkeeper.initiatives import queries
from cxkeeper.initiatives.choices import (
    AffectedOrigin,
    ChangeKind,
    ConstraintKind,
    DecidedHow,
    DecisionState,
    Effort,
    Importance,
    OptionStanceValue,
    PlannedStatus,
    Stance,
)
from cxkeeper.initiatives.models import AffectedTeam, FrictionPoint, PlannedChange
from cxkeeper.workspace.schema_types import SchemaPart, array, choice, obj
from cxkeeper.workspace.sections.initiatives import initiative_schema, initiatives_data
from cxkeeper.workspace.writing import by_name, compact

STRING = {"type": ["string", "null"]}


def _step(step) -> str:
    return f"{step.stage.journey.name} › {step.name}"


def schema() -> SchemaPart:
    team = {"type": "string", "minLength": 1, "description": "A team, by name."}
    steps = array({"type": "string", "description": "“journey › step”"}, "The steps it concerns.")
    constraint = obj({"kind": choice(ConstraintKind, "The kind of constraint"), "text": {"type": "string"}},
                     ["kind", "text"], "A constraint of the team.")
    return SchemaPart(
        properties={"cocreation": obj({
            "friction_points": array({"$ref": "#/$defs/cocreation_friction_point"},
                                     "Friction points with a shared challenge."),
            "planned_changes": array({"$ref": "#/$defs/planned_change"}, "Planned changes (CX impact review)."),
            "initiatives": array({"$ref": "#/$defs/initiative"},
                                 "Initiatives: teams with their role, steps, metrics, milestones, dependencies, "
                                 "status and ship date (checked, never applied)."),
        }, [], "Co-creation, written for review and never applied: perspectives are given by the teams "
               "on the pages, the API or the CLI; an apply leaves them as they are.")},
        defs={
            "initiative": initiative_schema(),
            "affected_team": obj({
                "team": team, "why": STRING,
                "origin": choice(AffectedOrigin, "Where it comes from"),
                "removed": {"type": ["boolean", "null"], "description": "Removed by a keeper (with the reason)."},
                "reason": STRING,
            }, ["team"], "A team the friction point or planned change affects."),
            "perspective": obj({
                "team": team, "stance": choice(Stance, "The team's stance"), "reason": STRING,
                "importance": {"enum": list(Importance.values), "description": "1 (hardly) to 5 (critical)."},
                "constraints": array(constraint, "Its constraints."),
                "contribution": STRING, "effort": {"enum": [v for v in Effort.values if v],
                                                   "description": "Its effort estimate."},
                "answered_by": STRING,
            }, ["team", "stance"], "One team's perspective."),
            "option": obj({
                "title": {"type": "string"}, "description": STRING,
                "stances": array(obj({"team": team, "stance": choice(OptionStanceValue, "Its stance"),
                                      "reason": STRING}, ["team", "stance"], "A team's stance on the option."),
                                 "Every team's stance on it."),
            }, ["title"], "An option."),
            "cocreation_friction_point": obj({
                "id": {"type": "integer"}, "title": {"type": "string"}, "owner_team": STRING, "steps": steps,
                "affected_teams": array({"$ref": "#/$defs/affected_team"}, "Who is asked."),
                "perspectives": array({"$ref": "#/$defs/perspective"}, "What each team said."),
                "options": array({"$ref": "#/$defs/option"}, "The options."),
                "decision": obj({
                    "state": choice(DecisionState, "Where it stands"), "option": STRING,
                    "how": {"enum": list(DecidedHow.values), "description": "consensus or sponsor"},
                    "rationale": STRING, "review_on": STRING, "decided_by": STRING, "escalation_note": STRING,
                }, ["state"], "The decision, or the escalation waiting for the executive sponsor."),
            }, ["id", "title"], "A friction point's co-creation."),
            "planned_change": obj({
                "id": {"type": "integer"}, "title": {"type": "string"}, "kind": choice(ChangeKind, "The kind"),
                "go_live": {"type": "string", "description": "YYYY-MM-DD"},
                "status": choice(PlannedStatus, "Its status"), "team": STRING, "description": STRING,
                "steps": steps,
                "affected_teams": array({"$ref": "#/$defs/affected_team"}, "Who is asked."),
                "perspectives": array({"$ref": "#/$defs/perspective"}, "What each team said."),
            }, ["id", "title", "go_live"], "A planned change."),
        },
    )


def _affected(subject) -> list[dict]:
    rows = sorted(AffectedTeam.objects.filter(**queries.subject_kwargs(subject)).select_related("team"),
                  key=lambda r: by_name(r.team.name))
    return [compact({"team": r.team.name, "why": r.why, "origin": r.origin, "removed": r.removed or None,
                     "reason": r.reason}) for r in rows]


def _perspectives(subject) -> list[dict]:
    return [compact({"team": p.team.name, "stance": p.stance, "reason": p.reason, "importance": p.importance,
                     "constraints": [dict(c) for c in p.constraints], "contribution": p.contribution,
                     "effort": p.effort, "answered_by": p.answered_by.get_username() if p.answered_by_id else None})
            for p in sorted(queries.perspectives_of(subject), key=lambda p: by_name(p.team.name))]


def _friction_point(fp: FrictionPoint) -> dict:
    options = [compact({"title": view.option.title, "description": view.option.description,
                        "stances": [compact({"team": t.name, "stance": s.stance, "reason": s.reason})
                                    for t, s in view.stances if s is not None]})
               for view in queries.option_views(fp)]
    d = queries.decision_of(fp)
    decision = None if d is None else compact({
        "state": d.state, "option": d.option.title if d.option_id else None, "how": d.how, "rationale": d.rationale,
        "review_on": d.review_on.isoformat() if d.review_on else None,
        "decided_by": d.decided_by.get_username() if d.decided_by_id else None,
        "escalation_note": d.escalation_note})
    return compact({"id": fp.pk, "title": fp.title, "owner_team": fp.owner_team.name if fp.owner_team_id else None,
                    "steps": [_step(s) for s in fp.steps.select_related("stage__journey").order_by("pk")],
                    "affected_teams": _affected(fp), "perspectives": _perspectives(fp), "options": options,
                    "decision": decision})


def _planned(pc: PlannedChange) -> dict:
    return compact({"id": pc.pk, "title": pc.title, "kind": pc.kind, "go_live": pc.go_live.isoformat(),
                    "status": pc.status, "team": pc.team.name if pc.team_id else None,
                    "description": pc.description,
                    "steps": [_step(s) for s in pc.steps.select_related("stage__journey").order_by("pk")],
                    "affected_teams": _affected(pc), "perspectives": _perspectives(pc)})


def cocreation_data() -> dict:
    """{"cocreation": …} when the workspace has any co-creation, else {} (no section)."""
    points = FrictionPoint.objects.filter(pk__in=AffectedTeam.objects.filter(
        friction_point__isnull=False).values("friction_point_id"))
    points = sorted(points.select_related("owner_team"), key=lambda fp: (by_name(fp.title), fp.pk))
    changes = sorted(PlannedChange.objects.select_related("team"), key=lambda pc: (pc.go_live, by_name(pc.title),
                                                                                   pc.pk))
    section = compact({"friction_points": [_friction_point(fp) for fp in points],
                       "planned_changes": [_planned(pc) for pc in changes], "initiatives": initiatives_data()})
    return {"cocreation": section} if section else {}
