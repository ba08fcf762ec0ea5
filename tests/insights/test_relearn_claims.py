"""Learning from corrections with several server processes: the waiting run in the database
is the request, one run at a time across processes, and a run whose process stopped is
failed and asked for again (`insights.relearn`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cxkeeper.insights import heartbeats, relearn
from cxkeeper.insights.choices import RelearnStatus
from cxkeeper.insights.models import RelearnRun


@pytest.fixture
def no_thread(monkeypatch, small_org):
    started = []
    monkeypatch.setattr(relearn, "_ensure_queued", lambda: started.append(True))
    return started


def test_answers_in_any_process_share_one_waiting_run(no_thread, settings):
    settings.CXKEEPER_RELEARN = "background"
    relearn.request()
    first = RelearnRun.objects.get()
    relearn.request()  # another answer (in any process): the same run, its quiet period restarted
    again = RelearnRun.objects.get()
    assert again.pk == first.pk and again.requested_at >= first.requested_at and again.status == RelearnStatus.WAITING
    assert len(no_thread) == 2


def test_one_run_at_a_time_across_processes(no_thread):
    now = timezone.now()
    other = RelearnRun.objects.create(requested_at=now, status=RelearnStatus.RUNNING, runner="web other:1",
                                      heartbeat_at=now, started_at=now)
    waiting = RelearnRun.objects.create(requested_at=now - timedelta(seconds=10))
    assert relearn._claim(waiting) is None  # the other process's run is alive
    RelearnRun.objects.filter(pk=other.pk).update(status=RelearnStatus.DONE)
    moved_on = RelearnRun.objects.get(pk=waiting.pk)
    RelearnRun.objects.filter(pk=waiting.pk).update(requested_at=timezone.now())  # a newer answer came in
    assert relearn._claim(moved_on) is None  # wait for the quiet period again
    claimed = relearn._claim(RelearnRun.objects.get(pk=waiting.pk))
    assert claimed.status == RelearnStatus.RUNNING and claimed.runner == heartbeats.runner_id("worker")
    assert relearn._claim(RelearnRun.objects.get(pk=waiting.pk)) is None  # claimed once


def test_a_run_whose_process_stopped_is_failed_and_asked_for_again(no_thread, settings):
    settings.CXKEEPER_RELEARN = "background"
    long_ago = timezone.now() - timedelta(seconds=heartbeats.stale_after() + 1)
    stopped = RelearnRun.objects.create(requested_at=long_ago, status=RelearnStatus.RUNNING, runner="web gone:1",
                                        heartbeat_at=long_ago, started_at=long_ago)
    assert relearn.recover() == 1
    stopped.refresh_from_db()
    assert stopped.status == RelearnStatus.FAILED and "stopped" in stopped.message
    assert RelearnRun.objects.filter(status=RelearnStatus.WAITING).count() == 1 and no_thread
    assert relearn.recover() == 0
