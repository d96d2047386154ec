"""Request models -> one bilingual refusal naming every problem.

Request bodies and query strings are declared as pydantic models (:mod:`web.contract`
for the API, :class:`rescue.incidents.IncidentCreate`, :class:`rescue.closures.ClosureBody`
…). :func:`read` validates data against one and raises a single
:class:`~geodata.errors.InvalidInput` whose ``details`` list every problem in English and
Chinese. A problem's text is, in this order: the catalog text a validator raised with
:func:`problem`; the text the model maps the error to in ``problem_texts`` (``(error
type, field)``, field ``"*"`` for any); the generic :func:`field_problem` (``field 'x':
must be at most 100``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, joined, msg, render

__all__ = ["Checked", "ProblemText", "field_problem", "problem", "problems", "read"]

M = TypeVar("M", bound=BaseModel)
#: a pydantic error (an item of ``ValidationError.errors()``) -> its text
ProblemText = Callable[[Mapping[str, Any]], "str | Msg"]


class Checked(BaseModel):
    """Base of request models with their own texts for some of pydantic's errors."""

    problem_texts: ClassVar[Mapping[tuple[str, str], ProblemText]] = {}


def problem(text: str | Msg, *more: str | Msg) -> PydanticCustomError:
    """The error a validator raises to refuse a value with its own (catalog) ``text``
    (and ``more`` problems: each is one of the refusal's details)."""
    texts = (text, *more)
    english = "; ".join(str(t) for t in texts)
    return PydanticCustomError("sandtable", "{english}", {"english": english, "texts": texts})


#: pydantic's error types -> (catalog key, the context value it names): the Chinese text
_CHECKS = {
    "extra_forbidden": ("check.unknown_field", None),
    "missing": ("check.required", None),
    "string_type": ("check.string_type", None),
    "int_type": ("check.int_type", None),
    "int_parsing": ("check.int_type", None),
    "int_from_float": ("check.int_type", None),
    "bool_type": ("check.bool_type", None),
    "bool_parsing": ("check.bool_type", None),
    "float_type": ("check.number_type", None),
    "float_parsing": ("check.number_type", None),
    "finite_number": ("check.number_type", None),
    "dict_type": ("check.dict_type", None),
    "model_type": ("check.dict_type", None),
    "list_type": ("check.list_type", None),
    "tuple_type": ("check.list_type", None),
    "literal_error": ("check.one_of", "expected"),
    "enum": ("check.one_of", "expected"),
    "greater_than_equal": ("check.at_least", "ge"),
    "less_than_equal": ("check.at_most", "le"),
    "greater_than": ("check.above", "gt"),
    "less_than": ("check.below", "lt"),
    "string_too_long": ("check.too_long", "max_length"),
    "too_long": ("check.too_long", "max_length"),
    "string_too_short": ("check.too_short", "min_length"),
    "too_short": ("check.too_short", "min_length"),
    "datetime_type": ("check.datetime", None),
    "datetime_parsing": ("check.datetime", None),
    "datetime_from_date_parsing": ("check.datetime", None),
}


def field_problem(error: Mapping[str, Any]) -> Msg:
    """One pydantic error as a bilingual ``field 'x': problem`` text."""
    loc = ".".join(str(part) for part in error.get("loc", ()))
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "missing":
        message = "is required"
    else:
        message = str(error.get("msg", "is not valid"))
        message = message.removeprefix("Value error, ")
    key, param = _CHECKS.get(kind, ("check.invalid", None))
    if message == "must not contain NUL characters":
        key = "check.nul"
    ctx = error.get("ctx") or {}
    if key == "check.one_of":
        zh = render(key, "zh", expected=str(ctx.get("expected", "")).replace(" or ", ", "))
    else:
        zh = render(key, "zh", **({"limit": ctx.get(param)} if param else {}))
    problem = Name(message, zh)
    return msg("incident.field_problem", field=loc, problem=problem) if loc else joined([problem])


def _texts(model: type[BaseModel], error: Mapping[str, Any]) -> list[str | Msg]:
    texts = (error.get("ctx") or {}).get("texts")
    if isinstance(texts, tuple):
        return [t for t in texts if isinstance(t, str | Msg)]
    return [_text(model, error)]


def _text(model: type[BaseModel], error: Mapping[str, Any]) -> str | Msg:
    loc = error.get("loc") or ("*",)
    texts: Mapping[tuple[str, str], ProblemText] = getattr(model, "problem_texts", {})
    kind = str(error.get("type", ""))
    custom = texts.get((kind, str(loc[0]))) or texts.get((kind, "*"))
    if custom is not None:
        return custom(error)
    return field_problem(error)


def problems(model: type[BaseModel], exc: ValidationError) -> list[str | Msg]:
    """Every problem of ``exc`` (raised validating ``model``) as a text."""
    return [text for e in exc.errors(include_url=False) for text in _texts(model, e)]


def read(
    model: type[M],
    data: Mapping[str, Any],
    *,
    what: str | Msg | None = None,
    context: Mapping[str, Any] | None = None,
) -> M:
    """``data`` validated as ``model`` (``context``: pydantic's validation context).

    Raises
    ------
    InvalidInput
        Listing every problem (``details``), after ``what`` when given.
    """
    try:
        return model.model_validate(dict(data), context=context)
    except ValidationError as exc:
        found = problems(model, exc)
        text: str | Msg = joined(found)
        if what is not None:
            text = msg("incident.problems", what=what, problems=text)
        raise InvalidInput(text, details=found) from None
