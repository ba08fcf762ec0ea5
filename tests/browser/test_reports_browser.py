"""Exporting a team scorecard from the page, in a real Chromium: the PDF is downloaded, turned
into a PNG here with pypdfium2, and checked to show the team's name and a chart.

The PNG lands in test-artifacts/ (test_reports_browser-scorecard-page1.png) to be looked at."""

import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from cxkeeper.testing.outcomes_builders import build_outcomes

from .conftest import ARTIFACTS

SCALE = 2  # PDF points → pixels
TREND_BLUE = (0x25, 0x46, 0xA8)  # reports.BRAND: the trend line and its points


@pytest.fixture
def org(small_org):
    small_org.outcomes = build_outcomes(small_org)
    return small_org


def count_near(pixels, colour, tolerance=40):
    """Pixels (an H×W×3 array) within `tolerance` of `colour` in every channel."""
    return int((np.abs(pixels.astype(int) - np.array(colour)) <= tolerance).all(axis=2).sum())


def pixel_box(bounds, page_height):
    """A PDF box (left, bottom, right, top in points, origin bottom-left) in bitmap pixels."""
    left, bottom, right, top = bounds
    return (int(left * SCALE), int((page_height - top) * SCALE), int(right * SCALE) + 1,
            int((page_height - bottom) * SCALE) + 1)


def test_export_team_scorecard_as_pdf_shows_team_and_chart(org, sign_in, live_server, page):
    sign_in(org.viewer)
    page.goto(f"{live_server.url}/scorecards/{org.service.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Customer service")

    with page.expect_download(timeout=90_000) as info:
        page.locator("#export-pdf").click()
    download = info.value
    assert re.fullmatch(r"cxkeeper-scorecard-customer-service-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")

    document = pdfium.PdfDocument(content)
    first = document[0]
    width, height = first.get_size()
    image = first.render(scale=SCALE).to_pil().convert("RGB")
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / "test_reports_browser-scorecard-page1.png")

    # The team's name: found in the text layer, and really drawn there (dark text pixels).
    text = first.get_textpage()
    found = text.search("Customer service", match_case=True).get_next()
    assert found is not None, "the team's name is not in the PDF's text layer"
    start, count = found
    boxes = [text.get_charbox(i) for i in range(start, start + count)]
    name_box = pixel_box((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                          max(b[3] for b in boxes)), height)
    name_pixels = np.asarray(image.crop(name_box))
    dark = int((name_pixels.max(axis=2) < 100).sum())
    total = name_pixels.shape[0] * name_pixels.shape[1]
    assert dark > 0.15 * total, f"only {dark} of {total} pixels are dark in the name's box"
    assert name_box[1] < image.height / 4  # the title, at the top of the first page

    # A chart: an embedded image with a non-trivial amount of the trend line's blue in it.
    charts = list(first.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
    assert charts, "no chart image on the first page"
    chart_box = pixel_box(charts[0].get_bounds(), height)
    assert chart_box[2] - chart_box[0] > image.width / 3  # a chart (two fit side by side), not an icon
    blue = count_near(np.asarray(image.crop(chart_box)), TREND_BLUE)
    assert blue > 400, f"only {blue} trend-blue pixels in the chart"
    above = count_near(np.asarray(image.crop((0, 0, image.width, name_box[3]))), TREND_BLUE)
    assert above < blue / 10  # the blue is the chart's, not the page's

    assert len(document) >= 2 and "Page 1 of" in text.get_text_range()
    text.close()
    first.close()
    document.close()
    assert page.console_errors == [], page.console_errors
