"""What a task raises to tell the queue how its run ended (no models here: imported at start-up)."""

from __future__ import annotations


class GiveUp(Exception):  # noqa: N818 - the name says what the task does
    """Raised by a task whose work cannot succeed by trying again (a file that cannot be read):
    the job fails at once with this message, without further attempts."""


class RunLater(Exception):  # noqa: N818
    """Raised by a task that cannot run yet (waiting for a quiet moment, another process busy):
    queued again in `seconds`, this run not counted as an attempt."""

    def __init__(self, seconds: float, why: str = ""):
        super().__init__(why or f"run again in {seconds:g} s")
        self.seconds = seconds
