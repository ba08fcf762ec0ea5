"""Every page and form: anonymous → sign-in, refused roles → 403 with a reason, allowed
roles → success, and each allowed write leaves a history row."""


from cxkeeper.core.actors import SYSTEM
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.pages import PageCase, page_role_matrix

STRUCTURE = ("admin", "keeper")
ADMIN = ("admin",)


def v(obj):
    return obj.version


def persona(o):
    from cxkeeper.journeys.actions import create_persona

    return create_persona({"name": "Student on a budget"}, acting_user=SYSTEM)


def term(o):
    from cxkeeper.org.actions import add_glossary_term

    return add_glossary_term("CES", "Customer effort score, 1-7.", acting_user=SYSTEM)


def handoff(o):
    from cxkeeper.journeys.actions import add_handoff

    return add_handoff({"from_step": o.login_step, "from_team": o.it, "to_step": o.call_step,
                        "to_team": o.service}, acting_user=SYSTEM)


def token(o):
    from cxkeeper.org.actions import create_api_token

    return create_api_token(o.viewer, "script", acting_user=SYSTEM)[0]


CASES = [
    # Pages everyone signed in can read.
    PageCase("home", lambda o: "/"),
    PageCase("journey list", lambda o: "/journeys/"),
    PageCase("journey map", lambda o: f"/journeys/{o.journey.slug}/"),
    PageCase("journey map, team highlighted", lambda o: f"/journeys/{o.journey.slug}/?team={o.it.slug}"),
    PageCase("step page", lambda o: f"/steps/{o.login_step.pk}/"),
    PageCase("matrix", lambda o: f"/matrix/?journey={o.journey.slug}&role=owns"),
    PageCase("coverage", lambda o: "/coverage/"),
    PageCase("teams", lambda o: "/teams/"),
    PageCase("team page", lambda o: f"/teams/{o.it.slug}/"),
    PageCase("glossary", lambda o: "/glossary/"),
    PageCase("personas", lambda o: "/personas/"),
    PageCase("activity", lambda o: "/activity/?model=step"),
    PageCase("history of a step", lambda o: f"/history/journeys/step/{o.login_step.pk}/"),
    PageCase("notifications", lambda o: "/notifications/"),
    PageCase("mark notifications read", lambda o: "/notifications/read/", data=lambda o: {}, writes=False),
    PageCase("API tokens", lambda o: "/account/tokens/"),
    PageCase("create API token", lambda o: "/account/tokens/", data=lambda o: {"name": "script"}, writes=False),
    PageCase("password change", lambda o: "/accounts/password/"),
    PageCase("password changed", lambda o: "/accounts/password/done/"),
    # Forms for keepers (and admins).
    PageCase("new journey form", lambda o: "/journeys/new/", STRUCTURE),
    PageCase("create journey", lambda o: "/journeys/new/", STRUCTURE,
             data=lambda o: {"name": "Move house", "status": "draft"}),
    PageCase("edit journey", lambda o: f"/journeys/{o.journey.slug}/edit/", STRUCTURE,
             data=lambda o: {"name": "Get help", "description": "changed", "status": "draft",
                             "version": v(o.journey)}),
    PageCase("publish journey", lambda o: f"/journeys/{o.journey.slug}/publish/", STRUCTURE,
             data=lambda o: {"version": v(o.journey)}),
    PageCase("unpublish journey", lambda o: f"/journeys/{o.journey.slug}/unpublish/", STRUCTURE,
             data=lambda o: {"version": v(o.journey)}, writes=False),
    PageCase("mark journey reviewed", lambda o: f"/journeys/{o.journey.slug}/review/", STRUCTURE,
             data=lambda o: {}),
    PageCase("delete journey", lambda o: f"/journeys/{o.journey.slug}/delete/", STRUCTURE,
             data=lambda o: {"version": v(o.journey)}),
    PageCase("add stage", lambda o: f"/journeys/{o.journey.slug}/stages/new/", STRUCTURE,
             data=lambda o: {"name": "Follow up"}),
    PageCase("edit stage", lambda o: f"/stages/{o.stage.pk}/edit/", STRUCTURE,
             data=lambda o: {"name": "Ask for help", "description": "d", "version": v(o.stage)}),
    PageCase("delete stage", lambda o: f"/stages/{o.stage.pk}/delete/", STRUCTURE,
             data=lambda o: {"version": v(o.stage)}),
    PageCase("move stage up", lambda o: f"/stages/{o.stage.pk}/up/", STRUCTURE,
             data=lambda o: {"version": v(o.stage)}, writes=False),
    PageCase("move stage down", lambda o: f"/stages/{o.stage.pk}/down/", STRUCTURE,
             data=lambda o: {"version": v(o.stage)}, writes=False),
    PageCase("add step", lambda o: f"/stages/{o.stage.pk}/steps/new/", STRUCTURE,
             data=lambda o: {"name": "Chat with an agent", "lane": "frontstage", "phrases": "chat\nagent"}),
    PageCase("delete step", lambda o: f"/steps/{o.call_step.pk}/delete/", STRUCTURE,
             data=lambda o: {"version": v(o.call_step)}),
    PageCase("move step up", lambda o: f"/steps/{o.call_step.pk}/up/", STRUCTURE,
             data=lambda o: {"version": v(o.call_step)}),
    PageCase("move step down", lambda o: f"/steps/{o.login_step.pk}/down/", STRUCTURE,
             data=lambda o: {"version": v(o.login_step)}),
    PageCase("assign responsibility", lambda o: f"/steps/{o.call_step.pk}/responsibilities/new/", STRUCTURE,
             data=lambda o: {"team": o.sales.pk, "role": "informed"}),
    PageCase("edit responsibility",
             lambda o: f"/responsibilities/{o.login_step.responsibilities.get(team=o.it).pk}/edit/", STRUCTURE,
             data=lambda o: {"role": "owns", "is_lead": "", "note": "login service", "version": 1}),
    PageCase("remove responsibility",
             lambda o: f"/responsibilities/{o.login_step.responsibilities.get(team=o.service).pk}/delete/",
             STRUCTURE, data=lambda o: {"version": 1}),
    PageCase("add handoff", lambda o: f"/steps/{o.login_step.pk}/handoffs/new/", STRUCTURE,
             data=lambda o: {"from_team": o.it.pk, "to_step": o.call_step.pk, "to_team": o.service.pk}),
    PageCase("new persona", lambda o: "/personas/new/", STRUCTURE, data=lambda o: {"name": "Student"}),
    PageCase("edit persona form", lambda o: f"/personas/{persona(o).pk}/edit/", STRUCTURE),
    PageCase("edit persona", lambda o: f"/personas/{persona(o).pk}/edit/", STRUCTURE,
             data=lambda o: {"name": "Students", "description": "On a budget", "version": 1}),
    PageCase("delete persona", lambda o: f"/personas/{persona(o).pk}/delete/", STRUCTURE,
             data=lambda o: {"version": 1}),
    PageCase("edit glossary term", lambda o: f"/glossary/{term(o).pk}/edit/", STRUCTURE,
             data=lambda o: {"term": "CES", "definition": "Customer effort score.", "version": 1}),
    PageCase("delete glossary term", lambda o: f"/glossary/{term(o).pk}/delete/", STRUCTURE,
             data=lambda o: {"version": 1}),
    PageCase("remove handoff", lambda o: f"/handoffs/{handoff(o).pk}/delete/", STRUCTURE,
             data=lambda o: {"version": 1}),
    PageCase("workspace settings", lambda o: "/workspace/", STRUCTURE,
             data=lambda o: {"name": "Acme", "mission": "Effortless", "review_interval_days": 60, "version": 1}),
    PageCase("new glossary term", lambda o: "/glossary/new/", STRUCTURE,
             data=lambda o: {"term": "CES", "definition": "Customer effort score"}),
    # Step content: keepers and members of owning/contributing teams.
    PageCase("edit step form", lambda o: f"/steps/{o.login_step.pk}/edit/", ("admin", "keeper", "it_member")),
    PageCase("edit step", lambda o: f"/steps/{o.login_step.pk}/edit/", ("admin", "keeper", "it_member"),
             data=lambda o: {"name": o.login_step.name, "lane": o.login_step.lane, "channel": "web",
                             "description": "Signs in with e-mail and password.", "phrases": "can't log in",
                             "version": v(o.login_step)}),
    # Admin only.
    PageCase("people", lambda o: "/people/", ADMIN),
    PageCase("add person", lambda o: "/people/new/", ADMIN,
             data=lambda o: {"username": "newbie", "password": "a-long-unusual-passphrase", "role": "viewer"}),
    PageCase("edit person", lambda o: f"/people/{o.viewer.person.pk}/edit/", ADMIN,
             data=lambda o: {"role": "member", "teams": [o.sales.pk], "version": v(o.viewer.person)}),
    PageCase("new team", lambda o: "/teams/new/", ADMIN,
             data=lambda o: {"name": "Legal", "function": "legal", "office": "back"}),
    PageCase("edit team", lambda o: f"/teams/{o.sales.slug}/edit/", ADMIN,
             data=lambda o: {"name": "Sales", "function": "sales", "office": "front", "customer_facing": "on",
                             "description": "We sell.", "version": v(o.sales)}),
    PageCase("delete team", lambda o: f"/teams/{o.it.slug}/delete/", ADMIN, data=lambda o: {"version": v(o.it)}),
]


TestPageRoles = page_role_matrix(CASES, build=build_small_org)
