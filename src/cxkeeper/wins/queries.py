"""Reads of the wins app. Every read first makes sure the measurements are current
(`measure.ensure_measured`: measured again only when the feedback, the data-through day or a
subject changed), then reads the stored rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from cxkeeper.initiatives.models import Initiative, PlannedChange
from cxkeeper.insights import clock
from cxkeeper.wins import measure
from cxkeeper.wins.choices import VERDICT_ORDER, Verdict
from cxkeeper.wins.models import Measurement

ensure_measured = measure.ensure_measured


def measurements(*, verdict: str | None = None, team=None, initiative=None, planned_change=None,
                 kind: str | None = None) -> QuerySet[Measurement]:
    ensure_measured()
    rows = Measurement.objects.select_related("initiative__friction_point", "planned_change__team") \
        .prefetch_related("initiative__team_roles__team", "kudos")
    if verdict:
        rows = rows.filter(verdict=verdict)
    if team is not None:
        rows = rows.filter(initiative__team_roles__team=team) | rows.filter(planned_change__team=team)
    if initiative is not None:
        rows = rows.filter(initiative=initiative)
    if planned_change is not None:
        rows = rows.filter(planned_change=planned_change)
    if kind == "initiative":
        rows = rows.filter(initiative__isnull=False)
    elif kind == "planned_change":
        rows = rows.filter(planned_change__isnull=False)
    return rows.distinct().order_by("-verdict_since", "pk")


def sorted_rows(rows) -> list[Measurement]:
    return sorted(rows, key=lambda m: (VERDICT_ORDER.get(m.verdict, 9), -(m.change_date.toordinal()
                                                                          if m.change_date else 0), m.pk))


def wins(*, team=None) -> list[Measurement]:
    return list(measurements(verdict=Verdict.WIN, team=team))


def measurement_by_id(pk: int) -> Measurement:
    ensure_measured()
    row = Measurement.objects.select_related("initiative__friction_point", "planned_change__team") \
        .filter(pk=pk).first()
    if row is None:
        raise Http404("No such measured result (it may have been measured again under another number).")
    return row


def initiative_by_ref(text: str) -> Initiative:
    """An initiative by id or exact title (case-insensitive); LookupError naming what is wrong."""
    text = (text or "").strip()
    rows = Initiative.objects.filter(pk=int(text)) if text.isdigit() else Initiative.objects.filter(title__iexact=text)
    found = list(rows[:2])
    if not found:
        raise LookupError(f"No initiative “{text}” (give its id or its title).")
    if len(found) > 1:
        raise LookupError(f"Several initiatives are called “{text}”; give its id.")
    return found[0]


@dataclass
class Credit:
    team: object
    role: str          # "leads", "contributes", "consulted", "declared it"
    hidden_hero: bool  # back office or not customer-facing

    def as_dict(self) -> dict:
        return {"team": self.team.name, "role": self.role, "hidden_hero": self.hidden_hero,
                "office": self.team.office, "customer_facing": self.team.customer_facing}


def credit(subject) -> list[Credit]:
    """Every contributing team with its role, hidden heroes (back office, not customer-facing) first."""
    if isinstance(subject, Initiative):
        found = [Credit(r.team, r.get_role_display(), r.team.is_hidden_hero_candidate)
                 for r in subject.teams_in_order()]
    else:
        found = [Credit(subject.team, "declared it", subject.team.is_hidden_hero_candidate)] if subject.team_id else []
    return sorted(found, key=lambda c: (not c.hidden_hero, ))


@dataclass
class Chain:
    """How a win came about: friction point → perspectives → decision → initiative → effect."""

    friction_point: object | None = None
    perspectives: list = field(default_factory=list)
    decision: object | None = None
    subject: object | None = None


def chain(row: Measurement) -> Chain:
    subject = row.subject
    if isinstance(subject, PlannedChange):
        from cxkeeper.initiatives import queries as iq

        return Chain(None, list(iq.perspectives_of(subject)), None, subject)
    fp = subject.friction_point
    if fp is None:
        return Chain(None, [], None, subject)
    from cxkeeper.initiatives import queries as iq

    decision = getattr(fp, "decision", None) if hasattr(fp, "decision") else None
    return Chain(fp, list(iq.perspectives_of(fp)), decision, subject)


def subject_report(subject) -> dict:
    """A subject's measurements, or why it cannot be measured: the answer of
    `/api/v1/initiatives/{id}/impact` and `cxkeeper impact INITIATIVE`."""
    as_of = clock.as_of()
    rows = list(measurements(initiative=subject) if isinstance(subject, Initiative)
                else measurements(planned_change=subject))
    problem = measure.subject_problem(subject, as_of)
    return {"subject": subject, "as_of": as_of, "problem": problem,
            "rows": [] if problem else sorted_rows(rows), "credit": credit(subject)}


def row_dict(row: Measurement, *, with_details: bool = False) -> dict:
    subject = row.subject
    out = {
        "id": row.id, "initiative_id": row.initiative_id, "planned_change_id": row.planned_change_id,
        "initiative": subject.title, "kind": "initiative" if row.initiative_id else "planned change",
        "metric": row.metric or None, "label": row.label, "scope": row.scope, "aims": row.direction or None,
        "change_date": row.change_date, "verdict": row.verdict, "verdict_label": row.get_verdict_display(),
        "effect": row.effect, "low": row.low, "high": row.high, "effect_text": row.effect_text or None,
        "interval_text": row.interval_text or None, "n_before": row.n_before, "n_after": row.n_after,
        "sentence": row.sentence, "as_of": row.as_of, "measured_at": row.measured_at, "data_version": row.stamp,
        "teams": [c.as_dict() for c in credit(subject)], "url": row.get_absolute_url(),
    }
    if with_details:
        out["details"] = row.details
    return out


def regressions_between(since, until) -> list[Measurement]:
    """Credibly worse results first found after `since` up to `until` (days)."""
    ensure_measured()
    return list(Measurement.objects.filter(verdict=Verdict.WORSE, verdict_since__date__gt=since,
                                           verdict_since__date__lte=until).order_by("verdict_since", "pk"))


def wins_between(since, until) -> list[Measurement]:
    ensure_measured()
    return list(Measurement.objects.filter(verdict=Verdict.WIN, verdict_since__date__gt=since,
                                           verdict_since__date__lte=until).order_by("verdict_since", "pk"))
