"""Scorecard and organization reports (cxkeeper.outcomes.reports): Markdown, PDF, PNG, and
their export views. Sample outputs are written to test-artifacts/ to be looked at."""

import datetime as dt
import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from PIL import Image

from cxkeeper.core.actors import SYSTEM
from cxkeeper.org.models import Team, Workspace
from cxkeeper.outcomes import actions, reports
from cxkeeper.outcomes.actions import ValueRow
from cxkeeper.outcomes.report_views import org_export, scorecard_export
from cxkeeper.testing.outcomes_builders import build_outcomes

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SECTIONS = ("Summary", "Targets at the team's steps", "Measures: this period against the previous", "Team KPIs",
            "Tensions found in the data", "Friction at the team's steps")
ORG_SECTIONS = ("Summary", "Shared outcomes against target", "Tensions found in the data", "Worst steps (CES)",
                "Coverage gaps", "Journeys overdue for review")


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def page_count(content: bytes) -> int:
    document = pdfium.PdfDocument(content)
    try:
        return len(document)
    finally:
        document.close()


def flat(text: str) -> str:
    """PDF text layers break lines inside table cells: compare on single spaces."""
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def save(name: str, content: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(content)


MISSION = "Every customer gets connected and helped without effort — first time, every time."


@pytest.fixture
def service(small_org, outcomes):
    workspace = Workspace.current()
    workspace.name, workspace.mission = "Kestrel Connect", MISSION
    workspace.save()
    return small_org.service


# ---------------------------------------------------------------- team scorecard


def test_markdown_scorecard_has_team_targets_statuses_and_n(service, outcomes):
    report = reports.scorecard_report(service, "md")
    text = report.content.decode("utf-8")
    save("report-scorecard-customer-service.md", report.content)
    assert text.startswith("# Team scorecard: Customer service")
    assert f"> **North Star:** {MISSION}" in text
    assert report.filename.startswith("cxkeeper-scorecard-customer-service-") and report.filename.endswith(".md")
    for section in SECTIONS:
        assert f"## {section}" in text
    assert "| Target | Scope | Value | 95% interval | n | Status | Why |" in text
    assert "Customer effort (CES) ≥ 5.5 by" in text and "the organization" in text
    assert any(label in text for label in ("On track", "At risk", "Off track"))
    assert "| n |" in text or " n |" in text
    # the organization target reads 90 days of both steps: 2 × 60 a month × 3 months ≈ 360 answers
    row = next(line for line in text.splitlines() if line.startswith("| Customer effort (CES) ≥ 5.5"))
    n = int(row.split("|")[5])
    assert 300 <= n <= 400
    # why: the plain sentence first, the statistics after it as a muted "Details:" line
    why = row.split("|")[7].strip()
    plain, details = why.split("<br>")
    assert plain.startswith(("On track: ", "At risk: ", "Off track: ")) and "n=" not in plain and "p=" not in plain
    assert details.startswith("_Details: Customer effort (CES) at the organization is ") and details.endswith("_")
    assert f"n={n}" in details
    # period over period and the KPIs with their found tension, with its evidence
    assert "| Measure | This period | 95% interval | n | Previous |" in text
    assert "Average handle time" in text and "Tension found" in text
    assert "### Average handle time (Customer service) ↔ Customer effort (CES)" in text
    assert "p<0.001" in text and "&lt;" not in text
    assert "declared as supporting — nobody declared this tension" in text
    assert "Monthly:" in text  # each chart's numbers in words


def test_pdf_scorecard_has_a_text_layer_with_team_and_sections(service, outcomes):
    report = reports.scorecard_report(service, "pdf")
    save("report-scorecard-customer-service.pdf", report.content)
    assert report.content.startswith(b"%PDF") and report.content_type == "application/pdf"
    text = flat(pdf_text(report.content))
    assert "Customer service" in text and "NORTH STAR" in text and MISSION in text
    for section in SECTIONS:
        assert section in text, section
    assert "Average handle time" in text and "(CES) ≥ 5.5" in text
    # each target in plain words, then its statistics on a "Details:" line under it
    targets = reports.queries.scorecard(service).targets
    assert targets
    for view in targets:
        plain, explanation = flat(view.assessment.plain), flat(view.assessment.explanation)
        assert f"{plain} Details: {explanation}" in text
    assert f"Page 1 of {page_count(report.content)}" in text
    document = pdfium.PdfDocument(report.content)
    width, height = document[0].get_size()
    document.close()
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_pdf_embeds_rendered_charts(service, outcomes):
    rendered = []

    def renderer(spec):
        png = reports.render_chart_png(spec)
        rendered.append(spec)
        return png

    doc = reports.scorecard_document(reports.queries.scorecard(service))
    content = reports.to_pdf(doc, chart_renderer=renderer)
    # one trend per target, CES and NPS by step, one per KPI with a series, one per tension
    assert len(rendered) >= 5
    trend = rendered[0]
    marks = [layer["mark"]["type"] for layer in trend["layer"]]
    assert marks[:3] == ["area", "rule", "line"] and "text" in marks  # band, interval, line, target label
    assert content.count(b"/Subtype /Image") >= len(rendered)


def test_png_is_every_page_stacked(service, outcomes):
    report = reports.scorecard_report(service, "png")
    save("report-scorecard-customer-service.png", report.content)
    assert report.content.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(report.content))
    pages = page_count(reports.scorecard_report(service, "pdf").content)
    page_height = int(842 * reports.PNG_SCALE)
    assert abs(image.width - 595.28 * reports.PNG_SCALE) <= 1
    assert image.height >= pages * page_height


