"""The job queue's own cost (cxkeeper/jobs): enqueue, then claim + run + finish of 500 jobs
whose task does nothing, in one process (`run_pending`), on the store CXKEEPER_DATA_DIR /
DATABASE_URL points at (it must be a scratch store: the jobs are deleted first).

    CXKEEPER_DATA_DIR=/tmp/scratch python bench/jobs_queue.py
"""

from __future__ import annotations

import time

from cxkeeper.core.cli import setup_django

N = 500


def main() -> None:
    setup_django(None)
    from cxkeeper import jobs
    from cxkeeper.jobs.models import Job

    @jobs.task("bench.noop")
    def noop(i):
        pass

    Job.objects.filter(task="bench.noop").delete()
    started = time.perf_counter()
    for i in range(N):
        jobs.enqueue("bench.noop", i=i)
    queued = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    ran = jobs.run_pending(limit=10 * N)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"enqueue: {N / queued:.0f} jobs/s; claim + run + finish: {ran} jobs, {ran / wall:.0f} jobs/s, "
          f"{1000 * cpu / max(ran, 1):.1f} ms CPU per job")


if __name__ == "__main__":
    main()
