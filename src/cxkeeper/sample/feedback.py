"""A year of generated customer feedback for the sample organization (Kestrel Connect).

:func:`generate_feedback` yields rows in the importer's canonical fields, in received order,
identical for a given seed. Every row names the step it is really about (``true_step``, or
``None`` for off-topic noise): ground truth for tests and routing benchmarks that the
importer ignores. ``feedback_files.write_feedback_files`` writes the same rows as the exports
each source really produces (survey CSVs, a Zendesk ticket CSV, app-review and social JSONL, CRM
events as Parquet), streaming, so memory stays flat.

The data tell the three stories of DESIGN.md §7 (dates from :func:`stories`):

1. **Login fix by IT.** "Log in to the app" draws many complaints and a poor effort score
   (CES about 3) until ``login_fix``; afterwards complaint volume falls by far more than half,
   CES rises to about 5.5 and fewer helpline calls mention the login.
2. **Sales over-promising shows at the first bill.** "Receive the first bill" and "Query a
   charge on my bill" collect complaints quoting what the salesperson promised, with low
   CSAT, mostly from customers who joined through a store or the sales line (their
   "Talk to a sales advisor"/"Place the order" rows carry that channel). Steady all year.
3. **Unclear outage communication.** "Hear about an outage" gets bursts of negative
   feedback ("no idea when it will be fixed", "the status page said everything was fine")
   in four outage weeks, with volume spikes.

And one for the shared outcomes (``outcomes.py``): **handle time against effort.** Customer
Care's average handle time falls month by month while effort at the contact steps its agents
work (``feedback_text.AHT_STEPS``) gets worse: their CES answers drop by up to
``AHT_EFFORT_DROP`` points, growing steadily through the window, and more of their negative
comments say the call was rushed and they had to call back. Only the effort answer moves
(satisfaction, NPS and the share of negative comments stay as they were), so the data reveal
one tension, handle time × effort, and no other.

Volume follows a weekday/weekend pattern and a mild winter peak. A small share of texts holds
PII-like content (example.com e-mails, Ofcom drama-range phone numbers, public test card
numbers) for the importer's redaction.

Only the standard library and NumPy (plus PyArrow, if installed, for the CRM Parquet file).
"""

from __future__ import annotations

import bisect
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from cxkeeper.sample import feedback_text as T
from cxkeeper.sample.organization import PERSONAS, all_steps

__all__ = [
    "CHANNELS",
    "DEFAULT_END",
    "LOGIN_FIX_DATE",
    "SEGMENTS",
    "SOURCES",
    "Stories",
    "generate_feedback",
    "stories",
]

SURVEY, NPS, TICKETS, APP, CRM, SOCIAL = SOURCES = (
    "Post-interaction survey",
    "Relationship NPS survey",
    "Helpdesk tickets",
    "App store reviews",
    "CRM events",
    "Social media",
)
PREFIX = {SURVEY: "SRV", NPS: "NPS", TICKETS: "TKT", APP: "APP", CRM: "CRM", SOCIAL: "SOC"}
CHANNELS = ("phone", "chat", "app", "web", "store", "email", "field", "social", "survey", "sms")
SEGMENTS = tuple(name for name, _ in PERSONAS)
SEGMENT_WEIGHTS = (0.32, 0.20, 0.22, 0.26)
SALES_CHANNELS = ("store", "phone", "web", "app")
SALES_CHANNEL_WEIGHTS = (0.40, 0.22, 0.30, 0.08)

DEFAULT_END = date(2026, 11, 15)
LOGIN_FIX_DATE = date(2026, 6, 1)
LOGIN_RAMP_DAYS = 7  # the fix rolls out to all app users over a week
OUTAGE_FRACTIONS = (0.16, 0.36, 0.72, 0.91)  # where in the window the four outage weeks fall
NOISE_SHARE = 0.05
AHT_EFFORT_DROP = 2.5  # CES points lost at the handle-time steps by the end of the window
AHT_RUSHED_SHARE = 0.6  # share of their negative comments that are about being rushed, at the end

# ---------------------------------------------------------------- stories


@dataclass(frozen=True)
class Stories:
    """The dates behind the three stories for one generated window."""

    start: date
    end: date
    login_fix: date
    outage_weeks: tuple[date, ...]  # Mondays
    outage_intensity: dict[date, float]  # day -> 0..1, only outage days

    def in_outage_week(self, day: date) -> bool:
        return any(monday <= day < monday + timedelta(days=7) for monday in self.outage_weeks)


def stories(end: date = DEFAULT_END, days: int = 365) -> Stories:
    start = end - timedelta(days=days - 1)
    fix = LOGIN_FIX_DATE if start + timedelta(days=28) <= LOGIN_FIX_DATE <= end - timedelta(days=28) else (
        start + timedelta(days=int(days * 0.55)))
    weeks, intensity = [], {}
    for i, fraction in enumerate(OUTAGE_FRACTIONS):
        day = start + timedelta(days=int((days - 7) * fraction))
        monday = day - timedelta(days=day.weekday())
        monday = max(monday, start)
        weeks.append(monday)
        first = monday + timedelta(days=1 + i % 3)  # Tue, Wed or Thu
        for offset, level in enumerate((1.0, 0.75, 0.35, 0.12)[: 3 + i % 2]):
            intensity[first + timedelta(days=offset)] = level
    return Stories(start, end, fix, tuple(weeks), intensity)


