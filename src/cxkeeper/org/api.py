"""API for the organization: workspace settings, glossary, teams, the caller, API tokens.

Every write goes through `cxkeeper.org.actions`, like the pages."""


from datetime import datetime

from django.db.models import Q
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiPagination,
    ErrorOut,
    VersionIn,
    acting_user,
    changes_of,
    expected_version,
    get_or_404,
    resolve_user,
    serializes,
    set_etag,
)
from cxkeeper.core.crud import Crud
from cxkeeper.core.roles import ROLE_DESCRIPTIONS, role_of
from cxkeeper.org import actions
from cxkeeper.org.choices import Office, TeamFunction
from cxkeeper.org.models import ApiToken, GlossaryTerm, Team, Workspace
from cxkeeper.org.permissions import require_admin

# ---------------------------------------------------------------- workspace settings


@serializes(Workspace)
class WorkspaceOut(Schema):
    id: int
    name: str
    mission: str
    review_interval_days: int
    version: int
    created_at: datetime
    updated_at: datetime


class WorkspaceIn(VersionIn):
    name: str | None = None
    mission: str | None = None
    review_interval_days: int | None = Field(None, description="Admins only.")


workspace_router = Router(tags=["workspace"])


@workspace_router.get("", url_name="workspace", response={200: WorkspaceOut, **READ_ERRORS},
                      summary="Workspace settings")
def get_workspace(request, response: HttpResponse):
    workspace = Workspace.current()
    set_etag(response, workspace)
    return workspace


@workspace_router.patch("", url_name="workspace", response={200: WorkspaceOut, **WRITE_ERRORS},
                        summary="Change workspace settings")
def update_workspace(request, payload: WorkspaceIn):
    """Keepers change the name and mission; only admins change the review interval."""
    return actions.update_workspace(
        changes_of(payload), expected_version=expected_version(request, payload.version),
        acting_user=acting_user(request),
    )


# ---------------------------------------------------------------- glossary


@serializes(GlossaryTerm)
class GlossaryTermOut(Schema):
    id: int
    term: str
    definition: str
    version: int
    created_at: datetime
    updated_at: datetime


class GlossaryTermIn(Schema):
    term: str
    definition: str


class GlossaryTermPatch(VersionIn):
    term: str | None = None
    definition: str | None = None


class GlossaryFilters(Schema):
    q: str | None = Field(None, description="text in the term or its definition")

    def apply(self, terms):
        if self.q:
            terms = terms.filter(Q(term__icontains=self.q) | Q(definition__icontains=self.q))
        return terms


glossary_router = Router(tags=["glossary"])

(Crud(glossary_router, GlossaryTerm, name="glossary_term", plural="glossary_terms", out=GlossaryTermOut)
    .list(GlossaryFilters, summary="List glossary terms")
    .get(summary="Get a glossary term")
    .create(GlossaryTermIn, lambda values, acting_user: actions.add_glossary_term(
        values["term"], values["definition"], acting_user=acting_user), summary="Add a glossary term")
    .update(GlossaryTermPatch, actions.update_glossary_term, summary="Edit a glossary term")
    .delete(actions.delete_glossary_term, summary="Delete a glossary term")
    .history())


# ---------------------------------------------------------------- teams


@serializes(Team)
class TeamOut(Schema):
    id: int
    name: str
    slug: str
    function: str
    function_label: str
    office: str
    customer_facing: bool
    lead: str | None = Field(description="The team lead's username.")
    description: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_function_label(obj):
        return obj.get_function_display()

    @staticmethod
    def resolve_lead(obj):
        return obj.lead.get_username() if obj.lead_id else None


class TeamIn(Schema):
    name: str
    slug: str | None = Field(None, description="Made from the name when left out.")
    function: TeamFunction = TeamFunction.OTHER
    office: Office = Office.FRONT
    customer_facing: bool = True
    lead: str | None = Field(None, description="username")
    description: str = ""


class TeamPatch(VersionIn):
    name: str | None = None
    slug: str | None = None
    function: TeamFunction | None = None
    office: Office | None = None
    customer_facing: bool | None = None
    lead: str | None = Field(None, description="username; null clears")
    description: str | None = None


class TeamFilters(Schema):
    function: TeamFunction | None = None
    office: Office | None = None
    customer_facing: bool | None = None
    q: str | None = Field(None, description="text in the name or description")

    def apply(self, teams):
        if self.function:
            teams = teams.filter(function=self.function)
        if self.office:
            teams = teams.filter(office=self.office)
        if self.customer_facing is not None:
            teams = teams.filter(customer_facing=self.customer_facing)
        if self.q:
            teams = teams.filter(Q(name__icontains=self.q) | Q(description__icontains=self.q))
        return teams


