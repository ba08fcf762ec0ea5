"""What the feedback store does when a journey step is removed (docs/decisions/0008).

Registered by `InsightsConfig.ready()`. Feedback routed to the step becomes unrouted, with its
rollup cells moved under the ingest lock (`actions.unroute_feedback_at_step`). Stages and
journeys need no handler: their steps are each announced before them.
"""

from __future__ import annotations

from cxkeeper.core.removals import on_removal
from cxkeeper.journeys.models import Step


@on_removal(Step)
def unroute_feedback(step: Step, *, acting_user) -> None:
    # Imported here: insights.actions loads the text pipeline (seconds), which an app's
    # start-up should not pay for a delete that may never happen.
    from cxkeeper.insights.actions import unroute_feedback_at_step

    unroute_feedback_at_step(step, acting_user=acting_user)
