"""Who a single sign-on makes someone: the provider's groups mapped to a role and teams.

`CXKEEPER_SSO_MAPPING` is JSON, group → what it grants:

    {"cx-admins": {"role": "admin"},
     "cx-keepers": {"role": "keeper"},
     "billing": {"role": "member", "teams": ["billing"]},
     "staff": {"role": "viewer"}}

The rules (docs/integrations.md, decision 0042):

* the role is the highest one any of the person's groups grants — never more — and is set again
  at every sign-in, so a group taken away at the provider takes the role away at the next one;
* a person in no group that grants a role is refused, with a page that says why;
* the teams the mapping names are the provider's to keep: at every sign-in the person is put
  in those of them their groups grant and taken out of the others; teams the mapping does not
  name are left as admins set them;
* a person is known by the provider's issuer and subject (`sub`), never by a username or an
  e-mail address a provider may let people change. At the first sign-in a new person is made
  — or, for an existing one with no password (made by a workspace file) and the same username,
  linked — and a username that belongs to someone with a password is refused, not taken over,
  unless the deployment says the provider's usernames are the same people's
  (CXKEEPER_SSO_LINK_EXISTING=1, for moving a workspace with passwords to single sign-on);
* a deactivated person stays out: the provider cannot reactivate them;
* every change is written with history, by the person themselves "signed in through single
  sign-on".
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cxkeeper.core import sso
from cxkeeper.core.actions import create_object, update_object
from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction
from cxkeeper.core.roles import Role
from cxkeeper.org.models import Person, SingleSignOnIdentity, Team

log = logging.getLogger(__name__)

# From least to most: the mapping grants the highest role among a person's groups.
RANK = [Role.VIEWER, Role.MEMBER, Role.KEEPER, Role.ADMIN]
VIA = "signed in through single sign-on"


class SsoRefused(Exception):
    """The provider vouched for someone this workspace does not let in; `reason` says why in
    words for the refusal page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    role: Role | None = None
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    grants: dict[str, Grant] = field(default_factory=dict)

    @property
    def managed_teams(self) -> set[str]:
        return {team for grant in self.grants.values() for team in grant.teams}

    def role_for(self, groups) -> Role | None:
        roles = [self.grants[g].role for g in groups if g in self.grants and self.grants[g].role]
        return max(roles, key=RANK.index) if roles else None

    def teams_for(self, groups) -> set[str]:
        return {team for g in groups if g in self.grants for team in self.grants[g].teams}


def parse_mapping(text: str) -> Mapping:
    """CXKEEPER_SSO_MAPPING read and checked: a wrong shape or an unknown role refuses the sign-in
    with the setting and the group named (a 503 page), never half-applies the mapping."""
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"CXKEEPER_SSO_MAPPING is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ImproperlyConfigured("CXKEEPER_SSO_MAPPING must be a JSON object: group → {\"role\": …, \"teams\": […]}.")
    grants = {}
    for group, grant in data.items():
        if not isinstance(grant, dict) or set(grant) - {"role", "teams"}:
            raise ImproperlyConfigured(f"CXKEEPER_SSO_MAPPING, group “{group}”: give an object with “role” "
                                       "and/or “teams” only.")
        role = grant.get("role")
        if role is not None and role not in Role.values:
            raise ImproperlyConfigured(f"CXKEEPER_SSO_MAPPING, group “{group}”: unknown role “{role}”; "
                                       f"choose one of {', '.join(Role.values)}.")
        teams = grant.get("teams", [])
        if isinstance(teams, str):
            teams = [teams]
        if not isinstance(teams, list) or not all(isinstance(t, str) and t.strip() for t in teams):
            raise ImproperlyConfigured(f"CXKEEPER_SSO_MAPPING, group “{group}”: “teams” is a list of team "
                                       "names or slugs.")
        grants[str(group)] = Grant(role=Role(role) if role else None, teams=tuple(t.strip() for t in teams))
    return Mapping(grants)


def mapping() -> Mapping:
    return parse_mapping(settings.CXKEEPER_SSO_MAPPING)


def _groups(claims: dict) -> list[str]:
    value = claims.get(settings.CXKEEPER_SSO_GROUPS_CLAIM)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


_USERNAME = re.compile(r"[^\w.@+-]")


def _username(claims: dict) -> str:
    """The username of a new person: the configured claim (the e-mail's local part as a
    fallback), in the characters Django allows, at most 150."""
    raw = claims.get(settings.CXKEEPER_SSO_USERNAME_CLAIM) or claims.get(settings.CXKEEPER_SSO_EMAIL_CLAIM) or ""
    name = _USERNAME.sub("", unicodedata.normalize("NFKC", str(raw)).strip())[:150]
    if not name:
        raise SsoRefused("The provider sent no user name for you "
                         f"(claim “{settings.CXKEEPER_SSO_USERNAME_CLAIM}”); ask an admin to check the "
                         "single sign-on settings.")
    return name


def _teams(names: set[str]) -> list[Team]:
    if not names:
        return []
    found = list(Team.objects.filter(Q(slug__in=names) | Q(name__in=names)).order_by("pk"))
    missing = names - {t.slug for t in found} - {t.name for t in found}
    if missing:
        log.warning("CXKEEPER_SSO_MAPPING names teams that do not exist: %s", ", ".join(sorted(missing)))
    return found