# ---------------------------------------------------------------- step catalogue

_CHANNEL_WORDS = {
    "phone": ("phone",), "chat": ("chat",), "app": ("app",), "web": ("web",), "store": ("store",),
    "e-mail": ("email",), "sms": ("sms",), "field": ("field",), "survey": ("survey",), "social": ("social",),
    "internal": ("phone", "web", "email"), "post": ("email", "web"), "home": ("app", "web", "phone"),
    "business": ("phone", "web"), "bill": ("email", "app"), "letter": ("email",), "tv": (),
}
# How much feedback each step draws, relative to 1.0 (lane defaults below).
_VOLUME = {
    "Log in to the app": 1.5, "Call the helpline": 1.7, "Talk to an agent": 2.0,
    "Notice the service is down or slow": 1.8, "Receive the first bill": 1.4, "Query a charge on my bill": 1.3,
    "Hear about an outage": 0.45, "Technician installation visit": 1.4, "Engineer repair visit": 1.2,
    "Place the order": 1.2, "Book an installation slot": 1.1, "Generate monthly bills": 0.9,
    "Make a complaint": 1.0, "Ask to cancel": 1.0, "Chat with the virtual assistant": 1.1,
    "Rate the help I got": 0.5, "Set prices and promotions": 0.5, "Detect incidents on the network": 0.5,
    "Address and coverage database": 0.35, "Order management system": 0.45,
    "Agent desktop and customer record": 0.45, "Fault tickets and field scheduling": 0.45,
}
_LANE_VOLUME = {"customer_action": 1.0, "frontstage": 1.0, "backstage": 0.6, "support_system": 0.45}
# Share of negative comments at each step (its friction); default 0.55.
_FRICTION = {
    "See an ad or offer": 0.5, "Compare plans and bundles": 0.55, "Talk to a sales advisor": 0.4,
    "Receive the welcome message": 0.3, "Get help in a store": 0.4, "Upgrade my phone or plan": 0.4,
    "Diagnose and fix remotely": 0.35, "Ask for help paying": 0.3, "Engineer repair visit": 0.45,
    "Technician installation visit": 0.42, "Set up Wi-Fi and devices": 0.5, "Unbox the router and SIM": 0.45,
    "Send a replacement router": 0.45, "Get told it's fixed": 0.55, "Search the help centre": 0.55,
    "Call the helpline": 0.78, "Phone menu and call routing": 0.82, "Chat with the virtual assistant": 0.78,
    "Make a complaint": 0.85, "Hear about an outage": 0.6, "Notice the service is down or slow": 0.85,
    "Detect incidents on the network": 0.8, "Wait for the connection date": 0.78, "Return the old router": 0.75,
    "Pay the final bill and get a refund": 0.75, "Receive the first bill": 0.5, "Query a charge on my bill": 0.55,
    "Compare my deal with new-customer offers": 0.8, "Ask to cancel": 0.72, "Talk to an agent": 0.45,
    "Transfer my number to another provider": 0.5, "Check credit and identity": 0.7,
    "Book an installation slot": 0.6, "Ship the router and SIM cards": 0.6, "Log in to the app": 0.5,
}
DEFAULT_FRICTION = 0.42
# Survey respondents are milder than people who write tickets or post in public.
_TONE = {SURVEY: 0.5, NPS: 0.55, TICKETS: 1.2, APP: 1.0, CRM: 1.0, SOCIAL: 1.25}
_SOCIAL_HEAVY = {"Hear about an outage", "Notice the service is down or slow", "Detect incidents on the network",
                 "See an ad or offer", "Compare my deal with new-customer offers"}
_CRM_EVENTS = {  # step -> ((event, weight), ...) and the CRM source weight
    "Ask to cancel": ((("churn", 0.8), ("complaint", 0.2)), 8.0),
    "Receive a retention offer": ((("renewal", 0.55), ("churn", 0.45)), 6.0),
    "Get told my contract is ending": ((("renewal", 0.7), ("churn", 0.3)), 4.0),
    "Upgrade my phone or plan": ((("renewal", 1.0),), 3.0),
    "Make a complaint": ((("complaint", 1.0),), 4.0),
    "Transfer my number to another provider": ((("churn", 1.0),), 4.0),
    "Pay the final bill and get a refund": ((("churn", 0.6), ("complaint", 0.4)), 3.0),
    "Move my service to a new home": ((("renewal", 1.0),), 2.0),
}


