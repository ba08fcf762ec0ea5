"""Generic filters for every page: `{% load cx %}`. Numbers are written by `core.numbers`
(a real minus sign, thousands separated, p values as <0.001) — templates never use Django's
`floatformat` (a test holds that). The filters that know about the domain live with it:
`glossary_links` in `org` (`{% load cx_language %}`), `metric_text`, `metric_number`,
`metric_value` and `projection` in `insights` (`{% load cx_metrics %}`)."""

from django import template

from cxkeeper.core import history, numbers, words

register = template.Library()


@register.filter
def field_changes(record):
    """The fields a change record's update changed, each with its label and values in words."""
    return history.field_changes(record)


@register.filter
def change_kind(record):
    """The kind of object a change record is about, in words: "team KPI"."""
    return history.kind_of(record)


@register.filter
def a_an(word):
    """ "an admin", "a keeper"."""
    return words.with_article(str(word))


@register.filter
def possessive(name):
    """ "IT’s", "Billing & Collections’"."""
    return words.possessive(name)


@register.filter
def app_label(obj):
    return obj._meta.app_label


@register.filter
def model_name(obj):
    return obj._meta.model_name


@register.filter
def verbose_name(obj):
    return obj._meta.verbose_name


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def signed(value, digits: int = 2):
    """+0.44 / −0.48 (a real minus sign), or — for nothing."""
    return numbers.signed(value, int(digits))


@register.filter
def num(value):
    """A number without trailing zeros: 5.5, 5, 82.25, −10 (a real minus sign)."""
    try:
        return numbers.plain(value)
    except (TypeError, ValueError):
        return value


def _number(value):
    """A float from a template value, or None for nothing / not a number."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@register.filter
def fixed(value, digits: int = 0):
    """Exactly `digits` decimals: 0.05, 1,234.5, −0.48 (or — for nothing)."""
    return numbers.fixed(_number(value), int(digits))


@register.filter
def compact(value, digits: int = 2):
    """Up to `digits` decimals, trailing zeros dropped: 4.5, 12.25, 1,235 (a team's KPI values)."""
    return numbers.compact(_number(value), int(digits))


@register.filter
def count(value):
    """A whole count with thousands separated: 7,702."""
    return numbers.count(_number(value))


@register.filter
def percent(value, digits: int = 0):
    """A value already in percent: 57%, 41.5% (or — for nothing)."""
    return numbers.percent(_number(value), int(digits))


@register.filter
def share(value, digits: int = 0):
    """A fraction (0–1) as a percent: 0.571 → 57% (digits 0), 57.1% (digits 1), or — for nothing."""
    number = _number(value)
    return numbers.percent(None if number is None else 100.0 * number, int(digits))


@register.filter
def with_unit(value, unit: str = ""):
    """A team KPI value with its own unit: 4.5 min, 12%, 1,235 € per contact."""
    return numbers.with_unit(numbers.compact(_number(value), 2), unit or "")


@register.filter
def slope(value, unit: str = ""):
    """A trend per period to 2 significant figures, with its sign and unit: +0.28, −1.5%."""
    number = _number(value)
    if number is None:
        return numbers.NOTHING
    return numbers.with_unit(numbers.signed_significant(number), unit or "")


@register.filter
def pvalue(value):
    """A p or q value as the explanations write it: <0.001, 0.012, 0.39."""
    return numbers.pvalue(value)
