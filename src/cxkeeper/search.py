"""Search everything (issue 14): steps, teams, journeys, outcomes, KPIs, friction points,
initiatives, council decisions, glossary, feedback — and, for admins, people.

An entry point above every app (like `home`), because one search spans them all, up to
governance, and no app may import the ones above it (docs/decisions/0031). It only reads:
each kind is one bounded query (`limit` hits, one more fetched to know there are more),
matched case-insensitively as a substring, name matches first. The page (`/search/?q=`) and
the API (`/api/v1/search?q=`) answer from the same `search()`; who may see a kind is data
(`Kind.roles`), checked for every kind on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Field, Query, Router, Schema

from cxkeeper.core.api import READ_ERRORS
from cxkeeper.core.roles import Role, role_of
from cxkeeper.core.text_rules import without_control_characters
from cxkeeper.governance import queries as governance_queries
from cxkeeper.initiatives import queries as initiative_queries
from cxkeeper.insights import queries as insight_queries
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import GlossaryTerm, Person, Team
from cxkeeper.outcomes.models import SharedOutcome, TeamKpi

MIN_LENGTH = 2
MAX_LENGTH = 100
LIMIT_PER_KIND = 8     # on the page with every kind, and the API's default
MAX_LIMIT = 50         # one kind at a time ("show more"), and the API's ceiling
SNIPPET = 160          # characters of context around a match
EVERYONE = tuple(Role)


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    context: str = ""   # where it is: "Join & get connected › Order", a team, a date
    snippet: str = ""   # the matching text, shortened around the match (plain text: escape it)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    find: Callable[[str, int], tuple[list[Hit], bool]]  # (q, limit) → (hits, more beyond them)
    roles: tuple[str, ...] = EVERYONE
    all_url: Callable[[str], str] | None = None          # the kind's own list, filtered, if it has one


@dataclass(frozen=True)
class KindResults:
    kind: Kind
    q: str
    hits: list[Hit]
    more: bool

    @property
    def more_url(self) -> str:
        """This kind alone, up to MAX_LIMIT hits."""
        return reverse("search") + "?" + urlencode({"q": self.q, "kind": self.kind.key})

    @property
    def list_url(self) -> str | None:
        """The kind's own page, filtered by the query, where it has one (all hits, paginated)."""
        return self.kind.all_url(self.q) if self.kind.all_url is not None else None


