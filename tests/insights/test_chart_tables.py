"""Every chart has its data as a table beside it (issue 14), and titles that leave a phone's
chart its width."""

from django.template.loader import render_to_string

from cxkeeper.insights import charts

SPEC = charts._base(
    data={"values": [{"week": "2026-11-02", "value": 4.8123, "low": None, "high": 5.1, "n": 12345},
                     {"week": "2026-11-09", "value": -0.5, "low": -1.25, "high": 0.25, "n": 7}]},
    title={"text": "Customer effort (CES) per month at the organization",
           "subtitle": "Shaded: 95% interval. 12 of 13 months have at least 30 responses."},
    layer=[{"mark": "line", "encoding": {"tooltip": [
        {"field": "week", "type": "temporal", "title": "week of", "format": "%d %b %Y"},
        {"field": "value", "type": "quantitative", "title": "CES", "format": ".2f"},
        {"field": "low", "type": "quantitative", "title": "95% low", "format": ".2f"},
        {"field": "n", "type": "quantitative", "title": "n", "format": ","}]}}],
)


def test_a_chart_s_table_has_its_tooltip_columns_and_numbers_in_words():
    table = charts.data_table(SPEC)
    assert table == {"columns": ["week of", "CES", "95% low", "n"],
                     "rows": [["2 Nov 2026", "4.81", "—", "12,345"], ["9 Nov 2026", "−0.50", "−1.25", "7"]]}
    assert charts.data_table(charts.too_little("Too few responses.")) is None
    assert charts.data_table({"data": {"values": [{"x": 1}]}}) is None  # no tooltip, nothing to name columns


def test_the_chart_partial_names_the_chart_once_and_shows_the_table():
    html = render_to_string("insights/partials/chart.html", {"spec": SPEC, "chart_id": "c1", "label": "Weekly CES"})
    assert 'role="img" aria-label="Weekly CES (chart; its data is in the table below)"' in html
    assert "<summary>Data table: Weekly CES</summary>" in html
    assert '<th scope="row">2 Nov 2026</th><td class="num">4.81</td>' in html


def test_long_titles_are_broken_into_lines_that_fit_a_phone():
    assert SPEC["title"]["text"] == ["Customer effort (CES) per month at", "the organization"]
    assert all(len(line) <= charts.SUBTITLE_CHARS for line in SPEC["title"]["subtitle"])
    assert charts._base(title={"text": "Short"})["title"] == {"text": "Short"}
