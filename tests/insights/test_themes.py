"""Themes: planted topics in unrouted feedback come back as themes with the right keywords and
counts, deterministically; themes become example phrases, step proposals and, when negative
and growing, friction signals naming the teams of the step they belong to."""

import datetime as dt
import random
import re

import pytest

from cxkeeper.insights import actions, routing
from cxkeeper.insights.friction import detect_friction
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.models import Feedback
from cxkeeper.insights.text.router import RouteResult
from cxkeeper.insights.themes import discover_themes, theme_as_phrases, theme_as_step_proposal

UTC = dt.UTC
AS_OF = dt.date(2026, 5, 28)

TOPICS = {
    "router": (40, ["my router lights are blinking red", "the router lights keep blinking red again",
                    "router lights blinking red since yesterday", "red blinking lights on the router, no internet",
                    "why is the router blinking red all the time", "the lights on my router blink red every evening"]),
    "parking": (30, ["parking at the store is impossible", "no parking at the store on saturdays",
                     "could not find parking near the store", "the store parking is always full",
                     "parking at your store costs too much", "gave up looking for parking at the store"]),
    "invoice": (20, ["my invoice is in the wrong currency", "invoice arrived in the wrong currency again",
                     "the invoice currency is wrong, should be pounds", "wrong currency on the invoice this month",
                     "invoice shows euros, wrong currency for me"]),
}
OPENERS = ["", "Hi, ", "Honestly ", "Again: ", "Please note ", "FYI "]
CLOSERS = ["", ".", " - please sort it", ", thanks", " today", "!"]


class NeverRoute:
    """A router that leaves every text unrouted, so the planted topics stay unrouted."""

    threshold = 0.5

    def route(self, texts):
        return [RouteResult(None, 0.1, []) for _ in texts]


def planted_rows(seed=1):
    rnd = random.Random(seed)
    rows, truth = [], {}
    i = 0
    for topic, (count, templates) in TOPICS.items():
        for _ in range(count):
            text = rnd.choice(OPENERS) + rnd.choice(templates) + rnd.choice(CLOSERS)
            rows.append(CanonicalRow(external_id=f"T{i}", received_at=dt.datetime(2026, 5, 1 + i % 27, 12, tzinfo=UTC),
                                     channel="web", row_number=i + 1, text=text))
            truth[f"T{i}"] = topic
            i += 1
    rnd.shuffle(rows)
    return rows, truth


@pytest.fixture
def source(small_org):
    return actions.create_source({"name": "Web form", "kind": "survey"}, acting_user=small_org.keeper)


def test_three_planted_topics_become_three_themes(source):
    rows, truth = planted_rows()
    actions.ingest_feedback_batch(source, rows, router=NeverRoute())
    assert Feedback.objects.filter(step__isnull=True).count() == 90

    themes = discover_themes(as_of=AS_OF, seed=0)
    assert len(themes) == 3
    by_topic = {}
    external = dict(Feedback.objects.values_list("pk", "external_id"))
    for theme in themes:
        topics = {truth[external[pk]] for pk in theme.feedback_ids}
        assert len(topics) == 1, theme.keywords  # a theme holds one planted topic only
        by_topic[topics.pop()] = theme
    assert {topic: t.count for topic, t in by_topic.items()} == {"router": 40, "parking": 30, "invoice": 20}
    assert [t.count for t in themes] == [40, 30, 20]  # largest first
    words = {topic: " ".join(t.keywords) for topic, t in by_topic.items()}
    assert {"router", "blinking", "red"} <= set(words["router"].split())
    assert {"parking", "store"} <= set(words["parking"].split())
    assert {"invoice", "currency", "wrong"} <= set(words["invoice"].split())
    for theme in themes:
        assert theme.share_unrouted == 1.0 and len(theme.examples) == 3
        assert theme.suggested_step is None and theme.suggested_confidence is None  # no router trained
        assert not theme.growing.testable  # the history starts inside the two 28-day periods

    # Deterministic with the seed: the same themes, in the same order, with the same members.
    again = discover_themes(as_of=AS_OF, seed=0)
    assert [(t.keywords, t.feedback_ids, t.examples) for t in again] == \
        [(t.keywords, t.feedback_ids, t.examples) for t in themes]
    # A fixed number of themes is honoured.
    assert len(discover_themes(as_of=AS_OF, n_themes=2)) == 2


