"""The blueprint as SVG, PNG and PDF: well-formed, names escaped, a team highlighted not by colour alone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.journeys import actions
from cxkeeper.journeys.blueprint_export import outline, render, to_svg, wrap
from cxkeeper.journeys.choices import Lane
from cxkeeper.journeys.queries import journey_blueprint

HOSTILE = '<script>alert("x")</script> & ]]> “Tom’s” step'
SVG = "{http://www.w3.org/2000/svg}"


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


@pytest.fixture
def hostile(small_org):
    actions.add_step(small_org.stage, {"name": HOSTILE, "lane": Lane.BACKSTAGE}, acting_user=SYSTEM)
    return small_org


def test_svg_is_well_formed_with_hostile_names_escaped(hostile):
    svg = to_svg(journey_blueprint(hostile.journey))
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - our own output; raises if unescaped
    assert root.tag == f"{SVG}svg"
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Log in to the app" in texts and "Call the helpline" in texts
    assert "Ask for help" in texts  # the stage is a column heading
    for lane in ("Customer action", "Front-stage touchpoint", "Back-stage process", "Support system"):
        assert lane in texts
    assert root.find(f"{SVG}title").text.startswith("Service blueprint of Get help")


def test_a_highlighted_team_is_marked_by_border_marker_and_legend(small_org):
    plain = to_svg(journey_blueprint(small_org.journey))
    svg = to_svg(journey_blueprint(small_org.journey, small_org.it))
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 - our own output
    groups = [g for g in root.iter(f"{SVG}g") if "Log in to the app" in (g.get("aria-label") or "")]
    assert groups and "highlighted" in groups[0].get("class")
    assert groups[0].find(f"{SVG}rect").get("stroke-width") == "3.0"
    dimmed = [g for g in root.iter(f"{SVG}g") if "Call the helpline" in (g.get("aria-label") or "")]
    assert dimmed[0].get("opacity") == "0.55"  # dimmed, still there and legible
    assert "◆ IT" in svg and "◆ and a thick dark border: a step IT is responsible for" in svg
    assert "◆" not in plain and 'opacity=' not in plain


def test_long_names_are_wrapped_not_cut_off():
    lines = wrap("Confirm the appointment with the field engineer and the customer by text message", 120, 12.5, True)
    assert len(lines) > 2 and all(lines)
    assert " ".join(lines).startswith("Confirm the appointment")
    assert wrap("x" * 400, 100, 12.5, max_lines=2)[-1].endswith("…")


def test_png_and_pdf_have_their_magic_bytes_and_the_pdf_reads_as_text(hostile):
    bp = journey_blueprint(hostile.journey, hostile.it)
    png = render(bp, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    pdf = render(bp, "pdf")
    assert pdf.startswith(b"%PDF-") and b"/Lang" in pdf
    text = pdf_text(pdf)
    assert "Log in to the app" in text and "Call the helpline" in text
    assert "Stage 1: Ask for help" in text and "a step of IT" in text
    assert HOSTILE.replace(" ", "") in text.replace(" ", "").replace("\r", "").replace("\n", "")


def test_a_wide_journey_takes_several_pdf_pages(small_org):
    for n in range(2, 10):
        stage = actions.add_stage(small_org.journey, {"name": f"Stage number {n}"}, acting_user=SYSTEM)
        actions.add_step(stage, {"name": f"Step of stage {n}"}, acting_user=SYSTEM)
    bp = journey_blueprint(small_org.journey)
    document = pdfium.PdfDocument(render(bp, "pdf"))
    try:
        assert len(document) >= 4  # 9 stages: 3 drawing pages of 4 stages, then the text
    finally:
        document.close()
    headings = [heading for heading, _ in outline(bp)]
    assert headings[0] == "Stage 1: Ask for help" and headings[-1] == "Stage 9: Stage number 9"


def test_a_wide_journey_prints_as_sheets_of_four_stages(small_org):
    from cxkeeper.journeys.queries import blueprint_sheets

    for n in range(2, 6):
        stage = actions.add_stage(small_org.journey, {"name": f"Stage {n}"}, acting_user=SYSTEM)
        actions.add_step(stage, {"name": f"Step {n}"}, acting_user=SYSTEM)
    assert blueprint_sheets(journey_blueprint(small_org.journey)) == []  # five stages fit one sheet
    actions.add_stage(small_org.journey, {"name": "Stage 6"}, acting_user=SYSTEM)
    sheets = blueprint_sheets(journey_blueprint(small_org.journey, small_org.it))
    assert [(first, last, len(part.stages)) for first, last, part in sheets] == [(1, 4, 4), (5, 6, 2)]
    first = sheets[0][2]
    assert [len(row.cells) for row in first.rows] == [4, 4, 4, 4]
    assert any(card.highlighted for row in first.rows for cell in row.cells for card in cell)
