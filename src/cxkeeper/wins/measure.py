"""Measuring every shipped initiative and every live planned change with the impact engine
(`insights.impact.measure_impact`), kept as `Measurement` rows per subject × metric.

What is measured (docs/wins.md):

* a **shipped initiative** (status shipped or measured): each metric it aims to move
  (`InitiativeMetric`; a complaints or negative-texts share is measured as a share and as a
  count), and each `MentionWatch` (items mentioning its words, in its channel, at its steps),
  at its steps, from its ship date;
* a **live planned change** (not withdrawn, go-live passed or status live): NPS, CSAT, CES and
  feedback volume at its steps, from its go-live day.

An initiative that names no step (or names every step) is organization-wide: it is measured on the
whole organization's series without a comparison (`measure_impact(..., scope="organization")`,
decision 0034), with a stricter rule and a caveat in its sentence.

Other subjects whose change date falls within the measured window are *concurrent*: their
steps are passed to the engine as `exclude`, so they never serve as comparison steps.

**When.** Everything is measured once per *stamp*: the feedback data version
(`core.figures`), the data-through day, the code, and a fingerprint of every subject's inputs
(status, dates, steps, metrics, watches). `ensure_measured()` compares the stamp with the stored
rows and measures again only when it moved — after an import, a correction, a ship date set —
never per view. A subject that cannot be measured (no ship date, no step, no metric, a date in
the future, a metric the engine does not know, too little data) gets a row saying why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from cxkeeper.core import figures, numbers
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.events import Event, emit_after_commit, event_kind
from cxkeeper.core.history import record_change
from cxkeeper.initiatives.choices import InitiativeStatus, PlannedStatus
from cxkeeper.initiatives.models import Initiative, PlannedChange
from cxkeeper.insights import clock
from cxkeeper.insights.analytics.impact import IMPACT_METRICS
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N
from cxkeeper.insights.impact import DEFAULT_AFTER_DAYS, DEFAULT_BEFORE_DAYS, measure_impact
from cxkeeper.insights.metrics import CATALOGUE, format_metric
from cxkeeper.insights.models import Feedback
from cxkeeper.org.models import Person
from cxkeeper.wins.choices import Verdict
from cxkeeper.wins.models import Measurement

MEASURED_STATUSES = (InitiativeStatus.SHIPPED, InitiativeStatus.MEASURED)
PLANNED_METRICS = ("nps", "csat", "ces", "volume")  # the standard scores and volume
# A complaints or negative-share aim is also measured as a count of negative texts at the steps: few
# customers file a formal complaint about a step like a login, many say so in their own words.
COUNT_TWINS = {"complaint_share": "negative_count", "negative_share": "negative_count"}
SUBJECT_KEY = "-"  # the row of a subject that cannot be measured at all
TOO_EARLY_REASONS = ("after_data", "few_periods_after")
ORGANIZATION_SCOPE = "Whole organization"  # the scope shown for an organization-wide initiative


@dataclass(frozen=True)
class Planned:
    """One measurement to make: a metric of a subject, or why it cannot be made."""

    key: str
    metric: str
    label: str
    direction: str = ""
    topic: str = ""
    channel: str = ""
    segment: str = ""
    step_ids: tuple[int, ...] = ()
    problem: str = ""


# ---------------------------------------------------------------- subjects


def initiatives_to_measure():
    return (Initiative.objects.filter(status__in=MEASURED_STATUSES)
            .prefetch_related("steps__stage__journey", "metric_moves__metric", "mention_watches__steps",
                              "team_roles__team").order_by("pk"))


def planned_changes_to_measure(as_of: dt.date):
    return (PlannedChange.objects.exclude(status=PlannedStatus.WITHDRAWN)
            .filter(Q(go_live__lte=as_of) | Q(status=PlannedStatus.LIVE))
            .prefetch_related("steps__stage__journey").select_related("team").order_by("pk"))


def change_date_of(subject) -> dt.date | None:
    return subject.ship_date if isinstance(subject, Initiative) else subject.go_live


def subject_problem(subject, as_of: dt.date) -> str:
    """Why a subject as a whole cannot be measured yet ("" when it can)."""
    if isinstance(subject, Initiative):
        if subject.status not in MEASURED_STATUSES:
            return (f"Cannot measure yet: “{subject.title}” has not shipped (it is {subject.get_status_display()}); "
                    f"it is measured from its ship date.")
        if subject.ship_date is None:
            return f"Cannot measure yet: “{subject.title}” has no ship date; set the day it reached customers."
        when, what = subject.ship_date, "ship date"
        if not subject.metric_moves.all() and not subject.mention_watches.all():
            return (f"Cannot measure yet: “{subject.title}” names no metric to move; add the metrics it "
                    f"should move and which way.")
    else:
        if subject.status == PlannedStatus.WITHDRAWN:
            return f"Not measured: “{subject.title}” was withdrawn."
        when, what = subject.go_live, "go-live day"
    if not subject.steps.all() and not isinstance(subject, Initiative):  # an initiative: the whole organization
        return f"Cannot measure yet: “{subject.title}” names no step; the effect is measured at its steps."
    if when > as_of:
        return (f"Cannot measure yet: the {what} ({when:%d %b %Y}) is after the last day of data "
                f"({as_of:%d %b %Y}).")
    return ""


def planned_measurements(subject) -> list[Planned]:
    steps = tuple(s.pk for s in subject.steps.all())
    if isinstance(subject, PlannedChange):
        return [Planned(m, m, _label(m), "", step_ids=steps) for m in PLANNED_METRICS]
    out: list[Planned] = []
    for move in subject.metric_moves.all():
        d = move.metric
        if d.base not in IMPACT_METRICS:
            out.append(Planned(f"def:{d.key}", "", d.name, move.direction, step_ids=steps,
                               problem=f"Cannot measure: the impact engine does not measure “{d.name}” "
                                       f"({CATALOGUE[d.base].label if d.base in CATALOGUE else d.base}) yet."))
            continue
        suffix = ":".join(p for p in (d.channel, d.segment) if p)
        for key in (d.base, COUNT_TWINS.get(d.base)):
            if key:
                label = _label(key) + (f" ({d.channel or ''}{', ' if d.channel and d.segment else ''}"
                                       f"{d.segment or ''})" if suffix else "")
                out.append(Planned(key + (f":{suffix}" if suffix else ""), key, label, move.direction,
                                   channel=d.channel, segment=d.segment, step_ids=steps))
    for watch in subject.mention_watches.all():
        where = tuple(s.pk for s in watch.steps.all()) or steps
        label = f"Mentions of “{watch.topic}”" + (f" ({watch.channel})" if watch.channel else "")
        out.append(Planned(watch.key, "mentions", label, "down", topic=watch.topic, channel=watch.channel,
                           step_ids=where))
    return out


def _label(key: str) -> str:
    from cxkeeper.insights.impact import metric_label

    return metric_label(key)


# ---------------------------------------------------------------- the stamp


def _fingerprint(initiatives, planned) -> str:
    parts = []
    for i in initiatives:
        parts.append(["i", i.pk, i.status, str(i.ship_date), sorted(s.pk for s in i.steps.all()),
                      sorted([m.metric.key, m.metric.base, m.metric.channel, m.metric.segment, m.direction]
                             for m in i.metric_moves.all()),
                      sorted([w.topic, w.channel, sorted(s.pk for s in w.steps.all())]
                             for w in i.mention_watches.all()),
                      sorted([r.team_id, r.role] for r in i.team_roles.all())])
    for p in planned:
        parts.append(["p", p.pk, p.status, str(p.go_live), sorted(s.pk for s in p.steps.all())])
    return hashlib.sha1(json.dumps(parts, default=str).encode(), usedforsecurity=False).hexdigest()[:16]


def current_stamp(as_of: dt.date | None = None) -> tuple[str, list, list, dt.date]:
    as_of = as_of or clock.as_of()
    initiatives = list(initiatives_to_measure())
    planned = list(planned_changes_to_measure(as_of))
    # The feedback data version moves at the commit of every rollup write (core.figures); the
    # newest feedback id also sees an import this connection has not committed yet.
    newest = Feedback.objects.aggregate(newest=Max("pk"))["newest"] or 0
    feedback = f"{figures.versions().get(figures.FEEDBACK, 0)}.{newest}"
    inputs = _fingerprint(initiatives, planned)
    stamp = f"{figures.code_fingerprint()[:12]};feedback={feedback};as_of={as_of};inputs={inputs}"
    return stamp, initiatives, planned, as_of


def is_current(stamp: str, subjects: list) -> bool:
    stamps = set(Measurement.objects.values_list("stamp", flat=True).distinct())
    if not subjects:
        return not stamps
    if stamps != {stamp}:
        return False
    measured = set(Measurement.objects.values_list("initiative_id", "planned_change_id").distinct())
    wanted = {(s.pk, None) if isinstance(s, Initiative) else (None, s.pk) for s in subjects}
    return wanted <= measured


# The data versions (and day) at which this process last found the stored measurements current.
# Every change that can move a measurement — feedback, an initiative, a planned change — moves a
# data version (`core.figures`), so while they stand still the stamp cannot have moved, and
# reading every initiative to fingerprint them again (5 ms a page view, home and digests
# included) is skipped.
_found_current: dict[str, tuple] = {}


def _versions_key(as_of: dt.date | None) -> tuple | None:
    if figures.computing_fresh() or figures.has_uncommitted_changes():
        return None  # this connection changed data it has not committed: no shortcut
    newest = Feedback.objects.aggregate(newest=Max("pk"))["newest"] or 0
    return tuple(sorted(figures.versions().items())), as_of or clock.as_of(), newest, figures.code_fingerprint()


def ensure_measured(*, as_of: dt.date | None = None) -> bool:
    """Measure again if the stamp moved; True when it measured. Inside `figures.computed_fresh()`
    (tests) it always measures."""
    key = _versions_key(as_of)
    if key is not None and _found_current.get("key") == key:
        return False
    stamp, initiatives, planned, as_of = current_stamp(as_of)
    subjects = [*initiatives, *planned]
    if not figures.computing_fresh() and is_current(stamp, subjects):
        if key is not None:
            _found_current["key"] = key
        return False
    try:
        with transaction.atomic():
            measure_all(subjects, stamp=stamp, as_of=as_of)
    except DatabaseError:  # another process measured the same stamp at the same time (or holds the
        return False        # embedded store's write lock): its rows, or the previous ones, are read
    return True


# ---------------------------------------------------------------- measuring


def _window(subject) -> tuple[dt.date, dt.date] | None:
    day = change_date_of(subject)
    if day is None:
        return None
    return day - dt.timedelta(days=DEFAULT_BEFORE_DAYS), day + dt.timedelta(days=DEFAULT_AFTER_DAYS)


def concurrent_steps(subject, subjects) -> set[int]:
    """Steps of the other subjects whose change date falls within this one's measured window."""
    window = _window(subject)
    if window is None:
        return set()
    out: set[int] = set()
    for other in subjects:
        if other is subject or type(other) is type(subject) and other.pk == subject.pk:
            continue
        day = change_date_of(other)
        if day is not None and window[0] <= day <= window[1]:
            out.update(s.pk for s in other.steps.all())
    return out


