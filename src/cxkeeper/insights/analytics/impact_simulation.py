"""Simulated worlds that check the impact engine (:mod:`impact`): does it claim wins from
noise, and does it find a real effect?

A world is one changed step and ``comparison_steps`` steps it did not touch, each with its own
level, observed for ``periods_before`` periods before the change date and ``periods_after``
after it. Per period a step gets a Poisson number of answers (or items); its true value is its
level plus what the scenario adds — seasonality, AR(1) wobble, organization-wide drift, a
concurrent change at one comparison step, a real effect at the changed step — and the answers
are drawn around it. The engine sees only the rollup sums, as in production.

Scenarios (:data:`SCENARIOS`); each null one must give a win in at most 5 % of runs, each
power one must find its effect in at least 80 %:

=====================  =======================================================================
null                   nothing happens
seasonal               a yearly cycle (and a weekly one in daily volume) shared by every step
ar1                    each step and the organization wobble with AR(1) autocorrelation ρ = 0.5
ar1 strong             the same, ρ = 0.6 and a wobble three quarters of the minimum effect
drift                  the organization drifts (a trend) and jumps on the change date itself
concurrent             a comparison step gets worse by 2.5 × the minimum effect on the same date
effect                 the changed step improves by the stated size, in a world with seasonality,
                       AR(1) wobble and drift
nps null / nps effect  the same for NPS (150 answers a week), with no change or +20 points
volume …               daily feedback volume: cycles, wobble and drift; a comparison step whose
                       volume doubles; 30 % fewer items at the changed step
=====================  =======================================================================

``bench/impact_validity.py`` prints the table (docs/wins-measurement.md shows it);
``tests/insights/test_impact_validity.py`` runs a bounded number of the same runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .impact import IMPACT_METRICS, Assessment, assess_change

__all__ = ["SCENARIOS", "Scenario", "ScenarioResult", "run_scenario", "simulate_world"]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    metric: str = "ces"  # "ces" or "nps" (scores, weekly) or "volume" (a count, daily)
    grain_days: int = 7
    periods_before: int = 26
    periods_after: int = 12
    comparison_steps: int = 6
    answers: float = 60.0  # mean answers (or items) per step and period
    seasonal: float = 0.0  # amplitude of the yearly cycle (CES points; volume: relative)
    weekly: float = 0.0  # amplitude of the weekly cycle (daily volume: relative)
    ar_rho: float = 0.0
    ar_sd: float = 0.0  # stationary sd of each step's and the organization's AR(1) wobble
    drift: float = 0.0  # organization-wide trend per period
    org_jump: float = 0.0  # organization-wide jump on the change date
    concurrent: float = 0.0  # change at one comparison step on the change date
    effect: float = 0.0  # real change at the changed step (CES points; volume: relative, −0.3 = 30 % fewer)
    expect: str = "no_win"  # "no_win" (a null) or "win" (power)
    extra: dict = field(default_factory=dict)


CES_SD = 1.5  # spread of single effort answers on 1–7

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("null", "CES, nothing happens"),
    Scenario("seasonal", "CES, a yearly cycle of ±0.4 shared by every step", seasonal=0.4),
    Scenario("ar1", "CES, AR(1) wobble (ρ 0.5, sd 0.1) at every step and the organization",
             ar_rho=0.5, ar_sd=0.1),
    Scenario("ar1 strong", "CES, strong AR(1) wobble (ρ 0.6, sd 0.15 — three quarters of the minimum effect) "
             "at every step and the organization", ar_rho=0.6, ar_sd=0.15),
    Scenario("drift", "CES, the organization drifts −0.01 a week and drops 0.3 on the change date",
             drift=-0.01, org_jump=-0.3),
    Scenario("concurrent", "CES, a comparison step drops 0.5 on the change date", concurrent=-0.5),
    Scenario("effect", "CES +0.6 at the changed step (3 × the minimum effect), with the yearly cycle, "
             "AR(1) wobble and drift", seasonal=0.4, ar_rho=0.6, ar_sd=0.1, drift=-0.01, effect=0.6, expect="win"),
    Scenario("nps null", "NPS, a yearly cycle of ±5 points, AR(1) wobble (ρ 0.5, sd 2) and drift", metric="nps",
             answers=150.0, seasonal=5.0, ar_rho=0.5, ar_sd=2.0, drift=-0.1),
    Scenario("nps effect", "NPS +20 points at the changed step (4 × the minimum effect), with the cycle, wobble "
             "and drift", metric="nps", answers=150.0, seasonal=5.0, ar_rho=0.5, ar_sd=2.0, drift=-0.1, effect=20.0,
             expect="win"),
    Scenario("volume null", "daily volume, weekly and yearly cycles, AR(1) wobble, drift", metric="volume",
             grain_days=1, periods_before=182, periods_after=56, answers=25.0, seasonal=0.15, weekly=0.3,
             ar_rho=0.6, ar_sd=0.1, drift=0.001),
    Scenario("volume concurrent", "daily volume, a comparison step's volume doubles on the change date",
             metric="volume", grain_days=1, periods_before=182, periods_after=56, answers=25.0, weekly=0.3,
             concurrent=1.0),
    Scenario("volume effect", "daily volume 30 % lower at the changed step (2 × the minimum effect), "
             "with the cycles, wobble and drift", metric="volume", grain_days=1, periods_before=182,
             periods_after=56, answers=25.0, seasonal=0.15, weekly=0.3, ar_rho=0.6, ar_sd=0.1, drift=0.001,
             effect=-0.3, expect="win"),
)}


def _ar1(rng: np.random.Generator, length: int, rho: float, sd: float) -> np.ndarray:
    if sd <= 0:
        return np.zeros(length)
    out = np.empty(length)
    out[0] = rng.normal(0, sd)
    innovation = sd * math.sqrt(1 - rho * rho)
    for t in range(1, length):
        out[t] = rho * out[t - 1] + rng.normal(0, innovation)
    return out


def _ces_sums(rng: np.random.Generator, n: int, mean: float) -> dict:
    answers = np.clip(np.rint(rng.normal(mean, CES_SD, n)), 1, 7) if n else np.zeros(0)
    return {"n": n, "ces_n": n, "ces_sum": float(answers.sum()), "ces_sumsq": float((answers ** 2).sum())}


def _nps_sums(rng: np.random.Generator, n: int, nps: float) -> dict:
    """n answers whose expected NPS is `nps`: 25 % passives, the rest split to match."""
    promoter = min(0.75, max(0.0, (0.75 + nps / 100.0) / 2.0))
    counts = rng.multinomial(n, [promoter, 0.75 - promoter, 0.25])
    return {"n": n, "nps_n": n, "promoters": int(counts[0]), "detractors": int(counts[1])}


def simulate_world(scenario: Scenario, rng: np.random.Generator) -> tuple[list, dict, int]:
    """(changed step's sums per period, {comparison step: sums per period}, first period after)."""
    s = scenario
    length = s.periods_before + s.periods_after
    first_post = s.periods_before
    t = np.arange(length) - first_post
    day = t * s.grain_days + rng.integers(0, 365)  # the change falls anywhere in the year
    after = (t >= 0).astype(float)
    org = (s.seasonal * np.sin(2 * np.pi * day / 365.25) + s.drift * t + s.org_jump * after
           + _ar1(rng, length, s.ar_rho, s.ar_sd))
    weekly = s.weekly * np.sin(2 * np.pi * day / 7) if s.grain_days == 1 else np.zeros(length)
    steps = []
    for j in range(s.comparison_steps + 1):
        own = _ar1(rng, length, s.ar_rho, s.ar_sd)
        if s.metric == "volume":
            level = np.log(s.answers) + rng.normal(0, 0.3)
            log_rate = level + org + weekly + own
            if j == 0 and s.effect:
                log_rate = log_rate + math.log1p(s.effect) * after
            if j == 1 and s.concurrent:
                log_rate = log_rate + math.log1p(s.concurrent) * after
            counts = rng.poisson(np.exp(log_rate))
            steps.append([{"n": int(c)} for c in counts])
        elif s.metric == "nps":
            nps = 10.0 + rng.normal(0, 8) + org + own + (s.effect * after if j == 0 else 0.0)
            if j == 1 and s.concurrent:
                nps = nps + s.concurrent * after
            counts = rng.poisson(s.answers * rng.uniform(0.6, 1.6), length)
            steps.append([_nps_sums(rng, int(n), float(v)) for n, v in zip(counts, nps, strict=True)])
        else:
            mean = 4.5 + rng.normal(0, 0.3) + org + own
            if j == 0 and s.effect:
                mean = mean + s.effect * after
            if j == 1 and s.concurrent:
                mean = mean + s.concurrent * after
            counts = rng.poisson(s.answers * rng.uniform(0.6, 1.6), length)
            steps.append([_ces_sums(rng, int(n), float(m)) for n, m in zip(counts, mean, strict=True)])
    return steps[0], {f"step {j}": steps[j] for j in range(1, len(steps))}, first_post


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    runs: int
    wins: int
    worse: int
    too_early: int
    mean_effect: float
    min_effect: float

    @property
    def win_rate(self) -> float:
        return self.wins / self.runs if self.runs else 0.0

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Wilson interval of the win rate."""
        from .stats import wilson_interval

        return wilson_interval(self.wins, self.runs, confidence) if self.runs else (0.0, 1.0)

    @property
    def passed(self) -> bool:
        if self.scenario.expect == "win":
            return self.win_rate >= 0.8
        return self.win_rate <= 0.05


def run_scenario(scenario: Scenario | str, runs: int, *, seed: int = 0, **assess_options) -> ScenarioResult:
    """`runs` independent worlds of `scenario`, each judged by :func:`assess_change`."""
    s = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    wins = worse = early = 0
    effects = []
    for run in range(runs):
        rng = np.random.default_rng([seed, run, sum(map(ord, s.name))])
        treated, comparison, first_post = simulate_world(s, rng)
        result: Assessment = assess_change(s.metric, treated, comparison, first_post, grain_days=s.grain_days,
                                           **assess_options)
        wins += result.verdict == "win"
        worse += result.verdict == "worse"
        early += result.verdict == "too_early"
        if result.effect is not None:
            effects.append(result.effect.value)
    min_effect = assess_options.get("min_effect", IMPACT_METRICS[s.metric].min_effect)
    return ScenarioResult(s, runs, wins, worse, early, float(np.mean(effects)) if effects else math.nan, min_effect)




# ------------------------------------------------------------------ the organization level
#
# Worlds for :func:`impact_org.assess_organization`: one series, the whole organization's, with
# no comparison. Nulls: nothing; a yearly cycle (with a year of data before); AR(1) wobble;
# drift that is not a straight line (a trend that bends, and a slow wobble); a concurrent change
# at one part of the organization (a seventh of its answers) on the change date. Power: a real
# effect of a stated size in a world with the cycle, wobble and drift.


@dataclass(frozen=True)
class OrgScenario:
    name: str
    description: str
    metric: str = "ces"
    grain_days: int = 7
    periods_before: int = 53
    periods_after: int = 12
    parts: int = 7  # parts of the organization (steps), each with its own level and wobble
    answers: float = 60.0  # mean answers per part and period
    seasonal: float = 0.0
    weekly: float = 0.0
    ar_rho: float = 0.0
    ar_sd: float = 0.0
    drift: float = 0.0  # trend per period
    curve: float = 0.0  # the trend bends: + curve·(periods since the window's start / its length)²
    slow_sd: float = 0.0  # a slow wobble (AR(1), ρ 0.95) of the organization
    concurrent: float = 0.0  # change at one part on the change date
    effect: float = 0.0  # real change everywhere on the change date
    expect: str = "no_win"


ORG_SCENARIOS: dict[str, OrgScenario] = {s.name: s for s in (
    OrgScenario("org null", "CES, whole organization, nothing happens"),
    OrgScenario("org seasonal", "CES, a yearly cycle of ±0.4", seasonal=0.4),
    OrgScenario("org ar1", "CES, AR(1) wobble (ρ 0.6, sd 0.1) of the organization and each part",
                ar_rho=0.6, ar_sd=0.1),
    OrgScenario("org drift", "CES, an upward trend of +0.01 a week that bends (+0.3 over the window), a slow "
                "wobble (ρ 0.95, sd 0.1), the yearly cycle", drift=0.01, curve=0.3, slow_sd=0.1, seasonal=0.4),
    OrgScenario("org drift strong", "CES, the same with a trend that bends twice as much (+0.6) and a slow "
                "wobble of sd 0.2 (two thirds of the organization-level minimum)", drift=0.01, curve=0.6,
                slow_sd=0.2, seasonal=0.4),
    OrgScenario("org concurrent", "CES, one part of seven drops 0.5 on the change date", concurrent=-0.5),
    OrgScenario("org effect", "CES +0.6 everywhere (2 × the organization-level minimum of 0.3), with the yearly "
                "cycle, AR(1) wobble and drift", seasonal=0.4, ar_rho=0.6, ar_sd=0.1, drift=-0.01, effect=0.6,
                expect="win"),
    OrgScenario("org volume null", "daily volume, weekly and yearly cycles, AR(1) wobble, drift", metric="volume",
                grain_days=1, periods_before=371, periods_after=56, answers=25.0, seasonal=0.15, weekly=0.3,
                ar_rho=0.6, ar_sd=0.1, drift=0.0005, slow_sd=0.05),
    OrgScenario("org volume effect", "daily volume 30 % lower everywhere (1.3 × the organization-level minimum "
                "of 22.5 %), with the cycles, wobble and drift", metric="volume", grain_days=1,
                periods_before=371, periods_after=56, answers=25.0, seasonal=0.15, weekly=0.3, ar_rho=0.6,
                ar_sd=0.1, drift=0.0005, slow_sd=0.05, effect=-0.3, expect="win"),
)}


def simulate_org_world(scenario: OrgScenario, rng: np.random.Generator) -> tuple[list, np.ndarray, int]:
    """(the organization's sums per period, each period's first day, first period after)."""
    s = scenario
    length = s.periods_before + s.periods_after
    first_post = s.periods_before
    t = np.arange(length) - first_post
    day = t * s.grain_days + int(rng.integers(0, 365))
    after = (t >= 0).astype(float)
    org = (s.seasonal * np.sin(2 * np.pi * day / 365.25 + rng.uniform(0, 2 * np.pi)) + s.drift * t
           + s.curve * ((t + first_post) / length) ** 2 + _ar1(rng, length, s.ar_rho, s.ar_sd)
           + _ar1(rng, length, 0.95, s.slow_sd))
    weekly = s.weekly * np.sin(2 * np.pi * day / 7) if s.grain_days == 1 else np.zeros(length)
    total: list[dict] = [{} for _ in range(length)]
    for j in range(s.parts):
        own = _ar1(rng, length, s.ar_rho, s.ar_sd)
        if s.metric == "volume":
            log_rate = np.log(s.answers) + rng.normal(0, 0.3) + org + weekly + own + math.log1p(s.effect) * after
            if j == 1 and s.concurrent:
                log_rate = log_rate + math.log1p(s.concurrent) * after
            sums = [{"n": int(c)} for c in rng.poisson(np.exp(log_rate))]
        else:
            mean = 4.5 + rng.normal(0, 0.3) + org + own + s.effect * after
            if j == 1 and s.concurrent:
                mean = mean + s.concurrent * after
            counts = rng.poisson(s.answers * rng.uniform(0.6, 1.6), length)
            sums = [_ces_sums(rng, int(n), float(v)) for n, v in zip(counts, mean, strict=True)]
        for acc, part in zip(total, sums, strict=True):
            for column, value in part.items():
                acc[column] = acc.get(column, 0.0) + value
    return total, day.astype(float), first_post


def run_org_scenario(scenario: OrgScenario | str, runs: int, *, seed: int = 0, **assess_options) -> ScenarioResult:
    """`runs` independent worlds of `scenario`, each judged by :func:`impact_org.assess_organization`."""
    from .impact_org import ORG_MIN_EFFECT_FACTOR, assess_organization

    s = ORG_SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    wins = worse = early = 0
    effects = []
    for run in range(runs):
        rng = np.random.default_rng([seed, run, sum(map(ord, s.name))])
        series, days, first_post = simulate_org_world(s, rng)
        result = assess_organization(s.metric, series, first_post, grain_days=s.grain_days, period_days=days,
                                     **assess_options)
        wins += result.verdict == "win"
        worse += result.verdict == "worse"
        early += result.verdict == "too_early"
        if result.effect is not None:
            effects.append(result.effect.value)
    min_effect = ORG_MIN_EFFECT_FACTOR * assess_options.get("min_effect", IMPACT_METRICS[s.metric].min_effect)
    return ScenarioResult(s, runs, wins, worse, early, float(np.mean(effects)) if effects else math.nan, min_effect)
