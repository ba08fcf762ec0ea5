"""The generated year of sample feedback: shape, determinism, realism and the three stories."""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, timedelta
from itertools import islice

import pytest

from cxkeeper.insights.text.redaction import luhn_is_valid
from cxkeeper.sample import feedback_text as T
from cxkeeper.sample.feedback import (
    CHANNELS,
    SEGMENTS,
    SOURCES,
    generate_feedback,
    stories,
)
from cxkeeper.sample.feedback_files import write_feedback_files
from cxkeeper.sample.organization import all_steps

N = 60_000
LOGIN_WORDS = re.compile(r"log ?in|sign in|signing in|password|locked out", re.IGNORECASE)


@pytest.fixture(scope="module")
def rows():
    return list(generate_feedback(N))


@pytest.fixture(scope="module")
def story():
    return stories()


def _mean(values):
    values = list(values)
    assert values, "no values"
    return statistics.mean(values)


def _weeks(first: date, last: date) -> float:
    return ((last - first).days + 1) / 7


def test_same_seed_same_rows_and_other_seed_differs():
    first = list(generate_feedback(3000, seed=3))
    assert first == list(generate_feedback(3000, seed=3))
    other = list(generate_feedback(3000, seed=4))
    assert [r["text"] for r in first] != [r["text"] for r in other]


def test_rows_have_the_canonical_fields_and_valid_values(rows, story):
    assert len(rows) == N
    keys = {"external_id", "received_at", "source", "channel", "customer_id", "segment", "text", "nps", "csat",
            "csat_max", "ces", "event_type", "true_step"}
    step_names = {step.name for _, _, step in all_steps()}
    for row in rows:
        assert set(row) == keys
        assert row["received_at"].tzinfo is UTC
        assert story.start <= row["received_at"].date() <= story.end
        assert re.fullmatch(r"[A-Z]{3}-\d{6}", row["external_id"])
        assert re.fullmatch(r"C\d{7}", row["customer_id"])
        assert row["nps"] is None or 0 <= row["nps"] <= 10
        assert row["csat"] is None or (1 <= row["csat"] <= 5 and row["csat_max"] == 5)
        assert row["ces"] is None or 1 <= row["ces"] <= 7
        assert row["event_type"] in (None, "churn", "renewal", "complaint")
        assert row["true_step"] is None or row["true_step"] in step_names
        assert isinstance(row["text"], str)
    assert len({r["external_id"] for r in rows}) == N
    times = [r["received_at"] for r in rows]
    assert times == sorted(times)


def test_every_source_channel_segment_and_step_is_present(rows):
    assert {r["source"] for r in rows} == set(SOURCES)
    assert {r["channel"] for r in rows} == set(CHANNELS)
    assert {r["segment"] for r in rows} == set(SEGMENTS)
    counts = Counter(r["true_step"] for r in rows)
    for _, _, step in all_steps():
        assert counts[step.name] >= 50, step.name
    assert 0.03 < counts[None] / N < 0.07  # off-topic noise


def test_channels_and_scores_are_consistent_with_the_source(rows):
    by_source = defaultdict(Counter)
    for row in rows:
        by_source[row["source"]][row["channel"]] += 1
    assert set(by_source["App store reviews"]) == {"app"}
    assert set(by_source["Social media"]) == {"social"}
    assert set(by_source["Relationship NPS survey"]) == {"survey"}
    assert set(by_source["Helpdesk tickets"]) <= {"email", "web", "chat"}
    assert "social" not in by_source["Post-interaction survey"]
    for row in rows:
        source = row["source"]
        if source == "Relationship NPS survey":
            assert row["nps"] is not None and row["csat"] is None
        elif source == "Post-interaction survey":
            assert row["csat"] is not None
        elif source in ("CRM events", "Social media"):
            assert row["nps"] is row["csat"] is row["ces"] is None
        if source == "CRM events":
            assert row["event_type"] is not None
        elif row["event_type"] is not None:
            assert row["event_type"] == "complaint"


