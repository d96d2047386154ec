"""The answers of the JSON API as pydantic models: the OpenAPI document is generated from them.

An operation names its answer in :func:`web.contract.api_operation` (``ok={200: Model}``,
or ``{media type: Model}`` for GeoJSON); :mod:`web.openapi` writes each model's JSON
Schema under ``#/components/schemas/<ModelName>``. The models describe what the views
send (``tests/web/test_answers.py`` validates real answers against the generated
document, and in tests :mod:`web.answer_check` checks every answer against its
model); they are not used to build the answers. The parts of the approach answer and
of the field sheet (its evacuation, needs, target, landing site; the sheet's legs,
targets, stations) are declared in :mod:`web.answer_parts` and re-exported here.

A layer's feature properties come from :data:`rescue.catalog.PROPERTIES` (what each one
means), so a property added to the catalog is documented without a change here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, WithJsonSchema, create_model

from rescue import catalog, kmposts
from rescue.incidents import CAUSES, OUTCOMES, PRIORITIES, STATUSES
from rescue.users import ROLES
from routes.multimodal import MODES
from web.answer_parts import (
    Bilingual,
    ElevationModelUsed,
    EvacuationDestination,
    EvacuationHandover,
    FieldSheet,
    LandingSite,
    NeedServed,
    SheetEvacuation,
    SheetHandover,
    SheetKmPost,
    SheetLeg,
    SheetStation,
    SheetTarget,
    SheetUtm,
    StationResource,
    TargetPoint,
    TargetWarning,
    Time,
    TimeRange,
)

__all__ = [
    "ApproachAnswer",
    "Bilingual",
    "Closure",
    "ClosureEffect",
    "ClosureList",
    "ClosureProblem",
    "CreatedIncident",
    "ElevationModelUsed",
    "Evacuation",
    "EvacuationDestination",
    "EvacuationHandover",
    "FieldSheet",
    "FindMeLink",
    "FindMeReceived",
    "Import",
    "Incident",
    "IncidentAnswer",
    "IncidentList",
    "KmPosts",
    "LandingSite",
    "LAYER_COLLECTIONS",
    "LAYER_FEATURES",
    "MODELS",
    "Me",
    "MissingResource",
    "NeedServed",
    "OneUser",
    "PlanAlternative",
    "PlanArrival",
    "PlanLeg",
    "Revoked",
    "SessionAnswer",
    "Sessions",
    "SheetEvacuation",
    "SheetHandover",
    "SheetKmPost",
    "SheetLeg",
    "SheetStation",
    "SheetTarget",
    "SheetUtm",
    "SignedOut",
    "StationPlan",
    "StationResource",
    "TargetPoint",
    "TargetWarning",
    "Time",
    "TimeRange",
    "UntouchedClosure",
    "UserAnswer",
    "Users",
    "Version",
    "VersionAnswer",
]


def _enum(values: tuple[str, ...] | list[str], *, null: bool = False) -> Any:
    """A text that is one of ``values`` (or null) in the document."""
    options: list[JsonValue] = [*values, None] if null else list(values)
    return Field(json_schema_extra={"enum": options})


# --------------------------------------------------------------------------- GeoJSON
class _Feature(BaseModel):
    type: Literal["Feature"]
    id: str | int | None = None
    geometry: dict[str, Any] | None


class _Collection(BaseModel):
    type: Literal["FeatureCollection"]


def _feature(layer: str, name: str) -> type[BaseModel]:
    """The Feature of ``layer``: every property the catalog documents, each required."""
    fields: dict[str, Any] = {
        prop: (Any, Field(description=meaning))
        for prop, meaning in catalog.PROPERTIES[layer].items()
    }
    properties = create_model(f"{name}Properties", **fields)
    return create_model(
        f"{name}Feature",
        __base__=_Feature,
        __doc__=f"One feature of the {layer} layer.",
        properties=(properties, ...),
    )


def _collection(feature: type[BaseModel], name: str) -> type[BaseModel]:
    return create_model(
        f"{name}Collection",
        __base__=_Collection,
        __doc__=f"A GeoJSON FeatureCollection of {name} features.",
        features=(list[feature], ...),  # type: ignore[valid-type]
    )


_LAYER_NAMES = {"routes": "Route", "segments": "Segment", "places": "Place", "stations": "Station"}
#: layer -> its Feature model
LAYER_FEATURES: dict[str, type[BaseModel]] = {
    layer: _feature(layer, name) for layer, name in _LAYER_NAMES.items()
}
#: layer -> its FeatureCollection model
LAYER_COLLECTIONS: dict[str, type[BaseModel]] = {
    layer: _collection(LAYER_FEATURES[layer], name) for layer, name in _LAYER_NAMES.items()
}


class KmPostProperties(BaseModel):
    """A km post's properties (:data:`rescue.kmposts.PROPERTIES`)."""

    route_id: str = Field(description=kmposts.PROPERTIES["route_id"])
    km: int = Field(description=kmposts.PROPERTIES["km"])
    major: bool = Field(description=kmposts.PROPERTIES["major"])
    elevation_m: float | None = Field(description=kmposts.PROPERTIES["elevation_m"])


