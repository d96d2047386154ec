"""What the approach search pays per edge: the profiles' durations per mode, scaled by
closure factors or replaced by a caller's cost function, the carry's costs, and the
ETA ranges that walkers' spread of pace gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from routes.network import RouteNetwork
from rescue._approach_values import (
    Leg,
)
from rescue._approach_values import (
    _lonlat_list as _lonlat_list,
)
from routes.costs import get_profile
from routes.multimodal import MODES, Topology

__all__ = ["CostFunction", "mode_costs", "Factors"]

#: the profile of the evacuation's carried leg
_CARRY_PROFILE = "stretcher_carry"


#: ``cost(u, v, key, data, mode) -> seconds`` or None to hide the edge from that mode
CostFunction = Callable[[str, str, str, Mapping[str, Any], str], "float | None"]


def _foot_spread(
    network: RouteNetwork, profile: str = "pilgrim"
) -> Callable[[float], tuple[float, float]] | None:
    """``time on foot -> (p10, p90) factors`` around the stated time.

    A profile with its own range (``profiles.json``: a team, a carry, a horse) uses it; the
    pilgrim uses the trip-length spread measured on the tracks (the calibration).
    """
    prof = get_profile(profile)
    if prof.range_p10 is not None and prof.range_p90 is not None:
        lo, hi = float(prof.range_p10), float(prof.range_p90)
        return lambda _t: (lo, hi)
    cal = getattr(network.region, "calibration", None) or {}
    table = cal.get("eta_ratio_quantiles")
    if table:
        x = np.log(np.asarray(table["pred_s"], dtype=float))
        p10, p50, p90 = (np.asarray(table[k], dtype=float) for k in ("p10", "p50", "p90"))

        def by_length(t: float) -> tuple[float, float]:
            lt = math.log(max(t, 1.0))
            mid = float(np.interp(lt, x, p50))
            return float(np.interp(lt, x, p10)) / mid, float(np.interp(lt, x, p90)) / mid

        return by_length
    q = cal.get("pace_quantiles") or {}
    if "p10" in q and "p90" in q:
        return lambda _t: (float(q["p10"]), float(q["p90"]))
    return None


def _foot_factors(
    foot_s: float, spread: Callable[[float], tuple[float, float]] | None
) -> tuple[float, float]:
    return (1.0, 1.0) if spread is None or foot_s <= 0 else spread(foot_s)


def _leg_ranges(
    legs: Sequence[Leg], spread: Callable[[float], tuple[float, float]] | None
) -> tuple[Leg, ...]:
    """The legs with their p10-p90 (``duration_range_s``)."""
    out = []
    for leg in legs:
        lo, hi = _foot_factors(leg.duration_s, spread) if leg.mode == "foot" else (1.0, 1.0)
        out.append(replace(leg, duration_range_s=(leg.duration_s * lo, leg.duration_s * hi)))
    return tuple(out)


def _eta_range(
    legs: Sequence[Leg], eta_s: float, spread: Callable[[float], tuple[float, float]] | None
) -> tuple[float, float]:
    foot = sum(leg.duration_s for leg in legs if leg.mode == "foot")
    lo, hi = _foot_factors(foot, spread)
    rest = eta_s - foot
    return rest + foot * lo, rest + foot * hi


def mode_costs(
    foot: Callable[[str, str, str, Mapping[str, Any]], float | None],
    vehicle: Callable[[str, str, str, Mapping[str, Any]], float | None],
) -> CostFunction:
    """Combine one per-edge cost per mode into the planner's ``cost``.

    ``foot`` and ``vehicle`` take ``(u, v, key, data)`` and return seconds or None, e.g.
    closure-aware costs built for the foot profile and for ``"vehicle"``.
    """

    def cost(u: str, v: str, key: str, data: Mapping[str, Any], mode: str) -> float | None:
        return (vehicle if mode == "vehicle" else foot)(u, v, key, data)

    return cost


#: ``mode → edge key → multiplier`` of travel times (``inf`` closes the edge)
Factors = Mapping[str, Mapping[str, float]]


def _edge_costs(
    network: RouteNetwork,
    topo: Topology,
    profile: str,
    cost: CostFunction | None,
    factors: Factors | None,
) -> dict[str, np.ndarray]:
    """Seconds per edge for each mode (``inf`` where the mode cannot go)."""
    costs = {"vehicle": topo.durations("vehicle"), "foot": topo.durations(profile)}
    if cost is not None:
        G = network.graph
        for mode in MODES:
            values = np.full(len(topo.edges), math.inf)
            for e in np.flatnonzero(topo.allows[mode]).tolist():
                u, v, k = topo.edges[e]
                c = cost(u, v, k, G.edges[u, v, k], mode)
                if c is not None and math.isfinite(c) and c >= 0:
                    values[e] = float(c)
            costs[mode] = values
    for mode, per_edge in (factors or {}).items():
        if per_edge:
            values = costs[mode].copy()
            for key, f in per_edge.items():
                values[topo.edge_index[key]] *= f
            costs[mode] = values
    return costs


def _carry_costs(
    topo: Topology, profile: str, costs: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The evacuation's costs: carrying keeps the ratio of the foot cost to plain walking."""
    plain = topo.durations(profile)
    walk = costs["foot"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(plain > 0, walk / plain, 1.0)
    carry = np.where(
        np.isfinite(walk) & np.isfinite(ratio), topo.durations(_CARRY_PROFILE) * ratio, math.inf
    )
    return {"foot": carry, "vehicle": costs["vehicle"]}


def _costs_key(profile: str, cost: CostFunction | None, factors: Factors | None) -> Hashable | None:
    """What the edge costs are made of, as a key: the profile and every closure factor
    (None for a cost function, which cannot be compared)."""
    if cost is not None:
        return None
    return (
        profile,
        tuple(
            sorted(
                (mode, tuple(sorted((str(k), float(f)) for k, f in per_edge.items())))
                for mode, per_edge in (factors or {}).items()
                if per_edge
            )
        ),
    )
