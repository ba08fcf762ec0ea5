"""API for friction points (`/api/v1/friction-points`). Every write goes through
`cxkeeper.initiatives.actions`, like the pages: keepers, admins and team members raise friction
points; keepers, admins and the person who raised one change or delete it; everyone signed in
reads. See docs/api.md ("Friction points") and docs/initiatives.md."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema

from cxkeeper.core.api import VersionIn, ref, serializes
from cxkeeper.core.crud import Crud
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

    def query(self):
        """The pages' query (`initiatives.queries.friction_points`) with these filters."""
        return queries.friction_points(
            journey=journey_ref(self.journey, "journey") if self.journey else None,
            step=step_ref(self.step, "step") if self.step is not None else None,
            status=self.status)


friction_points_router = Router(tags=["initiatives"])


(Crud(friction_points_router, FrictionPoint, name="friction_point", plural="friction_points", out=FrictionPointOut,
      queryset=queries.friction_points, refs=REFS)
    .list(FrictionPointFilters, query=FrictionPointFilters.query, summary="List friction points")
    .get(summary="Get a friction point")
    .create(FrictionPointIn, actions.raise_friction_point, reread=True,
            summary="Raise a friction point (keeper, admin or team member)")
    .update(FrictionPointPatch, actions.update_friction_point, reread=True,
            summary="Edit a friction point or set its status (keeper, admin or who raised it)")
    .delete(actions.delete_friction_point, summary="Delete a friction point (keeper, admin or who raised it)")
    .history())
