"""Writes to shared outcomes, metrics, targets, success statements and team KPIs.

Every write is a versioned, audited core action; permissions are checked here so pages, API
and CLI enforce the same rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass

from django.db import transaction

from cxkeeper.core.actions import create_object, delete_object, update_object
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.history import record_change, snapshot
from cxkeeper.core.models import ChangeAction
from cxkeeper.core.removals import announce_removal, lock_for_removal
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.outcomes.choices import KpiSource
from cxkeeper.outcomes.models import (
    KpiLink,
    KpiValue,
    MetricDefinition,
    SharedOutcome,
    SuccessStatement,
    Target,
    TeamKpi,
)
from cxkeeper.outcomes.permissions import require_define, require_team_kpis

# ---------------------------------------------------------------- metric definitions


def define_metric(values: dict, *, acting_user) -> MetricDefinition:
    require_define(acting_user)
    metric, _ = create_object(MetricDefinition, dict(values), acting_user=acting_user)
    return metric


def restore_standard_metrics(*, acting_user) -> list[MetricDefinition]:
    """Create the standard definitions (NPS, CSAT, CES …) that are missing, e.g. after someone
    deleted one; existing ones, even edited, are left alone."""
    from cxkeeper.outcomes.standard_metrics import STANDARD, direction_of

    require_define(acting_user, "restore the standard metrics")
    existing = set(MetricDefinition.objects.values_list("key", flat=True))
    return [define_metric({"key": key, "name": name, "base": base, "description": description,
                           "direction": direction_of(base)}, acting_user=acting_user)
            for key, name, base, description in STANDARD if key not in existing]


def update_metric(metric: MetricDefinition, changes: dict, *, expected_version, acting_user) -> MetricDefinition:
    require_define(acting_user)
    metric, _ = update_object(metric, changes, expected_version=expected_version, acting_user=acting_user)
    return metric


def delete_metric(metric: MetricDefinition, *, expected_version, acting_user) -> None:
    """Refused, naming the users, while a target or KPI still measures with this metric."""
    require_define(acting_user)
    users = [f"target “{t}”" for t in metric.targets.all()[:5]]
    users += [f"KPI “{k}”" for k in metric.kpis.all()[:5]]
    if users:
        raise InvalidInput({"metric": f"“{metric.name}” is still used by {', '.join(users)}. "
                                      "Change or delete those first; nothing was deleted."})
    with transaction.atomic():  # higher apps (initiatives naming it) detach their own rows first
        current = lock_for_removal(metric, expected_version=expected_version)
        announce_removal(current, acting_user=acting_user)
        delete_object(current, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- outcomes


def define_outcome(values: dict, *, acting_user) -> SharedOutcome:
    require_define(acting_user)
    values = dict(values)
    if "position" not in values:
        values["position"] = (max(SharedOutcome.objects.values_list("position", flat=True), default=0) or 0) + 1
    outcome, _ = create_object(SharedOutcome, values, acting_user=acting_user)
    return outcome


def update_outcome(outcome: SharedOutcome, changes: dict, *, expected_version, acting_user) -> SharedOutcome:
    require_define(acting_user)
    outcome, _ = update_object(outcome, changes, expected_version=expected_version, acting_user=acting_user)
    return outcome


def delete_outcome(outcome: SharedOutcome, *, expected_version, acting_user) -> None:
    """Refused while targets remain; its success statements and KPI links go with it, each
    with a DELETE record (not by a silent cascade)."""
    require_define(acting_user)
    if outcome.targets.exists():
        raise InvalidInput({"outcome": f"“{outcome.name}” still has {outcome.targets.count()} target(s). "
                                       "Delete or move them first; nothing was deleted."})
    with transaction.atomic():
        current = lock_for_removal(outcome, expected_version=expected_version)
        for statement in current.statements.order_by("pk"):
            delete_object(statement, expected_version=None, acting_user=acting_user)
        for link in current.kpi_links.order_by("pk"):
            delete_object(link, expected_version=None, acting_user=acting_user)
        delete_object(current, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- targets


def set_metric_target(values: dict, *, acting_user) -> Target:
    """A new target. Without a baseline, the metric's current value becomes the baseline."""
    require_define(acting_user, "set targets")
    values = dict(values)
    target, _ = create_object(Target, values, acting_user=acting_user)
    if target.baseline is None:
        from cxkeeper.outcomes.queries import current_value, default_as_of

        as_of = default_as_of()
        current = current_value(target, as_of=as_of)
        if current.enough and current.value is not None:
            target, _ = update_object(target, {"baseline": round(current.value, 3), "baseline_date": as_of},
                                      expected_version=target.version, acting_user=acting_user)
    return target


def update_target(target: Target, changes: dict, *, expected_version, acting_user) -> Target:
    require_define(acting_user, "change targets")
    target, _ = update_object(target, changes, expected_version=expected_version, acting_user=acting_user)
    return target


