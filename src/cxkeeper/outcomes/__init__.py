"""Shared outcomes, metric definitions, targets, team KPIs, tensions and scorecards."""