class KmPost(BaseModel):
    """One km post (a GeoJSON Point Feature)."""

    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any]
    properties: KmPostProperties


class KmPosts(BaseModel):
    """``GET /api/km-posts``: a point every km along each route."""

    type: Literal["FeatureCollection"]
    features: list[KmPost]


# --------------------------------------------------------------------------- closures
class Closure(BaseModel):
    """A closure as stored: where (segments or a drawn geometry), why, for whom, how bad,
    when, and who set it."""

    model_config = ConfigDict(populate_by_name=True)

    closure_id: str
    segment_ids: list[str] | None = None
    geometry: dict[str, Any] | None = None
    reason: str
    modes: str
    severity: str | dict[str, Any]
    slow_factor: float | None = None
    valid_from: Time = Field(alias="from")
    until: Time | None = None
    created_by: str
    created_at: Time | None = None
    note: str | None = None


class ClosureProblem(BaseModel):
    """A stored closure that cannot be applied (left out of every plan)."""

    model_config = ConfigDict(extra="forbid")

    closure_id: str
    message: str


class ClosureList(BaseModel):
    """``GET /api/closures``."""

    closures: list[Closure]
    problems: list[ClosureProblem]


# --------------------------------------------------------------------------- incidents
class Incident(BaseModel):
    """An incident with its timeline, edits and find-me links."""

    incident_id: int
    region_id: str | None = None
    status: Annotated[str, _enum(STATUSES)]
    outcome: Annotated[str | None, _enum(OUTCOMES, null=True)] = None
    open: bool | None = None
    allowed_next: list[str] | None = None
    priority: Annotated[str | None, _enum(PRIORITIES)] = None
    language: str | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    party_size: int | None = None
    condition: str | None = None
    cause: Annotated[str | None, _enum(CAUSES, null=True)] = None
    description: str
    descriptions: list[dict[str, Any]] | None = None
    location: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    team: str | None = None
    notes: str | None = None
    created_at: Time | None = None
    updated_at: Time | None = None
    created_by: str | None = None
    version: int
    idempotency_key: str | None = None
    received_at: Time | None = None
    dispatched_at: Time | None = None
    on_scene_at: Time | None = None
    dispatch_s: float | None = None
    on_scene_s: float | None = None
    timeline: list[dict[str, Any]]
    edits: list[dict[str, Any]]
    find_me: list[dict[str, Any]] | None = None


class IncidentAnswer(BaseModel):
    """One incident."""

    incident: Incident


class CreatedIncident(BaseModel):
    """A new incident (201), or the one an idempotency key already made (200)."""

    incident: Incident
    created: bool


class IncidentList(BaseModel):
    """``GET /api/incidents``: the status asked for, the order used, the incidents."""

    status: str
    order: Literal["urgency", "newest"]
    incidents: list[Incident]


