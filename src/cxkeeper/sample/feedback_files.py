"""The generated year of feedback written as the files each source really exports: a
post-interaction survey CSV, a relationship NPS CSV, a Zendesk ticket export, app-store and
social JSONL, CRM events as Parquet — what `cxkeeper import` reads in the demo and the tests."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cxkeeper.sample.feedback import APP, CRM, DEFAULT_END, NPS, SOCIAL, SURVEY, TICKETS, _pick, generate_feedback

FILE_NAMES = {
    SURVEY: "post_interaction_survey.csv",
    NPS: "relationship_nps_survey.csv",
    TICKETS: "zendesk_tickets.csv",
    APP: "app_store_reviews.jsonl",
    CRM: "crm_events.parquet",
    SOCIAL: "social_mentions.jsonl",
}
SURVEY_COLUMNS = ("response_id", "recorded_at", "channel", "customer_id", "segment", "csat", "csat_max", "ces",
                  "nps", "comment")
NPS_COLUMNS = ("response_id", "recorded_at", "channel", "customer_id", "segment", "nps", "comment")
ZENDESK_COLUMNS = ("Id", "Created at", "Subject", "Description", "Via", "Requester email", "Satisfaction Score",
                   "Tags")
CRM_COLUMNS = ("event_id", "occurred_at", "customer_id", "segment", "channel", "event_type", "note")
_VIA = {"email": "Email", "web": "Web form", "chat": "Chat"}
_BATCH = 5000


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _blank(value: Any) -> Any:
    return "" if value is None else value


class _CrmWriter:
    """Parquet through PyArrow in batches; CSV when PyArrow is missing."""

    def __init__(self, path: Path) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - pyarrow is installed in the project
            self.path = path.with_suffix(".csv")
            self.handle = self.path.open("w", newline="", encoding="utf-8")
            self.csv = csv.writer(self.handle)
            self.csv.writerow(CRM_COLUMNS)
            self.pa = None
            return
        self.pa, self.path = pa, path
        self.schema = pa.schema([
            ("event_id", pa.string()), ("occurred_at", pa.timestamp("s", tz="UTC")), ("customer_id", pa.string()),
            ("segment", pa.string()), ("channel", pa.string()), ("event_type", pa.string()), ("note", pa.string()),
        ])
        self.writer = pq.ParquetWriter(str(path), self.schema)
        self.buffer: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        record = {"event_id": row["external_id"], "occurred_at": row["received_at"],
                  "customer_id": row["customer_id"], "segment": row["segment"], "channel": row["channel"],
                  "event_type": row["event_type"], "note": row["text"] or None}
        if self.pa is None:
            self.csv.writerow([_iso(record["occurred_at"]) if c == "occurred_at" else _blank(record[c])
                               for c in CRM_COLUMNS])
            return
        self.buffer.append(record)
        if len(self.buffer) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pa is not None and self.buffer:
            self.writer.write_table(self.pa.Table.from_pylist(self.buffer, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        if self.pa is None:
            self.handle.close()
            return
        self.flush()
        self.writer.close()


def write_feedback_files(
    folder: str | Path, n_rows: int = 120_000, seed: int = 7, *, end: date = DEFAULT_END, days: int = 365
) -> dict[str, Path]:
    """Write the generated feedback as one export file per source; returns {source: path}.

    Formats: the two surveys as CSV (ISO-8601 UTC times); helpdesk tickets as a Zendesk-style
    CSV (``Id, Created at, Subject, Description, Via, Requester email, Satisfaction Score,
    Tags`` with good/bad/offered/unoffered — the canonical ``text`` is subject, blank line,
    description; tags carry the customer id and segment); app reviews and social mentions as
    JSONL; CRM events as Parquet (CSV without PyArrow). ``true_step`` is not exported.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {source: folder / name for source, name in FILE_NAMES.items()}
    handles = {source: paths[source].open("w", newline="", encoding="utf-8")
               for source in (SURVEY, NPS, TICKETS, APP, SOCIAL)}
    crm = _CrmWriter(paths[CRM])
    paths[CRM] = crm.path
    try:
        survey = csv.writer(handles[SURVEY])
        survey.writerow(SURVEY_COLUMNS)
        nps = csv.writer(handles[NPS])
        nps.writerow(NPS_COLUMNS)
        tickets = csv.writer(handles[TICKETS])
        tickets.writerow(ZENDESK_COLUMNS)
        rnd = random.Random(seed + 1)
        for row in generate_feedback(n_rows, seed=seed, end=end, days=days):
            source = row["source"]
            if source == SURVEY:
                survey.writerow([row["external_id"], _iso(row["received_at"]), row["channel"], row["customer_id"],
                                 row["segment"], _blank(row["csat"]), _blank(row["csat_max"]), _blank(row["ces"]),
                                 _blank(row["nps"]), row["text"]])
            elif source == NPS:
                nps.writerow([row["external_id"], _iso(row["received_at"]), row["channel"], row["customer_id"],
                              row["segment"], _blank(row["nps"]), row["text"]])
            elif source == TICKETS:
                subject, _, description = row["text"].partition("\n\n")
                csat = row["csat"]
                score = "good" if csat == 5 else "bad" if csat == 1 else _pick(("offered", "unoffered"), rnd)
                number = int(row["external_id"].split("-")[1])
                email = f"{row['customer_id'].lower()}@customers.example.com"
                tags = " ".join((f"customer_{row['customer_id'].lower()}",
                                 row["segment"].lower().replace(" ", "_"),
                                 "complaint" if row["event_type"] == "complaint" else "general"))
                tickets.writerow([number, row["received_at"].strftime("%Y-%m-%d %H:%M:%S +0000"), subject,
                                  description, _VIA[row["channel"]], email, score, tags])
            elif source == APP:
                handles[APP].write(json.dumps({
                    "reviewId": row["external_id"], "at": _iso(row["received_at"]),
                    "store": "App Store" if rnd.random() < 0.45 else "Google Play",
                    "customerId": row["customer_id"], "segment": row["segment"], "score": row["csat"],
                    "content": row["text"],
                }, ensure_ascii=False) + "\n")
            elif source == SOCIAL:
                handles[SOCIAL].write(json.dumps({
                    "id": row["external_id"], "created_at": _iso(row["received_at"]),
                    "platform": _pick(("X", "Facebook", "Instagram", "X", "Threads"), rnd),
                    "customer_id": row["customer_id"], "segment": row["segment"], "text": row["text"],
                }, ensure_ascii=False) + "\n")
            else:
                crm.write(row)
    finally:
        for handle in handles.values():
            handle.close()
        crm.close()
    return paths
