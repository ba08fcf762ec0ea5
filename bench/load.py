"""Many people at once: signed-in users over the main pages, against a real `cxkeeper serve`.

    python bench/load.py                        # SQLite, the demo in a temp data folder (loaded first: ~5 min)
    python bench/load.py --data-dir DIR         # a data folder with the demo already loaded (copied first)
    python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/bench --data-dir DIR
    python bench/load.py --quick                # 10 users, 15 s per phase, a small demo
    python bench/load.py --data-dir DIR --before ../main-checkout   # before/after a change, one run

For each server — the single-process baseline (`--workers 1`: waitress, 8 threads, what
`cxkeeper serve` was) and the multi-process server (`--workers` default) — it starts
`cxkeeper serve` on a free loopback port, signs `--users` people in through the real sign-in
form (CSRF token and cookies as a browser sends them), warms every page up, then runs two
phases: people reading with 1–3 s of think time between pages, and the same page mix without
think time (throughput). Pages, in equal shares: home, a journey map, a journey's heatmap,
a step's insights, a team scorecard, the organization view (journeys, steps and teams found
from the pages themselves, picked at random with a fixed seed).

Bounded: each phase stops after `--seconds` or `--max-requests`, whichever comes first; the
server is stopped at the end. Loopback only: a host that is not a loopback address is refused.
The load generator is threads with `http.client` (keep-alive, one connection per person); it
prints its own CPU share, since it shares the machine's cores with the server.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cxkeeper.server import default_workers
from cxkeeper.testing import processes
from cxkeeper.testing.loopback import Browser, cxkeeper_server, loopback_only

PAGES = ("home", "journey map", "heatmap", "step insights", "team scorecard", "organization view")
DEMO_USERS = ("kira", "ivan", "victor", "alex")
SEED = 20261204


def discover(browser: Browser, steps: int = 12, teams: int = 6) -> dict[str, list[str]]:
    """The pages' addresses, read from the pages (journeys from home, steps from the maps,
    teams from the scorecard index)."""
    def links(path: str, pattern: str) -> list[str]:
        status, html = browser.get(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return list(dict.fromkeys(re.findall(pattern, html.decode())))

    journeys = links("/journeys/", r'href="(/journeys/[a-z0-9-]+/)"')
    journeys = [j for j in journeys if not j.endswith("/new/")]
    step_ids = []
    for journey in journeys:
        step_ids += [s for s in links(journey, r'href="/steps/(\d+)/"') if s not in step_ids]
    team_slugs = [t for t in links("/scorecards/", r'href="/scorecards/([a-z0-9-]+)/"') if t != "organization"]
    rng = random.Random(SEED)
    picked_steps = rng.sample(step_ids, min(steps, len(step_ids)))
    picked_teams = rng.sample(team_slugs, min(teams, len(team_slugs)))
    if not journeys or not picked_steps or not picked_teams:
        raise RuntimeError("no journeys, steps or teams found: is the demo loaded?")
    return {
        "home": ["/"],
        "journey map": journeys,
        "heatmap": [f"{j}heatmap/" for j in journeys],
        "step insights": [f"/steps/{s}/insights/" for s in picked_steps],
        "team scorecard": [f"/scorecards/{t}/" for t in picked_teams],
        "organization view": ["/scorecards/organization/"],
    }


# ---------------------------------------------------------------- measuring


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    generator_cpu: float = 0.0
    server_cpu: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    memory: list[float] = field(default_factory=list)
    per_process: list[float] = field(default_factory=list)  # cores used by each server process

    @property
    def done(self) -> int:
        return sum(len(t) for t in self.times.values())

    @property
    def failed(self) -> int:
        return sum(len(e) for e in self.errors.values())

    def all_times(self) -> list[float]:
        return [t for times in self.times.values() for t in times]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def server_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of the server process and its live workers."""
    return processes.cpu_seconds(root)


def worker_cpu_seconds(root: int) -> dict[int, float]:
    """CPU seconds of each live worker of the server (the server process itself under its pid)."""
    return {p.pid: p.cpu_seconds for p in processes.tree(root)}


def server_memory_mb(root: int) -> list[float]:
    """Resident memory (MB) of the server process and each of its workers."""
    return [p.rss_bytes / (1 << 20) for p in processes.tree(root)]


