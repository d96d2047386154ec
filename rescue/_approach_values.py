"""The values an approach plan is made of: legs, plans, alternatives, the evacuation, the
target point and the result (:mod:`rescue.approach` re-exports them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from geodata.i18n import Msg

if TYPE_CHECKING:
    from rescue.capability import StationOffer
    from rescue.closures import ClosureProblem

__all__ = [
    "Leg",
    "Alternative",
    "ClosureEffect",
    "LandingSite",
    "Plan",
    "Evacuation",
    "TargetPoint",
    "ApproachResult",
]


#: points ``(lon, lat(, elevation_m))``
Points = tuple[tuple[float, ...], ...]


def _lonlat_list(coords: Sequence[tuple[float, ...]]) -> list[list[float]]:
    """``[lon, lat]`` to 6 decimals (~0.1 m), and the elevation to the metre where there is one."""
    return [
        [round(c[0], 6), round(c[1], 6)]
        if len(c) < 3
        else [round(c[0], 6), round(c[1], 6), round(c[2])]
        for c in coords
    ]


@dataclass(frozen=True)
class Leg:
    """Consecutive edges travelled in one mode.

    ``geometry`` is ``((lon, lat, elevation_m), …)`` from ``from_name`` to ``to_name`` (the
    network's 3D lines: what an elevation profile of the leg is drawn from).
    """

    mode: str
    from_name: str
    to_name: str
    length_m: float
    ascent_m: float
    descent_m: float
    duration_s: float
    #: ``(geometry, rounded)``, made when first asked for (:attr:`geometry`): an answer
    #: draws the recommended plan's lines only (issue 18: the other legs' points were
    #: projected and joined for nothing)
    lines: Callable[[], tuple[Points, tuple[Sequence[list[float]], ...]]] = field(
        compare=False, repr=False
    )
    #: p10-p90 of this leg's time (issue 14): a foot leg spread as a walking trip of its own
    #: length (a short leg varies relatively more, so leg ranges do not add up to the plan's),
    #: a drive as stated
    duration_range_s: tuple[float, float] | None = None
    #: the segments travelled (not in the answer: which closures lie on the way)
    segment_ids: tuple[str, ...] = ()

    @cached_property
    def _lines(self) -> tuple[Points, tuple[Sequence[list[float]], ...]]:
        return self.lines()

    @property
    def geometry(self) -> Points:
        """``((lon, lat, elevation_m), …)`` from ``from_name`` to ``to_name``."""
        return self._lines[0]

    def geometry_list(self) -> list[list[float]]:
        """``geometry`` as the answer writes it: ``[lon, lat(, elevation)]`` rounded (in
        pieces: those of whole edges are made once per network and shared, issue 18)."""
        return [list(c) for part in self._lines[1] for c in part]

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "from": self.from_name,
            "to": self.to_name,
            "length_m": round(self.length_m, 1),
            "ascent_m": round(self.ascent_m, 1),
            "descent_m": round(self.descent_m, 1),
            "duration_s": round(self.duration_s, 1),
            "duration_range_s": _range_dict(self.duration_range_s),
            "geometry": self.geometry_list() if geometry else None,
        }


@dataclass(frozen=True)
class Alternative:
    """A genuinely different way for the same team; ``extra_s`` is its cost over the best."""

    legs: tuple[Leg, ...]
    eta_s: float
    extra_s: float
    shared_fraction: float

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        return {
            "eta_s": round(self.eta_s, 1),
            "extra_s": round(self.extra_s, 1),
            "shared_fraction": round(self.shared_fraction, 3),
            "legs": [leg.to_dict(geometry=geometry) for leg in self.legs],
        }


@dataclass(frozen=True)
class ClosureEffect:
    """What one closure costs a plan: ``extra_s`` over the plan with it lifted.

    ``extra_s`` is ``inf`` when the closure cuts every ground route. ``message`` reads
    e.g. "Darchen – Tarboche road closed by snow since 06:00: +40 min via Zutulpuk".
    """

    closure_id: str
    extra_s: float
    message: str
    message_zh: str = ""

    @classmethod
    def of(cls, closure_id: str, extra_s: float, message: Msg) -> ClosureEffect:
        """The effect with its message in both languages."""
        return cls(closure_id, extra_s, message.render("en"), message.render("zh"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "closure_id": self.closure_id,
            "extra_s": round(self.extra_s, 1) if math.isfinite(self.extra_s) else None,
            "message": self.message,
            "message_zh": self.message_zh or self.message,
        }


@dataclass(frozen=True)
class LandingSite:
    """A helicopter landing site and its straight-line distance from the target."""

    site_id: str
    name: str
    lon: float
    lat: float
    distance_m: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "name": self.name,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "distance_m": round(self.distance_m, 1),
        }


@dataclass(frozen=True)
class Plan:
    """The fastest plan of one station's team.

    When ``reachable`` is False the target cannot be reached on the ground: ``legs`` and
    ``eta_s`` lead to the nearest reachable point (``arrival_lon``/``arrival_lat``), which
    is ``gap_m`` (straight line) from the target. For a stretch target (a segment, a locate
    candidate) ``eta_s`` is to its nearer end and ``far_eta_s`` to the farther one.
    """

    station_id: str
    station_name: str
    eta_s: float
    legs: tuple[Leg, ...]
    arrival_lon: float
    arrival_lat: float
    alternatives: tuple[Alternative, ...] = ()
    closures_applied: tuple[str, ...] = ()
    closure_effects: tuple[ClosureEffect, ...] = ()
    reachable: bool = True
    gap_m: float = 0.0
    far_eta_s: float | None = None
    arrive_at: datetime | None = None
    #: p10-p90 of the ETA: the time on foot spread as walking trips of that length spread
    #: on the GPS tracks (calibration.json eta_ratio_quantiles), driving time as planned
    eta_range_s: tuple[float, float] | None = None
    #: what the station can send and lacks for the incident's need (rescue.capability)
    offer: StationOffer | None = None
    #: closures in force that neither lie on this plan's way nor change it:
    #: ``{closure_id, distance_m, en, zh}``, nearest first (a closure set on the wrong way)
    closures_untouched: tuple[Mapping[str, Any], ...] = ()

    @property
    def length_m(self) -> float:
        return sum(leg.length_m for leg in self.legs)

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        return {
            **(self.offer.to_dict() if self.offer else {}),
            "station_id": self.station_id,
            "station_name": self.station_name,
            "reachable": self.reachable,
            "eta_s": round(self.eta_s, 1),
            "eta_range_s": _range_dict(self.eta_range_s),
            "far_eta_s": None if self.far_eta_s is None else round(self.far_eta_s, 1),
            "arrive_at": self.arrive_at.isoformat() if self.arrive_at else None,
            "arrival": {"lon": round(self.arrival_lon, 6), "lat": round(self.arrival_lat, 6)},
            "gap_m": round(self.gap_m, 1),
            "legs": [leg.to_dict(geometry=geometry) for leg in self.legs],
            "alternatives": [a.to_dict(geometry=geometry) for a in self.alternatives],
            "closures_applied": list(self.closures_applied),
            "closure_effects": [e.to_dict() for e in self.closure_effects],
            "closures_untouched": [dict(u) for u in self.closures_untouched],
        }


@dataclass(frozen=True)
class Evacuation:
    """Carry the casualty to ``handover_name``, then drive to ``destination_name``."""

    carry_legs: tuple[Leg, ...]
    vehicle_legs: tuple[Leg, ...]
    carry_s: float
    vehicle_s: float
    handover_name: str
    handover_lon: float
    handover_lat: float
    destination_id: str
    destination_name: str
    #: p10-p90 of the carry and of the total (the carry spread as walking trips, see Plan)
    carry_range_s: tuple[float, float] | None = None
    total_range_s: tuple[float, float] | None = None

    @property
    def total_s(self) -> float:
        return self.carry_s + self.vehicle_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "carry_legs": [leg.to_dict() for leg in self.carry_legs],
            "vehicle_legs": [leg.to_dict() for leg in self.vehicle_legs],
            "carry_s": round(self.carry_s, 1),
            "vehicle_s": round(self.vehicle_s, 1),
            "total_s": round(self.total_s, 1),
            "carry_range_s": _range_dict(self.carry_range_s),
            "total_range_s": _range_dict(self.total_range_s),
            "handover": {
                "name": self.handover_name,
                "lon": round(self.handover_lon, 6),
                "lat": round(self.handover_lat, 6),
            },
            "destination": {"station_id": self.destination_id, "name": self.destination_name},
        }


@dataclass(frozen=True)
class TargetPoint:
    """A point of the target snapped onto the edge ``u → v`` (``key``) at ``fraction``.

    ``offset_m`` is the distance from the given point to the network.
    """

    label: str
    u: str
    v: str
    key: str
    fraction: float
    lon: float
    lat: float
    offset_m: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "offset_m": round(self.offset_m, 1),
        }


@dataclass(frozen=True)
class ApproachResult:
    """Plans sorted by ETA (unreachable ones last), the evacuation and the recommendation.

    ``landing_site`` is the nearest open helicopter landing site when no station can
    reach the target on the ground (None otherwise, or when the data has none).
    """

    plans: tuple[Plan, ...]
    evacuation: Evacuation | None
    recommended: str | None
    reason: str
    target: tuple[TargetPoint, ...]
    landing_site: LandingSite | None = None
    #: stored closures that could not be applied (left out of every plan), with the reason
    closure_problems: tuple[ClosureProblem, ...] = ()
    #: the incident's needs (``rescue.capability.NEEDS`` ids) the recommendation served
    needs: tuple[str, ...] = ()
    reason_zh: str = ""
    #: closures in force over the target itself: ``{closure_id, en, zh}``
    warnings: tuple[Mapping[str, str], ...] = ()

    def to_dict(self, *, geometry: str = "all") -> dict[str, Any]:
        """The answer; ``geometry="recommended"`` keeps the lines of the recommended plan
        (and its alternatives) only, the other legs have ``"geometry": null`` (a map draws
        one plan; ask again for a station's plan with ``stations`` to draw another)."""
        from rescue.capability import NEEDS

        return {
            "plans": [
                p.to_dict(geometry=geometry == "all" or p.station_id == self.recommended)
                for p in self.plans
            ],
            "evacuation": self.evacuation.to_dict() if self.evacuation else None,
            "recommended": self.recommended,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "warnings": [dict(w) for w in self.warnings],
            "needs": [NEEDS[n].to_dict() for n in self.needs],
            "target": [t.to_dict() for t in self.target],
            "landing_site": self.landing_site.to_dict() if self.landing_site else None,
            "closure_problems": [p.to_dict() for p in self.closure_problems],
        }


def _range_dict(r: tuple[float, float] | None) -> dict[str, float] | None:
    return None if r is None else {"p10": round(r[0], 1), "p90": round(r[1], 1)}
