"""People: who works in the workspace — username, full name, e-mail, role and teams. Never a
password, a password hash or an API token.

Identity: a person by username.

The section is optional. Without it — a version-1 file, a file exported with
`--without-people`, or an apply with `--without-people` — people are left as they are and every
username the file names (a team's lead, a journey's keeper) must already be in the workspace.
With it, it is the whole truth about people, applied through `cxkeeper.org.actions`:

- listed, not in the workspace: created with an unusable password — they cannot sign in until
  an admin sets one (Django admin, "Change password"); nobody's password travels in a file;
- listed and in the workspace: full name, e-mail, role, teams and `active` are updated;
- in the workspace, not listed: deactivated, never deleted — they cannot sign in, their API
  tokens stop working, and history keeps their name; listing them again reactivates them;
- nobody deactivates themselves (the action refuses), and an apply that would leave a workspace
  that had an active admin who can sign in without one is refused as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q

from cxkeeper.core.roles import Role, role_of
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import Team
from cxkeeper.workspace import lenient
from cxkeeper.workspace.changes import ApplyFailed, ApplyState, quote
from cxkeeper.workspace.checks import check_unique, listed
from cxkeeper.workspace.schema_types import SchemaPart, array, choice, obj
from cxkeeper.workspace.writing import by_name, compact
from cxkeeper.workspace.yaml_io import Path, WorkspaceFileError

NAME_PART_LENGTH = 150  # Django's first_name and last_name: the full name is split at its first space


@dataclass
class PersonSpec:
    path: Path
    username: str
    full_name: str
    email: str
    role: str
    teams: list[tuple[Path, str]] = field(default_factory=list)
    active: bool = True

    @property
    def team_names(self) -> list[str]:
        return [team for _, team in self.teams]


# ---------------------------------------------------------------- schema


def schema() -> SchemaPart:
    User = get_user_model()
    max_username = User._meta.get_field(User.USERNAME_FIELD).max_length
    return SchemaPart(
        properties={
            "people": array({"$ref": "#/$defs/person"}, "Everyone in the workspace, never with a password or "
                            "token. Optional: without it people are left as they are. People not listed are "
                            "deactivated, never deleted.", nullable=False),
        },
        defs={
            "person": obj({
                "username": {"type": "string", "minLength": 1, "maxLength": max_username,
                             "pattern": r"^[\w.@+-]+$",
                             "description": "The sign-in name (letters, digits and @ . + - _); also the "
                                            "person's identity in this file."},
                "full_name": {"type": ["string", "null"], "maxLength": 2 * NAME_PART_LENGTH + 1,
                              "description": "First name, a space, the rest."},
                "email": {"type": ["string", "null"], "maxLength": User._meta.get_field("email").max_length,
                          "description": "E-mail address."},
                "role": choice(Role, "What they may do (default viewer)"),
                "teams": array({"type": "string", "minLength": 1, "description": "The name of a team in this "
                                                                                 "file."},
                               "The teams they belong to."),
                "active": {"type": ["boolean", "null"],
                           "description": "false: deactivated — cannot sign in, API tokens refused, name kept "
                                          "in history (default true)."},
            }, ["username"], "A person. People created by apply cannot sign in until an admin sets their "
               "password."),
        },
    )


# ---------------------------------------------------------------- export


def people_data() -> list[dict]:
    """Every user, by username: people who never signed up through cxkeeper (a Django admin
    user) included, so every lead and keeper the file names is in it."""
    User = get_user_model()
    users = User.objects.select_related("person").prefetch_related("person__teams")
    result = []
    for user in sorted(users, key=lambda u: by_name(u.get_username())):
        person = getattr(user, "person", None)
        result.append(compact({
            "username": user.get_username(), "full_name": user.get_full_name(), "email": user.email,
            "role": person.role if person is not None else role_of(user).value,
            "teams": sorted((team.name for team in person.teams.all()), key=by_name) if person is not None else [],
            "active": None if user.is_active else False,
        }))
    return result


# ---------------------------------------------------------------- reading and checks


def build_people(data: dict) -> list[PersonSpec] | None:
    """The `people` section, or None when the file has none (people are left as they are)."""
    if "people" not in data:
        return None
    people = []
    for path, item in lenient.items(data, "people", ()):
        raw_teams = lenient.value(item, "teams", list, [])
        people.append(PersonSpec(
            path, lenient.name(item, "username"), lenient.name(item, "full_name"), lenient.name(item, "email"),
            lenient.choice(item, "role", Role, Role.VIEWER),
            [(path + ("teams", i), team.strip()) for i, team in enumerate(raw_teams) if isinstance(team, str)],
            lenient.value(item, "active", bool, True)))
    return people


def check_people(doc) -> list[WorkspaceFileError]:
    if doc.people is None:
        return []
    errors = []
    if doc.version == 1:
        errors.append(doc.error(("version",), "people are part of the file from version 2 on; write version: 2"))
    team_names = {t.name for t in doc.teams}
    for person in doc.people:
        if not person.username:
            errors.append(doc.error(person.path + ("username",), "the username is empty"))
        first, _, last = person.full_name.partition(" ")
        if len(first) > NAME_PART_LENGTH or len(last) > NAME_PART_LENGTH:
            errors.append(doc.error(person.path + ("full_name",), f"a full name is stored as a first name (up to "
                                    f"the first space) and the rest, each at most {NAME_PART_LENGTH} characters"))
        if person.email:
            try:
                validate_email(person.email)
            except ValidationError:
                errors.append(doc.error(person.path + ("email",), f"{person.email!r} is not an e-mail address"))
        seen: dict[str, Path] = {}
        for path, team in person.teams:
            if team not in team_names:
                errors.append(doc.error(path, f"unknown team {team!r}; teams in this file: {listed(team_names)}"))
            elif team in seen:
                errors.append(doc.error(path, f"team {team!r} is listed twice for {person.username!r} (first at "
                                              f"line {doc.lines.line(seen[team])})"))
            seen.setdefault(team, path)
    errors += check_unique(doc, doc.people, lambda p: p.username, "username")
    return errors


def check_user_references(doc, wanted: list[tuple[str, Path]]) -> list[WorkspaceFileError]:
    """Every username the file names is a person in its people section or, without one, a user
    already in the workspace; those are kept in `doc.users` for the apply."""
    if doc.people is not None:
        people = {p.username for p in doc.people if p.username}
        return [doc.error(path, f"unknown user {name!r}; people in this file: {listed(people)}")
                for name, path in wanted if name not in people]
    User = get_user_model()
    found = {u.get_username(): u for u in User.objects.filter(
        **{f"{User.USERNAME_FIELD}__in": sorted({name for name, _ in wanted})})}
    doc.users = found
    return [doc.error(path, f"unknown user {name!r}; people are not part of this file: add them first "
                            "(cxkeeper createuser) or list them under people")
            for name, path in wanted if name not in found]


# ---------------------------------------------------------------- apply


def _users_by_name() -> dict[str, object]:
    User = get_user_model()
    return {u.get_username(): u for u in User.objects.select_related("person").prefetch_related("person__teams")}


def admins_who_can_sign_in() -> set[str]:
    User = get_user_model()
    admins = User.objects.filter(is_active=True).filter(Q(is_superuser=True) | Q(person__role=Role.ADMIN))
    return {user.get_username() for user in admins if user.has_usable_password()}


class PeopleSync:
    """People through `cxkeeper.org.actions`: accounts before teams name them as leads,
    memberships once every team exists, deactivations last."""

    def __init__(self, state: ApplyState):
        self.state = state
        self.specs = state.doc.people  # None: people are left as they are
        self.admins_before: set[str] = set()

    def _path(self, username: str) -> tuple[str, ...]:
        return (f"person {quote(username)}",)

    def _update(self, where: Path, user, changes: dict):
        return self.state.do(where, org_actions.update_person_account, user, changes, expected_version=None,
                             acting_user=self.state.actor)

    def accounts(self) -> None:
        if self.specs is None:
            return
        state = self.state
        self.admins_before = admins_who_can_sign_in()
        existing = _users_by_name()
        for spec in self.specs:
            user = existing.get(spec.username)
            if user is None:
                person = state.do(spec.path, org_actions.create_person, username=spec.username, password=None,
                                  role=spec.role, email=spec.email, full_name=spec.full_name,
                                  acting_user=state.actor)
                user = person.user
                if not spec.active:
                    user = self._update(spec.path, user, {"is_active": False})
                state.record("+", self._path(spec.username))
            else:
                person = getattr(user, "person", None)
                current = {"full_name": user.get_full_name(), "email": user.email,
                           "role": person.role if person is not None else role_of(user).value,
                           "is_active": user.is_active}
                wanted = {"full_name": spec.full_name, "email": spec.email, "role": spec.role,
                          "is_active": spec.active}
                changes = {name: value for name, value in wanted.items() if current[name] != value}
                teams = {team.name for team in person.teams.all()} if person is not None else set()
                if changes:
                    user = self._update(spec.path, user, changes)
                fields = [name for name in changes if name != "is_active"]
                if teams != set(spec.team_names):
                    fields.append("teams")
                if "is_active" in changes:
                    fields.append("reactivated" if spec.active else "deactivated")
                if fields:
                    state.record("~", self._path(spec.username), tuple(fields))
            state.users[spec.username] = user

    def memberships(self) -> None:
        if self.specs is None:
            return
        teams = {team.name: team for team in Team.objects.all()}
        users = _users_by_name()
        for spec in self.specs:
            user = users[spec.username]
            person = getattr(user, "person", None)
            current = {team.pk for team in person.teams.all()} if person is not None else set()
            wanted = [teams[name] for name in spec.team_names]
            if current != {team.pk for team in wanted}:
                self._update(spec.path + ("teams",), user, {"teams": wanted})

    def deactivate_unlisted(self) -> None:
        if self.specs is None:
            return
        listed_names = {spec.username for spec in self.specs}
        User = get_user_model()
        for user in User.objects.filter(is_active=True).order_by(User.USERNAME_FIELD):
            if user.get_username() not in listed_names:
                self._update(("people",), user, {"is_active": False})
                self.state.record("~", self._path(user.get_username()), ("deactivated",))
        if self.admins_before and not admins_who_can_sign_in():
            raise ApplyFailed(self.state.doc.error(("people",), (
                "this file would leave no active admin who can sign in (now: "
                f"{listed(self.admins_before)}); list one of them under people with role admin, "
                "or apply with --without-people")))
