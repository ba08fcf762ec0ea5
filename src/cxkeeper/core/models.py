"""Building blocks every workspace app shares: versioned objects, change history,
notifications and the login rate limiter's memory."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class VersionedModel(models.Model):
    """An object edited by many people: `version` grows on every save so a stale edit is refused."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ChangeAction(models.TextChoices):
    CREATE = "create", "created"
    UPDATE = "update", "updated"
    DELETE = "delete", "deleted"


class ChangeRecord(models.Model):
    """One create/update/delete of a workspace object: who, when, before and after."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=150, blank=True, help_text="who, kept when the user is deleted")
    # How the actor acted when it was not in person, e.g. "through the API token “deploy”,
    # created by alex": a token minted for someone else leaves a trace of who minted it.
    via = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Where the object lives in the journey map, so a step or journey page can show the
    # history of everything inside it without walking foreign keys of deleted rows.
    journey_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    step_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.actor_label or 'system'} {self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = [k for k in {**before, **after} if k not in ("version", "updated_at", "created_at")]
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class Notification(models.Model):
    """An in-app notice to one person: a step their team is responsible for changed."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    change = models.ForeignKey(ChangeRecord, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.message


class LoginGate(models.Model):
    """One row per sign-in counter (a username, an address, a device): attempts on the same
    counter lock it while they are checked, so concurrent tries are counted one at a time."""

    key = models.CharField(max_length=250, unique=True)
    touched_at = models.DateTimeField(null=True)


class LoginFailure(models.Model):
    """A failed sign-in, remembered for the rate limit window (shared by all web workers)."""

    username = models.CharField(max_length=150, db_index=True)  # normalized (core.auth)
    address = models.CharField(max_length=64, db_index=True)
    # The signed device cookie's id when the browser signed in as this person before: such
    # attempts are counted on their own (core.auth explains why).
    device = models.CharField(max_length=64, blank=True, default="", db_index=True)
    purpose = models.CharField(max_length=20, default="sign-in")
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class DataVersion(models.Model):
    """How many times one kind of data changed (`core.figures`): a figure computed from it is
    kept under the versions it was computed at and is recomputed once they move."""

    scope = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)


class StoredFigure(models.Model):
    """A costly figure computed once per change of the data it depends on (`core.figures`),
    shared by every worker process. `stamp` holds the data versions (and the code) it was
    computed at; a row whose stamp is not the current one is never read, only overwritten."""

    key = models.CharField(max_length=250, primary_key=True)
    stamp = models.CharField(max_length=250)
    value = models.BinaryField()
    computed_at = models.DateTimeField()
    compute_ms = models.FloatField(default=0)
