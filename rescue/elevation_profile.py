"""Where a plan's elevation profiles take their heights from: the route data or a loaded DEM.

Without a DEM, a leg's profile is drawn from its geometry's heights (the network's 3D
lines: the route data). When a planner has loaded a DEM (:mod:`geodata.relief`), every
leg that is drawn gets a ``profile``: its line sampled at even steps (half the DEM's
cell, at most :data:`MAX_PROFILE_POINTS` per leg) with the DEM's bilinear elevation at
each step, ``[[lon, lat, elevation_m], …]``. A leg leaving the DEM keeps the route
data's heights (a profile half from one source and half from the other would show a
step where they disagree). Every leg says which it is (``profile_source``: ``"dem"`` or
``"route_data"``; null where the answer carries no geometry for it) and the answer or
sheet names the model (``elevation_model``: ``{"kind": "dem", "filename", "sha256"}``
or ``{"kind": "route_data"}``).

:func:`approach_profiles` does this to an approach answer (the plans' legs and the
evacuation's; an alternative's legs are drawn on the map, not profiled) and
:func:`sheet_profiles` to a field sheet (:func:`rescue.field_sheet.field_sheet`).
Both change the dict in place and return it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np
from pyproj import Geod

__all__ = [
    "MAX_PROFILE_POINTS",
    "ElevationModel",
    "approach_profiles",
    "dem_profile",
    "sheet_profiles",
]

#: at most this many samples per leg (a profile is a few hundred pixels wide)
MAX_PROFILE_POINTS: Final = 400
#: never sample closer than this (m), whatever the DEM's cell
MIN_STEP_M: Final = 5.0
_GEOD: Final = Geod(ellps="WGS84")


class Sampler(Protocol):
    """What a DEM offers here (:class:`geodata.relief.Dem`)."""

    @property
    def cell_size_m(self) -> float: ...

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class ElevationModel:
    """A loaded DEM and what names it (the uploaded file's name and its sha256)."""

    dem: Sampler
    filename: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "dem", "filename": self.filename, "sha256": self.sha256}


def dem_profile(geometry: Sequence[Sequence[float]], dem: Sampler) -> list[list[float]] | None:
    """``geometry`` (``[lon, lat, …]``) sampled along its length with the DEM's heights.

    The steps are even, half the DEM's cell (at least :data:`MIN_STEP_M`), fewer where
    the leg would have more than :data:`MAX_PROFILE_POINTS`; both ends are samples.
    None when the line has no length or leaves the DEM anywhere.
    """
    if len(geometry) < 2:
        return None
    coords = np.asarray([c[:2] for c in geometry], dtype=np.float64)
    _, _, hops = _GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    along = np.concatenate([[0.0], np.cumsum(np.abs(np.asarray(hops, dtype=np.float64)))])
    total = float(along[-1])
    if not total > 0:
        return None
    step = max(dem.cell_size_m / 2, MIN_STEP_M, total / (MAX_PROFILE_POINTS - 1))
    count = min(MAX_PROFILE_POINTS, math.ceil(total / step) + 1)
    at = np.linspace(0.0, total, count)
    # lon/lat linear within a vertex pair: the pairs are metres to a few hundred metres apart
    lon = np.interp(at, along, coords[:, 0])
    lat = np.interp(at, along, coords[:, 1])
    z = dem.sample(lon, lat)
    if not np.isfinite(z).all():
        return None
    return [
        [round(float(x), 6), round(float(y), 6), round(float(h), 1)]
        for x, y, h in zip(lon, lat, z, strict=True)
    ]


def _profile_legs(legs: Iterable[MutableMapping[str, Any]], model: ElevationModel | None) -> None:
    for leg in legs:
        geometry = leg.get("geometry")
        if not geometry:
            leg["profile_source"] = None
            continue
        profile = dem_profile(geometry, model.dem) if model is not None else None
        if profile is None:
            leg["profile_source"] = "route_data"
        else:
            leg["profile_source"] = "dem"
            leg["profile"] = profile


def _model_dict(model: ElevationModel | None) -> dict[str, Any]:
    return model.to_dict() if model is not None else {"kind": "route_data"}


def approach_profiles(
    answer: MutableMapping[str, Any], model: ElevationModel | None
) -> MutableMapping[str, Any]:
    """Mark (and with a DEM, sample) the profiles of an approach answer's plans and evacuation.

    ``answer`` is :meth:`rescue.approach.ApproachResult.to_dict`'s; changed in place.
    """
    for plan in answer.get("plans", []):
        _profile_legs(plan.get("legs", []), model)
    evacuation = answer.get("evacuation")
    if evacuation:
        legs = [*evacuation.get("carry_legs", []), *evacuation.get("vehicle_legs", [])]
        _profile_legs(legs, model)
    answer["elevation_model"] = _model_dict(model)
    return answer


def sheet_profiles(
    sheet: MutableMapping[str, Any], model: ElevationModel | None
) -> MutableMapping[str, Any]:
    """Mark (and with a DEM, sample) the profiles of a field sheet's legs and evacuation.

    ``sheet`` is :func:`rescue.field_sheet.field_sheet`'s; changed in place.
    """
    _profile_legs(sheet.get("legs", []), model)
    evacuation = sheet.get("evacuation")
    if evacuation:
        _profile_legs(evacuation.get("legs", []), model)
    sheet["elevation_model"] = _model_dict(model)
    return sheet
