"""The sample's co-creation (issue 11 item 9, docs/initiatives.md): the first-bill surprise as a
friction point that every affected team is asked about, and one planned change still waiting
for perspectives.

- **The first-bill surprise** at “Receive the first bill” (and “Talk to a sales advisor”,
  where the promise is made), owned by Billing & Collections. The map makes Billing, Pricing,
  Sales, Customer Care and People & Training (who train the advisors) affected; Kira (keeper)
  adds Legal & Regulatory with a reason. Sales (sam) has concerns, Billing (bea) supports with
  a technical constraint, Legal (lena) objects with its reason and a policy constraint; the
  others have not answered yet, so the tensions show an objection, a collision and teams not
  heard. Two options; the teams disagree, Kira escalates, and Evelyn — the executive sponsor —
  breaks the tie.
- **A planned change**: Pricing's annual price rise, going live in six weeks at “Set prices
  and promotions” and “Generate monthly bills”; the teams there and downstream are asked,
  nobody has answered yet.

Built through the real actions, as the people who would do it (history shows who), after
the outcomes (`cxkeeper demo`). Idempotent: a workspace that already has the friction point is
left alone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import FrictionPoint, PlannedChange
from cxkeeper.journeys.models import Step
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import Team
from cxkeeper.sample import organization as sample

FRICTION_TITLE = "First bill higher than the price promised at sale"
PLANNED_TITLE = "Annual price rise: CPI + 3.9% for every plan"
SPONSOR = "evelyn"


def load_sample_cocreation(console=None, *, today: dt.date | None = None) -> FrictionPoint | None:
    if FrictionPoint.objects.filter(title=FRICTION_TITLE).exists():
        _say(console, "[yellow]The sample co-creation already exists; it was not loaded again.[/yellow]")
        return None
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=("kira", "sam", "bea", "lena", SPONSOR))}
    if len(users) < 5 or not Step.objects.filter(name="Receive the first bill").exists():
        _say(console, "[yellow]The sample organization is not loaded; no sample co-creation.[/yellow]")
        return None
    today = today or dt.date.today()
    teams = {t.name: t for t in Team.objects.all()}
    steps = {s.name: s for s in Step.objects.filter(name__in=(
        "Receive the first bill", "Talk to a sales advisor", "Set prices and promotions", "Generate monthly bills"))}
    kira, sam, bea, lena, evelyn = (users[n] for n in ("kira", "sam", "bea", "lena", SPONSOR))
    first_new_change = (ChangeRecord.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    with transaction.atomic():
        org_actions.update_workspace({"executive_sponsor": evelyn}, expected_version=None, acting_user=SYSTEM)
        fp = actions.raise_friction_point({
            "title": FRICTION_TITLE, "step": steps["Receive the first bill"],
            "description": "Customers find charges on their first bill that the sales advisor did not mention: "
                           "part-month charges, an installation fee said to be free, a router charge. It shows "
                           "in first-bill complaints and in calls to query a charge."}, acting_user=kira)
        fp = actions.set_challenge(fp, owner_team=teams[sample.BILLING],
                                   steps=[steps["Receive the first bill"], steps["Talk to a sales advisor"]],
                                   expected_version=fp.version, acting_user=kira)
        actions.add_affected_team(fp, teams[sample.LEGAL], reason="Whatever is promised at sale must match the "
                                  "contract summary, which Legal owns.", acting_user=kira)
        actions.give_perspective(fp, teams[sample.SALES], {
            "stance": "concerns", "importance": 4,
            "reason": "Advisors quote the monthly price; the first bill's part-month and one-off charges depend on "
                      "the installation date, which they do not know at sale.",
            "constraints": [{"kind": "capacity", "text": "Advisor training slots are booked until the end of "
                                                         "the quarter."}],
            "contribution": "Add the first-bill estimate to the sales script and the order confirmation.",
            "effort": "weeks"}, acting_user=sam)
        actions.give_perspective(fp, teams[sample.BILLING], {
            "stance": "support", "importance": 5,
            "constraints": [{"kind": "technical", "text": "The billing platform cannot print a one-page summary "
                                                          "before its upgrade in the spring."}],
            "contribution": "Send a first-bill preview e-mail a week before the first bill.",
            "effort": "months"}, acting_user=bea)
        actions.give_perspective(fp, teams[sample.LEGAL], {
            "stance": "object", "importance": 3,
            "reason": "An estimate of the first bill in the contract summary becomes a contractual promise: if the "
                      "bill differs, the customer may cancel without a fee.",
            "constraints": [{"kind": "policy_legal", "text": "The contract summary's content is set by regulation; "
                                                             "no estimates may be added to it."}],
            "contribution": "Review the wording of a separate, non-binding first-bill explanation.",
            "effort": "days"}, acting_user=lena)
        script = actions.propose_option(fp, {
            "title": "Quote the first bill at sale, in the contract summary",
            "description": "Advisors give the exact first-bill amount and it is printed in the contract summary."},
            acting_user=sam)
        preview = actions.propose_option(fp, {
            "title": "Send a first-bill preview a week before the first bill",
            "description": "Billing e-mails what the first bill will contain and why; the sales script says it "
                           "will come."}, acting_user=bea)
        for option, team, user, stance, reason in (
                (script, sample.SALES, sam, "support", ""),
                (script, sample.BILLING, bea, "support", ""),
                (script, sample.LEGAL, lena, "object", "It turns an estimate into a binding promise."),
                (preview, sample.SALES, sam, "concerns", "Customers still hear one price at sale and see another."),
                (preview, sample.BILLING, bea, "support", ""),
                (preview, sample.LEGAL, lena, "support", "")):
            actions.take_option_stance(option, teams[team], {"stance": stance, "reason": reason}, acting_user=user)
        actions.escalate(fp, note="Legal objects to quoting the first bill in the contract summary; Sales doubts the "
                                  "preview is enough. Pricing, Customer Care and People & Training have not "
                                  "answered.", acting_user=kira)
        actions.sponsor_decide(fp, preview, rationale="The preview can ship without a contract change; Sales adds "
                               "it to the script so the amount is never a surprise. We look at first-bill queries "
                               "again after a quarter.", review_on=today + dt.timedelta(days=90), acting_user=evelyn)

        actions.declare_planned_change({
            "title": PLANNED_TITLE, "kind": "price", "team": teams[sample.PRICING],
            "description": "Every plan's monthly price rises by CPI + 3.9% in April, as the contracts allow. "
                           "Customers are told 30 days before.",
            "go_live": today + dt.timedelta(days=42),
            "steps": [steps["Set prices and promotions"], steps["Generate monthly bills"]]},
            acting_user=users["kira"])
    # As for the organization (sample/load.py): the load's own notices are removed, the history stays.
    Notification.objects.filter(change_id__gte=first_new_change).delete()
    _say(console, f"Co-creation: “{FRICTION_TITLE}” with 3 perspectives, 2 options and the sponsor's "
                  f"tie-break; planned change “{PLANNED_TITLE}” waiting for perspectives")
    return fp


def sample_planned_change() -> PlannedChange | None:
    return PlannedChange.objects.filter(title=PLANNED_TITLE).first()


def _say(console, message: str) -> None:
    if console is not None:
        console.print(message)