def test_unicode_in_names_survives_every_format(small_org, outcomes):
    team = small_org.service
    Team.objects.filter(pk=team.pk).update(name="Kundenservice „Süd“ – Ελληνικά · Привет")
    team.refresh_from_db()
    kpi = actions.declare_team_kpi({"team": team, "name": "Kosten je Kontakt ≤ 4 € ✓", "unit": "€",
                                    "direction": "down"}, acting_user=SYSTEM)
    today = dt.date.today().replace(day=1)
    actions.record_kpi_values(kpi, [ValueRow(today - dt.timedelta(days=40), 4.5), ValueRow(today, 4.2)],
                              acting_user=SYSTEM)
    markdown = reports.scorecard_report(team, "md").content.decode("utf-8")
    assert "Kundenservice „Süd“ – Ελληνικά · Привет" in markdown and "Kosten je Kontakt ≤ 4 € ✓" in markdown
    content = reports.scorecard_report(team, "pdf").content
    save("report-scorecard-unicode.pdf", content)
    text = flat(pdf_text(content))
    assert "Kundenservice „Süd“ – Ελληνικά · Привет" in text
    assert "Kosten je Kontakt ≤ 4 € ✓" in text and "“" in text and "↔" in text
    assert reports.scorecard_report(team, "png").content.startswith(b"\x89PNG")


def test_a_team_without_data_still_gets_a_report_that_says_so(small_org):
    build_outcomes(small_org, with_feedback=False)
    markdown = reports.scorecard_report(small_org.sales, "md").content.decode("utf-8")
    assert "# Team scorecard: Sales" in markdown and "not enough data" in markdown.lower()
    content = reports.scorecard_report(small_org.sales, "pdf").content
    save("report-scorecard-no-data.pdf", content)
    text = flat(pdf_text(content))
    assert "Sales" in text and "not enough data" in text.lower()
    assert reports.scorecard_report(small_org.sales, "png").content.startswith(b"\x89PNG")


def test_a_team_with_nothing_at_all(small_org):
    lonely = Team.objects.create(name="Legal", slug="legal")
    markdown = reports.scorecard_report(lonely, "md").content.decode("utf-8")
    assert "No targets cover this team's steps yet." in markdown
    assert "Legal owns or contributes to no step" in markdown and "not enough data" in markdown.lower()
    assert reports.scorecard_report(lonely, "pdf").content.startswith(b"%PDF")


# ---------------------------------------------------------------- organization


def test_org_report_in_every_format(small_org, outcomes):
    markdown = reports.org_report("md").content.decode("utf-8")
    save("report-organization.md", markdown.encode())
    assert markdown.startswith("# Organization report:")
    for section in ORG_SECTIONS:
        assert f"## {section}" in markdown
    assert "### Reduce customer effort" in markdown and "### Increase loyalty" in markdown
    assert "| Shared outcome | Targets | On track | At risk | Off track | Not enough data |" in markdown
    assert "| Increase loyalty | 0 | 0 | 0 | 0 | 0 |" in markdown
    assert ("Customers sort out their bill without calling us → lower cost to serve → Customer effort (CES) ≥ 5.5"
            in markdown)
    assert "No targets for this outcome yet" in markdown  # loyalty has none
    pdf = reports.org_report("pdf")
    save("report-organization.pdf", pdf.content)
    assert pdf.filename.startswith("cxkeeper-organization-") and pdf.filename.endswith(".pdf")
    text = flat(pdf_text(pdf.content))
    for section in ORG_SECTIONS:
        assert section in text, section
    assert "Call the helpline" in text  # among the worst steps, with its owner
    png = reports.org_report("png")
    save("report-organization.png", png.content)
    assert png.content.startswith(b"\x89PNG") and png.content_type == "image/png"