def run_phase(name: str, browsers: list[Browser], pages: dict[str, list[str]], *, seconds: float,
              max_requests: int, think: tuple[float, float] | None, server_pid: int) -> Phase:
    """Every person reads pages until the time or the request budget is spent."""
    phase = Phase(name)
    lock = threading.Lock()
    budget = [max_requests]
    deadline = time.monotonic() + seconds
    stop = threading.Event()

    def person(index: int, browser: Browser) -> None:
        rng = random.Random(SEED + index)
        if think:  # people do not all arrive in the same second
            stop.wait(rng.uniform(0, think[1]))
        while not stop.is_set() and time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    stop.set()
                    break
                budget[0] -= 1
            page = rng.choice(PAGES)
            path = rng.choice(pages[page])
            started = time.perf_counter()
            try:
                status, body = browser.get(path)
                problem = None if status == 200 else f"{path}: {status}"
            except (OSError, http.client.HTTPException) as exc:
                browser.close()
                problem = f"{path}: {type(exc).__name__} {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                if problem:
                    phase.errors[page].append(problem)
                else:
                    phase.times[page].append(elapsed)
            if think:
                stop.wait(rng.uniform(*think))

    phase.load_before = os.getloadavg()[0]
    cpu_before, server_before = _own_cpu(), server_cpu_seconds(server_pid)
    workers_before = worker_cpu_seconds(server_pid)
    started = time.monotonic()
    threads = [threading.Thread(target=person, args=(i, b), daemon=True) for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    phase.seconds = time.monotonic() - started
    phase.generator_cpu = (_own_cpu() - cpu_before) / phase.seconds
    phase.server_cpu = (server_cpu_seconds(server_pid) - server_before) / phase.seconds
    phase.per_process = [(cpu - workers_before.get(pid, 0.0)) / phase.seconds
                         for pid, cpu in worker_cpu_seconds(server_pid).items()]
    phase.load_after = os.getloadavg()[0]
    phase.memory = server_memory_mb(server_pid)
    return phase


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- the server


def prepare_data(args, work: Path) -> Path:
    """A data folder holding the demo: a copy of `--data-dir` (SQLite: the database copied with
    SQLite's backup, so the original is left as it was), or a new one with the demo loaded."""
    target = work / "data"
    if args.data_dir:
        source = Path(args.data_dir)
        if not (source / "demo-password.txt").is_file():
            raise SystemExit(f"--data-dir {source}: no demo-password.txt; load the demo there first "
                             "(cxkeeper demo --no-serve --data-dir DIR).")
        target.mkdir()
        for name in ("secret_key", "demo-password.txt"):
            shutil.copy2(source / name, target / name)
        if not args.database_url:
            with sqlite3.connect(source / "cxkeeper.sqlite3") as original, \
                    sqlite3.connect(target / "cxkeeper.sqlite3") as copy:
                original.backup(copy)
        return target
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(target)}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    print(f"Loading the demo ({args.feedback_rows:,} feedback rows) into {target} …", flush=True)
    subprocess.run([sys.executable, "-m", "cxkeeper", "demo", "--no-serve", "--feedback-rows",
                    str(args.feedback_rows)], env=env, check=True, stdout=subprocess.DEVNULL)
    return target


def measure_server(label: str, data: Path, args, workers: int | None, log: Path,
                   code: Path | None = None) -> list[Phase]:
    password = (data / "demo-password.txt").read_text().strip()
    with cxkeeper_server(data, args.host, workers=workers, database_url=args.database_url, log=log,
                         code=code) as (port, pid):
        browsers = [Browser(args.host, port) for _ in range(args.users)]
        started = time.perf_counter()
        for index, browser in enumerate(browsers):  # one after the other: sign-in hashes a password
            browser.sign_in(DEMO_USERS[index % len(DEMO_USERS)], password)
        signed_in = time.perf_counter() - started
        pages = discover(browsers[0])
        # Warm every page in every worker: each process has its own caches, and a keep-alive
        # connection stays with one worker, so each warm-up request comes on a new connection.
        warmer = Browser(args.host, port)
        warmer.cookies = dict(browsers[0].cookies)
        for path in [p for paths in pages.values() for p in paths] * (3 * (workers or default_workers())):
            warmer.close()
            warmer.get(path)
        warmer.close()
        print(f"{label}: {args.users} people signed in through the form in {signed_in:.1f} s; "
              f"{sum(len(p) for p in pages.values())} pages warmed up", flush=True)
        phases = []
        if "think" in args.phases:
            phases.append(run_phase(f"{label}, {args.users} people, 1–3 s think time", browsers, pages,
                                    seconds=args.seconds, max_requests=args.max_requests, think=(1.0, 3.0),
                                    server_pid=pid))
            report(phases[-1])
        if "throughput" in args.phases:
            phases.append(run_phase(f"{label}, {args.users} people, no think time", browsers, pages,
                                    seconds=args.seconds, max_requests=args.max_requests, think=None,
                                    server_pid=pid))
            report(phases[-1])
        for browser in browsers:
            browser.close()
    return phases


