"""API authentication with a personal token (`org.ApiToken`): `Authorization: Bearer cxk_…`.

Tokens are org's (model, actions, the /tokens endpoints), so their authentication class is
too; `cxkeeper.core.api` keeps only the generic session authentication and the 401 answer.
The entry point (`cxkeeper.api`) puts the two together."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from cxkeeper.core.api import auth_problem
from cxkeeper.org.actions import user_for_token

UNAUTHENTICATED = (
    "Authentication required: send “Authorization: Bearer <token>” with a personal API token "
    "(POST /api/v1/tokens while signed in creates one), or call from a signed-in browser session."
)
BAD_TOKEN = "This API token is unknown or has been revoked; create a new one (POST /api/v1/tokens)."  # noqa: S105


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer cxk_…`: a personal token from `org.ApiToken`; it acts as its owner."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token.strip())
        if user is None:
            auth_problem(request, BAD_TOKEN)
            return None
        request.user = user
        return user
