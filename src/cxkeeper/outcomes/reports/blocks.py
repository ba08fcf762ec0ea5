"""Building blocks both reports share: targets with their trend charts, tensions with theirs."""

from __future__ import annotations

import datetime as dt

from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N, MetricValue
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.choices import LinkKind, Status
from cxkeeper.outcomes.reports.charts import HALF_CHART_WIDTH, target_trend_spec, tension_spec
from cxkeeper.outcomes.reports.document import Chart, Paragraph, Subheading, Table
from cxkeeper.outcomes.reports.text import (
    MISSING,
    count,
    day_text,
    interval_text,
    kpi_number,
    month_text,
    series_text,
    status_label,
    target_text,
    value_text,
)


def targets_blocks(views: list[queries.TargetView], *, empty: str) -> list:
    if not views:
        return [Paragraph(empty, "muted")]
    rows, statuses, plain, details = [], [], [], []
    for view in views:
        target, current = view.target, view.assessment.current or MetricValue.too_few(0)
        base = target.metric.base
        rows.append([f"{target.metric.name} {target.comparator} {target_text(target.value, base)} "
                     f"by {day_text(target.due)}", target.scope_label, value_text(current, base),
                     interval_text(current, base), count(current.n), status_label(view.status)])
        statuses.append(view.status)
        plain.append(view.assessment.plain)
        details.append(view.assessment.explanation)
    blocks: list = [Table(["Target", "Scope", "Value", "95% interval", "n", "Status"], rows,
                          [34, 25, 15, 17, 7, 17], align="LLRRRL", status_column=5, statuses=statuses,
                          details=details, plain=plain, details_title="Why")]
    # a line needs two points: a target with fewer months of enough responses gets a sentence
    charted = [view for view in views if sum(v.enough for _, v in view.monthly) >= 2]
    if charted:
        blocks.append(Paragraph("Per month: the line is the value, the band its 95% interval, the dashed line the "
                                f"target; months with fewer than {DEFAULT_MIN_N} responses are left out.", "muted"))
    for view in charted:
        target = view.target
        caption = (f"{target.metric.name} at {target.scope_label} {target.comparator} "
                   f"{target_text(target.value, target.metric.base)} by "
                   f"{day_text(target.due)} — {Status(view.status).label.lower()}")
        blocks.append(Chart(target_trend_spec(view, width=HALF_CHART_WIDTH), caption,
                            series_text(view.monthly, target.metric.base), half=True))
    uncharted = [view for view in views if view not in charted]
    if uncharted:
        names = "; ".join(f"{v.target.metric.name} at {v.target.scope_label}" for v in uncharted)
        blocks.append(Paragraph(f"Too little data to draw a line (fewer than two months with at least "
                                f"{DEFAULT_MIN_N} responses): {names}.", "muted"))
    return blocks


def tension_blocks(findings: list[queries.TensionFinding], as_of: dt.date, *, empty: str) -> list:
    if not findings:
        return [Paragraph(empty, "muted")]
    blocks: list = []
    for finding in findings:
        kpi, test = finding.kpi, finding.test
        outcomes = ", ".join(o.name for o in finding.outcomes) or MISSING
        if finding.declared is not None:
            declared = "declared as in tension"
        elif any(link.kind == LinkKind.SUPPORTS for link in kpi.links.all()
                 if link.outcome_id in {o.pk for o in finding.outcomes}):
            declared = "declared as supporting — nobody declared this tension"
        else:
            declared = "not declared"
        blocks.append(Subheading(f"{kpi.name} ({kpi.team.name}) ↔ {finding.metric.name}"))
        blocks.append(Paragraph(f"Strength: {test.strength} · shared outcome: {outcomes} · {declared} · "
                                f"{test.periods} months compared", "muted"))
        blocks.append(Paragraph(test.explanation))
        series = queries.kpi_series(kpi, end=as_of)
        text = (f"{kpi.name}: " + " · ".join(f"{month_text(d)} {kpi_number(v, kpi.unit)}" for d, v in series)
                + ". "
                + series_text(queries.monthly_values(finding.metric, finding.steps, end=as_of), finding.metric.base)
                .replace("Monthly:", f"{finding.metric.name}:", 1))
        blocks.append(Chart(tension_spec(finding, as_of),
                            f"{kpi.name} (top, teal) and {finding.metric.name} at {kpi.team.name}'s steps "
                            "(bottom, blue, with 95% band), per month", text))
    return blocks


def data_through_text() -> str:
    """The clock's data-through day for a report's meta lines (docs/insights.md, "The clock")."""
    from cxkeeper.insights import clock
    from cxkeeper.outcomes.reports.text import day_text

    through = clock.data_through()
    return day_text(through) if through else "no feedback yet"
