"""Benchmark: every page of the app, at 1M and at 10M feedback rows.

    python bench/pages.py                     # 1M imported rows, pages at 1M and 10M (~40 minutes)
    python bench/pages.py --quick             # 100,000 rows, pages at 100k and 1M, fewer repeats
    python bench/pages.py --data DIR          # reuse a data folder (e.g. `import_and_pages.py --keep`)

The list of pages comes from the URL conf: every route outside the admin and the API, its
arguments filled from the sample organization by the literal part of its route (`ARGUMENTS`).
A new page whose route this bench cannot fill is reported and fails the run, so it is not
forgotten. Each page is fetched through the Django test client (server time: the view, its
templates, the middleware; SQLite in-process) signed in as the keeper, or as the admin where
only the admin may look (routes that answer GET with 405 take POST only and are listed as
such). The CPU time of the process is printed beside the wall time: SQLite runs in-process, so
it is the server's work, and it stays honest when other work shares the cores. Per page and
size, beside baselines from the same run:

* **warm**: median of N after a warm-up — what a person sees once the page's figures are
  stored (`core.figures`: computed once per change of the data, shared by all processes);
* **first visit**: median of 3 with every stored figure dropped first — what the first person
  after an import or an edit waits (the page's uncached cost); a page whose first visit takes
  over a second is sampled once, and 3 times warm, to keep the run bounded;
* **floor**: the shared cost of a minimal signed-in page (the notifications page: session,
  sign-in, North Star, base template) measured the same way.

10M rows: like `import_and_pages.py`, the same rollup cells with every sum multiplied by 10 (a
page reads rollup cells, bounded by steps × days, never raw rows); pages that do read raw rows
(the feedback explorer, the review queue, themes) read the 1M rows that are really there.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from import_and_pages import cxkeeper, django_setup, scale_rollups, write_csv  # noqa: E402

TARGET_MS = 50.0
SLOW_MS, SLOW_REPEAT = 1000.0, 3  # a page whose first visit takes longer gets 1 first visit and 3 warm samples
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_PREFIXES = ("api/v1/",)
EXPORT_FORMAT = "md"  # exports are downloads; PDF/PNG rendering is measured by neither page nor target


class Sample:
    """The objects whose pages are fetched: the sample organization's, found by name."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from cxkeeper.governance.models import ActionItem, AgendaItem, Council, CouncilMember, Meeting
        from cxkeeper.governance.models import Decision as CouncilDecision
        from cxkeeper.initiatives.models import FrictionPoint, Initiative, PlannedChange
        from cxkeeper.insights import queries as insight_queries
        from cxkeeper.insights.models import Feedback, ImportJob
        from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Step
        from cxkeeper.org.models import ApiToken, GlossaryTerm, Person, Team
        from cxkeeper.outcomes.models import KpiLink, MetricDefinition, SharedOutcome, SuccessStatement, Target, TeamKpi
        from cxkeeper.wins.models import Measurement

        users = get_user_model().objects
        self.keeper, self.admin = users.get(username="kira"), users.get(username="alex")
        self.journey = Journey.objects.get(slug="get-help-fix-a-problem")
        self.step = Step.objects.get(name="Log in to the app")
        self.team = Team.objects.get(pk=self.step.responsibilities.filter(role="owns").values("team")[:1])
        first = {model: model.objects.order_by("pk").first() for model in (
            Persona, Responsibility, Handoff, GlossaryTerm, Person, FrictionPoint, ImportJob, Feedback,
            SharedOutcome, MetricDefinition, SuccessStatement, Target, TeamKpi, KpiLink, ApiToken, Initiative,
            PlannedChange, Measurement, CouncilMember, Meeting, AgendaItem, CouncilDecision, ActionItem)}
        council = Council.objects.order_by("pk").first()
        self.council_slug = council.slug if council else None
        self.first = first
        entries = insight_queries.review_queue().entries
        self.cluster_id = entries[0].cluster_id if entries else None
        self._add_missing()

    def _add_missing(self) -> None:
        """The objects the sample organization has none of until someone uses the feature (a share
        link, a suggestion, a webhook and one of its deliveries, a background job): made once, so
        their pages are measured too. A kept data folder reused by `--data` gets no second copy."""
        from cxkeeper import jobs
        from cxkeeper.channels import actions as channel_actions
        from cxkeeper.channels.models import Delivery, Webhook
        from cxkeeper.jobs.models import Job
        from cxkeeper.journeys import actions as journey_actions
        from cxkeeper.journeys.models import ShareLink, Suggestion
        from cxkeeper.notify import mail
        from cxkeeper.org import sso

        if not ShareLink.objects.exists():
            journey_actions.create_share_link(self.journey, acting_user=self.keeper)
        if not Suggestion.objects.exists():
            journey_actions.suggest_step_change(self.step, {"what": "Say which browsers are supported.",
                                                            "why": "Bench"}, acting_user=self.keeper)
        if not Webhook.objects.exists():
            channel_actions.create_webhook({"name": "Bench", "url": "https://hooks.example.org/cx",
                                            "event_kinds": []}, acting_user=self.admin)
        webhook = Webhook.objects.order_by("pk").first()
        if not Delivery.objects.exists():
            Delivery.objects.create(webhook=webhook, message_id="msg_bench", event_kind="step.suggestion",
                                    summary="Bench delivery", body="{}")
        if not Job.objects.exists():
            jobs.enqueue("figures.warm")
        self.share = ShareLink.objects.order_by("pk").first()
        self.suggestion = Suggestion.objects.order_by("pk").first()
        self.webhook, self.delivery = webhook, Delivery.objects.order_by("pk").first()
        self.job = Job.objects.order_by("pk").first()
        from cxkeeper.initiatives.models import Option

        self.option = Option.objects.order_by("pk").first()  # the co-creation sample's first option
        self.unsubscribe_token = mail.unsubscribe_token(self.keeper.pk)
        self.sign_in_token = sso.one_time_token(self.admin)

    def pk(self, model_name: str) -> int | None:
        for model, obj in self.first.items():
            if model.__name__ == model_name:
                return obj.pk if obj is not None else None
        raise KeyError(model_name)


