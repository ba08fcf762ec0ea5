from django.db import models


class FrictionStatus(models.TextChoices):
    OPEN = "open", "open"
    ADDRESSED = "addressed", "addressed"
    DISMISSED = "dismissed", "dismissed"


class FrictionSource(models.TextChoices):
    THEME = "theme", "theme in feedback"
    SIGNAL = "signal", "friction signal"
    MANUAL = "manual", "raised by hand"
