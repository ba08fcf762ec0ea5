"""The outcomes model's part of the file, the `outcomes` section: metric definitions, shared outcomes with their
targets and success statements, and team KPIs with their values and links.

    schema() -> SchemaPart           its part of the published schema
    outcomes_data() -> dict          the section as plain data, in the file's shape and order
    build_outcomes(data) -> spec     the section read leniently (wrong types fall back)
    check_outcomes(doc) -> errors    cross-references: metric keys, places, teams, target keys …

Identity (what is the "same" object on apply):

    metric definition   its key
    shared outcome      its name
    target              (outcome, metric, scope, place, due): the place is the journey, stage
                        or step named by `journey`/`stage`/`step`, as a handoff's mapping does
    success statement   its customer goal within its outcome
    team KPI            (team, name)
    KPI link            (KPI, outcome)

A target's `key` is a label local to the file, for success statements to refer to it; export
writes one for every target, made from its identity (`ces-log-in-to-the-app-2027-06-30`).

The section is optional: a file without it leaves the workspace's outcomes as they are (see
`outcomes_apply.py`). When it is present it is the whole truth, like the other sections,
and all three lists are required (empty when there is nothing).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.outcomes.choices import Direction, KpiSource, LinkKind, Scope
from cxkeeper.outcomes.models import (
    BASE_METRICS,
    KpiLink,
    MetricDefinition,
    SharedOutcome,
    SuccessStatement,
    Target,
    TeamKpi,
)
from cxkeeper.workspace import lenient
from cxkeeper.workspace.checks import listed
from cxkeeper.workspace.schema_types import SchemaPart, array, choice, length, name, obj, text
from cxkeeper.workspace.writing import by_name, compact
from cxkeeper.workspace.yaml_io import Path, WorkspaceFileError

SCOPE_PARTS = {Scope.ORGANIZATION: (), Scope.JOURNEY: ("journey",), Scope.STAGE: ("journey", "stage"),
               Scope.STEP: ("journey", "stage", "step")}
SCOPE_ORDER = {scope: index for index, scope in enumerate(SCOPE_PARTS)}

# ---------------------------------------------------------------- the section


@dataclass
class MetricSpec:
    path: Path
    key: str
    name: str
    base: str
    channel: str
    segment: str
    direction: str  # "" when left out: the base metric's direction
    description: str


@dataclass
class TargetSpec:
    path: Path
    outcome: str
    key: str | None
    metric: str
    scope: str
    journey: str | None
    stage: str | None
    step: str | None
    value: float | None
    due: dt.date | None
    baseline: float | None
    baseline_date: dt.date | None
    window_days: int
    note: str

    @property
    def place(self) -> tuple[str | None, str | None, str | None]:
        parts = SCOPE_PARTS.get(self.scope, ())
        return tuple(getattr(self, part) if part in parts else None for part in ("journey", "stage", "step"))

    @property
    def identity(self) -> tuple:
        return (self.outcome, self.metric, self.scope, self.place, self.due)


@dataclass
class StatementSpec:
    path: Path
    outcome: str
    customer_goal: str
    business_outcome: str
    target: str | None  # a target key


@dataclass
class OutcomeSpec:
    path: Path
    name: str
    description: str
    metrics: list[tuple[Path, str]] = field(default_factory=list)
    targets: list[TargetSpec] = field(default_factory=list)
    statements: list[StatementSpec] = field(default_factory=list)


@dataclass
class LinkSpec:
    path: Path
    outcome: str
    kind: str
    note: str


@dataclass
class KpiSpec:
    path: Path
    team: str
    name: str
    unit: str
    direction: str
    source: str
    metric: str | None
    description: str
    values: list[tuple[Path, dt.date | None, float | None]] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)

    @property
    def identity(self) -> tuple[str, str]:
        return (self.team, self.name)


@dataclass
class OutcomesSpec:
    path: Path
    metrics: list[MetricSpec]
    outcomes: list[OutcomeSpec]
    kpis: list[KpiSpec]

    @property
    def targets(self) -> list[TargetSpec]:
        return [target for outcome in self.outcomes for target in outcome.targets]

    @property
    def statements(self) -> list[StatementSpec]:
        return [statement for outcome in self.outcomes for statement in outcome.statements]


# ---------------------------------------------------------------- schema


def schema() -> SchemaPart:
    date = {"type": "string", "pattern": lenient.DATE_PATTERN, "format": "date"}
    metric_key = {"type": "string", "minLength": 1, **length(MetricDefinition, "key"),
                  "description": "The key of a metric definition listed in outcomes.metrics."}
    base_metrics = "; ".join(f"{key} = {label} ({scale})" for key, (label, _, _, scale) in BASE_METRICS.items())
    return SchemaPart(
        properties={
            "outcomes": obj({
                "metrics": array({"$ref": "#/$defs/metric"}, "Every metric definition, the standard ones "
                                 "included; definitions not listed are deleted.", nullable=False),
                "shared_outcomes": array({"$ref": "#/$defs/shared_outcome"}, "Shared outcomes in order; "
                                         "outcomes not listed are deleted.", nullable=False),
                "team_kpis": array({"$ref": "#/$defs/team_kpi"}, "Every team's KPIs; KPIs not listed are "
                                   "deleted.", nullable=False),
            }, ["metrics", "shared_outcomes", "team_kpis"], "The outcomes model. Optional: when the file has "
               "no outcomes section, applying it leaves the workspace's outcomes as they are (except targets "
               "and KPIs whose journey, stage, step or team the file deletes)."),
        },
        defs={
            "metric": obj({
                "key": {"type": "string", "minLength": 1, "pattern": "^[-a-zA-Z0-9_]+$",
                        **length(MetricDefinition, "key"),
                        "description": "Short stable name (e.g. ces, nps-business); also its identity in this "
                                       "file."},
                "name": {"type": "string", "minLength": 1, **length(MetricDefinition, "name"),
                         "description": "The name shown on pages."},
                "base": {"enum": list(BASE_METRICS), "description": "The insight-engine metric it is computed "
                                                                    f"from ({base_metrics})."},
                "channel": text(MetricDefinition, "channel", "Only feedback from this channel."),
                "segment": text(MetricDefinition, "segment", "Only feedback from this segment."),
                "direction": choice(Direction, "Which way is better; omitted: the base metric's"),
                "description": text(MetricDefinition, "description", "What it measures."),
            }, ["key", "name", "base"], "A metric definition: an insight-engine metric, optionally filtered."),
            "shared_outcome": obj({
                "name": name(SharedOutcome),
                "description": text(SharedOutcome, "description", "What the teams agree to improve."),
                "metrics": array(metric_key, "The keys of the metrics that measure it."),
                "targets": array({"$ref": "#/$defs/target"}, "What its metrics should reach, where, by when."),
                "statements": array({"$ref": "#/$defs/success_statement"}, "Success statements in order."),
            }, ["name"], "A shared outcome, measured by metrics, with targets and success statements."),
            "target": obj({
                "key": {"type": ["string", "null"], "minLength": 1, "maxLength": 200,
                        "description": "A label for success statements to refer to this target; unique in the "
                                       "file, not stored (export writes metric-place-due)."},
                "metric": metric_key,
                "scope": choice(Scope, "Where the metric is measured"),
                "journey": {"type": ["string", "null"], "minLength": 1, **length(Journey, "name"),
                            "description": "For journey, stage and step scope: a journey's name in this file."},
                "stage": {"type": ["string", "null"], "minLength": 1, **length(Stage, "name"),
                          "description": "For stage and step scope: a stage's name in that journey."},
                "step": {"type": ["string", "null"], "minLength": 1, **length(Step, "name"),
                         "description": "For step scope: a step's name in that stage."},
                "value": {"type": "number", "description": "The value to reach (at least, or at most, by the "
                                                           "metric's direction)."},
                "due": date | {"description": "The date by which the value should be reached (YYYY-MM-DD)."},
                "baseline": {"type": ["number", "null"],
                             "description": "Where the metric stood when the target was set."},
                "baseline_date": {**date, "type": ["string", "null"], "description": "When (YYYY-MM-DD)."},
                "window_days": {"type": ["integer", "null"], "minimum": 1,
                                "description": "The current value is measured over this many days (default 90)."},
                "note": text(Target, "note", "Why this target."),
            }, ["metric", "scope", "value", "due"], "A target. Identified by its outcome, metric, place and due "
               "date."),
            "success_statement": obj({
                "customer_goal": {"type": "string", "minLength": 1, **length(SuccessStatement, "customer_goal"),
                                  "description": "What customers achieve, in their words; its identity in "
                                                 "its outcome."},
                "business_outcome": {"type": "string", "minLength": 1,
                                     **length(SuccessStatement, "business_outcome"),
                                     "description": "What it does for the organization."},
                "target": {"type": ["string", "null"], "minLength": 1,
                           "description": "The key of a target in this file."},
            }, ["customer_goal", "business_outcome"], "Customer goal → business outcome → target."),
            "team_kpi": obj({
                "team": {"type": "string", "minLength": 1, "description": "The name of a team in this file."},
                "name": {"type": "string", "minLength": 1, **length(TeamKpi, "name"),
                         "description": "The KPI's name; with its team, its identity in this file."},
                "unit": {"type": "string", "minLength": 1, **length(TeamKpi, "unit"),
                         "description": "e.g. minutes, %, € per contact."},
                "direction": choice(Direction, "Which way is better"),
                "source": choice(KpiSource, "Where its values come from (default manual)"),
                "metric": metric_key | {"type": ["string", "null"],
                                        "description": "For source metric: the key of the metric it is taken "
                                                       "from."},
                "description": text(TeamKpi, "description", "What it measures."),
                "values": {"type": ["object", "null"], "propertyNames": {"pattern": date["pattern"]},
                           "additionalProperties": {"type": "number"},
                           "description": "Values by the first day of their period (YYYY-MM-DD: value); none for "
                                          "a KPI taken from a metric."},
                "links": array({"$ref": "#/$defs/kpi_link"}, "Shared outcomes the KPI supports or is in tension "
                                                             "with."),
            }, ["team", "name", "unit", "direction"], "A team's KPI with its values."),
            "kpi_link": obj({
                "outcome": {"type": "string", "minLength": 1, **length(SharedOutcome, "name"),
                            "description": "The name of a shared outcome in this file."},
                "kind": choice(LinkKind, "Supports or in tension with (default supports)"),
                "note": text(KpiLink, "note", "Why."),
            }, ["outcome"], "A KPI's link to a shared outcome."),
        },
    )


# ---------------------------------------------------------------- labels (diff lines, keys)


def place_text(place: tuple[str | None, str | None, str | None]) -> str:
    parts = [part for part in place if part is not None]
    return " / ".join(parts) if parts else "organization"


def target_label(metric: str, place, due: dt.date | None) -> str:
    return f"{metric} @ {place_text(place)} by {due.isoformat() if due else '?'}"


def target_key(metric: str, place, due: dt.date) -> str:
    """The key export writes: readable, made from the target's identity."""
    names = [part for part in place if part is not None]
    where = slugify(names[-1], allow_unicode=True) if names else "organization"
    return "-".join(part for part in (slugify(metric, allow_unicode=True) or "metric", where, due.isoformat())
                    if part)


