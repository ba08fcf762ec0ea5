"""Shared outcomes for the sample organization: what Kestrel Connect's teams agree to improve.

Declared here as data, in reading order, and built through `outcomes.actions` with
`acting_user=SYSTEM` (the trusted local CLI), like the rest of the sample:

- **metric definitions**: the standard ones (migration outcomes/0002) plus two custom ones
  with a filter — "NPS of business customers" (segment *Small business owner*) and "Chat CSAT"
  (channel *chat*);
- **four shared outcomes** — reduce customer effort, increase loyalty, improve trust,
  strengthen retention — each measured by two metrics;
- **targets** at organization, journey, stage and step scope, due a few months from today,
  with a baseline measured from the first quarter of the year of feedback (when the targets
  were set), chosen so the organization view shows every status: on track, at risk, off track
  and not enough data;
- **one success statement per outcome**: customer goal → business outcome → target;
- **team KPIs** of seven teams with twelve monthly values each (one imported from CSV, one
  taken from a cxkeeper metric), linked to the outcomes as *supports* or *in tension*.

The story the data tell: Customer Care declares its **average handle time** as *supporting*
"Reduce customer effort" (shorter calls, less waiting). It falls month by month — while the
effort customers report at the contact steps Care owns gets worse over the same months (the
generator squeezes their CES; see ``feedback.AHT_EFFORT_DROP``): agents hurry people off the
line and they call back. Nobody declared that tension; `queries.tension_findings()` finds it
in the data. Sales' conversion rate is *declared* in tension with "Improve trust" (promises
made to close a sale come back at the first bill), yet the data show no tension at Sales' own
steps: the cost lands at Billing's and Pricing's first-bill step, which is the point to
discuss. No other KPI is in tension with anything.

KPI months end with the month of the latest feedback (or today's without feedback), so the
KPIs and the feedback cover the same twelve months. Loading is idempotent: a workspace that
already has these outcomes is left alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import queries as insight_queries
from cxkeeper.insights.models import StepDayRollup
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.actions import ValueRow
from cxkeeper.outcomes.choices import Direction, KpiSource, LinkKind, Scope
from cxkeeper.outcomes.models import MetricDefinition, SharedOutcome, Target
from cxkeeper.outcomes.queries import metric_value, months_back, target_steps
from cxkeeper.sample import organization as org
from cxkeeper.sample.feedback import LOGIN_FIX_DATE

# ---------------------------------------------------------------- shapes


@dataclass(frozen=True)
class MetricSpec:
    key: str
    name: str
    base: str
    description: str
    channel: str = ""
    segment: str = ""


@dataclass(frozen=True)
class OutcomeSpec:
    name: str
    description: str
    metrics: tuple[str, ...]  # metric definition keys


@dataclass(frozen=True)
class TargetSpec:
    handle: str  # how statements refer to it
    outcome: str
    metric: str  # metric definition key
    scope: Scope
    where: str  # journey, stage or step name; "" for the organization
    value: float
    due_months: int  # due at the end of the month this many months after today's
    note: str = ""


@dataclass(frozen=True)
class StatementSpec:
    outcome: str
    customer_goal: str
    business_outcome: str
    target: str  # TargetSpec.handle


@dataclass(frozen=True)
class LinkSpec:
    outcome: str
    kind: LinkKind
    note: str = ""


@dataclass(frozen=True)
class KpiSpec:
    team: str
    name: str
    unit: str
    direction: Direction
    description: str
    # twelve monthly values, oldest first, or a function of the twelve months; none for a metric KPI
    values: tuple[float, ...] | Callable[[list[dt.date]], tuple[float, ...]] = ()
    source: KpiSource = KpiSource.MANUAL
    metric: str = ""  # for KpiSource.METRIC
    links: tuple[LinkSpec, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- metrics and outcomes

BUSINESS_SEGMENT = "Small business owner"  # a persona, and the segment the feedback carries

CUSTOM_METRICS = (
    MetricSpec("nps-business", "NPS of business customers", "nps",
               "NPS from customers in the Small business owner segment: a café without Wi-Fi loses money, "
               "so they judge us harder than anyone.", segment=BUSINESS_SEGMENT),
    MetricSpec("chat-csat", "Chat CSAT", "csat",
               "CSAT of feedback that came through chat (the virtual assistant and chat agents): the channel "
               "we want more customers to use, so it has to work.", channel="chat"),
)

EFFORT = "Reduce customer effort"
LOYALTY = "Increase loyalty"
TRUST = "Improve trust"
RETENTION = "Strengthen retention"

OUTCOMES = (
    OutcomeSpec(EFFORT, "Getting connected, getting help and paying should take as little effort as possible: "
                        "no chasing, no repeating, no calling back.", ("ces", "chat-csat")),
    OutcomeSpec(LOYALTY, "Customers recommend us because the experience, not the price, is better than the "
                         "alternatives — business customers included.", ("nps", "nps-business")),
    OutcomeSpec(TRUST, "We promise only what we deliver, the bill holds no surprises and we tell customers about "
                       "problems before they have to ask.", ("complaints", "csat", "sentiment")),
    OutcomeSpec(RETENTION, "Customers at the end of their contract choose to stay because the deal is fair, not "
                           "because leaving is hard.", ("retention", "churn")),
)

# ---------------------------------------------------------------- targets

JOIN, HELP, PAY = (journey.name for journey in org.JOURNEYS)

TARGETS = (
    TargetSpec("effort-org", EFFORT, "ces", Scope.ORGANIZATION, "", 5.0, 7,
               "Effort across everything customers tell us; the headline of the effort outcome."),
    TargetSpec("effort-install", EFFORT, "ces", Scope.STAGE, "Deliver & install", 5.5, 6,
               "Getting connected should not need a single call to us."),
    TargetSpec("effort-login", EFFORT, "ces", Scope.STEP, "Log in to the app", 4.0, 3,
               "IT's login fix in June lifted effort at login; keep it there."),
    TargetSpec("effort-agent", EFFORT, "ces", Scope.STEP, "Talk to an agent", 4.5, 4,
               "Customers should leave a call with the problem solved."),
    TargetSpec("chat-org", EFFORT, "chat-csat", Scope.ORGANIZATION, "", 48, 6,
               "Chat is where we want more contacts to go."),
    TargetSpec("chat-paying", EFFORT, "chat-csat", Scope.STEP, "Ask for help paying", 70, 5,
               "Payment help by chat launches next quarter; until then there is nothing to measure."),
    TargetSpec("nps-org", LOYALTY, "nps", Scope.ORGANIZATION, "", -15, 9),
    TargetSpec("nps-business-help", LOYALTY, "nps-business", Scope.JOURNEY, HELP, -10, 8,
               "Business customers who report a fault."),
    TargetSpec("nps-join", LOYALTY, "nps", Scope.JOURNEY, JOIN, -10, 6,
               "Joining is where we are best; get it to a score the rest of the business can aim for."),
    TargetSpec("trust-first-bill", TRUST, "csat", Scope.STEP, "Receive the first bill", 60, 6,
               "The first bill should hold no surprises."),
    TargetSpec("trust-outage", TRUST, "csat", Scope.STEP, "Hear about an outage", 40, 4,
               "Tell customers about outages before they have to ask."),
    TargetSpec("complaints-org", TRUST, "complaints", Scope.ORGANIZATION, "", 1.0, 6,
               "Formal complaints recorded in the CRM, as a share of all feedback."),
    TargetSpec("complaints-join", TRUST, "complaints", Scope.JOURNEY, JOIN, 0.5, 6,
               "Nobody should have to complain to get connected."),
    TargetSpec("retention-renew", RETENTION, "retention", Scope.STAGE, "Renew or change", 60, 6,
               "Customers reaching the end of their contract."),
    TargetSpec("churn-pay", RETENTION, "churn", Scope.JOURNEY, PAY, 25, 9),
)

STATEMENTS = (
    StatementSpec(EFFORT, "Customers get connected without having to call us", "lower cost to serve",
                  "effort-install"),
    StatementSpec(LOYALTY, "Business customers get a fault fixed before it costs them trade",
                  "more referrals from business customers, fewer leaving", "nps-business-help"),
    StatementSpec(TRUST, "The first bill matches what we were promised", "fewer bill queries and complaints",
                  "trust-first-bill"),
    StatementSpec(RETENTION, "Customers at the end of their contract get a fair deal without threatening to leave",
                  "higher retention for less spent on save offers", "retention-renew"),
)

# ---------------------------------------------------------------- team KPIs


def _login_success(periods: list[dt.date]) -> tuple[float, ...]:
    """IT's login success rate: about 91% until the login fix, about 98.5% after it."""
    wobble = (0.2, -0.3, 0.1, -0.2, 0.3, -0.1)
    fixed = LOGIN_FIX_DATE.replace(day=1)
    return tuple(round((98.5 if period >= fixed else 91.0) + wobble[i % len(wobble)], 1)
                 for i, period in enumerate(periods))


