"""An import job's states move only through `insights.import_jobs`: the named moves, the moves
refused, one background thread per job, and no other module writing a job's state."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

import cxkeeper.insights as insights_package
from cxkeeper import jobs as queue
from cxkeeper.core.actors import SYSTEM
from cxkeeper.insights import heartbeats, import_jobs, jobs, pipeline
from cxkeeper.insights.actions import create_source
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.import_jobs import JobStateError
from cxkeeper.insights.models import ImportJob
from cxkeeper.jobs import queue as queue_internals
from cxkeeper.jobs.models import Job

CSV = "id,date,comment,nps,channel\n1,2026-05-01,fine,9,app\n2,2026-05-02,slow,x,app\n3,2026-05-03,ok,7,app\n"


@pytest.fixture
def queued(tmp_path, small_org):
    path = tmp_path / "s.csv"
    path.write_text(CSV, encoding="utf-8")
    source = create_source({"name": "Survey"}, acting_user=small_org.keeper)
    return pipeline.start_import(path, source=source, filename="May survey.csv", acting_user=small_org.keeper)


def test_a_job_runs_queued_running_done(queued):
    assert (queued.status, queued.filename, queued.started_at) == (JobStatus.QUEUED, "May survey.csv", None)
    seen = []
    job = pipeline.run_import(queued, chunk_rows=2, progress=lambda j: seen.append((j.status, j.rows_done)))
    assert seen == [(JobStatus.RUNNING, 3), (JobStatus.RUNNING, 4)]  # the watermark after each chunk
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.imported, job.rejected) == (JobStatus.DONE, 4, 2, 1)
    assert job.message == "2 imported, 0 duplicates skipped, 1 rejected." and job.started_at and job.finished_at


def test_done_is_final_and_failed_can_run_again(queued):
    import_jobs.mark_running(queued)
    import_jobs.fail(queued, "s.csv: the disk went away")
    assert ImportJob.objects.get(pk=queued.pk).status == JobStatus.FAILED
    import_jobs.mark_running(queued)  # a resume
    import_jobs.finish(queued)
    for move in (import_jobs.mark_running, import_jobs.finish, lambda j: import_jobs.fail(j, "late")):
        with pytest.raises(JobStateError):
            move(queued)
    assert ImportJob.objects.get(pk=queued.pk).status == JobStatus.DONE
    assert pipeline.resume_import(queued, acting_user=SYSTEM) is queued


def test_a_job_is_claimed_once(queued):
    assert import_jobs.claim(queued, resume=True) is False  # a queued job is started, not resumed
    assert import_jobs.claim(queued, resume=False) is True and queued.status == JobStatus.RUNNING
    assert import_jobs.claim(queued, resume=False) is False  # the second click


def _age_heartbeat(job, seconds):
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds))
    job.refresh_from_db()


def test_a_job_alive_in_another_process_is_neither_resumed_nor_run_there(queued):
    assert import_jobs.claim(queued, resume=False, runner="web host:1") is True
    assert (queued.runner, heartbeats.alive(queued.heartbeat_at)) == ("web host:1", True)
    assert not import_jobs.is_interrupted(queued)
    assert import_jobs.claim(queued, resume=True, runner="web host:2") is False  # it is alive: nobody takes it
    with pytest.raises(JobStateError, match="running in another process"):
        import_jobs.mark_running(queued, "cli host:3")  # `cxkeeper import feedback --resume` refuses too
    _age_heartbeat(queued, heartbeats.stale_after() + 1)  # its process went silent
    assert import_jobs.is_interrupted(queued) and jobs.interrupted(queued)
    assert import_jobs.claim(queued, resume=True, runner="web host:2") is True
    assert import_jobs.claim(queued, resume=True, runner="web host:3") is False  # one of two takers wins
    assert ImportJob.objects.get(pk=queued.pk).runner == "web host:2"


def test_a_chunk_of_a_job_taken_over_is_refused_whole(queued):
    import_jobs.mark_running(queued, "web host:1")
    stale_copy = ImportJob.objects.get(pk=queued.pk)
    _age_heartbeat(queued, heartbeats.stale_after() + 1)
    assert import_jobs.claim(queued, resume=True, runner="web host:2")  # another process took it over
    with pytest.raises(import_jobs.JobTakenOver):
        import_jobs.record_chunk(stale_copy, [], [], rows_done=3)
    assert ImportJob.objects.get(pk=queued.pk).rows_done == 0  # the old runner stored nothing


def test_a_web_import_whose_process_stopped_is_resumed_once_with_its_mapping(queued, small_org):
    mapping = {"external_id": "id", "received_at": "date", "text": "comment", "nps": "nps", "channel": "channel"}
    assert import_jobs.claim(queued, resume=False, runner="web elsewhere:1", mapping=mapping)
    import_jobs.mark_running(queued, "web elsewhere:1")
    _age_heartbeat(queued, heartbeats.stale_after() + 1)
    cli_job = pipeline.start_import(Path(queued.options["path"]), source=queued.source, acting_user=small_org.keeper)
    import_jobs.mark_running(cli_job, "cli elsewhere:2")  # a CLI import is left to the person who ran it
    _age_heartbeat(cli_job, heartbeats.stale_after() + 1)
    assert jobs.adopt_orphans() == [queued.pk]
    assert jobs.adopt_orphans() == []  # queued once: the job queue runs it
    assert not jobs.interrupted(queued) and jobs.queued_run(queued)
    queue.run_pending()
    queued.refresh_from_db()
    assert (queued.status, queued.imported, queued.rejected) == (JobStatus.DONE, 2, 1)
    assert queued.runner.startswith("worker ") and queued.options["mapping"] == mapping
    assert ImportJob.objects.get(pk=cli_job.pk).status == JobStatus.RUNNING


def test_a_started_import_waits_for_the_queue_and_is_run_by_it_once(queued, small_org):
    mapping = {"external_id": "id", "received_at": "date", "text": "comment", "nps": "nps", "channel": "channel"}
    assert jobs.start(queued, mapping, acting_user=small_org.keeper) is True
    assert jobs.start(queued, mapping, acting_user=small_org.keeper) is False  # the second click
    queued.refresh_from_db()
    assert (queued.status, queued.runner) == (JobStatus.RUNNING, import_jobs.QUEUE)
    assert not jobs.interrupted(queued)  # waiting for the worker is not an interruption
    _age_heartbeat(queued, heartbeats.stale_after() + 1)
    assert not jobs.interrupted(queued) and jobs.adopt_orphans() == []  # however long it waits
    assert queue.run_pending() >= 1
    queued.refresh_from_db()
    assert (queued.status, queued.imported) == (JobStatus.DONE, 2)
    run = Job.objects.get(dedupe_key=f"insights.import:{queued.pk}")
    assert (run.status, run.attempts, run.progress_done, run.stage) == ("done", 1, 4, "Done")


def test_an_import_whose_worker_was_killed_is_resumed_by_the_queue(queued, small_org):
    import socket
    import subprocess
    import sys

    assert jobs.start(queued, None, acting_user=small_org.keeper)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = f"worker {socket.gethostname()}:{gone.pid}"
    run = queue_internals.claim(dead)  # the worker that took it, then was killed (kill -9) mid-import
    assert import_jobs.take_over_from_queue(queued, dead)
    import_jobs.mark_running(queued, dead)
    Job.objects.filter(pk=run.pk).update(leased_until=timezone.now() - timedelta(seconds=1))  # its lease ran out
    assert queue.run_pending() >= 1
    queued.refresh_from_db()
    assert (queued.status, queued.imported, queued.runner != dead) == (JobStatus.DONE, 2, True)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2) and "stopped" in run.last_error


def test_starting_and_resuming_in_the_background_check_the_role(queued, small_org):
    from cxkeeper.core.errors import Forbidden

    with pytest.raises(Forbidden):
        jobs.start(queued, acting_user=small_org.viewer)
    with pytest.raises(TypeError):
        jobs.resume(queued, acting_user=None)
    assert ImportJob.objects.get(pk=queued.pk).status == JobStatus.QUEUED
    assert jobs.resume(queued, acting_user=small_org.keeper) is False  # nothing to resume yet


# Who may write a job's state (status, counters, watermark, times, message). `actions` stores a
# chunk's counters and watermark in the chunk's own transaction, called only by
# `import_jobs.record_chunk`.
WRITERS = {"import_jobs.py"}
JOB_FIELDS = {"status", "rows_done", "rows_total", "imported", "duplicates", "rejected", "redactions", "message",
              "started_at", "finished_at", "filename", "runner", "heartbeat_at"}


def _job_writes(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for item in ast.walk(target):
                    if isinstance(item, ast.Attribute) and item.attr in JOB_FIELDS and \
                            isinstance(item.value, ast.Name) and "job" in item.value.id.lower():
                        yield node.lineno, f"{item.value.id}.{item.attr} ="
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            if node.func.attr == "save" and "job" in owner.lower():
                yield node.lineno, f"{owner}.save()"
            if node.func.attr in ("create", "update", "bulk_update", "get_or_create", "update_or_create") and \
                    owner.startswith("ImportJob.objects"):
                yield node.lineno, f"{owner}.{node.func.attr}()"


def test_only_import_jobs_writes_a_jobs_state():
    root = Path(insights_package.__file__).parent
    found = [f"{path.relative_to(root)}:{line}: {what}" for path in sorted(root.rglob("*.py"))
             if path.name not in WRITERS and "migrations" not in path.parts for line, what in _job_writes(path)]
    assert not found, "ImportJob written outside import_jobs:\n" + "\n".join(found)
    planted = root / "import_jobs.py"
    assert any("job.save()" in what for _, what in _job_writes(planted))  # the check does see writes


def test_a_job_whose_process_on_this_machine_is_gone_can_be_resumed_at_once(queued):
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    import_jobs.mark_running(queued, f"cli {socket.gethostname()}:{gone.pid}")  # a fresh heartbeat, a dead process
    assert heartbeats.alive(queued.heartbeat_at) and import_jobs.is_interrupted(queued)
    import_jobs.mark_running(queued, "cli here:2")  # `--resume` right after the crash: no minute to wait
    assert ImportJob.objects.get(pk=queued.pk).runner == "cli here:2"
    assert not heartbeats.stopped_here(heartbeats.runner_id("web"))  # this process is alive
