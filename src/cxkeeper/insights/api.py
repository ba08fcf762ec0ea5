"""Feedback and metrics endpoints under /api/v1 (see docs/api.md)."""

from ninja import Router

feedback_router = Router(tags=["feedback"])
metrics_router = Router(tags=["metrics"])
