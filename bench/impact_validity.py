"""The impact engine's validity, simulated: false wins in null worlds, effects found in
worlds with a real change (docs/wins-measurement.md). Pure NumPy/SciPy, no database.

    python bench/impact_validity.py              # 1,000 runs per scenario (a few minutes)
    python bench/impact_validity.py --runs 200   # quicker
    python bench/impact_validity.py --scope organization   # only the whole-organization worlds
"""

from __future__ import annotations

import argparse
import sys
import time

from cxkeeper.insights.analytics.impact_simulation import ORG_SCENARIOS, SCENARIOS, run_org_scenario, run_scenario


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scope", choices=("all", "steps", "organization"), default="all",
                        help="the steps' worlds (against comparison steps), the whole organization's, or both")
    args = parser.parse_args()
    print(f"{args.runs} runs per scenario, seed {args.seed}; wins with 95% Wilson intervals\n")
    print("| scenario | what happens | wins | 95% interval | worse | mean effect | target | |")
    print("|---|---|---|---|---|---|---|---|")
    failed = 0
    started = time.perf_counter()
    # The steps (against comparison steps), then the whole organization (no comparison; "org …" rows)
    runs = [(s, run_scenario) for s in SCENARIOS.values() if args.scope != "organization"]
    runs += [(s, run_org_scenario) for s in ORG_SCENARIOS.values() if args.scope != "steps"]
    for scenario, run in runs:
        result = run(scenario, args.runs, seed=args.seed)
        low, high = result.interval()
        unit = "%" if scenario.metric == "volume" else ""
        effect = result.mean_effect * (100 if unit else 1)
        target = "≥ 80% found" if scenario.expect == "win" else "≤ 5% false wins"
        mark = "ok" if result.passed else "**over**"
        failed += not result.passed
        print(f"| {scenario.name} | {scenario.description} | {result.win_rate:.1%} | {low:.1%} to {high:.1%} | "
              f"{result.worse / result.runs:.1%} | {effect:+.2f}{unit} | {target} | {mark} |", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
