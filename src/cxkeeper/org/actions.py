"""Writes to the organization: settings, language, teams, people, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cxkeeper.core.actions import create_object, delete_object, update_object
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction
from cxkeeper.core.removals import announce_removal, lock_for_removal
from cxkeeper.core.roles import Role
from cxkeeper.org.models import ApiToken, GlossaryTerm, Person, Team, Workspace
from cxkeeper.org.permissions import require_admin, require_keeper

TOKEN_PREFIX = "cxk_"  # noqa: S105 - marks tokens so secret scanners can find leaked ones


def update_workspace(changes: dict, *, expected_version, acting_user) -> Workspace:
    require_keeper(acting_user, "change the mission statement and workspace settings")
    if "review_interval_days" in changes:
        require_admin(acting_user, "change the review interval")
    if "executive_sponsor" in changes:
        require_admin(acting_user, "name the executive sponsor")
    workspace, _ = update_object(
        Workspace.current(), changes, expected_version=expected_version, acting_user=acting_user
    )
    return workspace


def add_glossary_term(term: str, definition: str, *, acting_user) -> GlossaryTerm:
    require_keeper(acting_user, "edit the glossary")
    obj, _ = create_object(GlossaryTerm, {"term": term.strip(), "definition": definition}, acting_user=acting_user)
    return obj


def update_glossary_term(term: GlossaryTerm, changes: dict, *, expected_version, acting_user) -> GlossaryTerm:
    require_keeper(acting_user, "edit the glossary")
    obj, _ = update_object(term, changes, expected_version=expected_version, acting_user=acting_user)
    return obj


def delete_glossary_term(term: GlossaryTerm, *, expected_version, acting_user) -> None:
    require_keeper(acting_user, "edit the glossary")
    delete_object(term, expected_version=expected_version, acting_user=acting_user)


def unique_slug(model, name: str, exclude_pk=None) -> str:
    base = slugify(name)[:90] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_team(values: dict, *, acting_user) -> Team:
    require_admin(acting_user, "create teams")
    values = dict(values)
    values.setdefault("slug", unique_slug(Team, values.get("name", "")))
    team, _ = create_object(Team, values, acting_user=acting_user)
    return team


def update_team(team: Team, changes: dict, *, expected_version, acting_user) -> Team:
    require_admin(acting_user, "edit teams")
    team, _ = update_object(team, changes, expected_version=expected_version, acting_user=acting_user)
    return team


def delete_team(team: Team, *, expected_version, acting_user) -> None:
    """Announced first (docs/decisions/0008): the apps above remove what is the team's —
    responsibilities and handoffs on the map, KPIs with their values and links — each with a
    history record. Its members stay, without the team (an UPDATE of each person)."""
    require_admin(acting_user, "delete teams")
    with transaction.atomic():
        current = lock_for_removal(team, expected_version=expected_version)
        announce_removal(current, acting_user=acting_user)
        for person in Person.objects.filter(teams=current).order_by("pk"):
            others = [pk for pk in person.teams.values_list("pk", flat=True) if pk != current.pk]
            update_object(person, {"teams": others}, expected_version=None, acting_user=acting_user)
        delete_object(current, expected_version=expected_version, acting_user=acting_user)


def create_person(
    *, username: str, password: str | None, role: str = Role.VIEWER, email: str = "", full_name: str = "",
    teams=(), acting_user, validate=True,
) -> Person:
    """A new user with their role and teams. The password is hashed by Django's auth."""
    require_admin(acting_user, "add people")
    User = get_user_model()
    errors = {}
    if not username or User.objects.filter(username=username).exists():
        errors["username"] = "This username is empty or already taken."
    if role not in Role.values:
        errors["role"] = f"Unknown role “{role}”; choose one of {', '.join(Role.values)}."
    first, _, last = full_name.strip().partition(" ")
    candidate = User(username=username, email=email, first_name=first, last_name=last)
    if password and validate:
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if password:
            candidate.set_password(password)
        else:
            candidate.set_unusable_password()
        candidate.is_staff = candidate.is_superuser = role == Role.ADMIN
        candidate.save()
        person, _ = create_object(
            Person, {"user": candidate, "role": role, "teams": list(teams)}, acting_user=acting_user
        )
    return person