@dataclass
class _Step:
    index: int
    name: str
    journey: str
    lane: str
    channels: tuple[str, ...]  # survey channels
    volume: float
    friction: float
    neg: tuple[str, ...]
    pos: tuple[str, ...]
    neutral: tuple[str, ...]
    subjects: tuple[str, ...]
    source_cum: list[float]
    crm_events: tuple[tuple[str, ...], list[float]] | None


def _parse_channels(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for word in text.lower().split(","):
        for channel in _CHANNEL_WORDS.get(word.strip(), ()):
            if channel not in out:
                out.append(channel)
    return tuple(out) or ("phone", "web")


def _source_weights(name: str, lane: str, channels: tuple[str, ...], crm: float) -> list[float]:
    backstage = lane in ("backstage", "support_system")
    weights = {SURVEY: 2.2 if backstage else 4.0, NPS: 1.5, TICKETS: 2.5 if backstage else 2.0,
               APP: 1.2 if "app" in channels else 0.25, CRM: crm, SOCIAL: 1.0}
    if name in _SOCIAL_HEAVY:
        weights[SOCIAL] = 3.5
    if name == T.LOGIN_STEP:
        weights.update({APP: 4.5, SURVEY: 3.0, TICKETS: 1.2})
    elif name == "Rate the help I got":
        weights.update({SURVEY: 6.0, TICKETS: 0.3})
    elif name == "Make a complaint":
        weights[TICKETS] = 4.0
    cum, total = [], 0.0
    for source in SOURCES:
        total += weights[source]
        cum.append(total)
    return cum


def _catalogue() -> list[_Step]:
    steps = []
    for index, (journey, _stage, spec) in enumerate(all_steps()):
        lane = str(spec.lane.value if hasattr(spec.lane, "value") else spec.lane)
        extra_neg, extra_pos, subjects = T.STEP_TEXT[spec.name]
        org_pos = tuple(p for p in spec.phrases if p in T.POSITIVE_ORG_PHRASES)
        org_neutral = tuple(p for p in spec.phrases if p in T.NEUTRAL_ORG_PHRASES)
        org_neg = tuple(p for p in spec.phrases if p not in T.POSITIVE_ORG_PHRASES and p not in T.NEUTRAL_ORG_PHRASES)
        channels = _parse_channels(spec.channel)
        crm = _CRM_EVENTS.get(spec.name)
        crm_events = None
        if crm:
            events, cum = [], []
            for event, weight in crm[0]:
                events.append(event)
                cum.append((cum[-1] if cum else 0.0) + weight)
            crm_events = (tuple(events), cum)
        steps.append(_Step(
            index=index, name=spec.name, journey=journey.name, lane=lane, channels=channels,
            volume=_VOLUME.get(spec.name, _LANE_VOLUME.get(lane, 1.0)),
            friction=_FRICTION.get(spec.name, DEFAULT_FRICTION),
            neg=org_neg + extra_neg, pos=org_pos + extra_pos, neutral=org_neutral, subjects=subjects,
            source_cum=_source_weights(spec.name, lane, channels, crm[1] if crm else 0.0),
            crm_events=crm_events,
        ))
    return steps


# ---------------------------------------------------------------- slots and small helpers

_SLOT = re.compile(r"\{(\w+)\}")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NTH = ("second", "third", "fourth", "fifth", "sixth")


def _slot_value(name: str, rnd: random.Random) -> str:
    r = rnd.random
    if name == "days":
        return str(2 + int(r() * 19))
    if name == "times":
        return ("two", "three", "four", "five", "six")[int(r() * 5)]
    if name == "mins":
        return str(5 * (3 + int(r() * 22)))
    if name == "hours":
        return str(2 + int(r() * 30))
    if name == "time":
        return f"{1 + int(r() * 11)}{':30' if r() < 0.3 else ''}{'pm' if r() < 0.7 else 'am'}"
    if name == "town":
        return T.TOWNS[int(r() * len(T.TOWNS))]
    if name == "price":
        return str(22 + int(r() * 24))
    if name == "price2":
        return str(38 + int(r() * 40)) + (f".{int(r() * 100):02d}" if r() < 0.5 else "")
    if name == "fee":
        return ("29.99", "35", "49.99", "60", "75", "99", "120", "19.99", "45")[int(r() * 9)]
    if name == "small":
        return f"{1 + int(r() * 40)}.{int(r() * 100):02d}"
    if name == "months":
        return ("12", "18", "24", "6")[int(r() * 4)]
    if name == "speed":
        return ("150", "300", "500", "900")[int(r() * 4)]
    if name == "weeks":
        return str(2 + int(r() * 9))
    if name == "years":
        return str(2 + int(r() * 14))
    if name == "nth":
        return _NTH[int(r() * len(_NTH))]
    if name == "weekday":
        return _WEEKDAYS[int(r() * 7)]
    if name == "name":
        return T.AGENT_NAMES[int(r() * len(T.AGENT_NAMES))]
    if name == "reason":
        return T.CRM_REASONS[int(r() * len(T.CRM_REASONS))]
    if name in ("acct", "case"):
        return str(10_000_000 + int(r() * 89_999_999)) if name == "acct" else str(100_000 + int(r() * 899_999))
    if name == "ref":
        return str(1_000_000 + int(r() * 8_999_999))
    return "{" + name + "}"


def fill(template: str, rnd: random.Random, **given: str) -> str:
    """Replace ``{slot}`` markers with plausible values (``given`` wins)."""
    if "{" not in template:
        return template
    return _SLOT.sub(lambda m: given[m.group(1)] if m.group(1) in given else _slot_value(m.group(1), rnd), template)


def _pick(seq, rnd: random.Random):
    return seq[int(rnd.random() * len(seq))]


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…)" else text + "."


