"""The organization view as a document: `org_document(queries.org_view())`."""

from __future__ import annotations

from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N
from cxkeeper.insights.metrics import CATALOGUE
from cxkeeper.org.models import Workspace
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.choices import Status
from cxkeeper.outcomes.reports.blocks import data_through_text, targets_blocks, tension_blocks
from cxkeeper.outcomes.reports.charts import interval_dots_spec
from cxkeeper.outcomes.reports.document import Bullets, Chart, Document, Paragraph, Section, Subheading, Table
from cxkeeper.outcomes.reports.text import MISSING, day_text, interval_text, plain, status_summary, value_text
from cxkeeper.outcomes.summary import SponsorSummary, sponsor_summary


def summary_section(summary: SponsorSummary) -> Section:
    """The sponsor's summary, the same sentences and figures as the top of the organization
    view: the report's first page (issue 14, item 3)."""
    blocks: list = [Paragraph(summary.north_star_sentence, "lead"), Subheading("Targets"),
                    Paragraph(summary.status_sentence), Subheading("Biggest movers"),
                    Paragraph(summary.movers_sentence)]
    if summary.movers:
        blocks.append(Bullets([summary.mover_sentence(t) for t in summary.movers]))
    blocks += [Subheading("Waiting for the sponsor"), Paragraph(summary.escalations_sentence)]
    if summary.escalations:
        blocks.append(Bullets([f"{e.title} — {e.sentence}" for e in summary.escalations]))
    blocks.append(Subheading("Top friction points"))
    blocks.append(Bullets([f"{p.title} — {p.sentence}" for p in summary.priorities]) if summary.priorities
                  else Paragraph("No open friction point to rank.", "muted"))
    blocks.append(Subheading("Recent wins"))
    blocks.append(Bullets([f"{w.title}: {w.metric} {w.effect}. {w.sentence}" for w in summary.wins])
                  if summary.wins else Paragraph("No credible win measured yet.", "muted"))
    if summary.movers or summary.north_star is not None:
        trends = ([summary.north_star] if summary.north_star is not None else []) + [
            t for t in summary.movers if t is not summary.north_star]
        blocks.append(Paragraph("Statistics: " + " ".join(f"{t.label}: {t.details}" for t in trends), "muted"))
    return Section("In one page", blocks, page_break_after=True)


