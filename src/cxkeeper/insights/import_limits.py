"""The import bounds in force: `settings.CXKEEPER_IMPORT_LIMITS` (built from the environment
by `ingest.limits.Limits.from_environ`), read at each use so a test or an operator's settings
override applies at once. Pipeline, pages, API and CLI all take their bounds from here."""

from __future__ import annotations

from django.conf import settings

from cxkeeper.insights.ingest.limits import Limits


def current() -> Limits:
    configured = getattr(settings, "CXKEEPER_IMPORT_LIMITS", None)
    if isinstance(configured, Limits):
        return configured
    if isinstance(configured, dict):
        return Limits(**configured)
    return Limits.from_environ()
