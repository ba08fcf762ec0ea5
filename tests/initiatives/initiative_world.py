"""Initiatives on the small organization: one led by IT with Customer service contributing
and Sales consulted, at the login step, to move effort up and complaints down."""

from __future__ import annotations

from cxkeeper.initiatives import actions
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.testing.outcomes_builders import ensure_standard_metrics


def plan_login_fix(org, *, title: str = "Fix the app login", acting_user=None):
    ensure_standard_metrics()
    return actions.plan_initiative({
        "title": title, "description": "Password reset e-mails within a minute.",
        "teams": [(org.it, "lead"), (org.service, "contributes"), (org.sales, "consulted")],
        "steps": [org.login_step],
        "metrics": [(MetricDefinition.objects.get(key="ces"), "up"),
                    (MetricDefinition.objects.get(key="complaints"), "down")],
        "milestones": [{"title": "New mail provider", "due": "2026-05-01", "done": True},
                       {"title": "Release 4.2", "due": "2026-06-01"}],
    }, acting_user=acting_user or org.it_member)


def with_an_initiative(org):
    org.initiative = plan_login_fix(org)
    return org
