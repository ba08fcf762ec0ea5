"""Vega-Lite specifications for the insight pages, built from query results in Python.

Templates embed each spec with `json_script` and `static/cxkeeper/charts.js` renders every
`[data-chart]` element with the vendored Vega (canvas renderer, CSP-safe interpreter). Specs
carry their data inline, so a chart never calls back to the server. Colours come from
`presentation` (the heatmap's palette and classes) and are passed as data with `scale: null`;
labels, digits, units and value ranges from the metric catalogue (`metrics.py`): axes and
tooltips use the metric's digits (d3's format writes a real minus sign), a "%" after each
label of a share's axis. A chart with fewer than two points to draw is no chart: `too_little`
gives the sentence the chart partial shows instead of an empty axis.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap

from cxkeeper.core import numbers
from cxkeeper.insights.metrics import CATALOGUE, digits, unit
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


# Characters of a title and of a subtitle line that fit a chart on a phone's 390 px (issue 14).
TITLE_CHARS, SUBTITLE_CHARS = 34, 44


def _base(**extra) -> dict:
    title = extra.get("title")
    if isinstance(title, dict):
        # A title wider than the chart squeezes the plot to fit it beside the axes: broken
        # into short lines it leaves the plot the whole width, on a laptop and on a phone.
        extra["title"] = {**title, **{part: textwrap.wrap(title[part], limit)
                                      for part, limit in (("text", TITLE_CHARS), ("subtitle", SUBTITLE_CHARS))
                                      if isinstance(title.get(part), str) and len(title[part]) > limit}}
    return {"$schema": SCHEMA, "config": CONFIG, "width": "container", "background": "white", **extra}


def metric_label(metric: str) -> str:
    return CATALOGUE[metric].title


def d3_format(metric: str, places: int | None = None) -> str:
    """The d3 number format of the metric's values in tooltips and axes: its digits,
    thousands separated (",.1f"); d3 writes negatives with a real minus sign."""
    return f",.{digits(metric) if places is None else places}f"


_fmt = d3_format


def axis_format(metric: str, *, places: int | None = None, **extra) -> dict:
    """A Vega-Lite axis writing the metric's values as pages do: its digits, and its unit
    after every label ("80.0%")."""
    axis = {"format": d3_format(metric, places), **extra}
    if unit(metric):
        axis["labelExpr"] = f"datum.label + '{unit(metric)}'"
    return axis


def tooltip_title(metric: str, title: str | None = None) -> str:
    """A tooltip field's title with the metric's unit: "CSAT (%)", "95% low (%)"."""
    title = title or CATALOGUE[metric].label
    return f"{title} ({unit(metric)})" if unit(metric) else title


TOO_LITTLE = "too_little"  # the key of a chart that is a sentence instead


def too_little(sentence: str) -> dict:
    """In place of a chart with fewer than two points: the sentence the chart partial
    (`insights/partials/chart.html`) and the reports show instead of an empty axis."""
    return {TOO_LITTLE: sentence}


def is_too_little(spec: dict | None) -> bool:
    return bool(spec) and TOO_LITTLE in spec


def too_little_sentence(points: int, total: int, period: str, min_n: int | None = None) -> str:
    """"Too little data to draw a line: 1 of 6 months has at least 30 responses." """
    periods = numbers.plural(total, period, period + "s")
    has = numbers.plural(points, "has", "have")
    enough = f"at least {numbers.count(min_n)} responses" if min_n else "a value"
    return f"Too little data to draw a line: {points} of {total} {periods} {has} {enough}."


def _domain(metric: str) -> list[float] | None:
    domain = CATALOGUE[metric].domain
    return [domain[0], domain[1]] if domain else None


def _axis_places(metric: str) -> int:
    """Axis ticks on a whole scale (0–100, −100–100) need no decimals; short ones keep them."""
    domain = CATALOGUE[metric].domain
    return 0 if domain and domain[1] - domain[0] >= 5 else digits(metric)


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
    n_enough = sum(1 for figure in insights.trend if figure.value(metric).enough)
    if n_enough < 2:
        return too_little(too_little_sentence(n_enough, len(insights.trend), unit, insights.min_n))
    tooltip = [{"field": "week", "type": "temporal", "title": f"{unit} of", "format": "%d %b %Y"},
               {"field": "value", "type": "quantitative", "title": tooltip_title(metric), "format": fmt},
               {"field": "low", "type": "quantitative", "title": tooltip_title(metric, "95% low"), "format": fmt},
               {"field": "high", "type": "quantitative", "title": tooltip_title(metric, "95% high"), "format": fmt},
               {"field": "n", "type": "quantitative", "title": "n", "format": ","}]
    y = {"field": "value", "type": "quantitative", "title": metric_label(metric), "scale": {"zero": False},
         "axis": axis_format(metric)}
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
    subtitle = (f"Shaded: 95% interval. {n_enough} of {len(insights.trend)} {unit}s have at least "
                f"{insights.min_n} responses; the others are left out.")
    return _base(data={"values": _trend_rows(insights)}, height=220, layer=layers,
                 title={"text": f"{CATALOGUE[metric].label} per {unit}", "subtitle": subtitle})


def trend_n(insights: StepInsights) -> dict:
    """Responses per week, the sample size under each point of the trend."""
    x = _week_axis(insights.trend_grain)
    unit = insights.trend_grain
    if not any(figure.n for figure in insights.trend):
        return too_little(f"No responses in these {unit}s.")
    return _base(
        data={"values": _trend_rows(insights)}, height=80,
        title={"text": f"Responses per {unit} (n)"},
        mark={"type": "bar", "tooltip": True},
        encoding={"x": x, "y": {"field": "n", "type": "quantitative", "title": "n",
                                "axis": {"tickCount": 3, "format": ",d"}},
                  "color": {"field": "status", "type": "nominal", "title": None,
                            "scale": {"domain": ["enough", "too few responses"], "range": ["#5a6375", "#c3c8d4"]},
                            "legend": {"orient": "top", "direction": "horizontal"}},
                  "tooltip": [{"field": "week", "type": "temporal", "title": f"{unit} of", "format": "%d %b %Y"},
                              {"field": "n", "type": "quantitative", "title": "n", "format": ","},
                              {"field": "status"}]},
    )


def nps_distribution(insights: StepInsights) -> dict:
    """Promoters / passives / detractors as one stacked bar (shares of all NPS answers)."""
    dist = insights.nps_distribution
    order = ["detractors", "passives", "promoters"]
    rows = [{"group": g, "count": dist["counts"][g], "share": dist["shares"][g] or 0, "rank": i}
            for i, g in enumerate(order)]
    return _base(
        data={"values": rows}, height=46,
        title={"text": f"NPS answers (n={numbers.count(dist['n'])})",
               "subtitle": "detractors 0–6 · passives 7–8 · promoters 9–10"},
        mark={"type": "bar", "tooltip": True, "height": 30},
        encoding={
            "x": {"field": "share", "type": "quantitative", "stack": "zero", "title": "% of answers",
                  "scale": {"domain": [0, 100]}, "axis": {"values": [0, 25, 50, 75, 100]}},
            "color": {"field": "group", "type": "nominal", "title": None,
                      "scale": {"domain": order, "range": [PALETTE[0], "#bdbdbd", PALETTE[6]]},
                      "legend": {"orient": "bottom", "direction": "horizontal"}},
            "order": {"field": "rank"},
            "tooltip": [{"field": "group", "title": "group"},
                        {"field": "count", "title": "answers", "format": ","},
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
        title={"text": f"Effort: share easy (n={numbers.count(split['n'])})", "subtitle": "CES on 1–7, 7 = very easy"},
        mark={"type": "bar", "tooltip": True, "height": 30},
        encoding={
            "x": {"field": "share", "type": "quantitative", "stack": "zero", "title": "% of answers",
                  "scale": {"domain": [0, 100]}, "axis": {"values": [0, 25, 50, 75, 100]}},
            "color": {"field": "group", "type": "nominal", "title": None,
                      "scale": {"domain": ["not easy (1–4)", "easy (5–7)"], "range": [PALETTE[1], PALETTE[5]]},
                      "legend": {"orient": "bottom", "direction": "horizontal"}},
            "order": {"field": "rank"},
            "tooltip": [{"field": "group"}, {"field": "count", "title": "answers", "format": ","},
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
        rows.append({"group": f"{name} (n={numbers.count(value.n)})", **metric_dict(value),
                     "colour": colour_of(metric, klass),
                     "note": "" if value.enough else "too few responses",
                     "anchor": (domain[0] if domain else 0)})
    y = {"field": "group", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 200}}
    fmt = _fmt(metric)
    x_scale = {"domain": domain, "nice": False} if domain else {"zero": True}
    tooltip = [{"field": "group"}, {"field": "value", "title": tooltip_title(metric), "format": fmt},
               {"field": "low", "title": tooltip_title(metric, "95% low"), "format": fmt},
               {"field": "high", "title": tooltip_title(metric, "95% high"), "format": fmt}]
    enough = {"filter": "datum.enough"}
    layers = [
        {"transform": [enough, {"filter": "isValid(datum.low)"}],
         "mark": {"type": "rule", "color": "#8a93a6", "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": metric_label(metric),
                                    "scale": x_scale, "axis": axis_format(metric, places=_axis_places(metric))},
                      "x2": {"field": "high"}}},
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
                     "note": f"n={numbers.count(value.n)}" if value.enough else f"too few (n={numbers.count(value.n)})",
                     "sortkey": value.value if value.enough and value.value is not None else -1e9})
        rows[-1]["step"] = f"{cell.step.name} (n={numbers.count(value.n)})"
    fmt = _fmt(metric)
    y = {"field": "step", "type": "nominal", "title": None, "sort": {"field": "sortkey", "order": "descending"},
         "axis": {"labelLimit": 220}}
    tooltip = [{"field": "step"}, {"field": "value", "title": tooltip_title(metric), "format": fmt},
               {"field": "low", "title": tooltip_title(metric, "95% low"), "format": fmt},
               {"field": "high", "title": tooltip_title(metric, "95% high"), "format": fmt},
               {"field": "n", "format": ","}]
    enough = {"filter": "datum.enough"}
    domain = _domain(metric)
    x_scale = {"domain": domain, "nice": False} if domain else {"zero": True}
    layers = [
        {"transform": [enough, {"filter": "isValid(datum.low)"}],
         "mark": {"type": "rule", "color": "#8a93a6", "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative", "title": metric_label(metric),
                                    "scale": x_scale,
                                    "axis": axis_format(metric, places=_axis_places(metric), tickCount=8)},
                      "x2": {"field": "high"}}},
        {"transform": [enough],
         "mark": {"type": "point", "filled": True, "size": 120, "stroke": INK, "strokeWidth": 1},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative", "scale": x_scale},
                      "color": {"field": "colour", "type": "nominal", "scale": None}, "tooltip": tooltip}},
    ]
    return _base(data={"values": rows}, height={"step": 24},
                 title={"text": f"Steps ranked by {CATALOGUE[metric].label}",
                        "subtitle": "dot = value, line = 95% interval; steps with too few responses are not plotted"},
                 layer=layers)


# ------------------------------------------------------------------ the table beside each chart
# Every chart has a table of the same data (issue 14: a chart is a picture, the table is what a
# screen reader, a keyboard or a printout reads). Its columns are the chart's tooltip fields,
# under the tooltip's titles; its values written by core.numbers.

def _tooltip_fields(spec: dict) -> list[dict]:
    """The longest tooltip of the chart or of one of its layers: the fields a person reads."""
    candidates = [spec.get("encoding", {}).get("tooltip")]
    candidates += [layer.get("encoding", {}).get("tooltip") for layer in spec.get("layer", [])]
    tooltips = [t for t in candidates if isinstance(t, list)]
    return max(tooltips, key=len) if tooltips else []


def _cell(value, field: dict) -> str:
    if value is None or value == "":
        return "—"
    if field.get("type") == "temporal" or (isinstance(value, str) and len(value) >= 10 and value[4:5] == "-"):
        try:
            day = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
        return f"{day:%b %Y}" if field.get("timeUnit") == "yearmonth" or "%d" not in field.get("format", "%d") \
            else f"{day:%-d %b %Y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return numbers.fixed(value, 0)
    if isinstance(value, float):
        places = re.search(r"\.(\d)f", field.get("format", ""))
        return numbers.fixed(value, int(places.group(1))) if places else numbers.compact(value)
    return str(value)


def data_table(spec: dict | None) -> dict | None:
    """{"columns": [...], "rows": [[...], ...]} of a chart's data, or None without data."""
    if not spec or is_too_little(spec):
        return None
    rows = (spec.get("data") or {}).get("values") or []
    fields = [f for f in _tooltip_fields(spec) if f.get("field")]
    if not rows or not fields:
        return None
    columns = [str(f.get("title") or f["field"]).capitalize() if not f.get("title") else str(f["title"])
               for f in fields]
    return {"columns": columns, "rows": [[_cell(row.get(f["field"]), f) for f in fields] for row in rows]}
