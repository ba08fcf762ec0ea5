"""Signals that lead somewhere: no circular signal (a metric that defines the step), one card
per step with its signals, cards ranked by customers affected × severity, and "Raise as
friction point" on a signal carrying its evidence to the friction point."""

import datetime as dt
import html
import re

import pytest
from django.test import Client

from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.insights.friction import circular_metrics, run_friction, signal_cards
from cxkeeper.journeys.models import Step

from .test_friction import AS_OF, counts_cell, put, weeks


def complaints(n, k):
    """n feedback items of which k are complaints (and nothing else measured)."""
    return counts_cell(n=n, complaint_n=k)


def nps_cell(n, promoters, detractors, **more):
    return counts_cell(n=n, nps_n=n, promoters=promoters, detractors=detractors, **more)


@pytest.fixture
def complaint_step(small_org):
    return Step.objects.create(stage=small_org.stage, name="Make a complaint", position=5)


# ---------------------------------------------------------------- circular comparisons


def test_which_metrics_define_a_step(small_org):
    stage = small_org.stage
    by_name = Step.objects.create(stage=stage, name="Make a complaint", position=5)
    by_description = Step.objects.create(stage=stage, name="Talk to resolutions", position=6,
                                         description="Where customers escalate a complaint.")
    by_phrases = Step.objects.create(stage=stage, name="Write to us", position=7,
                                     phrases=["I want to complain", "this is a formal complaint", "post"])
    one_phrase = Step.objects.create(stage=stage, name="Call us", position=8,
                                     phrases=["I called to complain about my bill", "waited on hold", "hold music",
                                              "nobody answers"])
    cancel = Step.objects.create(stage=stage, name="Ask to cancel", position=9)
    for step in (by_name, by_description, by_phrases):
        circular = circular_metrics(step)
        assert set(circular) == {("worse_than_journey", "complaint_share"), ("worse_than_before", "complaint_share"),
                                 ("worse_than_journey", "negative_share"), ("worse_than_journey", "sentiment")}
    assert circular_metrics(one_phrase) == {} and circular_metrics(small_org.login_step) == {}
    assert set(circular_metrics(cancel)) == {("worse_than_journey", "churn_rate"), ("worse_than_before", "churn_rate")}


def test_complaint_share_at_a_complaint_step_is_not_a_signal(small_org, complaint_step):
    # Every item at "Make a complaint" is a complaint; 40 % at the login step; 5 % at the helpline.
    cells = {}
    for k in range(16):
        cells[(complaint_step.pk, weeks(k))] = complaints(60, 60)
        cells[(small_org.login_step.pk, weeks(k))] = complaints(60, 24 if k < 4 else 3)
        cells[(small_org.call_step.pk, weeks(k))] = complaints(60, 3)
    put(cells)
    run = run_friction(small_org.journey, as_of=AS_OF, themes=[])
    at_complaint = [s for s in run.signals if s.step == complaint_step]
    assert at_complaint == []
    assert not [t for t in run.tests if t.step_id == complaint_step.pk and t.metric == "complaint_share"]
    skipped = [(n.kind, n.metric) for n in run.not_tested if n.step == complaint_step]
    assert ("worse_than_journey", "complaint_share") in skipped
    reason = next(n.reason for n in run.not_tested if n.step == complaint_step and n.metric == "complaint_share")
    assert "complaining by definition" in reason
    # The same figure at a step that is not about complaints is a signal.
    login = {(s.kind, s.metric) for s in run.signals if s.step == small_org.login_step}
    assert ("worse_than_journey", "complaint_share") in login and ("worse_than_before", "complaint_share") in login

    client = Client()
    client.force_login(small_org.viewer)
    page = html.unescape(client.get(f"/feedback/friction/?journey={small_org.journey.slug}").content.decode())
    assert "not made because" in page and "Complaint share at “Make a complaint”" in page


# ---------------------------------------------------------------- one card per step, ranked