# The literal start of a route → how to fill its arguments. Longest prefix wins.
ARGUMENTS = {
    "journeys/": lambda s: {"slug": s.journey.slug, "fmt": "svg"},  # the blueprint download: SVG, its cheapest
    "stages/": lambda s: {"pk": s.step.stage_id, "stage_pk": s.step.stage_id},
    "steps/": lambda s: {"pk": s.step.pk, "step_pk": s.step.pk},
    "responsibilities/": lambda s: {"pk": s.pk("Responsibility")},
    "handoffs/": lambda s: {"pk": s.pk("Handoff")},
    "personas/": lambda s: {"pk": s.pk("Persona")},
    "glossary/": lambda s: {"pk": s.pk("GlossaryTerm")},
    "teams/": lambda s: {"slug": s.team.slug},
    "people/": lambda s: {"pk": s.pk("Person")},
    "account/tokens/": lambda s: {"pk": s.pk("ApiToken")},
    "history/": lambda s: {"app_label": "journeys", "model": "step", "object_id": s.step.pk},
    "outcomes/": lambda s: {"pk": s.pk("SharedOutcome"), "outcome_pk": s.pk("SharedOutcome")},
    "statements/": lambda s: {"pk": s.pk("SuccessStatement")},
    "metrics/definitions/": lambda s: {"pk": s.pk("MetricDefinition")},
    "targets/": lambda s: {"pk": s.pk("Target")},
    "kpis/": lambda s: {"pk": s.pk("TeamKpi")},
    "kpi-links/": lambda s: {"pk": s.pk("KpiLink")},
    "scorecards/": lambda s: {"slug": s.team.slug, "fmt": EXPORT_FORMAT},
    "feedback/import/": lambda s: {"pk": s.pk("ImportJob")},
    "feedback/review/clusters/": lambda s: {"cluster_id": s.cluster_id},
    "feedback/": lambda s: {"pk": s.pk("Feedback")},
    "friction-points/": lambda s: ({"pk": s.option.friction_point_id, "option_pk": s.option.pk} if s.option
                                   else {"pk": s.pk("FrictionPoint")}),
    "initiatives/": lambda s: {"pk": s.pk("Initiative"), "fmt": "csv"},
    "planned-changes/": lambda s: {"pk": s.pk("PlannedChange")},
    "wins/": lambda s: {"pk": s.pk("Measurement")},
    "councils/": lambda s: {"slug": s.council_slug},
    "council/members/": lambda s: {"pk": s.pk("CouncilMember")},
    "council/meetings/": lambda s: {"pk": s.pk("Meeting"), "kind": "agenda", "fmt": EXPORT_FORMAT},
    "council/agenda-items/": lambda s: {"pk": s.pk("AgendaItem")},
    "council/decisions/": lambda s: {"pk": s.pk("Decision")},
    "council/action-items/": lambda s: {"pk": s.pk("ActionItem"), "fmt": "csv"},
    "accounts/login/once/": lambda s: {"token": s.sign_in_token},
    "share-links/": lambda s: {"pk": s.share.pk},
    "shared/": lambda s: {"token": s.share.token},
    "suggestions/": lambda s: {"pk": s.suggestion.pk},
    "integrations/webhooks/": lambda s: {"pk": s.webhook.pk},
    "integrations/deliveries/": lambda s: {"pk": s.delivery.pk},
    "background-work/": lambda s: {"pk": s.job.pk},
    "notifications/digests/": lambda s: {"slug": s.team.slug},
    "unsubscribe/": lambda s: {"token": s.unsubscribe_token},
}
# Query strings that make a page show what people open it for (the default period otherwise).
QUERIES = {
    "insights:heatmap": "?metric=nps&period=365",
    "insights:step": "?metric=ces&period=365",
    "search": "?q=bill",  # every kind, feedback text included (a substring match over the verbatims)
}