def test_customers_recur_and_volume_has_weekly_and_seasonal_shape(rows):
    per_customer = Counter(r["customer_id"] for r in rows)
    assert sum(1 for n in per_customer.values() if n >= 3) > len(per_customer) / 3
    weekday = Counter(r["received_at"].weekday() for r in rows)
    assert min(weekday[d] for d in range(5)) > 1.2 * max(weekday[5], weekday[6])
    month = Counter(r["received_at"].month for r in rows)
    assert month[1] + month[12] > 1.1 * (month[6] + month[7])


def test_scores_follow_the_text_and_step_friction(rows):
    positive = re.compile(r"thank|brilliant|great|easy|quick|impressed|perfect", re.IGNORECASE)
    surveyed = [r for r in rows if r["source"] == "Post-interaction survey" and r["text"] and r["true_step"]]
    happy = [r["csat"] for r in surveyed if positive.search(r["text"]) and " but " not in r["text"]]
    assert _mean(happy) > _mean(r["csat"] for r in surveyed) + 0.5
    by_step = defaultdict(list)
    for row in surveyed:
        by_step[row["true_step"]].append(row["csat"])
    assert _mean(by_step["Phone menu and call routing"]) < _mean(by_step["Receive the welcome message"]) - 0.8


def test_texts_are_diverse_and_styled_by_source(rows):
    texts = [r["text"] for r in rows if r["text"]]
    assert len(texts) / N > 0.75
    assert len(set(texts)) / len(texts) > 0.70
    social = [r["text"] for r in rows if r["source"] == "Social media" and r["true_step"]]
    assert _mean("@Kestrel" in t for t in social) > 0.95
    assert _mean("#" in t for t in social) > 0.4
    tickets = [r["text"] for r in rows if r["source"] == "Helpdesk tickets" and r["true_step"]]
    assert all("\n\n" in t for t in tickets)
    app = [len(r["text"]) for r in rows if r["source"] == "App store reviews" and r["true_step"]]
    assert _mean(app) < _mean(len(t) for t in tickets) / 2
    empty = [r for r in rows if not r["text"]]
    assert {r["source"] for r in empty} <= {"Post-interaction survey", "Relationship NPS survey", "CRM events"}


def test_some_texts_carry_pii_for_the_redactor(rows):
    texts = [r["text"] for r in rows]
    emails = sum(1 for t in texts if re.search(r"[\w.]+@example\.(?:com|org|net)", t))
    phones = sum(1 for t in texts if re.search(r"07700 ?900 ?\d{3}|\+44 7700|0\d{2,3} \d{3,4} \d{4}", t))
    cards = [m.group(0) for t in texts for m in re.finditer(r"\d{4} \d{4} \d{4} \d{4}|\d{16}|\d{4} \d{6} \d{5}", t)]
    assert 0.005 < emails / N < 0.03
    assert 0.005 < phones / N < 0.03
    assert 0.001 < len(cards) / N < 0.006
    assert all(luhn_is_valid(card.replace(" ", "")) for card in cards)


# ---------------------------------------------------------------- story 1: the login fix


def test_login_complaints_and_effort_improve_after_the_fix(rows, story):
    fix = story.login_fix
    settled = fix + timedelta(days=14)
    before_weeks, after_weeks = _weeks(story.start, fix - timedelta(days=1)), _weeks(settled, story.end)
    login = [r for r in rows if r["true_step"] == T.LOGIN_STEP]
    before = [r for r in login if r["received_at"].date() < fix]
    after = [r for r in login if r["received_at"].date() >= settled]

    def complaint(row):
        return ((row["ces"] is not None and row["ces"] <= 3) or (row["csat"] is not None and row["csat"] <= 2)
                or (row["nps"] is not None and row["nps"] <= 6))

    assert len(after) / after_weeks < 0.5 * len(before) / before_weeks
    assert sum(map(complaint, after)) / after_weeks < 0.5 * sum(map(complaint, before)) / before_weeks
    ces_before = _mean(r["ces"] for r in before if r["ces"] is not None)
    ces_after = _mean(r["ces"] for r in after if r["ces"] is not None)
    assert ces_before < 3.8
    assert ces_after > 4.8

    calls = [r for r in rows if r["true_step"] in T.CALL_STEPS and LOGIN_WORDS.search(r["text"])]
    calls_before = sum(1 for r in calls if r["received_at"].date() < fix) / before_weeks
    calls_after = sum(1 for r in calls if r["received_at"].date() >= settled) / after_weeks
    assert calls_after < 0.5 * calls_before


