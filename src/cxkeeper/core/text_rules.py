"""What any text a person writes into cxkeeper may contain, checked on every audited write
(`core.actions`), so pages, the API and workspace applies refuse the same things.

* a length: a field's own `max_length`, else `TEXT_LIMIT` characters — a 2 MB mission would
  otherwise be sent with every page;
* no control characters except tab and line breaks: NUL breaks PostgreSQL and most tools;
* no bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069): they make text read
  differently from what it is ("Trojan Source"). Plain right-to-left text needs none of them.
"""

from __future__ import annotations

import re

from django.db import models

TEXT_LIMIT = 10_000
JSON_LIMIT = 50_000  # characters of all the strings in one JSON value (lists of phrases, values…)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def without_control_characters(text: str) -> str:
    """`text` with every forbidden character (NUL, other controls, direction overrides) made a
    space: for what is only read, never stored — a search query, say."""
    return _FORBIDDEN.sub(" ", text)


def _character_problem(text: str) -> str:
    found = _FORBIDDEN.search(text)
    if found is None:
        return ""
    code = f"U+{ord(found.group()):04X}"
    if found.group() in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        return f"contains a direction-override character ({code}) that can make text read differently " \
               "from what it is; remove it."
    return f"contains a control character ({code}) at position {found.start() + 1}; remove it."


def _strings(value, budget: list[int]):
    """The strings inside a JSON value, walked iteratively (no recursion limit to hit)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            budget[0] -= len(item)
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def text_problems(obj: models.Model) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname, None)
        if isinstance(field, models.JSONField) and value is not None:
            budget = [JSON_LIMIT]
            for text in _strings(value, budget):
                problem = _character_problem(text)
                if problem:
                    problems.setdefault(field.name, []).append(f"“{text[:40]}” {problem}")
                    break
            if budget[0] < 0:
                problems.setdefault(field.name, []).append(
                    f"is too long: at most {JSON_LIMIT:,} characters of text in all.")
        elif isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            limit = field.max_length or TEXT_LIMIT
            # A CharField's own max_length is checked by full_clean already.
            if isinstance(field, models.TextField) and len(value) > limit:
                problems.setdefault(field.name, []).append(
                    f"is too long: {len(value):,} characters, at most {limit:,}.")
            problem = _character_problem(value)
            if problem:
                problems.setdefault(field.name, []).append(f"This text {problem}")
    return problems