def delete_target(target: Target, *, expected_version, acting_user) -> None:
    """Success statements measured by the target stay, without a target (an UPDATE each)."""
    require_define(acting_user, "delete targets")
    with transaction.atomic():
        current = lock_for_removal(target, expected_version=expected_version)
        for statement in current.statements.order_by("pk"):
            update_object(statement, {"target": None}, expected_version=None, acting_user=acting_user)
        delete_object(current, expected_version=expected_version, acting_user=acting_user)


def remove_targets_at(place: Journey | Stage | Step, *, acting_user) -> int:
    """A journey, stage or step is being deleted (announced, see `outcomes.removals`): the
    targets set there are deleted through `delete_target`. Returns how many."""
    field = {Journey: "journey", Stage: "stage", Step: "step"}[type(place)]
    targets = list(Target.objects.filter(**{field: place}).order_by("pk"))
    for target in targets:
        delete_target(target, expected_version=None, acting_user=acting_user)
    return len(targets)


# ---------------------------------------------------------------- success statements


def add_success_statement(values: dict, *, acting_user) -> SuccessStatement:
    require_define(acting_user, "write success statements")
    statement, _ = create_object(SuccessStatement, dict(values), acting_user=acting_user)
    return statement


def update_success_statement(statement: SuccessStatement, changes: dict, *, expected_version,
                             acting_user) -> SuccessStatement:
    require_define(acting_user, "edit success statements")
    statement, _ = update_object(statement, changes, expected_version=expected_version, acting_user=acting_user)
    return statement


