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


def test_common_words_are_read_from_the_newest_rows_and_rare_ones_from_the_index(org, monkeypatch):
    """A common word (more matches than textsearch.COMMON_MATCHES) is found by reading the
    newest rows, which stops at the first page; a rare one through the index. Same rows either way."""
    from cxkeeper.insights import textsearch

    rare = queries.feedback_list(q="crash")
    monkeypatch.setattr(textsearch, "COMMON_MATCHES", 1)  # every word of the fixture with 2+ matches is common
    common = queries.feedback_list(q="app")
    assert set(common.values_list("pk", flat=True)) == scanned("app") and len(scanned("app")) > 1
    if connection.vendor == "sqlite":
        assert "insights_feedback_text" not in str(common.query)
        monkeypatch.setattr(textsearch, "COMMON_MATCHES", 10_000)
        assert "insights_feedback_text" in str(queries.feedback_list(q="app").query)
    assert set(rare.values_list("pk", flat=True)) == scanned("crash")


def test_the_explorer_counts_a_search_up_to_a_cap(org, monkeypatch):
    from django.test import Client

    from cxkeeper.insights import views

    client = Client()
    client.force_login(org.viewer)
    matches = len(scanned("app"))
    page = client.get("/feedback/?q=app")
    assert page.context["page"].paginator.count == matches and not page.context["capped"]
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", matches - 1)
    page = client.get("/feedback/?q=app")
    assert page.context["capped"] and page.context["page"].paginator.count == matches - 1
    assert f"More than {matches - 1} items match these filters" in page.content.decode()
    unfiltered = client.get("/feedback/")  # without words the count is exact, whatever the cap
    assert unfiltered.context["page"].paginator.count == Feedback.objects.count()


@pytest.mark.parametrize("q", ["app", "crash", "zz-no-such-words", "ap"])
def test_a_capped_count_is_the_count_up_to_the_cap(org, q):
    rows = queries.feedback_list(q=q)
    matches = len(scanned(q))
    for cap in (1, 2, matches, matches + 5):
        assert queries.feedback_count_up_to(rows, cap, filters={"q": q}) == min(matches, cap)
        assert queries.feedback_count_up_to(rows, cap) == min(matches, cap)
