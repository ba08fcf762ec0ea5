"""Vega-Lite specifications of the outcome pages (the same spec renders in the browser with
the vendored Vega and offline with vl-convert). Built from `queries` results; data inline."""

from __future__ import annotations

import datetime as dt

from cxkeeper.core import numbers
from cxkeeper.insights.charts import BRAND, _base
from cxkeeper.insights.metrics import CATALOGUE
from cxkeeper.outcomes.queries import TargetView

TARGET_COLOUR = "#b3261e"
STATUS_COLOURS = {"on_track": "#1d7a46", "at_risk": "#9a5b00", "off_track": "#b3261e", "no_data": "#5a6375"}


def _month_x() -> dict:
    return {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None,
            "axis": {"format": "%b %Y", "labelAngle": 0, "tickCount": 6}}


def target_trend(view: TargetView, *, height: int = 180) -> dict:
    """The metric per month with its 95% band, the target as a dashed line. Months with too
    few responses are shown as gaps (their n is in the tooltip)."""
    target = view.target
    metric = target.metric
    digits = f".{CATALOGUE[metric.base].digits}f"
    rows = [{"month": month.isoformat(), "value": mv.value if mv.enough else None,
             "low": mv.low if mv.enough else None, "high": mv.high if mv.enough else None, "n": mv.n}
            for month, mv in view.monthly]
    values = [v for r in rows for v in (r["low"], r["high"], r["value"]) if v is not None] + [target.value]
    if target.baseline is not None:
        values.append(target.baseline)
    span = (max(values) - min(values)) or 1.0
    domain = [min(values) - span * 0.1, max(values) + span * 0.1]
    x = _month_x()
    title = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
    y = {"field": "value", "type": "quantitative", "title": title,
         "scale": {"domain": domain, "zero": False, "nice": False}}
    tooltip = [{"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "month", "format": "%b %Y"},
               {"field": "value", "type": "quantitative", "title": metric.name, "format": digits},
               {"field": "low", "type": "quantitative", "title": "95% low", "format": digits},
               {"field": "high", "type": "quantitative", "title": "95% high", "format": digits},
               {"field": "n", "type": "quantitative", "title": "n"}]
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
                              "label": f"target {target.comparator} {numbers.plain(target.value)}"}]},
         "layer": [
             {"mark": {"type": "rule", "color": TARGET_COLOUR, "strokeDash": [6, 4], "strokeWidth": 2},
              "encoding": {"y": {"field": "target", "type": "quantitative"}}},
             {"mark": {"type": "text", "color": TARGET_COLOUR, "align": "left", "baseline": "bottom", "dx": 4,
                       "dy": -2, "fontSize": 11, "x": 0},
              "encoding": {"y": {"field": "target", "type": "quantitative"}, "text": {"field": "label"}}},
         ]},
    ]
    enough = sum(1 for _, mv in view.monthly if mv.enough)
    return _base(data={"values": rows}, height=height, layer=layers,
                 title={"text": f"{metric.name} per month at {target.scope_label}",
                        "subtitle": f"Shaded: 95% interval. Dashed: the target. {enough} of {len(rows)} months "
                                    "have enough responses."})


def kpi_series(name: str, unit: str, series: list[tuple[dt.date, float]], *, height: int = 160) -> dict:
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
                              {"field": "value", "type": "quantitative", "title": name}]},
    )
