"""After a change of the data the worker recomputes the costly figures (workspace/jobs.py), so
the first person to open the organization view or a scorecard does not wait for them."""

import datetime as dt

import pytest
from django.utils import timezone

from cxkeeper.core import figures
from cxkeeper.core.models import StoredFigure
from cxkeeper.jobs import run_pending
from cxkeeper.jobs.models import Job
from cxkeeper.org.models import Team
from cxkeeper.workspace.jobs import TASK, queue_warm_up, warm_figures


@pytest.mark.django_db(transaction=True)
def test_a_change_queues_one_warm_up_a_little_later(small_org, settings):
    settings.CXKEEPER_WARM_DELAY_SECONDS = 30
    Job.objects.filter(task=TASK).delete()
    figures.data_changed(figures.FEEDBACK)  # outside a transaction: moves now, listeners hear it
    figures.data_changed(figures.FEEDBACK)  # a second change shares the waiting job
    waiting = Job.objects.filter(task=TASK)
    assert waiting.count() == 1
    assert waiting.get().run_at > timezone.now() + dt.timedelta(seconds=20)
    assert run_pending() == 0  # not due yet: a burst of changes is one recomputation, later


@pytest.mark.django_db(transaction=True)
def test_the_warm_up_stores_the_organization_view_and_every_scorecard(small_org, settings):
    settings.CXKEEPER_WARM_DELAY_SECONDS = 0
    StoredFigure.objects.all().delete()
    Job.objects.filter(task=TASK).delete()
    queue_warm_up(("feedback",))
    assert run_pending() >= 1
    keys = list(StoredFigure.objects.values_list("key", flat=True))
    assert any(k.startswith("outcomes.org_view(") for k in keys), keys
    assert sum(k.startswith("outcomes.scorecard(") for k in keys) == Team.objects.count()
    assert any(k.startswith("initiatives.priority_board(") for k in keys), keys
    job = Job.objects.filter(task=TASK).order_by("-pk").first()
    assert job.status == "done"


@pytest.mark.django_db(transaction=True)
def test_turned_off_nothing_is_queued(small_org, settings):
    settings.CXKEEPER_WARM_FIGURES = "off"
    Job.objects.filter(task=TASK).delete()
    figures.data_changed(figures.FEEDBACK)
    assert not Job.objects.filter(task=TASK).exists()


def test_the_task_is_the_function_the_worker_runs():
    assert warm_figures.task_name == TASK