# ---------------------------------------------------------------- export


def db_target_place(target) -> tuple[str | None, str | None, str | None]:
    """(journey, stage, step) names of a stored target's place, as far as its scope goes."""
    if target.scope == Scope.STEP and target.step_id:
        step = target.step
        return (step.stage.journey.name, step.stage.name, step.name)
    if target.scope == Scope.STAGE and target.stage_id:
        return (target.stage.journey.name, target.stage.name, None)
    if target.scope == Scope.JOURNEY and target.journey_id:
        return (target.journey.name, None, None)
    return (None, None, None)


def db_target_identity(target) -> tuple:
    return (target.outcome.name, target.metric.key, target.scope, db_target_place(target), target.due)


def _target_order(target) -> tuple:
    place = db_target_place(target)
    return (target.due, target.metric.key, SCOPE_ORDER.get(target.scope, 9),
            tuple(by_name(part or "") for part in place), target.value, target.pk)


def stored_targets():
    return Target.objects.select_related("outcome", "metric", "journey", "stage__journey",
                                         "step__stage__journey")


def outcomes_data() -> dict:
    """The outcomes section in the file's order: metrics by key; outcomes in their order, each
    with its targets (by due date, metric, place) and statements (in order); KPIs by team and
    name, values by period, links by outcome name."""
    outcomes = sorted(SharedOutcome.objects.prefetch_related("metrics"),
                      key=lambda o: (o.position, *by_name(o.name), o.pk))
    targets_of: dict[int, list] = {}
    for target in sorted(stored_targets(), key=_target_order):
        targets_of.setdefault(target.outcome_id, []).append(target)
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for outcome in outcomes:
        for target in targets_of.get(outcome.pk, []):
            base = target_key(target.metric.key, db_target_place(target), target.due)
            key, n = base, 2
            while key in taken:
                key, n = f"{base}-{n}", n + 1
            keys[target.pk] = key
            taken.add(key)
    statements_of: dict[int, list] = {}
    for statement in SuccessStatement.objects.order_by("position", "pk"):
        statements_of.setdefault(statement.outcome_id, []).append(statement)

    def target_data(target) -> dict:
        journey, stage, step = db_target_place(target)
        return compact({
            "key": keys[target.pk], "metric": target.metric.key, "scope": target.scope,
            "journey": journey, "stage": stage, "step": step, "value": target.value,
            "due": target.due.isoformat(), "baseline": target.baseline,
            "baseline_date": target.baseline_date.isoformat() if target.baseline_date else None,
            "window_days": target.window_days, "note": target.note,
        })

    kpis = sorted(TeamKpi.objects.select_related("team", "metric").prefetch_related("values", "links__outcome"),
                  key=lambda k: (*by_name(k.team.name), *by_name(k.name)))
    return {
        "metrics": [
            compact({"key": m.key, "name": m.name, "base": m.base, "channel": m.channel,
                      "segment": m.segment, "direction": m.direction, "description": m.description})
            for m in sorted(MetricDefinition.objects.all(), key=lambda m: m.key)
        ],
        "shared_outcomes": [
            compact({
                "name": o.name, "description": o.description,
                "metrics": sorted(m.key for m in o.metrics.all()),
                "targets": [target_data(t) for t in targets_of.get(o.pk, [])],
                "statements": [
                    compact({"customer_goal": s.customer_goal, "business_outcome": s.business_outcome,
                              "target": keys.get(s.target_id)})
                    for s in statements_of.get(o.pk, [])
                ],
            })
            for o in outcomes
        ],
        "team_kpis": [
            compact({
                "team": k.team.name, "name": k.name, "unit": k.unit, "direction": k.direction,
                "source": k.source, "metric": k.metric.key if k.metric_id else None,
                "description": k.description,
                # A KPI taken from a metric has no values of its own: they come from feedback.
                "values": {} if k.source == KpiSource.METRIC else
                          {v.period.isoformat(): v.value for v in sorted(k.values.all(), key=lambda v: v.period)},
                "links": [compact({"outcome": link.outcome.name, "kind": link.kind, "note": link.note})
                          for link in sorted(k.links.all(), key=lambda link: by_name(link.outcome.name))],
            })
            for k in kpis
        ],
    }