def update_person(person: Person, changes: dict, *, expected_version, acting_user) -> Person:
    require_admin(acting_user, "change people's roles and teams")
    with transaction.atomic():
        person, _ = update_object(person, changes, expected_version=expected_version, acting_user=acting_user)
        user = person.user
        user.is_staff = user.is_superuser = person.role == Role.ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])
    return person


MAX_TOKEN_CHAIN = 5  # tokens minted with tokens minted with tokens…: a bounded walk at every request


def create_api_token(user, name: str, *, acting_user, expires_at=None, expires_in_days: int | None = None,
                     via_token: ApiToken | None = None) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored.

    The token expires at `expires_at` (at most CXKEEPER_TOKEN_MAX_DAYS ahead, that many days
    when not given). Minted with another token (`via_token`), it never outlives that token:
    its expiry is capped at the parent's and it dies when the parent is revoked or expires."""
    if acting_user is not None and acting_user.pk != user.pk:
        require_admin(acting_user, "create API tokens for someone else")
    if not name.strip():
        raise InvalidInput({"name": "Give the token a name, e.g. the script that will use it."})
    now = timezone.now()
    longest = now + timedelta(days=settings.CXKEEPER_TOKEN_MAX_DAYS)
    if expires_in_days:
        expires_at = now + timedelta(days=expires_in_days)
    if expires_at is None:
        expires_at = longest
    elif expires_at <= now:
        raise InvalidInput({"expires_at": "Choose a moment in the future."})
    elif expires_at > longest:
        raise InvalidInput({"expires_at": f"A token may live at most {settings.CXKEEPER_TOKEN_MAX_DAYS} days."})
    if via_token is not None:
        if _chain_length(via_token) >= MAX_TOKEN_CHAIN:
            raise InvalidInput({"token": "This token was itself minted through too many tokens; "
                                         "sign in and create one from the Tokens page."})
        parent_expiry = _effective_expiry(via_token)
        if parent_expiry is not None:
            expires_at = min(expires_at, parent_expiry)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    creator = acting_user if getattr(acting_user, "pk", None) else None
    # From the stored password, not the caller's copy of the user, which may predate a change.
    fingerprint = get_user_model().objects.get(pk=user.pk).get_session_auth_hash()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=secret[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(secret),
        expires_at=expires_at, parent=via_token, password_fingerprint=fingerprint,
        created_by=creator, created_by_label=creator.get_username() if creator else "system",
    )
    return token, secret


def _ancestors(token: ApiToken):
    current, seen = token.parent, 0
    while current is not None and seen < MAX_TOKEN_CHAIN + 1:
        yield current
        current, seen = current.parent, seen + 1


def _chain_length(token: ApiToken) -> int:
    return sum(1 for _ in _ancestors(token))


def _effective_expiry(token: ApiToken):
    moments = [t.expires_at for t in (token, *_ancestors(token)) if t.expires_at is not None]
    return min(moments) if moments else None


def _why_dead(token: ApiToken) -> str:
    """"" when the token may act now, else the reason it may not (kept on the token)."""
    now = timezone.now()
    if token.revoked_at is not None:
        return token.revoked_reason or "revoked"
    if token.password_fingerprint and token.password_fingerprint != token.user.get_session_auth_hash():
        return "the owner's password changed after it was created"
    for ancestor in _ancestors(token):
        if ancestor.revoked_at is not None or (ancestor.expires_at and ancestor.expires_at <= now):
            return f"the token it was created with (“{ancestor.name}”) no longer works"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return ""


