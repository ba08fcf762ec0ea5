"""Making the workspace exactly what a file says, in one transaction, through the apps' actions.

    apply_workspace(text, filename=, dry_run=, people=, acting_user=) -> ApplyResult

Each section syncs its own objects (`sections/*`); the order of work is here because the
sections depend on each other — people exist before a team names its lead, teams before a
person joins them or a step names them, steps before handoffs and targets — and because what
the file no longer has is removed before what would clash with it is created:

    settings, glossary → outcomes the file drops → map objects the file drops → people's
    accounts → the executive sponsor → teams → people's teams → personas, journeys, stages, steps → responsibilities,
    handoffs → outcomes → councils → the priority weights → personas nobody lists → people the
    file leaves out (deactivated)

Every write goes through an action as `acting_user` (SYSTEM from the trusted command line), so
it is checked and recorded in history like any other change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from cxkeeper.core.actors import SYSTEM
from cxkeeper.org.models import Workspace
from cxkeeper.workspace.changes import ApplyFailed, ApplyState, Change
from cxkeeper.workspace.document import read_document
from cxkeeper.workspace.sections.governance import CouncilsSync
from cxkeeper.workspace.sections.initiatives import WeightsSync
from cxkeeper.workspace.sections.journeys_apply import JourneysSync
from cxkeeper.workspace.sections.org import OrgSync
from cxkeeper.workspace.sections.outcomes_apply import OutcomesSync
from cxkeeper.workspace.sections.people import PeopleSync
from cxkeeper.workspace.yaml_io import WorkspaceFileError

# The diff is printed section by section, in the file's order.
SECTIONS = ("workspace", "glossary", "team", "person", "persona", "journey", "metric", "outcomes", "outcome", "KPI",
            "council", "priority")


@dataclass
class ApplyResult:
    """What an apply did (or, for a dry run, would do). With errors, nothing was changed."""

    changes: list[Change] = field(default_factory=list)
    errors: list[WorkspaceFileError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(change.op for change in self.changes)
        return {"created": counted["+"], "changed": counted["~"], "deleted": counted["-"]}

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}; nothing was applied."
        if not self.changes:
            return "No changes: the workspace already matches the file."
        counts = self.counts
        if self.dry_run:
            return (f"Dry run: would create {counts['created']}, change {counts['changed']}, "
                    f"delete {counts['deleted']}; nothing was saved.")
        return (f"Applied: {counts['created']} created, {counts['changed']} changed, "
                f"{counts['deleted']} deleted.")


def apply_workspace(text: str, *, filename: str = "workspace.yaml", dry_run: bool = False, people: bool = True,
                    acting_user=SYSTEM) -> ApplyResult:
    """Make the workspace exactly what `text` says, in one transaction, through the real actions.

    Returns the diff as `changes`. If the file has any problem, `errors` lists them all and
    nothing is written. A dry run does the same work and rolls it back, so its diff is exactly
    what a real apply would do. `people=False` ignores the file's people section
    (`--without-people`): people stay as they are.
    """
    document, errors = read_document(text, filename, people=people)
    if errors or document is None:
        return ApplyResult(errors=errors, dry_run=dry_run)
    try:
        with transaction.atomic():
            changes = _sync(ApplyState(document, acting_user))
            if dry_run:
                transaction.set_rollback(True)
    except ApplyFailed as exc:
        return ApplyResult(errors=[exc.error], dry_run=dry_run)
    return ApplyResult(changes=changes, dry_run=dry_run)


def _sync(state: ApplyState) -> list[Change]:
    workspace = Workspace.current()
    # One apply at a time: the settings row is the lock (SQLite serializes writers anyway).
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    org, people = OrgSync(state), PeopleSync(state)
    journeys, outcomes = JourneysSync(state), OutcomesSync(state)
    org.settings()
    org.glossary()
    outcomes.prune()  # before the map and teams change, so nothing goes by a silent cascade
    journeys.prune_map()
    people.accounts()  # before teams: a team's lead must exist
    org.sponsor()  # a person too
    org.teams()
    people.memberships()
    journeys.personas()
    journeys.journeys()
    journeys.responsibilities()
    journeys.handoffs()
    outcomes.apply()
    CouncilsSync(state).apply()  # after teams, people and journeys: seats and scope name them
    WeightsSync(state).apply()  # the priority board's weights; initiatives are never applied
    journeys.prune_personas()
    people.deactivate_unlisted()
    unique = list(dict.fromkeys(state.changes))  # a statement's target cleared, then set: one line
    return sorted(unique, key=lambda c: (SECTIONS.index(c.section), c.sort_key))
