"""The metric catalogue (insights.metrics) is the one description of every base metric: the
insight pages' METRICS and the outcomes' BASE_METRICS are views of it, and the template
filters write a metric from it."""

from cxkeeper.insights import presentation
from cxkeeper.insights.analytics.stats import MetricValue, metrics_from_sums
from cxkeeper.insights.metrics import CATALOGUE, KEYS, digits, metric_or_count
from cxkeeper.insights.queries import METRICS
from cxkeeper.outcomes.choices import Direction
from cxkeeper.outcomes.models import BASE_METRICS

MINUS = "\u2212"


def test_every_computed_metric_and_volume_is_catalogued():
    assert set(KEYS) == set(metrics_from_sums({})) | {"volume"}


def test_the_old_names_read_the_catalogue():
    assert list(METRICS) == list(BASE_METRICS) == list(KEYS)
    for key, metric in CATALOGUE.items():
        label, scale, better = METRICS[key]
        assert (label, scale, better) == (metric.label, metric.scale, metric.higher_is_better)
        label, unit, direction, scale = BASE_METRICS[key]
        assert (label, unit, scale) == (metric.label, metric.unit, metric.scale)
        expected = {True: Direction.UP, False: Direction.DOWN, None: None}[metric.higher_is_better]
        assert direction == expected


def test_digits_units_and_ranges():
    assert digits("ces") == digits("sentiment") == 2
    assert digits("nps") == digits("csat") == 1
    assert digits("volume") == 0
    assert digits("field:minutes") == 2  # a custom field's mean
    assert metric_or_count("theme_growth").key == "volume"
    percent = {k for k, m in CATALOGUE.items() if m.unit == "%"}
    assert percent == {"csat", "ces_easy", "negative_share", "churn_rate", "retention_rate", "complaint_share"}
    assert all(m.domain == (0, 100) for k, m in CATALOGUE.items() if k in percent)
    assert CATALOGUE["volume"].min_n is None and CATALOGUE["nps"].min_n == 30
    assert all(m.description.endswith(".") for m in CATALOGUE.values())


def test_a_metric_as_pages_write_it():
    value = MetricValue(value=-12.345, n=1234, low=-20.0, high=-4.5, enough=True)
    assert presentation.metric_text("nps", value) == f"{MINUS}12.3 (95%: {MINUS}20.0 to {MINUS}4.5, n=1,234)"
    assert presentation.metric_number("csat", MetricValue(82.04, 50, 70.0, 90.0, True)) == "82.0%"
    assert presentation.metric_text("ces", MetricValue.too_few(12)) == "too few responses (n=12)"
    assert presentation.metric_text("ces", None) == "—"
    assert presentation.metric_number("unknown", MetricValue(99664, 99664, None, None, True)) == "99,664"
