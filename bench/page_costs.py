"""Where a signed-in page's time goes: the load mix of `bench/load.py`, one request at a time,
through the real WSGI handler (middleware, sessions, request signals, database connections as
the server has them), on a copy of a data folder with the demo.

    python bench/page_costs.py --data-dir DIR                    # CPU per page (min and median of 30)
    python bench/page_costs.py --data-dir DIR --profile OUT      # and a cProfile of each page in OUT/
    (cd OTHER_CHECKOUT && python /path/to/bench/page_costs.py --data-dir DIR)   # the code before

The CPU time is this process's (SQLite runs in it: queries included); with PostgreSQL
(`--database-url`) the database's own work is not counted. The minimum is the steadiest figure
on a shared machine; the median is printed beside it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="a data folder with the demo loaded (copied first)")
    parser.add_argument("--database-url", help="PostgreSQL holding the demo (not copied)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", type=Path, help="write a cProfile of 20 requests of each page here")
    parser.add_argument("--user", default="kira")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cxkeeper-costs-") as temp:
        data = Path(temp) / "data"
        data.mkdir()
        source = Path(args.data_dir)
        for name in ("secret_key", "demo-password.txt"):
            shutil.copy2(source / name, data / name)
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
            with sqlite3.connect(source / "cxkeeper.sqlite3") as original, \
                    sqlite3.connect(data / "cxkeeper.sqlite3") as copy:
                original.backup(copy)
        os.environ["CXKEEPER_DATA_DIR"] = str(data)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
        return measure(args)


def measure(args) -> int:
    from django.contrib.auth import get_user_model
    from django.test import Client

    import cxkeeper
    from cxkeeper.wsgi import application

    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())

    def get(path: str) -> tuple[str, bytes]:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "HTTP_COOKIE": cookie,
                   "HTTP_ACCEPT": "text/html", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": sys.stderr}
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = status

        body = b"".join(application(environ, start_response))
        return answer["status"], body

    def links(path: str, pattern: str) -> list[str]:
        return list(dict.fromkeys(re.findall(pattern, get(path)[1].decode())))

    journeys = [j for j in links("/journeys/", r'href="(/journeys/[a-z0-9-]+/)"') if not j.endswith("/new/")]
    step = links(journeys[0], r'href="/steps/(\d+)/"')[0]
    team = [t for t in links("/scorecards/", r'href="/scorecards/([a-z0-9-]+)/"') if t != "organization"][0]
    pages = {"home": "/", "journey map": journeys[0], "heatmap": f"{journeys[0]}heatmap/",
             "step insights": f"/steps/{step}/insights/", "team scorecard": f"/scorecards/{team}/",
             "organization view": "/scorecards/organization/", "floor (notifications)": "/notifications/"}
    print(f"# CPU per page, {cxkeeper.__file__.rsplit('/src/', 1)[0]}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f}\n")
    print("| page | status | KB | CPU min (ms) | CPU median (ms) |")
    print("|---|---|---:|---:|---:|")
    for path in pages.values():
        for _ in range(3):
            get(path)
    mix = []
    for name, path in pages.items():
        samples = []
        for _ in range(args.repeat):
            started = time.process_time()
            status, body = get(path)
            samples.append(1000 * (time.process_time() - started))
        if not name.startswith("floor"):
            mix.append(min(samples))
        print(f"| {name} (`{path}`) | {status.split()[0]} | {len(body) // 1024} | {min(samples):.1f} | "
              f"{statistics.median(samples):.1f} |", flush=True)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(20):
                get(path)
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(60)
            slug = re.sub(r"\W+", "-", name).strip("-")
            (args.profile / f"{slug}.txt").write_text(out.getvalue())
    print(f"\nmean of the six pages of the mix (min CPU): {statistics.mean(mix):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
