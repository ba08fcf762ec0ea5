"""Writes to friction points. Every write is a versioned, audited core action; permissions are
checked here so pages and API enforce the same rules (see permissions.py)."""

from __future__ import annotations

import math

from django.db.models import Max, Min

from cxkeeper.core import numbers
from cxkeeper.core.actions import create_object, delete_object, update_object
from cxkeeper.core.errors import InvalidInput
from cxkeeper.initiatives.choices import FrictionSource, FrictionStatus
from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.initiatives.permissions import require_change, require_raise
from cxkeeper.journeys.models import Journey, Step

EDITABLE = ("title", "description", "journey", "step", "status", "source", "evidence")
MAX_EXAMPLES = 3
MAX_EXAMPLE_LENGTH = 500


def raise_friction_point(values: dict, *, acting_user) -> FrictionPoint:
    require_raise(acting_user)
    values = {k: v for k, v in values.items() if k in EDITABLE}  # a step fills in its journey (model clean)
    values["raised_by"] = acting_user
    friction_point, _ = create_object(FrictionPoint, values, acting_user=acting_user)
    return friction_point


def _number(x) -> float | None:
    return float(x) if x is not None and math.isfinite(float(x)) else None


def theme_evidence(theme, *, since=None) -> dict:
    """What a friction point keeps of a theme: enough to judge it later without the feedback.

    Example texts are stored feedback (redacted at import) and redacted once more here, so a
    pattern added since the import also applies; the date range is of the theme's items."""
    from cxkeeper.insights.actions import redactor
    from cxkeeper.insights.models import Feedback

    examples = [redactor().redact(text).text[:MAX_EXAMPLE_LENGTH] for text in list(theme.examples)[:MAX_EXAMPLES]]
    span = Feedback.objects.filter(pk__in=list(theme.feedback_ids)).aggregate(first=Min("received_at"),
                                                                             last=Max("received_at"))
    growth = theme.growing
    return {
        "theme_key": theme.key,
        "label": theme.label,
        "keywords": list(theme.keywords),
        "count": int(theme.count),
        "share_unrouted": _number(theme.share_unrouted),
        "share_negative": _number(theme.share_negative),
        "growth": {"days": growth.days, "current": growth.current, "previous": growth.previous,
                   "ratio": _number(growth.ratio), "p_value": _number(growth.p_value),
                   "testable": bool(growth.testable), "significant": growth.significant()},
        "examples": examples,
        "first_seen": span["first"].date().isoformat() if span["first"] else None,
        "last_seen": span["last"].date().isoformat() if span["last"] else None,
        "discovered_since": since.isoformat() if since is not None else None,
    }


def raise_friction_point_from_theme(theme, *, step=None, journey=None, since=None, acting_user) -> FrictionPoint:
    """A theme of unrouted or negative feedback becomes a friction point, with its evidence.

    `step` defaults to the step the router would send the theme to, when that step is on
    `journey` (unrouted feedback belongs to no journey, so the router may point elsewhere).
    Praise is not friction: a theme whose members lean positive is refused."""
    require_raise(acting_user)
    if getattr(theme, "is_praise", False):
        raise InvalidInput({"theme": "This theme is praise (most of its customers are happy); "
                                     "only problems can be raised as friction points."})
    suggested = theme.suggested_step
    if step is None and suggested is not None and (journey is None or suggested.stage.journey_id == journey.pk):
        step = suggested
    title = theme.label[:1].upper() + theme.label[1:] if theme.label else "Theme in feedback"
    description = (f"Raised from a theme of {numbers.count(theme.count)} feedback items "
                   f"({numbers.percent(100 * theme.share_unrouted)} unrouted, "
                   f"{numbers.percent(100 * theme.share_negative)} negative) about: {', '.join(theme.keywords)}.")
    return raise_friction_point({
        "title": title[:200], "description": description, "step": step, "journey": journey,
        "source": FrictionSource.THEME, "evidence": theme_evidence(theme, since=since),
    }, acting_user=acting_user)


