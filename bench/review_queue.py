"""Benchmark: the review queue on a loaded workspace (the demo: 120,000 feedback items).

    CXKEEPER_DATA_DIR=/tmp/demo cxkeeper demo --no-serve      # once
    CXKEEPER_DATA_DIR=/tmp/demo python bench/review_queue.py [--relearn]

Prints how many stored items need a person, in how many clusters (spot checks included: one
entry each, CXKEEPER_REVIEW_SPOT_CHECK_SHARE), the largest clusters, the
time to build the queue with its clusters (cold: clustering; warm: cached), one page of 25
with the router's suggestions, one cluster with its sample, and with --relearn one background
learning run done in the foreground (retrain and re-route; it changes the data folder).
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relearn", action="store_true", help="also time one learning run (writes)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    import django

    django.setup()
    from django.core.cache import cache

    from cxkeeper.insights import queries, relearn
    from cxkeeper.insights.models import Feedback

    cache.clear()
    started = time.perf_counter()
    queue = queries.review_queue()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    queue = queries.review_queue()
    warm = time.perf_counter() - started
    sizes = sorted(queue.cluster_sizes.values(), reverse=True)
    print(f"stored {Feedback.objects.count():,}; need a person {queue.remaining:,} in {queue.clusters:,} clusters "
          f"({sum(s == 1 for s in sizes):,} alone); largest {sizes[:5]}; of them {queue.spot_checks:,} spot checks "
          f"(share {queries.spot_check_share():g})")
    print(f"queue with clusters: cold {cold:.1f} s, cached {warm:.2f} s")
    started = time.perf_counter()
    queries.queue_page(queue, queue.entries[:25])
    print(f"a page of 25 with suggestions: {time.perf_counter() - started:.2f} s")
    if queue.entries:
        started = time.perf_counter()
        cluster = queries.queue_cluster(queue.entries[0].cluster_id)
        print(f"the first cluster ({cluster.size} messages) with its sample: {time.perf_counter() - started:.2f} s")
    share = queries.routed_share()
    print(f"routed share {share.share:.1f}% of {share.total:,}")
    if args.relearn:
        started = time.perf_counter()
        run = relearn.run()
        print(f"learning run: {time.perf_counter() - started:.1f} s, {run.rerouted:,} items moved, routed share "
              f"{run.routed_share_before:.1f}% → {run.routed_share_after:.1f}%")


if __name__ == "__main__":
    main()
