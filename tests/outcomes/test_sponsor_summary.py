"""The sponsor's one-screen summary on the organization view (issue 14 item 3, decision 0038):
the same figures as the analysis below it, the report's first page and the API."""

import datetime as dt
import html
import re
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest

from cxkeeper.insights.analytics.stats import MetricValue, benjamini_hochberg
from cxkeeper.outcomes import queries, reports
from cxkeeper.outcomes.choices import Status
from cxkeeper.outcomes.summary import CLEAR_BETTER, NO_CLEAR_CHANGE, sponsor_summary
from cxkeeper.testing.cocreation import add_cocreation, escalated, with_options
from cxkeeper.testing.outcomes_builders import build_outcomes

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(small_org):
    small_org.outcomes = build_outcomes(small_org)
    return small_org


def _flat(text: str) -> str:
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get("/scorecards/organization/")
    assert response.status_code == 200
    return response.content.decode()


def _summary_html(page: str) -> str:
    start = page.index('id="sponsor-summary"')
    return page[start:page.index("</section>", start)]


def test_the_summary_says_what_the_analysis_below_says(client, org):
    page = _page(client, org.viewer)
    view = queries.org_view()
    summary = sponsor_summary(view)
    top = _summary_html(page)
    # the counts at the top, each a link to its list below, are the counts of the line further down
    shown = {key: int(n) for key, n in re.findall(r'href="#targets-(\w+)">(\d+) ', top)}
    below = page[page.index('id="status-counts"'):]
    further = {key: int(n) for key, n in re.findall(r'status-(\w+)">(\d+) ', below[:below.index("</p>")])}
    assert shown == further == view.status_counts == summary.status_counts
    assert sum(shown.values()) == summary.n_targets > 0
    for key, n in shown.items():  # each list below holds as many targets as its count says
        block = page[page.index(f'id="targets-{key}"'):]
        assert block[:block.index("</ul>")].count("<li>") == n
    text = _flat(html.unescape(re.sub(r"<[^>]+>", " ", top)))
    for sentence in summary.sentences:  # the words the report's first page and the API carry
        assert _flat(sentence).replace(": ", " : ") in text or _flat(sentence) in text, sentence
    # the North Star is measured by the organization-wide CES target of the builder
    assert summary.north_star.view.target.pk == org.outcomes.org_target.pk
    assert "The North Star is measured by Customer effort" in summary.north_star_sentence
    assert f"n={summary.north_star.view.assessment.current.n:,}" in summary.north_star_sentence


def test_trends_are_the_target_cards_lines_corrected_together(org):
    view = queries.org_view()
    summary = sponsor_summary(view)
    targets = [t for o in view.outcomes for t in o.targets]
    assert [t.view.target.pk for t in summary.trends] == [t.target.pk for t in targets]
    tested = [t for t in targets if t.assessment.trend_p is not None]
    qs, significant = benjamini_hochberg([t.assessment.trend_p for t in tested])
    by_target = {t.view.target.pk: t for t in summary.trends}
    for target, q, clear in zip(tested, qs, significant, strict=True):
        trend = by_target[target.target.pk]
        assert trend.p == target.assessment.trend_p  # the p the card quotes, never re-tested
        assert trend.q == pytest.approx(q) and trend.clear == (clear and bool(trend.slope))
    assert all(t.clear for t in summary.movers)


def _fake_view(trends: list[tuple[float, float]]):
    """An organization view whose targets have the given (slope per month, p) trends."""
    metric = SimpleNamespace(name="NPS", unit="", higher_is_better=True, scale_bounds=(-100.0, 100.0), digits=1,
                             channel="", segment="", base="nps")
    months = [(dt.date(2026, m, 1), MetricValue(10.0, 100, 5.0, 15.0, True)) for m in range(1, 13)]
    views = []
    for index, (slope, p) in enumerate(trends):
        target = SimpleNamespace(pk=index + 1, metric=metric, scope="journey", scope_label=f"journey {index}")
        assessment = SimpleNamespace(trend_p=p, slope_per_month=slope, months_used=12,
                                     current=MetricValue(10.0, 300, 5.0, 15.0, True))
        views.append(SimpleNamespace(target=target, assessment=assessment, monthly=months, status=Status.AT_RISK))
    return SimpleNamespace(mission="", status_counts={Status.AT_RISK: len(views)},
                           outcomes=[SimpleNamespace(targets=views)])


def test_a_clear_change_is_said_in_words_and_chance_is_not_a_mover(db):
    summary = sponsor_summary(_fake_view([(2.0, 0.0001), (-1.0, 0.04)] + [(0.1, 0.9)] * 8))
    better, lucky = summary.trends[0], summary.trends[1]
    assert better.clear and better.better
    assert better.words == CLEAR_BETTER.format(ago="12 months ago")
    assert "better than 12 months ago, and the difference is larger than chance" in summary.mover_sentence(better)
    assert "n=1,200" in summary.mover_sentence(better)  # the months' responses behind the line
    # p = 0.04 alone would pass; among ten trends it does not survive the correction
    assert not lucky.clear and lucky.words == NO_CLEAR_CHANGE
    assert summary.movers == [better]
    assert summary.movers_sentence.startswith("1 of 10 target trends moved by more than chance would")
    assert "p<0.001, q=0.001 after Benjamini–Hochberg" in better.details


def test_escalations_and_priorities_come_from_the_apps_above(client, small_org):
    org = escalated(with_options(add_cocreation(small_org)))
    summary = sponsor_summary(queries.org_view())
    assert summary.n_escalations == 1
    assert summary.escalations[0].title == "Password reset e-mails arrive late"
    assert summary.escalations_sentence == "1 question is waiting for the sponsor's decision."
    top = _summary_html(_page(client, org.viewer))
    assert "Password reset e-mails arrive late" in top
    assert f'href="/friction-points/{org.fp.pk}/"' in top


def test_report_first_page_is_the_summary_with_title_and_language(org):
    summary = sponsor_summary(queries.org_view())
    content = reports.org_report("pdf").content
    document = pdfium.PdfDocument(content)
    try:
        first = _flat(document[0].get_textpage().get_text_range())
        second = _flat(document[1].get_textpage().get_text_range())
        title = document.get_metadata_dict()["Title"]
    finally:
        document.close()
    assert "In one page" in first
    for sentence in summary.sentences:
        assert _flat(sentence) in first, sentence
    assert "In one page" not in second  # the summary is a page of its own
    assert title.startswith("Organization report")
    assert b"/Lang (en)" in content or b"/Lang(en)" in content
    markdown = reports.org_report("md").content.decode()
    assert markdown.index("## In one page") < markdown.index("## Summary")
    assert summary.status_sentence in markdown


def test_pdf_charts_carry_a_text_alternative(org):
    content = reports.org_report("pdf").content
    assert b"/Alt" in content  # each embedded chart image has its caption as alternative text
