import os

import pytest
from django.test import override_settings

from cxkeeper.testing import url_coverage
from cxkeeper.testing.browser import browser, page  # noqa: F401 - the one Chromium, for every folder
from cxkeeper.testing.builders import PASSWORD, build_small_org

# The API client and its fixtures (`world`, `api_as`, `anonymous`) for every suite that calls the API.
pytest_plugins = ["cxkeeper.testing.api_matrix"]


def pytest_configure(config):
    url_coverage.start()


def pytest_sessionfinish(session, exitstatus):
    """Meta-test: a full run fails if some page or endpoint was never requested by any test."""
    config = session.config
    full_run = (not config.option.keyword and not config.option.markexpr
                and list(config.args) in ([], [str(config.rootpath / p) for p in config.getini("testpaths")],
                                          config.getini("testpaths")))
    if not full_run or exitstatus != 0:
        return
    missing = url_coverage.unreached()
    if missing:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"\nURLs never exercised by any test ({len(missing)}): {', '.join(missing)}", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Real hashing is deliberately slow; tests create many users. Production keeps PBKDF2.
    Session-wide, so data built once for many tests (testing/worlds.py) is built with it too."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def figures_are_not_changed_by_readers():
    """Every figure handed out again from a process's memo is checked against the figure as it
    was stored: a reader that changed a shared figure fails its test (core.figures)."""
    from cxkeeper.core import figures
    from cxkeeper.testing.figures import canonical

    figures.check_readers(canonical)
    yield
    figures.check_readers(None)


@pytest.fixture
def small_org(db):
    """The keeper, IT/Sales members, a viewer and an admin, and one journey (see builders.py)."""
    return build_small_org()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True, scope="session")
def expected_database(django_db_setup, django_db_blocker):
    """`make test-postgres` sets CXKEEPER_EXPECT_DB=postgresql: prove the suite really runs there."""
    expected = os.environ.get("CXKEEPER_EXPECT_DB")
    if expected:
        from django.db import connection

        assert connection.vendor == expected, f"tests run on {connection.vendor}, expected {expected}"
