"""The OpenAPI 3.1 description of the JSON API, served at ``GET /api/openapi.json`` (public).

Each operation is a dict in :data:`OPERATIONS` keyed by ``(METHOD, Flask rule)``, exactly
as the rule appears in ``app.url_map``; :func:`register` adds one
(:func:`web.contract.api_operation` calls it as a view module is imported). :func:`build`
walks the app's url_map and writes the document: path parameters come from the rule
(``<int:x>`` is an integer, an ``<any(a, b):x>`` part becomes one concrete path per
value), the error answers from the operation's ``errors`` list (all share the schema
``Error``), the security from ``auth``. :func:`undocumented` lists the ``/api`` rules
without a spec: the tests require it to be empty, so a new endpoint cannot go undocumented.

Operations are declared with :func:`web.contract.api_operation`, which registers them
here: request bodies and query strings are the pydantic models' JSON Schemas, answers the
models of :mod:`web.answers` (the layers' feature properties from
:data:`rescue.catalog.PROPERTIES`) or of the view modules; the plan files (GPX, KML) are
text. Schemas
describe what the server really accepts and answers (schemathesis checks the answers
against them in ``tests/security/test_schemathesis.py``, ``tests/web/test_answers.py``
validates real answers against the declared models, and in tests :mod:`web.answer_check`
checks every 2xx answer against its operation's ``ok``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeGuard

from flask import Flask
from pydantic import BaseModel

from rescue.users import ROLES
from web import answers
from web.bodies import MAX_INT

__all__ = [
    "EDIT_ERRORS",
    "GEOJSON",
    "INT",
    "JSON",
    "OPERATIONS",
    "PLAN_FILES",
    "ROLES",
    "build",
    "document",
    "geojson_media",
    "json_media",
    "obj",
    "query_schemas",
    "ref",
    "register",
    "undocumented",
]

JSON = "application/json"
GEOJSON = "application/geo+json"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: (METHOD, Flask rule) -> operation: ``summary``, ``auth`` ("public" or the roles besides
#: admin), ``query`` (name -> JSON Schema), ``body`` (JSON Schema, or ``{"multipart": ...}``),
#: ``ok`` (status -> (media type -> schema) or None for no content), ``errors`` (statuses)
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}


def register(method: str, rule: str, spec: dict[str, Any]) -> None:
    """Document the operation ``method`` on the Flask ``rule`` (e.g. ``"/api/incidents"``)."""
    OPERATIONS[(method.upper(), rule)] = spec


# --------------------------------------------------------------------------- schemas
def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(
    props: dict[str, Any], *, required: Iterable[str] = (), extra: bool = True
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, "required": list(required)}
    if not extra:
        schema["additionalProperties"] = False
    return schema


STR = {"type": "string"}
INT = {"type": "integer", "minimum": -MAX_INT, "maximum": MAX_INT}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
OBJ = {"type": "object"}
NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}
NULL_NUM = {"type": ["number", "null"]}
NULL_OBJ = {"type": ["object", "null"]}
STR_LIST = {"type": "array", "items": STR}


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Error": obj(
            {
                "error": obj(
                    {
                        "status": INT,
                        "code": STR,
                        "message": STR,
                        "details": STR_LIST,
                        "data": OBJ,
                    },
                    required=("status", "code", "message"),
                )
            },
            required=("error",),
        ),
    }
    for model in (*answers.MODELS, *_models()):
        for name, schema in _pydantic(model).items():
            if schemas.setdefault(name, schema) != schema:
                raise ValueError(f"two schemas are called {name}: rename one model")
    return schemas


def _pydantic(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema and those it refers to, as components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {model.__name__: schema, **defs}


# --------------------------------------------------------------------------- operations
_READERS = ("call_taker", "officer", "planner")
_DISPATCH = ("call_taker", "officer")
_CLOSERS = ("officer", "planner")
_PLANNING = ("officer", "planner")
_PLANNERS = ("planner",)
_ADMIN: tuple[str, ...] = ()


def json_media(schema: dict[str, Any] | type[BaseModel]) -> dict[str, Any]:
    return {JSON: schema}


def geojson_media(schema: dict[str, Any] | type[BaseModel]) -> dict[str, Any]:
    return {GEOJSON: schema}


EDIT_ERRORS = (404, 409, 413, 422)

#: a plan as GPX or KML
PLAN_FILES = {
    "application/gpx+xml": {"type": "string"},
    "application/vnd.google-earth.kml+xml": {"type": "string"},
}
# --------------------------------------------------------------------------- the document
_PART = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _paths_of(rule: str) -> list[tuple[str, dict[str, str], list[dict[str, Any]]]]:
    """The OpenAPI paths of a Flask rule: (path, values of expanded ``any`` parts, parameters)."""
    results: list[tuple[str, dict[str, str], list[dict[str, Any]]]] = [(rule, {}, [])]
    for match in _PART.finditer(rule):
        conv, name = match.group("conv"), match.group("name")
        expanded = []
        for path, fixed, params in results:
            if conv == "any":
                for value in (v.strip() for v in match.group("args").split(",")):
                    expanded.append(
                        (path.replace(match.group(0), value, 1), {**fixed, name: value}, params)
                    )
                continue
            schema: dict[str, Any] = (
                {"type": "integer", "minimum": 0, "maximum": MAX_INT}
                if conv == "int"
                else {"type": "string"}
            )
            param = {"name": name, "in": "path", "required": True, "schema": schema}
            expanded.append(
                (path.replace(match.group(0), "{" + name + "}", 1), fixed, [*params, param])
            )
        results = expanded
    return results


_ERROR_TEXT = {
    400: "the request cannot be read",
    401: "not signed in",
    403: "another role, or an unsafe request without the session's CSRF token (code csrf)",
    404: "no such resource",
    409: "a conflict: stale base version or revision, an existing name, no route",
    413: "the body is too large",
    415: "the body is not application/json",
    422: "invalid input: the message and details name every problem",
    429: "too many failed log-ins, or too many event streams (Retry-After)",
}


def _operation(
    method: str, path: str, spec: dict[str, Any], fixed: dict[str, str]
) -> dict[str, Any]:
    auth = spec.get("auth", "public")
    errors = set(spec.get("errors", ()))
    if auth != "public":
        errors |= {401, 403}  # anonymous; another role, or no CSRF token on a write
    op: dict[str, Any] = {
        "operationId": re.sub(r"[^A-Za-z0-9]+", "_", f"{method.lower()}{path}").strip("_"),
        "summary": spec["summary"],
        "x-roles": "anyone" if auth == "public" else ["admin", *auth],
    }
    if auth == "public":
        op["security"] = []
    elif method in UNSAFE:
        op["security"] = [{"session": [], "csrf": []}]
    else:
        op["security"] = [{"session": []}]
    params = _query_parameters(spec.get("query_model") or spec.get("query"))
    if params:
        op["parameters"] = params
    body = spec.get("body_model") or spec.get("body")
    if _is_model(body):
        op["requestBody"] = {
            "required": not spec.get("body_optional", False),
            "content": {JSON: {"schema": ref(body.__name__)}},
        }
    elif body is not None:
        if "multipart" in body:
            content = {"multipart/form-data": {"schema": body["multipart"]}}
        else:
            content = {JSON: {"schema": body}}
        op["requestBody"] = {"required": not spec.get("body_optional", False), "content": content}
    responses: dict[str, Any] = {}
    for status, media in spec["ok"].items():
        if media is None:
            responses[str(status)] = {"description": "done, no content"}
            continue
        if _is_model(media):
            media = json_media(media)
        if "layer" in fixed and GEOJSON in media and media[GEOJSON] == OBJ:
            media = geojson_media(answers.LAYER_FEATURES[fixed["layer"]])
        responses[str(status)] = {
            "description": "success",
            "content": {
                m: {"schema": ref(s.__name__) if _is_model(s) else s} for m, s in media.items()
            },
        }
    for status in sorted(errors):
        responses[str(status)] = {
            "description": _ERROR_TEXT[status],
            "content": {JSON: {"schema": ref("Error")}},
        }
    op["responses"] = responses
    return op


def _is_model(value: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _query_parameters(query: Any) -> list[dict[str, Any]]:
    """The query parameters of an operation: a pydantic model's fields, or name -> schema."""
    if query is None:
        return []
    if not _is_model(query):
        return [
            {"name": q, "in": "query", "required": False, "schema": schema}
            for q, schema in query.items()
        ]
    schema = query.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        param = {"name": name, "in": "query", "required": name in required}
        description = prop.pop("description", None)
        if description:
            param["description"] = description
        prop.pop("title", None)
        params.append({**param, "schema": _not_null(prop)})
    return params


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without pydantic's ``null`` of an optional field (a
    parameter is absent, never null)."""
    options = [o for o in schema.get("anyOf", ()) if o != {"type": "null"}]
    if "anyOf" in schema and len(options) == 1:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return {**options[0], **rest}
    default = schema.get("default")
    mismatched = (schema.get("type") == "string" and not isinstance(default, str)) or (
        "enum" in schema and default not in schema["enum"]
    )
    if "default" in schema and (default is None or mismatched):
        return {k: v for k, v in schema.items() if k != "default"}
    return schema


def query_schemas(model: type[BaseModel]) -> dict[str, Any]:
    """The query parameters of ``model``: name -> JSON Schema."""
    return {param["name"]: param["schema"] for param in _query_parameters(model)}


def _models() -> list[type[BaseModel]]:
    """The pydantic models of the registered operations' bodies and answers."""
    found: dict[str, type[BaseModel]] = {}
    for spec in OPERATIONS.values():
        answers_ = [
            m
            for media in spec.get("ok", {}).values()
            for m in ([media] if _is_model(media) else (media or {}).values())
        ]
        for value in (spec.get("body_model"), *answers_):
            if _is_model(value):
                if found.setdefault(value.__name__, value) is not value:
                    raise ValueError(f"two models are called {value.__name__}: rename one")
    return list(found.values())


