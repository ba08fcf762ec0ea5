"""Kestrel Connect's CX council, loaded through the real actions after the organization and
its outcomes (`cxkeeper demo`): the charter, the executive sponsor (Evelyn), Kira facilitating,
a seat for every function with its lead as representative and a deputy where the team has one;
a meeting four weeks ago with attendance, notes, decisions and action items (some done, some
overdue); and the next meeting on the cadence, its agenda drawn up from the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions
from cxkeeper.governance.models import Council, Meeting
from cxkeeper.org.models import Team
from cxkeeper.sample import organization as sample

NAME = "Kestrel CX council"
SPONSOR = "evelyn"
FACILITATOR = "kira"
# Who came to the last meeting (besides the sponsor and the facilitator): representatives of ten teams.
PRESENT = ("sam", "maya", "ivan", "bea", "rafa", "priya", "omar", "felix", "lena", "dana")


@dataclass
class SampleCouncil:
    council: Council
    last: Meeting
    upcoming: Meeting


def _say(console, message: str) -> None:
    if console is not None:
        console.print(message)


def load_sample_council(console=None, *, now: dt.datetime | None = None) -> SampleCouncil | None:
    """None when the council exists already or the sample organization is not loaded."""
    if Council.objects.filter(name=NAME).exists():
        _say(console, "[yellow]The sample council already exists; it was not loaded again.[/yellow]")
        return None
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[p.username for p in sample.PEOPLE])}
    teams = {t.name: t for t in Team.objects.filter(name__in=[t.name for t in sample.TEAMS])}
    if SPONSOR not in users or len(teams) < len(sample.TEAMS):
        _say(console, "[yellow]The sample organization is not loaded; no sample council.[/yellow]")
        return None
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    today = now.date()
    with transaction.atomic():
        council = actions.create_council({
            "name": NAME,
            "purpose": "Make customer experience a team sport: agree across functions what customers need fixed "
                       "first, who does what by when, and check that it worked.",
            "all_journeys": True, "sponsor": users[SPONSOR], "facilitator": users[FACILITATOR],
            "council_decides": "Priorities across journeys and teams; which friction points become initiatives; "
                               "shared targets and how they are measured.",
            "sponsor_decides": "Ties the council cannot break; budget beyond a team's own; escalations.",
            "teams_decide": "How to deliver their part, within the priorities agreed.",
            "quorum": 6, "cadence_days": 28, "meeting_minutes": 90,
            "escalation_path": "A question without consensus goes to the executive sponsor, who decides within "
                               "a week and writes down why.",
        }, acting_user=SYSTEM)
        for spec in sample.TEAMS:
            members = [p.username for p in sample.PEOPLE if spec.name in p.teams and p.username != spec.lead]
            actions.add_member(council, {"team": teams[spec.name], "representative": users.get(spec.lead),
                                         "deputy": users.get(members[0]) if members else None}, acting_user=SYSTEM)
        last = actions.schedule_meeting(council, {"starts_at": (now - dt.timedelta(days=27)).replace(hour=9),
                                                  "location": "Lisbon HQ, room 4 and online"}, acting_user=SYSTEM)
        _last_meeting(council, last, users, teams, today)
        upcoming = actions.schedule_meeting(council, {}, acting_user=SYSTEM)
        upcoming = actions.update_meeting(upcoming, {"location": last.location}, expected_version=upcoming.version,
                                          acting_user=SYSTEM)
    added = actions.generate_agenda(upcoming, acting_user=SYSTEM)  # after commit: the figures see the data
    _say(console, f"Council: {NAME}, {council.members.count()} member teams; the next meeting's agenda has "
                  f"{len(added)} items drawn from the data.")
    return SampleCouncil(Council.objects.get(pk=council.pk), Meeting.objects.get(pk=last.pk),
                         Meeting.objects.get(pk=upcoming.pk))


def _last_meeting(council, meeting, users, teams, today) -> None:
    present = [users[name] for name in PRESENT] + [users[SPONSOR], users[FACILITATOR]]
    meeting = actions.record_attendance(meeting, present, expected_version=meeting.version, acting_user=SYSTEM)
    notes = [
        ("First bill surprises", "Sales and Billing disagree on where the first-bill surprise starts: quotes at "
                                 "the point of sale or pro-rata charges. Evidence: the first-bill step's complaints.",
         [sample.SALES, sample.BILLING, sample.CARE], 25),
        ("App login fix: did it work?", "IT shipped the password reset fix; calls about logging in should fall. "
                                        "Measure before claiming a win.", [sample.IT, sample.CARE], 15),
        ("Average handle time vs effort", "Care's handle-time KPI improves while effort at its steps worsens.",
         [sample.CARE, sample.HR], 20),
    ]
    items = []
    for title, note, names, minutes in notes:
        item = actions.add_agenda_item(meeting, {"title": title, "time_box_minutes": minutes,
                                                 "teams": [teams[n] for n in names]}, acting_user=SYSTEM)
        items.append(actions.update_agenda_item(item, {"notes": note}, expected_version=item.version,
                                                acting_user=SYSTEM))
    quote = actions.record_decision(council, {
        "meeting": meeting, "agenda_item": items[0],
        "statement": "Every sales channel confirms the first bill's amount in writing at the point of sale",
        "options": ["Written confirmation of the first bill at sale", "A first-bill explainer e-mail only",
                    "Leave it to Billing's bill design"],
        "rationale": "Most first-bill complaints quote what a salesperson said; a written amount is checkable.",
        "review_on": today + dt.timedelta(days=56)}, acting_user=SYSTEM)
    measure = actions.record_decision(council, {
        "meeting": meeting, "agenda_item": items[1],
        "statement": "Credit IT's login fix as a win only once calls about logging in fall credibly",
        "options": ["Announce the win now", "Wait for the measured effect"],
        "rationale": "A win is measured, not asserted.", "review_on": today + dt.timedelta(days=28)},
        acting_user=SYSTEM)
    _first_bill_tie_break(council, meeting, items[0], today)
    person = {name: users.get(name) for name in ("sam", "bea", "ivan", "maya", "rafa")}
    for title, team, owner, days, status, decision in (
        ("Add the first bill's amount to every order confirmation", sample.SALES, "sam", -10, "done", quote),
        ("Explain pro-rata charges on the first bill", sample.BILLING, "bea", -6, "open", quote),
        ("Tag first-bill calls so the council can count them", sample.CARE, "maya", -3, "in_progress", quote),
        ("Report calls about logging in before and after the fix", sample.IT, "ivan", 14, "in_progress", measure),
        ("Review how the setup fee is worded in offers", sample.PRICING, "rafa", 21, "open", quote),
    ):
        actions.raise_action_item(council, {
            "title": title, "owner_team": teams[team], "owner": person[owner], "due": today + dt.timedelta(days=days),
            "status": status, "decision": decision, "meeting": meeting}, acting_user=SYSTEM)
    actions.update_meeting(meeting, {"summary": "Agreed the first bill is the council's first priority; Sales "
                                                "confirms amounts in writing. IT's login fix is measured before it "
                                                "is celebrated."}, expected_version=_version(meeting),
                           acting_user=SYSTEM)


def _version(meeting) -> int:
    return type(meeting).objects.get(pk=meeting.pk).version


def _first_bill_tie_break(council, meeting, agenda_item, today) -> None:
    """The executive sponsor's tie-break on the first-bill friction point (co-creation, issue 11)
    enters the council's decision log as the sponsor's, linked to the friction point."""
    from cxkeeper.initiatives.choices import DecidedHow
    from cxkeeper.initiatives.models import Decision as FrictionDecision
    from cxkeeper.sample.cocreation import FRICTION_TITLE

    taken = (FrictionDecision.objects.filter(friction_point__title=FRICTION_TITLE, how=DecidedHow.SPONSOR)
             .select_related("option", "friction_point").first())
    if taken is None:
        return
    options = list(taken.friction_point.options.order_by("pk").values_list("title", flat=True))
    review = taken.review_on if taken.review_on and taken.review_on > today else today + dt.timedelta(days=84)
    actions.record_decision(council, {
        "meeting": meeting, "agenda_item": agenda_item, "decided_by": "sponsor",
        "statement": f"First bill surprise: {taken.option.title}",
        "options": options, "rationale": taken.rationale, "review_on": review,
        "link_kind": "friction_point", "link_id": taken.friction_point.pk}, acting_user=SYSTEM)