# --------------------------------------------------------------------------- route data
class Version(BaseModel):
    """A version of the route data: who made it, why, what it holds."""

    version_id: int
    region_id: str
    created_at: Time
    author: str
    message: str
    kind: str
    parent_id: int | None = None
    restored_from: int | None = None
    counts: dict[str, Any]


class VersionAnswer(BaseModel):
    """A version made (an edit, an import applied, a restore)."""

    version: Version


class Import(BaseModel):
    """An uploaded file read and checked: what applying it would change."""

    import_id: str
    filename: str
    format: str
    creator: str | None = Field(None, description="the file's author (GPX creator, KML author)")
    point_count: int | None = Field(None, description="the file's number of vertices")
    base_version: int | None = Field(None, description="the data version it was compared with")
    counts: dict[str, Any] | None = None
    proposals: list[Any] | None = None
    warnings: list[Any] | None = None
    problems: list[Any] | None = None
    problems_zh: list[Any] | None = Field(None, description="``problems`` in Chinese")
    can_apply: bool
    preview: dict[str, Any]


# --------------------------------------------------------------------------- plans


class PlanLeg(BaseModel):
    """Consecutive edges travelled in one mode, from one named place to the next."""

    mode: Annotated[str, _enum(MODES)]
    from_: str = Field(alias="from", description="where the leg starts (English)")
    to: str = Field(description="where the leg ends (English)")
    from_zh: str | None = Field(default=None, description="where the leg starts, in Chinese")
    to_zh: str | None = Field(default=None, description="where the leg ends, in Chinese")
    length_m: float
    ascent_m: float
    descent_m: float
    duration_s: float
    duration_range_s: TimeRange | None = None
    geometry: list[list[float]] | None = Field(
        description="[lon, lat, elevation_m] from start to end; null when this plan's lines "
        "were not asked for (``geometry``: recommended)"
    )
    profile_source: Annotated[str | None, _enum(("dem", "route_data"), null=True)] = Field(
        default=None,
        description="the heights of the leg's elevation profile: the loaded DEM's or the "
        "route data's; null for a leg without geometry",
    )
    profile: list[list[float]] | None = Field(
        default=None,
        description="[lon, lat, elevation_m] at even steps with the DEM's heights (with a DEM)",
    )


class PlanAlternative(BaseModel):
    """A genuinely different way for the same team; ``extra_s`` is its cost over the best."""

    eta_s: float
    extra_s: float
    shared_fraction: float
    legs: list[PlanLeg]


class ClosureEffect(BaseModel):
    """What one closure costs a plan: ``extra_s`` over the plan with it lifted (null: the
    closure cuts every ground route), and why, in both languages."""

    closure_id: str
    extra_s: float | None
    message: str
    message_zh: str


class UntouchedClosure(BaseModel):
    """A closure in force that neither lies on the plan's way nor changes it."""

    closure_id: str
    distance_m: float
    en: str
    zh: str


class MissingResource(BaseModel):
    """A need the station cannot meet: any one of ``any_of`` would."""

    any_of: list[str]
    en: str
    zh: str


class PlanArrival(BaseModel):
    """Where the team arrives: the target, or the nearest reachable point."""

    lon: float
    lat: float


class StationPlan(BaseModel):
    """The fastest plan of one station's team (:class:`rescue.approach.Plan`).

    When ``reachable`` is false the legs lead to the nearest reachable point
    (``arrival``), ``gap_m`` (straight line) from the target. For a stretch target
    ``eta_s`` is to its nearer end and ``far_eta_s`` to the farther one."""

    station_id: str
    station_name: str
    station_name_zh: str | None = None
    reachable: bool
    eta_s: float
    eta_range_s: TimeRange | None = None
    far_eta_s: float | None = None
    arrive_at: Time | None = None
    arrival: PlanArrival
    gap_m: float
    legs: list[PlanLeg]
    alternatives: list[PlanAlternative]
    closures_applied: list[str]
    closure_effects: list[ClosureEffect]
    closures_untouched: list[UntouchedClosure]
    sends: list[StationResource] | None = Field(
        default=None, description="what the station can send (with its capabilities)"
    )
    meets_need: bool | None = None
    missing: list[MissingResource] | None = None
    colocated: list[str] | None = Field(default=None, description="the stations at the same place")