def _texts(result) -> tuple[str, str]:
    a = result.assessment
    e = a.effect
    if e is None:
        return "", ""
    if a.kind == "volume":
        return f"{numbers.signed(100 * e.value)}%", f"{numbers.signed(100 * e.low)}% to {numbers.signed(100 * e.high)}%"
    if CATALOGUE[result.metric].unit == "%":
        digits = CATALOGUE[result.metric].digits
        return (f"{numbers.with_sign(numbers.fixed(e.value, digits))} points",
                f"{numbers.with_sign(numbers.fixed(e.low, digits))} to "
                f"{numbers.with_sign(numbers.fixed(e.high, digits))} points")
    return (format_metric(e.value, result.metric, sign=True),
            f"{format_metric(e.low, result.metric, sign=True)} to {format_metric(e.high, result.metric, sign=True)}")


def measure_one(subject, plan: Planned, *, as_of: dt.date, exclude: set[int]) -> dict:
    """The stored fields of one measurement (not saved)."""
    step_names = ", ".join(s.name for s in subject.steps.all() if s.pk in plan.step_ids) or \
        ", ".join(s.name for s in subject.steps.all()) or ORGANIZATION_SCOPE
    base = {"metric": plan.metric, "label": plan.label, "direction": plan.direction,
            "change_date": change_date_of(subject), "as_of": as_of, "scope": step_names[:500]}
    if plan.problem:
        return {**base, "verdict": Verdict.CANNOT_MEASURE, "sentence": plan.problem, "details": {}}
    try:
        result = measure_impact(list(plan.step_ids), plan.metric, change_date_of(subject), as_of=as_of,
                                exclude=sorted(exclude - set(plan.step_ids)), topic=plan.topic,
                                channel=plan.channel, segment=plan.segment,
                                scope="steps" if plan.step_ids else "organization")
    except InvalidInput as error:
        reason = " ".join(" ".join(v) for v in error.errors.values())
        return {**base, "verdict": Verdict.CANNOT_MEASURE, "sentence": f"Cannot measure yet: {reason}", "details": {}}
    a = result.assessment
    sentence = result.sentence
    where = ", ".join(s.name for s in result.steps) or ORGANIZATION_SCOPE
    if result.verdict == "too_early":
        verdict = Verdict.TOO_EARLY if a.reason in TOO_EARLY_REASONS else Verdict.CANNOT_MEASURE
        if verdict == Verdict.TOO_EARLY and int(a.n_before or 0) < DEFAULT_MIN_N:
            # Nothing to compare with before the change either: waiting will not help by itself.
            unit = "items" if a.kind == "volume" else "answers"
            verdict = Verdict.CANNOT_MEASURE
            sentence = (f"Cannot measure yet: only {numbers.count(int(a.n_before or 0))} {unit} of {result.label} at "
                        f"{where} before {result.change_date:%d %b %Y}; it needs "
                        f"{DEFAULT_MIN_N} before and after the change.")
    else:
        verdict = Verdict(result.verdict)
    scope = where + (f" ({plan.channel})" if plan.channel else "")
    effect_text, interval_text = _texts(result)
    return {**base, "scope": scope[:500], "verdict": verdict, "sentence": sentence,
            "effect": a.effect.value if a.effect else None, "low": a.effect.low if a.effect else None,
            "high": a.effect.high if a.effect else None, "effect_text": effect_text, "interval_text": interval_text,
            "n_before": int(a.n_before or 0), "n_after": int(a.n_after or 0),
            "details": json.loads(json.dumps(result.details, default=str))}


