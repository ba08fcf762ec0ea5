from django.db import models


class Verdict(models.TextChoices):
    WIN = "win", "win"
    NO_CREDIBLE_CHANGE = "no_credible_change", "no credible change"
    WORSE = "worse", "worse"
    TOO_EARLY = "too_early", "too early"
    CANNOT_MEASURE = "cannot_measure", "cannot measure yet"


VERDICT_ORDER = {Verdict.WIN: 0, Verdict.WORSE: 1, Verdict.NO_CREDIBLE_CHANGE: 2, Verdict.TOO_EARLY: 3,
                 Verdict.CANNOT_MEASURE: 4}
