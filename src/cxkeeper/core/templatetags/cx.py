"""Generic filters for every page: `{% load cx %}`. Numbers are written by `core.numbers`
(a real minus sign, thousands separated, p values as <0.001). The filters that know about the
domain live with it: `glossary_links` in `org` (`{% load cx_language %}`), `metric_text` and
`metric_number` in `insights` (`{% load cx_metrics %}`)."""

from django import template

from cxkeeper.core import numbers

register = template.Library()


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


@register.filter
def pvalue(value):
    """A p or q value as the explanations write it: <0.001, 0.012, 0.39."""
    return numbers.pvalue(value)
