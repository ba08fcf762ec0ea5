"""The vendored DejaVu Sans (Bitstream Vera licence, LICENSE-DejaVu.txt): the PDF core fonts
are latin-1 only, and exports carry ≥ ≤ – “ ” → € and names in any script. Kept in core so
every app that writes a PDF or an image (outcomes' reports, the journey blueprint) uses it."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
FONT_FAMILY = "DejaVu Sans"
