"""The one generic, optional link of a decision or an action item to what it serves besides a
decision: (kind, id) — a friction point or an initiative. Resolved here only."""

from __future__ import annotations

from dataclasses import dataclass

from cxkeeper.governance.choices import LinkKind


@dataclass(frozen=True)
class Linked:
    kind: str
    label: str
    title: str
    url: str


def _friction_point(pk: int):
    from cxkeeper.initiatives.models import FrictionPoint

    return FrictionPoint.objects.filter(pk=pk).first()


def _initiative(pk: int):
    from cxkeeper.initiatives.models import Initiative

    return Initiative.objects.filter(pk=pk).first()


RESOLVERS = {LinkKind.FRICTION_POINT: _friction_point, LinkKind.INITIATIVE: _initiative}


def resolve(kind: str, pk: int | None) -> Linked | None:
    """What the link points at, or None (no link, or the object is gone)."""
    if not kind or pk is None or kind not in RESOLVERS:
        return None
    obj = RESOLVERS[kind](pk)
    if obj is None:
        return None
    return Linked(kind, LinkKind(kind).label, str(obj), obj.get_absolute_url())


def check(kind: str, pk: int | None) -> dict[str, str]:
    """Problems of a link, by field: an unknown kind, an id without a kind, a missing object."""
    if not kind and pk is None:
        return {}
    if kind not in RESOLVERS:
        return {"link_kind": f"“{kind}” is not something an action item can serve; choose one of "
                             f"{', '.join(RESOLVERS)}."}
    if pk is None:
        return {"link_id": f"Say which {LinkKind(kind).label} (its id)."}
    if RESOLVERS[kind](pk) is None:
        return {"link_id": f"There is no {LinkKind(kind).label} {pk}."}
    return {}
