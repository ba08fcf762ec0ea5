"""One CRUD path for the REST API (docs/decisions/0009-one-crud-path-for-the-api.md).

`Crud(router, Model, …)` registers a model's usual endpoints on its app's router, the same
way for every app (like NetBox's model viewsets); each method adds one endpoint:

    .list(Filters, …)        GET    ""               paginated (`ApiPagination`), filtered
    .get(…)                  GET    "/{id}"          the object, its version as the ETag
    .create(In, action, …)   POST   ""               201 and the new object
    .update(Patch, action, …) PATCH "/{id}"          only the fields sent
    .delete(action, …)       DELETE "/{id}"          204
    .history(scope)          GET    "/{id}/history"  `core.api.add_history_endpoint`

The handlers stay what they were by hand: look up (404) → resolve related objects named by
id or name (`refs`, 422 naming the field) → call the app's action with `acting_user` → answer.
Writes take the version the client read (body `version`, `?version=` or `If-Match`; without
one, 422) and hand it to the action as `expected_version`: the action compares it with the
row it holds under `select_for_update` (`core.actions.update_object` / `delete_object`), so a
stale write is a 409 with the current object, never a check on a copy read before the lock.
Permissions are the actions' too. Operation ids (`cxkeeper_<app>_api_<verb>_<name>`), URL
names (`name` for one object, `plural` for the collection), summaries, response codes and
error bodies (`READ_ERRORS` / `WRITE_ERRORS`) are the ones hand-written handlers had.

Endpoints that are not this shape (bulk operations, CSV, status changes, moves …) stay
hand-written on the same router, before or after these, in the order the router wants.
"""

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiPagination,
    acting_user,
    add_history_endpoint,
    changes_of,
    expected_version,
    get_or_404,
    operation_id,
    resolve_refs,
    set_etag,
)

QuerySetFactory = Callable[[], models.QuerySet]
Refs = dict[str, Callable[..., Any]]  # field → resolver(value, field=…), as for `core.api.resolve_refs`

_PARAM = inspect.Parameter


def _param(name: str, annotation, default=_PARAM.empty) -> inspect.Parameter:
    return _PARAM(name, _PARAM.KEYWORD_ONLY, annotation=annotation, default=default)


def _view(name: str, body: Callable[..., Any], params: list[inspect.Parameter], doc: str | None):
    """A view `name(request, **params)`: ninja reads its parameters from the signature, so the
    lookup's name and the schemas can be chosen per model."""

    def view(request: HttpRequest, **kwargs):
        return body(request, **kwargs)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    view.__signature__ = inspect.Signature(
        [_PARAM("request", _PARAM.POSITIONAL_OR_KEYWORD), *params])
    return view


