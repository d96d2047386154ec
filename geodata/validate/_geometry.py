"""Geometry checks: a GeoJSON Point or LineString of finite, in-range positions that
shapely considers valid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
import shapely.geometry

from geodata.i18n import Msg, msg
from geodata.validate._problems import Problems, Where, at_geometry, describe
from geodata.validate.schema import ELEVATION_RANGE_M, is_number

__all__ = ["MISSING", "ROUND_DECIMALS", "check_geometry"]

#: a member or document that is not there (distinct from a JSON null)
MISSING = object()
#: lon/lat are compared after rounding to this many decimals (about 0.1 m)
ROUND_DECIMALS = 6


def _first_and_more(indices: Sequence[int]) -> Msg:
    extra = len(indices) - 1
    if extra:
        return msg("validate.at_positions", index=indices[0], more=extra)
    return msg("validate.at_position", index=indices[0])


def check_geometry(where: Where, geom: Any, expected: str, problems: Problems) -> np.ndarray | None:
    """Check one geometry; return its (n, 2) lon/lat array if its numbers are usable."""
    at = at_geometry(where)
    arr = _position_array(where, geom, expected, problems)
    if arr is None or not _coordinates_in_range(at, arr, expected, problems):
        return None
    lonlat = np.round(arr[:, :2], ROUND_DECIMALS)
    if expected == "LineString" and len(arr) >= 2:
        if len(np.unique(lonlat, axis=0)) < 2:
            problems.add(at, msg("validate.zero_length"))
        else:
            shape = shapely.geometry.shape(geom)
            if shape.is_empty:
                problems.add(at, msg("validate.geometry_empty"))
            elif not shape.is_valid:
                problems.add(
                    at, msg("validate.geometry_invalid", reason=shapely.is_valid_reason(shape))
                )
    return lonlat


def _position_array(
    where: Where, geom: Any, expected: str, problems: Problems
) -> np.ndarray | None:
    """The geometry's positions as an (n, 2 or 3) array, if it is a GeoJSON ``expected``
    whose positions are all [lon, lat] or all [lon, lat, elevation_m] numbers."""
    at = at_geometry(where)
    if geom is MISSING or geom is None:
        key = "validate.geometry_missing" if geom is MISSING else "validate.geometry_null"
        problems.add(where, msg(key, expected=expected))
        return None
    if not isinstance(geom, dict):
        problems.add(at, msg("validate.expected_geometry", value=describe(geom), expected=expected))
        return None
    gtype = geom.get("type")
    if gtype != expected:
        problems.add(at, msg("validate.geometry_type", value=describe(gtype), expected=expected))
        return None
    coords = geom.get("coordinates")
    positions: list[Any]
    if expected == "Point":
        positions = [coords]
    elif isinstance(coords, list):
        positions = coords
    else:
        problems.add(at, msg("validate.member_coordinates", value=describe(coords)))
        return None
    dims: set[int] = set()
    for i, pos in enumerate(positions):
        if (
            not isinstance(pos, list)
            or len(pos) not in (2, 3)
            or not all(is_number(v) for v in pos)
        ):
            if expected == "Point":
                problems.add(at, msg("validate.bad_coordinates", value=describe(pos)))
            else:
                problems.add(at, msg("validate.bad_position", index=i, value=describe(pos)))
            return None
        dims.add(len(pos))
    if len(dims) > 1:
        problems.add(at, msg("validate.mixed_dimensions"))
        return None
    if expected == "LineString" and len(positions) < 2:
        problems.add(at, msg("validate.too_few_positions", count=len(positions)))
    return np.asarray(positions, dtype=float).reshape(len(positions), dims.pop() if dims else 2)


def _coordinates_in_range(at: Msg, arr: np.ndarray, expected: str, problems: Problems) -> bool:
    """Whether every coordinate is finite and lon/lat in range (an elevation out of
    range is reported, but the position stays usable)."""

    def where_in(bad: np.ndarray) -> Msg:
        if expected == "Point":
            return msg("validate.at_coordinates")
        return _first_and_more(bad.tolist())

    usable = True
    bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
    if bad.size:
        problems.add(at, msg("validate.non_finite_coordinate", where=where_in(bad)))
        usable = False
    with np.errstate(invalid="ignore"):
        lon, lat = arr[:, 0], arr[:, 1]
        bad = np.flatnonzero(np.abs(lon) > 180.0)
        if bad.size:
            value = repr(float(lon[bad[0]]))
            problems.add(at, msg("validate.longitude_range", where=where_in(bad), value=value))
            usable = False
        bad = np.flatnonzero(np.abs(lat) > 90.0)
        if bad.size:
            value = repr(float(lat[bad[0]]))
            problems.add(at, msg("validate.latitude_range", where=where_in(bad), value=value))
            usable = False
        if arr.shape[1] == 3:
            z = arr[:, 2]
            lo, hi = ELEVATION_RANGE_M
            bad = np.flatnonzero((z < lo) | (z > hi))
            if bad.size:
                problems.add(
                    at,
                    msg(
                        "validate.elevation_range",
                        where=where_in(bad),
                        value=repr(float(z[bad[0]])),
                        low=f"{lo:g}",
                        high=f"{hi:g}",
                    ),
                )
    return usable
