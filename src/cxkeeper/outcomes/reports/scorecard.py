"""The team scorecard as a document: `scorecard_document(queries.scorecard(team))`."""

from __future__ import annotations

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N
from cxkeeper.insights.metrics import CATALOGUE
from cxkeeper.journeys.choices import ResponsibilityRole
from cxkeeper.org.models import Workspace
from cxkeeper.outcomes import commitments, queries
from cxkeeper.outcomes.reports.blocks import data_through_text, targets_blocks, tension_blocks
from cxkeeper.outcomes.reports.charts import HALF_CHART_WIDTH, kpi_spec, steps_spec
from cxkeeper.outcomes.reports.document import Chart, Document, Paragraph, Section, Subheading, Table
from cxkeeper.outcomes.reports.text import (
    MISSING,
    count,
    day_text,
    digits,
    interval_text,
    kpi_number,
    month_text,
    num,
    signed,
    status_summary,
    value_text,
)

FRICTION_KINDS = {"worse_than_journey": "worse than its journey", "worse_than_before": "worse than before",
                  "volume_spike": "volume spike", "negative_theme": "negative theme"}


def _change_text(change: queries.Change) -> str:
    if change.difference is None:
        return "not enough data"
    text = signed(change.difference, digits(change.metric))
    q = getattr(change.comparison, "p_adjusted", None)
    q_text = numbers.pvalue(q, name="q", spaced=True)
    if change.significant:
        verdict = {True: "better", False: "worse", None: "changed"}[change.better]
        return f"{text}, {verdict} ({q_text})"
    return f"{text}, no clear change" + (f" ({q_text})" if q is not None else "")


def _cell_with_change(change: queries.Change) -> str:
    if not change.current.enough:
        return f"{MISSING} (n {change.current.n})" if change.current.n else MISSING
    text = value_text(change.current, change.metric)
    if change.significant and change.better is not None:
        text += " ▲" if change.better else " ▼"
    return text


