"""cxkeeper: run customer experience as a team sport."""

__version__ = "0.1.0"