TEAM_REFS = {"lead": resolve_user}

teams_router = Router(tags=["teams"])


def _teams():
    return Team.objects.select_related("lead")


(Crud(teams_router, Team, name="team", plural="teams", out=TeamOut, queryset=_teams, refs=TEAM_REFS)
    .list(TeamFilters, summary="List teams")
    .get(summary="Get a team")
    .create(TeamIn, actions.create_team, summary="Create a team (admin)")
    .update(TeamPatch, actions.update_team, summary="Edit a team (admin)")
    .delete(actions.delete_team, summary="Delete a team (admin)",
            description="Its responsibilities and handoffs are removed first, each recorded in history.")
    .history())


# ---------------------------------------------------------------- the caller


class TeamRefOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    may: str = Field(description="What the role may do, in words.")
    teams: list[TeamRefOut]


me_router = Router(tags=["me"])


@me_router.get("", url_name="me", response={200: MeOut, **READ_ERRORS}, summary="Who am I, my role and teams")
def get_me(request):
    user = acting_user(request)
    role = role_of(user)
    person = getattr(user, "person", None)
    return {
        "id": user.pk, "username": user.get_username(), "full_name": user.get_full_name(),
        "role": role.value, "may": ROLE_DESCRIPTIONS[role],
        "teams": list(person.teams.all()) if person is not None else [],
    }


# ---------------------------------------------------------------- API tokens


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    user: str = Field(description="The owner's username.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str = Field("", description="Why it stopped working: revoked by whom, expired, the "
                                                "owner's password changed, or its parent token stopped.")
    expires_at: datetime | None = Field(None, description="When it stops working by itself.")
    created_by: str = Field("", description="Who created it (an admin may create one for someone else).")
    parent: int | None = Field(None, description="The token it was created with, if any: it never outlives it.")

    @staticmethod
    def resolve_user(obj):
        return obj.user.get_username()

    @staticmethod
    def resolve_created_by(obj):
        return obj.created_by_label

    @staticmethod
    def resolve_parent(obj):
        return obj.parent_id


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown only now; store it safely. Send as “Authorization: Bearer …”.")


class TokenIn(Schema):
    name: str = Field(description="What will use it, e.g. “nightly export script”.")
    user: str | None = Field(None, description="username; admins only, to create a token for someone else")
    expires_at: datetime | None = Field(None, description="When it should stop working (default and longest: "
                                                          "CXKEEPER_TOKEN_MAX_DAYS, 365 days; never after "
                                                          "the token you call with).")


class TokenFilters(Schema):
    user: str | None = Field(None, description="username (admins only)")
    all: bool = Field(False, description="every user's tokens (admins only)")
    active: bool | None = Field(None, description="true: not revoked; false: revoked")


tokens_router = Router(tags=["tokens"])


@tokens_router.get("", url_name="tokens", response={200: list[TokenOut], **READ_ERRORS, 403: ErrorOut},
                   summary="List API tokens")
@paginate(ApiPagination)
def list_tokens(request, filters: Query[TokenFilters]):
    """Your own tokens; admins may list someone's (`user=`) or everyone's (`all=true`)."""
    me = acting_user(request)
    tokens = ApiToken.objects.select_related("user")
    if filters.all or (filters.user and filters.user != me.get_username()):
        require_admin(me, "list other people's API tokens")
        if filters.user:
            tokens = tokens.filter(user=resolve_user(filters.user, field="user"))
    else:
        tokens = tokens.filter(user=me)
    if filters.active is not None:
        tokens = tokens.filter(revoked_at__isnull=filters.active)
    return tokens


@tokens_router.post("", url_name="tokens", response={201: TokenCreatedOut, **WRITE_ERRORS},
                    summary="Create an API token")
def create_token(request, payload: TokenIn):
    me = acting_user(request)
    owner = resolve_user(payload.user, field="user") if payload.user else me
    token, secret = actions.create_api_token(owner, payload.name, acting_user=me, expires_at=payload.expires_at,
                                             via_token=getattr(me, "cxkeeper_token", None))
    token.secret = secret
    return 201, token


@tokens_router.delete("/{id}", url_name="token", response={204: None, **WRITE_ERRORS},
                      summary="Revoke an API token")
def revoke_token(request, id: int):
    """Your own, or anyone's for an admin. The token stops working at once."""
    actions.revoke_api_token(get_or_404(ApiToken, id), acting_user=acting_user(request))
    return 204, None

