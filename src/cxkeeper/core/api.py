"""What every API router shares: the API class, session authentication, errors as JSON with a
reason, pagination, optimistic-locking versions, looking up related objects by id or name, and
the history and notification endpoints. The CRUD endpoints built from these are in
`cxkeeper.core.crud`; token authentication is `cxkeeper.org.api_auth` (tokens are org's), and
the entry point `cxkeeper.api` wires the two ways of signing in.

Handlers stay thin: parse → look up (`get_or_404`, `resolve`) → call the same action the
pages call → return the object. Permission checks, versioning and history all live in the
actions, so a refused, stale or invalid API call fails exactly like the page would, and the
handlers registered by `install_error_handlers` turn those errors into HTTP answers.
"""


import json
import re
from datetime import datetime
from functools import wraps
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import models
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from cxkeeper.core.errors import Conflict, Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.core.params import MAX_OFFSET, parse_id
from cxkeeper.core.queries import notifications_for

# ---------------------------------------------------------------- the API and its operation ids


def operation_id(module: str, name: str) -> str:
    """The OpenAPI operation id of view `name` in `module`: `cxkeeper_org_api_list_teams`.

    Named for the app's api package (`cxkeeper.<app>.api`) even when the view lives in one of
    its modules (`cxkeeper.outcomes.api.kpis`), so splitting a module keeps every id."""
    module = re.sub(r"^(cxkeeper\.\w+\.api)\.\w+$", r"\1", module)
    return f"{module}_{name}".replace(".", "_")


class Api(NinjaAPI):
    """The NinjaAPI whose operation ids stay put when an app's api.py becomes a package, whose
    OpenAPI document lists every answer an operation can give (`document_every_answer`), and
    whose 405 is JSON like every other refusal."""

    def get_openapi_operation_id(self, operation) -> str:
        return operation_id(operation.view_func.__module__, operation.view_func.__name__)

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = OpenApiDocument(self, path_prefix)
        if schema.clashes:
            raise ImproperlyConfigured(
                f"Two different schemas share the name {', '.join(sorted(schema.clashes))} in the OpenAPI document: "
                "rename one (the document would describe one with the other's fields).")
        document_every_answer(schema)
        return schema

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _method_not_allowed_as_json(pattern.callback)
        return patterns


class OpenApiDocument(OpenAPISchema):
    """Ninja's OpenAPI document, minding one thing it does not: two schema classes of the same
    name (`PeriodOut` in two apps) end up as one component, the last one read, so the document
    would describe one endpoint's answer with another's fields. Such names are collected in
    `clashes`."""

    def add_schema_definitions(self, definitions: dict) -> None:
        clashes = self.__dict__.setdefault("clashes", set())
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                clashes.add(name)
        super().add_schema_definitions(definitions)

    @property
    def clashes(self) -> set[str]:
        return self.__dict__.get("clashes", set())