# ---------------------------------------------------------------- reading (lenient)


def build_outcomes(data: dict) -> OutcomesSpec | None:
    """The `outcomes` section, or None when the file has none (the workspace's outcomes stay)."""
    if "outcomes" not in data:
        return None
    section = data.get("outcomes") if isinstance(data.get("outcomes"), dict) else {}
    root: Path = ("outcomes",)
    metrics = [
        MetricSpec(path, lenient.name(item, "key"), lenient.name(item), lenient.choice(item, "base", BASE_METRICS, ""),
                   lenient.text(item, "channel"), lenient.text(item, "segment"),
                   lenient.choice(item, "direction", Direction.values, ""), lenient.text(item, "description"))
        for path, item in lenient.items(section, "metrics", root)
    ]
    outcomes = []
    for opath, oitem in lenient.items(section, "shared_outcomes", root):
        outcome = OutcomeSpec(opath, lenient.name(oitem), lenient.text(oitem, "description"))
        keys = oitem.get("metrics") if isinstance(oitem.get("metrics"), list) else []
        outcome.metrics = [(opath + ("metrics", i), key.strip()) for i, key in enumerate(keys)
                           if isinstance(key, str)]
        for tpath, titem in lenient.items(oitem, "targets", opath):
            window = lenient.value(titem, "window_days", int, 90)
            outcome.targets.append(TargetSpec(
                tpath, outcome.name, lenient.name(titem, "key") or None, lenient.name(titem, "metric"),
                lenient.choice(titem, "scope", Scope.values, Scope.ORGANIZATION),
                lenient.name(titem, "journey") or None, lenient.name(titem, "stage") or None,
                lenient.name(titem, "step") or None,
                lenient.number(titem, "value"), lenient.date(titem, "due"), lenient.number(titem, "baseline"),
                lenient.date(titem, "baseline_date"), window if window >= 1 else 90, lenient.text(titem, "note")))
        outcome.statements = [
            StatementSpec(spath, outcome.name, lenient.name(sitem, "customer_goal"),
                          lenient.name(sitem, "business_outcome"), lenient.name(sitem, "target") or None)
            for spath, sitem in lenient.items(oitem, "statements", opath)
        ]
        outcomes.append(outcome)
    kpis = []
    for kpath, kitem in lenient.items(section, "team_kpis", root):
        kpi = KpiSpec(kpath, lenient.name(kitem, "team"), lenient.name(kitem), lenient.name(kitem, "unit"),
                      lenient.choice(kitem, "direction", Direction.values, Direction.UP),
                      lenient.choice(kitem, "source", KpiSource.values, KpiSource.MANUAL),
                      lenient.name(kitem, "metric") or None, lenient.text(kitem, "description"))
        values = kitem.get("values") if isinstance(kitem.get("values"), dict) else {}
        kpi.values = [(kpath + ("values", str(period)), lenient.parse_date(str(period))[0],
                       float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None)
                      for period, value in values.items()]
        kpi.links = [LinkSpec(lpath, lenient.name(litem, "outcome"), lenient.choice(litem, "kind", LinkKind.values,
                                                                     LinkKind.SUPPORTS), lenient.text(litem, "note"))
                     for lpath, litem in lenient.items(kitem, "links", kpath)]
        kpis.append(kpi)
    return OutcomesSpec(root, metrics, outcomes, kpis)


