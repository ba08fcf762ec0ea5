"""The universal CX language (`/api/v1/language`): the mission (North Star) with who changed
it and when, and the success statements; the glossary is /api/v1/glossary."""

import datetime as dt

from ninja import Field, Router, Schema

from cxkeeper.core.api import READ_ERRORS
from cxkeeper.org.models import Workspace
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.api.schemas import PREFIX, SuccessStatementOut


class MissionChangeOut(Schema):
    id: int = Field(description="the history row (see /history)")
    at: dt.datetime
    actor: str = Field(description="username, or “system”")
    before: str | None
    after: str | None


class LanguageOut(Schema):
    mission: str = Field(description="the North Star")
    mission_history: list[MissionChangeOut] = Field(description="newest first")
    success_statements: list[SuccessStatementOut]
    glossary_url: str = Field(description="the glossary in this API")


language_router = Router(tags=["outcomes"])


@language_router.get("", url_name="language", response={200: LanguageOut, **READ_ERRORS},
                     summary="The CX language: mission, who changed it and when, success statements")
def get_language(request):
    history = [{"id": r.pk, "at": r.at, "actor": r.actor_label or "system",
                "before": (r.before or {}).get("mission"), "after": (r.after or {}).get("mission")}
               for r in queries.mission_history()]
    return {"mission": Workspace.current().mission, "mission_history": history,
            "success_statements": list(queries.success_statements()),
            "glossary_url": f"{PREFIX}/glossary"}