# ---------------------------------------------------------------- the tables


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(phase: Phase) -> None:
    times = phase.all_times()
    print(f"\n### {phase.name}\n")
    print(f"{phase.done:,} pages in {phase.seconds:.1f} s: **{phase.done / phase.seconds:.1f} req/s**, "
          f"p50 {ms(percentile(times, 50))}, p95 {ms(percentile(times, 95))}, p99 {ms(percentile(times, 99))}, "
          f"{phase.failed} errors. CPU: server {phase.server_cpu:.2f} cores "
          f"({ms(phase.server_cpu * phase.seconds / max(1, phase.done))} per page), load generator "
          f"{phase.generator_cpu:.2f} cores; per server process {' + '.join(f'{c:.2f}' for c in phase.per_process)} "
          f"cores; load average {phase.load_before:.1f} → {phase.load_after:.1f}; "
          f"server memory {' + '.join(f'{m:.0f}' for m in phase.memory)} MB resident.\n")
    print("| page | requests | p50 | p95 | p99 | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for page in PAGES:
        found = phase.times.get(page, [])
        print(f"| {page} | {len(found):,} | {ms(percentile(found, 50))} | {ms(percentile(found, 95))} | "
              f"{ms(percentile(found, 99))} | {len(phase.errors.get(page, []))} |")
    for page, problems in phase.errors.items():
        for problem in sorted(set(problems))[:3]:
            print(f"  error ({page}): {problem}")
    sys.stdout.flush()


def summary(rows: list[tuple[str, Phase]]) -> None:
    print("\n## Summary\n")
    print("| server | phase | req/s | p50 | p95 | p99 | errors | server CPU (cores) | CPU per page | generator CPU |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for server, phase in rows:
        times = phase.all_times()
        kind = "think time" if "think time" in phase.name and "no think" not in phase.name else "no think time"
        print(f"| {server} | {kind} | {phase.done / phase.seconds:.1f} | {ms(percentile(times, 50))} | "
              f"{ms(percentile(times, 95))} | {ms(percentile(times, 99))} | {phase.failed} | "
              f"{phase.server_cpu:.2f} | {ms(phase.server_cpu * phase.seconds / max(1, phase.done))} | "
              f"{phase.generator_cpu:.2f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on (default 127.0.0.1)")
    parser.add_argument("--data-dir", help="a data folder with the demo loaded (copied; default: load one)")
    parser.add_argument("--database-url", help="PostgreSQL to serve from (with --data-dir: the demo is there)")
    parser.add_argument("--feedback-rows", type=int, default=120_000, help="demo feedback rows when loading one")
    parser.add_argument("--users", type=int, default=50, help="people signed in at once (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase (default 60)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="requests per phase at most")
    parser.add_argument("--workers", type=int, help="worker processes of the measured server (default: serve's)")
    parser.add_argument("--phases", default="think,throughput", help="think, throughput or both")
    parser.add_argument("--no-baseline", action="store_true", help="skip the single-process baseline")
    parser.add_argument("--before", help="another checkout of cxkeeper (e.g. `git worktree add … main`): its "
                                         "multi-process server measured in the same run, before this one")
    parser.add_argument("--before-label", help="what to call --before in the tables (default: its path)")
    parser.add_argument("--rounds", type=int, default=1, help="measure every server this many times, in turn")
    parser.add_argument("--quick", action="store_true", help="10 people, 15 s phases, a 20,000-row demo")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.seconds, args.feedback_rows = min(args.users, 10), min(args.seconds, 15), 20_000
    loopback_only(args.host)
    if args.database_url and not args.data_dir:
        print("Note: --database-url without --data-dir loads the demo into that database first.")
    print(f"# Many people at once — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores, {'PostgreSQL' if args.database_url else 'SQLite'}\n", flush=True)
    rows: list[tuple[str, Phase]] = []
    with tempfile.TemporaryDirectory(prefix="cxkeeper-load-") as temp:
        work = Path(temp)
        data = prepare_data(args, work)
        log = work / "server.log"
        multi = f"{args.workers or default_workers()} workers × 4 threads"
        servers = [] if args.no_baseline else [("baseline: one process (waitress, 8 threads)", 1, None)]
        if args.before:
            servers.append((f"before: {args.before_label or args.before}, {multi}", args.workers, Path(args.before)))
        servers.append((f"cxkeeper serve, {multi}", args.workers, None))
        try:
            for _ in range(args.rounds):
                for label, workers, code in servers:
                    rows += [(label, phase) for phase in measure_server(label, data, args, workers, log, code)]
        finally:
            if log.exists() and any(p.failed for _, p in rows):
                print("\nServer log (last lines):\n" + "\n".join(log.read_text().splitlines()[-20:]))
    summary(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
