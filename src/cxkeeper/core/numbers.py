"""Numbers as cxkeeper writes them for people: on pages (the `cx` template filters), in
reports (PDF, Markdown), in explanations and in the CLI. One place decides the minus sign,
the thousands separator, the sign of a change and how a p value is written.

- a real minus sign (−, U+2212), never a hyphen, and never "−0.0" for a value that rounds to 0;
- thousands separated by commas (99,664 rather than 99664) in values and counts, a sample
  size too ("n=7,702");
- a unit right after its value: a symbol glued ("82.0%", "1.6×"), a word after a space ("6.5 min");
- a range "low to high" (never an en dash, which reads as a minus beside negative numbers);
  a range that reaches past the scale of its measure is cut at the scale and says so
  ("3.6 to 7.0, the top of the scale": `bounded`, `range_text`);
- a change carries its sign (+0.44, −0.48; nothing changed is +0.00);
- p and q values: <0.001 below a thousandth, else 3 decimals below 0.1 and 2 above (0.012,
  0.39) — or, in the explanations of targets and tensions, 2 significant figures (0.01, 0.034).

Machine-readable output (JSON, chart data, CSV values) keeps raw numbers; these are for text.
Pure Python: no Django, so any layer and any engine may use it.
"""

from __future__ import annotations

import math

MINUS = "\u2212"  # −
NOTHING = "—"  # what pages write for a missing number
P_FLOOR = 0.001  # below it a p value is written "<0.001"


def minus(text: str) -> str:
    """Every hyphen-minus in a formatted number → a real minus sign."""
    return text.replace("-", MINUS)


def _tidy(text: str, *, hyphen: bool = False) -> str:
    """Real minus sign (or the ASCII one); no sign at all on a zero ("-0.0" → "0.0")."""
    if text.startswith("-"):
        if not text.strip("-0.,"):
            return text[1:]
        return text if hyphen else MINUS + text[1:]
    return text


def fixed(value: float | None, digits: int = 0, *, thousands: bool = True, hyphen: bool = False,
          empty: str = NOTHING) -> str:
    """`value` with exactly `digits` decimals: 5.21, −0.48, 1,234.5 (or `empty` for None).
    `hyphen` writes a negative with the ASCII hyphen-minus: for plain-text terminal tables
    (`cxkeeper metrics`), which scripts read too."""
    if value is None:
        return empty
    spec = f"{',' if thousands else ''}.{int(digits)}f"
    return _tidy(format(value, spec), hyphen=hyphen)


def with_sign(text: str) -> str:
    """A formatted number with its sign: "+" before anything that is not negative."""
    return text if text.startswith(MINUS) else "+" + text


def signed(value: float | None, digits: int = 0, *, thousands: bool = True, empty: str = NOTHING) -> str:
    """A change with its sign: +0.44, −0.48, +0.00 (nothing changed), +1,200."""
    if value is None:
        return empty
    return with_sign(fixed(value, digits, thousands=thousands))


