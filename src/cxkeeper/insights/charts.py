"""Vega-Lite specifications for the insight pages, built from query results in Python.

Templates embed each spec with `json_script` and `static/cxkeeper/charts.js` renders every
`[data-chart]` element with the vendored Vega (canvas renderer, CSP-safe interpreter). Specs
carry their data inline, so a chart never calls back to the server. Colours come from
`presentation` (the heatmap's palette and classes) and are passed as data with `scale: null`;
labels, digits and value ranges from the metric catalogue (`metrics.py`).
"""

from __future__ import annotations

from cxkeeper.insights.metrics import CATALOGUE
from cxkeeper.insights.presentation import PALETTE, colour_class, colour_of, metric_dict
from cxkeeper.insights.queries import Figure, Heatmap, StepInsights

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
INK, MUTED, LINE, BRAND = "#1d2433", "#5a6375", "#d9dee8", "#2546a8"
CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelColor": INK, "titleColor": MUTED, "labelFontSize": 12, "titleFontSize": 12,
             "gridColor": "#eef1f7", "domainColor": LINE, "tickColor": LINE, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12},
    "title": {"fontSize": 14, "anchor": "start", "color": INK, "fontWeight": 600},
}


def _base(**extra) -> dict:
    return {"$schema": SCHEMA, "config": CONFIG, "width": "container", "background": "white", **extra}


def metric_label(metric: str) -> str:
    return CATALOGUE[metric].title


def _fmt(metric: str) -> str:
    """The d3 number format of the metric's values in tooltips and axes."""
    return f".{CATALOGUE[metric].digits}f"


def _domain(metric: str) -> list[float] | None:
    domain = CATALOGUE[metric].domain
    return [domain[0], domain[1]] if domain else None


def _trend_rows(insights: StepInsights) -> list[dict]:
    rows = []
    for figure in insights.trend:
        value = figure.value(insights.metric)
        rows.append({"week": figure.key.isoformat(), **metric_dict(value),
                     "status": "enough" if value.enough else "too few responses"})
    return rows


def _week_axis(grain: str = "week") -> dict:
    if grain == "month":
        return {"field": "week", "type": "temporal", "timeUnit": "yearmonth", "title": None,
                "axis": {"format": "%b %Y", "labelAngle": 0, "tickCount": 12}}
    return {"field": "week", "type": "temporal", "timeUnit": "yearmonthdate", "title": None,
            "axis": {"format": "%d %b", "labelAngle": 0, "tickCount": 8}}