def snippet(text: str, q: str, width: int = SNIPPET) -> str:
    """A piece of `text` around the first match of `q`, with "…" where it was cut."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    at = text.lower().find(q.lower())
    start = 0 if at < 0 else max(0, min(at - width // 3, len(text) - width))
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def _name_first(rows: QuerySet, name_field: str, q: str, *order) -> QuerySet:
    """Rows whose name matches before rows that match only elsewhere."""
    return rows.annotate(_search_rank=Case(When(**{f"{name_field}__icontains": q}, then=Value(0)),
                                           default=Value(1), output_field=IntegerField())
                         ).order_by("_search_rank", *order)


def _bounded(rows: QuerySet, limit: int) -> tuple[list, bool]:
    found = list(rows[:limit + 1])
    return found[:limit], len(found) > limit


def _matching(field_names: tuple[str, ...], q: str) -> Q:
    match = Q()
    for name in field_names:
        match |= Q(**{f"{name}__icontains": q})
    return match


def _first_matching(q: str, *texts: str) -> str:
    for text in texts:
        if text and q.lower() in text.lower():
            return text
    return ""


def find_steps(q: str, limit: int):
    rows = _name_first(Step.objects.filter(_matching(("name", "description", "phrases"), q))
                       .select_related("stage__journey"), "name", q, "name", "pk")
    found, more = _bounded(rows, limit)
    return [Hit(s.name, s.get_absolute_url(), f"{s.stage.journey.name} › {s.stage.name}",
                snippet(_first_matching(q, s.description, *(s.phrases or [])), q)) for s in found], more


def find_teams(q: str, limit: int):
    rows = _name_first(Team.objects.filter(_matching(("name", "description"), q)), "name", q, "name")
    found, more = _bounded(rows, limit)
    return [Hit(t.name, t.get_absolute_url(), t.get_function_display(), snippet(t.description, q)) for t in found], more


def find_journeys(q: str, limit: int):
    rows = _name_first(Journey.objects.filter(_matching(("name", "description"), q)), "name", q, "name")
    found, more = _bounded(rows, limit)
    return [Hit(j.name, j.get_absolute_url(), j.get_status_display(), snippet(j.description, q)) for j in found], more


def find_outcomes(q: str, limit: int):
    rows = _name_first(SharedOutcome.objects.filter(_matching(("name", "description"), q)), "name", q, "name")
    found, more = _bounded(rows, limit)
    return [Hit(o.name, o.get_absolute_url(), "shared outcome", snippet(o.description, q)) for o in found], more


def find_kpis(q: str, limit: int):
    rows = _name_first(TeamKpi.objects.filter(_matching(("name", "description"), q)).select_related("team"),
                       "name", q, "team__name", "name")
    found, more = _bounded(rows, limit)
    return [Hit(k.name, k.get_absolute_url(), k.team.name, snippet(k.description, q)) for k in found], more


def find_friction_points(q: str, limit: int):
    rows = _name_first(initiative_queries.friction_points().filter(_matching(("title", "description"), q)),
                       "title", q, "-pk")
    found, more = _bounded(rows, limit)
    return [Hit(f.title, f.get_absolute_url(), f.get_status_display(), snippet(f.description, q))
            for f in found], more


def find_initiatives(q: str, limit: int):
    rows = _name_first(initiative_queries.initiatives().filter(_matching(("title", "description"), q)),
                       "title", q, "-pk")
    found, more = _bounded(rows, limit)
    return [Hit(i.title, i.get_absolute_url(), i.get_status_display(), snippet(i.description, q))
            for i in found], more


def find_decisions(q: str, limit: int):
    rows = _name_first(governance_queries.decisions(q=q), "statement", q, "-decided_on", "-pk")
    found, more = _bounded(rows, limit)
    hits = []
    for d in found:
        when = d.decided_on.isoformat() if d.decided_on else d.get_status_display()
        hits.append(Hit(d.statement, d.get_absolute_url(), f"{d.council.name} · {when}",
                        snippet(_first_matching(q, d.rationale, *(str(o) for o in d.options or [])), q)))
    return hits, more


def find_glossary(q: str, limit: int):
    rows = _name_first(GlossaryTerm.objects.filter(_matching(("term", "definition"), q)), "term", q, "term")
    found, more = _bounded(rows, limit)
    return [Hit(t.term, t.get_absolute_url(), "glossary", snippet(t.definition, q)) for t in found], more


def find_feedback(q: str, limit: int):
    """Verbatims containing `q`, newest first: the explorer's own query (`feedback_list`)."""
    found, more = _bounded(insight_queries.feedback_list(q=q).order_by("-received_at", "-pk"), limit)
    hits = []
    for f in found:
        where = f"{f.step.stage.journey.name} › {f.step.name}" if f.step_id else "not routed to a step"
        url = (reverse("insights:step", args=[f.step_id]) if f.step_id
               else reverse("insights:feedback") + "?" + urlencode({"q": q}))
        hits.append(Hit(snippet(f.text, q), url, f"{f.received_at:%Y-%m-%d} · {f.channel} · {where}"))
    return hits, more


def find_people(q: str, limit: int):
    rows = (Person.objects.filter(_matching(("user__username", "user__first_name", "user__last_name",
                                             "user__email"), q))
            .select_related("user").order_by("user__username"))
    found, more = _bounded(rows, limit)
    return [Hit(p.user.get_full_name() or p.user.get_username(), reverse("org:person_edit", args=[p.pk]),
                f"{p.user.get_username()} · {p.get_role_display()}") for p in found], more


def _list(name: str, param: str = "q") -> Callable[[str], str]:
    return lambda q: reverse(name) + "?" + urlencode({param: q})