def test_one_card_per_step_ranked_by_customers_affected_times_severity(small_org):
    # Login: NPS and CSAT both worse than the rest of the journey, ~300 answers in the window.
    # Helpline: NPS worse by much more, but only ~80 answers.
    extra = Step.objects.create(stage=small_org.stage, name="Chat with us", position=6)
    cells = {}
    for k in range(4):
        cells[(small_org.login_step.pk, weeks(k))] = nps_cell(75, 15, 30, csat_n=75, csat_top=40)
        cells[(small_org.call_step.pk, weeks(k))] = nps_cell(20, 0, 16, csat_n=20, csat_top=15)
        cells[(extra.pk, weeks(k))] = nps_cell(300, 135, 45, csat_n=300, csat_top=240)
    put(cells)
    run = run_friction(small_org.journey, as_of=AS_OF, themes=[])
    cards = signal_cards(run.signals)
    assert [c.step for c in cards] == [s for s in (small_org.login_step, small_org.call_step)
                                      if any(x.step == s for x in run.signals)]
    assert len({c.step.pk for c in cards}) == len(cards)  # one card per step
    login = cards[0]
    assert login.step == small_org.login_step
    assert {s.metric for s in login.signals} >= {"nps", "csat"}  # grouped, not a row each
    for card in cards:
        for signal in card.signals:
            assert signal.customers_affected == signal.n_current
            expected = min(abs(signal.difference) / signal.min_effect, 10.0)
            assert signal.times_minimum == pytest.approx(expected)
            assert signal.impact == pytest.approx(signal.customers_affected * signal.times_minimum)
        assert card.impact == max(s.impact for s in card.signals)
        assert [s.impact for s in card.signals] == sorted((s.impact for s in card.signals), reverse=True)
    assert [c.impact for c in cards] == sorted((c.impact for c in cards), reverse=True)
    assert run.signals[0].impact == max(s.impact for s in run.signals)  # the list is ranked the same way

    client = Client()
    client.force_login(small_org.viewer)
    page = html.unescape(client.get(f"/feedback/friction/?journey={small_org.journey.slug}").content.decode())
    assert page.count('class="signal-card"') == len(cards)
    assert page.index("Log in to the app") < page.index("customers affected", page.index("Log in to the app"))


# ---------------------------------------------------------------- raise from a signal


def _signal_forms(page: str) -> list[dict]:
    forms = []
    for match in re.finditer(r'<form method="post" action="/friction-points/from-signal/"[^>]*>(.*?)</form>', page,
                             re.S):
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', match.group(1)))
        forms.append({k: html.unescape(v) for k, v in fields.items() if k != "csrfmiddlewaretoken"})
    return forms


@pytest.fixture
def login_drop(small_org):
    end = dt.date.today()
    cells = {}
    for k in range(16):
        day = end - dt.timedelta(days=7 * k)
        bad = k < 4
        cells[(small_org.login_step.pk, day)] = nps_cell(60, 6 if bad else 21, 36 if bad else 15)
        cells[(small_org.call_step.pk, day)] = nps_cell(60, 21, 15)
    put(cells)
    return small_org


def test_raise_from_a_signal_carries_its_evidence(login_drop):
    o = login_drop
    client = Client()
    client.force_login(o.sales_member)
    page = client.get(f"/feedback/friction/?journey={o.journey.slug}&window=28").content.decode()
    forms = _signal_forms(page)
    assert forms, page[-2000:]
    form = next(f for f in forms if f["step"] == str(o.login_step.pk) and f["metric"] == "nps"
                and f["kind"] == "worse_than_journey")
    assert form["journey"] == o.journey.slug and form["window"] == "28"
    response = client.post("/friction-points/from-signal/", form)
    assert response.status_code == 302
    fp = FrictionPoint.objects.get()
    assert response["Location"] == fp.get_absolute_url()
    assert fp.source == "signal" and fp.step == o.login_step and fp.journey == o.journey
    assert fp.raised_by == o.sales_member
    assert fp.title == "NPS at “Log in to the app” worse than the rest of the journey"
    e = fp.evidence
    assert e["signal_kind"] == "worse_than_journey" and e["metric"] == "nps" and e["step_name"] == "Log in to the app"
    assert e["current"]["n"] == 240 and e["reference"]["n"] == 240 and e["current"]["value"] == pytest.approx(-50)
    assert e["difference"] == pytest.approx(-60) and e["difference_low"] < -60 < e["difference_high"]
    assert e["p_adjusted"] < 0.001 and e["comparisons"] > 0 and e["window_days"] == 28
    assert e["customers_affected"] == 240 and e["times_minimum"] == pytest.approx(6.0)
    assert e["impact"] == pytest.approx(1440) and e["teams"] == ["IT", "Customer service"]
    assert e["explanation"] == fp.description and e["explanation"].startswith("NPS at “Log in to the app” is −50")
    assert e["period"][1] == dt.date.today().isoformat()
    detail = html.unescape(client.get(fp.get_absolute_url()).content.decode())
    assert "Evidence" in detail and "Customers affected" in detail and "240" in detail
    assert "Benjamini–Hochberg" in detail


def test_raise_from_a_signal_refuses_viewers_and_stale_signals(login_drop):
    o = login_drop
    post = {"journey": o.journey.slug, "window": "28", "step": o.login_step.pk, "kind": "worse_than_journey",
            "metric": "nps", "key": "", "next": ""}
    viewer = Client()
    viewer.force_login(o.viewer)
    assert viewer.post("/friction-points/from-signal/", post).status_code == 403
    member = Client()
    member.force_login(o.it_member)
    stale = member.post("/friction-points/from-signal/", {**post, "step": o.call_step.pk})  # no signal there
    assert stale.status_code == 302 and stale["Location"] == "/feedback/friction/"
    bad = member.post("/friction-points/from-signal/", {**post, "window": "3"})
    assert bad.status_code == 302 and bad["Location"] == "/feedback/friction/"
    assert FrictionPoint.objects.count() == 0
    assert Client().post("/friction-points/from-signal/", post).status_code == 302  # to sign in
    assert FrictionPoint.objects.count() == 0