def org_document(view: queries.OrgView, *, period_days: int = 90, worst_metric: str = "ces") -> Document:
    workspace = Workspace.current()
    period = queries.period_ending(view.as_of, period_days)
    coverage = view.coverage
    summary: list = []
    targets = [t for o in view.outcomes for t in o.targets]
    summary.append(Paragraph(status_summary(view.status_counts) if targets else
                             "No targets are set yet: define targets for the shared outcomes.", "lead"))
    summary.append(Paragraph(
        f"{len(view.outcomes)} shared outcome{'s' if len(view.outcomes) != 1 else ''}; {len(view.tensions)} "
        f"tension{'s' if len(view.tensions) != 1 else ''} found in the data; {coverage.n_problems} coverage "
        f"gap{'s' if coverage.n_problems != 1 else ''} across {coverage.n_steps} steps; {len(view.stale_journeys)} "
        f"journey{'s' if len(view.stale_journeys) != 1 else ''} overdue for review."))
    if view.outcomes:
        rows = []
        for item in view.outcomes:
            counts = dict.fromkeys(Status.values, 0)
            for target in item.targets:
                counts[target.status] += 1
            rows.append([item.outcome.name, str(len(item.targets)), *(str(counts[s]) for s in Status.values)])
        summary.append(Table(["Shared outcome", "Targets", *(Status(s).label for s in Status.values)], rows,
                             [40, 12, 12, 12, 12, 16], align="LRRRRR"))
    sections = [summary_section(sponsor_summary(view)), Section("Summary", summary)]

    outcomes: list = []
    if not view.outcomes:
        outcomes.append(Paragraph("No shared outcomes are defined yet.", "muted"))
    for item in view.outcomes:
        outcome = item.outcome
        outcomes.append(Subheading(outcome.name))
        if outcome.description:
            outcomes.append(Paragraph(outcome.description, "muted"))
        if item.statements:
            outcomes.append(Bullets([f"{s.customer_goal} → {s.business_outcome}"
                                     + (f" → {s.target.metric.name} {s.target.comparator} {plain(s.target.value)} "
                                        f"by {day_text(s.target.due)}" if s.target_id else "")
                                     for s in item.statements]))
        outcomes.extend(targets_blocks(item.targets, empty="No targets for this outcome yet: not enough data "
                                                           "to judge it."))
        if item.kpi_links:
            outcomes.append(Paragraph("Team KPIs linked: " + "; ".join(
                f"{link.kpi.name} ({link.kpi.team.name}) {link.get_kind_display().lower()} it"
                for link in item.kpi_links) + ".", "muted"))
    sections.append(Section("Shared outcomes against target", outcomes))

    sections.append(Section("Tensions found in the data", tension_blocks(
        view.tensions, view.as_of,
        empty="No tension found: no team KPI improved while a shared measure at that team's steps credibly "
              "worsened over the same months.")))

    label = CATALOGUE[worst_metric].label
    worst: list = [Paragraph(f"The steps with the worst {label} from {day_text(period.start)} to "
                             f"{day_text(period.end)}, among steps with at least {DEFAULT_MIN_N} responses, and "
                             "the teams that own them.", "muted")]
    if view.worst_steps:
        rows = [[w.step.name, f"{w.step.stage.journey.name} · {w.step.stage.name}", value_text(w.value, w.metric),
                 interval_text(w.value, w.metric), str(w.value.n),
                 ", ".join(t.name for t in w.owners) or "nobody owns it"] for w in view.worst_steps]
        worst.append(Table(["Step", "Journey · stage", label, "95% interval", "n", "Owned by"], rows,
                           [25, 25, 11, 17, 8, 24], align="LLRRRL"))
        dots = [{"label": w.step.name, "value": w.value.value, "low": w.value.low, "high": w.value.high,
                 "n_label": f"n {w.value.n}"} for w in view.worst_steps if w.value.low is not None]
        if dots:
            worst.append(Chart(interval_dots_spec(dots, worst_metric, x_title=f"{label} (95% interval)"),
                               f"Worst steps by {label}: dot = value, bar = 95% interval"))
    else:
        worst.append(Paragraph("Not enough data: no step has enough responses in this period.", "muted"))
    sections.append(Section(f"Worst steps ({label})", worst))

    gaps: list = []
    if coverage.unowned_steps:
        gaps.append(Subheading(f"Steps nobody owns ({len(coverage.unowned_steps)})"))
        gaps.append(Bullets([f"{s.name} — {s.stage.journey.name} · {s.stage.name}" for s in coverage.unowned_steps]))
    if coverage.shared_without_lead:
        gaps.append(Subheading(f"Shared steps without a lead ({len(coverage.shared_without_lead)})"))
        gaps.append(Bullets([f"{s.name} — owned by {', '.join(t.name for t in teams)}"
                             for s, teams in coverage.shared_without_lead]))
    if coverage.idle_teams:
        gaps.append(Subheading(f"Teams that touch no step ({len(coverage.idle_teams)})"))
        gaps.append(Bullets([t.name for t in coverage.idle_teams]))
    if not gaps:
        gaps.append(Paragraph("No coverage gaps: every step has an owner, every shared step a lead, every team "
                              "a part.", "muted"))
    sections.append(Section("Coverage gaps", gaps))

    if view.stale_journeys:
        rows = [[j.name, str(j.keeper) if j.keeper_id else MISSING,
                 day_text(j.last_reviewed_at.date() if j.last_reviewed_at else None)] for j in view.stale_journeys]
        stale = [Table(["Journey", "Keeper", "Last reviewed"], rows, [45, 30, 25])]
    else:
        stale = [Paragraph("Every journey has been reviewed within the review interval.", "muted")]
    sections.append(Section("Journeys overdue for review", stale))

    meta = [("Organization", workspace.name), ("As of", day_text(view.as_of)), ("Data through", data_through_text()),
            ("Period", f"{day_text(period.start)} – {day_text(period.end)} ({period.days} days)")]
    return Document("Organization report", workspace.name or "Organization", meta, view.mission, sections,
                    view.as_of)
