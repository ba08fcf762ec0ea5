"""Outcomes on top of the small organization, with a year of feedback whose truth is known.

- The helpline ("Call the helpline", owned by Customer service): effort gets worse every
  month — CES answers drawn around 5.6 falling by 0.12 a month (sd 1), 60 a month.
- The login step (owned by IT): effort gets better, around 4.4 rising by 0.1 a month.
- Customer service's KPI "Average handle time" falls 0.3 minutes a month: it improves while
  effort at the team's own steps worsens — the tension the data must reveal. It is declared
  as *supporting* "Reduce customer effort", so the finding is one nobody declared.
- IT's KPI "Login success rate" rises alongside better effort at login: no tension.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.actions import ValueRow
from cxkeeper.outcomes.models import MetricDefinition, SharedOutcome, SuccessStatement, Target, TeamKpi

MONTHS = 12
PER_MONTH = 60


@dataclass
class SmallOutcomes:
    effort: SharedOutcome
    loyalty: SharedOutcome
    ces: MetricDefinition
    nps: MetricDefinition
    org_target: Target          # CES ≥ 5.5 for the organization
    login_target: Target        # CES ≥ 5.0 at the login step
    statement: SuccessStatement
    handle_time: TeamKpi        # Customer service, falls (improves) while effort worsens
    login_success: TeamKpi      # IT, rises with effort at login (no tension)


def months_ago(months: int, day: int) -> dt.datetime:
    now = timezone.now().astimezone(dt.UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    return now - dt.timedelta(days=30 * months + day)


def _clip(value: float) -> int:
    return max(1, min(7, round(value)))


def year_of_feedback(seed: int = 7) -> list[CanonicalRow]:
    rng = random.Random(seed)
    rows: list[CanonicalRow] = []
    for m in range(MONTHS):
        age = MONTHS - 1 - m  # m = 0 is the oldest month
        for i in range(PER_MONTH):
            day = (i * 7) % 28
            call_ces = _clip(rng.gauss(5.6 - 0.12 * m, 1.0))
            login_ces = _clip(rng.gauss(4.4 + 0.1 * m, 1.0))
            nps = rng.choice([10, 9, 8, 7, 6, 3]) if i % 2 else rng.choice([10, 9, 9, 8, 5])
            rows.append(CanonicalRow(external_id=f"call-{m}-{i}", received_at=months_ago(age, day), channel="phone",
                                     row_number=len(rows) + 2, text="I called the helpline about my bill",
                                     ces=call_ces, nps=nps, step="Call the helpline"))
            rows.append(CanonicalRow(external_id=f"login-{m}-{i}", received_at=months_ago(age, day), channel="app",
                                     row_number=len(rows) + 2, text="Signing in to the app",
                                     ces=login_ces, nps=nps, step="Log in to the app"))
    return rows


def ensure_standard_metrics() -> None:
    """Transactional tests (live server, CLI) flush the database afterwards, and with it the
    standard metric definitions a data migration created: put them back (idempotent)."""
    actions.restore_standard_metrics(acting_user=SYSTEM)


def build_outcomes(org, *, with_feedback: bool = True) -> SmallOutcomes:
    ensure_standard_metrics()
    if with_feedback:
        source = insight_actions.create_source({"name": "Effort survey", "kind": "survey"}, acting_user=SYSTEM)
        insight_actions.ingest_feedback_batch(source, year_of_feedback())
    ces = MetricDefinition.objects.get(key="ces")
    nps = MetricDefinition.objects.get(key="nps")
    effort = actions.define_outcome({"name": "Reduce customer effort", "description": "Make every step easy."},
                                    acting_user=SYSTEM)
    effort.metrics.set([ces])
    loyalty = actions.define_outcome({"name": "Increase loyalty", "description": "Customers stay and recommend us."},
                                     acting_user=SYSTEM)
    loyalty.metrics.set([nps])
    due = dt.date.today() + dt.timedelta(days=180)
    org_target = actions.set_metric_target({"outcome": effort, "metric": ces, "scope": "organization",
                                            "value": 5.5, "due": due}, acting_user=SYSTEM)
    login_target = actions.set_metric_target({"outcome": effort, "metric": ces, "scope": "step",
                                              "step": org.login_step, "value": 5.0, "due": due}, acting_user=SYSTEM)
    statement = actions.add_success_statement(
        {"outcome": effort, "customer_goal": "Customers sort out their bill without calling us",
         "business_outcome": "lower cost to serve", "target": org_target}, acting_user=SYSTEM)
    handle_time = actions.declare_team_kpi(
        {"team": org.service, "name": "Average handle time", "unit": "minutes", "direction": "down"},
        acting_user=SYSTEM)
    login_success = actions.declare_team_kpi(
        {"team": org.it, "name": "Login success rate", "unit": "%", "direction": "up"}, acting_user=SYSTEM)
    today = dt.date.today()
    handle_rows, login_rows = [], []
    for m in range(MONTHS):
        index = today.year * 12 + today.month - 1 - (MONTHS - 1 - m)
        period = dt.date(index // 12, index % 12 + 1, 1)
        handle_rows.append(ValueRow(period, round(9.0 - 0.3 * m + (0.1 if m % 3 == 0 else -0.05), 2)))
        login_rows.append(ValueRow(period, round(90.0 + 0.5 * m + (0.2 if m % 2 else -0.1), 2)))
    actions.record_kpi_values(handle_time, handle_rows, acting_user=SYSTEM)
    actions.record_kpi_values(login_success, login_rows, acting_user=SYSTEM)
    actions.link_kpi_to_outcome(handle_time, effort, "supports", acting_user=SYSTEM)
    actions.link_kpi_to_outcome(login_success, effort, "supports", acting_user=SYSTEM)
    return SmallOutcomes(effort, loyalty, ces, nps, org_target, login_target, statement, handle_time, login_success)
