"""The job queue's semantics (`cxkeeper.jobs`), in this process, on SQLite and PostgreSQL:
nothing runs at once, due jobs run once, failures are retried with a doubling pause up to the
task's attempts, a job whose worker stopped is queued again, schedules queue each run once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cxkeeper import jobs
from cxkeeper.jobs import queue
from cxkeeper.jobs.models import Job, ScheduleState
from cxkeeper.jobs.registry import Schedule

from . import tasks_for_tests as tasks


@pytest.fixture(autouse=True)
def fresh_runs():
    tasks.RAN.clear()
    yield
    tasks.RAN.clear()
    jobs.SCHEDULES.pop("tests.tick", None)


def _due_now(pk: int) -> None:
    Job.objects.filter(pk=pk).update(run_at=timezone.now())


def test_enqueue_only_queues_and_run_pending_runs_due_jobs_once(db):
    pk = jobs.enqueue("tests.record", value=7)
    job = Job.objects.get(pk=pk)
    assert (job.status, job.attempts, job.kwargs, tasks.RAN) == ("queued", 0, {"value": 7}, [])
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, tasks.RAN) == ("done", 1, [{"value": 7, "attempt": 1}])
    assert job.started_at and job.finished_at and job.leased_until is None
    assert jobs.run_pending() == 0 and len(tasks.RAN) == 1


def test_run_at_is_respected(db):
    later = jobs.enqueue("tests.record", run_at=timezone.now() + timedelta(hours=1), value="later")
    assert jobs.run_pending() == 0 and Job.objects.get(pk=later).status == "queued"
    _due_now(later)
    assert jobs.run_pending() == 1 and tasks.RAN[0]["value"] == "later"


def test_failures_are_retried_with_a_doubling_pause_then_failed_with_the_error(db, settings):
    settings.CXKEEPER_JOBS_BACKOFF_SECONDS = 10
    pk = jobs.enqueue("tests.fail")  # max_attempts=3
    pauses = []
    for attempt in (1, 2):
        before = timezone.now()
        assert jobs.run_pending() == 1
        job = Job.objects.get(pk=pk)
        assert (job.status, job.attempts) == ("queued", attempt)
        assert job.last_error == f"RuntimeError: boom on attempt {attempt} second line"  # one line
        pauses.append((job.run_at - before).total_seconds())
        assert jobs.run_pending() == 0  # not before the pause is over
        _due_now(pk)
    assert 9 <= pauses[0] <= 11 and 19 <= pauses[1] <= 21
    assert jobs.run_pending() == 1
    job = Job.objects.get(pk=pk)
    assert (job.status, job.attempts, job.last_error) == ("failed", 3, "RuntimeError: boom on attempt 3 second line")
    assert job.finished_at and jobs.run_pending() == 0 and tasks.RAN == []


def test_a_retry_that_succeeds_is_done_and_a_person_can_retry_a_failed_job(db, small_org):
    from cxkeeper.core.errors import Forbidden, InvalidInput
    from cxkeeper.jobs import actions

    pk = jobs.enqueue("tests.fail", until_attempt=1)
    jobs.run_pending()
    _due_now(pk)
    jobs.run_pending()
    assert Job.objects.get(pk=pk).status == "done" and tasks.RAN == [{"value": "recovered", "attempt": 2}]

    failed = Job.objects.get(pk=jobs.enqueue("tests.give_up"))
    assert jobs.run_pending() == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (
        "failed", 1, "The file cannot be read: it is not a spreadsheet.")  # no more attempts
    with pytest.raises(Forbidden):
        actions.retry(failed, acting_user=small_org.viewer)
    with pytest.raises(InvalidInput, match="Only a failed job"):
        actions.retry(Job.objects.get(pk=pk), acting_user=small_org.keeper)
    again = actions.retry(failed, acting_user=small_org.keeper)
    assert (again.status, again.attempts) == ("queued", 0)


def test_an_unknown_task_fails_at_once_with_a_clear_message(db):
    pk, _ = queue.add("no.such.task", {})
    jobs.run_pending()
    job = Job.objects.get(pk=pk)
    assert (job.status, job.last_error) == ("failed", "This version of cxkeeper has no task called “no.such.task”.")


def test_a_job_whose_worker_stopped_is_queued_again_and_failed_after_its_last_attempt(db):
    pk = jobs.enqueue("tests.record", value="again")
    run = queue.claim("worker gone:1")
    assert run.pk == pk and queue.claim("worker other:2") is None  # claimed once
    assert queue.requeue_expired() == 0  # its lease is fresh
    Job.objects.filter(pk=pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert queue.requeue_expired() == 1
    job = Job.objects.get(pk=pk)
    assert (job.status, job.attempts) == ("queued", 1) and "stopped" in job.last_error
    assert not queue.finish(run)  # the stopped run, had it gone on, writes nothing
    assert jobs.run_pending() == 1 and Job.objects.get(pk=pk).status == "done"
    assert tasks.RAN == [{"value": "again", "attempt": 2}]

    last = Job.objects.get(pk=jobs.enqueue("tests.fail"))
    for _ in range(3):
        queue.claim("worker gone:1")
        Job.objects.filter(pk=last.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
        queue.requeue_expired()
    last.refresh_from_db()
    assert (last.status, last.attempts) == ("failed", 3) and "stopped" in last.last_error


def test_a_renewed_lease_keeps_the_job_and_progress_is_written_on_the_row(db):
    pk = jobs.enqueue("tests.record")
    run = queue.claim("worker here:1")
    Job.objects.filter(pk=pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert queue.renew(run) and queue.requeue_expired() == 0
    queue.progress(run, done=3, total=10, stage="Reading   rows\n")
    job = Job.objects.get(pk=pk)
    assert (job.progress_done, job.progress_total, job.stage) == (3, 10, "Reading rows")


def test_a_dedupe_key_keeps_one_waiting_job(db):
    first, created = jobs.enqueue_once("import:1", "tests.record", value=1)
    again, created_again = jobs.enqueue_once("import:1", "tests.record", value=2)
    assert (created, created_again, again) == (True, False, first)
    jobs.run_pending()
    after, created_after = jobs.enqueue_once("import:1", "tests.record", value=3)  # the first one is done
    assert created_after and after != first


@pytest.mark.django_db(transaction=True)
def test_a_job_queued_in_a_transaction_exists_only_once_it_commits():
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("tests.record", value="rolled back")
        raise RuntimeError("the caller's work failed")
    assert not Job.objects.exists()
    if connection.vendor != "postgresql":
        return  # the SQLite test database is one shared-cache memory database read uncommitted
    seen = []

    def look():
        seen.append(Job.objects.count())
        connections.close_all()

    with transaction.atomic():
        jobs.enqueue("tests.record", value="committed")
        other = threading.Thread(target=look)
        other.start()
        other.join()
    look()
    assert seen == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_take_each_job_once():
    if connection.vendor != "postgresql":
        pytest.skip("threads on the SQLite test database cannot write at once; "
                    "tests/jobs/test_worker_process.py runs two real workers on a SQLite file")
    ids = {jobs.enqueue("tests.record", value=i) for i in range(60)}
    taken: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def work(name):
        start.wait()
        try:
            while (job := queue.claim(f"worker {name}:1")) is not None:
                taken[name].append(job.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = taken["a"] + taken["b"]
    assert sorted(both) == sorted(ids) and len(set(both)) == len(both)


@pytest.fixture
def only_tick(monkeypatch):
    """Only the test's schedule (the apps declare their own, e.g. `insights.recover`)."""
    monkeypatch.setattr(queue, "SCHEDULES", {})
    monkeypatch.setattr(jobs, "SCHEDULES", queue.SCHEDULES)
    return jobs.schedule("tests.tick", every=timedelta(hours=1))