# ---------------------------------------------------------------- story 2: promises at the first bill


def test_first_bill_reflects_what_sales_promised(rows, story):
    csat_all = _mean(r["csat"] for r in rows if r["csat"] is not None)
    first_bill = [r for r in rows if r["true_step"] == T.FIRST_BILL_STEP]
    assert _mean(r["csat"] for r in first_bill if r["csat"] is not None) < csat_all - 0.6
    query = [r for r in rows if r["true_step"] == T.QUERY_CHARGE_STEP]
    assert _mean(r["csat"] for r in query if r["csat"] is not None) < csat_all - 0.3

    promise = re.compile(r"promised|said|told|quoted|swore|assured|mentioned", re.IGNORECASE)
    with_text = [r for r in first_bill if r["text"]]
    assert _mean(bool(promise.search(r["text"])) for r in with_text) > 0.5
    assert _mean("shop" in r["text"] or "store" in r["text"] or "phone" in r["text"] for r in with_text) > 0.3

    # How each customer joined, as the data show it: the channel of their sales-step feedback.
    joined = {}
    for row in rows:
        if row["true_step"] in ("Talk to a sales advisor", "Place the order") and row["channel"] in (
                "store", "phone", "web", "app"):
            joined.setdefault(row["customer_id"], row["channel"])
    by_join = defaultdict(list)
    for row in first_bill:
        if row["csat"] is not None and row["customer_id"] in joined:
            by_join["sales" if joined[row["customer_id"]] in ("store", "phone") else "online"].append(row["csat"])
    assert len(by_join["sales"]) >= 30 and len(by_join["online"]) >= 15
    assert _mean(by_join["sales"]) < _mean(by_join["online"]) - 0.5

    # steady through the year: every quarter has first-bill promise complaints
    quarters = Counter((r["received_at"].date() - story.start).days // 92 for r in with_text
                       if promise.search(r["text"]))
    assert all(quarters[q] > 20 for q in range(4))


# ---------------------------------------------------------------- story 3: outage communication


def test_outage_weeks_spike_at_hear_about_an_outage(rows, story):
    def week(day):
        return (day - story.start).days // 7

    outage = [r for r in rows if r["true_step"] == T.OUTAGE_STEP]
    weekly = Counter(week(r["received_at"].date()) for r in outage)
    n_weeks = (story.end - story.start).days // 7
    median = statistics.median(weekly.get(w, 0) for w in range(n_weeks))
    assert 3 <= len(story.outage_weeks) <= 4
    for monday in story.outage_weeks:
        assert weekly[week(monday)] >= 3 * median, monday

    unclear = re.compile(r"no idea when|status page|no known issues|fix time|not from you|no update|"
                         r"estimated time|service is normal|we're aware|wasn't", re.IGNORECASE)
    in_weeks = [r for r in outage if story.in_outage_week(r["received_at"].date()) and r["text"]]
    assert _mean(bool(unclear.search(r["text"])) for r in in_weeks) > 0.6
    scored = [r["csat"] for r in outage if story.in_outage_week(r["received_at"].date()) and r["csat"]]
    assert _mean(scored) < 2.0
    total = Counter(week(r["received_at"].date()) for r in rows)
    assert all(total[week(m)] > statistics.median(total.values()) for m in story.outage_weeks)