def trend(insights: StepInsights) -> dict:
    """Weekly metric as a line with its 95% band. Weeks with too few responses are left out
    (their n is in the chart below, `trend_n`)."""
    metric = insights.metric
    x = _week_axis(insights.trend_grain)
    unit = insights.trend_grain
    fmt = _fmt(metric)
    tooltip = [{"field": "week", "type": "temporal", "title": f"{unit} of", "format": "%d %b %Y"},
               {"field": "value", "type": "quantitative", "title": CATALOGUE[metric].label, "format": fmt},
               {"field": "low", "type": "quantitative", "title": "95% low", "format": fmt},
               {"field": "high", "type": "quantitative", "title": "95% high", "format": fmt},
               {"field": "n", "type": "quantitative", "title": "n"}]
    y = {"field": "value", "type": "quantitative", "title": metric_label(metric), "scale": {"zero": False}}
    # Too-few weeks carry null values: the line and band break there (Vega-Lite's default for
    # invalid values) while the x axis still spans every week, like the n chart below.
    layers = [
        {"mark": {"type": "line", "color": BRAND, "strokeWidth": 2,
                  "point": {"filled": True, "size": 45, "color": BRAND}},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
    ]
    if metric != "volume":
        # A rule per week shows the interval even where a week stands alone between gaps.
        layers.insert(0, {"mark": {"type": "rule", "color": BRAND, "opacity": 0.45},
                          "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}})
        layers.insert(0, {"mark": {"type": "area", "color": BRAND, "opacity": 0.18},
                          "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"},
                                       "y2": {"field": "high"}}})
    n_enough = sum(1 for figure in insights.trend if figure.value(metric).enough)
    subtitle = (f"Shaded: 95% interval. {n_enough} of {len(insights.trend)} {unit}s have at least "
                f"{insights.min_n} responses; the others are left out.")
    return _base(data={"values": _trend_rows(insights)}, height=220, layer=layers,
                 title={"text": f"{CATALOGUE[metric].label} per {unit}", "subtitle": subtitle})


def trend_n(insights: StepInsights) -> dict:
    """Responses per week, the sample size under each point of the trend."""
    x = _week_axis(insights.trend_grain)
    unit = insights.trend_grain
    return _base(
        data={"values": _trend_rows(insights)}, height=80,
        title={"text": f"Responses per {unit} (n)"},
        mark={"type": "bar", "tooltip": True},
        encoding={"x": x, "y": {"field": "n", "type": "quantitative", "title": "n", "axis": {"tickCount": 3}},
                  "color": {"field": "status", "type": "nominal", "title": None,
                            "scale": {"domain": ["enough", "too few responses"], "range": ["#5a6375", "#c3c8d4"]},
                            "legend": {"orient": "top", "direction": "horizontal"}},
                  "tooltip": [{"field": "week", "type": "temporal", "title": f"{unit} of", "format": "%d %b %Y"},
                              {"field": "n", "type": "quantitative", "title": "n"}, {"field": "status"}]},
    )


def nps_distribution(insights: StepInsights) -> dict:
    """Promoters / passives / detractors as one stacked bar (shares of all NPS answers)."""
    dist = insights.nps_distribution
    order = ["detractors", "passives", "promoters"]
    rows = [{"group": g, "count": dist["counts"][g], "share": dist["shares"][g] or 0, "rank": i}
            for i, g in enumerate(order)]
    return _base(
        data={"values": rows}, height=46,
        title={"text": f"NPS answers (n={dist['n']})", "subtitle": "detractors 0–6 · passives 7–8 · promoters 9–10"},
        mark={"type": "bar", "tooltip": True, "height": 30},
        encoding={
            "x": {"field": "share", "type": "quantitative", "stack": "zero", "title": "% of answers",
                  "scale": {"domain": [0, 100]}, "axis": {"values": [0, 25, 50, 75, 100]}},
            "color": {"field": "group", "type": "nominal", "title": None,
                      "scale": {"domain": order, "range": [PALETTE[0], "#bdbdbd", PALETTE[6]]},
                      "legend": {"orient": "bottom", "direction": "horizontal"}},
            "order": {"field": "rank"},
            "tooltip": [{"field": "group", "title": "group"}, {"field": "count", "title": "answers"},
                        {"field": "share", "title": "%", "format": ".1f"}],
        },
    )


def ces_split(insights: StepInsights) -> dict:
    split = insights.ces_split
    n = split["n"] or 1
    rows = [{"group": "easy (5–7)", "count": split["easy"], "share": 100 * split["easy"] / n, "rank": 1},
            {"group": "not easy (1–4)", "count": split["not_easy"], "share": 100 * split["not_easy"] / n, "rank": 0}]
    return _base(
        data={"values": rows}, height=46,
        title={"text": f"Effort: share easy (n={split['n']})", "subtitle": "CES on 1–7, 7 = very easy"},
        mark={"type": "bar", "tooltip": True, "height": 30},
        encoding={
            "x": {"field": "share", "type": "quantitative", "stack": "zero", "title": "% of answers",
                  "scale": {"domain": [0, 100]}, "axis": {"values": [0, 25, 50, 75, 100]}},
            "color": {"field": "group", "type": "nominal", "title": None,
                      "scale": {"domain": ["not easy (1–4)", "easy (5–7)"], "range": [PALETTE[1], PALETTE[5]]},
                      "legend": {"orient": "bottom", "direction": "horizontal"}},
            "order": {"field": "rank"},
            "tooltip": [{"field": "group"}, {"field": "count", "title": "answers"},
                        {"field": "share", "title": "%", "format": ".1f"}],
        },
    )


def split(figures: list[Figure], metric: str, *, title: str, min_n: int) -> dict:
    """One row per group (channel, segment …): a dot with its 95% interval, coloured like the
    heatmap; `n=…` in the label. Groups below the minimum n say "too few" instead of a dot."""
    max_n = max((f.n for f in figures), default=1)
    domain = _domain(metric)
    rows = []
    for figure in figures:
        value = figure.value(metric)
        klass = colour_class(metric, value, max_n=max_n)
        name = str(figure.label or figure.key)
        rows.append({"group": f"{name} (n={value.n})", **metric_dict(value),
                     "colour": colour_of(metric, klass),
                     "note": "" if value.enough else "too few responses",
                     "anchor": (domain[0] if domain else 0)})
    y = {"field": "group", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 200}}
    fmt = _fmt(metric)
    x_scale = {"domain": domain, "nice": False} if domain else {"zero": True}
    tooltip = [{"field": "group"}, {"field": "value", "title": CATALOGUE[metric].label, "format": fmt},
               {"field": "low", "title": "95% low", "format": fmt},
               {"field": "high", "title": "95% high", "format": fmt}]
    enough = {"filter": "datum.enough"}
    layers = [
        {"transform": [enough, {"filter": "isValid(datum.low)"}],
         "mark": {"type": "rule", "color": "#8a93a6", "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": metric_label(metric),
                                    "scale": x_scale}, "x2": {"field": "high"}}},
        {"transform": [enough],
         "mark": {"type": "point", "filled": True, "size": 110, "stroke": INK, "strokeWidth": 1},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative", "title": metric_label(metric),
                                    "scale": x_scale},
                      "color": {"field": "colour", "type": "nominal", "scale": None}, "tooltip": tooltip}},
        {"transform": [{"filter": "!datum.enough"}],
         "mark": {"type": "text", "align": "left", "dx": 4, "color": MUTED, "fontStyle": "italic", "fontSize": 11},
         "encoding": {"y": y, "x": {"field": "anchor", "type": "quantitative", "scale": x_scale},
                      "text": {"field": "note"}}},
    ]
    return _base(data={"values": rows}, title={"text": title, "subtitle": "dot = value, line = 95% interval"},
                 height={"step": 28}, layer=layers)


