"""Costly figures computed once per change of the data they depend on, never per view.

A figure (a target's status, the tensions, a team scorecard, the organization view, the
alignment map, themes…) is a pure function of the stored data and its arguments. It is kept in
the database (`StoredFigure`), so every worker process of `cxkeeper serve` shares it, under a
*stamp*: the versions of the data it depends on and a fingerprint of the code. A figure whose
stamp is not the current one is never read; it is computed again and overwritten.

**Data versions** are coarse on purpose (correctness before cleverness):

* `FEEDBACK` — feedback rows, where they are routed, the rollups and the router: moved by every
  rollup write (`insights.rollup_store`: imports, the batch API, corrections and the review
  queue, off-topic marks, re-routing, erasure, step deletes) and by a new router;
* `RECORDS` — every audited object (shared outcomes, targets, KPIs and their values, journeys,
  steps, responsibilities, teams, the workspace…): moved by every history row
  (`core.history.record_change`), i.e. by every action, workspace apply and sample load.

**When a version moves.** `data_changed(scope)` inside a transaction moves it right after the
commit (`transaction.on_commit`), outside one at once. Until that commit, the writing
connection sees data nobody else sees, so every figure it asks for is computed afresh and not
kept (`_uncommitted`). After the commit the version moves, and whatever another process
computed in between — from the old data or the new — is stored under the old version and never
read again. A rolled-back write moves nothing. (The one gap: a process killed between its
commit and the version's move leaves figures stale until the next write of that kind.)

**Where it is used**: at the query boundary only — `figure(...)` wraps the computation in the
`queries.py` of the figure's app, which stays the one place the figure is computed; views, the
API, the CLI and reports read through those queries and never see the store. `computed_fresh()`
switches the store off for a block (tests compare the two; the bench measures first visits).

**Read cheaply** (decision 0024): a page asks for several figures, so

* each process keeps the figures it read or computed last, unpickled (`_memo`, at most
  `MEMO_SIZE`), and hands the same object out again while the stored row is the *same write*
  — same key, same stamp, same `computed_at` (read without the value: one small query). A
  stored row rewritten by any process, a rolled-back one, a moved version: the memo is not used.
  Readers must not change a figure they are handed (they never did: every read used to unpickle
  a private copy); under tests `check_readers(canonical)` checks every memo hit against the value as
  it was stored, ignoring only the related-object caches Django fills on model instances;
* within one request the data versions are read once (`request_started` opens a snapshot; a
  version this process moves clears it), not once per figure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from cxkeeper.core.models import DataVersion, StoredFigure

FEEDBACK = "feedback"
RECORDS = "records"
ALL = (FEEDBACK, RECORDS)
KEEP_DAYS = 3  # stored figures older than this are dropped (`_prune`)
BRIEF_WAIT_MS = 200  # how long a page waits for the embedded store's write lock to keep a figure
MEMO_SIZE = 256  # unpickled figures each process keeps (an organization view is ~0.2 MB pickled)

_local = threading.local()
_memo: OrderedDict[str, tuple[str, dt.datetime, object, bytes | None]] = OrderedDict()
_memo_lock = threading.Lock()
_check: dict[str, Callable | None] = {"readers": None}


# ---------------------------------------------------------------- data versions


def data_changed(*scopes: str) -> None:
    """The data of `scopes` changed (or is changing in the current transaction): every figure
    depending on it is recomputed on its next read, in every process."""
    if not connection.in_atomic_block:
        _bump(scopes)
        return
    pending = _pending_scopes()
    for scope in scopes:
        if scope not in pending:
            transaction.on_commit(_Bump(scope))


class _Bump:
    """The version move queued on commit; a class so a pending one can be recognized."""

    def __init__(self, scope: str):
        self.scope = scope

    def __call__(self) -> None:
        _bump((self.scope,))


def _bump(scopes: Iterable[str]) -> None:
    _local.versions, _local.per_request = None, {}  # this request's snapshot is out of date now
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        for scope in scopes:
            # One statement, on SQLite and PostgreSQL alike: concurrent moves never lose one.
            cursor.execute(f"INSERT INTO {table} (scope, version) VALUES (%s, 1) "  # noqa: S608 - constant table
                           f"ON CONFLICT (scope) DO UPDATE SET version = {table}.version + 1", [scope])


    for listener in list(_after_change):
        try:
            listener(tuple(scopes))
        except Exception:  # a listener (e.g. queueing the warm-up) must never fail the write
            logging.getLogger(__name__).exception("after-change listener failed")


_after_change: list[Callable[[tuple[str, ...]], None]] = []


def after_change(listener: Callable[[tuple[str, ...]], None]) -> None:
    """Call `listener(scopes)` each time data versions move (after the commit). Higher layers
    subscribe here, e.g. to queue the recomputation of costly figures in the background."""
    if listener not in _after_change:
        _after_change.append(listener)


def _pending_scopes() -> set[str]:
    """Scopes this connection changed in its open transaction (their move waits for the commit;
    a rolled-back savepoint takes its pending moves with it)."""
    return {func.scope for _, func, *_ in connection.run_on_commit if isinstance(func, _Bump)}


def versions() -> dict[str, int]:
    """The current data versions; inside a request, read once (its snapshot) until this
    process moves one."""
    snapshot = getattr(_local, "versions", None)
    if snapshot is not None:
        return snapshot
    current = dict(DataVersion.objects.values_list("scope", "version"))
    if getattr(_local, "in_request", False):
        _local.versions = current
    return current


def request_started(**kwargs) -> None:
    """A request begins on this thread: its data versions are read afresh once (connected to
    Django's `request_started` in `CoreConfig.ready`)."""
    _local.in_request, _local.versions, _local.per_request = True, None, {}


def request_finished(**kwargs) -> None:
    _local.in_request, _local.versions, _local.per_request = False, None, {}


def per_request(name: str, compute: Callable[[], object]):
    """`compute()` once per request on this thread (e.g. the glossary a page links terms to, asked
    for by every paragraph); outside a request, and after this process moved a data version,
    computed again."""
    if not getattr(_local, "in_request", False) or getattr(_local, "fresh", 0):
        return compute()
    memo = _local.per_request
    if name not in memo:
        memo[name] = compute()
    return memo[name]


# ---------------------------------------------------------------- the store


@cache
def code_fingerprint() -> str:
    """Changes with any source file of cxkeeper: a figure pickled by other code (an upgrade, a
    different checkout on the same database) is never read back into this one."""
    digest = hashlib.sha1(usedforsecurity=False)
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


def _part(value) -> str:
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}#{value.pk}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return "[" + ",".join(_part(v) for v in items) + "]"
    return "-" if value is None else str(value)


