from django import template

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


# ---------------------------------------------------------------- the universal CX language

GLOSSARY_TITLE_CHARS = 240


def _glossary_pattern():
    """One regex of every glossary term (longest first, so "Net Promoter Score" wins over
    "Net"), matched as whole words, case-insensitively; and each lower-cased term's link."""
    import re

    from django.urls import reverse

    from cxkeeper.org.models import GlossaryTerm

    terms = [(pk, term.strip(), definition) for pk, term, definition
             in GlossaryTerm.objects.values_list("pk", "term", "definition") if term.strip()]
    if not terms:
        return None, {}
    terms.sort(key=lambda t: len(t[1]), reverse=True)
    base = reverse("org:glossary")
    links = {}
    for pk, term, definition in terms:
        links.setdefault(term.lower(), (f"{base}#term-{pk}", definition))
    alternatives = "|".join(re.escape(term) for _, term, _ in terms)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), links


@register.filter(needs_autoescape=True)
def glossary_links(text, autoescape=True):
    """The text, escaped, with every glossary term in it linked to its definition (the
    definition also as the link's title). Safe for user text: escaping comes first."""
    from django.utils.html import conditional_escape, escape
    from django.utils.safestring import SafeData, mark_safe

    if text is None or text == "":
        return ""
    if isinstance(text, SafeData):
        return text  # already markup: do not rewrite HTML
    text = str(text)
    pattern, links = _glossary_pattern()
    if pattern is None:
        return conditional_escape(text) if autoescape else text
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        href, definition = links[match.group(0).lower()]
        title = " ".join(definition.split())
        if len(title) > GLOSSARY_TITLE_CHARS:
            title = title[: GLOSSARY_TITLE_CHARS - 1].rstrip() + "…"
        out.append(f'<a class="gloss" href="{escape(href)}" title="{escape(title)}">{escape(match.group(0))}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@register.filter
def metric_text(value, base: str = ""):
    """A metric value as pages show it: "5.21 (95%: 5.01 to 5.41, n=180)", or
    "too few responses (n=12)"."""
    from cxkeeper.insights.queries import METRICS, shown

    if value is None:
        return "—"
    if base not in METRICS:
        base = "volume"
    figure = shown(base, value)
    if not figure.enough:
        return f"too few responses (n={figure.n})"
    interval = f"95%: {figure.interval}, " if figure.interval else ""
    return f"{figure.text} ({interval}n={figure.n})"


@register.filter
def metric_number(value, base: str = ""):
    """Just the figure ("5.21", "82.0%") or "too few responses"."""
    from cxkeeper.insights.queries import METRICS, shown

    if value is None:
        return "—"
    return shown(base if base in METRICS else "volume", value).text


@register.filter
def signed(value, digits: int = 2):
    """+0.44 / −0.48 (a real minus sign), or — for nothing."""
    if value is None:
        return "—"
    text = f"{value:+.{int(digits)}f}"
    return text.replace("-", "−")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def num(value):
    """A number without trailing zeros: 5.5, 5, 82.25 (a real minus sign)."""
    if value is None or value == "":
        return "—"
    try:
        text = f"{float(value):g}"
    except (TypeError, ValueError):
        return value
    return text.replace("-", "−")


@register.filter
def pvalue(value):
    """A p or q value as the explanations write it: <0.001, 0.012, 0.39."""
    if value is None:
        return "—"
    if value < 0.001:
        return "<0.001"
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"
