"""One formatter per metric (insights.metrics.format_metric and friends): the metric's digits
and unit, a real minus sign, thousands separated; intervals and estimates cut to the metric's
scale and saying so (core.numbers.bounded). And no template formats a number by itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import Context, Template

from cxkeeper.core import numbers
from cxkeeper.insights.analytics.stats import MetricValue
from cxkeeper.insights.metrics import CATALOGUE, bounds, format_estimate, format_interval, format_metric, format_target

MINUS = "\u2212"
SRC = Path(__file__).resolve().parents[2] / "src" / "cxkeeper"


@pytest.mark.parametrize(("key", "value", "written"), [
    ("ces", 5.4321, "5.43"),
    ("csat", 82.04, "82.0%"),
    ("ces_easy", 49.756, "49.8%"),
    ("nps", -16.84, f"{MINUS}16.8"),
    ("sentiment", -0.004, "0.00"),  # never "−0.00"
    ("churn_rate", 20.0, "20.0%"),
    ("complaint_share", -0.04, "0.0%"),  # rounds to zero: no sign
    ("volume", 7702, "7,702"),
    ("field:minutes", 1234.5, "1,234.50"),  # a custom field's mean: 2 digits, no unit
])
def test_every_metric_written_with_its_digits_and_unit(key, value, written):
    assert format_metric(value, key) == written


def test_changes_units_and_plain_text():
    assert format_metric(1.26, "csat", sign=True) == "+1.3%"
    assert format_metric(-0.48, "ces", sign=True) == f"{MINUS}0.48"
    assert format_metric(-1234.5, "nps", thousands=False, hyphen=True) == "-1234.5"
    assert format_metric(None, "csat") == "—"
    assert format_target(70, "csat") == "70%" and format_target(5.5, "ces") == "5.5"
    assert format_target(-10, "nps") == f"{MINUS}10"
    assert numbers.with_unit("6.5", "min") == "6.5 min" and numbers.with_unit("17", " pts") == "17 pts"
    assert numbers.with_unit("82", "%") == "82%" and numbers.with_unit("—", "%") == "—"


def test_every_bounded_metric_has_its_scale():
    assert bounds("ces") == (1, 7) and bounds("nps") == (-100, 100) and bounds("sentiment") == (-1, 1)
    assert all(bounds(k) == (0, 100) for k, m in CATALOGUE.items() if m.unit == "%")
    assert bounds("volume") is None and bounds("field:minutes") is None


def test_an_interval_past_the_scale_is_cut_and_says_so():
    # the demo: CES projected "5.43 (3.63 to 7.23)" on a 1–7 scale
    assert format_estimate(5.43, 3.63, 7.23, "ces") == "5.43 (3.63 to 7.00, the top of the scale)"
    # churn "20% (−1% to 41%)"
    assert format_estimate(20, -1, 41, "churn_rate") == "20.0% (0.0% to 41.0%, the bottom of the scale)"
    assert format_interval(-1, 101, "csat") == "0.0% to 100.0%, both ends of the scale"
    # inside the scale: nothing cut, nothing said
    assert format_interval(80.1, 84.04, "csat") == "80.1% to 84.0%"
    assert format_interval(-20, -4.5, "nps") == f"{MINUS}20.0 to {MINUS}4.5"
    # unbounded: never cut
    assert format_interval(-5, 12_000, "volume") == f"{MINUS}5 to 12,000"


def test_bounded_cuts_value_and_interval():
    assert numbers.bounded(5.43, 3.63, 7.23, (1, 7)) == (5.43, 3.63, 7, numbers.SCALE_TOP)
    assert numbers.bounded(-0.1, -0.5, 0.3, (0, 100)) == (0, 0, 0.3, numbers.SCALE_BOTTOM)
    assert numbers.bounded(4, 3, 5, (1, 7)) == (4, 3, 5, "")
    assert numbers.bounded(4, 3, 5, None) == (4, 3, 5, "")
    assert numbers.range_text(None, 3) == "—"


def test_pages_write_metrics_through_the_same_formatter():
    value = MetricValue(5.5, 7702, 4.2, 7.3, True)  # a t interval past the top of 1–7
    html = Template("{% load cx_metrics %}{{ v|metric_text:'ces' }}|{{ 40.1|metric_value:'csat' }}|"
                    "{{ 70|metric_target:'csat' }}").render(Context({"v": value}))
    assert html == "5.50 (95%: 4.20 to 7.00, the top of the scale, n=7,702)|40.1%|70%"


def test_the_projection_filter_cuts_to_the_scale():
    class Assessment:
        projected, projected_low, projected_high = 0.4, -0.9, 1.7

    html = Template("{% load cx_metrics %}{{ a|projection:'complaint_share' }}").render(Context({"a": Assessment()}))
    assert html == "0.4% (0.0% to 1.7%, the bottom of the scale)"


def test_generic_number_filters():
    html = Template("{% load cx %}{{ a|fixed:2 }} {{ b|compact:3 }} {{ c|count }} {{ d|percent:1 }} "
                    "{{ e|with_unit:'min' }} {{ f|slope:'%' }} {{ g|fixed:2 }}").render(
        Context({"a": 0.054, "b": 40.1, "c": 7702, "d": 41.5, "e": 4.5, "f": -0.0123, "g": None}))
    assert html == f"0.05 40.1 7,702 41.5% 4.5 min {MINUS}0.012% —"
    html = Template("{% load cx %}{{ a|share }} {{ a|share:1 }} {{ b|share }}").render(
        Context({"a": 0.5714, "b": None}))
    assert html == "57% 57.1% —"


def test_no_template_formats_numbers_by_itself():
    """Numbers on pages go through the `cx` / `cx_metrics` filters (core.numbers), never
    Django's floatformat (a hyphen for minus, no unit, its own rounding) or widthratio (a share
    as a whole percent with a "%" typed after it: the `share` filter does that)."""
    offenders = [f"{path.relative_to(SRC)}:{i}" for path in SRC.rglob("*.html")
                 for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "floatformat" in line or "widthratio" in line]
    assert list(SRC.rglob("*.html")), "no templates found: the path is wrong"
    assert offenders == []