def _account(claims: dict) -> dict:
    account = {}
    email = claims.get(settings.CXKEEPER_SSO_EMAIL_CLAIM)
    if isinstance(email, str) and email.strip():
        account["email"] = email.strip()[:254]
    name = claims.get(settings.CXKEEPER_SSO_NAME_CLAIM)
    if isinstance(name, str) and name.strip():
        first, _, last = name.strip().partition(" ")
        account["first_name"], account["last_name"] = first[:150], last[:150]
    return account


def sign_in_through_sso(claims: dict, *, issuer: str):
    """The person the provider's verified claims stand for, made or brought up to date from the
    mapping, with history; raises SsoRefused when they may not come in."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SsoRefused("The provider's answer named nobody (no subject); nothing was changed.")
    current_mapping = mapping()
    groups = _groups(claims)
    role = current_mapping.role_for(groups)
    provider = sso.config().provider_name if sso.config() else "single sign-on"
    if role is None:
        raise SsoRefused(f"{provider} vouched for you, but none of your groups there gives a role in this "
                         "workspace. Ask an administrator to add you to a group that does; nothing was changed.")
    User = get_user_model()
    with transaction.atomic():
        identity = SingleSignOnIdentity.objects.select_for_update().filter(issuer=issuer, subject=subject).first()
        if identity is not None:
            user = User.objects.select_for_update().get(pk=identity.user_id)
        else:
            username = _username(claims)
            user = User.objects.select_for_update().filter(username=username).first()
            linked_elsewhere = (user is not None
                                and SingleSignOnIdentity.objects.filter(user=user, issuer=issuer).exists())
            if user is not None and (linked_elsewhere or (user.has_usable_password()
                                                          and not settings.CXKEEPER_SSO_LINK_EXISTING)):
                raise SsoRefused(f"There is already an account called “{username}” here that signs in another way. "
                                 "It is not taken over: ask an administrator to rename or remove it.")
            identity = SingleSignOnIdentity(issuer=issuer, subject=subject)
        if user is not None and not user.is_active:
            raise SsoRefused("Your account here has been deactivated; ask an administrator.")
        if user is None:
            user = User(username=username, **_account(claims))
            user.set_unusable_password()
            user.save()
        user.cxkeeper_via = f"{VIA} ({provider})"
        identity.user = user
        identity.last_sign_in_at = timezone.now()
        identity.save()
        _apply(user, role, current_mapping, groups, claims)
    return user


def _apply(user, role: Role, current_mapping: Mapping, groups, claims) -> None:
    """Role, managed teams and account details from the provider, each change with history."""
    account = _account(claims)

    def shown(u) -> dict:  # as update_person_account records an account change
        return {"full_name": u.get_full_name(), "email": u.email}

    before = shown(user)
    for name, value in account.items():
        setattr(user, name, value)
    changed = shown(user) != before
    if changed:
        user.save(update_fields=list(account))
    granted = _teams(current_mapping.teams_for(groups))
    managed = {t.pk for t in _teams(current_mapping.managed_teams)}
    person = Person.objects.filter(user=user).first()
    if person is None:
        person, _ = create_object(Person, {"user": user, "role": role, "teams": [t.pk for t in granted]},
                                  acting_user=user)
    else:
        if changed:
            record_change(person, ChangeAction.UPDATE, before, shown(user), user)
        kept = [pk for pk in person.teams.values_list("pk", flat=True) if pk not in managed]
        update_object(person, {"role": role, "teams": sorted(set(kept) | {t.pk for t in granted})},
                      expected_version=None, acting_user=user)
    admin = role == Role.ADMIN
    if user.is_staff != admin or user.is_superuser != admin:
        user.is_staff = user.is_superuser = admin
        user.save(update_fields=["is_staff", "is_superuser"])


class SingleSignOnBackend(ModelBackend):
    """`authenticate(request, sso_claims=…, sso_issuer=…)` with claims the OpenID Connect
    client has already verified (signature, issuer, audience, nonce); never a password."""

    def authenticate(self, request, sso_claims=None, sso_issuer=None, **kwargs):
        if sso_claims is None or not sso_issuer:
            return None
        return sign_in_through_sso(sso_claims, issuer=sso_issuer)


# ------------------------------------------------------------------ break glass
# A one-time sign-in link for an admin when the provider is down or misconfigured and password
# sign-in is off. Made on the server (`cxkeeper signin-link`), so only someone who can already
# reach the database can make one. It is good once: its signature covers the person's last
# sign-in time, which signing in with it changes; and for CXKEEPER_SIGNIN_LINK_MINUTES at most.

LINK_SALT = "cxkeeper.org.sso.one-time-link"


def _fingerprint(user) -> str:
    state = f"{user.pk}|{user.last_login}|{user.password}|{user.is_active}"
    return salted_hmac(LINK_SALT, state, algorithm="sha256").hexdigest()[:32]


def one_time_token(user) -> str:
    if not (user.is_superuser or Person.objects.filter(user=user, role=Role.ADMIN).exists()):
        raise SsoRefused("One-time sign-in links are for administrators only (break glass).")
    if not user.is_active:
        raise SsoRefused("That account is deactivated.")
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=LINK_SALT, compress=True)


def user_for_one_time_token(token: str):
    """The admin the link was made for, if it is still good (unused, unexpired), else None."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.CXKEEPER_SIGNIN_LINK_MINUTES * 60)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or data.get("f") != _fingerprint(user):
        return None
    return user