def heatmap_ranking(heatmap: Heatmap) -> dict:
    """Steps of the journey ranked by the metric, each a dot with its interval, coloured like
    its heatmap cell; steps with too few responses are listed at the bottom in grey."""
    metric = heatmap.metric
    rows = []
    for cell in heatmap.cells:
        value = cell.value
        rows.append({"step": f"{cell.step.name}", **metric_dict(value), "colour": cell.colour,
                     "note": f"n={value.n}" if value.enough else f"too few (n={value.n})",
                     "sortkey": value.value if value.enough and value.value is not None else -1e9})
        rows[-1]["step"] = f"{cell.step.name} (n={value.n})"
    fmt = _fmt(metric)
    y = {"field": "step", "type": "nominal", "title": None, "sort": {"field": "sortkey", "order": "descending"},
         "axis": {"labelLimit": 220}}
    tooltip = [{"field": "step"}, {"field": "value", "title": CATALOGUE[metric].label, "format": fmt},
               {"field": "low", "title": "95% low", "format": fmt},
               {"field": "high", "title": "95% high", "format": fmt},
               {"field": "n"}]
    enough = {"filter": "datum.enough"}
    domain = _domain(metric)
    x_scale = {"domain": domain, "nice": False} if domain else {"zero": True}
    layers = [
        {"transform": [enough, {"filter": "isValid(datum.low)"}],
         "mark": {"type": "rule", "color": "#8a93a6", "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": metric_label(metric),
                                    "scale": x_scale, "axis": {"tickCount": 8}}, "x2": {"field": "high"}}},
        {"transform": [enough],
         "mark": {"type": "point", "filled": True, "size": 120, "stroke": INK, "strokeWidth": 1},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative", "scale": x_scale},
                      "color": {"field": "colour", "type": "nominal", "scale": None}, "tooltip": tooltip}},
    ]
    return _base(data={"values": rows}, height={"step": 24},
                 title={"text": f"Steps ranked by {CATALOGUE[metric].label}",
                        "subtitle": "dot = value, line = 95% interval; steps with too few responses are not plotted"},
                 layer=layers)
