"""The home page: an entry point above every app, because it gathers what several apps
show (the North Star from org, journeys and their review dates, recent changes), and no app
may import the ones above it to do that."""

from __future__ import annotations

from django.shortcuts import render

from cxkeeper.journeys import queries as journey_queries
from cxkeeper.journeys.permissions import require_structure
from cxkeeper.org.permissions import can


def home(request):
    return render(request, "home.html", {
        "overview": journey_queries.journeys_overview(),
        "overdue": journey_queries.overdue_journeys(),
        "activity": journey_queries.recent_activity(12),
        "can_structure": can(require_structure, request.user),
    })