def compact(value: float | None, digits: int = 2, *, empty: str = NOTHING) -> str:
    """Up to `digits` decimals with trailing zeros dropped, whole from 1,000 on: 4.5, 12.25,
    −3, 1,235 (a team's own KPI values, whatever their unit)."""
    if value is None:
        return empty
    if abs(value) >= 1000:
        return fixed(value, 0)
    text = fixed(value, digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain(value: float | str | None, *, thousands: bool = True, empty: str = NOTHING) -> str:
    """A number as people write it, trailing zeros dropped: 5.5, 70, −10, 82.25, 1,500."""
    if value is None or value == "":
        return empty
    return _tidy(format(float(value), ",g" if thousands else "g"))


def significant(value: float, figures: int = 2) -> str:
    """`figures` significant figures without an exponent, trailing zeros dropped:
    0.0804 → 0.08, 0.53 → 0.53, −0.28 → −0.28, 1234 → 1,234."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    decimals = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    text = f"{round(value, decimals):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _tidy(text)


def signed_significant(value: float, figures: int = 2) -> str:
    """A slope or change to `figures` significant figures with its sign: +0.28, −0.11, +0."""
    return with_sign(significant(value, figures))


def percent(value: float | None, digits: int = 0, *, empty: str = NOTHING) -> str:
    """82%, 82.5%, −3% (the value is already in percent)."""
    return empty if value is None else fixed(value, digits) + "%"


def count(n: int | float | None, *, empty: str = NOTHING) -> str:
    """A whole count with thousands separated: 99,664."""
    return empty if n is None else f"{int(n):,}"


def pvalue(p: float | None, *, name: str = "", spaced: bool = False, figures: int | None = None,
           empty: str = NOTHING) -> str:
    """A p or q value: <0.001, 0.012, 0.39 (or `figures` significant figures: 0.01, 0.034).
    With a `name`: "p<0.001", "q=0.03", or spaced "q < 0.001", "adjusted p = 0.012"."""
    if p is None:
        return empty
    if p < P_FLOOR:
        relation, figure = "<", f"{P_FLOOR:g}"
    elif figures is not None:
        relation, figure = "=", significant(p, figures)
    else:
        relation, figure = "=", f"{p:.3f}" if p < 0.1 else f"{p:.2f}"
    if not name:
        return figure if relation == "=" else relation + figure
    return f"{name} {relation} {figure}" if spaced else f"{name}{relation}{figure}"


def with_unit(text: str, unit: str | None) -> str:
    """A formatted number with its unit: a symbol glued ("82.0%", "5‰", "1.6×"), a word after a space
    ("6.5 min", "1,235 € per contact"); a unit starting with a space is kept as it is (" pts").
    Nothing to add to a missing number (—)."""
    if not unit or text in (NOTHING, "–", ""):
        return text
    if unit[0].isspace() or unit[0] in "%‰°×":
        return text + unit
    return f"{text} {unit}"


# ---------------------------------------------------------------- values on a scale

SCALE_TOP = "the top of the scale"
SCALE_BOTTOM = "the bottom of the scale"
SCALE_BOTH = "both ends of the scale"


def clamp(value: float | None, scale: tuple[float, float] | None) -> float | None:
    """`value` cut to the scale (low, high) of its measure; unchanged without a scale."""
    if value is None or scale is None:
        return value
    return min(max(value, scale[0]), scale[1])


def bounded(value: float | None, low: float | None, high: float | None,
            scale: tuple[float, float] | None) -> tuple[float | None, float | None, float | None, str]:
    """An estimate and its interval cut to the scale of their measure, with a note saying
    where it was cut: (5.43, 3.63, 7.23) on 1–7 → (5.43, 3.63, 7.0, "the top of the scale");
    the note is "" when nothing reached past the scale. A projection can leave the scale (a
    line goes on for ever, a normal interval is symmetric); the measure cannot."""
    if scale is None:
        return value, low, high, ""
    lo, hi = scale
    values = [x for x in (value, low, high) if x is not None]
    top = any(x > hi for x in values)
    bottom = any(x < lo for x in values)
    note = SCALE_BOTH if top and bottom else SCALE_TOP if top else SCALE_BOTTOM if bottom else ""
    return clamp(value, scale), clamp(low, scale), clamp(high, scale), note


def range_text(low: float | None, high: float | None, digits: int = 0, unit: str = "", *, note: str = "",
               empty: str = NOTHING) -> str:
    """"3.6 to 7.0", "80.1% to 84.0%", "3.6 to 7.0, the top of the scale" (the `note` of
    `bounded`); `empty` when either end is missing."""
    if low is None or high is None:
        return empty
    text = f"{with_unit(fixed(low, digits), unit)} to {with_unit(fixed(high, digits), unit)}"
    return f"{text}, {note}" if note else text


def plural(n: int | float, one: str, many: str) -> str:
    """`one` for exactly 1, else `many`: "1 target", "3 targets", "0 targets"."""
    return one if n == 1 else many