# ---------------------------------------------------------------- cross-reference checks


def check_outcomes(doc, raw: dict) -> list[WorkspaceFileError]:
    """Every problem of the outcomes section that the schema cannot see. `raw` is the file's data."""
    spec: OutcomesSpec | None = doc.outcomes
    if spec is None:
        return []
    errors: list[WorkspaceFileError] = []

    def error(path: Path, message: str) -> None:
        errors.append(doc.error(path, message))

    def unique(items, key, what, where=""):
        first: dict[object, Path] = {}
        for item in items:
            value = key(item)
            if not value:
                continue
            if value in first:
                error(item.path, f"duplicate {what} {value!r}{where} (first at line {doc.lines.line(first[value])})")
            else:
                first[value] = item.path

    def not_blank(item, name):
        if not getattr(item, name) and isinstance(_raw(item.path + (name,)), str):
            error(item.path + (name,), f"the {name.replace('_', ' ')} is empty")

    def _raw(path: Path):
        value = raw
        for part in path:
            inside_dict = isinstance(value, dict) and part in value
            if inside_dict or (isinstance(value, list) and isinstance(part, int) and part < len(value)):
                value = value[part]
            else:
                return None
        return value

    def check_date(path: Path, required: bool) -> None:
        value = _raw(path)
        if value is None and not required:
            return
        _, problem = lenient.parse_date(value)
        if problem and isinstance(value, str):  # other types: the schema says so already
            error(path, problem)

    def check_number(path: Path, value: float | None) -> None:
        if value is not None and not math.isfinite(value):
            error(path, f"{_raw(path)!r} is not a finite number")

    # metric definitions
    for metric in spec.metrics:
        not_blank(metric, "key")
        not_blank(metric, "name")
        if metric.base and BASE_METRICS[metric.base][2] is None and not metric.direction:
            error(metric.path + ("direction",), f"metric {metric.key!r} is based on {metric.base!r}, which has "
                                                "no better direction: say up or down")
    unique(spec.metrics, lambda m: m.key, "metric key")
    metric_keys = {m.key for m in spec.metrics if m.key}

    def known_metric(key: str | None, path: Path) -> None:
        if key and key not in metric_keys:
            error(path, f"unknown metric {key!r}; metrics in this file: {listed(metric_keys)}")

    # shared outcomes, their targets and statements
    for outcome in spec.outcomes:
        not_blank(outcome, "name")
    unique(spec.outcomes, lambda o: o.name, "shared outcome name")
    journeys = {j.name: j for j in doc.journeys}
    for outcome in spec.outcomes:
        seen: dict[str, Path] = {}
        for path, key in outcome.metrics:
            known_metric(key, path)
            if key in seen:
                error(path, f"metric {key!r} is listed twice for {outcome.name!r} (first at line "
                            f"{doc.lines.line(seen[key])})")
            seen.setdefault(key, path)
        for target in outcome.targets:
            known_metric(target.metric, target.path + ("metric",))
            if _raw(target.path + ("scope",)) in Scope.values:  # else the schema has said so
                _check_place(target, journeys, error)
            check_date(target.path + ("due",), required=True)
            check_date(target.path + ("baseline_date",), required=False)
            check_number(target.path + ("value",), target.value)
            check_number(target.path + ("baseline",), target.baseline)
        for statement in outcome.statements:
            not_blank(statement, "customer_goal")
            not_blank(statement, "business_outcome")
        unique(outcome.statements, lambda s: s.customer_goal, "success statement", f" in {outcome.name!r}")
    targets = spec.targets
    unique(targets, lambda t: t.key, "target key")
    first_identity: dict[tuple, Path] = {}
    for target in targets:
        if target.due is None or not target.metric:
            continue
        if target.identity in first_identity:
            error(target.path, "this target is listed twice: same outcome, metric, place and due date as "
                               f"line {doc.lines.line(first_identity[target.identity])}")
        first_identity.setdefault(target.identity, target.path)
    target_keys = {t.key for t in targets if t.key}
    for statement in spec.statements:
        if statement.target and statement.target not in target_keys:
            error(statement.path + ("target",), f"unknown target {statement.target!r}; target keys in this "
                                                f"file: {listed(target_keys)}")

    # team KPIs
    team_names = {t.name for t in doc.teams}
    outcome_names = {o.name for o in spec.outcomes if o.name}
    for kpi in spec.kpis:
        not_blank(kpi, "name")
        not_blank(kpi, "unit")
        if kpi.team and kpi.team not in team_names:
            error(kpi.path + ("team",), f"unknown team {kpi.team!r}; teams in this file: {listed(team_names)}")
        known_metric(kpi.metric, kpi.path + ("metric",))
        if kpi.source == KpiSource.METRIC and not kpi.metric:
            error(kpi.path + ("metric",), f"KPI {kpi.name!r} is taken from a cxkeeper metric (source: metric): "
                                          "name the metric's key")
        if kpi.source != KpiSource.METRIC and kpi.metric:
            error(kpi.path + ("metric",), f"only a KPI taken from a cxkeeper metric (source: metric) names a "
                                          f"metric; {kpi.name!r} is {kpi.source}")
        if kpi.source == KpiSource.METRIC and kpi.values:
            error(kpi.path + ("values",), f"KPI {kpi.name!r} is taken from a cxkeeper metric: its values come "
                                          "from feedback, so it has no values here")
        raw_values = _raw(kpi.path + ("values",))
        raw_periods = list(raw_values) if isinstance(raw_values, dict) else []
        for (path, _period, value), raw_period in zip(kpi.values, raw_periods, strict=True):
            _, problem = lenient.parse_date(raw_period)
            # A text of another shape the schema has refused already; a number (20260101) it cannot see.
            if problem and (not isinstance(raw_period, str) or re.match(lenient.DATE_PATTERN, raw_period)):
                error(path, problem)
            check_number(path, value)
        seen_links: dict[str, Path] = {}
        for link in kpi.links:
            if link.outcome and link.outcome not in outcome_names:
                error(link.path + ("outcome",), f"unknown shared outcome {link.outcome!r}; shared outcomes in "
                                                f"this file: {listed(outcome_names)}")
            if link.outcome in seen_links:
                error(link.path + ("outcome",), f"KPI {kpi.name!r} is linked to {link.outcome!r} twice (first at "
                                                f"line {doc.lines.line(seen_links[link.outcome])}); one link "
                                                "per outcome")
            seen_links.setdefault(link.outcome, link.path)
    unique(spec.kpis, lambda k: k.identity if k.team and k.name else None, "KPI (team, name)")
    return errors


