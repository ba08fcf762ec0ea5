"""The document model every report is built as (`Document` → `Section` → blocks) and every
renderer (Markdown, PDF) writes out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cxkeeper import __version__
from cxkeeper.insights.analytics.stats import DEFAULT_MIN_N

NO_NORTH_STAR = "Not written yet: keepers write the mission statement on the CX language page."

@dataclass
class Paragraph:
    text: str
    tone: str = "normal"  # normal | muted | lead


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Subheading:
    text: str


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative column widths in the PDF
    align: str = ""  # one letter per column, L or R (default L)
    status_column: int | None = None  # cells coloured by the row's status
    statuses: list[str] = field(default_factory=list)
    # A long text per row (an explanation): a last column in Markdown, a full-width line
    # under its row in the PDF, where a narrow column would make it unreadable.
    details: list[str] = field(default_factory=list)
    details_title: str = "Explanation"
    # With `plain`, one sentence per row in everyday words comes first and its `details` (the
    # statistics) follow as a smaller "Details:" line (a target: status.TargetAssessment.plain).
    plain: list[str] = field(default_factory=list)


@dataclass
class Chart:
    spec: dict  # Vega-Lite, data inline
    caption: str
    text: str = ""  # the chart's numbers in words, for Markdown and screen readers
    half: bool = False  # half the page wide: consecutive half charts sit side by side in the PDF


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)
    page_break_after: bool = False  # the PDF starts a new page after it (the sponsor's one-page summary)


@dataclass
class Document:
    kind: str  # "Team scorecard" | "Organization report"
    title: str
    meta: list[tuple[str, str]]
    north_star: str
    sections: list[Section]
    as_of: dt.date
    language: str = "en"  # the PDF's /Lang: screen readers pick their voice by it

    @property
    def footer(self) -> str:
        return (f"cxkeeper {__version__} · generated {dt.date.today():%d %b %Y} · values are measured with 95% "
                f"intervals; fewer than {DEFAULT_MIN_N} responses is “not enough data”.")