KINDS: tuple[Kind, ...] = (
    Kind("steps", "Steps", find_steps),
    Kind("journeys", "Journeys", find_journeys),
    Kind("teams", "Teams", find_teams),
    Kind("outcomes", "Shared outcomes", find_outcomes),
    Kind("kpis", "Team KPIs", find_kpis),
    Kind("friction_points", "Friction points", find_friction_points),
    Kind("initiatives", "Initiatives", find_initiatives),
    Kind("decisions", "Council decisions", find_decisions, all_url=_list("governance:decisions")),
    Kind("glossary", "Glossary", find_glossary),
    Kind("feedback", "Feedback", find_feedback, all_url=_list("insights:feedback")),
    Kind("people", "People", find_people, roles=(Role.ADMIN,)),
)
KIND_KEYS = tuple(k.key for k in KINDS)


def kinds_for(user) -> list[Kind]:
    """The kinds this person may search (every role reads the workspace; people: admins)."""
    role = role_of(user)
    return [k for k in KINDS if role in k.roles]


def clean_query(q: str | None) -> str:
    """Control characters (NUL breaks PostgreSQL) become spaces, runs of space one."""
    return " ".join(without_control_characters(q or "").split())[:MAX_LENGTH]


def search(user, q: str, *, kind: str | None = None, limit: int = LIMIT_PER_KIND) -> list[KindResults]:
    """Every kind the person may see that has a hit, in `KINDS` order; `kind` narrows to one.
    A query shorter than MIN_LENGTH finds nothing (it would match almost everything)."""
    q = clean_query(q)
    limit = max(1, min(limit, MAX_LIMIT))
    if len(q) < MIN_LENGTH:
        return []
    results = []
    for k in kinds_for(user):
        if kind and k.key != kind:
            continue
        hits, more = k.find(q, limit)
        if hits:
            results.append(KindResults(k, q, hits, more))
    return results


# ---------------------------------------------------------------- the page


def search_page(request):
    q = clean_query(request.GET.get("q"))
    kind = request.GET.get("kind") or None
    if kind not in KIND_KEYS:
        kind = None
    allowed = [k.key for k in kinds_for(request.user)]
    if kind and kind not in allowed:
        kind = None
    results = search(request.user, q, kind=kind, limit=MAX_LIMIT if kind else LIMIT_PER_KIND)
    return render(request, "search.html", {
        "search_query": q, "results": results, "kind": kind, "too_short": 0 < len(q) < MIN_LENGTH,
        "min_length": MIN_LENGTH, "searched": [k.label for k in kinds_for(request.user) if not kind or k.key == kind],
        "total": sum(len(r.hits) for r in results),
    })


# ---------------------------------------------------------------- the API (/api/v1/search)


class HitOut(Schema):
    title: str
    url: str = Field(description="the page of the thing found")
    context: str = Field(description="where it is: journey › stage, team, council and date …")
    snippet: str = Field(description="the matching text, shortened around the match (plain text)")


class KindOut(Schema):
    kind: str = Field(description=f"one of {', '.join(KIND_KEYS)}")
    label: str
    hits: list[HitOut]
    more: bool = Field(description="more hits than `limit`: narrow the query or ask for this kind alone")


class SearchOut(Schema):
    q: str = Field(description="the query as searched (spaces collapsed)")
    kinds: list[KindOut] = Field(description="kinds with at least one hit, in a fixed order; "
                                             "people only for admins")


class SearchParams(Schema):
    q: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH,
                   description="text to find (case-insensitive substring)")
    kind: str | None = Field(None, pattern="^(" + "|".join(KIND_KEYS) + ")$", description="only this kind")
    limit: int = Field(LIMIT_PER_KIND, ge=1, le=MAX_LIMIT, description="hits per kind at most")


search_router = Router(tags=["search"])


@search_router.get("", url_name="search", response={200: SearchOut, **READ_ERRORS},
                   summary="Search steps, teams, journeys, outcomes, KPIs, friction points, initiatives, "
                           "decisions, glossary and feedback")
def get_search(request, params: Query[SearchParams]):
    q = clean_query(params.q)
    results = search(request.auth, q, kind=params.kind, limit=params.limit) if len(q) >= MIN_LENGTH else []
    return {"q": q, "kinds": [{"kind": r.kind.key, "label": r.kind.label, "more": r.more,
                               "hits": [h.__dict__ for h in r.hits]} for r in results]}
