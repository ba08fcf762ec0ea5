"""The look the reports share: colours, the vendored font, status marks."""

from __future__ import annotations

from cxkeeper.core.fonts import FONT_DIR, FONT_FAMILY  # noqa: F401 - the vendored font lives in core (shared)
from cxkeeper.outcomes.choices import Status

INK, MUTED, LINE, BRAND, TARGET = "#1d2433", "#5a6375", "#d9dee8", "#2546a8", "#c2410c"
KPI_COLOUR = "#0f766e"
STATUS_MARK = {Status.ON_TRACK: "✓", Status.AT_RISK: "!", Status.OFF_TRACK: "✗", Status.NO_DATA: "–"}
STATUS_COLOURS = {  # text, background
    Status.ON_TRACK: ("#166534", "#dcfce7"),
    Status.AT_RISK: ("#92400e", "#fef3c7"),
    Status.OFF_TRACK: ("#991b1b", "#fee2e2"),
    Status.NO_DATA: ("#475569", "#f1f5f9"),
}