def _api_rules(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if (rule.rule + "/").startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


def undocumented(app: Flask) -> list[tuple[str, str]]:
    """The ``(method, rule)`` pairs under ``/api`` that have no spec in :data:`OPERATIONS`."""
    return [key for key in _api_rules(app) if key not in OPERATIONS]


def build(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``'s documented ``/api`` routes."""
    paths: dict[str, dict[str, Any]] = {}
    for method, rule in _api_rules(app):
        spec = OPERATIONS.get((method, rule))
        if spec is None:
            continue
        for path, fixed, params in _paths_of(rule):
            item = paths.setdefault(path, {})
            if params:
                item["parameters"] = params
            item[method.lower()] = _operation(method, path, spec, fixed)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sandtable",
            "version": "1",
            "description": (
                "Rescue coordination for the Mount Kailash pilgrim circuit. Sign in with "
                "POST /api/login; send the session cookie, and on POST, PUT, PATCH and "
                "DELETE the csrf_token of the log-in answer in X-CSRF-Token. Errors are "
                '{"error": {"status", "code", "message", "details"}}. '
                "Admins may call every operation; x-roles lists who else may."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
    }


def document(app: Flask) -> dict[str, Any]:
    """The document of ``app``, built once."""
    state = app.extensions.setdefault("sandtable_openapi", {})
    if "document" not in state:
        state["document"] = build(app)
    return state["document"]  # type: ignore[no-any-return]