def _check_place(target: TargetSpec, journeys: dict, error) -> None:
    """The scope and the journey/stage/step named for it agree, and those exist in the file."""
    wanted = SCOPE_PARTS[target.scope]
    given = [part for part in ("journey", "stage", "step") if getattr(target, part)]
    missing = [part for part in wanted if part not in given]
    if missing:
        needs = ", ".join(wanted[:-1]) + (" and " if len(wanted) > 1 else "") + wanted[-1]
        error(target.path + (missing[0],), f"a {target.scope}-scoped target names its {target.scope}: "
                                           f"give {needs} ({', '.join(missing)} missing)")
        return
    extra = [part for part in given if part not in wanted]
    if extra:
        error(target.path + (extra[0],), f"a target with scope {target.scope} names no {extra[0]}; "
                                         f"leave it out or set scope: {given[-1]}")
        return
    if not wanted:
        return
    journey = journeys.get(target.journey)
    if journey is None:
        error(target.path + ("journey",), f"unknown journey {target.journey!r}; journeys in this file: "
                                          f"{listed(journeys)}")
        return
    if "stage" not in wanted:
        return
    stage = next((s for s in journey.stages if s.name == target.stage), None)
    if stage is None:
        error(target.path + ("stage",), f"journey {target.journey!r} has no stage {target.stage!r} (stages: "
                                        f"{listed(s.name for s in journey.stages)})")
        return
    if "step" in wanted and not any(t.name == target.step for t in stage.steps):
        error(target.path + ("step",), f"unknown step {target.step!r}: stage {target.stage!r} of journey "
                                       f"{target.journey!r} has no such step (steps: "
                                       f"{listed(t.name for t in stage.steps)})")
