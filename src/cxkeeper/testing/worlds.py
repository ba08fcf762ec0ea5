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

    @pytest.mark.django_db
    class TestTheSample:
        loaded = class_world(load_sample_organization, data_dir=True)

        def test_...(self, loaded): ...
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TypeVar

import pytest
from django.db import transaction
from django.test import override_settings

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
    """The test's own copy of the shared objects (model instances copy with their cached relations).

    Copied attribute by attribute: worlds that pass unknown attributes on to another object
    (`__getattr__`) would otherwise be asked for their own attributes before they have any."""
    copied = object.__new__(type(world))
    copied.__dict__.update(copy.deepcopy(world.__dict__))
    return copied


def class_world(build: Callable[[], object], *, data_dir: bool = False):
    """A class-scoped fixture, bound in a test class, that builds once for the class's tests
    (`data_dir`: in a data folder of its own, kept while they run). The class's tests must use
    `db` (e.g. `@pytest.mark.django_db` on the class); being class-scoped, the fixture is set up
    before their own transactions open."""

    def world(cls, django_db_setup, django_db_blocker, tmp_path_factory):
        folder = override_settings(DATA_DIR=tmp_path_factory.mktemp("world")) if data_dir else nullcontext()
        with folder, built_once(django_db_blocker, build) as built:
            yield built

    return pytest.fixture(scope="class")(classmethod(world))


def shared_world(build) -> list[str]:
    """What a role matrix's class uses when it shares one world (`build` given): the class-scoped
    fixture, named up front so that it is set up before the test's own transaction opens (asked
    for only inside the test, it would be built inside that transaction and rolled back with it)."""
    return ["built_matrix_world"] if build is not None else []
