"""The reports' charts as Vega-Lite specs (data inline), and their offline rendering to PNG for
the PDF: vl-convert with no external URL allowed and the vendored font."""

from __future__ import annotations

import datetime as dt

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.insights.charts import axis_format
from cxkeeper.insights.metrics import CATALOGUE, bounds, format_interval
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.reports.style import BRAND, FONT_DIR, FONT_FAMILY, INK, KPI_COLOUR, LINE, MUTED, TARGET
from cxkeeper.outcomes.reports.text import count, metric_num, target_text

CHART_SCALE = 2  # chart bitmaps at twice their CSS size, sharp when printed
CHART_CONFIG = {
    "font": FONT_FAMILY,
    "view": {"stroke": None},
    "axis": {"labelColor": INK, "titleColor": MUTED, "labelFontSize": 11, "titleFontSize": 11,
             "gridColor": "#eef1f7", "domainColor": LINE, "tickColor": LINE, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": INK},
}
CHART_WIDTH = 560
HALF_CHART_WIDTH = 270  # CSS pixels; ~88 mm on paper, so labels print at the same size as full-width charts


def chart(**spec) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "config": CHART_CONFIG,
            "background": "white", "padding": 6, **{"width": CHART_WIDTH, **spec}}


def month_x(title=None) -> dict:
    return {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth", "title": title,
            "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": True, "tickCount": 6}}


def monthly_rows(monthly: list[tuple[dt.date, MetricValue]], base: str | None = None) -> list[dict]:
    """One row per month; the band cut to the metric's scale (a chart never draws a CES of 7.2)."""
    scale = bounds(base) if base else None
    return [{"month": day.isoformat(), "value": v.value if v.enough else None,
             "low": numbers.clamp(v.low, scale) if v.enough else None,
             "high": numbers.clamp(v.high, scale) if v.enough else None, "n": v.n} for day, v in monthly]


