"""Shared outcomes (`/api/v1/outcomes`): what the organization wants for its customers, with
the metrics that measure it and its targets, each with its status now."""

from ninja import Router

from cxkeeper.core.crud import Crud
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.api.schemas import OUTCOME_REFS, NameFilters, OutcomeIn, OutcomeOut, OutcomePatch
from cxkeeper.outcomes.models import SharedOutcome

outcomes_router = Router(tags=["outcomes"])


def _outcomes():
    return SharedOutcome.objects.prefetch_related("metrics")


(Crud(outcomes_router, SharedOutcome, name="outcome", plural="outcomes", out=OutcomeOut, queryset=_outcomes,
      refs=OUTCOME_REFS)
    .list(NameFilters, summary="List shared outcomes with their metrics and targets")
    .get(summary="Get a shared outcome")
    .create(OutcomeIn, actions.define_outcome, summary="Define a shared outcome (keeper)", reread=True)
    .update(OutcomePatch, actions.update_outcome, summary="Edit a shared outcome (keeper)", reread=True)
    .delete(actions.delete_outcome, summary="Delete a shared outcome (keeper; refused while it has targets)")
    .history())
