"""The API suite's own hooks: the route-coverage check runs last. The client that records
every route it reaches, the `world`, `api_as` and `anonymous` fixtures and the endpoint role
matrix live in cxkeeper.testing.api_matrix (a plugin of tests/conftest.py); the names below
stay importable from here for the modules that read the routes reached."""

from cxkeeper.testing.api_matrix import EXERCISED, ApiClient, route_of

__all__ = ["EXERCISED", "ApiClient", "route_of"]


def pytest_configure(config):
    config.addinivalue_line("markers", "route_coverage: checks that every API route was reached; runs last")


def pytest_collection_modifyitems(config, items):
    """The route-coverage check must run after every other test."""
    last = [item for item in items if item.get_closest_marker("route_coverage")]
    items[:] = [item for item in items if item not in last] + last