def target_trend_spec(view: queries.TargetView, *, width: int = CHART_WIDTH) -> dict:
    """Monthly values with their 95% band (months with too few responses leave a gap) and the
    target as a dashed line."""
    target, metric = view.target, view.target.metric
    title = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
    y = {"field": "value", "type": "quantitative", "title": title,
         "scale": {"zero": False}, "axis": axis_format(metric.base, tickCount=5)}
    months = {"values": monthly_rows(view.monthly, metric.base)}
    layers = [
        {"data": months, "mark": {"type": "area", "color": BRAND, "opacity": 0.16},
         "encoding": {"x": month_x(), "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
        {"data": months, "mark": {"type": "rule", "color": BRAND, "opacity": 0.45},
         "encoding": {"x": month_x(), "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
        {"data": months, "mark": {"type": "line", "color": BRAND, "strokeWidth": 2.5,
                                  "point": {"filled": True, "size": 40, "color": BRAND}},
         "encoding": {"x": month_x(), "y": y}},
        {"data": {"values": [{"target": target.value}]},
         "mark": {"type": "rule", "color": TARGET, "strokeWidth": 1.5, "strokeDash": [6, 4]},
         "encoding": {"y": {"field": "target", "type": "quantitative"}}},
        {"data": {"values": [{"target": target.value,
                              "label": f"target {target.comparator} {target_text(target.value, metric.base)}"}]},
         "mark": {"type": "text", "color": TARGET, "align": "right", "baseline": "bottom", "dy": -3, "x": "width",
                  "fontSize": 10},
         "encoding": {"y": {"field": "target", "type": "quantitative"}, "text": {"field": "label"}}},
    ]
    return chart(height=110, width=width, layer=layers)


def kpi_spec(view: queries.KpiView, *, width: int = CHART_WIDTH) -> dict:
    kpi = view.kpi
    rows = [{"month": day.isoformat(), "value": value} for day, value in view.series]
    return chart(height=100, width=width, data={"values": rows},
                 mark={"type": "line", "color": KPI_COLOUR, "strokeWidth": 2.5,
                       "point": {"filled": True, "size": 36, "color": KPI_COLOUR}},
                 encoding={"x": month_x(),
                           "y": {"field": "value", "type": "quantitative", "title": kpi.unit or None,
                                 "scale": {"zero": False},
                                 "axis": {"tickCount": 4}}})


def interval_dots_spec(rows: list[dict], base: str, *, x_title: str) -> dict:
    """One row per label: the value as a dot with its 95% interval as a bar (most useful for
    comparing steps with different n)."""
    y = {"field": "label", "type": "nominal", "title": None, "sort": None,
         "axis": {"labelLimit": 260, "labelFontSize": 11}}
    x_scale = {"zero": False}
    return chart(height=max(len(rows), 1) * 24, data={"values": rows}, layer=[
        {"mark": {"type": "rule", "color": BRAND, "strokeWidth": 3, "opacity": 0.35},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": x_title, "scale": x_scale,
                                    "axis": axis_format(base, tickCount=8, labelOverlap=True)},
                      "x2": {"field": "high"}}},
        {"mark": {"type": "point", "filled": True, "size": 70, "color": BRAND},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"}}},
        {"mark": {"type": "text", "align": "left", "dx": 8, "dy": -8, "fontSize": 10, "color": MUTED},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"}, "text": {"field": "n_label"}}},
    ])


def steps_spec(lines: list[queries.StepLine], base: str) -> tuple[dict, str] | None:
    rows, words = [], []
    for line in lines:
        value = line.changes[base].current
        if value.enough and value.low is not None:
            _, low, high, _ = numbers.bounded(value.value, value.low, value.high, bounds(base))
            rows.append({"label": line.step.name, "value": value.value, "low": low, "high": high,
                         "n_label": f"n {count(value.n)}"})
            words.append(f"{line.step.name} {metric_num(value.value, base)} "
                         f"({format_interval(value.low, value.high, base, value=value.value)})")
    if not rows:
        return None
    label = CATALOGUE[base].label
    text = "; ".join(words)
    return interval_dots_spec(rows, base, x_title=f"{label} this period (95% interval)"), text


def tension_spec(finding: queries.TensionFinding, as_of: dt.date) -> dict:
    kpi, metric = finding.kpi, finding.metric
    kpi_rows = [{"month": day.isoformat(), "value": value} for day, value in queries.kpi_series(kpi, end=as_of)]
    measure = queries.monthly_values(metric, finding.steps, end=as_of)

    def panel(data, colour, title, axis_title, band=False):
        layers = []
        if band:
            layers.append({"mark": {"type": "area", "color": colour, "opacity": 0.16},
                           "encoding": {"x": month_x(), "y": {"field": "low", "type": "quantitative"},
                                        "y2": {"field": "high"}}})
        layers.append({"mark": {"type": "line", "color": colour, "strokeWidth": 2.5,
                                "point": {"filled": True, "size": 36, "color": colour}},
                       "encoding": {"x": month_x(), "y": {"field": "value", "type": "quantitative",
                                                           "title": axis_title, "scale": {"zero": False},
                                                           "axis": {"tickCount": 4}}}})
        return {"width": CHART_WIDTH, "height": 80, "data": {"values": data}, "layer": layers,
                "title": {"text": title, "anchor": "start", "fontSize": 11, "color": colour, "fontWeight": "bold"}}

    measure_title = f"{metric.name} at {kpi.team.name}'s steps (95% band)"
    spec = chart(vconcat=[panel(kpi_rows, KPI_COLOUR, f"{kpi.name} ({kpi.get_direction_display().lower()})",
                                kpi.unit or None),
                          panel(monthly_rows(measure, metric.base), BRAND, measure_title,
                                metric.unit or CATALOGUE[metric.base].label, band=True)],
                 resolve={"scale": {"x": "shared"}}, spacing=10)
    spec.pop("width")
    return spec


_fonts_registered = False


def render_chart_png(spec: dict) -> bytes:
    """A Vega-Lite spec as PNG bytes, offline: no external URL is allowed, the font is ours."""
    import vl_convert as vlc

    global _fonts_registered
    if not _fonts_registered:
        vlc.register_font_directory(str(FONT_DIR))
        _fonts_registered = True
    return vlc.vegalite_to_png(spec, scale=CHART_SCALE, allowed_base_urls=[])
