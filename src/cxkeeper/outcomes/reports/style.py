"""The look the reports share: colours, the vendored font, status marks."""

from __future__ import annotations

from pathlib import Path

from cxkeeper.outcomes.choices import Status

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT_FAMILY = "DejaVu Sans"

INK, MUTED, LINE, BRAND, TARGET = "#1d2433", "#5a6375", "#d9dee8", "#2546a8", "#c2410c"
KPI_COLOUR = "#0f766e"
STATUS_MARK = {Status.ON_TRACK: "✓", Status.AT_RISK: "!", Status.OFF_TRACK: "✗", Status.NO_DATA: "–"}
STATUS_COLOURS = {  # text, background
    Status.ON_TRACK: ("#166534", "#dcfce7"),
    Status.AT_RISK: ("#92400e", "#fef3c7"),
    Status.OFF_TRACK: ("#991b1b", "#fee2e2"),
    Status.NO_DATA: ("#475569", "#f1f5f9"),
}