def scorecard_document(card: queries.Scorecard) -> Document:
    team, period = card.team, card.period
    workspace = Workspace.current()
    owned = [line for line in card.steps if line.role == ResponsibilityRole.OWNS]
    contributed = [line for line in card.steps if line.role != ResponsibilityRole.OWNS]
    n_now = sum(line.n for line in card.steps)
    any_enough = any(c.current.enough for c in card.totals.values())

    summary: list = []
    if card.targets:
        summary.append(Paragraph(status_summary(card.status_counts), "lead"))
    else:
        summary.append(Paragraph("No targets cover this team's steps yet.", "lead"))
    summary.append(Paragraph(
        f"{team.name} owns {len(owned)} step{'s' if len(owned) != 1 else ''} and contributes to {len(contributed)}; "
        f"{count(n_now)} responses at these steps in the period. {len(card.kpis)} team KPI"
        f"{'s' if len(card.kpis) != 1 else ''}, {len(card.tensions)} tension{'s' if len(card.tensions) != 1 else ''} "
        f"found in the data, {len(card.friction)} friction signal{'s' if len(card.friction) != 1 else ''}."))
    if not any_enough:
        summary.append(Paragraph(
            f"Not enough data: fewer than {DEFAULT_MIN_N} responses at this team's steps in this period, so its "
            "measures cannot be judged yet. Import feedback routed to these steps, or widen the period.", "muted"))

    sections = [Section("Summary", summary)]
    sections.append(Section("Targets at the team's steps", targets_blocks(
        card.targets, empty="No targets cover the steps this team owns or contributes to. Keepers set targets per "
                            "organization, journey, stage or step.")))

    measures: list = [Paragraph(f"This period: {day_text(period.start)} – {day_text(period.end)}; previous: "
                                f"{day_text(period.previous_start)} – {day_text(period.previous_end)}. Differences "
                                "are tested and corrected for the number of comparisons on this scorecard (q).",
                                "muted")]
    rows = []
    for base, change in card.totals.items():
        rows.append([CATALOGUE[base].label, value_text(change.current, base), interval_text(change.current, base),
                     str(change.current.n), value_text(change.previous, base),
                     interval_text(change.previous, base), str(change.previous.n), _change_text(change)])
    measures.append(Table(["Measure", "This period", "95% interval", "n", "Previous", "95% interval", "n", "Change"],
                          rows, [13, 14, 16, 7, 14, 16, 7, 29], align="LRRRRRRL"))
    if card.steps:
        measures.append(Subheading("By step"))
        step_rows = []
        for line in card.steps:
            role = "owns" if line.role == ResponsibilityRole.OWNS else "contributes"
            step_rows.append([line.step.name, f"{line.step.stage.journey.name} · {line.step.stage.name}", role,
                              str(line.n), *(_cell_with_change(line.changes[m]) for m in queries.HEADLINE_METRICS)])
        headline = [CATALOGUE[m].label for m in queries.HEADLINE_METRICS]
        measures.append(Table(["Step", "Journey · stage", "Role", "n", *headline], step_rows,
                              [24, 24, 15, 7, 10, 11, 10, 14], align="LLLRRRRR"))
        measures.append(Paragraph("▲ better, ▼ worse than the previous period (significant after correction); "
                                  "– fewer than the minimum responses.", "muted"))
        for base in ("ces", "nps"):
            found = steps_spec(card.steps, base)
            if found:
                spec, text = found
                measures.append(Chart(spec, f"{CATALOGUE[base].label} by step this period: dot = value, "
                                            "bar = 95% interval", text))
    else:
        measures.append(Paragraph(f"{team.name} owns or contributes to no step of the journey map yet.", "muted"))
    sections.append(Section("Measures: this period against the previous", measures))

    kpis: list = []
    if card.kpis:
        rows, details = [], []
        for view in card.kpis:
            kpi = view.kpi
            links = "; ".join(f"{link.get_kind_display().lower()} {link.outcome.name}"
                              for link in view.links) or MISSING
            latest = f"{kpi_number(view.latest[1], kpi.unit)} ({month_text(view.latest[0])})" if view.latest else \
                "not enough data"
            change = MISSING if view.change is None else numbers.with_sign(kpi_number(view.change, kpi.unit))
            if view.improving is not None:
                change += ", improving" if view.improving else ", worsening"
            rows.append([kpi.name, kpi.get_direction_display(), latest, change, str(len(view.series)), links])
            details.append(" ".join(t.test.explanation for t in view.tensions) if view.tensions else "")
        kpis.append(Table(["KPI", "Good direction", "Latest", "Change", "Months", "Linked to"], rows,
                          [24, 16, 18, 18, 9, 30], align="LLRRRL", details=details if any(details) else [],
                          details_title="Tension found"))
        for view in card.kpis:
            if len(view.series) >= 2:
                text = "Values: " + " · ".join(f"{month_text(d)} {kpi_number(v, view.kpi.unit)}"
                                               for d, v in view.series)
                direction = view.kpi.get_direction_display().lower()
                kpis.append(Chart(kpi_spec(view, width=HALF_CHART_WIDTH), f"{view.kpi.name} per month ({direction})",
                                  text + ".", half=True))
    else:
        kpis.append(Paragraph(f"{team.name} has declared no KPIs.", "muted"))
    sections.append(Section("Team KPIs", kpis))

    sections.append(Section("Tensions found in the data", tension_blocks(
        card.tensions, card.as_of,
        empty="No tension found: none of this team's KPIs improved while a shared measure at its steps credibly "
              "worsened over the same months (or there are not yet enough months to tell).")))

    friction: list = []
    if card.friction:
        rows, details = [], []
        for signal in card.friction:
            base = signal.metric if signal.metric in CATALOGUE else "volume"
            places = digits(base)
            difference = signed(signal.difference, places)
            if signal.difference_low is not None and signal.difference_high is not None:
                difference += f" [{num(signal.difference_low, places)}, {num(signal.difference_high, places)}]"
            rows.append([signal.step.name, FRICTION_KINDS.get(signal.kind, signal.kind), signal.metric_label,
                         value_text(signal.current, base), f"{value_text(signal.reference, base)} "
                                                           f"({signal.reference_label})",
                         f"{difference} {signal.unit}".strip(), str(signal.n_current)])
            details.append(signal.explanation)
        friction.append(Table(["Step", "Signal", "Measure", "Now", "Reference", "Difference", "n"], rows,
                              [22, 16, 12, 13, 22, 17, 7], align="LLLRLRR", details=details))
    else:
        friction.append(Paragraph("No friction signal at this team's steps in the last four weeks.", "muted"))
    sections.append(Section("Friction at the team's steps", friction))

    if card.handoffs:
        rows = [[f"{h.from_step.name} ({h.from_team.name})", f"{h.to_step.name} ({h.to_team.name})",
                 h.description or MISSING] for h in card.handoffs]
        sections.append(Section("Handoffs", [Table(["From", "To", "What passes"], rows, [35, 35, 30])]))

    promised = commitments.commitments_of(team)  # filled by the apps above (docs/decisions/0028)
    if promised:
        rows = [[c.title, c.kind, c.status + (", overdue" if c.overdue else ""),
                 day_text(c.due) if c.due else "—", c.source] for c in promised]
        sections.append(Section("Commitments", [Table(["Commitment", "Kind", "Status", "Due", "From"], rows,
                                                      [36, 12, 14, 12, 26])]))

    meta = [("Team", team.name), ("Period", f"{day_text(period.start)} – {day_text(period.end)} ({period.days} days)"),
            ("Compared with", f"{day_text(period.previous_start)} – {day_text(period.previous_end)}"),
            ("As of", day_text(card.as_of)), ("Data through", data_through_text()),
            ("Organization", workspace.name)]
    return Document("Team scorecard", team.name, meta, workspace.mission, sections, card.as_of)
