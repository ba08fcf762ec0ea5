"""Errors that carry a reason a person can act on; pages and the API render them the same way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class Forbidden(PermissionDenied):
    """The acting user's role does not allow this; `reason` says why and who may."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Conflict(Exception):
    """Somebody saved the object after this edit started: the later save is refused.

    `current` is the object as it is now, so the page can show what changed and keep the
    user's input for them to merge by hand.
    """

    def __init__(self, obj, expected_version: int):
        self.current = obj
        self.expected_version = expected_version
        actual = getattr(obj, "version", "?")
        super().__init__(
            f"{obj._meta.verbose_name.capitalize()} “{obj}” was changed by someone else while you were "
            f"editing (your copy: version {expected_version}, now: version {actual}). "
            "Nothing was saved; review the current values and apply your change again."
        )


class InvalidInput(Exception):
    """Input that names what is wrong: a dict field → message(s)."""

    def __init__(self, errors: dict[str, list[str] | str]):
        self.errors = {k: ([v] if isinstance(v, str) else list(v)) for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))
