"""Targets (`/api/v1/targets`): a metric's value to reach by a date at a scope, each answered
with its status, current value and explanation (`outcomes.queries.assess`, as on the pages)."""

from ninja import Router

from cxkeeper.core.crud import Crud
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.api.schemas import (
    TARGET_REFS,
    TargetDetailOut,
    TargetFilters,
    TargetIn,
    TargetOut,
    TargetPatch,
)
from cxkeeper.outcomes.models import Target

targets_router = Router(tags=["outcomes"])


def _targets():
    return Target.objects.select_related("metric", "outcome", "journey", "stage", "step")


(Crud(targets_router, Target, name="target", plural="targets", out=TargetOut, queryset=_targets, refs=TARGET_REFS)
    .list(TargetFilters, summary="List targets with their status")
    .get(summary="Get a target: status, current value, projection, explanation, monthly series",
         out=TargetDetailOut)
    .create(TargetIn, actions.set_metric_target, summary="Set a target (keeper)", reread=True)
    .update(TargetPatch, actions.update_target, summary="Edit a target (keeper)", reread=True)
    .delete(actions.delete_target, summary="Delete a target (keeper)")
    .history())
