"""Team scorecards and the organization view as documents: Markdown, PDF and PNG.

One document model (`Document` → `Section` → blocks) is built from `queries.scorecard()` or
`queries.org_view()`, then written out by a renderer, so the three formats always carry the
same sections and the same numbers as the pages:

- **Markdown**: headings and tables; a chart becomes its caption and its numbers in text.
- **PDF** (fpdf2, A4, numbered pages): the same sections; charts are Vega-Lite specs rendered
  to PNG by vl-convert and embedded. Text is set in the vendored DejaVu Sans (`fonts/`,
  Bitstream Vera licence): the PDF core fonts are latin-1 only, and reports carry ≥ ≤ – “ ” → €
  ✓ and whatever language people write their KPIs in.
- **PNG**: every page of the PDF rendered by pypdfium2 and stacked top to bottom into one image.

Nothing is fetched while rendering: chart data is inline, vl-convert is told to allow no
external URL (`allowed_base_urls=[]`) and uses the vendored font, never a remote one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from cxkeeper import __version__
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N, MetricValue
from cxkeeper.journeys.choices import ResponsibilityRole
from cxkeeper.org.models import Team, Workspace
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.choices import LinkKind, Status
from cxkeeper.outcomes.models import BASE_METRICS

FORMATS = ("pdf", "png", "md")
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "md": "text/markdown; charset=utf-8"}
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVu Sans"
PNG_SCALE = 1.5  # PDF points → pixels for --format png (108 dpi): readable, not huge
CHART_SCALE = 2  # chart bitmaps at twice their CSS size, sharp when printed

INK, MUTED, LINE, BRAND, TARGET = "#1d2433", "#5a6375", "#d9dee8", "#2546a8", "#c2410c"
KPI_COLOUR = "#0f766e"
STATUS_MARK = {Status.ON_TRACK: "✓", Status.AT_RISK: "!", Status.OFF_TRACK: "✗", Status.NO_DATA: "–"}
STATUS_COLOURS = {  # text, background
    Status.ON_TRACK: ("#166534", "#dcfce7"),
    Status.AT_RISK: ("#92400e", "#fef3c7"),
    Status.OFF_TRACK: ("#991b1b", "#fee2e2"),
    Status.NO_DATA: ("#475569", "#f1f5f9"),
}
NO_NORTH_STAR = "Not written yet: keepers write the mission statement on the CX language page."
FRICTION_KINDS = {"worse_than_journey": "worse than its journey", "worse_than_before": "worse than before",
                  "volume_spike": "volume spike", "negative_theme": "negative theme"}


class UnknownFormat(ValueError):
    def __init__(self, fmt: str):
        super().__init__(f"Unknown report format “{fmt}”; choose one of {', '.join(FORMATS)}.")


# ---------------------------------------------------------------- the document model


@dataclass
class Paragraph:
    text: str
    tone: str = "normal"  # normal | muted | lead


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Subheading:
    text: str


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative column widths in the PDF
    align: str = ""  # one letter per column, L or R (default L)
    status_column: int | None = None  # cells coloured by the row's status
    statuses: list[str] = field(default_factory=list)
    # A long text per row (an explanation): a last column in Markdown, a full-width line
    # under its row in the PDF, where a narrow column would make it unreadable.
    details: list[str] = field(default_factory=list)
    details_title: str = "Explanation"


@dataclass
class Chart:
    spec: dict  # Vega-Lite, data inline
    caption: str
    text: str = ""  # the chart's numbers in words, for Markdown and screen readers
    half: bool = False  # half the page wide: consecutive half charts sit side by side in the PDF


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    kind: str  # "Team scorecard" | "Organization report"
    title: str
    meta: list[tuple[str, str]]
    north_star: str
    sections: list[Section]
    as_of: dt.date

    @property
    def footer(self) -> str:
        return (f"cxkeeper {__version__} · generated {dt.date.today():%d %b %Y} · values are measured with 95% "
                f"intervals; fewer than {DEFAULT_MIN_N} responses is “not enough data”.")


# ---------------------------------------------------------------- numbers as text


def _num(value: float | None, digits: int) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace("-", "−")


def _signed(value: float | None, digits: int) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + _num(value, digits)


def _g(value: float) -> str:
    """A target as people write it (5.5, 70, −10), with a real minus sign."""
    return f"{value:g}".replace("-", "−")


def _digits(base: str) -> int:
    return 2 if base in ("ces", "sentiment") else (0 if base == "volume" else 1)


def _unit(base: str) -> str:
    return BASE_METRICS[base][1]


def value_text(value: MetricValue, base: str) -> str:
    if not value.enough or value.value is None:
        return f"not enough data (n = {value.n})"
    return f"{_num(value.value, _digits(base))}{_unit(base)}"


def interval_text(value: MetricValue, base: str) -> str:
    if not value.enough or value.low is None or value.high is None:
        return "–"
    d = _digits(base)
    return f"{_num(value.low, d)} – {_num(value.high, d)}{_unit(base)}"


def _day(day: dt.date | None) -> str:
    return f"{day:%-d %b %Y}" if day else "–"


def _month(day: dt.date) -> str:
    return f"{day:%b %y}"


def _status_label(status: str) -> str:
    return f"{STATUS_MARK[status]} {Status(status).label}"


def _status_summary(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{counts[s]} {Status(s).label.lower()}" for s in Status.values)
    return f"{total} target{'s' if total != 1 else ''}: {parts}."


def _kpi_number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    text = text.replace("-", "−")
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}".strip()


# ---------------------------------------------------------------- charts (Vega-Lite)

CHART_CONFIG = {
    "font": FONT_FAMILY,
    "view": {"stroke": None},
    "axis": {"labelColor": INK, "titleColor": MUTED, "labelFontSize": 11, "titleFontSize": 11,
             "gridColor": "#eef1f7", "domainColor": LINE, "tickColor": LINE, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": INK},
}
CHART_WIDTH = 560
HALF_CHART_WIDTH = 270  # CSS pixels; ~88 mm on paper, so labels print at the same size as full-width charts


def _chart(**spec) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "config": CHART_CONFIG,
            "background": "white", "padding": 6, **{"width": CHART_WIDTH, **spec}}


def _month_x(title=None) -> dict:
    return {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth", "title": title,
            "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": True, "tickCount": 6}}


def _monthly_rows(monthly: list[tuple[dt.date, MetricValue]]) -> list[dict]:
    return [{"month": day.isoformat(), "value": v.value if v.enough else None, "low": v.low if v.enough else None,
             "high": v.high if v.enough else None, "n": v.n} for day, v in monthly]


def target_trend_spec(view: queries.TargetView, *, width: int = CHART_WIDTH) -> dict:
    """Monthly values with their 95% band (months with too few responses leave a gap) and the
    target as a dashed line."""
    target, metric = view.target, view.target.metric
    fmt = "." + str(_digits(metric.base)) + "f"
    title = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
    y = {"field": "value", "type": "quantitative", "title": title,
         "scale": {"zero": False}, "axis": {"format": fmt, "tickCount": 5}}
    months = {"values": _monthly_rows(view.monthly)}
    layers = [
        {"data": months, "mark": {"type": "area", "color": BRAND, "opacity": 0.16},
         "encoding": {"x": _month_x(), "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
        {"data": months, "mark": {"type": "rule", "color": BRAND, "opacity": 0.45},
         "encoding": {"x": _month_x(), "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
        {"data": months, "mark": {"type": "line", "color": BRAND, "strokeWidth": 2.5,
                                  "point": {"filled": True, "size": 40, "color": BRAND}},
         "encoding": {"x": _month_x(), "y": y}},
        {"data": {"values": [{"target": target.value}]},
         "mark": {"type": "rule", "color": TARGET, "strokeWidth": 1.5, "strokeDash": [6, 4]},
         "encoding": {"y": {"field": "target", "type": "quantitative"}}},
        {"data": {"values": [{"target": target.value, "label": f"target {target.comparator} {_g(target.value)}"}]},
         "mark": {"type": "text", "color": TARGET, "align": "right", "baseline": "bottom", "dy": -3, "x": "width",
                  "fontSize": 10},
         "encoding": {"y": {"field": "target", "type": "quantitative"}, "text": {"field": "label"}}},
    ]
    return _chart(height=110, width=width, layer=layers)


def _series_text(monthly: list[tuple[dt.date, MetricValue]], base: str) -> str:
    parts = [f"{_month(day)} {_num(v.value, _digits(base))} (n {v.n})" if v.enough else f"{_month(day)} – (n {v.n})"
             for day, v in monthly]
    return "Monthly: " + " · ".join(parts) + "."


def kpi_spec(view: queries.KpiView, *, width: int = CHART_WIDTH) -> dict:
    kpi = view.kpi
    rows = [{"month": day.isoformat(), "value": value} for day, value in view.series]
    return _chart(height=100, width=width, data={"values": rows},
                  mark={"type": "line", "color": KPI_COLOUR, "strokeWidth": 2.5,
                        "point": {"filled": True, "size": 36, "color": KPI_COLOUR}},
                  encoding={"x": _month_x(),
                            "y": {"field": "value", "type": "quantitative", "title": kpi.unit or None,
                                  "scale": {"zero": False},
                                  "axis": {"tickCount": 4}}})


def _interval_dots_spec(rows: list[dict], base: str, *, x_title: str) -> dict:
    """One row per label: the value as a dot with its 95% interval as a bar (most useful for
    comparing steps with different n)."""
    fmt = "." + str(_digits(base)) + "f"
    y = {"field": "label", "type": "nominal", "title": None, "sort": None,
         "axis": {"labelLimit": 260, "labelFontSize": 11}}
    x_scale = {"zero": False}
    return _chart(height=max(len(rows), 1) * 24, data={"values": rows}, layer=[
        {"mark": {"type": "rule", "color": BRAND, "strokeWidth": 3, "opacity": 0.35},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": x_title, "scale": x_scale,
                                    "axis": {"format": fmt, "tickCount": 8, "labelOverlap": True}},
                      "x2": {"field": "high"}}},
        {"mark": {"type": "point", "filled": True, "size": 70, "color": BRAND},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"}}},
        {"mark": {"type": "text", "align": "left", "dx": 8, "dy": -8, "fontSize": 10, "color": MUTED},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"}, "text": {"field": "n_label"}}},
    ])


def steps_spec(lines: list[queries.StepLine], base: str) -> tuple[dict, str] | None:
    rows = []
    for line in lines:
        value = line.changes[base].current
        if value.enough and value.low is not None:
            rows.append({"label": line.step.name, "value": value.value, "low": value.low, "high": value.high,
                         "n_label": f"n {value.n}"})
    if not rows:
        return None
    label = BASE_METRICS[base][0]
    text = "; ".join(f"{r['label']} {_num(r['value'], _digits(base))} [{_num(r['low'], _digits(base))}, "
                     f"{_num(r['high'], _digits(base))}]" for r in rows)
    return _interval_dots_spec(rows, base, x_title=f"{label} this period (95% interval)"), text


def tension_spec(finding: queries.TensionFinding, as_of: dt.date) -> dict:
    kpi, metric = finding.kpi, finding.metric
    kpi_rows = [{"month": day.isoformat(), "value": value} for day, value in queries.kpi_series(kpi, end=as_of)]
    measure = queries.monthly_values(metric, finding.steps, end=as_of)

    def panel(data, colour, title, axis_title, band=False):
        layers = []
        if band:
            layers.append({"mark": {"type": "area", "color": colour, "opacity": 0.16},
                           "encoding": {"x": _month_x(), "y": {"field": "low", "type": "quantitative"},
                                        "y2": {"field": "high"}}})
        layers.append({"mark": {"type": "line", "color": colour, "strokeWidth": 2.5,
                                "point": {"filled": True, "size": 36, "color": colour}},
                       "encoding": {"x": _month_x(), "y": {"field": "value", "type": "quantitative",
                                                            "title": axis_title, "scale": {"zero": False},
                                                            "axis": {"tickCount": 4}}}})
        return {"width": CHART_WIDTH, "height": 80, "data": {"values": data}, "layer": layers,
                "title": {"text": title, "anchor": "start", "fontSize": 11, "color": colour, "fontWeight": "bold"}}

    measure_title = f"{metric.name} at {kpi.team.name}'s steps (95% band)"
    spec = _chart(vconcat=[panel(kpi_rows, KPI_COLOUR, f"{kpi.name} ({kpi.get_direction_display().lower()})",
                                 kpi.unit or None),
                           panel(_monthly_rows(measure), BRAND, measure_title,
                                 metric.unit or BASE_METRICS[metric.base][0], band=True)],
                  resolve={"scale": {"x": "shared"}}, spacing=10)
    spec.pop("width")
    return spec


# ---------------------------------------------------------------- building blocks shared by both reports


def _targets_blocks(views: list[queries.TargetView], *, empty: str) -> list:
    if not views:
        return [Paragraph(empty, "muted")]
    rows, statuses, details = [], [], []
    for view in views:
        target, current = view.target, view.assessment.current or MetricValue.too_few(0)
        base = target.metric.base
        rows.append([f"{target.metric.name} {target.comparator} {_g(target.value)}{target.metric.unit} "
                     f"by {_day(target.due)}", target.scope_label, value_text(current, base),
                     interval_text(current, base), str(current.n), _status_label(view.status)])
        statuses.append(view.status)
        details.append(view.assessment.explanation)
    blocks: list = [Table(["Target", "Scope", "Value", "95% interval", "n", "Status"], rows,
                          [34, 25, 15, 17, 7, 17], align="LLRRRL", status_column=5, statuses=statuses,
                          details=details)]
    charted = [view for view in views if any(v.enough for _, v in view.monthly)]
    if charted:
        blocks.append(Paragraph("Per month: the line is the value, the band its 95% interval, the dashed line the "
                                f"target; months with fewer than {DEFAULT_MIN_N} responses are left out.", "muted"))
    for view in charted:
        target = view.target
        caption = (f"{target.metric.name} at {target.scope_label} {target.comparator} {_g(target.value)} by "
                   f"{_day(target.due)} — {Status(view.status).label.lower()}")
        blocks.append(Chart(target_trend_spec(view, width=HALF_CHART_WIDTH), caption,
                            _series_text(view.monthly, target.metric.base), half=True))
    return blocks


def _tension_blocks(findings: list[queries.TensionFinding], as_of: dt.date, *, empty: str) -> list:
    if not findings:
        return [Paragraph(empty, "muted")]
    blocks: list = []
    for finding in findings:
        kpi, test = finding.kpi, finding.test
        outcomes = ", ".join(o.name for o in finding.outcomes) or "–"
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
        text = (f"{kpi.name}: " + " · ".join(f"{_month(d)} {_kpi_number(v, kpi.unit)}" for d, v in series) + ". "
                + _series_text(queries.monthly_values(finding.metric, finding.steps, end=as_of), finding.metric.base)
                .replace("Monthly:", f"{finding.metric.name}:", 1))
        blocks.append(Chart(tension_spec(finding, as_of),
                            f"{kpi.name} (top, teal) and {finding.metric.name} at {kpi.team.name}'s steps "
                            "(bottom, blue, with 95% band), per month", text))
    return blocks


# ---------------------------------------------------------------- team scorecard


def _change_text(change: queries.Change) -> str:
    if change.difference is None:
        return "not enough data"
    digits = _digits(change.metric)
    text = _signed(change.difference, digits)
    comparison = change.comparison
    q = getattr(comparison, "p_adjusted", None)
    q_text = f"q = {q:.3f}" if q is not None and q >= 0.001 else "q < 0.001"
    if change.significant:
        verdict = {True: "better", False: "worse", None: "changed"}[change.better]
        return f"{text}, {verdict} ({q_text})"
    return f"{text}, no clear change" + (f" ({q_text})" if q is not None else "")


def _cell_with_change(change: queries.Change) -> str:
    if not change.current.enough:
        return f"– (n {change.current.n})" if change.current.n else "–"
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
        summary.append(Paragraph(_status_summary(card.status_counts), "lead"))
    else:
        summary.append(Paragraph("No targets cover this team's steps yet.", "lead"))
    summary.append(Paragraph(
        f"{team.name} owns {len(owned)} step{'s' if len(owned) != 1 else ''} and contributes to {len(contributed)}; "
        f"{n_now:,} responses at these steps in the period. {len(card.kpis)} team KPI"
        f"{'s' if len(card.kpis) != 1 else ''}, {len(card.tensions)} tension{'s' if len(card.tensions) != 1 else ''} "
        f"found in the data, {len(card.friction)} friction signal{'s' if len(card.friction) != 1 else ''}."))
    if not any_enough:
        summary.append(Paragraph(
            f"Not enough data: fewer than {DEFAULT_MIN_N} responses at this team's steps in this period, so its "
            "measures cannot be judged yet. Import feedback routed to these steps, or widen the period.", "muted"))

    sections = [Section("Summary", summary)]
    sections.append(Section("Targets at the team's steps", _targets_blocks(
        card.targets, empty="No targets cover the steps this team owns or contributes to. Keepers set targets per "
                            "organization, journey, stage or step.")))

    measures: list = [Paragraph(f"This period: {_day(period.start)} – {_day(period.end)}; previous: "
                                f"{_day(period.previous_start)} – {_day(period.previous_end)}. Differences are "
                                "tested and corrected for the number of comparisons on this scorecard (q).", "muted")]
    rows = []
    for base, change in card.totals.items():
        rows.append([BASE_METRICS[base][0], value_text(change.current, base), interval_text(change.current, base),
                     str(change.current.n), value_text(change.previous, base), interval_text(change.previous, base),
                     str(change.previous.n), _change_text(change)])
    measures.append(Table(["Measure", "This period", "95% interval", "n", "Previous", "95% interval", "n", "Change"],
                          rows, [13, 14, 16, 7, 14, 16, 7, 29], align="LRRRRRRL"))
    if card.steps:
        measures.append(Subheading("By step"))
        step_rows = []
        for line in card.steps:
            role = "owns" if line.role == ResponsibilityRole.OWNS else "contributes"
            step_rows.append([line.step.name, f"{line.step.stage.journey.name} · {line.step.stage.name}", role,
                              str(line.n), *(_cell_with_change(line.changes[m]) for m in queries.HEADLINE_METRICS)])
        headline = [BASE_METRICS[m][0] for m in queries.HEADLINE_METRICS]
        measures.append(Table(["Step", "Journey · stage", "Role", "n", *headline], step_rows,
                              [24, 24, 15, 7, 10, 11, 10, 14], align="LLLRRRRR"))
        measures.append(Paragraph("▲ better, ▼ worse than the previous period (significant after correction); "
                                  "– fewer than the minimum responses.", "muted"))
        for base in ("ces", "nps"):
            found = steps_spec(card.steps, base)
            if found:
                spec, text = found
                measures.append(Chart(spec, f"{BASE_METRICS[base][0]} by step this period: dot = value, "
                                            "bar = 95% interval", text))
    else:
        measures.append(Paragraph(f"{team.name} owns or contributes to no step of the journey map yet.", "muted"))
    sections.append(Section("Measures: this period against the previous", measures))

    kpis: list = []
    if card.kpis:
        rows, details = [], []
        for view in card.kpis:
            kpi = view.kpi
            links = "; ".join(f"{link.get_kind_display().lower()} {link.outcome.name}" for link in view.links) or "–"
            latest = f"{_kpi_number(view.latest[1], kpi.unit)} ({_month(view.latest[0])})" if view.latest else \
                "not enough data"
            change = "–" if view.change is None else _kpi_number(view.change, kpi.unit) if view.change < 0 else \
                "+" + _kpi_number(view.change, kpi.unit)
            if view.improving is not None:
                change += ", improving" if view.improving else ", worsening"
            rows.append([kpi.name, kpi.get_direction_display(), latest, change, str(len(view.series)), links])
            details.append(" ".join(t.test.explanation for t in view.tensions) if view.tensions else "")
        kpis.append(Table(["KPI", "Good direction", "Latest", "Change", "Months", "Linked to"], rows,
                          [24, 16, 18, 18, 9, 30], align="LLRRRL", details=details if any(details) else [],
                          details_title="Tension found"))
        for view in card.kpis:
            if len(view.series) >= 2:
                text = "Values: " + " · ".join(f"{_month(d)} {_kpi_number(v, view.kpi.unit)}" for d, v in view.series)
                direction = view.kpi.get_direction_display().lower()
                kpis.append(Chart(kpi_spec(view, width=HALF_CHART_WIDTH), f"{view.kpi.name} per month ({direction})",
                                  text + ".", half=True))
    else:
        kpis.append(Paragraph(f"{team.name} has declared no KPIs.", "muted"))
    sections.append(Section("Team KPIs", kpis))

    sections.append(Section("Tensions found in the data", _tension_blocks(
        card.tensions, card.as_of,
        empty="No tension found: none of this team's KPIs improved while a shared measure at its steps credibly "
              "worsened over the same months (or there are not yet enough months to tell).")))

    friction: list = []
    if card.friction:
        rows, details = [], []
        for signal in card.friction:
            base = signal.metric if signal.metric in BASE_METRICS else "volume"
            digits = _digits(base)
            difference = _signed(signal.difference, digits)
            if signal.difference_low is not None and signal.difference_high is not None:
                difference += f" [{_num(signal.difference_low, digits)}, {_num(signal.difference_high, digits)}]"
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
                 h.description or "–"] for h in card.handoffs]
        sections.append(Section("Handoffs", [Table(["From", "To", "What passes"], rows, [35, 35, 30])]))

    meta = [("Team", team.name), ("Period", f"{_day(period.start)} – {_day(period.end)} ({period.days} days)"),
            ("Compared with", f"{_day(period.previous_start)} – {_day(period.previous_end)}"),
            ("As of", _day(card.as_of)), ("Organization", workspace.name)]
    return Document("Team scorecard", team.name, meta, workspace.mission, sections, card.as_of)


# ---------------------------------------------------------------- organization report


def org_document(view: queries.OrgView, *, period_days: int = 90, worst_metric: str = "ces") -> Document:
    workspace = Workspace.current()
    period = queries.period_ending(view.as_of, period_days)
    coverage = view.coverage
    summary: list = []
    targets = [t for o in view.outcomes for t in o.targets]
    summary.append(Paragraph(_status_summary(view.status_counts) if targets else
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
    sections = [Section("Summary", summary)]

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
                                     + (f" → {s.target.metric.name} {s.target.comparator} {s.target.value:g} by "
                                        f"{_day(s.target.due)}" if s.target_id else "") for s in item.statements]))
        outcomes.extend(_targets_blocks(item.targets, empty="No targets for this outcome yet: not enough data "
                                                            "to judge it."))
        if item.kpi_links:
            outcomes.append(Paragraph("Team KPIs linked: " + "; ".join(
                f"{link.kpi.name} ({link.kpi.team.name}) {link.get_kind_display().lower()} it"
                for link in item.kpi_links) + ".", "muted"))
    sections.append(Section("Shared outcomes against target", outcomes))

    sections.append(Section("Tensions found in the data", _tension_blocks(
        view.tensions, view.as_of,
        empty="No tension found: no team KPI improved while a shared measure at that team's steps credibly "
              "worsened over the same months.")))

    label = BASE_METRICS[worst_metric][0]
    worst: list = [Paragraph(f"The steps with the worst {label} from {_day(period.start)} to {_day(period.end)}, "
                             f"among steps with at least {DEFAULT_MIN_N} responses, and the teams that own them.",
                             "muted")]
    if view.worst_steps:
        rows = [[w.step.name, f"{w.step.stage.journey.name} · {w.step.stage.name}", value_text(w.value, w.metric),
                 interval_text(w.value, w.metric), str(w.value.n),
                 ", ".join(t.name for t in w.owners) or "nobody owns it"] for w in view.worst_steps]
        worst.append(Table(["Step", "Journey · stage", label, "95% interval", "n", "Owned by"], rows,
                           [25, 25, 11, 17, 8, 24], align="LLRRRL"))
        dots = [{"label": w.step.name, "value": w.value.value, "low": w.value.low, "high": w.value.high,
                 "n_label": f"n {w.value.n}"} for w in view.worst_steps if w.value.low is not None]
        if dots:
            worst.append(Chart(_interval_dots_spec(dots, worst_metric, x_title=f"{label} (95% interval)"),
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
        rows = [[j.name, str(j.keeper) if j.keeper_id else "–",
                 _day(j.last_reviewed_at.date() if j.last_reviewed_at else None)] for j in view.stale_journeys]
        stale = [Table(["Journey", "Keeper", "Last reviewed"], rows, [45, 30, 25])]
    else:
        stale = [Paragraph("Every journey has been reviewed within the review interval.", "muted")]
    sections.append(Section("Journeys overdue for review", stale))

    meta = [("Organization", workspace.name), ("As of", _day(view.as_of)),
            ("Period", f"{_day(period.start)} – {_day(period.end)} ({period.days} days)")]
    return Document("Organization report", workspace.name or "Organization", meta, view.mission, sections,
                    view.as_of)


# ---------------------------------------------------------------- Markdown


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # "p<0.001" stays readable; "<script" does not become HTML


_EMPHASIS = re.compile(r"([\\*_`])")


def _md(text: str) -> str:
    """User text inside Markdown: no accidental HTML, emphasis or code, no broken lines."""
    text = _EMPHASIS.sub(r"\\\1", text)
    return _TAG_START.sub("&lt;", text).replace("\r", " ").replace("\n", " ")


def _md_cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def to_markdown(doc: Document) -> str:
    out = [f"# {doc.kind}: {_md(doc.title)}", ""]
    out += [f"- **{label}:** {_md(value)}" for label, value in doc.meta]
    out += ["", f"> **North Star:** {_md(doc.north_star or NO_NORTH_STAR)}"]
    for section in doc.sections:
        out += ["", f"## {section.title}", ""]
        for block in section.blocks:
            out += _md_block(block) + [""]
    out += ["---", "", f"_{doc.footer}_", ""]
    return "\n".join(line.rstrip() for line in out).replace("\n\n\n", "\n\n")


def _md_block(block) -> list[str]:
    if isinstance(block, Paragraph):
        text = _md(block.text)
        return [f"**{text}**" if block.tone == "lead" else f"_{text}_" if block.tone == "muted" else text]
    if isinstance(block, Subheading):
        return [f"### {_md(block.text)}"]
    if isinstance(block, Bullets):
        return [f"- {_md(item)}" for item in block.items]
    if isinstance(block, Chart):
        return [f"_Chart (in the PDF): {_md(block.caption)}._" + (f" {_md(block.text)}" if block.text else "")]
    if isinstance(block, Table):
        columns = list(block.columns) + ([block.details_title] if block.details else [])
        align = (block.align or "L" * len(block.columns)).ljust(len(block.columns), "L")
        align += "L" if block.details else ""
        lines = ["| " + " | ".join(columns) + " |",
                 "|" + "|".join("---:" if a == "R" else "---" for a in align) + "|"]
        for index, row in enumerate(block.rows):
            cells = list(row) + ([block.details[index] or "–"] if block.details else [])
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        return lines
    raise TypeError(f"unknown block {block!r}")


# ---------------------------------------------------------------- PDF


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


_fonts_registered = False


def render_chart_png(spec: dict) -> bytes:
    """A Vega-Lite spec as PNG bytes, offline: no external URL is allowed, the font is ours."""
    import vl_convert as vlc

    global _fonts_registered
    if not _fonts_registered:
        vlc.register_font_directory(str(FONT_DIR))
        _fonts_registered = True
    return vlc.vegalite_to_png(spec, scale=CHART_SCALE, allowed_base_urls=[])


def to_pdf(doc: Document, *, chart_renderer: Callable[[dict], bytes] = render_chart_png) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace
    from PIL import Image

    class ReportPdf(FPDF):
        def header(self):
            if self.page_no() == 1:
                return
            self.set_font("DejaVu", "", 8)
            self.set_text_color(*_rgb(MUTED))
            self.cell(0, 5, f"{doc.kind} · {doc.title} · as of {_day(doc.as_of)}", new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(*_rgb(LINE))
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.ln(5)

        def footer(self):
            self.set_y(-13)
            self.set_font("DejaVu", "", 7.5)
            self.set_text_color(*_rgb(MUTED))
            self.cell(self.epw * 0.8, 5, f"cxkeeper · {doc.kind} · {doc.title}")
            self.cell(self.epw * 0.2, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = ReportPdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"{doc.kind}: {doc.title}")
    pdf.set_author("cxkeeper")
    pdf.set_creator(f"cxkeeper {__version__}")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.alias_nb_pages()
    pdf.add_page()

    def text(size, colour=INK, style=""):
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*_rgb(colour))

    # Title block
    text(9, MUTED)
    pdf.cell(0, 5, doc.kind.upper(), new_x="LMARGIN", new_y="NEXT")
    text(22, INK, "B")
    pdf.multi_cell(0, 10, doc.title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1)
    for label, value in doc.meta:
        text(9, MUTED)
        pdf.cell(32, 5, label)
        text(9, INK)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)
    top = pdf.get_y()
    pdf.set_x(pdf.l_margin + 4)
    text(8, BRAND, "B")
    pdf.cell(0, 6, "NORTH STAR", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 4)
    text(11, INK if doc.north_star else MUTED)
    pdf.multi_cell(pdf.epw - 8, 5.5, doc.north_star or NO_NORTH_STAR, new_x="LMARGIN", new_y="NEXT", align="L")
    bottom = pdf.get_y() + 2
    pdf.set_fill_color(*_rgb(BRAND))
    pdf.rect(pdf.l_margin, top, 1.2, bottom - top, style="F")
    pdf.set_fill_color(255, 255, 255)  # table cells inherit the fill colour
    pdf.set_y(bottom)
    pdf.ln(2)

    def section_title(title):
        if pdf.will_page_break(40):
            pdf.add_page()
        pdf.ln(4)
        text(14, BRAND, "B")
        pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*_rgb(LINE))
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(3)

    def table(block: Table):
        text(8)
        pdf.set_fill_color(255, 255, 255)
        total = sum(block.widths)
        widths = [w / total * pdf.epw for w in block.widths]
        align = (block.align or "L" * len(block.columns)).ljust(len(block.columns), "L")
        heading = FontFace(emphasis="BOLD", color=_rgb(MUTED), fill_color=_rgb("#eef1f7"), size_pt=7.5)
        detail_style = FontFace(color=_rgb(MUTED), size_pt=7.5)
        with pdf.table(col_widths=widths, width=pdf.epw, line_height=4.2, text_align=tuple(align),
                       headings_style=heading, borders_layout="HORIZONTAL_LINES", padding=(1.2, 1.5),
                       v_align="TOP") as t:
            row = t.row()
            for column in block.columns:
                row.cell(column)
            for index, cells in enumerate(block.rows):
                row = t.row()
                for position, cell in enumerate(cells):
                    style = None
                    if position == block.status_column and index < len(block.statuses):
                        fg, bg = STATUS_COLOURS.get(block.statuses[index], (INK, "#ffffff"))
                        style = FontFace(emphasis="BOLD", color=_rgb(fg), fill_color=_rgb(bg))
                    row.cell(cell, style=style)
                if block.details and block.details[index]:
                    t.row().cell(block.details[index], colspan=len(block.columns), style=detail_style,
                                 align="L")
        pdf.ln(2)

    gap = 6.0

    def charts(blocks: list[Chart]):
        """One full-width chart, or two half-width charts side by side, captions above."""
        width = (pdf.epw - gap) / 2 if blocks[0].half else pdf.epw
        images = []
        for block in blocks:
            png = chart_renderer(block.spec)
            with Image.open(io.BytesIO(png)) as image:
                images.append((png, width * image.size[1] / image.size[0]))
        text(8.5, MUTED)
        captions = [len(pdf.multi_cell(width, 4.2, b.caption, align="L", dry_run=True, output="LINES")) * 4.2
                    for b in blocks]
        needed = max(captions) + max(h for _, h in images) + 4
        if pdf.will_page_break(needed):
            pdf.add_page()
        top = pdf.get_y()
        for index, block in enumerate(blocks):
            x = pdf.l_margin + index * (width + gap)
            pdf.set_xy(x, top)
            text(8.5, MUTED)
            pdf.multi_cell(width, 4.2, block.caption, align="L")
            png, height = images[index]
            pdf.image(io.BytesIO(png), x=x, y=top + max(captions) + 0.5, w=width, h=height)
        pdf.set_xy(pdf.l_margin, top + needed)

    for section in doc.sections:
        section_title(section.title)
        blocks = list(section.blocks)
        while blocks:
            block = blocks.pop(0)
            if isinstance(block, Chart):
                row = [block]
                if block.half and blocks and isinstance(blocks[0], Chart) and blocks[0].half:
                    row.append(blocks.pop(0))
                charts(row)
                continue
            if isinstance(block, Paragraph):
                if block.tone == "lead":
                    text(11, INK, "B")
                else:
                    text(9, MUTED if block.tone == "muted" else INK)
                pdf.multi_cell(0, 5 if block.tone == "lead" else 4.6, block.text, new_x="LMARGIN", new_y="NEXT",
                               align="L")
                pdf.ln(1.5)
            elif isinstance(block, Subheading):
                if pdf.will_page_break(25):
                    pdf.add_page()
                pdf.ln(1.5)
                text(10.5, INK, "B")
                pdf.multi_cell(0, 5.5, block.text, new_x="LMARGIN", new_y="NEXT", align="L")
                pdf.ln(0.5)
            elif isinstance(block, Bullets):
                text(9)
                for item in block.items:
                    pdf.set_x(pdf.l_margin + 2)
                    pdf.cell(4, 4.6, "•")
                    pdf.multi_cell(pdf.epw - 6, 4.6, item, new_x="LMARGIN", new_y="NEXT", align="L")
                pdf.ln(1.5)
            elif isinstance(block, Table):
                table(block)
    pdf.ln(4)
    text(7.5, MUTED)
    pdf.multi_cell(0, 4, doc.footer, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())


# ---------------------------------------------------------------- PNG


def pdf_to_png(pdf_bytes: bytes, *, scale: float = PNG_SCALE, first_page_only: bool = False) -> bytes:
    """Every page rendered and stacked top to bottom, a grey gap between pages (or the first page only)."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(pdf_bytes)
    try:
        count = 1 if first_page_only else len(document)
        pages = [document[i].render(scale=scale).to_pil().convert("RGB") for i in range(count)]
    finally:
        document.close()
    gap = 0 if len(pages) == 1 else max(6, round(8 * scale))
    width = max(p.width for p in pages)
    height = sum(p.height for p in pages) + gap * (len(pages) - 1)
    sheet = Image.new("RGB", (width, height), (203, 208, 218))
    y = 0
    for page in pages:
        sheet.paste(page, (0, y))
        y += page.height + gap
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


