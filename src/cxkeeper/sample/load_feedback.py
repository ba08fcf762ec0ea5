"""Load a year of generated feedback (see `feedback.py`) into the sample organization.

The rows go through the same storage path as any import (`ingest_feedback_batch`): PII
redaction, de-duplication, routing by the workspace's router (trained from the map), sentiment, rollups; then the
router learns from the stored year and routes it again (``actions.reroute_feedback``). The
generator's ground-truth step is NOT passed on: the router has to find it, as it would for
real feedback.
"""

from __future__ import annotations

from collections import defaultdict

from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import actions, routing
from cxkeeper.insights.choices import SourceKind
from cxkeeper.insights.ingest import CanonicalRow
from cxkeeper.insights.models import Feedback
from cxkeeper.sample import feedback as generated

SOURCE_KINDS = {
    generated.SURVEY: (SourceKind.SURVEY, "survey"),
    generated.NPS: (SourceKind.SURVEY, "survey"),
    generated.TICKETS: (SourceKind.HELPDESK, "email"),
    generated.APP: (SourceKind.APP_REVIEW, "app"),
    generated.CRM: (SourceKind.CRM, "crm"),
    generated.SOCIAL: (SourceKind.SOCIAL, "social"),
}
CHUNK = 2000
DEFAULT_ROWS = 120_000


def canonical(row: dict, number: int) -> CanonicalRow:
    return CanonicalRow(
        external_id=row["external_id"], received_at=row["received_at"], channel=row["channel"], row_number=number,
        text=row["text"] or "", customer_id=row["customer_id"], segment=row["segment"], nps=row["nps"],
        csat=row["csat"], csat_max=row["csat_max"] if row["csat"] is not None else None, ces=row["ces"],
        event_type=row["event_type"],
    )


def load_sample_feedback(n_rows: int = DEFAULT_ROWS, *, seed: int = 7, console=None) -> int:
    """Import the generated year; does nothing when feedback already exists. Returns rows stored."""
    if Feedback.objects.exists():
        return 0
    sources = {name: actions.source_named(name, acting_user=SYSTEM, defaults={"kind": kind, "default_channel": channel})
               for name, (kind, channel) in SOURCE_KINDS.items()}
    router = routing.current_router()
    if router is None:
        routing.train_router(evaluate=False)
        router = routing.current_router()
    pending: dict[str, list[CanonicalRow]] = defaultdict(list)
    stored = 0

    def flush(name: str) -> int:
        result = actions.ingest_feedback_batch(sources[name], pending.pop(name), router=router)
        return result.imported

    progress = _progress(console, n_rows)
    for number, row in enumerate(generated.generate_feedback(n_rows, seed=seed), start=1):
        pending[row["source"]].append(canonical(row, number))
        if len(pending[row["source"]]) >= CHUNK:
            stored += flush(row["source"])
            progress(stored)
    for name in list(pending):
        stored += flush(name)
    progress(stored, final=True)
    # Second pass, as an organization would after its first import: the router learns from the
    # year's own messages (self-training), measures itself for the quality page, and routes
    # the stored messages again; people's and rules' placements stay as they are.
    routing.train_router(evaluate=True)
    actions.reroute_feedback(acting_user=SYSTEM)
    from cxkeeper.insights.sentiment_store import choose_model

    choose_model()  # learn sentiment from the year's scored feedback if it beats VADER
    return stored


def _progress(console, total: int):
    if console is None:
        return lambda done, final=False: None
    from rich.progress import Progress

    bar = Progress(console=console, transient=True)
    task = bar.add_task("A year of customer feedback", total=total)
    bar.start()

    def update(done: int, final: bool = False):
        bar.update(task, completed=done)
        if final:
            bar.stop()

    return update
