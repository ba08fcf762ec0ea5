"""The priority board: open friction points ranked by a score whose every term is shown.

For one explicit period (the keepers' `period_days` ending on the data-through day) each open
friction point is measured from the rollups, the targets and the teams' perspectives:

* **customer impact** — customers per month at its steps (feedback items in the period ÷
  months), times 1 + 10 × the *severity* (its steps' gap to their journey on NPS, CSAT and
  customer effort, as a share of each scale; the largest counts), times the *trend* (negative
  feedback at its steps in the second half of the period ÷ the first half, kept within ½ and 2);
* **strategic fit** — the targets of shared outcomes it bears on (targets at its steps, their
  stages, journeys or the whole organization), each counted by how far off track it is
  (off track 1, at risk ½, no data ¼, on track 0) times how close its scope is (its step 1,
  its stage or journey ½, the whole organization ¼);
* **effort** — the teams' effort estimates (from their perspectives); unknown counts as ½;
* **confidence** — the mean of the evidence's strength (n ÷ 100, at most 1) and the share of
  the affected teams heard.

Impact, fit and effort are divided by the board's largest, so each term lies between 0 and 1,
and the score is

    score = 100 × (w_impact·impact + w_fit·fit + w_confidence·confidence − w_effort·effort)
                ÷ (w_impact + w_fit + w_confidence + w_effort)

with the keepers' weights (`PriorityWeights`). Scores less than `TIE_POINTS` apart are a tie;
a tie, an objection or an escalation from the perspectives sends the friction point to the
executive sponsor. `rank_measures` is the pure part (tests reproduce it by hand); `board()` is
computed once per data change (`core.figures`) and remembers each new order
(`actions.remember_ranking`). See docs/initiatives.md and docs/decisions/0026.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from cxkeeper.core import figures, numbers
from cxkeeper.initiatives import queries
from cxkeeper.initiatives.queries import PerspectiveSummary
from cxkeeper.insights import clock
from cxkeeper.insights import queries as insight_queries
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N
from cxkeeper.journeys.models import Step

SEVERITY_METRICS = {"nps": ("NPS", 200.0), "csat": ("CSAT", 100.0), "ces": ("customer effort", 6.0)}
SEVERITY_FACTOR = 10.0  # a gap of a tenth of the scale doubles the customers' weight
TREND_LIMITS = (0.5, 2.0)
STATUS_WEIGHT = {"off_track": 1.0, "at_risk": 0.5, "no_data": 0.25, "on_track": 0.0}
# The closer a target's scope to the friction point's steps, the more fixing them moves it.
SCOPE_WEIGHT = {"step": 1.0, "stage": 0.5, "journey": 0.5, "organization": 0.25}
SCOPE_WORDS = {"step": "in full", "stage": "half", "journey": "half", "organization": "a quarter"}
STATUS_WORDS = {"off_track": "off track", "at_risk": "at risk", "no_data": "no data", "on_track": "on track"}
EVIDENCE_FULL_N = 100
UNKNOWN_EFFORT = 0.5
TIE_POINTS = 1.0
DAYS_PER_MONTH = 30.4375

FORMULA = ("score = 100 × (impact weight × impact + fit weight × strategic fit + confidence weight × confidence "
           "− effort weight × effort) ÷ (the sum of the four weights)")


# ---------------------------------------------------------------- what other parts provide


def _perspectives(friction_point) -> PerspectiveSummary:
    return queries.perspective_summary(friction_point)


def _steps_of(friction_point) -> list[Step]:
    return queries.concerned_steps(friction_point)


# ---------------------------------------------------------------- the pure part


@dataclass(frozen=True)
class Measures:
    """One friction point's measured terms, before they are scaled against the board."""

    friction_point_id: int
    title: str
    steps: tuple[str, ...]
    customers_per_month: float
    n: int
    severity: float  # 0..1: the largest gap to the journey, as a share of the metric's scale
    severity_note: str
    trend: float  # negative feedback, second half of the period ÷ first half, within TREND_LIMITS
    trend_note: str
    fit: float  # sum of the status weights of the targets it bears on
    targets: tuple[tuple[str, str, str], ...]  # (target, status, scope) it bears on
    perspectives: PerspectiveSummary = field(default_factory=PerspectiveSummary)

    @property
    def impact(self) -> float:
        return self.customers_per_month * (1 + SEVERITY_FACTOR * self.severity) * self.trend

    @property
    def heard_share(self) -> float:
        p = self.perspectives
        return p.teams_heard / p.teams_asked if p.teams_asked else 0.0

    @property
    def evidence(self) -> float:
        return min(1.0, self.n / EVIDENCE_FULL_N)

    @property
    def confidence(self) -> float:
        return (self.evidence + self.heard_share) / 2