class Evacuation(BaseModel):
    """Carry the casualty to ``handover``, then drive to ``destination``
    (:class:`rescue.approach.Evacuation`); the legs carry their lines."""

    carry_legs: list[PlanLeg]
    vehicle_legs: list[PlanLeg]
    carry_s: float
    vehicle_s: float
    total_s: float
    carry_range_s: TimeRange | None
    total_range_s: TimeRange | None
    handover: EvacuationHandover
    destination: EvacuationDestination


class ApproachAnswer(BaseModel):
    """``POST /api/approach``: each station's plan (fastest first), the recommendation and
    why, the evacuation, the needs served, the target, and the closures that could not be
    applied. A plan's legs carry their lines when it is the recommended one or when every
    plan's lines were asked for (``geometry`` all); otherwise ``geometry`` is null."""

    plans: list[StationPlan]
    recommended: str | None = None
    reason: str | None = None
    reason_zh: str | None = None
    evacuation: Evacuation | None = Field(
        default=None, description="from the target to the nearest clinic; null: no way out"
    )
    warnings: list[TargetWarning] = Field(
        default=[], description="closures in force over the target itself"
    )
    needs: list[NeedServed] = Field(default=[], description="the incident's needs served")
    target: list[TargetPoint] = Field(
        default=[], description="the target snapped onto the network (a stretch: its ends)"
    )
    landing_site: LandingSite | None = Field(
        default=None, description="only when no station reaches the target on the ground"
    )
    closure_problems: list[ClosureProblem]
    elevation_model: ElevationModelUsed | None = None


class FindMeLinkMade(BaseModel):
    """A find-me link: its url, the text to send (en, zh), its QR code as an SVG data URI."""

    link_id: int
    incident_id: int | None = None
    url: str
    text: dict[str, str]
    qr_svg: str
    created_at: Time | None = None
    expires_at: Time


class FindMeLink(BaseModel):
    """``POST /api/incidents/<id>/find-me`` (201)."""

    link: FindMeLinkMade


class FindMeReceived(BaseModel):
    """``POST /api/find-me/<token>``: the fix is received; the message in both languages."""

    received: bool
    accuracy_m: float | None = None
    message: dict[str, str]


# --------------------------------------------------------------------------- users
#: a role, as the users API documents it (judged by rescue.users)
_ROLE_SCHEMA = WithJsonSchema({"enum": list(ROLES)})


class UserAnswer(BaseModel):
    """A user as the API shows one."""

    user_id: int
    username: str
    display_name: str | None = None
    role: Annotated[str, _ROLE_SCHEMA]
    active: bool = True


class OneUser(BaseModel):
    """An answer with one user."""

    user: UserAnswer


class Me(BaseModel):
    """The signed-in user and the session's CSRF token."""

    user: UserAnswer
    csrf_token: str


class Users(BaseModel):
    """``GET /api/users``."""

    users: list[UserAnswer]


class SessionAnswer(BaseModel):
    """A live session of a user."""

    session_id: str
    created_at: str
    last_seen_at: str
    expires_at: str
    address: str | None = None
    user_agent: str | None = None


class Sessions(BaseModel):
    """``GET /api/users/<id>/sessions``."""

    sessions: list[SessionAnswer]


class Revoked(BaseModel):
    """``DELETE /api/users/<id>/sessions``."""

    sessions_revoked: int


class SignedOut(BaseModel):
    """``POST /api/logout``."""

    signed_out: bool


#: the answer models referred to by name (``ref("Closure")``) as well as by operations
MODELS: tuple[type[BaseModel], ...] = (
    Closure,
    ClosureList,
    Incident,
    Version,
    Import,
    *LAYER_FEATURES.values(),
)