AHT = "Average handle time"

KPIS = (
    KpiSpec(org.CARE, AHT, "minutes", Direction.DOWN,
            "Average length of a helpline or chat contact including wrap-up, from the contact-centre platform. "
            "Agents' team bonuses depend on it.",
            values=(8.6, 8.5, 8.2, 8.2, 7.9, 7.7, 7.6, 7.3, 7.2, 6.9, 6.8, 6.5),
            links=(LinkSpec(EFFORT, LinkKind.SUPPORTS, "Shorter calls mean less time on the phone for customers."),)),
    KpiSpec(org.CARE, "First-contact resolution", "%", Direction.UP,
            "Share of contacts with no repeat contact about the same issue within 7 days; imported monthly "
            "from the contact-centre report as CSV.",
            values=(74.1, 73.8, 73.6, 73.1, 72.4, 72.6, 71.5, 70.9, 70.6, 69.8, 69.2, 68.5), source=KpiSource.CSV,
            links=(LinkSpec(EFFORT, LinkKind.SUPPORTS, "Solved the first time, nothing to chase."),)),
    KpiSpec(org.IT, "App login success rate", "%", Direction.UP,
            "Share of app sign-in attempts that succeed first time, from the identity service's logs.",
            values=_login_success,
            links=(LinkSpec(EFFORT, LinkKind.SUPPORTS, "Customers who can sign in serve themselves."),)),
    KpiSpec(org.BILLING, "Bill accuracy", "%", Direction.UP,
            "Share of bills issued without a later correction or credit.",
            values=(98.6, 98.7, 98.6, 98.8, 98.8, 98.9, 99.0, 98.9, 99.1, 99.1, 99.2, 99.2),
            links=(LinkSpec(TRUST, LinkKind.SUPPORTS, "A correct bill is the first promise we keep."),)),
    KpiSpec(org.BILLING, "Satisfaction at our steps", "%", Direction.UP,
            "CSAT of feedback routed to the steps Billing owns, straight from cxkeeper.",
            source=KpiSource.METRIC, metric="csat",
            links=(LinkSpec(TRUST, LinkKind.SUPPORTS),)),
    KpiSpec(org.FIELD, "First-time fix rate", "%", Direction.UP,
            "Share of installation and repair visits that need no second visit.",
            values=(78.5, 78.0, 79.2, 79.8, 80.1, 80.6, 81.3, 81.0, 82.2, 82.8, 83.1, 83.9),
            links=(LinkSpec(EFFORT, LinkKind.SUPPORTS, "No second day off work waiting for an engineer."),
                   LinkSpec(LOYALTY, LinkKind.SUPPORTS))),
    KpiSpec(org.MARKETING, "E-mail click rate", "%", Direction.UP,
            "Share of delivered campaign and welcome e-mails that get a click.",
            values=(2.1, 2.3, 2.2, 2.4, 2.5, 2.4, 2.6, 2.7, 2.8, 2.7, 2.9, 3.0),
            links=(LinkSpec(LOYALTY, LinkKind.SUPPORTS, "Engaged customers stay and recommend us."),)),
    KpiSpec(org.SALES, "Conversion rate", "%", Direction.UP,
            "Share of store visits and sales calls that end in an order. Advisors are paid commission on it.",
            values=(17.8, 18.1, 18.4, 18.3, 18.9, 19.2, 19.4, 19.9, 20.1, 20.6, 20.8, 21.3),
            links=(LinkSpec(TRUST, LinkKind.TENSION,
                            "Promises made to close a sale come back at the first bill."),)),
    KpiSpec(org.RETENTION, "Save rate", "%", Direction.UP,
            "Share of customers asking to cancel who stay after a retention offer.",
            values=(41.0, 43.0, 40.5, 42.0, 43.5, 41.0, 42.5, 43.0, 41.5, 43.5, 42.0, 43.0),
            links=(LinkSpec(RETENTION, LinkKind.SUPPORTS),)),
)