_KEEP_CAPITAL = {"I", "I'm", "I've", "I'd", "I'll", "Face", "Fibre", "Wi-Fi", "ID", "Instagram", "Facebook", "TV"}


def _join(prefix: str, text: str) -> str:
    """prefix + text with the case a writer would use after the prefix's last character."""
    if not prefix:
        return text
    if not text:
        return prefix
    if prefix[-1] in ".!?":
        return f"{prefix} {text[0].upper()}{text[1:]}"
    first = text.split(" ", 1)[0].rstrip(",.")
    if first not in _KEEP_CAPITAL and not first.isupper():
        text = text[0].lower() + text[1:]
    return f"{prefix} {text}"


def _typo(text: str, rnd: random.Random) -> str:
    kind = rnd.random()
    if kind < 0.2:
        return text.replace("'", "")
    if kind < 0.3:
        return text.lower()
    words = text.split(" ")
    i = int(rnd.random() * len(words))
    word = words[i]
    if len(word) < 4 or not word.isalpha():
        return text.replace(" the ", " teh ", 1) if " the " in text else text.replace(".", "", 1)
    j = 1 + int(rnd.random() * (len(word) - 2))
    if kind < 0.55:
        word = word[:j - 1] + word[j] + word[j - 1] + word[j + 1:]  # swap
    elif kind < 0.8:
        word = word[:j] + word[j + 1:]  # drop
    else:
        word = word[:j] + word[j] + word[j:]  # double
    words[i] = word
    return " ".join(words)


# ---------------------------------------------------------------- customers


class _Customers:
    """The customer base: id, segment, sales channel and join day (days from window start)."""

    def __init__(self, n: int, days: int, seed: int) -> None:
        rng = np.random.default_rng([seed, 11])
        in_window = rng.random(n) < 0.35
        join = np.where(in_window, rng.integers(-20, days, n), rng.integers(-2200, -20, n))
        order = np.argsort(join, kind="stable")
        self.join = join[order].tolist()
        numbers = rng.choice(9_000_000, size=n, replace=False) + 10_000
        self.ids = [f"C{v:07d}" for v in numbers.tolist()]
        self.segment = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_WEIGHTS).tolist()
        self.sales = rng.choice(len(SALES_CHANNELS), size=n, p=SALES_CHANNEL_WEIGHTS).tolist()
        self.first = rng.integers(0, len(T.FIRST_NAMES), n).tolist()
        self.last = rng.integers(0, len(T.LAST_NAMES), n).tolist()
        self.n = n

    def between(self, lo: int, hi: int) -> tuple[int, int]:
        """Index range of customers who joined on days lo..hi (inclusive)."""
        return bisect.bisect_left(self.join, lo), bisect.bisect_right(self.join, hi)

    def email(self, i: int, rnd: random.Random) -> str:
        first, last = T.FIRST_NAMES[self.first[i]].lower(), T.LAST_NAMES[self.last[i]].lower()
        style = int(rnd.random() * 4)
        local = (f"{first}.{last}", f"{first}{last}{i % 97}", f"{first[0]}{last}", f"{first}_{last}{i % 89}")[style]
        return f"{local}@{_pick(T.EMAIL_DOMAINS, rnd)}"

    def name(self, i: int) -> str:
        return f"{T.FIRST_NAMES[self.first[i]]} {T.LAST_NAMES[self.last[i]]}"


# ---------------------------------------------------------------- the generator

_HOURS = {  # relative volume per hour of day, by source
    SURVEY: (1, 0, 0, 0, 0, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 9, 10, 11, 12, 12, 10, 6, 3),
    NPS: (1, 0, 0, 0, 0, 0, 1, 3, 6, 9, 9, 8, 9, 8, 8, 8, 8, 9, 10, 11, 10, 8, 4, 2),
    TICKETS: (1, 0, 0, 0, 0, 1, 2, 5, 10, 12, 12, 11, 10, 11, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2),
    APP: (3, 2, 1, 1, 1, 1, 2, 4, 5, 5, 5, 5, 6, 5, 5, 5, 6, 7, 9, 10, 11, 11, 9, 6),
    CRM: (0, 0, 0, 0, 0, 0, 0, 1, 8, 12, 12, 12, 11, 12, 12, 12, 11, 9, 6, 4, 2, 1, 0, 0),
    SOCIAL: (3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 8, 7, 7, 7, 8, 9, 10, 11, 12, 12, 10, 6),
}
_WEEKDAY_VOLUME = (1.15, 1.08, 1.03, 1.0, 0.95, 0.72, 0.62)
_LATENT = {"angry": (0.0, 0.16), "neg": (0.0, 0.32), "mixed": (0.35, 0.65), "pos": (0.68, 1.0), "neutral": (0.45, 0.8)}