def measure_all(subjects: list, *, stamp: str, as_of: dt.date) -> list[Measurement]:
    """Measure every subject; keep one row per subject × metric (created, updated or removed),
    record a verdict change in history and flag new regressions to the teams."""
    now = timezone.now()
    kept: list[Measurement] = []
    for subject in subjects:
        field = "initiative" if isinstance(subject, Initiative) else "planned_change"
        problem = subject_problem(subject, as_of)
        plans = [Planned(SUBJECT_KEY, "", "—", problem=problem)] if problem else planned_measurements(subject)
        exclude = concurrent_steps(subject, subjects)
        existing = {m.key: m for m in Measurement.objects.filter(**{field: subject})}
        for plan in plans:
            values = measure_one(subject, plan, as_of=as_of, exclude=exclude)
            row = existing.pop(plan.key, None)
            if row is None:
                row = Measurement(**{field: subject}, key=plan.key, verdict_since=now, measured_at=now, stamp=stamp)
                before = None
            else:
                before = {"verdict": row.verdict, "sentence": row.sentence}
            changed_verdict = before is None or before["verdict"] != values["verdict"]
            for name, value in values.items():
                setattr(row, name, value)
            row.stamp, row.measured_at = stamp, now
            if changed_verdict:
                row.verdict_since = now
                if row.verdict != Verdict.WORSE:
                    row.flagged_at = None
            row.save()
            if changed_verdict:
                record_change(row, "create" if before is None else "update", before,
                              {"verdict": row.verdict, "sentence": row.sentence}, SYSTEM)
            kept.append(row)
        for stale in existing.values():
            stale.delete()
    Measurement.objects.exclude(pk__in=[m.pk for m in kept]).delete()
    for row in kept:
        if row.verdict == Verdict.WORSE and row.flagged_at is None:
            flag_regression(row, now)
    return kept


def teams_of(subject) -> list:
    if isinstance(subject, Initiative):
        return [r.team for r in subject.teams_in_order()]
    return [subject.team] if subject.team_id else []


REGRESSION = event_kind("wins.regression", "A result your team shares in got credibly worse")


def flag_regression(row: Measurement, now) -> None:
    """A credibly worse result: every member of its teams gets a notice (after commit); the
    council sees it on its next agenda (governance.agenda, kind "initiative_regression")."""
    subject = row.subject
    team_ids = [t.pk for t in teams_of(subject)]
    Measurement.objects.filter(pk=row.pk).update(flagged_at=now)
    row.flagged_at = now
    message = f"Regression: {subject.title} — {row.sentence}"[:500]
    url = row.get_absolute_url()

    def event():
        users = Person.objects.filter(teams__in=team_ids).values_list("user_id", flat=True)
        return Event(REGRESSION, message, url=url, recipient_ids=tuple(sorted(set(users))),
                     team_ids=tuple(sorted(team_ids)), data={"measurement_id": row.pk, "verdict": row.verdict})

    emit_after_commit(REGRESSION, event)