def routes() -> list[tuple[str, str]]:
    """(name, route) of every page in the URL conf outside the admin and the API."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(resolver, namespace: str, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or ""
                if ns in SKIPPED_NAMESPACES or str(entry.pattern).startswith(SKIPPED_PREFIXES):
                    continue
                walk(entry, f"{namespace}:{ns}" if namespace and ns else (ns or namespace), prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((f"{namespace}:{entry.name}" if namespace else entry.name, prefix + str(entry.pattern)))

    walk(get_resolver(), "", "")
    return found


def known(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in ARGUMENTS)


def fill(route: str, sample: Sample) -> str | None:
    """The route with its arguments filled, or None when this bench does not know them."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not names:
        return "/" + route
    prefixes = sorted((p for p in ARGUMENTS if route.startswith(p)), key=len, reverse=True)
    if not prefixes:
        return None
    values = ARGUMENTS[prefixes[0]](sample)
    if any(values.get(n) is None for n in names):
        return None
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def timed_get(client, url: str) -> tuple[int, float, float]:
    start, start_cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    return response.status_code, 1000 * (time.perf_counter() - start), 1000 * (time.process_time() - start_cpu)


def measure(client, url: str, repeat: int, cold_repeat: int) -> dict:
    from cxkeeper.core import figures

    cold = []
    for _ in range(cold_repeat):
        figures.forget_all()
        status, ms, _ = timed_get(client, url)
        cold.append(ms)
        if ms > SLOW_MS:  # seconds per request: fewer samples keep the run bounded
            repeat = min(repeat, SLOW_REPEAT)
            break
    timed_get(client, url)  # warm-up (the figures are stored now)
    warm, cpu = [], []
    for _ in range(repeat):
        status, ms, cpu_ms = timed_get(client, url)
        warm.append(ms)
        cpu.append(cpu_ms)
    return {"status": status, "warm": statistics.median(warm), "cpu": statistics.median(cpu),
            "cold": statistics.median(cold)}


def clients(sample: Sample):
    from django.test import Client

    keeper, admin = Client(), Client()
    keeper.force_login(sample.keeper)
    admin.force_login(sample.admin)
    return {"keeper": keeper, "admin": admin}


