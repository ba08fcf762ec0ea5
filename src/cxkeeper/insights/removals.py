"""What the feedback store does when a journey step is removed (docs/decisions/0008).

Registered by `InsightsConfig.ready()`. Feedback routed to the step becomes unrouted, with its
rollup cells moved under the ingest lock (`actions.unroute_feedback_at_step`). Stages and
journeys need no handler: their steps are each announced before them.
"""

from __future__ import annotations

from cxkeeper.core import numbers
from cxkeeper.core.numbers import plural
from cxkeeper.core.removals import explains_removal, on_removal
from cxkeeper.insights.queries import feedback_routed_to
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.journeys.queries import steps_under


@on_removal(Step)
def unroute_feedback(step: Step, *, acting_user) -> None:
    # Imported here: insights.actions loads the text pipeline (seconds), which an app's
    # start-up should not pay for a delete that may never happen.
    from cxkeeper.insights.actions import unroute_feedback_at_step

    unroute_feedback_at_step(step, acting_user=acting_user)


@explains_removal(Journey, Stage, Step)
def feedback_becomes_unrouted(place: Journey | Stage | Step) -> list[str]:
    items = feedback_routed_to(steps_under(place))
    if not items:
        return []
    return [f"{numbers.count(items)} feedback {plural(items, 'item', 'items')} routed there "
            f"{plural(items, 'becomes', 'become')} unrouted: kept, still counted in organization-wide "
            "figures, and back in the review queue to be routed again."]
