"""Logging filters."""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    """Drop the traceback from Django's "Forbidden (403)" request log records: the line says
    which path was refused; the stack of a PermissionDenied says nothing more."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
