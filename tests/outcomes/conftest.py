import pytest

from cxkeeper.testing.outcomes_builders import build_outcomes


@pytest.fixture
def outcomes(small_org):
    """Two outcomes, targets, a success statement, two team KPIs and a year of feedback in which
    Customer service's handle time falls while effort at the helpline worsens (see the builder)."""
    return build_outcomes(small_org)