def _method_not_allowed_as_json(view):
    """Ninja answers a method a path does not have with a bare text 405; a client reading JSON
    gets `{"detail": …}` and the `Allow` header instead, like every other refusal."""

    @wraps(view)  # keeps `csrf_exempt`: the API does its own CSRF check (SessionAuth)
    def view_with_json_405(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            answer = JsonResponse({"detail": f"{request.method} is not allowed here; this path takes {allowed}."},
                                  status=405)
            answer["Allow"] = allowed
            return answer
        return response

    return view_with_json_405


# ---------------------------------------------------------------- authentication

UNAUTHENTICATED = "Authentication required: sign in, or send the credentials this API accepts."
BAD_CSRF = (
    "CSRF check failed: a signed-in browser session must send the “X-CSRFToken” header with the "
    "csrftoken cookie's value on POST/PATCH/DELETE. Scripts should use an API token instead."
)


def auth_problem(request: HttpRequest, detail: str) -> None:
    """Say why a credential was refused (e.g. a revoked token): the 401 answer gives this
    reason instead of the general one."""
    request._cxkeeper_auth_problem = detail


class SessionAuth(APIKeyCookie):
    """The browser UI's own calls: Django's session, with the CSRF check on unsafe methods.

    Unlike ninja's `django_auth`, an anonymous request is not CSRF-checked first, so it gets
    the 401 that says how to authenticate instead of a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, BAD_CSRF)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        return request.user if request.user.is_authenticated else None


def acting_user(request: HttpRequest):
    """The user the call acts as, whichever way it authenticated."""
    return request.auth


# ---------------------------------------------------------------- errors


class ErrorOut(Schema):
    detail: str = Field(description="Why the call failed, in words a person can act on.")


class InvalidOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Field name → what is wrong with it.")


class ConflictOut(Schema):
    detail: str
    current: dict[str, Any] | None = Field(description="The object as it is now: merge and retry.")


READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: InvalidOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ConflictOut}

# ---------------------------------------------------------------- every answer in the OpenAPI document

# What a call may be answered whatever its endpoint, declared once and added to every operation
# of the OpenAPI document (docs/decisions/0022-the-api-checked-by-its-own-schema.md), so no
# endpoint can leave one out. What only some endpoints answer — 403 on a read, 409 — they
# declare themselves (READ_ERRORS, WRITE_ERRORS).
EVERY_CALL = {
    401: (ErrorOut, "No valid credential: send an API token (Authorization: Bearer …) or a signed-in session."),
    404: (ErrorOut, "No such object (or no such path)."),
    422: (InvalidOut, "A parameter or a field is invalid; `errors` names each one."),
}
WRITES = {
    403: (ErrorOut, "Your role may not do this (the reason says who may), or a signed-in browser sent no "
                    "CSRF token."),
}
WITH_A_BODY = {
    400: (ErrorOut, "The request body cannot be read as the declared format (e.g. malformed JSON)."),
    413: (ErrorOut, "The request body is larger than the server accepts; send less per call."),
}
METHOD_NOT_ALLOWED = (
    "A method a path does not list is answered `405` with an `Allow` header naming the methods it "
    "takes and a JSON `detail`."
)
_SAFE_METHODS = {"get", "head", "options"}


def answers_of(method: str, operation: dict) -> dict[int, tuple[type[Schema], str]]:
    """The error answers an operation can give besides those it declares itself."""
    answers = dict(EVERY_CALL)
    if method.lower() not in _SAFE_METHODS:
        answers.update(WRITES)
    if "requestBody" in operation:
        answers.update(WITH_A_BODY)
    return answers


def document_every_answer(schema: dict) -> None:
    """Add to each operation of an OpenAPI document the answers of `answers_of` it does not
    declare yet (status, description, the error schema), and say how a 405 looks."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, InvalidOut, ConflictOut):
        if model.__name__ not in schemas:
            schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, (model, description) in sorted(answers_of(method, operation).items()):
                if str(status) not in responses and status not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
                    }
    info = schema.setdefault("info", {})
    if METHOD_NOT_ALLOWED not in info.get("description", ""):
        info["description"] = f"{info.get('description', '')}\n\n{METHOD_NOT_ALLOWED}".strip()

# model → output schema, so a 409 can show the current object the way GET shows it.
OUTPUT_SCHEMAS: dict[type[models.Model], type[Schema]] = {}


def serializes(model: type[models.Model]):
    """Class decorator for an output schema: `@serializes(Team) class TeamOut(Schema)`."""

    def register(schema: type[Schema]) -> type[Schema]:
        OUTPUT_SCHEMAS.setdefault(model, schema)
        return schema

    return register


def dump(obj: models.Model, request: HttpRequest | None = None) -> dict:
    schema = OUTPUT_SCHEMAS.get(type(obj))
    if schema is None:
        from cxkeeper.core.history import snapshot

        return {"id": obj.pk, **snapshot(obj)}
    return schema.from_orm(obj, context={"request": request}).model_dump(mode="json")


