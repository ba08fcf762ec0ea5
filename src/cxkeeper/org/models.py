from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from cxkeeper.core.models import VersionedModel
from cxkeeper.core.roles import Role
from cxkeeper.org.choices import Office, TeamFunction


class Workspace(VersionedModel):
    """The one organization this installation serves; its mission is the North Star."""

    name = models.CharField(max_length=200, default="Our organization")
    mission = models.TextField(
        blank=True, help_text="The CX mission statement: the North Star shown on every page."
    )
    review_interval_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1)],
        help_text="A journey not reviewed for this many days is flagged as overdue.",
    )
    # The person who breaks ties when affected teams disagree (docs/initiatives.md): a person,
    # not a role — a viewer may be the sponsor. Admins name them, with history.
    executive_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Breaks ties when affected teams disagree on what to do about a friction point.",
    )
    perspective_reminder_days = models.PositiveIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text="An affected team that has not given its perspective after this many days is reminded.",
    )

    class Meta:
        verbose_name = "workspace settings"
        verbose_name_plural = "workspace settings"

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> Workspace:
        workspace = cls.objects.order_by("pk").first()
        return workspace if workspace is not None else cls.objects.create()


class GlossaryTerm(VersionedModel):
    term = models.CharField(max_length=100, unique=True)
    definition = models.TextField()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return reverse("org:glossary") + f"#term-{self.pk}"


class Team(VersionedModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    function = models.CharField(max_length=30, choices=TeamFunction.choices, default=TeamFunction.OTHER)
    office = models.CharField(max_length=5, choices=Office.choices, default=Office.FRONT)
    customer_facing = models.BooleanField(default=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams_led"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:team", args=[self.slug])

    @property
    def is_hidden_hero_candidate(self) -> bool:
        """Back office or not customer-facing: their impact on customers is easy to overlook."""
        return self.office == Office.BACK or not self.customer_facing


class Person(VersionedModel):
    """A user's place in the organization: their role and the teams they belong to."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")

    class Meta:
        ordering = ["user__username"]
        verbose_name_plural = "people"

    def __str__(self):
        full = self.user.get_full_name()
        return f"{full} ({self.user.username})" if full else self.user.username


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the secret is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    # A token never outlives what made it: its expiry, the token it was minted with (`parent`;
    # revoked or expired parent → dead child) and the owner's password (a fingerprint of the
    # password hash at creation; a password change kills every token made before it).
    expires_at = models.DateTimeField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    password_fingerprint = models.CharField(max_length=128, blank=True)
    # Who minted it: an admin may mint a token for someone else, and what that token writes is
    # recorded as the owner's change "through a token <created_by> created".
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class SingleSignOnIdentity(models.Model):
    """Who a person is at the identity provider: the issuer and its never-reassigned subject
    (`sub`), not a username or an e-mail address that the provider may let people change
    (docs/decisions/0042). One identity per person and provider."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="org_sso_identity_unique"),
            models.UniqueConstraint(fields=["user", "issuer"], name="org_sso_identity_one_per_user"),
        ]
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"

    def __str__(self):
        return f"{self.user} at {self.issuer}"
