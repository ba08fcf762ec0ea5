"""Team KPIs (`/api/v1/kpis`): a team's own measures, their values (JSON or CSV) and their links
to shared outcomes (supports or tension). Members of the team and keepers manage them."""

import datetime as dt
import json

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import TypeAdapter, ValidationError

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    VersionIn,
    acting_user,
    expected_version,
    get_or_404,
)
from cxkeeper.core.crud import Crud
from cxkeeper.core.errors import InvalidInput
from cxkeeper.outcomes import actions, queries
from cxkeeper.outcomes.api.schemas import (
    KPI_REFS,
    KpiFilters,
    KpiIn,
    KpiLinkOut,
    KpiOut,
    KpiPatch,
    PeriodValueOut,
    Ref,
    outcome_ref,
)
from cxkeeper.outcomes.choices import LinkKind
from cxkeeper.outcomes.models import KpiLink, SharedOutcome, TeamKpi
from cxkeeper.outcomes.permissions import require_team_kpis

kpis_router = Router(tags=["team KPIs"])


def _kpis():
    return TeamKpi.objects.select_related("team", "metric").prefetch_related(
        Prefetch("links", queryset=KpiLink.objects.select_related("outcome")))


def _optional_version(request: HttpRequest) -> int | None:
    """`?version=` or `If-Match` when sent (checked like everywhere else), else None."""
    if request.GET.get("version") is None and request.headers.get("If-Match") is None:
        return None
    return expected_version(request)


(Crud(kpis_router, TeamKpi, name="kpi", plural="kpis", out=KpiOut, queryset=_kpis, write_queryset=_kpis,
      refs=KPI_REFS)
    .list(KpiFilters, summary="List team KPIs")
    .get(summary="Get a team KPI")
    .create(KpiIn, actions.declare_team_kpi, summary="Declare a team KPI (members of the team, keeper)", reread=True)
    .update(KpiPatch, actions.update_team_kpi, summary="Edit a team KPI (members of the team, keeper)", reread=True)
    .delete(actions.delete_team_kpi,
            summary="Delete a team KPI with its values and links (members of the team, keeper)")
    .history())


# ---------------------------------------------------------------- KPI values


class KpiValuesOut(Schema):
    kpi_id: int
    name: str
    unit: str
    direction: str
    source: str
    version: int = Field(description="The KPI's version (each change of its values raises it).")
    values: list[PeriodValueOut] = Field(description="Oldest first; a metric KPI: months with enough responses.")


class ValueIn(Schema):
    period: dt.date = Field(description="The period's first day (YYYY-MM-DD), e.g. a month's 1st.")
    value: float


class StoredOut(KpiValuesOut):
    stored: int = Field(description="How many values were written (new or changed periods included).")


def _values_payload(kpi: TeamKpi, months: int = queries.TREND_MONTHS) -> dict:
    return {"kpi_id": kpi.pk, "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction, "source": kpi.source,
            "version": kpi.version,
            "values": [{"period": p, "value": v} for p, v in queries.kpi_series(kpi, months=months)]}


class MonthsQuery(Schema):
    months: int = Field(queries.TREND_MONTHS, ge=1, le=120, description="calendar months up to today")


class FileQuery(Schema):
    filename: str = Field("upload.csv", description="the name of a text/csv body, used in error messages")


@kpis_router.get("/{id}/values", url_name="kpi_values", response={200: KpiValuesOut, **READ_ERRORS},
                 summary="A KPI's values (series)")
def get_kpi_values(request, id: int, query: Query[MonthsQuery]):
    return _values_payload(get_or_404(TeamKpi, id, _kpis()), query.months)


VALUE_ITEM = {"type": "object", "required": ["period", "value"], "properties": {
    "period": {"type": "string", "format": "date", "description": "the period's first day, YYYY-MM-DD"},
    "value": {"type": "number"}}}
VALUES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {
                "oneOf": [
                    {"type": "array", "items": VALUE_ITEM},
                    {"type": "object", "properties": {
                        "values": {"type": "array", "items": VALUE_ITEM},
                        "version": {"type": "integer"}}, "required": ["values"]},
                ]}},
            "text/csv": {"schema": {"type": "string",
                                    "description": "period,value[,unit] — header row first; ?filename= names it"}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}}, "required": ["file"]}},
        },
    }
}

_VALUE_LIST = TypeAdapter(list[ValueIn])


def _json_rows(request: HttpRequest) -> tuple[list[actions.ValueRow], int | None]:
    try:
        body = json.loads(request.body or b"null")
    except ValueError as exc:
        raise InvalidInput({"__all__": f"The body is not JSON: {exc}."}) from exc
    prefix, version = "", None
    if isinstance(body, dict):
        prefix, version, body = "values.", body.get("version"), body.get("values")
    if not isinstance(body, list) or not body:
        raise InvalidInput({"values": "Send a non-empty JSON list of {\"period\": \"YYYY-MM-DD\", \"value\": n}."})
    try:
        items = _VALUE_LIST.validate_python(body)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            field = prefix + ".".join(str(p) for p in error["loc"])
            errors.setdefault(field, []).append(error["msg"])
        raise InvalidInput(errors) from exc
    if version is not None and not isinstance(version, int):
        raise InvalidInput({"version": f"“{version}” is not a version number."})
    return [actions.ValueRow(item.period, item.value) for item in items], version


