from pathlib import Path

import pytest

from cxkeeper.insights.text.router import StepRouter

FIXTURES = Path(__file__).parent / "fixtures"

# A small "get connected / get help / pay" journey of a broadband provider.
STEPS = [
    {
        "id": "order",
        "name": "Order broadband",
        "description": "Choosing a package and placing the order online",
        "phrases": [
            "I want to sign up for fibre",
            "how do I order broadband",
            "which package should I buy",
            "the checkout page would not accept my order",
        ],
    },
    {
        "id": "install",
        "name": "Engineer installation visit",
        "description": "An engineer visits to connect the line and install the router",
        "phrases": [
            "the engineer never turned up",
            "installation appointment was cancelled",
            "technician arrived late and left without connecting us",
            "book an engineer visit",
        ],
    },
    {
        "id": "fault",
        "name": "Report a fault",
        "description": "Internet is down, slow or dropping",
        "phrases": [
            "my internet keeps dropping",
            "wifi is very slow in the evenings",
            "no connection since monday",
            "the router light is flashing red",
        ],
    },
    {
        "id": "billing",
        "name": "Understand my bill",
        "description": "Questions about charges, invoices and prices",
        "phrases": [
            "why is my bill so high",
            "I was charged twice this month",
            "the invoice shows a fee I don't know",
            "price went up without warning",
        ],
    },
    {
        "id": "cancel",
        "name": "Leave or cancel",
        "description": "Ending the contract and returning equipment",
        "phrases": [
            "I want to cancel my contract",
            "how do I leave",
            "what are the early termination fees",
            "where do I return the router when I cancel",
        ],
    },
]


@pytest.fixture(scope="session")
def steps():
    return STEPS


@pytest.fixture(scope="session")
def step_router():
    return StepRouter.from_steps(STEPS)
