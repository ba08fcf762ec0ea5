"""Journey-as-code, the `outcomes` section: metric definitions, shared outcomes with their
targets and success statements, and team KPIs with their values and links.

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
`as_code_outcomes_apply`). When it is present it is the whole truth, like the other sections,
and all three lists are required (empty when there is nothing).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from cxkeeper.journeys.as_code_yaml import Path, WorkspaceFileError
from cxkeeper.outcomes.choices import Direction, KpiSource, LinkKind, Scope

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
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


def _by_name(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def _compact(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


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
            tuple(_by_name(part or "") for part in place), target.value, target.pk)


def stored_targets():
    from cxkeeper.outcomes.models import Target

    return Target.objects.select_related("outcome", "metric", "journey", "stage__journey",
                                         "step__stage__journey")


def outcomes_data() -> dict:
    """The outcomes section in the file's order: metrics by key; outcomes in their order, each
    with its targets (by due date, metric, place) and statements (in order); KPIs by team and
    name, values by period, links by outcome name."""
    from cxkeeper.outcomes.models import MetricDefinition, SharedOutcome, SuccessStatement, TeamKpi

    outcomes = sorted(SharedOutcome.objects.prefetch_related("metrics"),
                      key=lambda o: (o.position, *_by_name(o.name), o.pk))
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
        return _compact({
            "key": keys[target.pk], "metric": target.metric.key, "scope": target.scope,
            "journey": journey, "stage": stage, "step": step, "value": target.value,
            "due": target.due.isoformat(), "baseline": target.baseline,
            "baseline_date": target.baseline_date.isoformat() if target.baseline_date else None,
            "window_days": target.window_days, "note": target.note,
        })

    kpis = sorted(TeamKpi.objects.select_related("team", "metric").prefetch_related("values", "links__outcome"),
                  key=lambda k: (*_by_name(k.team.name), *_by_name(k.name)))
    return {
        "metrics": [
            _compact({"key": m.key, "name": m.name, "base": m.base, "channel": m.channel,
                      "segment": m.segment, "direction": m.direction, "description": m.description})
            for m in sorted(MetricDefinition.objects.all(), key=lambda m: m.key)
        ],
        "shared_outcomes": [
            _compact({
                "name": o.name, "description": o.description,
                "metrics": sorted(m.key for m in o.metrics.all()),
                "targets": [target_data(t) for t in targets_of.get(o.pk, [])],
                "statements": [
                    _compact({"customer_goal": s.customer_goal, "business_outcome": s.business_outcome,
                              "target": keys.get(s.target_id)})
                    for s in statements_of.get(o.pk, [])
                ],
            })
            for o in outcomes
        ],
        "team_kpis": [
            _compact({
                "team": k.team.name, "name": k.name, "unit": k.unit, "direction": k.direction,
                "source": k.source, "metric": k.metric.key if k.metric_id else None,
                "description": k.description,
                # A KPI taken from a metric has no values of its own: they come from feedback.
                "values": {} if k.source == KpiSource.METRIC else
                          {v.period.isoformat(): v.value for v in sorted(k.values.all(), key=lambda v: v.period)},
                "links": [_compact({"outcome": link.outcome.name, "kind": link.kind, "note": link.note})
                          for link in sorted(k.links.all(), key=lambda link: _by_name(link.outcome.name))],
            })
            for k in kpis
        ],
    }


# ---------------------------------------------------------------- reading (lenient)


def _value(data, key, types, default):
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) and types is not bool:
        return default
    return value if isinstance(value, types) else default


def _text(data, key) -> str:
    return _value(data, key, str, "")


def _name(data, key="name") -> str:
    return _text(data, key).strip()


def _choice(data, key, values, default) -> str:
    value = _value(data, key, str, default)
    return value if value in values else default


def _number(data, key) -> float | None:
    value = _value(data, key, (int, float), None)
    return float(value) if value is not None else None


def _items(data, key, path: Path) -> list[tuple[Path, dict]]:
    values = data.get(key) if isinstance(data, dict) else None
    if not isinstance(values, list):
        return []
    return [(path + (key, index), item) for index, item in enumerate(values) if isinstance(item, dict)]


def parse_date(raw) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, why not). Only YYYY-MM-DD: one spelling, so diffs stay quiet."""
    if not isinstance(raw, str) or not re.match(DATE_PATTERN, raw):
        return None, f"{raw!r} is not a date; write YYYY-MM-DD"
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError as exc:
        return None, f"{raw!r} is not a date ({exc}); write YYYY-MM-DD"


def _date(data, key) -> dt.date | None:
    return parse_date(data.get(key))[0] if isinstance(data, dict) else None


