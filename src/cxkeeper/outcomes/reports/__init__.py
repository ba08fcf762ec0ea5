"""Team scorecards and the organization view as documents: Markdown, PDF and PNG.

One document model (`Document` → `Section` → blocks) is built from `queries.scorecard()` or
`queries.org_view()`, then written out by a renderer, so the three formats always carry the
same sections and the same numbers as the pages:

- **Markdown**: headings and tables; a chart becomes its caption and its numbers in text.
- **PDF** (fpdf2, A4, numbered pages): the same sections; charts are Vega-Lite specs rendered
  to PNG by vl-convert and embedded. Text is set in the vendored DejaVu Sans (`fonts/`,
  Bitstream Vera licence): the PDF core fonts are latin-1 only, and reports carry ≥ ≤ – “ ” → €
  ✓ and whatever language people write their KPIs in.
- **PNG**: every page of the PDF rendered by pypdfium2 and stacked top to bottom into one image.

Nothing is fetched while rendering: chart data is inline, vl-convert is told to allow no
external URL (`allowed_base_urls=[]`) and uses the vendored font, never a remote one.

One module per job (docs/outcomes-reports.md, "Where the code is"): `document` the model,
`text` numbers and dates as text, `style` colours and font, `charts` the Vega-Lite specs
and their rendering, `blocks` what both reports share, `scorecard` and `organization` the two
documents, `markdown`, `pdf` and `png` the renderers, `export` formats, file names and the
entry points. The names below are the package's public face.
"""

from cxkeeper.outcomes import queries  # noqa: F401  (reports.queries: what the documents are built from)
from cxkeeper.outcomes.reports.charts import (
    CHART_SCALE,
    CHART_WIDTH,
    HALF_CHART_WIDTH,
    kpi_spec,
    render_chart_png,
    steps_spec,
    target_trend_spec,
    tension_spec,
)
from cxkeeper.outcomes.reports.document import (
    NO_NORTH_STAR,
    Bullets,
    Chart,
    Document,
    Paragraph,
    Section,
    Subheading,
    Table,
)
from cxkeeper.outcomes.reports.export import (
    CONTENT_TYPES,
    FORMATS,
    RenderedReport,
    UnknownFormat,
    check_format,
    org_report,
    render,
    report_filename,
    scorecard_report,
)
from cxkeeper.outcomes.reports.markdown import to_markdown
from cxkeeper.outcomes.reports.organization import org_document
from cxkeeper.outcomes.reports.pdf import to_pdf
from cxkeeper.outcomes.reports.png import PNG_SCALE, pdf_to_png
from cxkeeper.outcomes.reports.scorecard import FRICTION_KINDS, scorecard_document
from cxkeeper.outcomes.reports.style import (
    BRAND,
    FONT_DIR,
    FONT_FAMILY,
    INK,
    KPI_COLOUR,
    LINE,
    MUTED,
    STATUS_COLOURS,
    STATUS_MARK,
    TARGET,
)
from cxkeeper.outcomes.reports.text import interval_text, target_text, value_text

__all__ = [
    "BRAND", "CHART_SCALE", "CHART_WIDTH", "CONTENT_TYPES", "FONT_DIR", "FONT_FAMILY", "FORMATS", "FRICTION_KINDS",
    "HALF_CHART_WIDTH", "INK", "KPI_COLOUR", "LINE", "MUTED", "NO_NORTH_STAR", "PNG_SCALE", "STATUS_COLOURS",
    "STATUS_MARK", "TARGET", "Bullets", "Chart", "Document", "Paragraph", "RenderedReport", "Section", "Subheading",
    "Table", "UnknownFormat", "check_format", "interval_text", "kpi_spec", "org_document", "org_report",
    "pdf_to_png", "render", "render_chart_png", "report_filename", "scorecard_document", "scorecard_report",
    "steps_spec", "target_text", "target_trend_spec", "tension_spec", "to_markdown", "to_pdf", "value_text",
]