def _field_of(loc) -> str:
    """("body", "payload", "phrases", 0) → "phrases.0"; ("query", "limit") → "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in ("payload", "filters"):
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI, *, unauthenticated_detail: str = UNAUTHENTICATED) -> None:
    """Refused, stale and invalid calls as JSON answers. `unauthenticated_detail`: the 401's
    reason when no credential was sent (the entry point says which ones the API takes)."""

    def unauthenticated(request, exc):
        detail = getattr(request, "_cxkeeper_auth_problem", None) or unauthenticated_detail
        response = api.create_response(request, {"detail": detail}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="cxkeeper"'
        return response

    def forbidden(request, exc):
        reason = getattr(exc, "reason", None) or str(exc) or "You may not do this."
        return api.create_response(request, {"detail": reason}, status=403)

    def conflict(request, exc: Conflict):
        return api.create_response(
            request, {"detail": str(exc), "current": dump(exc.current, request)}, status=409
        )

    def invalid(request, exc: InvalidInput):
        return api.create_response(request, {"detail": str(exc), "errors": exc.errors}, status=422)

    def too_large(request, exc: RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return api.create_response(request, {"detail": (
            f"The request body is larger than {limit:,} bytes, the limit for a request (CXKEEPER_MAX_REQUEST_BYTES). "
            "Feedback goes in batches to POST /api/v1/imports/batch, which takes up to CXKEEPER_API_MAX_BATCH_BYTES."
        )}, status=413)

    def schema_invalid(request, exc: SchemaValidationError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field_of(error.get("loc", ())), []).append(str(error.get("msg", error)))
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    def unreadable(request, exc):
        return api.create_response(request, {"detail": str(exc) or "The request cannot be read."}, status=400)

    api.add_exception_handler(SuspiciousOperation, unreadable)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(Forbidden, forbidden)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(Conflict, conflict)
    api.add_exception_handler(InvalidInput, invalid)
    api.add_exception_handler(SchemaValidationError, schema_invalid)
    api.add_exception_handler(RequestDataTooBig, too_large)


# ---------------------------------------------------------------- look-ups


def get_or_404(model: type[models.Model], pk: int, queryset: models.QuerySet | None = None):
    obj = (queryset if queryset is not None else model.objects.all()).filter(pk=pk).first()
    if obj is None:
        raise HttpError(404, f"No {model._meta.verbose_name} with id {pk}.")
    return obj


def resolve(model: type[models.Model], value, *, field: str, names: tuple[str, ...] = ("name",)):
    """A related object named by id or by one of `names`; unknown → 422 naming `field`.

    `None` stays `None` (clears an optional relation)."""
    if value is None:
        return None
    pk = parse_id(value) if isinstance(value, int | str) else None
    if pk is not None:
        obj = model.objects.filter(pk=pk).first()
        if obj is not None:
            return obj
    if isinstance(value, str):
        for name in names:
            obj = model.objects.filter(**{f"{name}__iexact": value.strip()}).first()
            if obj is not None:
                return obj
    label = model._meta.verbose_name
    named = " or ".join(("id", *names))
    raise InvalidInput({field: f"No {label} with {named} “{value}”."})


def resolve_user(value, *, field: str):
    if value is None:
        return None
    return resolve(get_user_model(), value, field=field, names=("username",))


def resolve_refs(values: dict, refs: dict[str, Any]) -> dict:
    """Replace each `field: reference` in `values` with the object `refs[field](value, field=…)`."""
    return {k: (refs[k](v, field=k) if k in refs else v) for k, v in values.items()}


def ref(model: type[models.Model], *names: str):
    """A resolver for `resolve_refs`: by id, or by any of `names` (none: by id only)."""
    return lambda value, field: resolve(model, value, field=field, names=names)


# ---------------------------------------------------------------- versions (optimistic locking)


class VersionIn(Schema):
    version: int | None = Field(
        None, description="The version you read. Or send it as the `If-Match` header."
    )


def expected_version(request: HttpRequest, body_version: int | None = None) -> int:
    """The version the client edited: body `version`, `?version=`, or the `If-Match` header.

    Required: without it a write could silently overwrite someone else's change."""
    if body_version is not None:
        return body_version
    candidates = [request.GET.get("version"), request.headers.get("If-Match")]
    if request.body and request.content_type == "application/json":
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if isinstance(body, dict):
            candidates.insert(0, body.get("version"))
    for candidate in candidates:
        if candidate is None:
            continue
        version = parse_id(str(candidate).strip().removeprefix("W/").strip('"'))
        if version is not None:
            return version
        raise InvalidInput({"version": f"“{candidate}” is not a version number."})
    raise InvalidInput({
        "version": "Send the version you read (body “version” or the If-Match header) so nobody's "
                   "change is overwritten."
    })


def set_etag(response, obj) -> None:
    response["ETag"] = f'"{obj.version}"'


def changes_of(payload: Schema) -> dict:
    """Only the fields the client sent (PATCH semantics), without `version`."""
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return data


# ---------------------------------------------------------------- pagination