def figure_key(name: str, params: Iterable) -> str:
    text = f"{name}({','.join(_part(p) for p in params)})"
    if len(text) <= 200:
        return text
    return f"{name}(#{hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()})"


def _stamp(depends: Iterable[str]) -> str:
    current = versions() if depends else {}
    return ";".join([code_fingerprint(), *(f"{scope}={current.get(scope, 0)}" for scope in depends)])


def _uncommitted(depends: Iterable[str]) -> bool:
    return bool(connection.in_atomic_block and _pending_scopes() & set(depends))


def figure(name: str, params: Iterable, compute: Callable[[], object], *, depends: Iterable[str] = ALL):
    """`compute()`, or the value it returned the last time for the same `name` and `params`
    while the data versions of `depends` were what they are now.

    `params` must name everything the value depends on besides those data versions (the day
    figures are measured as of, a team, a period…). `depends=()` keeps the value under `params`
    alone (callers that put their own notion of "changed" in `params`)."""
    depends = tuple(depends)
    if getattr(_local, "fresh", 0) or _uncommitted(depends):
        return compute()
    key = figure_key(name, params)
    stamp = _stamp(depends)
    written = StoredFigure.objects.filter(key=key, stamp=stamp).values_list("computed_at", flat=True).first()
    if written is not None:
        found = _remembered(key, stamp, written)
        if found is not _MISSING:
            return found
        stored = StoredFigure.objects.filter(key=key, stamp=stamp, computed_at=written) \
            .values_list("value", flat=True).first()
        if stored is not None:
            with contextlib.suppress(Exception):  # unreadable (damaged row): computed again below
                blob = bytes(stored)
                value = pickle.loads(blob)  # noqa: S301 - written only by this module, below
                _remember(key, stamp, written, value, blob)
                return value
    start = time.perf_counter()
    value = compute()
    _store(key, stamp, value, 1000 * (time.perf_counter() - start))
    return value


