"""Outcome pages: every page and form tried anonymously, by refused roles (403 with a reason,
nothing written) and by allowed roles (success; every write leaves a history row) — plus
what the pages say: target status with n and its explanation, a target without data,
tensions, escaped user text, stale edits, bad CSV files and the glossary links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.utils.html import escape

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.org.actions import add_glossary_term, update_workspace
from cxkeeper.org.models import Workspace
from cxkeeper.outcomes import actions
from cxkeeper.outcomes import queries as outcome_queries
from cxkeeper.outcomes.models import MetricDefinition, SharedOutcome, SuccessStatement, Target, TeamKpi
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.outcomes_builders import build_outcomes
from cxkeeper.testing.pages import PageCase, page_role_matrix

KEEPERS = ("admin", "keeper")
IT_KPIS = ("admin", "keeper", "it_member")  # IT's KPIs: its members, keepers and admins
XSS = "<script>window.pwned=1</script>"
DUE = (dt.date.today() + dt.timedelta(days=200)).isoformat()


def with_outcomes(org):
    org.outcomes = build_outcomes(org)
    return org


@pytest.fixture
def org(small_org):
    return with_outcomes(small_org)


def v(obj):
    return type(obj).objects.get(pk=obj.pk).version


def fresh_metric(o) -> MetricDefinition:
    return actions.define_metric({"key": "nps-app", "name": "NPS in the app", "base": "nps", "channel": "app"},
                                 acting_user=SYSTEM)


def fresh_target(o) -> Target:
    return actions.set_metric_target({"outcome": o.outcomes.loyalty, "metric": o.outcomes.nps, "scope": "journey",
                                      "journey": o.journey, "value": 30, "due": dt.date.today()
                                      + dt.timedelta(days=90)}, acting_user=SYSTEM)


def link_of(o):
    return o.outcomes.login_success.links.get()


def csv_upload(o):
    body = "period,value,unit\n2026-01-01,91.5,%\n2026-02,92.0,%\n"
    return {"file": SimpleUploadedFile("login.csv", body.encode(), content_type="text/csv")}


def target_data(o, **extra):
    return {"outcome": o.outcomes.effort.pk, "metric": o.outcomes.ces.pk, "scope": "stage", "stage": o.stage.pk,
            "value": "5.2", "due": DUE, "window_days": "90", **extra}


CASES = [
    # Everyone signed in reads.
    PageCase("CX language", lambda o: "/language/"),
    PageCase("shared outcomes", lambda o: "/outcomes/"),
    PageCase("shared outcome", lambda o: f"/outcomes/{o.outcomes.effort.pk}/"),
    PageCase("metric definitions", lambda o: "/metrics/definitions/"),
    PageCase("metric definition", lambda o: f"/metrics/definitions/{o.outcomes.ces.pk}/"),
    PageCase("target", lambda o: f"/targets/{o.outcomes.org_target.pk}/"),
    PageCase("team KPIs", lambda o: "/kpis/"),
    PageCase("team KPI", lambda o: f"/kpis/{o.outcomes.handle_time.pk}/"),
    PageCase("tensions", lambda o: "/tensions/"),
    PageCase("alignment map", lambda o: "/alignment/"),
    PageCase("scorecards", lambda o: "/scorecards/"),
    PageCase("team scorecard", lambda o: f"/scorecards/{o.service.slug}/"),
    PageCase("team scorecard, 30 days", lambda o: f"/scorecards/{o.service.slug}/?days=30"),
    PageCase("organization view", lambda o: "/scorecards/organization/?days=180"),
    # Keepers and admins define outcomes, metrics, targets and success statements.
    PageCase("new outcome form", lambda o: "/outcomes/new/", KEEPERS),
    PageCase("create outcome", lambda o: "/outcomes/new/", KEEPERS,
             data=lambda o: {"name": "Strengthen retention", "description": "Customers stay.",
                             "metrics": [o.outcomes.nps.pk]}),
    PageCase("edit outcome", lambda o: f"/outcomes/{o.outcomes.effort.pk}/edit/", KEEPERS,
             data=lambda o: {"name": "Reduce customer effort", "description": "Easy, every time.",
                             "position": "1", "metrics": [o.outcomes.ces.pk], "version": v(o.outcomes.effort)}),
    PageCase("delete outcome", lambda o: f"/outcomes/{o.outcomes.loyalty.pk}/delete/", KEEPERS,
             data=lambda o: {"version": v(o.outcomes.loyalty)}),
    PageCase("new success statement form", lambda o: f"/outcomes/{o.outcomes.effort.pk}/statements/new/", KEEPERS),
    PageCase("add success statement", lambda o: f"/outcomes/{o.outcomes.effort.pk}/statements/new/", KEEPERS,
             data=lambda o: {"customer_goal": "Customers log in first time", "business_outcome": "fewer calls",
                             "target": o.outcomes.login_target.pk, "position": "2"}),
    PageCase("edit success statement", lambda o: f"/statements/{o.outcomes.statement.pk}/edit/", KEEPERS,
             data=lambda o: {"customer_goal": "Customers settle their bill online", "business_outcome": "lower cost",
                             "target": o.outcomes.org_target.pk, "position": "1",
                             "version": v(o.outcomes.statement)}),
    PageCase("delete success statement", lambda o: f"/statements/{o.outcomes.statement.pk}/delete/", KEEPERS,
             data=lambda o: {"version": v(o.outcomes.statement)}),
    PageCase("new metric form", lambda o: "/metrics/definitions/new/", KEEPERS),
    PageCase("define metric", lambda o: "/metrics/definitions/new/", KEEPERS,
             data=lambda o: {"key": "csat-web", "name": "CSAT on the web", "base": "csat", "channel": "web"}),
    PageCase("edit metric", lambda o: f"/metrics/definitions/{o.outcomes.ces.pk}/edit/", KEEPERS,
             data=lambda o: {"key": "ces", "name": "Customer effort", "base": "ces", "description": "1–7",
                             "version": v(o.outcomes.ces)}),
    PageCase("delete metric", lambda o: f"/metrics/definitions/{fresh_metric(o).pk}/delete/", KEEPERS,
             data=lambda o: {"version": 1}),
    PageCase("new target form", lambda o: f"/targets/new/?outcome={o.outcomes.effort.pk}", KEEPERS),
    PageCase("set target", lambda o: "/targets/new/", KEEPERS, data=target_data),
    PageCase("edit target form", lambda o: f"/targets/{o.outcomes.login_target.pk}/edit/", KEEPERS),
    PageCase("edit target", lambda o: f"/targets/{o.outcomes.login_target.pk}/edit/", KEEPERS,
             data=lambda o: {"outcome": o.outcomes.effort.pk, "metric": o.outcomes.ces.pk, "scope": "step",
                             "step": o.login_step.pk, "value": "5.1", "due": DUE, "window_days": "60",
                             "version": v(o.outcomes.login_target)}),
    PageCase("delete target", lambda o: f"/targets/{fresh_target(o).pk}/delete/", KEEPERS,
             data=lambda o: {"version": Target.objects.latest("pk").version}),
    # Team members manage their own team's KPIs (IT here); keepers and admins any team's.
    PageCase("new KPI form", lambda o: f"/teams/{o.it.slug}/kpis/new/", IT_KPIS),
    PageCase("declare KPI", lambda o: f"/teams/{o.it.slug}/kpis/new/", IT_KPIS,
             data=lambda o: {"name": "Password resets", "unit": "per day", "direction": "down", "source": "manual"}),
    PageCase("edit KPI", lambda o: f"/kpis/{o.outcomes.login_success.pk}/edit/", IT_KPIS,
             data=lambda o: {"name": "Login success rate", "unit": "%", "direction": "up", "source": "manual",
                             "description": "First attempts that succeed.",
                             "version": v(o.outcomes.login_success)}),
    PageCase("delete KPI", lambda o: f"/kpis/{o.outcomes.login_success.pk}/delete/", IT_KPIS,
             data=lambda o: {"version": v(o.outcomes.login_success)}),
    PageCase("KPI values form", lambda o: f"/kpis/{o.outcomes.login_success.pk}/values/", IT_KPIS),
    PageCase("enter KPI values", lambda o: f"/kpis/{o.outcomes.login_success.pk}/values/", IT_KPIS,
             data=lambda o: {"values": "2025-06, 88.5\n2025-07-01;89"}),
    PageCase("KPI import form", lambda o: f"/kpis/{o.outcomes.login_success.pk}/values/import/", IT_KPIS),
    PageCase("import KPI values", lambda o: f"/kpis/{o.outcomes.login_success.pk}/values/import/", IT_KPIS,
             data=csv_upload),
    PageCase("KPI link form", lambda o: f"/kpis/{o.outcomes.login_success.pk}/links/", IT_KPIS),
    PageCase("link KPI to outcome", lambda o: f"/kpis/{o.outcomes.login_success.pk}/links/", IT_KPIS,
             data=lambda o: {"outcome": o.outcomes.loyalty.pk, "kind": "tension", "note": "more NPS asks"}),
    PageCase("unlink form", lambda o: f"/kpi-links/{link_of(o).pk}/delete/", IT_KPIS),
    PageCase("unlink KPI", lambda o: f"/kpi-links/{link_of(o).pk}/delete/", IT_KPIS, data=lambda o: {"version": 1}),
]


TestPageRoles = page_role_matrix(CASES, build=lambda: with_outcomes(build_small_org()))


# ---------------------------------------------------------------- what the pages say


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    assert response.status_code == 200, response.content[:1500]
    return response.content.decode()


def test_outcome_page_shows_status_value_interval_n_and_explanation(org):
    page = text_of(as_user(org.viewer).get(f"/outcomes/{org.outcomes.effort.pk}/"))
    assert "Off track" in page and "On track" in page
    assert "n=360" in page and "n=180" in page  # the organization and the login step, last 90 days
    assert "95%:" in page
    assert "Off track: both today&#x27;s interval and the whole projected interval miss the target." in page
    assert 'data-chart="chart-target-' in page and "application/json" in page
    assert "Customers sort out their bill without calling us" in page
    assert "Average handle time" in page  # linked KPI
    assert "Tension found" in page  # found in the data for this outcome's metric
    assert f"/outcomes/{org.outcomes.effort.pk}/edit/" not in page  # a viewer sees no edit buttons


def assert_plain_then_details(page: str, assessment) -> None:
    """The plain sentence is shown as it is; the explanation only inside the <details> right after it."""
    plain, explanation = escape(assessment.plain), escape(assessment.explanation)
    assert plain and "n=" not in plain and "interval" not in plain
    shown = f'<p class="plain-verdict">{plain}</p>'
    assert shown in page
    folded = page.split(shown, 1)[1].split("</details>", 1)[0]
    assert folded.startswith('<details class="summary-details"><summary>Details</summary>'), folded[:200]
    assert explanation in folded
    # nowhere outside a <details>: the statistics are one click away, never in the way
    assert explanation not in re.sub(r"<details.*?</details>", "", page, flags=re.S)


def test_target_cards_show_the_plain_sentence_with_the_statistics_behind_details(org):
    page = text_of(as_user(org.viewer).get(f"/outcomes/{org.outcomes.effort.pk}/"))
    for target in (org.outcomes.org_target, org.outcomes.login_target):
        assert_plain_then_details(page, outcome_queries.assess(target).assessment)
    one = text_of(as_user(org.viewer).get(f"/targets/{org.outcomes.org_target.pk}/"))
    view = outcome_queries.assess(org.outcomes.org_target)
    assert view.status == "off_track" and view.assessment.plain.startswith("Off track: at ")
    assert_plain_then_details(one, view.assessment)


def test_team_scorecard_why_column_is_plain_first_with_details(org):
    page = text_of(as_user(org.viewer).get(f"/scorecards/{org.service.slug}/?days=90"))
    table = page.split('id="targets-h"', 1)[1].split("</table>", 1)[0]
    assert "<th scope=\"col\">Why</th>" in table
    for target in (org.outcomes.org_target, org.outcomes.login_target):
        assert_plain_then_details(table, outcome_queries.assess(target).assessment)


def test_keeper_sees_the_edit_buttons_viewer_does_not(org):
    keeper = text_of(as_user(org.keeper).get(f"/outcomes/{org.outcomes.effort.pk}/"))
    assert f"/outcomes/{org.outcomes.effort.pk}/edit/" in keeper
    kpi = f"/kpis/{org.outcomes.handle_time.pk}/"
    assert f"{kpi}edit/" not in text_of(as_user(org.it_member).get(kpi))  # not IT's KPI
    assert f"{kpi}edit/" in text_of(as_user(org.keeper).get(kpi))
    own = f"/kpis/{org.outcomes.login_success.pk}/"
    assert f"{own}edit/" in text_of(as_user(org.it_member).get(own))


def test_a_member_cannot_touch_another_teams_kpi(org):
    before = ChangeRecord.objects.count()
    kpi = org.outcomes.handle_time
    response = as_user(org.it_member).post(f"/kpis/{kpi.pk}/values/", {"values": "2026-01, 3"})
    assert response.status_code == 403
    assert "Only members of Customer service" in response.content.decode()
    assert ChangeRecord.objects.count() == before


def test_language_page_ties_goal_to_outcome_to_measure_with_status(org):
    update_workspace({"mission": "Make every contact effortless"}, expected_version=v(Workspace.current()),
                     acting_user=org.keeper)
    add_glossary_term("contact", "Any time a customer reaches us.", acting_user=org.keeper)
    page = text_of(as_user(org.viewer).get("/language/"))
    assert "Customers sort out their bill without calling us" in page and "lower cost to serve" in page
    assert "≥ 5.5" in page and "Off track" in page
    assert "Make every" in page and 'class="gloss"' in page  # the mission links "contact"
    assert "kim" in page  # who changed the mission
    assert "/glossary/" in page
    assert "/workspace/" not in page  # only keepers see "Edit the mission"
    assert "/workspace/" in text_of(as_user(org.keeper).get("/language/"))


def test_a_target_with_no_data_says_not_enough_data_with_the_reason(org):
    email = actions.define_metric({"key": "ces-email", "name": "CES by e-mail", "base": "ces", "channel": "email"},
                                  acting_user=SYSTEM)
    target = actions.set_metric_target({"outcome": org.outcomes.effort, "metric": email, "scope": "step",
                                        "step": org.call_step, "value": 5, "due": dt.date.today()
                                        + dt.timedelta(days=60)}, acting_user=SYSTEM)
    page = text_of(as_user(org.viewer).get(f"/targets/{target.pk}/"))
    assert "Not enough data" in page
    assert "0 responses in the recent window" in page
    assert "too few responses (n=0)" in page
    text_of(as_user(org.viewer).get(f"/outcomes/{org.outcomes.effort.pk}/"))
    text_of(as_user(org.viewer).get("/scorecards/organization/"))
    text_of(as_user(org.viewer).get("/alignment/"))


def test_deleting_a_metric_a_target_uses_is_refused_and_deletes_nothing(org):
    before = ChangeRecord.objects.count()
    ces = org.outcomes.ces
    response = as_user(org.keeper).post(f"/metrics/definitions/{ces.pk}/delete/", {"version": v(ces)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "is still used by target" in page and "nothing was deleted" in page
    assert MetricDefinition.objects.filter(pk=ces.pk).exists()
    assert ChangeRecord.objects.count() == before
    # The confirmation page already warns.
    assert "deleting is refused" in text_of(as_user(org.keeper).get(f"/metrics/definitions/{ces.pk}/delete/"))


def test_deleting_an_outcome_with_targets_is_refused(org):
    effort = org.outcomes.effort
    response = as_user(org.keeper).post(f"/outcomes/{effort.pk}/delete/", {"version": v(effort)})
    assert response.status_code == 422
    assert "still has 2 target(s)" in response.content.decode()
    assert SharedOutcome.objects.filter(pk=effort.pk).exists()


def test_user_text_is_escaped_everywhere(org):
    kpi = org.outcomes.handle_time
    actions.update_team_kpi(kpi, {"description": f"Minutes per call {XSS}"}, expected_version=v(kpi),
                            acting_user=SYSTEM)
    outcome = actions.define_outcome({"name": f"Trust {XSS}", "description": f"We keep our word {XSS}"},
                                     acting_user=SYSTEM)
    outcome.metrics.set([org.outcomes.ces])
    actions.link_kpi_to_outcome(kpi, outcome, "tension", acting_user=SYSTEM)
    add_glossary_term("call", f"A phone call {XSS}", acting_user=SYSTEM)  # the link title is escaped too
    client = as_user(org.viewer)
    for url in (f"/kpis/{kpi.pk}/", f"/outcomes/{outcome.pk}/", "/outcomes/", "/alignment/", "/tensions/",
                "/language/", f"/scorecards/{org.service.slug}/", "/scorecards/organization/", "/kpis/"):
        page = text_of(client.get(url))
        assert XSS not in page, url
    kpi_page = text_of(client.get(f"/kpis/{kpi.pk}/"))
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in kpi_page
    assert 'class="gloss"' in kpi_page  # "call" in "per call" links to the glossary
    assert "Trust &lt;script&gt;" in text_of(client.get("/alignment/"))


def test_a_stale_edit_is_refused_with_a_conflict_and_keeps_the_input(org):
    effort = org.outcomes.effort
    stale = v(effort)
    actions.update_outcome(effort, {"description": "Changed meanwhile"}, expected_version=stale,
                           acting_user=org.keeper)
    response = as_user(org.keeper).post(f"/outcomes/{effort.pk}/edit/", {
        "name": "Reduce customer effort", "description": "My typed text", "metrics": [org.outcomes.ces.pk],
        "version": stale})
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed by someone else" in page and "My typed text" in page
    assert SharedOutcome.objects.get(pk=effort.pk).description == "Changed meanwhile"


def test_a_stale_kpi_edit_is_refused(org):
    kpi = org.outcomes.login_success
    response = as_user(org.it_member).post(f"/kpis/{kpi.pk}/edit/", {
        "name": "Login success", "unit": "%", "direction": "up", "source": "manual", "version": v(kpi) - 1})
    assert response.status_code == 409
    assert TeamKpi.objects.get(pk=kpi.pk).name == "Login success rate"


def test_a_bad_csv_lists_every_problem_and_stores_nothing(org):
    kpi = org.outcomes.login_success
    before = list(kpi.values.values_list("period", "value"))
    history = ChangeRecord.objects.count()
    body = "period,value,unit\n2026-13-01,91,%\n2026-02,ninety,%\n2026-03,92,minutes\n"
    response = as_user(org.it_member).post(f"/kpis/{kpi.pk}/values/import/", {
        "file": SimpleUploadedFile("bad.csv", body.encode(), content_type="text/csv")})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "bad.csv, row 2, column period" in page
    assert "bad.csv, row 3, column value" in page
    assert "bad.csv, row 4, column unit" in page and "does not match the KPI&#x27;s unit" in page
    assert list(kpi.values.values_list("period", "value")) == before
    assert ChangeRecord.objects.count() == history


def test_a_csv_with_a_wrong_header_or_encoding_says_so(org):
    kpi = org.outcomes.login_success
    client = as_user(org.it_member)
    response = client.post(f"/kpis/{kpi.pk}/values/import/", {
        "file": SimpleUploadedFile("x.csv", b"when,amount\n2026-01,3\n", content_type="text/csv")})
    assert response.status_code == 422 and "the header must name a date column" in response.content.decode()
    response = client.post(f"/kpis/{kpi.pk}/values/import/", {
        "file": SimpleUploadedFile("x.csv", "period,value\n2026-01,3 €\n".encode("utf-16"), content_type="text/csv")})
    assert response.status_code == 422 and "not UTF-8 text" in response.content.decode()


def test_values_typed_by_hand_are_checked_line_by_line(org):
    kpi = org.outcomes.login_success
    client = as_user(org.it_member)
    response = client.post(f"/kpis/{kpi.pk}/values/", {"values": "2026-01, 90\nlast month, 91\n2026-03 x"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Line 2: “last” is not a date" in page and "Line 3: “x” is not a number" in page
    response = client.post(f"/kpis/{kpi.pk}/values/", {"values": "2026-01, 90\n2026-02, 91", "replace": "on"})
    assert response.status_code == 302
    assert list(kpi.values.values_list("value", flat=True)) == [90.0, 91.0]


def test_a_metric_kpi_cannot_take_values(org):
    kpi = actions.declare_team_kpi({"team": org.it, "name": "Effort at login", "unit": "CES", "direction": "up",
                                    "source": "metric", "metric": org.outcomes.ces}, acting_user=SYSTEM)
    response = as_user(org.it_member).post(f"/kpis/{kpi.pk}/values/", {"values": "2026-01, 5"})
    assert response.status_code == 422 and "its values come from feedback" in response.content.decode()
    page = text_of(as_user(org.it_member).get(f"/kpis/{kpi.pk}/"))
    assert "Enter values" not in page and 'data-chart="chart-kpi"' in page


def test_target_form_needs_the_picker_of_its_scope(org):
    client = as_user(org.keeper)
    response = client.post("/targets/new/", target_data(org, scope="step", stage=""))
    assert response.status_code == 422 and "Choose the step this target is for." in response.content.decode()
    # A picker of another scope left filled in does not apply.
    response = client.post("/targets/new/", target_data(org, scope="organization", step=org.call_step.pk))
    assert response.status_code == 302
    target = Target.objects.latest("pk")
    assert target.scope == "organization" and target.step_id is None and target.stage_id is None
    page = text_of(client.get(f"/targets/{target.pk}/edit/"))
    assert 'data-scope-picker="step"' in page and 'data-scope-select="1"' in page


def test_tensions_page_puts_undeclared_found_tensions_first(org):
    page = text_of(as_user(org.viewer).get("/tensions/"))
    assert "1</strong> tension found in 4 comparisons" in page
    first = page.index("finding-undeclared")
    assert first < page.index("No tension:")
    assert "Tension found (strong)" in page and "Average handle time" in page
    assert "not declared" in page


def test_declaring_the_tension_removes_the_undeclared_highlight(org):
    actions.link_kpi_to_outcome(org.outcomes.handle_time, org.outcomes.effort, "tension", acting_user=SYSTEM)
    page = text_of(as_user(org.viewer).get("/tensions/"))
    assert "finding-undeclared" not in page and "declared as in tension" in page


def test_alignment_map_links_every_node_and_highlights_tensions(org):
    page = text_of(as_user(org.viewer).get("/alignment/"))
    assert "<svg" in page and "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    for url in (f"/outcomes/{org.outcomes.effort.pk}/", f"/metrics/definitions/{org.outcomes.ces.pk}/",
                f"/targets/{org.outcomes.org_target.pk}/", f"/kpis/{org.outcomes.handle_time.pk}/", "/language/"):
        assert f'<a href="{url}"' in page, url
    assert 'class="edge edge-found_tension"' in page
    assert "status-off_track" in page and "status-on_track" in page and "status-tension" in page
    assert "tension found in the data" in page  # the legend


def test_alignment_map_stays_readable_with_many_outcomes_and_kpis(org):
    for i in range(5):
        outcome = actions.define_outcome({"name": f"Outcome number {i} with a fairly long name"}, acting_user=SYSTEM)
        outcome.metrics.set([org.outcomes.nps])
    for i in range(10):
        kpi = actions.declare_team_kpi({"team": org.sales, "name": f"Sales KPI {i}", "unit": "€",
                                        "direction": "up"}, acting_user=SYSTEM)
        actions.link_kpi_to_outcome(kpi, SharedOutcome.objects.order_by("?").first(), "supports", acting_user=SYSTEM)
    page = text_of(as_user(org.viewer).get("/alignment/"))
    assert page.count('class="align-node node-kpi') == 12
    assert page.count('class="align-node node-outcome') == 7


def test_team_scorecard_shows_steps_targets_kpis_tension_and_exports(org):
    page = text_of(as_user(org.viewer).get(f"/scorecards/{org.service.slug}/?days=90"))
    assert "Scorecard: Customer service" in page
    assert "Call the helpline" in page and "Log in to the app" in page
    assert "Off track" in page and "On track" in page
    assert "significant" in page and "n=180" in page
    assert "Average handle time" in page and "tension found" in page and "Tension found (strong)" in page
    assert "has no commitments yet" in page  # the commitments section (governance fills it; none here)
    for fmt in ("pdf", "png", "md"):
        assert f'id="export-{fmt}" href="/scorecards/{org.service.slug}/export.{fmt}"' in page
    assert '<option value="90" selected>' in page


def test_org_view_shows_every_outcome_worst_steps_gaps_and_tensions(org):
    page = text_of(as_user(org.viewer).get("/scorecards/organization/"))
    assert "Reduce customer effort" in page and "Increase loyalty" in page
    assert "No target yet" in page  # loyalty has none
    assert "Worst steps" in page and "Call the helpline" in page
    assert "Sales" in page  # touches no step
    assert "Average handle time" in page
    for fmt in ("pdf", "png", "md"):
        assert f'id="export-{fmt}" href="/scorecards/organization/export.{fmt}"' in page


def test_team_page_links_to_its_scorecard_and_nav_has_outcomes(org):
    page = text_of(as_user(org.viewer).get(f"/teams/{org.service.slug}/"))
    assert f'href="/scorecards/{org.service.slug}/"' in page
    assert 'href="/alignment/"' in page and 'href="/outcomes/"' in page and 'href="/scorecards/"' in page


def test_statement_delete_keeps_the_target(org):
    statement = org.outcomes.statement
    as_user(org.keeper).post(f"/statements/{statement.pk}/delete/", {"version": v(statement)})
    assert not SuccessStatement.objects.filter(pk=statement.pk).exists()
    assert Target.objects.filter(pk=org.outcomes.org_target.pk).exists()


# ---------------------------------------------------------------- the glossary filter


def render(text) -> str:
    return Template("{% load cx_language %}{{ text|glossary_links }}").render(Context({"text": text}))


@pytest.mark.django_db
def test_glossary_links_whole_words_case_insensitive_longest_first():
    nps = add_glossary_term("NPS", "Net Promoter Score: promoters minus detractors.", acting_user=SYSTEM)
    long = add_glossary_term("hidden hero", "A back-office team that shapes the experience.", acting_user=SYSTEM)
    add_glossary_term("hidden", "Should never win over the longer term.", acting_user=SYSTEM)
    html = render("Our nps and the Hidden Hero; NPSX and snps stay plain.")
    assert f'<a class="gloss" href="/glossary/#term-{nps.pk}" title="Net Promoter Score: promoters minus ' \
           f'detractors.">nps</a>' in html
    assert f'href="/glossary/#term-{long.pk}"' in html and ">Hidden Hero</a>" in html
    assert "NPSX and snps stay plain" in html


@pytest.mark.django_db
def test_glossary_links_escape_first():
    add_glossary_term("CES", 'Effort "score" <1-7>', acting_user=SYSTEM)
    html = render("<b>CES</b> & more")
    assert html.startswith("&lt;b&gt;<a class=\"gloss\"")
    assert 'title="Effort &quot;score&quot; &lt;1-7&gt;"' in html
    assert "&lt;/b&gt; &amp; more" in html
    assert render("") == "" and render(None) == ""


def test_exports_cover_the_period_the_page_shows(org):
    page = text_of(as_user(org.viewer).get(f"/scorecards/{org.service.slug}/?days=180"))
    assert f'id="export-pdf" href="/scorecards/{org.service.slug}/export.pdf?days=180"' in page
    assert "180 days" in page
    page = text_of(as_user(org.viewer).get("/scorecards/organization/?days=30"))
    assert 'id="export-md" href="/scorecards/organization/export.md?days=30"' in page
    # An unknown period falls back to 90 days rather than failing.
    assert "90 days" in text_of(as_user(org.viewer).get(f"/scorecards/{org.service.slug}/?days=7"))