def test_org_report_on_an_empty_workspace(db):
    markdown = reports.org_report("md").content.decode("utf-8")
    assert "No shared outcomes are defined yet." in markdown
    assert "Not enough data: no step has enough responses" in markdown
    assert reports.org_report("pdf").content.startswith(b"%PDF")


# ---------------------------------------------------------------- offline and formats


def test_charts_never_fetch_anything():
    spec = {"data": {"url": "https://example.com/data.csv"}, "mark": "point",
            "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    with pytest.raises(ValueError, match="not allowed"):
        reports.render_chart_png(spec)


def test_fonts_are_vendored_with_their_licence():
    assert (reports.FONT_DIR / "DejaVuSans.ttf").stat().st_size > 100_000
    assert (reports.FONT_DIR / "DejaVuSans-Bold.ttf").exists()
    assert "Bitstream" in (reports.FONT_DIR / "LICENSE-DejaVu.txt").read_text()


def test_unknown_format_names_the_choices(small_org):
    with pytest.raises(reports.UnknownFormat, match="choose one of pdf, png, md"):
        reports.scorecard_report(small_org.it, "docx")


# ---------------------------------------------------------------- export views


def _get(user, path="/x", **params):
    request = RequestFactory().get(path, params)
    request.user = user
    return request


def test_scorecard_export_view_as_a_viewer(small_org, outcomes):
    response = scorecard_export(_get(small_org.viewer, period_days="60"), small_org.service.slug, "md")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/markdown")
    assert response["Content-Disposition"].startswith('attachment; filename="cxkeeper-scorecard-customer-service-')
    body = response.content.decode("utf-8")
    assert "(60 days)" in body
    response = scorecard_export(_get(small_org.viewer), small_org.service.slug, "pdf")
    assert response.content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"


def test_org_export_view(small_org, outcomes):
    response = org_export(_get(small_org.it_member), "png")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    assert 'filename="cxkeeper-organization-' in response["Content-Disposition"]


@pytest.mark.parametrize(("view", "args", "message"), [
    (scorecard_export, ("customer-service", "docx"), "Unknown report format “docx”; choose one of pdf, png, md."),
    (org_export, ("xls",), "Unknown report format “xls”; choose one of pdf, png, md."),
    (scorecard_export, ("no-such-team", "pdf"), "No Team matches"),
])
def test_export_views_404_with_a_message(small_org, view, args, message):
    with pytest.raises(Http404, match=message):
        view(_get(small_org.viewer), *args)


@pytest.mark.parametrize("days", ["abc", "3", "9999"])
def test_export_views_reject_a_bad_period(small_org, days):
    response = scorecard_export(_get(small_org.viewer, period_days=days), "it", "md")
    assert response.status_code == 400 and b"from 7 to 732" in response.content


def test_export_urls_through_the_client(client, small_org, outcomes):
    try:
        scorecard_url = reverse("outcomes:scorecard_export", args=[small_org.service.slug, "md"])
        org_url = reverse("outcomes:org_export", args=["md"])
    except NoReverseMatch:
        pytest.skip("the outcomes pages are not routed yet")
    assert client.get(scorecard_url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(small_org.viewer)
    response = client.get(scorecard_url + "?period_days=30")
    assert response.status_code == 200 and b"(30 days)" in response.content
    assert b"(180 days)" in client.get(scorecard_url + "?days=180").content  # the page's own parameter
    assert client.get(org_url).status_code == 200
    response = client.get(reverse("outcomes:org_export", args=["gif"]))
    assert response.status_code == 404


def test_markdown_escapes_user_text():
    doc = reports.Document("Team scorecard", "R&D <b>*x*", [("Team", "a_b")], "", [
        reports.Section("S", [reports.Table(["A"], [["x|y_z\nnext"]], [1]), reports.Paragraph("`code`", "muted")])],
        dt.date(2026, 1, 1))
    markdown = reports.to_markdown(doc)
    assert markdown.startswith("# Team scorecard: R&D &lt;b>\\*x\\*")
    assert "| x\\|y\\_z next |" in markdown and "_\\`code\\`_" in markdown and "**Team:** a\\_b" in markdown


def test_markdown_turns_no_user_text_into_a_link():
    """Issue 10, finding 14: `[x](javascript:…)` in a name passed through as a live link."""
    doc = reports.Document("Team scorecard", "[click](javascript:alert(1))", [("Team", "![i](http://x/y.png)")],
                           "", [], dt.date(2026, 1, 1))
    markdown = reports.to_markdown(doc)
    assert "\\[click\\](javascript:alert(1))" in markdown and "!\\[i\\](http://x/y.png)" in markdown
    assert "[click](" not in markdown.replace("\\[click\\](", "")
