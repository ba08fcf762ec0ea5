"""Tasks and schedules declared in this process (by `@task` and `schedule` at import)."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta

log = logging.getLogger(__name__)
TASKS: dict[str, Callable] = {}


@dataclass(frozen=True)
class Schedule:
    task_name: str
    every: timedelta          # e.g. timedelta(days=7)
    at: time | None = None    # local time of day it runs (None: `every` from the last run)
    weekday: int | None = None  # 0 = Monday, for weekly schedules


SCHEDULES: dict[str, Schedule] = {}
_loaded = False


def title_of(name: str) -> str:
    """What a person reads for the task `name`: its declared title, else its name in words."""
    fn = TASKS.get(name)
    title = getattr(fn, "title", "") if fn is not None else ""
    return title or name.rpartition(".")[2].replace("_", " ").replace("-", " ").capitalize()


def load_tasks() -> None:
    """Import every module that may declare tasks, once per process: each app's `tasks` and
    `jobs` modules, every module the URLs reach (views import the code they queue work for), and the
    modules named in CXKEEPER_JOBS_MODULES (comma-separated; plug-ins and tests)."""
    global _loaded
    if _loaded:
        return
    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks", "jobs")
    importlib.import_module(settings.ROOT_URLCONF)
    for name in filter(None, (part.strip() for part in os.environ.get("CXKEEPER_JOBS_MODULES", "").split(","))):
        importlib.import_module(name)
    _loaded = True
