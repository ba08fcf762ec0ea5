"""The whole API against its own OpenAPI document (issue 10, "Keep it checked").

Schemathesis reads `/api/v1/openapi.json` as a client would and sends every operation
generated calls — valid ones, invalid ones and the boundary values of each parameter (huge
offsets, non-ASCII digits, empty and over-long strings) — to the real Django application in
this process, signed in with an API token, over the sample organization with outcomes and
1,000 feedback rows. Every answer must pass these checks:

- `not_a_server_error`: no 5xx, whatever the input;
- `status_code_conformance`: the status is one the document lists for that operation;
- `content_type_conformance`: the content type is the documented one;
- `response_schema_conformance`: the body matches the documented schema;
- `unsupported_method`: a method the path does not list is a 405 with `Allow`.

It runs as an admin over every operation (who may do everything, so writes really happen) and as
a viewer over the writes and the reads that refuse some roles (the 403s must be documented
too). Bounded for `make test`: a fixed number
of generated examples per operation and phase, a fixed seed and no example database, so a run
is the same run every time. Nothing is excluded: what the pass found was fixed in the schema
or in the code (docs/decisions/0022-the-api-checked-by-its-own-schema.md).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from cxkeeper.org import actions as org_actions
from cxkeeper.sample import outcomes as sample_outcomes
from cxkeeper.sample.load import load_sample_organization
from cxkeeper.sample.load_feedback import load_sample_feedback
from cxkeeper.testing.worlds import class_world

from . import conftest
from .test_openapi_and_coverage import api_routes

# Generated calls per operation in the fuzzing phase, besides the boundary values; a deeper pass:
# CXKEEPER_SCHEMATHESIS_EXAMPLES=200 pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("CXKEEPER_SCHEMATHESIS_EXAMPLES", "5"))
SEED = 20261204  # the same calls every run
FEEDBACK_ROWS = 1000
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          unsupported_method]  # and a method a path does not list is a 405 naming the ones it does (Allow)
CONFIG = {
    "seed": SEED,
    "cache": {"enabled": False},
    "generation": {
        "mode": "all",  # valid and invalid input
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "no-shrink": True,  # report the failing call as generated; shrinking costs minutes
        "with-security-parameters": False,  # the token is ours; random credentials only test 401
    },
    "phases": {"stateful": {"enabled": False}},
}


def sample_world():
    """The sample organization as `make demo` builds it, smaller: outcomes and 1,000 feedback rows."""
    load_sample_organization()
    load_sample_feedback(FEEDBACK_ROWS)
    sample_outcomes.load_sample_outcomes(today=dt.date(2026, 11, 22))
    return get_user_model().objects.get(username="alex"), get_user_model().objects.get(username="victor")


class InProcess(WSGIHandler):
    """Django's WSGI application, called in the test's own database transaction (see the
    `in_process` fixture)."""


@pytest.fixture
def in_process():
    """Like the test client, keep Django from closing the test's connection at the end of each
    request while the pass runs; afterwards, as it was."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield InProcess()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema_as(app, user, **config):
    """The document as this user's token reads it, with that token on every generated call."""
    _, secret = org_actions.create_api_token(user, "schemathesis", acting_user=user)
    headers = {"Authorization": f"Bearer {secret}"}
    config = schemathesis.Config.from_dict({**CONFIG, **config, "headers": headers})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config, headers=headers)
    conftest.EXERCISED.add(("GET", "/api/v1/openapi.json"))
    return schema


@pytest.fixture
def admin_schema(people, in_process):
    return _schema_as(in_process, people[0])


@pytest.fixture
def viewer_schema(people, in_process):
    """A viewer may read what an admin reads (the admin's pass covers it) and is refused every
    write: its pass runs the writes, and the reads that refuse some roles, with generated calls
    only — the refusal comes before anything a boundary value could reach."""
    schema = _schema_as(in_process, people[1], phases={"stateful": {"enabled": False}, "coverage": {"enabled": False}})
    return schema.include(lambda ctx: ctx.operation.method.upper() != "GET"
                          or 403 in _statuses(ctx.operation))


def _statuses(operation) -> set[int]:
    return {int(code) for code in operation.definition.raw.get("responses", {}) if str(code).isdigit()}


@pytest.mark.django_db
class TestTheApiKeepsItsDocument:
    people = class_world(sample_world, data_dir=True)

    def test_as_an_admin(self, admin_schema):
        everything = len(list(admin_schema.get_all_operations()))
        assert everything == len(api_routes())
        assert_every_answer_documented(admin_schema, everything)

    def test_as_a_viewer(self, viewer_schema):
        writes_and_refusing_reads = len(list(viewer_schema.get_all_operations()))
        assert writes_and_refusing_reads > 50
        assert_every_answer_documented(viewer_schema, writes_and_refusing_reads)


def assert_every_answer_documented(schema, expected_operations: int) -> None:
    """Run each operation's generated calls (schemathesis's own per-operation tests: explicit
    examples, boundary values, then `MAX_EXAMPLES` generated ones) and report every failure."""
    failures, operations = [], 0
    for result in get_all_tests(schema=schema, test_func=_call_and_check, settings=None, given_kwargs={}):
        operation, test = result.ok()
        operations += 1
        try:
            test()
        except (Exception, BaseExceptionGroup) as failure:  # every operation's failures are reported together
            failures.append(f"{operation.label}: {failure}")
    assert operations == expected_operations, "an operation was left out of the pass"
    assert not failures, "\n\n".join(failures)


def _call_and_check(case) -> None:
    response = case.call()
    conftest.EXERCISED.add((case.method.upper(), case.operation.full_path))
    case.validate_response(response, checks=CHECKS)

