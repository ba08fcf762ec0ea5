"""How insight figures are shown: values as text, heatmap colours and legends, and the JSON
shapes of the API and `cxkeeper metrics --json`. The reads are in `queries.py`, the metric
facts in `metrics.py`, number formatting in `core.numbers`, Vega-Lite specs in `charts.py`.

Nothing here reads the database or imports `queries`: the figures come in as arguments (a
`MetricValue`, anything with `.value(metric)` for a figure, a heatmap's cells).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.insights.metrics import CATALOGUE, KEYS, format_interval, format_metric

PERIODS = (30, 90, 180, 365)  # days the heatmap and step pages offer


# ---------------------------------------------------------------- a metric as text


@dataclass
class Shown:
    """A metric as a page shows it: the value, its interval and n, or "too few responses"."""

    metric: str
    label: str
    unit: str  # what the value means ("points, −100 to 100"): the catalogue's scale
    value: MetricValue

    @property
    def digits(self) -> int:
        return CATALOGUE[self.metric].digits

    @property
    def text(self) -> str:
        if not self.value.enough or self.value.value is None:
            return "too few responses"
        return format_metric(self.value.value, self.metric)

    @property
    def interval(self) -> str:
        """"80.1% to 84.0%" — cut to the metric's scale, saying so ("…, the top of the scale")."""
        if not self.value.enough or self.value.low is None or self.value.high is None:
            return ""
        return format_interval(self.value.low, self.value.high, self.metric, value=self.value.value)

    @property
    def n(self) -> int:
        return self.value.n

    @property
    def enough(self) -> bool:
        return self.value.enough


def shown(metric: str, value: MetricValue) -> Shown:
    entry = CATALOGUE[metric]
    return Shown(metric, entry.label, entry.scale, value)


def metric_text(metric: str, value: MetricValue | None) -> str:
    """"5.21 (95%: 5.01 to 5.41, n=180)", "82.0% (95%: 80.1% to 84.0%, n=7,702)", "too few
    responses (n=12)" or — for nothing; an unknown metric is written like a count."""
    if value is None:
        return numbers.NOTHING
    figure = shown(metric if metric in CATALOGUE else "volume", value)
    n = numbers.count(figure.n)
    if not figure.enough:
        return f"too few responses (n={n})"
    interval = f"95%: {figure.interval}, " if figure.interval else ""
    return f"{figure.text} ({interval}n={n})"


def metric_number(metric: str, value: MetricValue | None) -> str:
    """Just the figure ("5.21", "82.0%"), "too few responses" or — for nothing."""
    if value is None:
        return numbers.NOTHING
    return shown(metric if metric in CATALOGUE else "volume", value).text


# ---------------------------------------------------------------- heatmap colours

# Where each metric's colour scale is centred and how far it spreads (value at the darkest
# colour); the catalogue says which direction is good. Seven classes of ColorBrewer RdBu,
# which stays distinguishable for the common colour-vision deficiencies. Volume is coloured
# by its share of the busiest step instead.
COLOUR_SCALES = {
    "nps": (0, 50), "csat": (75, 20), "ces": (4.5, 1.5), "ces_easy": (60, 30), "sentiment": (0, 0.5),
    "negative_share": (25, 20), "churn_rate": (15, 12), "retention_rate": (85, 12), "complaint_share": (10, 8),
}
PALETTE = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac")
VOLUME_PALETTE = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA_COLOUR = "#e5e7eb"


def colour_class(metric: str, value: MetricValue, *, max_n: int = 1) -> int | None:
    """0 (worst) … 6 (best) for the diverging scale; for volume 0 … 6 by share of the busiest
    step. None when there is nothing to colour (too few responses)."""
    if not value.enough or value.value is None:
        return None
    if metric == "volume":
        return min(6, int(7 * value.value / max(max_n, 1))) if value.value else 0
    mid, spread = COLOUR_SCALES[metric]
    position = (value.value - mid) / spread  # −1 … 1 at the ends
    if not CATALOGUE[metric].higher_is_better:
        position = -position
    return max(0, min(6, round(3 + 3 * position)))