def revoke_api_token(token: ApiToken, *, acting_user) -> None:
    if acting_user is not None and acting_user.pk != token.user_id:
        require_admin(acting_user, "revoke someone else's API token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = (f"revoked by {acting_user.get_username()}" if getattr(acting_user, "pk", None)
                                else "revoked")
        token.save(update_fields=["revoked_at", "revoked_reason"])


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret, or None (unknown, revoked, expired, outlived its parent
    or its owner's password). A token found dead is marked revoked with the reason, once."""
    token = (
        ApiToken.objects.select_related("user", "user__person", "parent")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    reason = _why_dead(token)
    if reason:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason[:200])
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def user_for_token(secret: str):
    """The token's owner, marked with how they act (`cxkeeper_token`, and `cxkeeper_via` for
    history when someone else minted the token), or None."""
    token = token_for_secret(secret)
    if token is None:
        return None
    user = token.user
    user.cxkeeper_token = token
    if token.created_by_id and token.created_by_id != token.user_id:
        user.cxkeeper_via = f"through the API token “{token.name}” created by {token.created_by_label}"
    else:
        user.cxkeeper_via = f"through the API token “{token.name}”"
    return user



def update_person_account(user, changes: dict, *, expected_version, acting_user):
    """Change a person's account — `full_name`, `email`, `is_active` — and, as `update_person`
    does, their `role` and `teams`, in one transaction; returns the user. Made for keeping
    people in a file (workspace-as-code), usable by any admin page.

    A deactivated person cannot sign in and their API tokens stop working; nothing they did is
    lost (history keeps their name) and reactivating them gives it all back. Nobody deactivates
    themselves. A user without a person record (made in Django admin) gets one when their role
    or teams are set. `expected_version` is the person's, as for `update_person`.
    """
    require_admin(acting_user, "change people's accounts")
    account = {name: changes[name] for name in ("full_name", "email", "is_active") if name in changes}
    place = {name: value for name, value in changes.items() if name not in account}
    errors = {name: "Not a field of a person." for name in place if name not in ("role", "teams")}
    if "role" in place and place["role"] not in Role.values:
        errors["role"] = f"Unknown role “{place['role']}”; choose one of {', '.join(Role.values)}."
    if account.get("is_active") is False and getattr(acting_user, "pk", None) == user.pk:
        errors["is_active"] = "You cannot deactivate yourself; ask another admin."
    if errors:
        raise InvalidInput(errors)

    def account_of(u) -> dict:
        return {"full_name": u.get_full_name(), "email": u.email, "is_active": u.is_active}

    with transaction.atomic():
        current = type(user).objects.select_for_update().get(pk=user.pk)
        before = account_of(current)
        if "full_name" in account:
            current.first_name, _, current.last_name = account["full_name"].strip().partition(" ")
        if "email" in account:
            current.email = account["email"].strip()
        if "is_active" in account:
            current.is_active = bool(account["is_active"])
        try:
            current.clean_fields(exclude=["password"])
        except ValidationError as exc:
            names = {"first_name": "full_name", "last_name": "full_name"}
            raise InvalidInput({names.get(k, k): v for k, v in exc.message_dict.items()}) from exc
        person = Person.objects.filter(user=current).first()
        if account_of(current) != before:
            current.save(update_fields=["first_name", "last_name", "email", "is_active"])
            record_change(person if person is not None else current, ChangeAction.UPDATE, before,
                          account_of(current), acting_user)
        if place and person is None:
            role = place.get("role", Role.ADMIN if current.is_superuser else Role.VIEWER)
            person, _ = create_object(Person, {"user": current, "role": role, "teams": list(place.get("teams", []))},
                                      acting_user=acting_user)
            current.is_staff = current.is_superuser = role == Role.ADMIN
            current.save(update_fields=["is_staff", "is_superuser"])
        elif place:
            update_person(person, place, expected_version=expected_version, acting_user=acting_user)
    current.refresh_from_db()
    return current


def set_password(user, password: str, *, acting_user) -> None:
    """Give a person a (new) password: an admin for anyone — e.g. the people a workspace file
    created without one — or a person for themselves. Django's password rules apply; the
    history row says that the password was set, never what it is."""
    if getattr(acting_user, "pk", None) != user.pk:
        require_admin(acting_user, "set other people's passwords")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput({"password": list(exc.messages)}) from exc
    with transaction.atomic():
        current = type(user).objects.select_for_update().get(pk=user.pk)
        had_one = current.has_usable_password()
        current.set_password(password)
        current.save(update_fields=["password"])
        person = Person.objects.filter(user=current).first()
        record_change(person if person is not None else current, ChangeAction.UPDATE,
                      {"password": "set" if had_one else "not set"}, {"password": "changed" if had_one else "set"},
                      acting_user)
