"""The universal CX language on pages: `{% load cx_language %}`, then `{{ text|glossary_links }}`
links every glossary term in a text to its definition."""

import re

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

from cxkeeper.core import figures
from cxkeeper.org.models import GlossaryTerm

register = template.Library()

GLOSSARY_TITLE_CHARS = 240


def _glossary_pattern():
    """The glossary's pattern and links, read once per request (a page links terms in many texts)."""
    return figures.per_request("glossary-pattern", _read_glossary_pattern)


def _read_glossary_pattern():
    """One regex of every glossary term (longest first, so "Net Promoter Score" wins over
    "Net"), matched as whole words, case-insensitively; and each lower-cased term's link."""
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
