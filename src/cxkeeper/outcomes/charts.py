"""Vega-Lite specifications of the outcome pages (the same spec renders in the browser with
the vendored Vega and offline with vl-convert). Built from `queries` results; data inline."""

from __future__ import annotations

import datetime as dt

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N
from cxkeeper.insights.charts import (
    BRAND,
    _base,
    axis_format,
    d3_format,
    too_little,
    too_little_sentence,
    tooltip_title,
)
from cxkeeper.insights.metrics import format_target
from cxkeeper.outcomes.queries import TargetView

TARGET_COLOUR = "#b3261e"
STATUS_COLOURS = {"on_track": "#1d7a46", "at_risk": "#9a5b00", "off_track": "#b3261e", "no_data": "#5a6375"}


def _month_x() -> dict:
    return {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None,
            "axis": {"format": "%b %Y", "labelAngle": 0, "tickCount": 6}}


def target_trend(view: TargetView, *, height: int = 180) -> dict:
    """The metric per month with its 95% band, the target as a dashed line. Months with too
    few responses are shown as gaps (their n is in the tooltip). Fewer than two months with
    enough responses: a sentence instead (`too_little`). The axis stays inside the metric's
    scale."""
    target = view.target
    metric = target.metric
    enough = sum(1 for _, mv in view.monthly if mv.enough)
    if enough < 2:
        return too_little(too_little_sentence(enough, len(view.monthly), "month", DEFAULT_MIN_N))
    digits = d3_format(metric.base)
    rows = [{"month": month.isoformat(), "value": mv.value if mv.enough else None,
             "low": mv.low if mv.enough else None, "high": mv.high if mv.enough else None, "n": mv.n}
            for month, mv in view.monthly]
    values = [v for r in rows for v in (r["low"], r["high"], r["value"]) if v is not None] + [target.value]
    if target.baseline is not None:
        values.append(target.baseline)
    span = (max(values) - min(values)) or 1.0
    domain = [min(values) - span * 0.1, max(values) + span * 0.1]
    if metric.scale_bounds:  # never past what the metric can take
        domain = [max(domain[0], metric.scale_bounds[0]), min(domain[1], metric.scale_bounds[1])]
    x = _month_x()
    title = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
    y = {"field": "value", "type": "quantitative", "title": title,
         "scale": {"domain": domain, "zero": False, "nice": False}, "axis": axis_format(metric.base)}
    tooltip = [{"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "month", "format": "%b %Y"},
               {"field": "value", "type": "quantitative", "title": tooltip_title(metric.base, metric.name),
                "format": digits},
               {"field": "low", "type": "quantitative", "title": tooltip_title(metric.base, "95% low"),
                "format": digits},
               {"field": "high", "type": "quantitative", "title": tooltip_title(metric.base, "95% high"),
                "format": digits},
               {"field": "n", "type": "quantitative", "title": "n", "format": ","}]
    layers = [
        {"mark": {"type": "area", "color": BRAND, "opacity": 0.16},
         "encoding": {"x": x, "y": {"field": "low", "type": "quantitative", "scale": y["scale"]},
                      "y2": {"field": "high"}}},
        {"mark": {"type": "rule", "color": BRAND, "opacity": 0.45},
         "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
        {"mark": {"type": "line", "color": BRAND, "strokeWidth": 2, "point": {"filled": True, "size": 40,
                                                                              "color": BRAND}},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
        {"data": {"values": [{"target": target.value,
                              "label": f"target {target.comparator} {format_target(target.value, metric.base)}"}]},
         "layer": [
             {"mark": {"type": "rule", "color": TARGET_COLOUR, "strokeDash": [6, 4], "strokeWidth": 2},
              "encoding": {"y": {"field": "target", "type": "quantitative"}}},
             {"mark": {"type": "text", "color": TARGET_COLOUR, "align": "left", "baseline": "bottom", "dx": 4,
                       "dy": -2, "fontSize": 11, "x": 0},
              "encoding": {"y": {"field": "target", "type": "quantitative"}, "text": {"field": "label"}}},
         ]},
    ]
    return _base(data={"values": rows}, height=height, layer=layers,
                 title={"text": f"{metric.name} per month at {target.scope_label}",
                        "subtitle": f"Shaded: 95% interval. Dashed: the target. {enough} of {len(rows)} months "
                                    "have enough responses."})


def kpi_series(name: str, unit: str, series: list[tuple[dt.date, float]], *, height: int = 160) -> dict:
    """A team KPI per period; with fewer than two values, a sentence instead (`too_little`)."""
    if len(series) < 2:
        return too_little(f"Too little data to draw a line: {numbers.count(len(series))} "
                          f"{numbers.plural(len(series), 'value', 'values')} so far.")
    rows = [{"month": period.isoformat(), "value": value} for period, value in series]
    x = {"field": "month", "type": "temporal", "title": None, "axis": {"format": "%b %Y", "labelAngle": 0,
                                                                      "tickCount": 6}}
    return _base(
        data={"values": rows}, height=height,
        title={"text": f"{name} ({unit})" if unit else name},
        mark={"type": "line", "color": "#5a3ea8", "strokeWidth": 2, "point": {"filled": True, "size": 35,
                                                                              "color": "#5a3ea8"}},
        encoding={"x": x, "y": {"field": "value", "type": "quantitative", "title": unit or None,
                                "scale": {"zero": False}},
                  "tooltip": [{"field": "month", "type": "temporal", "title": "period", "format": "%d %b %Y"},
                              {"field": "value", "type": "quantitative", "title": f"{name} ({unit})" if unit else name,
                               "format": ",.3~f"}]},
    )