def delete_success_statement(statement: SuccessStatement, *, expected_version, acting_user) -> None:
    require_define(acting_user, "delete success statements")
    delete_object(statement, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- team KPIs


def declare_team_kpi(values: dict, *, acting_user) -> TeamKpi:
    require_team_kpis(acting_user, values["team"])
    kpi, _ = create_object(TeamKpi, dict(values), acting_user=acting_user)
    return kpi


def update_team_kpi(kpi: TeamKpi, changes: dict, *, expected_version, acting_user) -> TeamKpi:
    require_team_kpis(acting_user, kpi.team)
    if "team" in changes and changes["team"] != kpi.team:
        require_team_kpis(acting_user, changes["team"])
    kpi, _ = update_object(kpi, changes, expected_version=expected_version, acting_user=acting_user)
    return kpi


def delete_team_kpi(kpi: TeamKpi, *, expected_version, acting_user) -> None:
    """Its links to outcomes are deleted one by one (a DELETE record each); its values are not
    workspace objects — like `record_kpi_values`, the KPI's own history keeps them: the
    DELETE record's `before` has them under "values" ({period: value})."""
    require_team_kpis(acting_user, kpi.team)
    with transaction.atomic():
        current = lock_for_removal(kpi, expected_version=expected_version)
        for link in current.links.order_by("pk"):
            delete_object(link, expected_version=None, acting_user=acting_user)
        values = {v.period.isoformat(): v.value for v in current.values.order_by("period")}
        record_change(current, ChangeAction.DELETE, {**snapshot(current), "values": values}, None, acting_user)
        current.delete()  # and its values, recorded just above


def remove_team_kpis(team, *, acting_user) -> int:
    """A team is being deleted (announced, see `outcomes.removals`): its KPIs go through
    `delete_team_kpi`, with their links and values recorded. Returns how many."""
    kpis = list(TeamKpi.objects.filter(team=team).order_by("pk"))
    for kpi in kpis:
        delete_team_kpi(kpi, expected_version=None, acting_user=acting_user)
    return len(kpis)


def link_kpi_to_outcome(kpi: TeamKpi, outcome: SharedOutcome, kind: str, *, note: str = "",
                        expected_version: int | None = None, acting_user) -> KpiLink:
    """Create or change the one link between a KPI and an outcome. `expected_version`: the
    version of the existing link the caller read, checked under its row lock (409 when stale);
    None, or no link yet: no check."""
    require_team_kpis(acting_user, kpi.team)
    existing = KpiLink.objects.filter(kpi=kpi, outcome=outcome).first()
    if existing is None:
        link, _ = create_object(KpiLink, {"kpi": kpi, "outcome": outcome, "kind": kind, "note": note},
                                acting_user=acting_user)
        return link
    link, _ = update_object(existing, {"kind": kind, "note": note}, expected_version=expected_version,
                            acting_user=acting_user)
    return link


def unlink_kpi(link: KpiLink, *, expected_version: int | None = None, acting_user) -> None:
    """`expected_version`: the link's version the caller read, checked under the row lock."""
    require_team_kpis(acting_user, link.kpi.team)
    delete_object(link, expected_version=expected_version, acting_user=acting_user)


@dataclass(frozen=True)
class ValueRow:
    period: dt.date
    value: float


def record_kpi_values(kpi: TeamKpi, rows: list[ValueRow], *, acting_user, replace: bool = False,
                      source_label: str = "by hand", expected_version: int | None = None) -> int:
    """Upsert values (one per period) in one transaction, recorded in the KPI's history; a
    change raises the KPI's version. `expected_version`: the KPI's version the caller read,
    checked under the KPI's row lock (409 when stale); None: no check.

    A KPI taken from a cxkeeper metric has no stored values: they come from the rollups."""
    require_team_kpis(acting_user, kpi.team)
    if kpi.source == KpiSource.METRIC:
        raise InvalidInput({"source": f"“{kpi.name}” is taken from the metric {kpi.metric}; "
                                      "its values come from feedback and cannot be entered."})
    periods = [row.period for row in rows]
    duplicates = sorted({p for p in periods if periods.count(p) > 1})
    if duplicates:
        raise InvalidInput({"period": f"{duplicates[0]:%Y-%m-%d} appears more than once; give one value per period."})
    for row in rows:
        if not math.isfinite(row.value):
            raise InvalidInput({"value": f"The value for {row.period:%Y-%m-%d} is not a finite number."})
    with transaction.atomic():
        current = TeamKpi.objects.select_for_update().get(pk=kpi.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(current, expected_version)
        before = {v.period.isoformat(): v.value for v in kpi.values.all()}
        if replace:
            kpi.values.all().delete()
        for row in rows:
            KpiValue.objects.update_or_create(kpi=kpi, period=row.period, defaults={"value": row.value})
        after = {v.period.isoformat(): v.value for v in kpi.values.all()}
        if after != before:
            TeamKpi.objects.filter(pk=kpi.pk).update(version=current.version + 1)
            kpi.version = current.version + 1
            record_change(kpi, ChangeAction.UPDATE, {"values": before},
                          {"values": after, "values_source": source_label}, acting_user)
    return len(rows)


KPI_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%d/%m/%Y")


def parse_kpi_csv(text: str, kpi: TeamKpi, *, filename: str = "upload.csv") -> list[ValueRow]:
    """Rows of `period,value[,unit]`; every problem is reported (file, row, column, value, reason)
    and then nothing is stored: KPI values feed tension detection, half a series would mislead."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    reader.fieldnames = fields
    date_column = next((f for f in fields if f in ("period", "date", "month")), None)
    errors: list[str] = []
    if date_column is None or "value" not in fields:
        raise InvalidInput({"file": f"{filename}: the header must name a date column (period, date or month) "
                                    f"and a value column; found {', '.join(fields) or 'nothing'}."})
    rows: list[ValueRow] = []
    for number, record in enumerate(reader, start=2):
        raw_date, raw_value = (record.get(date_column) or "").strip(), (record.get("value") or "").strip()
        period = _parse_period(raw_date)
        if period is None:
            errors.append(f"{filename}, row {number}, column {date_column}: “{raw_date}” is not a date "
                          "(use YYYY-MM-DD, YYYY-MM or DD/MM/YYYY).")
        try:
            value = float(raw_value.replace(",", "")) if raw_value else None
        except ValueError:
            value = None
        if value is None or not math.isfinite(value):
            errors.append(f"{filename}, row {number}, column value: “{raw_value}” is not a number.")
        unit = (record.get("unit") or "").strip()
        if unit and unit.lower() != kpi.unit.lower():
            errors.append(f"{filename}, row {number}, column unit: “{unit}” does not match the KPI's unit "
                          f"“{kpi.unit}”; convert the values or fix the KPI.")
        if period is not None and value is not None and math.isfinite(value):
            rows.append(ValueRow(period, value))
    if not errors and not rows:
        errors.append(f"{filename}: no data rows below the header.")
    seen: dict[dt.date, int] = {}
    for index, row in enumerate(rows):
        if row.period in seen:
            errors.append(f"{filename}: {row.period:%Y-%m-%d} appears twice; give one value per period.")
        seen[row.period] = index
    if errors:
        raise InvalidInput({"file": errors[:50] + ([f"… and {len(errors) - 50} more"] if len(errors) > 50 else [])})
    return rows


def _parse_period(raw: str) -> dt.date | None:
    for fmt in KPI_DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def import_kpi_values(kpi: TeamKpi, text: str, *, filename: str = "upload.csv", acting_user,
                      expected_version: int | None = None) -> int:
    require_team_kpis(acting_user, kpi.team)
    rows = parse_kpi_csv(text, kpi, filename=filename)
    return record_kpi_values(kpi, rows, acting_user=acting_user, source_label=f"CSV {filename}",
                             expected_version=expected_version)


def set_target_as_given(values: dict, *, acting_user) -> Target:
    """A new target exactly as given: unlike `set_metric_target`, no baseline is measured when
    none is given. For journey-as-code, where the file is the whole truth (an absent baseline
    stays absent, so export → apply → export gives the same file)."""
    require_define(acting_user, "set targets")
    target, _ = create_object(Target, dict(values), acting_user=acting_user)
    return target