@dataclass
class Entry:
    """One row of the board: its terms (each 0..1), score, rank and flags, with sentences."""

    measures: Measures
    impact: float
    fit: float
    effort: float
    effort_known: bool
    confidence: float
    score: float
    rank: int = 0
    tied_with: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def to_sponsor(self) -> bool:
        return bool(self.flags)

    @property
    def friction_point_id(self) -> int:
        return self.measures.friction_point_id

    @property
    def title(self) -> str:
        return self.measures.title

    def sentences(self) -> dict[str, str]:
        """Each term in words, with the numbers it came from."""
        m = self.measures
        p = m.perspectives
        return {
            "impact": (f"{numbers.fixed(m.customers_per_month, 1)} customers a month at its steps "
                       f"(n = {numbers.count(m.n)}) × (1 + {SEVERITY_FACTOR:g} × severity "
                       f"{numbers.fixed(m.severity, 3)}: {m.severity_note}) × trend {numbers.fixed(m.trend, 2)} "
                       f"({m.trend_note}) = {numbers.fixed(m.impact, 1)}; "
                       f"÷ the board's largest → {numbers.fixed(self.impact, 2)}"),
            "fit": ((f"bears on {len(m.targets)} {numbers.plural(len(m.targets), 'target', 'targets')}: "
                     + "; ".join(f"{label} ({STATUS_WORDS.get(status, status)}, counted "
                                 f"{SCOPE_WORDS.get(scope, 'in full')})" for label, status, scope in m.targets)
                     + f" → {numbers.fixed(m.fit, 2)}; ÷ the board's largest → {numbers.fixed(self.fit, 2)}")
                    if m.targets else "bears on no target of a shared outcome → 0"),
            "effort": ((f"{numbers.fixed(p.effort_points, 1)} effort points from the perspectives; "
                        f"÷ the board's largest → {numbers.fixed(self.effort, 2)}")
                       if self.effort_known else f"no effort estimate yet: counted as {UNKNOWN_EFFORT:g}"),
            "confidence": (f"(evidence {numbers.fixed(m.evidence, 2)} — n = {numbers.count(m.n)} of the "
                           f"{EVIDENCE_FULL_N} that count as full — + teams heard "
                           f"{numbers.fixed(m.heard_share, 2)} — {p.teams_heard} of {p.teams_asked}) ÷ 2 "
                           f"= {numbers.fixed(self.confidence, 2)}"),
        }


@dataclass(frozen=True)
class Weights:
    impact: float
    fit: float
    effort: float
    confidence: float

    @property
    def total(self) -> float:
        return self.impact + self.fit + self.effort + self.confidence


def rank_measures(measures: list[Measures], weights: Weights) -> list[Entry]:
    """Scale each term against the board, score, rank (ties share a rank only in name: the
    order among them is by title) and flag what goes to the executive sponsor."""
    top_impact = max((m.impact for m in measures), default=0.0)
    top_fit = max((m.fit for m in measures), default=0.0)
    known = [m.perspectives.effort_points for m in measures if m.perspectives.effort_points is not None]
    top_effort = max(known, default=0.0)
    entries = []
    for m in measures:
        impact = m.impact / top_impact if top_impact > 0 else 0.0
        fit = m.fit / top_fit if top_fit > 0 else 0.0
        effort_known = m.perspectives.effort_points is not None
        if effort_known:
            effort = m.perspectives.effort_points / top_effort if top_effort > 0 else 0.0
        else:
            effort = UNKNOWN_EFFORT
        confidence = m.confidence
        total = weights.total or 1.0
        score = 100 * (weights.impact * impact + weights.fit * fit + weights.confidence * confidence
                       - weights.effort * effort) / total
        entries.append(Entry(m, impact, fit, effort, effort_known, confidence, score))
    entries.sort(key=lambda e: (-e.score, e.title.lower(), e.friction_point_id))
    for position, entry in enumerate(entries, start=1):
        entry.rank = position
    for entry in entries:
        entry.tied_with = [other.title for other in entries
                           if other is not entry and abs(other.score - entry.score) < TIE_POINTS]
        p = entry.measures.perspectives
        if entry.tied_with:
            entry.flags.append("tied with " + ", ".join(f"“{t}”" for t in entry.tied_with)
                               + f" (scores less than {TIE_POINTS:g} point apart)")
        if p.objections:
            entry.flags.append(f"{p.objections} {numbers.plural(p.objections, 'team objects', 'teams object')}")
        if p.escalated:
            entry.flags.append("escalated by the teams")
    return entries


