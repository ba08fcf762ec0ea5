"""What every section's apply shares: the diff line (`Change`), the refusal that rolls the whole
apply back (`ApplyFailed`), and `ApplyState` — who applies, the changes so far, and what one
section hands the next (the people by username, the steps by name) — with the helpers for
comparing objects to the file and keeping their order.

Identity is by name everywhere (a person by username): anything else is a field updated in
place, so renaming an object is a delete and a create.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, models
from django.utils.text import slugify

from cxkeeper.core.errors import InvalidInput
from cxkeeper.workspace.yaml_io import Path, WorkspaceFileError

FILE_FIELD_NAMES = {"is_lead": "lead", "is_active": "active"}  # model field → its name in the file


@dataclass(frozen=True)
class Change:
    """One line of the diff: `op` is "+" (created), "~" (changed) or "-" (deleted)."""

    op: str
    path: tuple[str, ...]
    fields: tuple[str, ...] = ()
    # Where the line goes in the printed diff: journey-map lines follow the file's order.
    sort_key: tuple = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        text = f"{self.op} {' › '.join(self.path)}"
        return text + (f": {', '.join(self.fields)}" if self.fields else "")

    @property
    def section(self) -> str:
        return self.path[0].split(" ", 1)[0]


class ApplyFailed(Exception):
    """An action refused a write the checks did not foresee; the whole apply is rolled back."""

    def __init__(self, error: WorkspaceFileError):
        super().__init__(str(error))
        self.error = error


class ApplyState:
    """One apply in progress. Every write goes through `do` (an app's action, as `actor`)."""

    def __init__(self, document, actor):
        self.doc = document
        self.actor = actor
        self.changes: list[Change] = []
        self.users: dict[str, object] = dict(document.users)  # username → user; people sync adds its own
        self.steps: dict[tuple[str, str, str], models.Model] = {}  # (journey, stage, step) → Step

    def do(self, where: Path, action: Callable, *args, **kwargs):
        """Run an action; a refusal becomes an error at the file position being applied."""
        try:
            return action(*args, **kwargs)
        except InvalidInput as exc:
            detail = "; ".join(f"{FILE_FIELD_NAMES.get(k, k) if k != '__all__' else 'value'}: {' '.join(v)}"
                               for k, v in exc.errors.items())
            raise ApplyFailed(self.doc.error(where, f"could not be saved: {detail}")) from exc
        except IntegrityError as exc:
            raise ApplyFailed(self.doc.error(where, f"could not be saved: {exc}")) from exc

    def record(self, op: str, path: tuple[str, ...], fields: tuple[str, ...] = (), order: tuple = ()) -> None:
        self.changes.append(Change(op, path, fields, order))


def quote(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def differences(obj: models.Model, desired: dict) -> dict:
    """The entries of `desired` (model field → value) that differ from `obj`."""
    changes = {}
    for name, value in desired.items():
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            current, new = getattr(obj, model_field.attname), (value.pk if value is not None else None)
        else:
            current, new = getattr(obj, name), value
        if current != new:
            changes[name] = value
    return changes


def labels(changes: dict) -> tuple[str, ...]:
    return tuple(FILE_FIELD_NAMES.get(name, name) for name in changes if name != "position")


def _plan_positions(keys: list, current: dict) -> dict:
    """Positions for the file's order (`current`: key → stored position). Stored positions are
    kept while they already give the order and new items fit between them; otherwise 0..n-1."""
    positions: dict = {}
    previous, run = -1, []
    for key in keys:
        if key not in current:
            run.append(key)
            continue
        position = current[key]
        if position <= previous + len(run):
            return {k: i for i, k in enumerate(keys)}
        positions.update({k: previous + 1 + i for i, k in enumerate(run)})
        positions[key], previous, run = position, position, []
    positions.update({k: previous + 1 + i for i, k in enumerate(run)})
    return positions


def positions(keys: list, stored: list[tuple]) -> tuple[dict, bool]:
    """(positions, reordered) for the file's `keys`; `stored` is [(key, position, pk)].
    Appending never renumbers; nothing is renumbered while the stored order already is the file's."""
    current = {key: position for key, position, _ in stored}
    kept = [key for key, _, _ in sorted(stored, key=lambda s: (s[1], s[2])) if key in keys]
    reordered = kept != [key for key in keys if key in current]
    if not reordered and all(key in current for key in keys):
        return {key: current[key] for key in keys}, False
    return _plan_positions(keys, current), reordered


def plan_slugs(specs, existing: dict[str, models.Model]) -> dict[str, str]:
    """Explicit slugs as written; an omitted slug keeps the existing one, or is made from the name."""
    plan = {spec.name: spec.slug for spec in specs if spec.slug}
    taken = set(plan.values())
    for spec in specs:
        current = existing.get(spec.name)
        if not spec.slug and current is not None and current.slug not in taken:
            plan[spec.name] = current.slug
            taken.add(current.slug)
    for spec in specs:
        if spec.name not in plan:
            base = slugify(spec.name)[:90] or "item"
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            plan[spec.name] = slug
            taken.add(slug)
    return plan


def update_in_order(state: ApplyState, updates: list[tuple[Path, tuple[str, ...], models.Model, dict]], update,
                    order_of: Callable[[models.Model], tuple] = lambda obj: ()) -> None:
    """Apply field updates to objects with slugs, ordered so that swapped slugs never collide midway."""
    holders = {obj.slug: obj.pk for _, _, obj, _ in updates}
    pending = list(updates)
    while pending:
        ready = [u for u in pending if holders.get(u[3].get("slug"), u[2].pk) == u[2].pk]
        if not ready:  # a cycle (a ↔ b): park one on a temporary slug first
            where, _, obj, _ = pending[0]
            holders.pop(obj.slug, None)
            obj = state.do(where, update, obj, {"slug": f"{obj.slug[:80]}-{obj.pk}-renaming"},
                           expected_version=None, acting_user=state.actor)
            pending[0] = (pending[0][0], pending[0][1], obj, pending[0][3])
            continue
        for where, path, obj, changes in ready:
            holders.pop(obj.slug, None)
            state.do(where, update, obj, changes, expected_version=None, acting_user=state.actor)
            holders[changes.get("slug", obj.slug)] = obj.pk
            pending.remove((where, path, obj, changes))
    for _, path, obj, changes in updates:  # reported in the file's order, whatever order they ran in
        state.record("~", path, labels(changes), order=order_of(obj))
