"""Data built once and shared by many tests, each of which still starts from exactly that data.

Building a world through the real actions (the small organization, a year of feedback,
outcomes and KPIs) takes a second or two on PostgreSQL; a role matrix asks for it hundreds of
times. `built_once` builds it inside a transaction that stays open while the tests that share
it run. Each of those tests runs in pytest-django's `db` transaction, which is then a savepoint
inside the open one: whatever a test writes is rolled back to the world as built, so a test
that deletes or edits still leaves the next one the same world. At the end the open
transaction is rolled back too, and the database is empty again for the tests after.

Only tests that use `db` (a TestCase-style transaction) may share a world. Tests that need
commits (`transactional_db`, `live_server`, threads) flush the database and keep building
their own data.

Every test gets its own deep copy of the Python objects (as Django's `setUpTestData` does), so
a test that changes an object in memory cannot leak the change into the next test.

    @pytest.fixture(scope="class")
    def shared_org(django_db_setup, django_db_blocker):
        with built_once(django_db_blocker, build_small_org) as org:
            yield org
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")


@contextmanager
def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """Run `build` in a transaction that stays open until the block ends, then roll it back."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Like the transactions of Django's own TestCase: actions that open a durable atomic
        # block (one that must be outermost in production) may still run inside this one.
        outer._from_testcase = True
        outer.__enter__()
        try:
            world = build()
        except BaseException as error:
            transaction.set_rollback(True)
            outer.__exit__(type(error), error, error.__traceback__)
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def private_copy(world: T) -> T:
    """The test's own copy of the shared objects (model instances copy with their cached relations)."""
    return copy.deepcopy(world)