class ApiPagination(LimitOffsetPagination):
    """`?limit=&offset=`; answers `{"items": [...], "count": total}`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500, description="How many items (1–500).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


# ---------------------------------------------------------------- history


class FieldChangeOut(Schema):
    field: str
    before: Any = None
    after: Any = None


class ChangeOut(Schema):
    id: int
    at: datetime
    action: str
    object_type: str = Field(description="app_label.model, e.g. journeys.step")
    object_id: int
    object_repr: str
    actor: str = Field(description="Username, or “system” for the local CLI.")
    via: str = Field("", description="How the actor acted when not in person, e.g. through an API token "
                                     "someone else created for them; empty otherwise.")
    journey_id: int | None
    step_id: int | None
    changes: list[FieldChangeOut]
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @staticmethod
    def resolve_object_type(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_actor(obj):
        return obj.actor_label or "system"

    @staticmethod
    def resolve_changes(obj):
        return [{"field": f, "before": b, "after": a} for f, b, a in obj.changed_fields]


def _changes() -> models.QuerySet:
    return ChangeRecord.objects.select_related("content_type")


def _content_type(value: str, *, field: str) -> ContentType:
    app_label, _, model = value.lower().rpartition(".")
    candidates = ContentType.objects.filter(model=model, app_label__in=["core", "org", "journeys"])
    if app_label:
        candidates = candidates.filter(app_label=app_label)
    found = candidates.first()
    if found is None:
        raise InvalidInput({field: f"Unknown object type “{value}”; e.g. journeys.step, org.team."})
    return found


class HistoryFilters(Schema):
    object_type: str | None = Field(None, description="e.g. journeys.step or step")
    object_id: int | None = Field(None, description="with object_type: one object's history")
    journey: int | None = Field(None, description="everything inside a journey (id)")
    step: int | None = Field(None, description="everything about a step (id)")
    actor: str | None = Field(None, description="username")
    action: Literal["create", "update", "delete"] | None = None

    def apply(self, queryset: models.QuerySet) -> models.QuerySet:
        if self.object_type:
            queryset = queryset.filter(content_type=_content_type(self.object_type, field="object_type"))
        if self.object_id is not None:
            queryset = queryset.filter(object_id=self.object_id)
        if self.journey is not None:
            queryset = queryset.filter(journey_id=self.journey)
        if self.step is not None:
            queryset = queryset.filter(step_id=self.step)
        if self.actor:
            queryset = queryset.filter(actor_label=self.actor)
        if self.action:
            queryset = queryset.filter(action=self.action)
        return queryset


history_router = Router(tags=["history"])


@history_router.get("", url_name="history", response={200: list[ChangeOut], **READ_ERRORS},
                    summary="Change history")
@paginate(ApiPagination)
def list_history(request, filters: Query[HistoryFilters]):
    """Every recorded create/update/delete, newest first: who, when, before and after."""
    return filters.apply(_changes())


def add_history_endpoint(router: Router, model: type[models.Model], *, scope: str = "object") -> None:
    """`GET /{id}/history` on `router`. `scope`: "object" (that object), "journey" (everything
    inside the journey) or "step" (the step, its responsibilities and outgoing handoffs).

    History outlives the object: a deleted object's history is still answered."""
    name = model._meta.model_name

    @router.get(
        "/{id}/history",
        response={200: list[ChangeOut], **READ_ERRORS},
        operation_id=f"{name}_history",
        url_name=f"{name}_history",
        summary=f"History of a {model._meta.verbose_name}",
    )
    @paginate(ApiPagination)
    def object_history(request, id: int):
        if scope == "journey":
            records = _changes().filter(journey_id=id)
        elif scope == "step":
            records = _changes().filter(step_id=id)
        else:
            records = _changes().filter(content_type=ContentType.objects.get_for_model(model), object_id=id)
        if not model.objects.filter(pk=id).exists() and not records.exists():
            raise HttpError(404, f"No {model._meta.verbose_name} with id {id}.")
        return records


# ---------------------------------------------------------------- notifications


class NotificationOut(Schema):
    id: int
    message: str
    url: str
    created_at: datetime
    read_at: datetime | None
    change_id: int | None


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read")


class MarkedOut(Schema):
    marked: int


notifications_router = Router(tags=["notifications"])


def _own_notifications(request) -> models.QuerySet:
    return notifications_for(acting_user(request))


def _mark_read(queryset: models.QuerySet) -> int:
    # A person's own read marks are not workspace content: no version, no history row
    # (the notifications page marks them the same way).
    return queryset.filter(read_at__isnull=True).update(read_at=timezone.now())


@notifications_router.get("", url_name="notifications", response={200: list[NotificationOut], **READ_ERRORS},
                          summary="My notifications")
@paginate(ApiPagination)
def list_notifications(request, filters: Query[NotificationFilters]):
    queryset = _own_notifications(request)
    if filters.unread is not None:
        queryset = queryset.filter(read_at__isnull=filters.unread)
    return queryset


@notifications_router.post("/read", url_name="notifications_read", response={200: MarkedOut, **READ_ERRORS},
                           summary="Mark all as read")
def mark_all_notifications_read(request):
    return {"marked": _mark_read(_own_notifications(request))}


@notifications_router.post("/{id}/read", url_name="notification_read",
                           response={200: NotificationOut, **READ_ERRORS},
                           summary="Mark one as read")
def mark_notification_read(request, id: int):
    notification = get_or_404(Notification, id, _own_notifications(request))
    _mark_read(_own_notifications(request).filter(pk=id))
    notification.refresh_from_db()
    return notification
