"""Reports as files: the formats, rendering a document in one of them, the file names, and
the two entry points the pages and the CLI call (`scorecard_report`, `org_report`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.text import slugify

from cxkeeper.org.models import Team
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.reports.document import Document
from cxkeeper.outcomes.reports.markdown import to_markdown
from cxkeeper.outcomes.reports.organization import org_document
from cxkeeper.outcomes.reports.pdf import to_pdf
from cxkeeper.outcomes.reports.png import pdf_to_png
from cxkeeper.outcomes.reports.scorecard import scorecard_document

FORMATS = ("pdf", "png", "md")
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "md": "text/markdown; charset=utf-8"}


class UnknownFormat(ValueError):
    def __init__(self, fmt: str):
        super().__init__(f"Unknown report format “{fmt}”; choose one of {', '.join(FORMATS)}.")


def render(doc: Document, fmt: str) -> bytes:
    if fmt == "md":
        return to_markdown(doc).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(doc)
    if fmt == "png":
        return pdf_to_png(to_pdf(doc))
    raise UnknownFormat(fmt)


def check_format(fmt: str) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise UnknownFormat(fmt)
    return fmt


@dataclass
class RenderedReport:
    content: bytes
    filename: str
    content_type: str


def scorecard_report(team: Team, fmt: str, *, period_days: int = 90, as_of: dt.date | None = None) -> RenderedReport:
    fmt = check_format(fmt)
    doc = scorecard_document(queries.scorecard(team, as_of=as_of, period_days=period_days))
    return RenderedReport(render(doc, fmt), report_filename("scorecard", team.slug or team.name, doc.as_of, fmt),
                          CONTENT_TYPES[fmt])


def org_report(fmt: str, *, period_days: int = 90, as_of: dt.date | None = None) -> RenderedReport:
    fmt = check_format(fmt)
    doc = org_document(queries.org_view(as_of=as_of, period_days=period_days), period_days=period_days)
    return RenderedReport(render(doc, fmt), report_filename("organization", doc.title, doc.as_of, fmt),
                          CONTENT_TYPES[fmt])


def report_filename(kind: str, name: str, as_of: dt.date, fmt: str) -> str:
    """e.g. cxkeeper-scorecard-customer-service-2026-11-22.pdf (ASCII, safe in any header)."""
    slug = slugify(name) or "report"
    return f"cxkeeper-{kind}-{slug}-{as_of.isoformat()}.{fmt}"
