"""The bodies a client sends about an incident, as pydantic models (strict, no extra fields).

:class:`IncidentCreate` (a new call), :class:`IncidentUpdate` (field changes on a
``base_version``), :class:`TransitionRequest` (a status change), with the
:class:`Location` a call taker confirmed and the :class:`Plan` chosen; :func:`parse`
reads a body as one of them or lists every problem. The web layer builds the OpenAPI
document's request schemas from these models.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from geodata.i18n import Msg
from rescue.checks import M, read

__all__ = [
    "MAX_PLAN_CHARS",
    "IncidentCreate",
    "IncidentUpdate",
    "Location",
    "Plan",
    "TransitionRequest",
    "parse",
]

#: the chosen plan is stored with its legs and their 3D geometry (a Kailash plan is up to
#: ~42,000 with elevations; the 64 KiB request body bounds it too)
MAX_PLAN_CHARS: Final = 60_000


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_no_nul),
]
Text64 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_no_nul),
]
Text100 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=100),
    AfterValidator(_no_nul),
]
Text200 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=200),
    AfterValidator(_no_nul),
]
Text500 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=500),
    AfterValidator(_no_nul),
]
Text2000 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=2000),
    AfterValidator(_no_nul),
]
Text4000 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=4000),
    AfterValidator(_no_nul),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9+\- ]{1,30}$")]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,100}$")]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Language = Literal["zh", "en", "bo", "mixed"]
Priority = Literal["low", "normal", "high", "critical"]
Status = Literal[
    "received", "located", "dispatched", "en_route", "on_scene", "resolved", "followed_up"
]
Outcome = Literal["rescued", "not_found", "false_alarm", "handed_over"]
Cause = Literal[
    "altitude_sickness", "injury", "exhaustion", "illness", "lost", "weather", "vehicle", "other"
]

_STRICT = ConfigDict(extra="forbid", strict=True)


class Location(BaseModel):
    """A confirmed locate candidate (with ``segment_id``) or a point placed by hand."""

    model_config = _STRICT

    lon: Lon
    lat: Lat
    segment_id: Text64 | None = None
    name: Text200 | None = None
    km_range: list[Annotated[float, Field(allow_inf_nan=False)]] | None = Field(
        default=None, min_length=2, max_length=2
    )

    @model_validator(mode="after")
    def _candidate_fields(self) -> Location:
        if self.segment_id is None and (self.name is not None or self.km_range is not None):
            raise ValueError("a point placed by hand has only lon and lat (add a segment_id)")
        return self


def _small_json(value: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    if "\\u0000" in text:
        raise ValueError("must not contain NUL characters")
    if len(text) > MAX_PLAN_CHARS:
        raise ValueError(
            f"the plan is too long (at most {MAX_PLAN_CHARS} characters of JSON: "
            "leave out the alternatives)"
        )
    return value


class Plan(BaseModel):
    """The chosen station plan summary: ``station_id``, ``eta_s`` and any other fields."""

    model_config = ConfigDict(extra="allow", strict=True)

    station_id: Text64
    eta_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Plan:
        try:
            _small_json(self.model_dump())
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None
        return self


class IncidentCreate(BaseModel):
    """The body of a new incident."""

    model_config = _STRICT

    description: Description
    language: Language = "zh"
    caller_name: Text100 | None = None
    caller_phone: Phone | None = None
    party_size: Annotated[int, Field(ge=1, le=500)] | None = None
    condition: Text2000 | None = None
    cause: Cause | None = None
    priority: Priority = "normal"
    location: Location | None = None
    idempotency_key: Key | None = None


class IncidentUpdate(BaseModel):
    """Changes to an incident made on ``base_version``; ``null`` clears a field."""

    model_config = _STRICT

    base_version: Annotated[int, Field(ge=1, le=2**31 - 1)]  # a database integer
    language: Language | None = None
    caller_name: Text100 | None = None
    caller_phone: Phone | None = None
    party_size: Annotated[int, Field(ge=1, le=500)] | None = None
    condition: Text2000 | None = None
    cause: Cause | None = None
    priority: Priority | None = None
    location: Location | None = None
    plan: Plan | None = None
    team: Text500 | None = None
    notes: Text4000 | None = None
    add_description: Description | None = None

    @model_validator(mode="after")
    def _something(self) -> IncidentUpdate:
        given = self.model_fields_set - {"base_version"}
        if not given:
            raise ValueError("nothing to change: give at least one field besides base_version")
        for name in ("language", "priority", "add_description"):
            if name in given and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields given (JSON-ready), without ``base_version``."""
        return self.model_dump(mode="json", exclude_unset=True, exclude={"base_version"})


class TransitionRequest(BaseModel):
    """A status change made on ``base_version``."""

    model_config = _STRICT

    to: Status
    outcome: Outcome | None = None
    note: Text2000 | None = None
    base_version: Annotated[int, Field(ge=1, le=2**31 - 1)]  # a database integer


def parse(model: type[M], body: Mapping[str, Any], *, what: str | Msg) -> M:
    """``body`` validated as ``model`` (see :func:`rescue.checks.read`).

    Raises
    ------
    InvalidInput
        Listing every problem as ``field 'x': message``.
    """
    return read(model, body, what=what)
