"""The CX council and its work: a charter (council and members), meetings with their agenda,
attendance and notes, decisions (the decision log) and action items owned by teams.

Every write goes through `actions.py` (versioned, audited); the charter's versions are its
history rows (`core.history`), shown to everyone on the council page."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from cxkeeper.core.models import VersionedModel
from cxkeeper.governance.choices import ActionStatus, DecidedBy, DecisionStatus, LinkKind, MeetingStatus
from cxkeeper.journeys.models import Journey
from cxkeeper.org.models import Team

USER = settings.AUTH_USER_MODEL


class Council(VersionedModel):
    """A council and its charter. More than one may exist (e.g. one per journey)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    purpose = models.TextField(help_text="Why the council exists, in one or two sentences.")
    all_journeys = models.BooleanField(default=True, help_text="Its scope: every journey, or only those chosen.")
    journeys = models.ManyToManyField(Journey, blank=True, related_name="councils")
    sponsor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="councils_sponsored",
                                help_text="The executive sponsor: breaks ties and decides escalations.")
    facilitator = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="councils_facilitated",
                                    help_text="Runs the meetings (usually the keeper).")
    council_decides = models.TextField(blank=True, help_text="What the council decides.")
    sponsor_decides = models.TextField(blank=True, help_text="What the sponsor decides.")
    teams_decide = models.TextField(blank=True, help_text="What teams decide alone.")
    quorum = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)],
                                         help_text="Member teams that must be present to decide.")
    cadence_days = models.PositiveIntegerField(default=28, validators=[MinValueValidator(1), MaxValueValidator(366)],
                                               help_text="Days between meetings.")
    meeting_minutes = models.PositiveIntegerField(default=60, validators=[MinValueValidator(5),
                                                                          MaxValueValidator(600)],
                                                  help_text="How long a meeting lasts.")
    escalation_path = models.TextField(blank=True, help_text="What happens when the council cannot agree.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("governance:council", args=[self.slug])


class CouncilMember(VersionedModel):
    """A team's seat on a council: its representative and a deputy."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="council_seats")
    representative = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deputy = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["team__name"]
        constraints = [models.UniqueConstraint(fields=["council", "team"], name="one_seat_per_team")]

    def __str__(self):
        return f"{self.team} on {self.council}"

    def get_absolute_url(self):
        return self.council.get_absolute_url() + "#members"


class Meeting(VersionedModel):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=60, validators=[MinValueValidator(5),
                                                                           MaxValueValidator(600)])
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    attendees = models.ManyToManyField(USER, blank=True, related_name="council_meetings_attended")
    summary = models.TextField(blank=True, help_text="Minutes: what the meeting concluded overall.")
    agenda_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return f"{self.council} · {self.starts_at:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("governance:meeting", args=[self.pk])

    def clean(self):
        # Meetings are planned in this century: a calendar and the cadence can count from them.
        if self.starts_at is not None and not 2000 <= self.starts_at.year <= 2100:
            raise ValidationError({"starts_at": "Give a start between the years 2000 and 2100."})

    @property
    def day(self) -> dt.date:
        return self.starts_at.date()


class AgendaItem(VersionedModel):
    """One item of a meeting's agenda: a copy of a proposed item (kind, evidence, teams, time box)
    the facilitator may reorder, edit or remove — or one they added (kind "manual")."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=40, default="manual")
    key = models.CharField(max_length=120, blank=True,
                           help_text="What the proposal was about, so it is not proposed twice.")
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    statistics = models.TextField(blank=True, help_text="The figures behind the detail (a target's explanation), "
                                                        "shown behind “Details”.")
    evidence_url = models.CharField(max_length=500, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    time_box_minutes = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1),
                                                                           MaxValueValidator(240)])
    notes = models.TextField(blank=True, help_text="What was said and concluded on this item.")

    class Meta:
        ordering = ["meeting", "position", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.meeting.get_absolute_url() + f"#item-{self.pk}"


class Decision(VersionedModel):
    """An entry of the decision log — or, while `status` is escalated, a question waiting for
    the sponsor."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="decisions")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    statement = models.CharField(max_length=500)
    options = models.JSONField(default=list, blank=True, help_text="The options considered, one text each.")
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DECIDED)
    decided_by = models.CharField(max_length=10, choices=DecidedBy.choices, blank=True)
    rationale = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True, help_text="When it comes back to the agenda.")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Placeholder for issue 11: the sponsor tie-break on a friction point (the lead links it).
    link_kind = models.CharField(max_length=30, choices=LinkKind.choices, blank=True, default="")
    link_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return self.statement[:120]

    def get_absolute_url(self):
        return reverse("governance:decision", args=[self.pk])


class ActionItem(VersionedModel):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="action_items")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="action_items")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="action_items")
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items")
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    link_kind = models.CharField(max_length=30, choices=LinkKind.choices, blank=True, default="")
    link_id = models.BigIntegerField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["owner_team", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("governance:action_item", args=[self.pk])

    def is_overdue(self, today: dt.date | None = None) -> bool:
        from cxkeeper.governance.choices import CLOSED_STATUSES

        today = today or dt.date.today()
        return self.due is not None and self.due < today and self.status not in CLOSED_STATUSES