def test_theme_as_phrases_returns_the_themes_own_texts(source):
    rows, _ = planted_rows()
    actions.ingest_feedback_batch(source, rows, router=NeverRoute())
    theme = next(t for t in discover_themes(as_of=AS_OF) if "parking" in t.keywords)
    texts = {f.text for f in Feedback.objects.filter(pk__in=theme.feedback_ids)}
    phrases = theme_as_phrases(theme, k=5)
    assert len(phrases) == 5 and len({p.casefold() for p in phrases}) == 5
    assert all(any(text.startswith(p) for text in texts) for p in phrases)
    assert phrases[0] == theme.examples[0]  # most central first
    proposal = theme_as_step_proposal(theme)
    assert "parking" in proposal["name"].casefold() and proposal["phrases"] == theme_as_phrases(theme)


def test_growing_negative_theme_becomes_a_friction_signal(source, small_org):
    # Old history, a quiet previous period, then a surge of one complaint at the login step.
    def login_row(i, day):
        return CanonicalRow(external_id=f"L{i}", received_at=dt.datetime.combine(day, dt.time(10), tzinfo=UTC),
                            channel="app", row_number=i + 1, step="Log in to the app",
                            text=["Terrible: the password reset e-mail never arrives",
                                  "Awful, the password reset e-mail never arrives at all",
                                  "the password reset e-mail never arrives, so frustrating"][i % 3])
    rows = [login_row(i, AS_OF - dt.timedelta(days=30 + i)) for i in range(5)]  # previous 28 days: 5
    rows += [login_row(100 + i, AS_OF - dt.timedelta(days=i % 27)) for i in range(30)]  # last 28 days: 30
    rows.append(CanonicalRow(external_id="old", received_at=dt.datetime(2026, 1, 5, tzinfo=UTC), channel="app",
                             row_number=999, text="", nps=9))  # feedback history starts in January
    actions.ingest_feedback_batch(source, rows)
    assert routing.current_router(train_if_missing=False) is not None

    themes = discover_themes(as_of=AS_OF)
    assert len(themes) == 1
    theme = themes[0]
    assert theme.count == 35 and theme.mostly_negative and theme.share_unrouted == 0
    assert (theme.growing.current, theme.growing.previous) == (30, 5) and theme.growing.testable
    assert theme.growing.p_value == pytest.approx(1.118e-5, rel=1e-3)  # P(X ≥ 30 | Bin(35, ½))
    assert theme.growing.ratio == pytest.approx(6.0)
    assert theme.suggested_step == small_org.login_step and theme.suggested_confidence >= 0.5
    assert "password" in theme.keywords and "reset" in " ".join(theme.keywords)

    signals = [s for s in detect_friction(small_org.journey, as_of=AS_OF) if s.kind == "negative_theme"]
    assert len(signals) == 1
    signal = signals[0]
    assert signal.step == small_org.login_step and signal.theme.key == theme.key
    assert signal.teams == ["IT", "Customer service"]
    assert signal.difference == pytest.approx(6.0) and signal.difference_low > 1.5
    assert signal.explanation.startswith(f"Negative theme “{theme.label}” is growing: 30 items in the last 28 days "
                                         "against 5 in the 28 before (6.0×")
    assert "The router would send it to “Log in to the app”" in signal.explanation
    # shares and the router's confidence as whole percents from the shared formatter, not "0.96"
    assert re.search(r"\(\d+% confident\)", signal.explanation), signal.explanation
    assert re.search(r", \d+% negative, \d+% unrouted; adjusted p", signal.explanation), signal.explanation
    assert signal.explanation.endswith("Owned by IT; Customer service contributes.")
    assert signal.examples == theme.examples
