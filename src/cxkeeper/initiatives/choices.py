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