def colour_of(metric: str, klass: int | None) -> str:
    if klass is None:
        return NO_DATA_COLOUR
    return (VOLUME_PALETTE if metric == "volume" else PALETTE)[klass]


def css_class(metric: str, klass: int | None) -> str:
    """A heatmap cell's colour as a CSS class (the CSP forbids inline styles)."""
    if klass is None:
        return "heat-none"
    return f"heat-v{klass}" if metric == "volume" else f"heat-{klass}"


def legend(metric: str) -> list[tuple[int, str, str]]:
    """(class, colour, label) from worst to best, for the legend under the heatmap."""
    if metric == "volume":
        return [(k, VOLUME_PALETTE[k], f"{round(100 * k / 7)}%+ of the busiest step") for k in range(7)]
    mid, spread = COLOUR_SCALES[metric]
    better = CATALOGUE[metric].higher_is_better
    sign = 1 if better else -1
    edges = [mid + sign * spread * (k - 3) / 3 for k in range(7)]

    def fmt(x):
        return numbers.with_unit(numbers.fixed(x, 2 if spread < 5 else 0), CATALOGUE[metric].unit)

    labels = [f"≈ {fmt(edge)}" for edge in edges]
    labels[0] = f"{'≤' if better else '≥'} {fmt(edges[0])}"
    labels[-1] = f"{'≥' if better else '≤'} {fmt(edges[-1])}"
    return [(k, PALETTE[k], labels[k]) for k in range(7)]


# ---------------------------------------------------------------- JSON shapes (API, CLI)


def metric_dict(value: MetricValue) -> dict:
    """The JSON shape of one metric, shared by the API and `cxkeeper metrics --json`."""
    return {"value": value.value, "low": value.low, "high": value.high, "n": value.n, "enough": value.enough}


def figure_dict(figure) -> dict:
    """A `queries.Figure` with every catalogue metric."""
    return {"key": figure.key, "label": figure.label, "n": figure.n,
            "metrics": {name: metric_dict(figure.value(name)) for name in KEYS}}


def heatmap_dict(heatmap) -> dict:
    """A `queries.Heatmap`: the journey's stages, each with its steps' values and colours."""
    return {
        "journey": {"id": heatmap.journey.pk, "slug": heatmap.journey.slug, "name": heatmap.journey.name},
        "metric": heatmap.metric, "from": heatmap.start.isoformat(), "to": heatmap.end.isoformat(),
        "min_n": heatmap.min_n,
        "stages": [{"id": stage.pk, "name": stage.name, "steps": [
            {"id": c.step.pk, "name": c.step.name, "lane": c.step.lane, "n": c.figure.n if c.figure else 0,
             "value": metric_dict(c.value), "colour_class": c.klass, "colour": c.colour}
            for c in heatmap.cells if c.step.stage_id == stage.pk]} for stage in heatmap.stages],
    }


def signal_dict(signal) -> dict:
    """A friction signal as plain data for the API and `cxkeeper metrics friction --json`."""
    return {
        "kind": signal.kind, "step": signal.step.pk if signal.step else None,
        "step_name": signal.step.name if signal.step else None, "metric": signal.metric,
        "current": metric_dict(signal.current), "reference": metric_dict(signal.reference),
        "reference_label": signal.reference_label, "difference": signal.difference,
        "difference_low": signal.difference_low, "difference_high": signal.difference_high, "unit": signal.unit,
        "test": signal.test, "p_value": signal.p_value, "p_adjusted": signal.p_adjusted, "alpha": signal.alpha,
        "min_effect": signal.min_effect, "period": [d.isoformat() for d in signal.period],
        "reference_period": [d.isoformat() for d in signal.reference_period], "teams": signal.teams,
        "examples": signal.examples, "explanation": signal.explanation,
        "customers_affected": signal.customers_affected, "times_minimum": signal.times_minimum,
        "impact": signal.impact,
    }