# ---------------------------------------------------------------- loading


@dataclass
class SampleOutcomes:
    outcomes: int = 0
    metrics: int = 0
    targets: int = 0
    statements: int = 0
    kpis: int = 0
    values: int = 0
    links: int = 0


BASELINE_WINDOW_DAYS = 90


def kpi_months(anchor: dt.date) -> list[dt.date]:
    """The first days of the twelve months ending with `anchor`'s month, oldest first."""
    return [months_back(anchor, back) for back in range(11, -1, -1)]


def due_date(today: dt.date, months: int) -> dt.date:
    first = months_back(today, -months)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def load_sample_outcomes(console=None, *, today: dt.date | None = None) -> SampleOutcomes | None:
    """Build the sample's outcomes, targets, statements and KPIs; None when they already exist
    or the sample organization is not loaded."""
    if SharedOutcome.objects.filter(name__in=[spec.name for spec in OUTCOMES]).exists():
        _say(console, "[yellow]The sample outcomes already exist; they were not loaded again.[/yellow]")
        return None
    teams = {team.name: team for team in Team.objects.filter(name__in={spec.team for spec in KPIS})}
    if len(teams) < len({spec.team for spec in KPIS}):
        _say(console, "[yellow]The sample organization is not loaded; no sample outcomes.[/yellow]")
        return None
    today = today or dt.date.today()
    anchor = insight_queries.latest_feedback_day() or today
    made = SampleOutcomes()
    with transaction.atomic():
        actions.restore_standard_metrics(acting_user=SYSTEM)
        metrics = {metric.key: metric for metric in MetricDefinition.objects.all()}
        for spec in CUSTOM_METRICS:
            if spec.key not in metrics:
                metrics[spec.key] = actions.define_metric(
                    {"key": spec.key, "name": spec.name, "base": spec.base, "channel": spec.channel,
                     "segment": spec.segment, "description": spec.description}, acting_user=SYSTEM)
                made.metrics += 1
        outcomes = {}
        for position, spec in enumerate(OUTCOMES, start=1):
            outcomes[spec.name] = actions.define_outcome(
                {"name": spec.name, "description": spec.description, "position": position,
                 "metrics": [metrics[key] for key in spec.metrics]}, acting_user=SYSTEM)
        made.outcomes = len(outcomes)

        first_day = _first_feedback_day()
        baseline_end = None
        if first_day is not None:
            baseline_end = min(anchor, first_day + dt.timedelta(days=BASELINE_WINDOW_DAYS - 1))
        targets: dict[str, Target] = {}
        for spec in TARGETS:
            values = {"outcome": outcomes[spec.outcome], "metric": metrics[spec.metric], "scope": spec.scope,
                      "value": spec.value, "due": due_date(today, spec.due_months), "note": spec.note,
                      **_scope_object(spec)}
            if baseline_end is not None:
                baseline = _baseline(values, baseline_end)
                if baseline is not None:
                    values.update(baseline=baseline, baseline_date=baseline_end)
            targets[spec.handle] = actions.set_metric_target(values, acting_user=SYSTEM)
        made.targets = len(targets)

        for position, spec in enumerate(STATEMENTS, start=1):
            actions.add_success_statement(
                {"outcome": outcomes[spec.outcome], "customer_goal": spec.customer_goal,
                 "business_outcome": spec.business_outcome, "target": targets[spec.target], "position": position},
                acting_user=SYSTEM)
        made.statements = len(STATEMENTS)

        periods = kpi_months(anchor)
        for spec in KPIS:
            kpi = actions.declare_team_kpi(
                {"team": teams[spec.team], "name": spec.name, "unit": spec.unit, "direction": spec.direction,
                 "source": spec.source, "metric": metrics[spec.metric] if spec.metric else None,
                 "description": spec.description}, acting_user=SYSTEM)
            made.kpis += 1
            values = spec.values(periods) if callable(spec.values) else spec.values
            if spec.source == KpiSource.CSV:
                made.values += actions.import_kpi_values(kpi, kpi_csv(periods, values, spec.unit),
                                                         filename="contact-centre-report.csv", acting_user=SYSTEM)
            elif values:
                made.values += actions.record_kpi_values(
                    kpi, [ValueRow(period, value) for period, value in zip(periods, values, strict=True)],
                    acting_user=SYSTEM, source_label="sample")
            for link in spec.links:
                actions.link_kpi_to_outcome(kpi, outcomes[link.outcome], link.kind, note=link.note, acting_user=SYSTEM)
                made.links += 1
    _say(console, f"Shared outcomes: {made.outcomes}, {made.targets} targets, {made.statements} success "
                  f"statements; team KPIs: {made.kpis} with {made.values} monthly values and {made.links} links")
    return made