_MISSING = object()


def _remembered(key: str, stamp: str, written: dt.datetime):
    with _memo_lock:
        entry = _memo.get(key)
        if entry is None or entry[0] != stamp or entry[1] != written:
            return _MISSING
        _memo.move_to_end(key)
    value, blob = entry[2], entry[3]
    compare = _check["readers"]
    if compare and blob is not None and compare(value) != compare(pickle.loads(blob)):  # noqa: S301
        raise AssertionError(f"the figure {key} was changed by a reader after it was handed out: "
                             "figures are shared, copy before changing one")
    return value


def _remember(key: str, stamp: str, written: dt.datetime, value, blob: bytes) -> None:
    with _memo_lock:
        _memo[key] = (stamp, written, value, blob if _check["readers"] else None)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)


def check_readers(compare: Callable[[object], object] | None) -> None:
    """Tests: every memo hit is checked against the figure as it was stored, both turned into
    comparable values by `compare` (`cxkeeper.testing.figures.canonical`: model instances by
    their field values, so the related objects Django caches on them do not count); None: off."""
    _check["readers"] = compare
    forget_memo()


def forget_memo() -> None:
    with _memo_lock:
        _memo.clear()


def _store(key: str, stamp: str, value, compute_ms: float) -> None:
    """Keep the value; a figure that cannot be kept (a busy embedded store, a value that does not
    pickle) is simply computed again next time: the store is never a reason for a page to fail."""
    try:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    now = timezone.now()
    row = StoredFigure(key=key, stamp=stamp, value=blob, computed_at=now, compute_ms=compute_ms)
    try:
        with _brief_wait(), transaction.atomic():
            StoredFigure.objects.bulk_create([row], update_conflicts=True, unique_fields=["key"],
                                             update_fields=["stamp", "value", "computed_at", "compute_ms"])
            _prune(now)
    except DatabaseError:
        return
    if not connection.in_atomic_block:  # inside a caller's transaction the row may yet roll back
        _remember(key, stamp, now, value, blob)


@contextlib.contextmanager
def _brief_wait():
    """On the embedded store a page that keeps a figure becomes a writer for a moment: while an
    import holds the write lock, give up keeping it after a short wait instead of making the
    page wait for the import's chunk (the figure is computed again next time)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        usual = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {BRIEF_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def _prune(now: dt.datetime) -> None:
    """Keys name their as-of day, so yesterday's figures are never asked for again: drop figures
    computed more than `KEEP_DAYS` ago, at most once an hour per process (a figure still asked
    for is simply computed again)."""
    last = getattr(_prune, "last", None)
    if last is not None and now - last < dt.timedelta(hours=1):
        return
    _prune.last = now
    StoredFigure.objects.filter(computed_at__lt=now - dt.timedelta(days=KEEP_DAYS)).delete()


@contextlib.contextmanager
def computed_fresh():
    """Inside the block every figure is computed, neither read from nor written to the store."""
    _local.fresh = getattr(_local, "fresh", 0) + 1
    try:
        yield
    finally:
        _local.fresh -= 1


def has_uncommitted_changes(depends: Iterable[str] = ALL) -> bool:
    """This connection changed data of `depends` in a transaction not committed yet: a value
    derived from it now must not be kept (other processes would not see that data)."""
    return _uncommitted(depends)


def computing_fresh() -> bool:
    """True inside `computed_fresh()`: callers that keep their own memo of a stored figure
    (the review queue's per-thread order) skip it there too."""
    return bool(getattr(_local, "fresh", 0))


def forget_all() -> int:
    """Drop every stored figure (each is computed again on its next read). Returns how many."""
    deleted, _ = StoredFigure.objects.all().delete()
    forget_memo()
    return deleted