# ---------------------------------------------------------------- measuring from the data


@dataclass
class Board:
    entries: list[Entry]
    weights: Weights
    period: clock.Period
    weights_version: int

    @property
    def to_sponsor(self) -> list[Entry]:
        return [e for e in self.entries if e.to_sponsor]

    def ranks(self) -> list[dict]:
        return [{"friction_point": e.friction_point_id, "title": e.title, "rank": e.rank,
                 "score": round(e.score, 1)} for e in self.entries]


def _trend(steps: list[int], period: clock.Period) -> tuple[float, str]:
    half = period.days // 2
    first_end = period.start + dt.timedelta(days=half - 1)
    cells = insight_queries.rollups
    before = insight_queries.total(cells(start=period.start, end=first_end, steps=steps)).sums.get("negative_n", 0)
    after = insight_queries.total(cells(start=first_end + dt.timedelta(days=1), end=period.end,
                                        steps=steps)).sums.get("negative_n", 0)
    low, high = TREND_LIMITS
    ratio = min(high, max(low, after / before)) if before else (high if after else 1.0)
    return ratio, (f"{numbers.count(after)} negative items in the second half of the period against "
                   f"{numbers.count(before)} in the first")


def _severity(steps: list[int], journey_steps: list[int], period: clock.Period) -> tuple[float, str]:
    """The largest gap between its steps and their journey on the chosen metrics, as a share
    of each metric's scale (0 when its steps are no worse), with the sentence saying where."""
    here = insight_queries.total(insight_queries.rollups(start=period.start, end=period.end, steps=steps))
    there = insight_queries.total(insight_queries.rollups(start=period.start, end=period.end, steps=journey_steps))
    gaps = []
    for key, (label, width) in SEVERITY_METRICS.items():
        a, b = here.metrics[key], there.metrics[key]
        if a.enough and b.enough and a.value is not None and b.value is not None:
            gaps.append((max(0.0, (b.value - a.value) / width), label, a.value, b.value))  # all: higher is better
    if not gaps:
        return 0.0, "no metric with enough answers both at its steps and on its journey"
    gap, label, a, b = max(gaps, key=lambda g: g[0])
    if gap <= 0:
        return 0.0, "its steps are no worse than their journey on " + ", ".join(g[1] for g in gaps)
    return gap, f"{label} {numbers.fixed(a, 1)} here against {numbers.fixed(b, 1)} on the journey"


def _targets(steps: list[int], as_of: dt.date) -> tuple[float, tuple[tuple[str, str, str], ...]]:
    """The targets at its steps, their stages, journeys or the whole organization, each with its
    status; fit = Σ status weight × scope weight (a target at the step itself counts in full)."""
    from cxkeeper.outcomes import queries as outcome_queries

    if not steps:
        return 0.0, ()
    found = []
    for target in outcome_queries.targets_in_scope(steps=set(steps)).order_by("pk"):
        status = outcome_queries.assess(target, as_of=as_of).status
        found.append((outcome_queries.target_label(target), status, target.scope))
    fit = sum(STATUS_WEIGHT.get(status, 0.0) * SCOPE_WEIGHT.get(scope, 1.0) for _, status, scope in found)
    return fit, tuple(found)


def measure(friction_point, period: clock.Period,
            perspectives: Callable[[object], PerspectiveSummary] = _perspectives) -> Measures:
    steps = [s.pk for s in _steps_of(friction_point)]
    journeys = set(Step.objects.filter(pk__in=steps).values_list("stage__journey_id", flat=True))
    journey_steps = list(Step.objects.filter(stage__journey_id__in=journeys).values_list("pk", flat=True))
    n = 0
    if steps:
        n = int(insight_queries.total(insight_queries.rollups(start=period.start, end=period.end,
                                                               steps=steps)).n)
    severity, severity_note = _severity(steps, journey_steps, period) if steps else (0.0, "not placed on a step")
    trend, trend_note = _trend(steps, period) if steps else (1.0, "not placed on a step")
    fit, targets = _targets(steps, period.end)
    return Measures(
        friction_point_id=friction_point.pk, title=friction_point.title,
        steps=tuple(s.name for s in _steps_of(friction_point)),
        customers_per_month=n / (period.days / DAYS_PER_MONTH), n=n, severity=severity,
        severity_note=severity_note, trend=trend, trend_note=trend_note, fit=fit, targets=targets,
        perspectives=perspectives(friction_point))


