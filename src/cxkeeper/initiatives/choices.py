from django.db import models


class FrictionStatus(models.TextChoices):
    OPEN = "open", "open"
    ADDRESSED = "addressed", "addressed"
    DISMISSED = "dismissed", "dismissed"


class FrictionSource(models.TextChoices):
    THEME = "theme", "theme in feedback"
    SIGNAL = "signal", "friction signal"
    MANUAL = "manual", "raised by hand"


# --- initiatives ---


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", "proposed"
    APPROVED = "approved", "approved"
    IN_PROGRESS = "in_progress", "in progress"
    SHIPPED = "shipped", "shipped"
    MEASURED = "measured", "measured"
    CLOSED = "closed", "closed"


# Which status may follow which: forward one step, back one step where work resumes, and
# "closed" (dropped) from anywhere before shipping. A closed initiative may be proposed again.
STATUS_TRANSITIONS = {
    "proposed": ("approved", "closed"),
    "approved": ("in_progress", "proposed", "closed"),
    "in_progress": ("shipped", "approved", "closed"),
    "shipped": ("measured", "in_progress"),
    "measured": ("closed", "shipped"),
    "closed": ("proposed",),
}


class TeamRole(models.TextChoices):
    LEAD = "lead", "leads"
    CONTRIBUTES = "contributes", "contributes"
    CONSULTED = "consulted", "consulted"


class MoveDirection(models.TextChoices):
    UP = "up", "up"
    DOWN = "down", "down"


# --- co-creation ---


class AffectedOrigin(models.TextChoices):
    MAP = "map", "from the journey map"
    KEEPER = "keeper", "added by a keeper"


class Stance(models.TextChoices):
    SUPPORT = "support", "support"
    CONCERNS = "concerns", "concerns"
    OBJECT = "object", "object"
    NOT_AFFECTED = "not_affected", "not affected"


# A stance on an option: "not affected" belongs to the friction point, not to one of its options.
class OptionStanceValue(models.TextChoices):
    SUPPORT = "support", "support"
    CONCERNS = "concerns", "concerns"
    OBJECT = "object", "object"


# Stances that must say why (Loomio's rule for objections, extended to concerns).
NEEDS_REASON = ("concerns", "object")


class Importance(models.IntegerChoices):
    HARDLY = 1, "hardly matters to us"
    SOMEWHAT = 2, "matters somewhat"
    MATTERS = 3, "matters"
    A_LOT = 4, "matters a lot"
    CRITICAL = 5, "critical for us"


class ConstraintKind(models.TextChoices):
    CAPACITY = "capacity", "capacity"
    BUDGET = "budget", "budget"
    POLICY_LEGAL = "policy_legal", "policy or legal"
    TECHNICAL = "technical", "technical"
    TIMING = "timing", "timing"
    OTHER = "other", "other"


class Effort(models.TextChoices):
    """What the team would spend on it. Points (`EFFORT_POINTS`) are a rough Fibonacci-like
    scale so efforts of several teams can be added up: a day's work is 1, a quarter's is 13."""

    UNKNOWN = "", "not estimated"
    NONE = "none", "nothing"
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    QUARTERS = "quarters", "a quarter or more"


EFFORT_POINTS = {"none": 0.0, "days": 1.0, "weeks": 3.0, "months": 8.0, "quarters": 13.0}


class DecisionState(models.TextChoices):
    ESCALATED = "escalated", "escalated to the executive sponsor"
    DECIDED = "decided", "decided"


class DecidedHow(models.TextChoices):
    CONSENSUS = "consensus", "by consensus of every affected team"
    SPONSOR = "sponsor", "by the executive sponsor (tie-break)"


class ChangeKind(models.TextChoices):
    LAUNCH = "launch", "launch"
    POLICY = "policy", "policy"
    PRICE = "price", "price change"
    MIGRATION = "migration", "system migration"
    OTHER = "other", "other"


class PlannedStatus(models.TextChoices):
    PLANNED = "planned", "planned"
    LIVE = "live", "live"
    WITHDRAWN = "withdrawn", "withdrawn"
