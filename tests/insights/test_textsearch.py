"""Feedback text search answers from a trigram index (insights/textsearch.py) and finds the
same rows a plain substring match would, through inserts, text edits and deletes."""

import pytest
from django.db import connection

from cxkeeper.insights import queries
from cxkeeper.insights.models import Feedback

from .test_pages import load_feedback


def found(q: str) -> set[int]:
    return set(queries.feedback_list(q=q).values_list("pk", flat=True))


def scanned(q: str) -> set[int]:
    """The reference: every row whose text contains q, case-folded in Python."""
    return {pk for pk, text in Feedback.objects.values_list("pk", "text") if q.casefold() in text.casefold()}


@pytest.fixture
def org(small_org):
    return load_feedback(small_org)


def test_the_index_exists_and_answers_the_query(org):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'insights_feedback_text'")
            assert cursor.fetchone() is not None
            sql, params = queries.feedback_list(q="crash").query.sql_with_params()
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            assert "VIRTUAL TABLE" in " ".join(str(row) for row in cursor.fetchall())
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'insights_feedback_text_trgm'")
            assert "gin_trgm_ops" in cursor.fetchone()[0]


@pytest.mark.parametrize("q", ["crash", "CRASHED", "app", "log in", "<script>", "zz-no-such-words", "ap", "a%"])
def test_finds_the_rows_a_substring_match_finds(org, q):
    assert found(q) == scanned(q)
    if q in ("crash", "app"):
        assert found(q), "the fixture has matches for these"


def test_follows_inserts_edits_and_deletes(org):
    item = Feedback.objects.order_by("pk").first()
    assert item.pk not in found("quokka")
    Feedback.objects.filter(pk=item.pk).update(text="A quokka ate my Boarding Pass")
    assert found("quokka") == {item.pk} and found("boarding pass") == {item.pk}
    clone = Feedback.objects.get(pk=item.pk)
    clone.pk = None
    clone.external_id = "clone-of-quokka"
    clone.save()
    assert found("QUOKKA") == {item.pk, clone.pk}
    Feedback.objects.filter(pk=item.pk).delete()
    assert found("quokka") == {clone.pk}