@kpis_router.post("/{id}/values", url_name="kpi_values", response={200: StoredOut, **WRITE_ERRORS, 415: ErrorOut},
                  summary="Record KPI values: JSON [{period, value}], or import a CSV (text/csv or multipart)",
                  openapi_extra=VALUES_BODY)
def post_kpi_values(request, id: int, query: Query[FileQuery]):
    """Values are upserted, one per period, in one transaction: any error (which names the
    file, row and column for CSV) and nothing is stored. A KPI taken from a cxkeeper metric
    has no values to enter. Sending the KPI's `version` (body or If-Match) guards against a
    concurrent change (409)."""
    kpi = get_or_404(TeamKpi, id, _kpis())
    user = acting_user(request)
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput({"file": "Send the CSV as the multipart field “file”."})
        stored = actions.import_kpi_values(kpi, _text(upload.read(), upload.name), filename=upload.name,
                                           expected_version=_optional_version(request), acting_user=user)
    elif content_type in ("text/csv", "text/plain", "application/csv"):
        stored = actions.import_kpi_values(kpi, _text(request.body, query.filename), filename=query.filename,
                                           expected_version=_optional_version(request), acting_user=user)
    elif content_type in ("application/json", ""):
        rows, version = _json_rows(request)
        stored = actions.record_kpi_values(kpi, rows, source_label="API", acting_user=user,
                                           expected_version=version if version is not None
                                           else _optional_version(request))
    else:
        raise HttpError(415, f"Send JSON, text/csv or multipart/form-data, not {content_type}.")
    return {**_values_payload(TeamKpi.objects.select_related("team", "metric").get(pk=kpi.pk)), "stored": stored}


def _text(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput({"file": f"{filename}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8."}) from exc


# ---------------------------------------------------------------- KPI links


class LinkIn(Schema):
    outcome: Ref = Field(description="shared outcome id or name")
    kind: LinkKind = LinkKind.SUPPORTS
    note: str = ""


class LinkPut(VersionIn):
    kind: LinkKind = LinkKind.SUPPORTS
    note: str = ""


@kpis_router.get("/{id}/links", url_name="kpi_links", response={200: list[KpiLinkOut], **READ_ERRORS},
                 summary="A KPI's links to shared outcomes")
def list_kpi_links(request, id: int):
    return list(get_or_404(TeamKpi, id, _kpis()).links.all())


@kpis_router.post("/{id}/links", url_name="kpi_links", response={201: KpiLinkOut, 200: KpiLinkOut, **WRITE_ERRORS},
                  summary="Link a KPI to a shared outcome as supports or tension (members of the team, keeper)")
def create_kpi_link(request, id: int, payload: LinkIn):
    """One link per KPI and outcome: linking again changes its kind and note (200)."""
    kpi = get_or_404(TeamKpi, id, _kpis())
    outcome = outcome_ref(payload.outcome, "outcome")
    existed = KpiLink.objects.filter(kpi=kpi, outcome=outcome).exists()
    link = actions.link_kpi_to_outcome(kpi, outcome, payload.kind, note=payload.note, acting_user=acting_user(request))
    return (200 if existed else 201), KpiLink.objects.select_related("outcome").get(pk=link.pk)


@kpis_router.put("/{id}/links/{outcome_id}", url_name="kpi_link", response={200: KpiLinkOut, **WRITE_ERRORS},
                 summary="Set the link between a KPI and a shared outcome (members of the team, keeper)")
def put_kpi_link(request, id: int, outcome_id: int, payload: LinkPut):
    """Creates the link or changes it; `version` (optional) refuses a stale change with 409."""
    kpi = get_or_404(TeamKpi, id, _kpis())
    outcome = get_or_404(SharedOutcome, outcome_id)
    version = payload.version if payload.version is not None else _optional_version(request)
    link = actions.link_kpi_to_outcome(kpi, outcome, payload.kind, note=payload.note, expected_version=version,
                                       acting_user=acting_user(request))
    return KpiLink.objects.select_related("outcome").get(pk=link.pk)


@kpis_router.delete("/{id}/links/{outcome_id}", url_name="kpi_link", response={204: None, **WRITE_ERRORS},
                    summary="Remove the link between a KPI and a shared outcome (members of the team, keeper)")
def delete_kpi_link(request, id: int, outcome_id: int, version: int | None = None):
    kpi = get_or_404(TeamKpi, id, _kpis())
    link = KpiLink.objects.filter(kpi=kpi, outcome_id=outcome_id).select_related("kpi__team").first()
    if link is None:
        raise HttpError(404, f"“{kpi.name}” has no link to the shared outcome with id {outcome_id}.")
    require_team_kpis(acting_user(request), kpi.team)
    actions.unlink_kpi(link, expected_version=expected_version(request, version), acting_user=acting_user(request))
    return 204, None