def test_a_schedule_queues_each_run_once(db, only_tick):
    seen = timezone.now()
    assert queue.materialise_schedules(now=seen) == []  # first seen: due an hour later
    now = seen + timedelta(hours=1)
    first = queue.materialise_schedules(now=now)
    assert len(first) == 1 and queue.materialise_schedules(now=now) == []  # a second worker, same moment
    state = ScheduleState.objects.get(name="tests.tick")
    assert state.next_run_at == now + timedelta(hours=1) and state.last_job_id == first[0]
    assert queue.materialise_schedules(now=now + timedelta(minutes=59)) == []
    _due_now(first[0])  # the clock of this test is an hour ahead of the database's
    assert jobs.run_pending() == 1 and tasks.RAN == [{"value": "tick", "attempt": 1}]
    # A worker that was down for a day queues one run, not 24.
    assert len(queue.materialise_schedules(now=now + timedelta(days=1))) == 1
    assert queue.materialise_schedules(now=now + timedelta(days=1)) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_materialising_at_the_same_moment_queue_one_run(only_tick):
    if connection.vendor != "postgresql":
        pytest.skip("threads on the SQLite test database cannot write at once")
    now = timezone.now()
    queue.materialise_schedules(now=now)  # first seen: due an hour later
    later = now + timedelta(hours=2)
    found, start = [], threading.Barrier(2)

    def work():
        start.wait()
        try:
            found.extend(queue.materialise_schedules(now=later))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 1 and Job.objects.count() == 1


def test_weekly_and_daily_slots_in_local_time(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    weekly = Schedule("digest", every=timedelta(days=7), at=time(8, 0), weekday=0)
    wednesday = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    slot = queue.next_slot(weekly, wednesday)
    assert timezone.localtime(slot).strftime("%a %H:%M %d") == "Mon 08:00 07"
    assert queue.next_slot(weekly, slot) == slot + timedelta(days=7)
    daily = Schedule("daily", every=timedelta(days=1), at=time(6, 30))
    early = timezone.make_aware(datetime(2026, 12, 2, 6, 0))
    assert timezone.localtime(queue.next_slot(daily, early)).strftime("%d %H:%M") == "02 06:30"
    assert timezone.localtime(queue.first_slot(daily, early)).strftime("%d %H:%M") == "02 06:30"
    assert queue.first_slot(Schedule("often", every=timedelta(minutes=5)), early) == early + timedelta(minutes=5)


def test_old_finished_jobs_are_forgotten(db, settings):
    settings.CXKEEPER_JOBS_KEEP_DAYS = 30
    done, failed, waiting = (jobs.enqueue("tests.record") for _ in range(3))
    Job.objects.filter(pk=done).update(status="done", finished_at=timezone.now() - timedelta(days=31))
    Job.objects.filter(pk=failed).update(status="failed", finished_at=timezone.now() - timedelta(days=31))
    assert queue.prune() == 1 and set(Job.objects.values_list("pk", flat=True)) == {failed, waiting}
    assert queue.prune(now=timezone.now() + timedelta(days=30)) == 1  # failed ones after twice as long
