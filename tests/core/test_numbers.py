"""core.numbers: how every page, report, explanation and CLI table writes a number."""

import pytest

from cxkeeper.core import numbers

MINUS = "\u2212"


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (5.214, 2, "5.21"),
    (-0.48, 2, f"{MINUS}0.48"),
    (99664, 0, "99,664"),
    (-1234.5, 1, f"{MINUS}1,234.5"),
    (-0.04, 1, "0.0"),  # rounds to zero: no sign
    (-0.06, 1, f"{MINUS}0.1"),
    (0, 0, "0"),
])
def test_fixed(value, digits, expected):
    assert numbers.fixed(value, digits) == expected


def test_fixed_for_terminals_keeps_the_ascii_minus():
    assert numbers.fixed(-7.04, 1, thousands=False, hyphen=True) == "-7.0"
    assert numbers.fixed(-0.04, 1, hyphen=True) == "0.0"


def test_fixed_without_thousands_and_nothing():
    assert numbers.fixed(99664, 0, thousands=False) == "99664"
    assert numbers.fixed(None, 2) == "—"
    assert numbers.fixed(None, 2, empty="–") == "–"


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (0.44, 2, "+0.44"),
    (-0.48, 2, f"{MINUS}0.48"),
    (0, 2, "+0.00"),
    (-0.001, 2, "+0.00"),  # nothing changed after rounding
    (1200, 0, "+1,200"),
])
def test_signed(value, digits, expected):
    assert numbers.signed(value, digits) == expected


def test_signed_nothing():
    assert numbers.signed(None, 2) == "—"


@pytest.mark.parametrize(("value", "expected"), [
    (5.5, "5.5"), (70.0, "70"), (-10, f"{MINUS}10"), (82.25, "82.25"), (1500, "1,500"), ("4.50", "4.5"),
])
def test_plain(value, expected):
    assert numbers.plain(value) == expected


def test_plain_nothing_and_nonsense():
    assert numbers.plain(None) == "—" and numbers.plain("") == "—"
    with pytest.raises(ValueError):
        numbers.plain("abc")


@pytest.mark.parametrize(("value", "expected"), [
    (0.0804, "0.08"), (0.53, "0.53"), (0.034, "0.034"), (-0.28, f"{MINUS}0.28"), (1234, "1,234"), (0, "0"),
    (12.0, "12"),
])
def test_significant(value, expected):
    assert numbers.significant(value) == expected


def test_signed_significant():
    assert numbers.signed_significant(0.28) == "+0.28"
    assert numbers.signed_significant(-0.11) == f"{MINUS}0.11"
    assert numbers.signed_significant(0) == "+0"


@pytest.mark.parametrize(("value", "expected"), [
    (4.5, "4.5"), (12.25, "12.25"), (-3.0, f"{MINUS}3"), (1234.56, "1,235"), (0.004, "0"), (-0.004, "0"),
])
def test_compact(value, expected):
    assert numbers.compact(value) == expected


def test_percent_and_count():
    assert numbers.percent(82.46, 1) == "82.5%"
    assert numbers.percent(None) == "—"
    assert numbers.count(99664) == "99,664"
    assert numbers.count(12) == "12"
    assert numbers.count(None) == "—"


@pytest.mark.parametrize(("p", "kwargs", "expected"), [
    (0.0004, {}, "<0.001"),
    (0.012, {}, "0.012"),
    (0.39, {}, "0.39"),
    (0.05, {}, "0.050"),
    (0.01, {"name": "p", "figures": 2}, "p=0.01"),
    (0.034, {"name": "p", "figures": 2}, "p=0.034"),
    (0.0001, {"name": "combined p", "figures": 2}, "combined p<0.001"),
    (0.0001, {"name": "q", "spaced": True}, "q < 0.001"),
    (0.012, {"name": "adjusted p", "spaced": True}, "adjusted p = 0.012"),
    (None, {}, "—"),
])
def test_pvalue(p, kwargs, expected):
    assert numbers.pvalue(p, **kwargs) == expected


def test_minus_and_with_sign():
    assert numbers.minus("-5 to -3") == f"{MINUS}5 to {MINUS}3"
    assert numbers.with_sign("0.5") == "+0.5"
    assert numbers.with_sign(f"{MINUS}0.5") == f"{MINUS}0.5"


def test_no_django_needed():
    """Pure Python: any layer and any engine may use it."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(numbers))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "math"}