def _cum(values) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


class _Generator:
    def __init__(self, n_rows: int, seed: int, end: date, days: int) -> None:
        self.n_rows, self.seed, self.end, self.days = n_rows, seed, end, days
        self.story = stories(end, days)
        self.steps = _catalogue()
        self.by_name = {s.name: s for s in self.steps}
        self.customers = _Customers(max(200, n_rows // 4), days, seed)
        self.rnd = random.Random(seed)
        self.hour_cum = {source: _cum(hours) for source, hours in _HOURS.items()}
        self.counters = dict.fromkeys(SOURCES, 0)
        self.login = self.by_name[T.LOGIN_STEP]
        self.outage = self.by_name[T.OUTAGE_STEP]
        self.first_bill = self.by_name[T.FIRST_BILL_STEP]
        self.query_charge = self.by_name[T.QUERY_CHARGE_STEP]
        self.call_steps = {self.by_name[name].index for name in T.CALL_STEPS}
        self.aht_steps = {self.by_name[name].index for name in T.AHT_STEPS}
        self.outage_related = {self.by_name[name].index: boost for name, boost in (
            ("Notice the service is down or slow", 3.0), ("Detect incidents on the network", 5.0),
            ("Call the helpline", 0.6), ("Make a complaint", 0.4))}
        self.compensation = self.by_name["Receive compensation for the outage"].index

    # -- volume

    def day_counts(self) -> list[int]:
        rng = np.random.default_rng([self.seed, 3])
        weights = np.empty(self.days)
        start = self.story.start
        for i in range(self.days):
            day = start + timedelta(days=i)
            season = 1.0 + 0.12 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 12) / 365.25)
            weights[i] = _WEEKDAY_VOLUME[day.weekday()] * season * (
                1.0 + 0.9 * self.story.outage_intensity.get(day, 0.0))
        weights *= 1.0 + 0.04 * rng.standard_normal(self.days)  # day-to-day noise
        weights = np.clip(weights, 0.05, None)
        return rng.multinomial(self.n_rows, weights / weights.sum()).tolist()

    def aht_pressure(self, day: date) -> float:
        """0 at the start of the window, 1 at its end: how far the handle-time squeeze has gone."""
        return (day - self.story.start).days / max(1, self.days - 1)

    def fix_progress(self, day: date) -> float:
        return min(1.0, max(0.0, ((day - self.story.login_fix).days + 1) / LOGIN_RAMP_DAYS))

    def step_cum(self, day: date) -> list[float]:
        fixed = self.fix_progress(day)
        outage = self.story.outage_intensity.get(day, 0.0)
        after_outage = any(0 < (day - d).days <= 14 for d, v in self.story.outage_intensity.items() if v >= 1.0)
        weights = []
        for step in self.steps:
            w = step.volume
            if step is self.login:
                w *= 2.2 - 1.2 * fixed
            elif step.index in self.call_steps:
                w *= 1.15 - 0.15 * fixed
            if outage:
                if step is self.outage:
                    w *= 1.0 + 30.0 * outage
                else:
                    w *= 1.0 + self.outage_related.get(step.index, 0.0) * outage
            if after_outage and step.index == self.compensation:
                w *= 2.5
            weights.append(w)
        total = sum(weights)
        weights.append(total * NOISE_SHARE / (1 - NOISE_SHARE))  # off-topic rows
        return _cum(weights)

    # -- rows

    def rows(self) -> Iterator[dict[str, Any]]:
        start = self.story.start
        for offset, count in enumerate(self.day_counts()):
            if not count:
                continue
            day = start + timedelta(days=offset)
            cum = self.step_cum(day)
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            batch = [self.row(day, offset, cum, midnight) for _ in range(count)]
            batch.sort(key=lambda r: r["received_at"])
            for row in batch:
                source = row["source"]
                self.counters[source] += 1
                row["external_id"] = f"{PREFIX[source]}-{self.counters[source]:06d}"
                yield row

    def pick_customer(self, step: _Step | None, offset: int) -> int:
        rnd, cust = self.rnd, self.customers
        if step is None:
            lo, hi = cust.between(-10_000, offset)
        elif step is self.first_bill:
            lo, hi = cust.between(offset - 50, offset - 22)
        elif step.journey.startswith("Join"):
            lo, hi = cust.between(offset - 35, offset + 7)
            if hi > lo and step.channels and any(c in SALES_CHANNELS for c in step.channels):
                for _ in range(4):  # prefer a customer whose sales channel this step offers
                    i = lo + int(rnd.random() * (hi - lo))
                    if SALES_CHANNELS[cust.sales[i]] in step.channels:
                        return i
                return i
        elif step.journey.startswith("Pay"):
            lo, hi = cust.between(-10_000, offset - 25)
        else:
            lo, hi = cust.between(-10_000, offset)
        if hi <= lo:
            lo, hi = 0, cust.n
        return lo + int(rnd.random() * (hi - lo))

    def row(self, day: date, offset: int, cum: list[float], midnight: datetime) -> dict[str, Any]:
        rnd = self.rnd
        r = rnd.random
        k = bisect.bisect_right(cum, r() * cum[-1])
        step = self.steps[k] if k < len(self.steps) else None
        ci = self.pick_customer(step, offset)
        cust = self.customers
        segment = SEGMENTS[cust.segment[ci]]
        sales = SALES_CHANNELS[cust.sales[ci]]

        # source and channel
        if step is None:
            source = SOURCES[bisect.bisect_right((0.35, 0.55, 0.62, 0.78, 0.78, 1.0), r())]
        else:
            source = SOURCES[bisect.bisect_right(step.source_cum, r() * step.source_cum[-1])]
        channel = self.channel(source, step, sales)

        # polarity and the core phrase
        pol, core, event = self.content(step, source, day, sales)
        seconds = bisect.bisect_right(self.hour_cum[source], r() * self.hour_cum[source][-1]) * 3600 + int(
            r() * 3600)
        received = midnight + timedelta(seconds=seconds)

        # scores
        lo, hi = _LATENT[pol]
        latent = lo + (hi - lo) * r()
        if step is not None:
            latent = min(1.0, max(0.0, latent + (0.5 - step.friction) * 0.12))
        nps = csat = ces = None
        if source == SURVEY:
            csat = _clip(round(1 + 4 * latent + rnd.gauss(0, 0.45)), 1, 5)
            if r() < 0.7:
                squeeze = AHT_EFFORT_DROP * self.aht_pressure(day) if step and step.index in self.aht_steps else 0.0
                ces = _clip(round(1 + 6 * latent + rnd.gauss(0, 0.6) - squeeze), 1, 7)
            if r() < 0.3:
                nps = _clip(round(10 * latent + rnd.gauss(0, 0.9)), 0, 10)
        elif source == NPS:
            nps = _clip(round(10 * latent + rnd.gauss(0, 1.0)), 0, 10)
        elif source == APP:
            csat = _clip(round(1 + 4 * latent ** 1.2 + rnd.gauss(0, 0.4)), 1, 5)
        elif source == TICKETS and r() < 0.4:
            csat = 5 if latent >= 0.55 else 1

        # text
        if pol == "angry":
            pol = "neg"
        text = self.text(source, step, pol, core, segment, ci, day, event)
        if source == CRM and event is None:
            event = "complaint"
        return {
            "external_id": "",
            "received_at": received,
            "source": source,
            "channel": channel,
            "customer_id": cust.ids[ci],
            "segment": segment,
            "text": text,
            "nps": nps,
            "csat": csat,
            "csat_max": 5 if csat is not None else None,
            "ces": ces,
            "event_type": event,
            "true_step": step.name if step is not None else None,
        }

    def channel(self, source: str, step: _Step | None, sales: str) -> str:
        r = self.rnd.random
        if source == APP:
            return "app"
        if source == SOCIAL:
            return "social"
        if source == NPS:
            return "survey"
        if source == TICKETS:
            x = r()
            return "email" if x < 0.68 else "web" if x < 0.9 else "chat"
        options = step.channels if step is not None else ("phone", "web", "email", "app")
        if source == SURVEY:
            options = tuple(c for c in options if c != "social") or ("web",)
        if source == CRM:
            options = tuple(c for c in options if c in ("phone", "store", "web", "app", "chat")) or ("phone",)
        if sales in options and step is not None and step.journey.startswith("Join") and r() < 0.9:
            return sales
        return options[int(r() * len(options))]

    def content(self, step: _Step | None, source: str, day: date, sales: str) -> tuple[str, str, str | None]:
        """(polarity, core phrase, CRM event type or None)."""
        rnd = self.rnd
        r = rnd.random
        if step is None:
            return _pick(("neg", "pos", "mixed", "neutral"), rnd), _pick(T.NOISE, rnd), None
        event = None
        if source == CRM and step.crm_events:
            events, cum = step.crm_events
            event = events[bisect.bisect_right(cum, r() * cum[-1])]
        tone = _TONE[source]
        friction = min(0.95, step.friction * tone)
        outage = self.story.outage_intensity.get(day, 0.0)

        # the stories
        if step is self.login:
            fixed = self.fix_progress(day)
            friction = min(0.95, (1.45 - 1.25 * fixed) * tone)
            x = r()
            if x < friction:
                bank = T.LOGIN_BROKEN if r() < 0.75 - 0.3 * fixed else step.neg
                return "neg", _pick(bank, rnd), event
            if x < friction + 0.08:
                return "mixed", _pick(step.neg, rnd) + "|" + _pick(step.pos + T.LOGIN_FIXED, rnd), event
            bank = T.LOGIN_FIXED if fixed and r() < 0.8 else step.pos
            return "pos", _pick(bank, rnd), event
        if step.index in self.call_steps and r() < 0.32 - 0.26 * self.fix_progress(day):
            return "neg", _pick(T.LOGIN_CALLS, rnd), event
        if step is self.first_bill or step is self.query_charge:
            share = 0.8 if sales in ("store", "phone") else 0.05
            if step is self.query_charge:
                share *= 0.7
            if r() < share:
                bank = T.OVERPROMISE_BILL if step is self.first_bill else T.OVERPROMISE_QUERY
                return "angry", bank[int(r() * len(bank))] + "@" + sales, event
        if step is self.outage and outage:
            if r() < 0.9:
                return "angry", _pick(T.OUTAGE_BURST, rnd), event
            friction = 0.9
        elif outage and step.index in self.outage_related:
            friction = max(friction, 0.9)

        x = r()
        if step.neutral and x < 0.08:
            return "neutral", _pick(step.neutral, rnd), event
        x = r()
        if x < friction:
            if step.index in self.aht_steps and r() < AHT_RUSHED_SHARE * self.aht_pressure(day):
                return "neg", _pick(T.RUSHED[step.name], rnd), event
            return "neg", _pick(step.neg, rnd), event
        if x < friction + 0.1:
            return "mixed", _pick(step.neg, rnd) + "|" + _pick(step.pos, rnd), event
        return "pos", _pick(step.pos, rnd), event

    # -- text styles

    def text(self, source: str, step: _Step | None, pol: str, core: str, segment: str, ci: int, day: date,
             event: str | None) -> str:
        rnd = self.rnd
        r = rnd.random
        if step is None:
            text = core if r() < 0.7 else _sentence(core) if r() < 0.5 else core.upper()
            if source == TICKETS:
                text = f"{_pick(('General enquiry', 'Question', '(no subject)', 'Hello', 'Feedback'), rnd)}\n\n{text}"
            return text
        if source == SURVEY and r() < 0.3 or source == NPS and r() < 0.25:
            return ""
        if source == CRM:
            if r() < 0.55:
                return ""
            return fill(_pick(T.CRM_NOTES[event or "complaint"], rnd), rnd)
        core = self.realise(core, pol)
        if source == TICKETS:
            text = self.ticket(step, pol, core, segment, ci)
        elif source == APP:
            text = self.app_review(pol, core)
        elif source == SOCIAL:
            text = self.social(pol, core, step, day)
        else:
            text = self.comment(source, pol, core, segment)
        if source != TICKETS:
            text = self.pii(text, ci)
        if r() < (0.09 if source in (APP, SOCIAL) else 0.02 if source == TICKETS else 0.05):
            text = _typo(text, rnd)
        return text

    def realise(self, core: str, pol: str) -> str:
        """Fill slots; a mixed core is 'bad|good', an over-promise core ends in '@channel'."""
        rnd = self.rnd
        given: dict[str, str] = {}
        if "@" in core:
            core, sales = core.rsplit("@", 1)
            given["who"] = fill(_pick(T.SALES_WHO[sales], rnd), rnd)
        if "|" in core:
            bad, good = core.split("|", 1)
            bad, good = fill(bad, rnd), fill(good, rnd)
            form = int(rnd.random() * 3)
            if form == 0:
                return f"{_sentence(bad)} {_pick(T.MIXED_BRIDGES, rnd)} {good}"
            if form == 1:
                return f"{good}, {_pick(T.LINKS['pos_but_neg'], rnd)} {bad}"
            return f"{_sentence(good)} But {bad}"
        return fill(core, rnd, **given)

    def with_context(self, core: str, segment: str, p_context: float, p_when: float) -> str:
        rnd = self.rnd
        r = rnd.random
        text = core
        if r() < p_when:
            when = fill(_pick(T.WHEN, rnd), rnd)
            text = f"{when[0].upper()}{when[1:]} {text}" if r() < 0.4 else f"{text} {when}"
        if r() < p_context:
            context = _pick(T.CONTEXT[segment], rnd)
            if context.startswith("with") or r() < 0.3:
                text = f"{text}{_pick((', ', ' — ', ' - '), rnd)}{context}"
            else:
                text = f"{_sentence(text)} {_sentence(context)}"
        return text

    def comment(self, source: str, pol: str, core: str, segment: str) -> str:
        rnd = self.rnd
        r = rnd.random
        text = self.with_context(core, segment, 0.45 if pol != "pos" else 0.06, 0.3)
        parts = []
        if source == NPS and r() < 0.6:
            frame = _pick(T.NPS_FRAME[pol], rnd)
            text = _join(frame, text)
        elif r() < 0.42:
            text = _join(_pick(T.OPENERS[pol], rnd), text)
        parts.append(_sentence(text))
        if r() < 0.5:
            parts.append(fill(_pick(T.CLOSERS[pol], rnd), rnd))
        return " ".join(p for p in parts if p)

    def ticket(self, step: _Step, pol: str, core: str, segment: str, ci: int) -> str:
        rnd = self.rnd
        r = rnd.random
        subject = _pick(step.subjects, rnd)
        if pol == "neg" and r() < 0.15:
            subject = _pick(("URGENT: ", "Re: ", "Complaint: ", "Still not resolved - "), rnd) + subject
        elif r() < 0.2:
            subject += f" - account KC{fill('{acct}', rnd)}"
        opening = _pick(T.TICKET_POS_OPENING if pol == "pos" else T.TICKET_OPENING, rnd)
        body = [_sentence(_join(opening, self.with_context(core, segment, 0.0, 0.5)))]
        if r() < 0.5 and pol != "pos":
            body.append(_sentence(_pick(T.CONTEXT[segment], rnd)))
        if r() < 0.35 and pol in ("neg", "mixed"):
            body.append(_sentence(fill(_pick(step.neg, rnd), rnd)))
        if r() < 0.6:
            body.append(fill(_pick(T.REFERENCE, rnd), rnd))
        body.append(self.pii("", ci, boost=2.5).strip())
        if pol != "pos":
            body.append(fill(_pick(T.TICKET_ASK, rnd), rnd))
        paragraph = " ".join(b for b in body if b)
        first = T.FIRST_NAMES[self.customers.first[ci]]
        sign = f"{_pick(T.TICKET_SIGNOFF, rnd)}\n{first if r() < 0.6 else self.customers.name(ci)}"
        return f"{subject}\n\n{_pick(T.TICKET_GREETING, rnd)}\n\n{paragraph}\n\n{sign}"

    def app_review(self, pol: str, core: str) -> str:
        rnd = self.rnd
        r = rnd.random
        text = core
        if r() < 0.35:
            text = text.lower()
        if r() < 0.2 and pol == "neg":
            text += _pick((" since the update", " on android", " on my iPhone", " for weeks", " every day"), rnd)
        text = _join(_pick(T.APP_PREFIX[pol], rnd), text) if r() < 0.55 else text[0].upper() + text[1:]
        text += _pick(T.APP_SUFFIX[pol], rnd)
        if r() < 0.15:
            text += f" (v5.{int(r() * 4)}.{int(r() * 10)})"
        return text

    def social(self, pol: str, core: str, step: _Step, day: date) -> str:
        rnd = self.rnd
        r = rnd.random
        mention = _pick(T.SOCIAL_MENTION, rnd)
        text = core if r() < 0.5 else _sentence(core)
        if r() < 0.25:
            text = fill(_pick(T.WHEN, rnd), rnd) + " " + text
        text = f"{mention} {text}" if r() < 0.7 else f"{text[0].upper()}{text[1:]} {mention}"
        if pol == "neg" and r() < 0.2:
            text += _pick((" DM'd you {days} days ago and nothing.", " Still no reply.", " Sort it out!",
                           " Anyone else?", " Is it just me?", " Any update??"), rnd).replace(
                "{days}", str(1 + int(r() * 5)))
        tags = T.SOCIAL_HASHTAGS["outage" if step is self.outage and pol == "neg" else pol]
        n_tags = int(r() * 3)
        if n_tags:
            text += " " + " ".join(_pick(tags, rnd) for _ in range(n_tags))
        return text[:280]

    def pii(self, text: str, ci: int, boost: float = 1.0) -> str:
        r = self.rnd.random()
        if r < 0.0035:
            extra = fill(_pick(T.PII_CARD, self.rnd), self.rnd, card=_pick(T.TEST_CARDS, self.rnd))
        elif r < 0.0035 + 0.012 * boost:
            phone = fill(_pick(T.PHONE_FORMATS, self.rnd), self.rnd, d3=f"{int(self.rnd.random() * 1000):03d}")
            extra = fill(_pick(T.PII_PHONE, self.rnd), self.rnd, phone=phone)
        elif r < 0.0035 + 0.024 * boost:
            extra = fill(_pick(T.PII_EMAIL, self.rnd), self.rnd, email=self.customers.email(ci, self.rnd))
        else:
            return text
        return f"{text} {_sentence(extra)}" if text else _sentence(extra)


def _clip(value: int, lo: int, hi: int) -> int:
    return lo if value < lo else hi if value > hi else value


def generate_feedback(
    n_rows: int = 120_000, *, seed: int = 7, end: date = DEFAULT_END, days: int = 365
) -> Iterator[dict[str, Any]]:
    """Yield ``n_rows`` feedback rows for the ``days`` ending on ``end``, in received order.

    Keys: external_id, received_at (UTC), source, channel, customer_id, segment, text, nps,
    csat, csat_max, ces, event_type and true_step (ground truth; the importer ignores it).
    """
    if n_rows < 0 or days < 28:
        raise ValueError("need n_rows >= 0 and days >= 28")
    yield from _Generator(n_rows, seed, end, days).rows()
