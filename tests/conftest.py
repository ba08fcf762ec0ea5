import pytest

from cxkeeper.testing.builders import PASSWORD, build_small_org


@pytest.fixture
def small_org(db):
    """The keeper, IT/Sales members, a viewer and an admin, and one journey (see builders.py)."""
    return build_small_org()


@pytest.fixture
def password():
    return PASSWORD
