from django.db import models


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class Scope(models.TextChoices):
    ORGANIZATION = "organization", "Organization"
    JOURNEY = "journey", "Journey"
    STAGE = "stage", "Stage"
    STEP = "step", "Step"


class KpiSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    CSV = "csv", "Imported from CSV"
    METRIC = "metric", "A cxkeeper metric at the team's steps"


class LinkKind(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    TENSION = "tension", "In tension with"


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "Not enough data"
