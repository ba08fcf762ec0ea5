"""Metric definitions (`/api/v1/metric-definitions`): what a target or a KPI measures, on top of
an insight-engine metric. Keepers and admins define them; everyone signed in reads."""

from ninja import Router

from cxkeeper.core.crud import Crud
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.api.schemas import (
    MetricDefinitionFilters,
    MetricDefinitionIn,
    MetricDefinitionOut,
    MetricDefinitionPatch,
)
from cxkeeper.outcomes.models import MetricDefinition

metric_definitions_router = Router(tags=["outcomes"])


def _metrics():
    return MetricDefinition.objects.prefetch_related("outcomes", "targets")


def _define(values: dict, *, acting_user) -> MetricDefinition:
    """Left out, the direction is the base metric's (the action fills in "")."""
    return actions.define_metric({**values, "direction": values["direction"] or ""}, acting_user=acting_user)


(Crud(metric_definitions_router, MetricDefinition, name="metric_definition", plural="metric_definitions",
      out=MetricDefinitionOut, queryset=_metrics)
    .list(MetricDefinitionFilters, summary="List metric definitions")
    .get(summary="Get a metric definition")
    .create(MetricDefinitionIn, _define, summary="Define a metric (keeper)", exclude_none=False, reread=True)
    .update(MetricDefinitionPatch, actions.update_metric, summary="Edit a metric definition (keeper)", reread=True)
    .delete(actions.delete_metric, summary="Delete a metric definition (keeper; refused while targets use it)",
            description="Refused with 422 naming the targets and KPIs that still measure with it; nothing is deleted.")
    .history())
