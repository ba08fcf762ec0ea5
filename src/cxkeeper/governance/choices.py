from django.db import models


class DecidedBy(models.TextChoices):
    CONSENSUS = "consensus", "council consensus"
    SPONSOR = "sponsor", "the executive sponsor's tie-break"


class DecisionStatus(models.TextChoices):
    DECIDED = "decided", "decided"
    ESCALATED = "escalated", "waiting for the sponsor"


class ActionStatus(models.TextChoices):
    OPEN = "open", "open"
    IN_PROGRESS = "in_progress", "in progress"
    DONE = "done", "done"
    DROPPED = "dropped", "dropped"


CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.DROPPED)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "planned"
    HELD = "held", "held"
    CANCELLED = "cancelled", "cancelled"


class LinkKind(models.TextChoices):
    """What an action item may serve besides a decision: one generic optional link (kind + id),
    resolved in `links.py`."""

    NONE = "", "nothing else"
    FRICTION_POINT = "friction_point", "friction point"
    INITIATIVE = "initiative", "initiative"
