from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from cxkeeper.core.models import VersionedModel
from cxkeeper.journeys.choices import JourneyStatus, Lane, ResponsibilityRole
from cxkeeper.org.models import Team


class Persona(VersionedModel):
    """A customer persona or segment a journey is drawn for."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Journey(VersionedModel):
    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    persona = models.ForeignKey(Persona, null=True, blank=True, on_delete=models.SET_NULL, related_name="journeys")
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="journeys_kept"
    )
    status = models.CharField(max_length=10, choices=JourneyStatus.choices, default=JourneyStatus.DRAFT)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("journeys:map", args=[self.slug])

    def history_place(self):
        return self.pk, None


class Stage(VersionedModel):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["journey", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["journey", "name"], name="stage_name_unique_in_journey")]

    def __str__(self):
        return f"{self.journey.name} › {self.name}"

    def history_place(self):
        return self.journey_id, None


class Step(VersionedModel):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=150)
    lane = models.CharField(max_length=20, choices=Lane.choices, default=Lane.FRONTSTAGE)
    channel = models.CharField(max_length=60, blank=True, help_text="e.g. web, app, phone, store, e-mail, field")
    description = models.TextField(blank=True)
    phrases = models.JSONField(
        default=list, blank=True, help_text="Things customers say about this step, one per line."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["stage__journey", "stage__position", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["stage", "name"], name="step_name_unique_in_stage")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("journeys:step", args=[self.pk])

    def history_place(self):
        return self.stage.journey_id, self.pk

    @property
    def journey(self) -> Journey:
        return self.stage.journey

    def clean(self):
        if not isinstance(self.phrases, list) or not all(isinstance(p, str) for p in self.phrases):
            raise ValidationError({"phrases": "Example phrases must be a list of texts."})
        self.phrases = [p.strip() for p in self.phrases if p.strip()]


class Responsibility(VersionedModel):
    """A team's part in a step. Several teams may own a step; then one should be the lead owner."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="responsibilities")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="responsibilities")  # decisions/0008
    role = models.CharField(max_length=12, choices=ResponsibilityRole.choices, default=ResponsibilityRole.OWNS)
    is_lead = models.BooleanField(default=False, help_text="The lead owner when several teams own the step.")
    note = models.CharField(max_length=300, blank=True, help_text="What exactly this team impacts here.")

    class Meta:
        ordering = ["step", "role", "team__name"]
        verbose_name_plural = "responsibilities"
        constraints = [models.UniqueConstraint(fields=["step", "team"], name="one_responsibility_per_team_and_step")]

    def __str__(self):
        return f"{self.team} {self.get_role_display().lower()} {self.step}"

    def history_place(self):
        return self.step.stage.journey_id, self.step_id

    def clean(self):
        if self.is_lead and self.role != ResponsibilityRole.OWNS:
            raise ValidationError({"is_lead": "Only an owning team can be the lead owner."})


class Handoff(VersionedModel):
    """Work passing from one step's team to another's: where customers can fall through the cracks."""

    from_step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="handoffs_out")
    # A deleted team is announced and its handoffs removed with history (docs/decisions/0008).
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="handoffs_out")
    to_step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="handoffs_in")
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="handoffs_in")
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["from_step", "to_step", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_step", "from_team", "to_step", "to_team"], name="handoff_unique"
            )
        ]

    def __str__(self):
        return f"{self.from_team} → {self.to_team}: {self.from_step} → {self.to_step}"

    def history_place(self):
        return self.from_step.stage.journey_id, self.from_step_id

    @property
    def crosses_teams(self) -> bool:
        return self.from_team_id != self.to_team_id

    def clean(self):
        if self.from_step_id and self.to_step_id and self.from_step_id == self.to_step_id \
                and self.from_team_id == self.to_team_id:
            raise ValidationError("A handoff must change step or team.")


# ---------------------------------------------------------------- sharing the journey (issue 14, decisions/0037)


class ShareLink(VersionedModel):
    """A read-only link to a journey's blueprint for everyone signed in to the workspace.

    The token only makes the address unguessable and revocable; it grants nothing a signed-in
    viewer does not already have (decisions/0037), so it is kept as it is and shown again."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "share link"

    def __str__(self):
        return f"share link to {self.journey.name}"

    def get_absolute_url(self):
        return reverse("journeys:shared", args=[self.token])

    def history_place(self):
        return self.journey_id, None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Suggestion(VersionedModel):
    """Anyone signed in suggests a change to a step; its owning teams or the keeper decide."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="suggestions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="step_suggestions")
    what = models.CharField("What should change", max_length=500)
    why = models.TextField("Why", max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN)
    reply = models.CharField("Reply", max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "suggested change"

    def __str__(self):
        return f"suggestion for {self.step.name}: {self.what[:80]}"

    def get_absolute_url(self):
        return reverse("journeys:step", args=[self.step_id]) + f"#suggestion-{self.pk}"

    def history_place(self):
        return self.step.stage.journey_id, self.step_id