def measure_all(pages, sample: Sample, repeat: int, cold_repeat: int, label: str) -> dict:
    signed_in = clients(sample)
    floor = measure(signed_in["keeper"], "/notifications/", repeat, cold_repeat)
    print(f"\n{label}: floor (minimal signed-in page) warm {floor['warm']:.1f} ms, first {floor['cold']:.1f} ms",
          flush=True)
    results = {}
    for name, url in pages:
        role = "keeper"
        status, _, _ = timed_get(signed_in[role], url)
        if status == 403:
            role = "admin"
        result = measure(signed_in[role], url, repeat, cold_repeat)
        result["role"] = role
        results[name] = result
        print(f"  {name:40s} {url:55s} {result['status']} {role:6s} warm {result['warm']:7.1f} ms "
              f"(CPU {result['cpu']:6.1f})  first {result['cold']:8.1f} ms", flush=True)
    return {"floor": floor, "pages": results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page-rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=10, help="warm requests per page (median)")
    parser.add_argument("--cold-repeat", type=int, default=3, help="first visits per page (median)")
    parser.add_argument("--quick", action="store_true", help="100k rows, pages at 100k and 1M, 5 repeats")
    parser.add_argument("--data", type=Path, help="an existing data folder with the sample and its feedback")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    parser.add_argument("--only", help="measure only the pages whose URL name matches this regular expression")
    parser.add_argument("--judge", choices=("auto", "cpu", "warm"), default="auto",
                        help="what the 50 ms target is checked on: the warm CPU time, the warm wall time (warm), "
                             "or auto: CPU time when the load average before the run exceeds half the CPUs")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.page_rows, args.repeat, args.cold_repeat = 100_000, 1_000_000, 5, 1
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[0]
    folder = None
    if args.data:
        data = args.data
    else:
        folder = Path(tempfile.mkdtemp(prefix="cxk-pages-"))
        data = folder / "data"
        print(f"working in {folder}", file=sys.stderr)
        cxkeeper(data, "demo", "--no-serve", "--feedback-rows", "0")
        write_csv(folder / "feedback.csv", args.rows)
        cxkeeper(data, "import", "feedback", str(folder / "feedback.csv"), "--source", "Bench", "--json")
    django_setup(data)
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403/405 answers are expected
    from cxkeeper.core import figures
    from cxkeeper.insights.models import Feedback

    rows = Feedback.objects.count()
    sample = Sample()
    pages, unknown, absent = [], [], []
    for name, route in routes():
        if args.only and not re.search(args.only, name):
            continue
        url = fill(route, sample)
        if url is None:
            (absent if known(route) else unknown).append(f"{name} ({route})")
        else:
            pages.append((name, url + QUERIES.get(name, "")))
    sizes = [(f"{rows:,} rows", measure_all(pages, sample, args.repeat, args.cold_repeat, f"{rows:,} rows"))]
    factor = max(1, args.page_rows // max(rows, 1))
    if factor > 1:
        scale_rollups(factor)
        figures.data_changed(figures.FEEDBACK)  # the sums changed behind the rollup store's back
        label = f"{rows * factor:,} rows (sums ×{factor})"
        sizes.append((label, measure_all(pages, sample, args.repeat, args.cold_repeat, label)))
        scale_rollups(factor, undo=True)  # the folder holds `rows` rows again (it may be kept and reused)
        figures.data_changed(figures.FEEDBACK)
    print_table(sizes, started=started, load_before=load_before, args=args)
    if absent:
        print("\nnot measured, the sample data has no such object: " + ", ".join(absent))
    if unknown:
        print("\nNOT MEASURED (this bench cannot fill their arguments; add them to ARGUMENTS):\n  "
              + "\n  ".join(unknown))
    if folder is not None and not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 1 if unknown else 0


def print_table(sizes, *, started: str, load_before: float, args) -> None:
    labels = [label for label, _ in sizes]
    print(f"\nstarted {started}; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
          f"{os.cpu_count()} CPUs; warm = median of {args.repeat} after a warm-up, first visit = median of "
          f"{args.cold_repeat} with every stored figure dropped\n")
    # On a shared machine the wall clock measures the neighbours too; the CPU time of this
    # process (SQLite in-process: the server's whole work) is what the page costs. Judge on it
    # when the machine was busy, on the wall clock when it was quiet (or as asked).
    judge = args.judge if args.judge != "auto" else ("cpu" if load_before > (os.cpu_count() or 1) / 2 else "warm")
    print(f"✓/✗: the warm {'CPU time' if judge == 'cpu' else 'wall time'} against {TARGET_MS:.0f} ms\n")
    head = " | ".join(f"{label}: warm (CPU) | first visit" for label in labels)
    print(f"| page | role | {head} |")
    print("|---|---|" + "---:|---:|" * len(labels))
    floors = " | ".join(f"{r['floor']['warm']:.1f} ({r['floor']['cpu']:.1f}) | {r['floor']['cold']:.1f}"
                        for _, r in sizes)
    print(f"| *floor: minimal signed-in page* (`/notifications/`) | keeper | {floors} |")
    names = list(sizes[0][1]["pages"])
    for name in names:
        cells = []
        for _, result in sizes:
            r = result["pages"][name]
            mark = "" if r["status"] != 200 else (" ✓" if r[judge] <= TARGET_MS else " ✗")
            cells.append(f"{r['warm']:.1f} ({r['cpu']:.1f}){mark} | {r['cold']:.1f}")
        first = sizes[0][1]["pages"][name]
        status = "" if first["status"] == 200 else f" → {first['status']}"
        print(f"| {name}{status} | {first['role']} | {' | '.join(cells)} |")
    for label, result in sizes:
        measured = [r for r in result["pages"].values() if r["status"] == 200]
        missed = [n for n, r in result["pages"].items() if r["status"] == 200 and r[judge] > TARGET_MS]
        print(f"\n{label}: {len(measured)} pages answered 200; {len(measured) - len(missed)} at ≤ {TARGET_MS:.0f} ms "
              f"warm; missed: {', '.join(missed) or 'none'}")


if __name__ == "__main__":
    raise SystemExit(main())