class Crud:
    """The list / get / create / update / delete / history endpoints of one model.

    - `name`, `plural`: URL names and operation ids (`get_team`, `list_teams`).
    - `out`: the output schema (create and update answer with it; list and get by default).
    - `queryset`: what list and get read (and a re-read after a write) — select_related etc.;
      default `Model.objects.all()`. `write_queryset`: how update and delete find the object
      they hand to the action; default `Model.objects.all()`.
    - `refs`: related objects in create and update bodies, named by id or name.
    - `lookup`: "id" (`/{id}`, an integer) or another unique field such as "slug" (`/{slug}`).
    """

    def __init__(self, router: Router, model: type[models.Model], *, name: str, plural: str,
                 out: type[Schema], queryset: QuerySetFactory | None = None,
                 write_queryset: QuerySetFactory | None = None, refs: Refs | None = None,
                 lookup: str = "id"):
        self.router = router
        self.model = model
        self.name = name
        self.plural = plural
        self.out = out
        self.queryset = queryset or model.objects.all
        self.write_queryset = write_queryset or model.objects.all
        self.refs = refs or {}
        self.lookup = lookup
        self.path = f"/{{{lookup}}}"
        self.module = f"{model._meta.app_config.name}.api"

    # ------------------------------------------------------------ look-ups

    def find(self, key, queryset: models.QuerySet | None = None) -> models.Model:
        """The object at `key` (the lookup's value) in `queryset`; 404 with a reason if none."""
        queryset = queryset if queryset is not None else self.queryset()
        if self.lookup == "id":
            return get_or_404(self.model, key, queryset)
        obj = queryset.filter(**{self.lookup: key}).first()
        if obj is None:
            raise HttpError(404, f"No {self.model._meta.verbose_name} with {self.lookup} “{key}”.")
        return obj

    def reread(self, obj: models.Model) -> models.Model:
        """`obj` as list and get read it (with what `queryset` prefetches)."""
        return get_or_404(self.model, obj.pk, self.queryset())

    def _key_param(self) -> inspect.Parameter:
        return _param(self.lookup, int if self.lookup == "id" else str)

    def _register(self, method: str, path: str, verb: str, name: str, body, params, *, url_name: str,
                  response: dict, summary: str, description: str | None, paginated: bool = False) -> None:
        function = f"{verb}_{name}"
        view = _view(function, body, params, description)
        if paginated:
            view = paginate(ApiPagination)(view)
        self.router.api_operation(
            [method], path, response=response, summary=summary, url_name=url_name,
            operation_id=operation_id(self.module, function),
        )(view)

    # ------------------------------------------------------------ endpoints

    def list(self, filters: type[Schema], *, summary: str, description: str | None = None,
             query: Callable[[Schema], Iterable] | None = None) -> "Crud":
        """GET "": `filters` are query parameters; `filters.apply(queryset)` narrows the list,
        or `query(filters)` makes it when the app has its own query for it."""

        def body(request, filters):
            return query(filters) if query is not None else filters.apply(self.queryset())

        self._register("GET", "", "list", self.plural, body, [_param("filters", Query[filters])],
                       url_name=self.plural, response={200: list[self.out], **READ_ERRORS}, summary=summary,
                       description=description, paginated=True)
        return self

    def get(self, *, summary: str, out: type[Schema] | None = None, queryset: QuerySetFactory | None = None,
            description: str | None = None) -> "Crud":
        """GET "/{id}": `out`/`queryset` for a detail view richer than the list's."""

        def body(request, response, **key):
            obj = self.find(key[self.lookup], (queryset or self.queryset)())
            set_etag(response, obj)
            return obj

        self._register("GET", self.path, "get", self.name, body,
                       [self._key_param(), _param("response", HttpResponse)],
                       url_name=self.name, response={200: out or self.out, **READ_ERRORS}, summary=summary,
                       description=description)
        return self

    def create(self, schema: type[Schema], action: Callable[..., models.Model], *, summary: str,
               description: str | None = None, reread: bool = False, exclude_none: bool = True) -> "Crud":
        """POST "": `action(values, acting_user=…)` with the body's fields (left-out optional
        ones dropped unless `exclude_none=False`) and `refs` resolved; 201 with the object
        (`reread`: as `queryset` reads it)."""

        def body(request, payload):
            values = resolve_refs(payload.dict(exclude_none=exclude_none), self.refs)
            obj = action(values, acting_user=acting_user(request))
            return 201, (self.reread(obj) if reread else obj)

        self._register("POST", "", "create", self.name, body, [_param("payload", schema)],
                       url_name=self.plural, response={201: self.out, **WRITE_ERRORS}, summary=summary,
                       description=description)
        return self

    def update(self, schema: type[Schema], action: Callable[..., models.Model], *, summary: str,
               description: str | None = None, reread: bool = False) -> "Crud":
        """PATCH "/{id}": `action(obj, changes, expected_version=…, acting_user=…)` with only the
        fields sent (`schema` is a `VersionIn`); a stale version is the action's 409."""

        def body(request, payload, **key):
            obj = self.find(key[self.lookup], self.write_queryset())
            changes = resolve_refs(changes_of(payload), self.refs)
            version = expected_version(request, payload.version)
            result = action(obj, changes, expected_version=version, acting_user=acting_user(request))
            return self.reread(result) if reread else result

        self._register("PATCH", self.path, "update", self.name, body,
                       [self._key_param(), _param("payload", schema)],
                       url_name=self.name, response={200: self.out, **WRITE_ERRORS}, summary=summary,
                       description=description)
        return self

    def delete(self, action: Callable[..., Any], *, summary: str, description: str | None = None) -> "Crud":
        """DELETE "/{id}": `action(obj, expected_version=…, acting_user=…)`; the version from
        `?version=`, the JSON body or If-Match."""

        def body(request, version=None, **key):
            obj = self.find(key[self.lookup], self.write_queryset())
            action(obj, expected_version=expected_version(request, version), acting_user=acting_user(request))
            return 204, None

        self._register("DELETE", self.path, "delete", self.name, body,
                       [self._key_param(), _param("version", int | None, None)],
                       url_name=self.name, response={204: None, **WRITE_ERRORS}, summary=summary,
                       description=description)
        return self

    def history(self, scope: str = "object") -> "Crud":
        """GET "/{id}/history" (by id whatever the lookup: history outlives the object).
        `scope`: "object", "journey" or "step", as for `core.api.add_history_endpoint`."""
        add_history_endpoint(self.router, self.model, scope=scope)
        return self
