"""The parts of the approach answer and the field sheet as pydantic models (issue 15).

:mod:`web.answers` re-exports every model here; the approach answer's plans and
evacuation (which share :class:`web.answers.PlanLeg`) are declared there. As there, the
models describe what the views send (``tests/web/test_answers.py`` validates real answers
against them and checks that no part sends a field they do not name); the answers are
built by :mod:`rescue.approach`, :mod:`rescue.field_sheet`, :mod:`rescue.localnames` and
:mod:`rescue.elevation_profile`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from rescue.capability import NEEDS

__all__ = [
    "Bilingual",
    "ElevationModelUsed",
    "EvacuationDestination",
    "EvacuationHandover",
    "FieldSheet",
    "LandingSite",
    "NeedServed",
    "SheetEvacuation",
    "SheetHandover",
    "SheetKmPost",
    "SheetLeg",
    "SheetStation",
    "SheetTarget",
    "SheetUtm",
    "StationResource",
    "TargetPoint",
    "TargetWarning",
    "Time",
    "TimeRange",
]

#: a time as the API writes it
Time = Annotated[str, Field(description="ISO-8601 date and time with its offset")]


class Bilingual(BaseModel):
    """A text in English and in Chinese (the Chinese empty where there is none)."""

    en: str
    zh: str


class TimeRange(BaseModel):
    """The 80 % range of a time (:mod:`rescue.approach`): p10 and p90, in seconds."""

    p10: float
    p90: float


class StationResource(BaseModel):
    """What a station can send (:data:`rescue.capability.RESOURCES`)."""

    id: str
    en: str
    zh: str


class ElevationModelUsed(BaseModel):
    """Where the legs' elevation profiles take their heights from
    (:mod:`rescue.elevation_profile`): the loaded DEM (named by its file and sha256) or the
    route data."""

    kind: Literal["dem", "route_data"]
    filename: str | None = Field(default=None, description="the DEM's uploaded file (dem only)")
    sha256: str | None = Field(default=None, description="the DEM file's sha256 (dem only)")


# --------------------------------------------------------------------------- approach parts
class NeedServed(BaseModel):
    """A need of the incident (:data:`rescue.capability.NEEDS`) the recommendation served:
    every group of ``requires`` met by one of its resources."""

    need_id: Annotated[str, Field(json_schema_extra={"enum": list(NEEDS)})]
    name: Bilingual
    requires: list[list[str]] = Field(description="groups of resource ids; one of each is needed")


class TargetPoint(BaseModel):
    """A point of the target snapped onto the network (:class:`rescue.approach.TargetPoint`):
    one for a position, the ends of a stretch for a segment or locate candidates."""

    label: str = Field(description="what the point is (English): 'target', a segment's end")
    lon: float
    lat: float
    offset_m: float = Field(description="from the given point to the network (straight line)")


class TargetWarning(BaseModel):
    """A closure in force over the target itself (an area containing it, or its segment)."""

    closure_id: str
    en: str
    zh: str


class LandingSite(BaseModel):
    """The nearest open helicopter landing site, when no station reaches the target on the
    ground."""

    site_id: str
    name: str = Field(description="the site's name (English)")
    name_zh: str | None = Field(default=None, description="the site's name in Chinese")
    lon: float
    lat: float
    distance_m: float = Field(description="from the target (straight line)")


class EvacuationHandover(BaseModel):
    """Where the carried casualty is handed to the vehicle."""

    name: str = Field(description="the place (English)")
    lon: float
    lat: float


class EvacuationDestination(BaseModel):
    """Where the vehicle takes the casualty: a clinic or station."""

    station_id: str
    name: str = Field(description="the station's name (English)")


# --------------------------------------------------------------------------- field sheet
class SheetStation(BaseModel):
    """A station on the field sheet: the responding one, a contact or the destination."""

    station_id: str
    name: Bilingual
    kind: str
    sends: list[StationResource]
    contacts: str | None = Field(description="the station's contacts; null: none recorded")
    lon: float
    lat: float


class SheetUtm(BaseModel):
    """The target in the region's metric CRS (UTM; EPSG:32644 for Kailash)."""

    crs: str = Field(description="e.g. EPSG:32644")
    zone: str = Field(description="e.g. 44N")
    band: str = Field(description="the latitude band letter, e.g. R")
    easting_m: int
    northing_m: int
    text: str = Field(description="as written on the sheet, e.g. '44R 414000 E 3438000 N'")


class SheetKmPost(BaseModel):
    """Where the target lies on the nearest route: km from its start and the offset."""

    route_id: str
    route: Bilingual
    km: float
    offset_m: int = Field(description="from the route (straight line), to the metre")


class SheetTarget(BaseModel):
    """A target point in decimal degrees, degrees-minutes-seconds, UTM and km post."""

    name: Bilingual
    lon: float
    lat: float
    dd: str = Field(description="'lat, lon' in decimal degrees to 5 decimals")
    dms: str = Field(description="degrees, minutes, seconds to a tenth")
    utm: SheetUtm
    km_post: SheetKmPost
    elevation_m: int | None = Field(description="the route data's height; null where unknown")


class SheetLeg(BaseModel):
    """A leg on the field sheet, both names of each end. The measures are the plan's (an
    incident's saved plan may lack some: null)."""

    model_config = {"populate_by_name": True}

    mode: str | None
    mode_name: Bilingual
    from_: Bilingual = Field(alias="from")
    to: Bilingual
    length_m: float | None
    ascent_m: float | None
    descent_m: float | None
    duration_s: float | None
    duration_range_s: TimeRange | None = Field(description="p10-p90; older saved plans: null")
    geometry: list[list[float]] | None = Field(
        description="[lon, lat, elevation_m] from start to end"
    )
    profile_source: Annotated[
        str | None, Field(json_schema_extra={"enum": ["dem", "route_data", None]})
    ] = Field(default=None, description="the heights of the leg's profile; null without geometry")
    profile: list[list[float]] | None = Field(
        default=None,
        description="[lon, lat, elevation_m] at even steps with the DEM's heights (with a DEM)",
    )


class SheetHandover(BaseModel):
    """Where the carried casualty is handed to the vehicle, both names."""

    en: str
    zh: str
    lon: float
    lat: float


class SheetEvacuation(BaseModel):
    """The evacuation on the field sheet: carry, then drive; the legs in that order."""

    handover: SheetHandover
    destination: SheetStation | None
    carry_s: float
    vehicle_s: float
    total_s: float
    legs: list[SheetLeg]


class FieldSheet(BaseModel):
    """The field sheet's content for one station's plan (:func:`rescue.field_sheet.field_sheet`)."""

    title: str
    generated_at: Time | None
    station: SheetStation | None
    eta_s: float | None
    reason: Bilingual | None = Field(description="why this station (the recommended one only)")
    targets: list[SheetTarget]
    legs: list[SheetLeg]
    evacuation: SheetEvacuation | None
    contacts: list[SheetStation]
    elevation_model: ElevationModelUsed