def build_outcomes(data: dict) -> OutcomesSpec | None:
    """The `outcomes` section, or None when the file has none (the workspace's outcomes stay)."""
    from cxkeeper.outcomes.models import BASE_METRICS

    if "outcomes" not in data:
        return None
    section = data.get("outcomes") if isinstance(data.get("outcomes"), dict) else {}
    root: Path = ("outcomes",)
    metrics = [
        MetricSpec(path, _name(item, "key"), _name(item), _choice(item, "base", BASE_METRICS, ""),
                   _text(item, "channel"), _text(item, "segment"),
                   _choice(item, "direction", Direction.values, ""), _text(item, "description"))
        for path, item in _items(section, "metrics", root)
    ]
    outcomes = []
    for opath, oitem in _items(section, "shared_outcomes", root):
        outcome = OutcomeSpec(opath, _name(oitem), _text(oitem, "description"))
        keys = oitem.get("metrics") if isinstance(oitem.get("metrics"), list) else []
        outcome.metrics = [(opath + ("metrics", i), key.strip()) for i, key in enumerate(keys)
                           if isinstance(key, str)]
        for tpath, titem in _items(oitem, "targets", opath):
            window = _value(titem, "window_days", int, 90)
            outcome.targets.append(TargetSpec(
                tpath, outcome.name, _name(titem, "key") or None, _name(titem, "metric"),
                _choice(titem, "scope", Scope.values, Scope.ORGANIZATION),
                _name(titem, "journey") or None, _name(titem, "stage") or None, _name(titem, "step") or None,
                _number(titem, "value"), _date(titem, "due"), _number(titem, "baseline"),
                _date(titem, "baseline_date"), window if window >= 1 else 90, _text(titem, "note")))
        outcome.statements = [
            StatementSpec(spath, outcome.name, _name(sitem, "customer_goal"), _name(sitem, "business_outcome"),
                          _name(sitem, "target") or None)
            for spath, sitem in _items(oitem, "statements", opath)
        ]
        outcomes.append(outcome)
    kpis = []
    for kpath, kitem in _items(section, "team_kpis", root):
        kpi = KpiSpec(kpath, _name(kitem, "team"), _name(kitem), _name(kitem, "unit"),
                      _choice(kitem, "direction", Direction.values, Direction.UP),
                      _choice(kitem, "source", KpiSource.values, KpiSource.MANUAL),
                      _name(kitem, "metric") or None, _text(kitem, "description"))
        values = kitem.get("values") if isinstance(kitem.get("values"), dict) else {}
        kpi.values = [(kpath + ("values", str(period)), parse_date(str(period))[0],
                       float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None)
                      for period, value in values.items()]
        kpi.links = [LinkSpec(lpath, _name(litem, "outcome"), _choice(litem, "kind", LinkKind.values,
                                                                     LinkKind.SUPPORTS), _text(litem, "note"))
                     for lpath, litem in _items(kitem, "links", kpath)]
        kpis.append(kpi)
    return OutcomesSpec(root, metrics, outcomes, kpis)


# ---------------------------------------------------------------- cross-reference checks


def _listed(names) -> str:
    names = sorted(set(names), key=_by_name)
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return shown or "none"


def check_outcomes(doc, raw: dict) -> list[WorkspaceFileError]:
    """Every problem of the outcomes section that the schema cannot see. `raw` is the file's data."""
    from cxkeeper.outcomes.models import BASE_METRICS

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
        _, problem = parse_date(value)
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
            error(path, f"unknown metric {key!r}; metrics in this file: {_listed(metric_keys)}")

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
                                                f"file: {_listed(target_keys)}")

    # team KPIs
    team_names = {t.name for t in doc.teams}
    outcome_names = {o.name for o in spec.outcomes if o.name}
    for kpi in spec.kpis:
        not_blank(kpi, "name")
        not_blank(kpi, "unit")
        if kpi.team and kpi.team not in team_names:
            error(kpi.path + ("team",), f"unknown team {kpi.team!r}; teams in this file: {_listed(team_names)}")
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
            _, problem = parse_date(raw_period)
            # A text of another shape the schema has refused already; a number (20260101) it cannot see.
            if problem and (not isinstance(raw_period, str) or re.match(DATE_PATTERN, raw_period)):
                error(path, problem)
            check_number(path, value)
        seen_links: dict[str, Path] = {}
        for link in kpi.links:
            if link.outcome and link.outcome not in outcome_names:
                error(link.path + ("outcome",), f"unknown shared outcome {link.outcome!r}; shared outcomes in "
                                                f"this file: {_listed(outcome_names)}")
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
                                          f"{_listed(journeys)}")
        return
    if "stage" not in wanted:
        return
    stage = next((s for s in journey.stages if s.name == target.stage), None)
    if stage is None:
        error(target.path + ("stage",), f"journey {target.journey!r} has no stage {target.stage!r} (stages: "
                                        f"{_listed(s.name for s in journey.stages)})")
        return
    if "step" in wanted and not any(t.name == target.step for t in stage.steps):
        error(target.path + ("step",), f"unknown step {target.step!r}: stage {target.stage!r} of journey "
                                       f"{target.journey!r} has no such step (steps: "
                                       f"{_listed(t.name for t in stage.steps)})")