def kpi_csv(periods: list[dt.date], values: tuple[float, ...], unit: str) -> str:
    """The `period,value,unit` CSV a team would upload (periods as YYYY-MM)."""
    lines = ["period,value,unit"] + [f"{period:%Y-%m},{value:g},{unit}" for period, value in
                                     zip(periods, values, strict=True)]
    return "\n".join(lines) + "\n"


def _first_feedback_day() -> dt.date | None:
    return StepDayRollup.objects.order_by("day").values_list("day", flat=True).first()


def _scope_object(spec: TargetSpec) -> dict:
    if spec.scope == Scope.JOURNEY:
        return {"journey": Journey.objects.get(name=spec.where)}
    if spec.scope == Scope.STAGE:
        return {"stage": Stage.objects.get(name=spec.where)}
    if spec.scope == Scope.STEP:
        return {"step": Step.objects.get(name=spec.where)}
    return {}


def _baseline(values: dict, end: dt.date) -> float | None:
    """The metric over the first quarter of the feedback year, when the targets were set."""
    probe = Target(**{k: v for k, v in values.items() if k not in ("baseline", "baseline_date")})
    start = end - dt.timedelta(days=BASELINE_WINDOW_DAYS - 1)
    current = metric_value(probe.metric, target_steps(probe), start, end)
    if not current.enough or current.value is None:
        return None
    return round(current.value, 3 if probe.metric.base in ("ces", "sentiment") else 1)


def _say(console, message: str) -> None:
    if console is not None:
        console.print(message)
