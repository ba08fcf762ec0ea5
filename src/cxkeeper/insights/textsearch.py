"""An index for "feedback containing these words" (the explorer, search, the API).

A substring search over every verbatim (`icontains`) reads all the text when nothing matches:
38 ms of CPU at 100k rows, seconds at millions. So the text is indexed by trigrams:

* on SQLite, an FTS5 table with the trigram tokenizer over `insights_feedback.text` (external
  content, kept in step by triggers on insert, delete and a change of the text), queried with
  `LIKE '%…%'`, which FTS5 answers from the index — case-insensitive, Unicode included;
* on PostgreSQL, a GIN trigram index (`pg_trgm`) on `UPPER(text)`, which is exactly what
  Django's `icontains` asks for, so the ordinary query uses it.

The index answers "which rows" by finding them all first, so a word in every twentieth message
(63,000 of 1M rows) took 160 ms to show the newest ten, where reading the newest rows until ten
match takes under a millisecond. On SQLite a search therefore asks the index first whether the
words are rare (at most `COMMON_MATCHES` rows, counted without reading further): rare words are
found through the index, common ones by reading the newest rows, which finds them at once.
PostgreSQL's planner makes that choice itself from its statistics.

Where the index cannot help — fewer than three characters, `%` or `_` in the words (LIKE's own
wildcards), or no index because the database user may not create the extension — the plain
substring match runs: the same rows, only slower.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

FTS_TABLE = "insights_feedback_text"
PG_INDEX = "insights_feedback_text_trgm"

# Written out in full (no string building): the statements are constants.
SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS insights_feedback_text USING fts5("
    "text, content='insights_feedback', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS insights_feedback_text_ai AFTER INSERT ON insights_feedback BEGIN "
    "INSERT INTO insights_feedback_text(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS insights_feedback_text_ad AFTER DELETE ON insights_feedback BEGIN "
    "INSERT INTO insights_feedback_text(insights_feedback_text, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS insights_feedback_text_au AFTER UPDATE OF text ON insights_feedback BEGIN "
    "INSERT INTO insights_feedback_text(insights_feedback_text, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO insights_feedback_text(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO insights_feedback_text(insights_feedback_text) VALUES ('rebuild')",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS insights_feedback_text_ai", "DROP TRIGGER IF EXISTS insights_feedback_text_ad",
               "DROP TRIGGER IF EXISTS insights_feedback_text_au", "DROP TABLE IF EXISTS insights_feedback_text"]
SQLITE_QUERY = "SELECT rowid FROM insights_feedback_text WHERE text LIKE %s"
SQLITE_COUNT_UP_TO = "SELECT count(*) FROM (SELECT rowid FROM insights_feedback_text WHERE text LIKE %s LIMIT %s)"
# Above this many matching rows a search reads the newest rows instead of the index (above).
COMMON_MATCHES = 1000
# Counting matches up to a cap, driven by the index (CROSS JOIN: SQLite keeps the index as the
# outer loop, so it stops at the cap instead of reading every row).
SQLITE_COUNT_ROWS_UP_TO = ("SELECT count(*) FROM (SELECT t.rowid FROM insights_feedback_text t CROSS JOIN "
                           "insights_feedback f ON f.id = t.rowid WHERE t.text LIKE %s LIMIT %s)")
PG_CREATE = ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
             f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON insights_feedback USING gin (UPPER(text) gin_trgm_ops)"]
PG_DROP = [f"DROP INDEX IF EXISTS {PG_INDEX}"]


def _sqlite_index_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
        return cursor.fetchone() is not None


def _sqlite_is_common(pattern: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_COUNT_UP_TO, [pattern, COMMON_MATCHES + 1])
        return cursor.fetchone()[0] > COMMON_MATCHES


def _usable(q: str) -> bool:
    return len(q) >= 3 and "%" not in q and "_" not in q and "\x00" not in q


def count_up_to(q: str, cap: int) -> int | None:
    """How many rows contain `q`, counting no further than `cap` (then `cap`), answered from
    the index; None where there is no index to answer from (the caller counts its query)."""
    if connection.vendor != "sqlite" or not _usable(q) or not _sqlite_index_exists():
        return None
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_COUNT_ROWS_UP_TO, [f"%{q}%", cap])
        return cursor.fetchone()[0]


def text_contains(q: str) -> Q:
    """The rows whose text contains `q`, case-insensitively, through the index when it can."""
    if connection.vendor == "sqlite" and _usable(q) and _sqlite_index_exists() and not _sqlite_is_common(f"%{q}%"):
        return Q(pk__in=RawSQL(SQLITE_QUERY, [f"%{q}%"]))  # noqa: S611 - a constant, q is a parameter
    return Q(text__icontains=q)
