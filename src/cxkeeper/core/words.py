"""Small rules of English that generated sentences follow: "an admin", not "a admin";
"Billing & Collections’ steps", not "Billing & Collections's steps"; "KPI link", not
"kpi link". Pure Python, so any layer (and the CLI) may use it; the `cx` template filters
`a_an` and `possessive` call it on pages."""

from __future__ import annotations

import re

# Words spoken with a vowel sound though written with a consonant, and the reverse.
_AN_EXCEPTIONS = ("hour", "honest", "honour", "honor", "heir")
_A_EXCEPTIONS = ("user", "use", "uni", "one", "once", "euro", "eu")
# Letters read out one by one ("an SMS", "an NPS target", "a CSAT survey").
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")
# Words written in capitals wherever a sentence is generated from an internal name.
ACRONYMS = {"kpi": "KPI", "kpis": "KPIs", "api": "API", "cx": "CX", "nps": "NPS", "csat": "CSAT",
            "ces": "CES", "url": "URL", "id": "ID", "pdf": "PDF", "csv": "CSV", "it": "IT"}


def article(word: str) -> str:
    """ "a" or "an" for the word that follows it."""
    text = word.strip().lstrip("“\"'(")
    if not text:
        return "a"
    first = text.split()[0]
    lower = first.lower()
    if first.isupper() and len(first) > 1 and first.isalpha():
        return "an" if first[0] in _VOWEL_SOUND_LETTERS else "a"
    if lower.startswith(_AN_EXCEPTIONS):
        return "an"
    if lower.startswith(_A_EXCEPTIONS):
        return "a"
    if first[0].isdigit():
        return "an" if first[0] == "8" or first.startswith(("11", "18")) else "a"
    return "an" if lower[0] in "aeiou" else "a"


def with_article(word: str) -> str:
    """ "an admin", "a keeper", "an NPS target"."""
    return f"{article(word)} {word}"


def possessive(name: str) -> str:
    """ "IT’s", "Billing & Collections’" (a name ending in s takes the apostrophe alone)."""
    name = str(name)
    return f"{name}’" if name.endswith(("s", "S")) else f"{name}’s"


def label(name: str) -> str:
    """An internal name as a person reads it: "values_source" → "Values source",
    "team kpi" → "Team KPI"."""
    words = re.split(r"[_\s]+", str(name).strip())
    out = [ACRONYMS.get(w.lower(), w) for w in words if w]
    if not out:
        return ""
    first = out[0]
    out[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(out)


def kind(verbose_name: str) -> str:
    """A model's verbose name in a sentence: lower case, acronyms kept ("team KPI")."""
    return " ".join(ACRONYMS.get(w, w) if w != "it" else w for w in str(verbose_name).split())


def and_join(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [str(i) for i in items]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
