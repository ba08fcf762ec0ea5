"""The metric catalogue: every base metric of the insight engine, described once.

Pages, charts, the API, the CLI, reports and shared outcomes all read a metric's name, what
its numbers mean, how many digits it is written with and which way is good from here.
`insights.queries.METRICS` and `outcomes.models.BASE_METRICS` are tuple views of it kept
for their callers (and, for `BASE_METRICS`, for the model choices and the published schema).
Every number of a metric is written by `format_metric` (and its interval by
`format_interval`): the metric's digits and unit, a real minus, thousands separated, and any
estimate that reaches past the metric's scale (`domain`) cut at it and said so. Pages (the
`cx_metrics` filters), charts, reports and the CLI's text all go through them.
The figures themselves come from `analytics.stats.metrics_from_sums`, which computes every
key here except volume (the count of feedback items).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # short name on pages, charts and reports: "NPS", "% easy"
    scale: str  # what a value means, after the label: "points, −100 to 100"
    description: str  # a plain-language sentence for people new to the metric
    unit: str  # written right after a value: "%" or nothing
    digits: int  # decimals a value is written with (its interval and changes too)
    higher_is_better: bool | None  # None: neither (volume), a definition must say
    domain: tuple[float, float] | None  # the values it can take (chart axes, clamping); None: unbounded
    min_n: int | None = DEFAULT_MIN_N  # fewer responses are "too few" by default; None: a count, always shown

    @property
    def title(self) -> str:
        """"NPS (points, −100 to 100)": an axis title or a heading."""
        return f"{self.label} ({self.scale})"


_PERCENT = (0, 100)

CATALOGUE: dict[str, Metric] = {m.key: m for m in (
    Metric("nps", "NPS", "points, −100 to 100",
           "Net Promoter Score: the share of promoters (9–10 on “would you recommend us?”) minus the share "
           "of detractors (0–6).", "", 1, True, (-100, 100)),
    Metric("csat", "CSAT", "% satisfied",
           "Customer satisfaction: the share of answers in the top two boxes of their scale (4–5 of 5).",
           "%", 1, True, _PERCENT),
    Metric("ces", "CES", "mean effort score 1–7, 7 = easy",
           "Customer effort score: the mean answer to “how easy was it?” on 1–7, where 7 is very easy.",
           "", 2, True, (1, 7)),
    Metric("ces_easy", "% easy", "% of effort answers ≥ 5",
           "The share of effort answers of 5 or more: customers who found it easy.", "%", 1, True, _PERCENT),
    Metric("sentiment", "Sentiment", "mean, −1 to 1",
           "The mean tone of feedback texts, from −1 (very negative) to 1 (very positive).", "", 2, True,
           (-1, 1)),
    Metric("negative_share", "% negative", "% of texts with negative sentiment",
           "The share of feedback texts whose tone is negative (sentiment below −0.05).", "%", 1, False, _PERCENT),
    Metric("churn_rate", "Churn", "% of renewal decisions that were churn",
           "Of the customers who reached a renewal decision, the share who left.", "%", 1, False, _PERCENT),
    Metric("retention_rate", "Retention", "% of renewal decisions that renewed",
           "Of the customers who reached a renewal decision, the share who stayed (100 − churn).", "%", 1, True,
           _PERCENT),
    Metric("complaint_share", "Complaints", "% of feedback that is a complaint",
           "The share of all feedback items that are complaints.", "%", 1, False, _PERCENT),
    Metric("volume", "Volume", "feedback items",
           "How many feedback items there are: a count, shown whatever its size.", "", 0, None, None, None),
)}
KEYS = tuple(CATALOGUE)
FALLBACK = "volume"  # what an unknown key is written like: a plain count


def metric(key: str) -> Metric:
    """The catalogue entry of `key` (KeyError for an unknown one)."""
    return CATALOGUE[key]


def metric_or_count(key: str) -> Metric:
    """The catalogue entry of `key`, or volume's (a plain count) for a key it does not know —
    a custom field, a friction measure — when all that is needed is how to write a number."""
    return CATALOGUE.get(key, CATALOGUE[FALLBACK])


def digits(key: str) -> int:
    """Decimals `key` is written with (custom declared fields, means, with 2)."""
    if key in CATALOGUE:
        return CATALOGUE[key].digits
    return 2 if key.startswith("field:") else CATALOGUE[FALLBACK].digits


def bounds(key: str) -> tuple[float, float] | None:
    """The scale of `key`'s values — (1, 7) for CES, (0, 100) for a share, (−100, 100) for
    NPS — or None for an unbounded one (volume, a custom declared field)."""
    entry = CATALOGUE.get(key)
    return entry.domain if entry else None


def unit(key: str) -> str:
    entry = CATALOGUE.get(key)
    return entry.unit if entry else ""


def format_metric(value: float | None, key: str, *, places: int | None = None, with_unit: bool = True,
                  sign: bool = False, thousands: bool = True, hyphen: bool = False,
                  empty: str = numbers.NOTHING) -> str:
    """One value of metric `key` as people read it: its digits and unit from the catalogue —
    "5.21" (CES), "82.0%" (CSAT), "−16.8" (NPS), "7,702" (volume); `sign` for a change
    ("+1.3%"); `places` overrides the digits (a slope). `thousands=False, hyphen=True` is the
    plain-text form for terminal tables that scripts read."""
    if value is None:
        return empty
    text = numbers.fixed(value, digits(key) if places is None else places, thousands=thousands, hyphen=hyphen)
    if sign:
        text = numbers.with_sign(text)
    return numbers.with_unit(text, unit(key)) if with_unit else text


def format_interval(low: float | None, high: float | None, key: str, *, value: float | None = None,
                    empty: str = numbers.NOTHING) -> str:
    """An interval of metric `key`, cut to its scale and saying so: "80.1% to 84.0%",
    "3.63 to 7.00, the top of the scale"."""
    _, low, high, note = numbers.bounded(value, low, high, bounds(key))
    return numbers.range_text(low, high, digits(key), unit(key), note=note, empty=empty)


def format_estimate(value: float | None, low: float | None, high: float | None, key: str,
                    empty: str = numbers.NOTHING) -> str:
    """A value with its interval, both on the scale: "5.43 (3.63 to 7.00, the top of the
    scale)", "20.0% (0.0% to 41.0%, the bottom of the scale)"."""
    if value is None:
        return empty
    value, low, high, note = numbers.bounded(value, low, high, bounds(key))
    text = format_metric(value, key)
    if low is None or high is None:
        return text
    return f"{text} ({numbers.range_text(low, high, digits(key), unit(key), note=note)})"


def format_target(value: float | None, key: str, empty: str = numbers.NOTHING) -> str:
    """A target or threshold as people set it, with the metric's unit: "≥ 70%" is written
    "70%", "5.5", "−10" (trailing zeros dropped, not the metric's digits)."""
    if value is None:
        return empty
    return numbers.with_unit(numbers.plain(value), unit(key))