def signal_evidence(signal, *, as_of=None, window_days=None, comparisons=None) -> dict:
    """What a friction point keeps of a friction signal: the figures, their n, interval and test,
    the periods, who owns the step, how many customers and how severe — and ≤ 3 example texts,
    redacted once more (as for themes) — so it can be judged later without the feedback."""
    from cxkeeper.insights.actions import redactor

    def figure(value) -> dict:
        return {"value": _number(value.value), "n": int(value.n), "low": _number(value.low),
                "high": _number(value.high)}

    examples = [redactor().redact(text).text[:MAX_EXAMPLE_LENGTH] for text in list(signal.examples)[:MAX_EXAMPLES]]
    evidence = {
        "signal_kind": signal.kind,
        "metric": signal.metric,
        "metric_label": signal.metric_label,
        "step_name": signal.step.name if signal.step is not None else None,
        "current": figure(signal.current),
        "reference": figure(signal.reference),
        "reference_label": signal.reference_label,
        "difference": _number(signal.difference),
        "difference_low": _number(signal.difference_low),
        "difference_high": _number(signal.difference_high),
        "unit": signal.unit,
        "test": signal.test,
        "p_value": _number(signal.p_value),
        "p_adjusted": _number(signal.p_adjusted),
        "alpha": _number(signal.alpha),
        "comparisons": comparisons,
        "period": [d.isoformat() for d in signal.period],
        "reference_period": [d.isoformat() for d in signal.reference_period],
        "as_of": as_of.isoformat() if as_of is not None else None,
        "window_days": window_days,
        "customers_affected": signal.customers_affected,
        "times_minimum": _number(signal.times_minimum),
        "impact": _number(signal.impact),
        "teams": list(signal.teams),
        "explanation": signal.explanation,
        "examples": examples,
    }
    if signal.theme is not None:
        evidence["theme_key"] = signal.theme.key
        evidence["label"] = signal.theme.label
    return evidence


def raise_friction_point_from_signal(signal, *, journey=None, as_of=None, window_days=None, comparisons=None,
                                     acting_user) -> FrictionPoint:
    """A friction signal becomes a friction point at its step, with its evidence; the title
    says what is worse and where, the description is the signal's own explanation."""
    require_raise(acting_user)
    where = f" at “{signal.step.name}”" if signal.step is not None else ""
    if signal.kind == "negative_theme" and signal.theme is not None:
        title = f"Growing complaint{where}: {signal.theme.label}"
    elif signal.kind == "volume_spike":
        title = f"Volume spike{where}"
    else:
        title = f"{signal.metric_label}{where} worse than {signal.reference_label}"
    step = signal.step
    if journey is None and step is not None:
        journey = step.stage.journey
    return raise_friction_point({
        "title": title[:200], "description": signal.explanation, "step": step, "journey": journey,
        "source": FrictionSource.SIGNAL,
        "evidence": signal_evidence(signal, as_of=as_of, window_days=window_days, comparisons=comparisons),
    }, acting_user=acting_user)


def update_friction_point(friction_point: FrictionPoint, changes: dict, *, expected_version,
                          acting_user) -> FrictionPoint:
    require_change(acting_user, friction_point)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput({name: "This field cannot be changed." for name in unknown})
    friction_point, _ = update_object(friction_point, changes, expected_version=expected_version,
                                      acting_user=acting_user)
    return friction_point


def set_friction_point_status(friction_point: FrictionPoint, status: str, *, expected_version,
                              acting_user) -> FrictionPoint:
    """Mark a friction point addressed or dismissed (or open again)."""
    require_change(acting_user, friction_point, "change the status of")
    if status not in FrictionStatus.values:
        raise InvalidInput({"status": f"“{status}” is not one of {', '.join(FrictionStatus.values)}."})
    return update_friction_point(friction_point, {"status": status}, expected_version=expected_version,
                                 acting_user=acting_user)


def delete_friction_point(friction_point: FrictionPoint, *, expected_version, acting_user) -> None:
    require_change(acting_user, friction_point, "delete")
    delete_object(friction_point, expected_version=expected_version, acting_user=acting_user)


def detach_friction_points(place: Journey | Step, *, acting_user) -> int:
    """A journey or step is being deleted (announced, see `initiatives.removals`): friction
    points placed there stay — with their status and evidence — and lose the place, an UPDATE
    in each one's history. A step's friction points keep their journey. Returns how many.

    The deleting action's permission covers this consequence; no second check here."""
    if isinstance(place, Step):
        placed, changes = FrictionPoint.objects.filter(step=place), {"step": None}
    else:  # a journey: its steps were deleted (and detached) first, but say so for any left
        placed, changes = FrictionPoint.objects.filter(journey=place), {"journey": None, "step": None}
    points = list(placed.order_by("pk"))
    for friction_point in points:
        update_object(friction_point, changes, expected_version=None, acting_user=acting_user)
    return len(points)
