"""API for friction points (`/api/v1/friction-points`). Every write goes through
`cxkeeper.initiatives.actions`, like the pages: keepers, admins and team members raise friction
points; keepers, admins and the person who raised one change or delete it; everyone signed in
reads. See docs/api.md ("Friction points") and docs/initiatives.md."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiPagination,
    VersionIn,
    acting_user,
    add_history_endpoint,
    changes_of,
    expected_version,
    get_or_404,
    ref,
    resolve_refs,
    serializes,
    set_etag,
)
from cxkeeper.initiatives import actions, queries
from cxkeeper.initiatives.choices import FrictionStatus
from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.journeys.models import Journey, Step

Ref = int | str
Status = Literal[tuple(FrictionStatus.values)]  # type: ignore[valid-type]
Source = Literal["signal", "manual"]  # "theme" only through the theme button, with evidence built on the server

journey_ref = ref(Journey, "slug", "name")
step_ref = ref(Step)
REFS = {"journey": journey_ref, "step": step_ref}


@serializes(FrictionPoint)
class FrictionPointOut(Schema):
    id: int
    title: str
    description: str
    journey_id: int | None
    journey_name: str | None
    step_id: int | None
    step_name: str | None
    status: str
    source: str
    evidence: dict[str, Any] = Field(description="For a theme: keywords, count, shares, growth, ≤ 3 redacted "
                                                 "example texts, first_seen/last_seen.")
    raised_by: str | None = Field(description="Username of the person who raised it.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_journey_name(obj):
        return obj.journey.name if obj.journey_id else None

    @staticmethod
    def resolve_step_name(obj):
        return obj.step.name if obj.step_id else None

    @staticmethod
    def resolve_raised_by(obj):
        return obj.raised_by.get_username() if obj.raised_by_id else None


class FrictionPointIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    journey: Ref | None = Field(None, description="journey id, slug or name; defaults to the step's journey")
    step: int | None = Field(None, description="step id")
    status: Status = "open"
    source: Source = "manual"
    evidence: dict[str, Any] = Field(default_factory=dict, description="Free-form; no feedback texts, please.")


class FrictionPointPatch(VersionIn):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    journey: Ref | None = Field(None, description="null clears")
    step: int | None = Field(None, description="step id; null clears")
    status: Status | None = None


class FrictionPointFilters(Schema):
    journey: str | None = Field(None, description="journey id, slug or name")
    step: int | None = Field(None, description="step id")
    status: Status | None = None


friction_points_router = Router(tags=["initiatives"])


@friction_points_router.get("", url_name="friction_points", response={200: list[FrictionPointOut], **READ_ERRORS},
                            summary="List friction points")
@paginate(ApiPagination)
def list_friction_points(request, filters: Query[FrictionPointFilters]):
    return queries.friction_points(
        journey=journey_ref(filters.journey, "journey") if filters.journey else None,
        step=step_ref(filters.step, "step") if filters.step is not None else None,
        status=filters.status)


@friction_points_router.get("/{id}", url_name="friction_point", response={200: FrictionPointOut, **READ_ERRORS},
                            summary="Get a friction point")
def get_friction_point(request, id: int, response: HttpResponse):
    friction_point = get_or_404(FrictionPoint, id, queries.friction_points())
    set_etag(response, friction_point)
    return friction_point


@friction_points_router.post("", url_name="friction_points", response={201: FrictionPointOut, **WRITE_ERRORS},
                             summary="Raise a friction point (keeper, admin or team member)")
def create_friction_point(request, payload: FrictionPointIn):
    values = resolve_refs(payload.dict(exclude_none=True), REFS)
    friction_point = actions.raise_friction_point(values, acting_user=acting_user(request))
    return 201, get_or_404(FrictionPoint, friction_point.pk, queries.friction_points())


@friction_points_router.patch("/{id}", url_name="friction_point", response={200: FrictionPointOut, **WRITE_ERRORS},
                              summary="Edit a friction point or set its status (keeper, admin or who raised it)")
def update_friction_point(request, id: int, payload: FrictionPointPatch):
    friction_point = actions.update_friction_point(
        get_or_404(FrictionPoint, id), resolve_refs(changes_of(payload), REFS),
        expected_version=expected_version(request, payload.version), acting_user=acting_user(request))
    return get_or_404(FrictionPoint, friction_point.pk, queries.friction_points())


@friction_points_router.delete("/{id}", url_name="friction_point", response={204: None, **WRITE_ERRORS},
                               summary="Delete a friction point (keeper, admin or who raised it)")
def delete_friction_point(request, id: int, version: int | None = None):
    actions.delete_friction_point(get_or_404(FrictionPoint, id), expected_version=expected_version(request, version),
                                  acting_user=acting_user(request))
    return 204, None


add_history_endpoint(friction_points_router, FrictionPoint)