# ---------------------------------------------------------------- entry points


def render(doc: Document, fmt: str) -> bytes:
    if fmt == "md":
        return to_markdown(doc).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(doc)
    if fmt == "png":
        return pdf_to_png(to_pdf(doc))
    raise UnknownFormat(fmt)


def check_format(fmt: str) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise UnknownFormat(fmt)
    return fmt


@dataclass
class RenderedReport:
    content: bytes
    filename: str
    content_type: str


def scorecard_report(team: Team, fmt: str, *, period_days: int = 90, as_of: dt.date | None = None) -> RenderedReport:
    fmt = check_format(fmt)
    doc = scorecard_document(queries.scorecard(team, as_of=as_of, period_days=period_days))
    return RenderedReport(render(doc, fmt), report_filename("scorecard", team.slug or team.name, doc.as_of, fmt),
                          CONTENT_TYPES[fmt])


def org_report(fmt: str, *, period_days: int = 90, as_of: dt.date | None = None) -> RenderedReport:
    fmt = check_format(fmt)
    doc = org_document(queries.org_view(as_of=as_of, period_days=period_days), period_days=period_days)
    return RenderedReport(render(doc, fmt), report_filename("organization", doc.title, doc.as_of, fmt),
                          CONTENT_TYPES[fmt])


def report_filename(kind: str, name: str, as_of: dt.date, fmt: str) -> str:
    """e.g. cxkeeper-scorecard-customer-service-2026-11-22.pdf (ASCII, safe in any header)."""
    slug = slugify(name) or "report"
    return f"cxkeeper-{kind}-{slug}-{as_of.isoformat()}.{fmt}"