# ---------------------------------------------------------------- export files


def test_write_feedback_files_round_trips_every_source(tmp_path):
    import pyarrow.parquet as pq

    n = 4000
    expected = Counter(r["source"] for r in generate_feedback(n, seed=5))
    paths = write_feedback_files(tmp_path, n, seed=5)
    assert set(paths) == set(SOURCES)

    with paths["Post-interaction survey"].open(newline="", encoding="utf-8") as handle:
        survey = list(csv.DictReader(handle))
    assert len(survey) == expected["Post-interaction survey"]
    assert survey[0]["response_id"].startswith("SRV-") and survey[0]["recorded_at"].endswith("Z")

    with paths["Relationship NPS survey"].open(newline="", encoding="utf-8") as handle:
        nps = list(csv.DictReader(handle))
    assert len(nps) == expected["Relationship NPS survey"] and all(row["nps"] != "" for row in nps)

    with paths["Helpdesk tickets"].open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        tickets = list(reader)
    assert reader.fieldnames == ["Id", "Created at", "Subject", "Description", "Via", "Requester email",
                                 "Satisfaction Score", "Tags"]
    assert len(tickets) == expected["Helpdesk tickets"]
    assert {t["Satisfaction Score"] for t in tickets} <= {"good", "bad", "offered", "unoffered"}
    assert {t["Via"] for t in tickets} <= {"Email", "Web form", "Chat"}
    assert all(t["Subject"] and t["Description"] for t in tickets)

    reviews = [json.loads(line) for line in paths["App store reviews"].read_text(encoding="utf-8").splitlines()]
    assert len(reviews) == expected["App store reviews"] and all(1 <= r["score"] <= 5 for r in reviews)
    social = [json.loads(line) for line in paths["Social media"].read_text(encoding="utf-8").splitlines()]
    assert len(social) == expected["Social media"]

    crm = pq.read_table(paths["CRM events"])
    assert paths["CRM events"].suffix == ".parquet"
    assert crm.num_rows == expected["CRM events"]
    assert set(crm.column("event_type").to_pylist()) <= {"churn", "renewal", "complaint"}


def test_the_generator_is_lazy():
    first = list(islice(generate_feedback(120_000), 10))
    assert len(first) == 10


# ---------------------------------------------------------------- handle time against effort (sample outcomes)


def test_effort_at_the_handle_time_steps_worsens_quarter_by_quarter_while_satisfaction_holds(rows, story):
    def quarter(row):
        return min(3, (row["received_at"].date() - story.start).days // 92)

    contact = [r for r in rows if r["true_step"] in T.AHT_STEPS]
    ces = [_mean(r["ces"] for r in contact if r["ces"] is not None and quarter(r) == q) for q in range(4)]
    assert all(later < earlier - 0.15 for earlier, later in zip(ces, ces[1:], strict=False)), ces
    assert ces[0] - ces[3] > 0.8
    csat = [_mean(r["csat"] for r in contact if r["csat"] is not None and quarter(r) == q) for q in range(4)]
    assert max(csat) - min(csat) < 0.3, csat  # only effort moves: no tension with satisfaction

    rushed = {phrase.split("{")[0][:30] for phrases in T.RUSHED.values() for phrase in phrases}
    said = [_mean(any(p in r["text"] for p in rushed) for r in contact if r["text"] and quarter(r) == q)
            for q in (0, 3)]
    assert said[1] > 3 * said[0] and said[1] > 0.08, said

    other = [r for r in rows if r["true_step"] and r["true_step"] not in T.AHT_STEPS and r["ces"] is not None]
    other_ces = [_mean(r["ces"] for r in other if quarter(r) == q) for q in (0, 3)]
    assert abs(other_ces[1] - other_ces[0]) < 0.3, other_ces  # elsewhere effort only moves with the login fix
