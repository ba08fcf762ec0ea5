"""Load the sample organization (see `organization.py`) through the real actions.

Everything is built with `acting_user=SYSTEM` (the trusted local CLI) inside one transaction, so
the history shows how the sample was made and a failure leaves nothing half-built. Loading is
idempotent: a workspace that already has journeys is left alone and only the credentials are
returned. The shared demo password is generated once per data folder and kept there (never in
the repository), so every `cxkeeper demo` prints the same one.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.choices import Lane, ResponsibilityRole
from cxkeeper.journeys.models import Journey, Persona, Step
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import GlossaryTerm, Team
from cxkeeper.sample import organization as sample

PASSWORD_FILE = "demo-password.txt"  # noqa: S105 - a file name, not a password
# No look-alike characters (0/O, 1/l/I), so the password can be read off a screen and typed.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105


@dataclass
class SampleCredentials:
    password: str
    users: list[tuple[str, str]]  # (username, role, teams and what to try)


class SampleNotLoaded(Exception):
    """The workspace holds data that clashes with the sample (same team or user names)."""


def load_sample_organization(console=None) -> SampleCredentials:
    had_password = (Path(settings.DATA_DIR) / PASSWORD_FILE).exists()
    password = demo_password()
    if Journey.objects.exists():
        _say(console, "[yellow]The workspace already has journeys; the sample organization was not loaded "
                      "again.[/yellow]")
        if not had_password:
            _say(console, f"[yellow]{PASSWORD_FILE} was missing from the data folder: the sample users keep "
                          "the password they were created with, not the one printed below.[/yellow]")
        return SampleCredentials(password, _existing_demo_users())
    _refuse_clashes()

    first_new_change = (ChangeRecord.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    with transaction.atomic():
        _build(password, console)
    # Loading assigns every responsibility, and each assignment notifies the responsible teams'
    # members after commit. A newcomer's inbox should not open on a hundred "system made X owner
    # of Y" notices, so the notices caused by the load itself are removed; the history stays.
    Notification.objects.filter(change_id__gte=first_new_change, change__actor__isnull=True).delete()
    _summarize(console)
    return SampleCredentials(password, sample.demo_users())


# ---------------------------------------------------------------- password


def demo_password() -> str:
    """The shared demo password, generated on first use into the data folder (mode 0600)."""
    path = Path(settings.DATA_DIR) / PASSWORD_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not write two different passwords.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(_new_password() + "\n")
    return path.read_text().strip()


def _new_password() -> str:
    while True:
        candidate = "-".join(
            "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3)
        )
        try:
            validate_password(candidate)
        except ValidationError:
            continue
        return candidate


# ---------------------------------------------------------------- building


def _say(console, message: str) -> None:
    if console is not None:
        console.print(message)


def _existing_demo_users() -> list[tuple[str, str]]:
    existing = set(get_user_model().objects.filter(username__in=[p.username for p in sample.PEOPLE])
                   .values_list("username", flat=True))
    return [(username, about) for username, about in sample.demo_users() if username in existing]


def _refuse_clashes() -> None:
    clashes = []
    taken_users = get_user_model().objects.filter(username__in=[p.username for p in sample.PEOPLE])
    clashes += [f"user “{u}”" for u in taken_users.values_list("username", flat=True)]
    taken_teams = Team.objects.filter(name__in=[t.name for t in sample.TEAMS])
    clashes += [f"team “{t}”" for t in taken_teams.values_list("name", flat=True)]
    taken_personas = Persona.objects.filter(name__in=[name for name, _ in sample.PERSONAS])
    clashes += [f"persona “{p}”" for p in taken_personas.values_list("name", flat=True)]
    if clashes:
        raise SampleNotLoaded(
            "The sample organization was not loaded: this workspace already has "
            + ", ".join(clashes) + ". Use an empty data folder (--data-dir) for the demo."
        )


def _create_person(spec: sample.PersonSpec, password: str, teams: list[Team]):
    values = dict(username=spec.username, password=password, role=spec.role, full_name=spec.full_name,
                  email=f"{spec.username}@kestrel.example", teams=teams, acting_user=SYSTEM)
    try:
        return org_actions.create_person(**values).user
    except InvalidInput as exc:
        # The generated password passed the validators without a user; similarity to a username
        # could still refuse it in theory. Only then is validation skipped for the demo.
        if set(exc.errors) != {"password"}:
            raise
        return org_actions.create_person(**values, validate=False).user


def _build(password: str, console) -> None:
    org_actions.update_workspace(
        {"name": sample.WORKSPACE_NAME, "mission": sample.MISSION,
         "review_interval_days": sample.REVIEW_INTERVAL_DAYS},
        expected_version=None, acting_user=SYSTEM,
    )
    existing_terms = set(GlossaryTerm.objects.values_list("term", flat=True))
    for term, definition in sample.GLOSSARY:
        if term not in existing_terms:
            org_actions.add_glossary_term(term, definition, acting_user=SYSTEM)
    _say(console, f"Workspace “{sample.WORKSPACE_NAME}”: North Star and "
                  f"{len(sample.GLOSSARY)} glossary terms")

    teams = {
        spec.name: org_actions.create_team(
            {"name": spec.name, "function": spec.function, "office": spec.office,
             "customer_facing": spec.customer_facing, "description": spec.description},
            acting_user=SYSTEM,
        )
        for spec in sample.TEAMS
    }
    users = {spec.username: _create_person(spec, password, [teams[name] for name in spec.teams])
             for spec in sample.PEOPLE}
    for spec in sample.TEAMS:
        org_actions.update_team(teams[spec.name], {"lead": users[spec.lead]}, expected_version=None,
                                acting_user=SYSTEM)
    _say(console, f"Teams: {len(teams)}; people: {len(users)}")

    personas = {
        name: journey_actions.create_persona({"name": name, "description": description}, acting_user=SYSTEM)
        for name, description in sample.PERSONAS
    }

    steps: dict[str, Step] = {}
    for spec in sample.JOURNEYS:
        journey = journey_actions.create_journey(
            {"name": spec.name, "description": spec.description, "persona": personas[spec.persona],
             "keeper": users[spec.keeper]},
            acting_user=SYSTEM,
        )
        for stage_spec in spec.stages:
            stage = journey_actions.add_stage(
                journey, {"name": stage_spec.name, "description": stage_spec.description}, acting_user=SYSTEM
            )
            for step_spec in stage_spec.steps:
                step = journey_actions.add_step(
                    stage,
                    {"name": step_spec.name, "lane": step_spec.lane, "channel": step_spec.channel,
                     "description": step_spec.description, "phrases": list(step_spec.phrases)},
                    acting_user=SYSTEM,
                )
                steps[step_spec.name] = step
                for part in step_spec.parts:
                    journey_actions.assign_responsibility(
                        step, teams[part.team], {"role": part.role, "is_lead": part.lead, "note": part.note},
                        acting_user=SYSTEM,
                    )
        journey = journey_actions.publish_journey(journey, expected_version=None, acting_user=SYSTEM)
        if spec.reviewed_days_ago is not None:
            # Back-dated so the demo shows one map reviewed recently and one overdue; recorded
            # as the keeper's review, through the same audited write as any journey change.
            journey_actions.update_journey(
                journey,
                {"last_reviewed_at": timezone.now() - timedelta(days=spec.reviewed_days_ago),
                 "last_reviewed_by": users[spec.keeper]},
                expected_version=None, acting_user=SYSTEM,
            )
        _say(console, f"Journey “{spec.name}”: {len(spec.stages)} stages, "
                      f"{sum(len(s.steps) for s in spec.stages)} steps")

    for spec in sample.HANDOFFS:
        journey_actions.add_handoff(
            {"from_step": steps[spec.from_step], "from_team": teams[spec.from_team],
             "to_step": steps[spec.to_step], "to_team": teams[spec.to_team], "description": spec.description},
            acting_user=SYSTEM,
        )
    _say(console, f"Handoffs between teams: {len(sample.HANDOFFS)}")


# ---------------------------------------------------------------- summary


def coverage_gaps() -> dict[str, list[str]]:
    """The deliberate gaps, read back from the workspace: what the coverage views should show."""
    no_owner, no_lead = [], []
    for step in Step.objects.prefetch_related("responsibilities"):
        owners = [r for r in step.responsibilities.all() if r.role == ResponsibilityRole.OWNS]
        if not owners:
            no_owner.append(step.name)
        elif len(owners) > 1 and not any(r.is_lead for r in owners):
            no_lead.append(step.name)
    idle = list(Team.objects.filter(responsibilities__isnull=True).values_list("name", flat=True))
    return {"no owner": no_owner, "several owners, no lead": no_lead, "team on no step": idle}


# Short lane headings keep the summary inside an 80-column terminal.
_LANE_HEADINGS = {Lane.CUSTOMER_ACTION: "action", Lane.FRONTSTAGE: "front", Lane.BACKSTAGE: "back",
                  Lane.SUPPORT_SYSTEM: "system"}


def _summarize(console) -> None:
    if console is None:
        return
    from rich import box
    from rich.table import Table

    table = Table(title=f"{sample.WORKSPACE_NAME}: steps per journey and lane", title_justify="left",
                  caption="lanes: customer action, front-stage touchpoint, back-stage process, "
                          "support system",
                  caption_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("journey", no_wrap=True)
    table.add_column("stages", justify="right")
    for heading in _LANE_HEADINGS.values():
        table.add_column(heading, justify="right")
    table.add_column("steps", justify="right")
    for journey in Journey.objects.prefetch_related("stages__steps").order_by("pk"):
        stages = journey.stages.all()
        per_lane = Counter(step.lane for stage in stages for step in stage.steps.all())
        table.add_row(journey.name, str(len(stages)), *(str(per_lane[lane]) for lane in _LANE_HEADINGS),
                      str(sum(per_lane.values())))
    console.print(table)
    for gap, names in coverage_gaps().items():
        console.print(f"Gap — {gap}: {', '.join(names) or 'none'}")