def compute_board(*, weights, as_of: dt.date,
                  perspectives: Callable[[object], PerspectiveSummary] = _perspectives) -> Board:
    """Measure every open friction point over the weights' period ending `as_of` and rank them."""
    from cxkeeper.initiatives import queries

    period = clock.period(weights.period_days, end=as_of)
    points = queries.friction_points(status="open").order_by("pk")
    measures = [measure(fp, period, perspectives) for fp in points]
    ranked = rank_measures(measures, Weights(weights.impact, weights.fit, weights.effort, weights.confidence))
    return Board(ranked, Weights(weights.impact, weights.fit, weights.effort, weights.confidence), period,
                 weights.version)


def board(*, as_of: dt.date | None = None, remember: bool = True) -> Board:
    """The board as of the data-through day, computed once per change of the data or the
    weights. Each new order is remembered for the history of rank changes when it is computed
    — once per change, not on every view (a view of a stored board writes nothing)."""
    from cxkeeper.initiatives import actions
    from cxkeeper.initiatives.models import PriorityWeights

    weights = PriorityWeights.current()
    as_of = as_of or clock.as_of()

    def compute() -> Board:
        result = compute_board(weights=weights, as_of=as_of)
        if remember:
            actions.remember_ranking(result)
        return result

    return figures.figure("initiatives.priority_board",
                          (weights.pk, weights.version, weights.period_days, as_of, DEFAULT_MIN_N), compute)


def entry_dict(entry: Entry) -> dict:
    """The plain shape of a board row (API and CLI `--json`)."""
    m = entry.measures
    return {
        "rank": entry.rank, "friction_point_id": entry.friction_point_id, "title": entry.title,
        "steps": list(m.steps), "score": round(entry.score, 2),
        "terms": {"impact": round(entry.impact, 4), "fit": round(entry.fit, 4), "effort": round(entry.effort, 4),
                  "confidence": round(entry.confidence, 4)},
        "measures": {"customers_per_month": round(m.customers_per_month, 2), "n": m.n,
                     "severity": round(m.severity, 4), "trend": round(m.trend, 4), "impact": round(m.impact, 2),
                     "fit": m.fit, "targets": [{"target": t, "status": s, "scope": sc} for t, s, sc in m.targets],
                     "effort_points": m.perspectives.effort_points, "effort_known": entry.effort_known,
                     "teams_asked": m.perspectives.teams_asked, "teams_heard": m.perspectives.teams_heard,
                     "objections": m.perspectives.objections, "escalated": m.perspectives.escalated},
        "explanation": entry.sentences(), "to_sponsor": entry.to_sponsor, "flags": list(entry.flags),
    }


def board_dict(result: Board) -> dict:
    return {"period": result.period.as_dict(), "weights": asdict(result.weights), "formula": FORMULA,
            "entries": [entry_dict(e) for e in result.entries]}


# ---------------------------------------------------------------- impact versus effort


@dataclass(frozen=True)
class MatrixPoint:
    x: float
    y: float
    rank: int
    title: str
    url: str
    effort_known: bool

    @property
    def label_y(self) -> float:
        return round(self.y + 4, 1)


MATRIX = {"width": 460, "height": 300, "margin": 40, "inner_width": 380, "inner_height": 220, "axis_y": 288,
          "right": 420, "bottom": 260}


def matrix_points(result: Board) -> list[MatrixPoint]:
    """Each friction point placed by effort (x) and impact (y), both 0..1, in SVG coordinates;
    a point that would hide another is moved right by one dot's width."""
    from django.urls import reverse

    w, h, m = MATRIX["width"], MATRIX["height"], MATRIX["margin"]
    points, taken = [], []
    for e in result.entries:
        x, y = m + e.effort * (w - 2 * m), h - m - e.impact * (h - 2 * m)
        while any(abs(x - tx) < 18 and abs(y - ty) < 18 for tx, ty in taken):
            x += 20
        taken.append((x, y))
        points.append(MatrixPoint(x=round(x, 1), y=round(y, 1), rank=e.rank, title=e.title,
                                  url=reverse("initiatives:friction_point", args=[e.friction_point_id]),
                                  effort_known=e.effort_known))
    return points
