"""Approach planning: how fast can each station's team reach a casualty, and how does she get out.

The search runs on the network's compiled *state graph* (:mod:`routes.multimodal`):
``(node, mode)`` states where a team with a vehicle drives on edges that allow
``"vehicle"`` (the ``vehicle`` profile's durations) and may leave the vehicle once, at a
node where vehicle and foot edges meet (a trailhead, a road end, a track's drop-off
point); from there, or from the start for a station without a vehicle, it walks on
edges that allow ``"foot"`` (the requested foot profile, ``rescue_team`` by default).
Because every way piece exists in both directions, both ways round a loop are searched
at once, and one *reverse* search from the target gives every station's ETA.

The target is a point (snapped onto the nearest walkable edge; an edge's cost is split by
the fraction along it, as pgRouting does for points off the network), a segment (both ends)
or a locator result (the ends of the top candidate's stretch).

Alternatives come from the penalty method: the way pieces of the plans found so far cost
three times more and the search is repeated from the station; a new path is kept only if
it shares less than half of its length on the ground with the best plan and with every
alternative kept, and only if it takes at most three times as long as the best (or at
most an hour more): walking the whole kora the other way is different, but no help.

The evacuation is the reverse problem: carry the casualty (``stretcher_carry``) to the
handover point where a vehicle can take over, then drive to the Darchen clinic; the handover
is chosen to minimise the total time.

Costs can be replaced by a callable ``cost(u, v, key, data, mode) -> seconds | None``
(``None`` hides the edge) or scaled by per-edge ``factors`` (what closures do), so that
closures plug in without this module knowing about them. With closures,
:func:`plan_with_closures` also says what each one costs each plan, and when nothing
reaches the target on the ground, the nearest open helicopter landing site, if the data
has one.

Where the code is: planning here; the values in :mod:`rescue._approach_values` (re-exported
here), edge costs and ETA ranges in :mod:`rescue._approach_costs`, the per-station searches
in :mod:`rescue._approach_search` (kept per network for the next request to the same
target: :mod:`rescue._approach_planned`), target points in
:mod:`rescue._approach_targets`, legs in :mod:`rescue._approach_legs`, what closures do
to plans in :mod:`rescue._approach_closures`, the evacuation in
:mod:`rescue._approach_evacuation`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.errors import InvalidInput, NotFound
from geodata.i18n import Msg, Name, msg
from rescue.capability import StationRows, station_rows
from rescue.localnames import name_zh

if TYPE_CHECKING:
    from rescue.closures import Closure, ClosureProblem
    from routes.network import RouteNetwork
from rescue._approach_closures import (
    _covering,
    _landing_site,
    _reason_zh,
    _recommend,
)
from rescue._approach_costs import (
    _CARRY_PROFILE,
    CostFunction,
    Factors,
    _carry_costs,
    _costs_key,
    _edge_costs,
    _eta_range,
    _foot_factors,
    _foot_spread,
    _leg_ranges,
    mode_costs,
)
from rescue._approach_evacuation import (
    _evacuate,
    _station_node,
    evacuation_destination,
)
from rescue._approach_legs import (
    _TARGET,
    SHARED_TOLERANCE_M,
    _fmt_msg,
    _LegBuilder,
    _overlap,
    _steps,
    _untouched,
)
from rescue._approach_planned import _planned
from rescue._approach_search import (
    MAX_ALTERNATIVE_RATIO,
    MAX_ALTERNATIVES,
    MAX_SHARED_FRACTION,
    PENALTY_FACTOR,
    _Approach,
    _plan_from,
)
from rescue._approach_targets import (
    MAX_TARGET_OFFSET_M,
    _resolve_target,
)
from rescue._approach_values import (
    Alternative,
    ApproachResult,
    ClosureEffect,
    Evacuation,
    LandingSite,
    Leg,
    Plan,
    TargetPoint,
)
from rescue._approach_values import (
    _lonlat_list as _lonlat_list,
)
from routes.graph import PROFILE_MODES
from routes.multimodal import Topology, topology
from routes.network import Derived

__all__ = [
    "CostFunction",
    "evacuation_destination",
    "MAX_ALTERNATIVES",
    "MAX_ALTERNATIVE_RATIO",
    "MAX_SHARED_FRACTION",
    "MAX_TARGET_OFFSET_M",
    "SHARED_TOLERANCE_M",
    "PENALTY_FACTOR",
    "Alternative",
    "ApproachResult",
    "ClosureEffect",
    "Factors",
    "LandingSite",
    "Evacuation",
    "Leg",
    "Plan",
    "TargetPoint",
    "mode_costs",
    "plan_approach",
    "plan_with_closures",
]


#: a closure costing a plan less than this is not worth a line
_EFFECT_MIN_S = 60.0
_RESPONDING = ("vehicle", "foot_team")


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class _Without:
    """The costs with one closure lifted: what that closure costs each plan."""

    closure_id: str
    label: str | Msg
    costs: Mapping[str, np.ndarray]
    #: the costs' content (see :func:`_costs_key`)
    key: Hashable | None = None


def plan_approach(
    network: RouteNetwork,
    target: Any,
    *,
    stations: Sequence[str] | None = None,
    profile: str = "rescue_team",
    depart_at: datetime | None = None,
    cost: CostFunction | None = None,
    factors: Factors | None = None,
    closures_applied: Sequence[str] = (),
    needs: Sequence[str] = (),
) -> ApproachResult:
    """Fastest multimodal plan of every responding station to a target, and the evacuation.

    Parameters
    ----------
    network
        A :class:`routes.RouteNetwork`.
    target
        ``(lon, lat)``; a segment id; or locate candidates (a :class:`LocateResult` or a
        sequence of :class:`Candidate`: the ends of the most probable one's stretch).
    stations
        Station ids; by default every station with a ``vehicle`` or ``foot_team``
        capability on the network.
    profile
        The foot profile of the teams (``rescue_team``, ``pilgrim``, ``stretcher_carry``).
    depart_at
        Timezone-aware departure time; plans then carry ``arrive_at``.
    cost
        ``cost(u, v, key, data, mode) -> seconds | None`` replacing the edge durations
        (``None`` hides the edge from that mode); see :func:`mode_costs`. It is called
        once per edge and mode.
    factors
        ``mode → edge key → multiplier`` on the travel times (``inf`` closes the edge):
        the fast way to apply closures (see :func:`plan_with_closures`). The
        evacuation's carry keeps the ratio of the foot cost to plain walking (a closure
        that doubles walking time doubles carrying time).
    closures_applied
        Ids of the closures ``cost``/``factors`` account for, echoed in every plan.
    needs
        What the incident needs (:data:`rescue.capability.NEEDS` ids): the recommended
        station is then the fastest that can send it (see :func:`rescue.capability.assess`);
        every plan says what its station can send and lacks.

    Returns
    -------
    ApproachResult
        Plans sorted by ETA, reachable first; an unreachable plan leads to the nearest
        reachable point. ``recommended`` is None when no station can reach the target.

    Raises
    ------
    InvalidInput
        On an unknown or non-foot profile, a naive ``depart_at``, a malformed target, a
        target more than 2 km from the network, a station off the network.
    NotFound
        On an unknown station or segment id.
    """
    return _plan(
        network,
        target,
        stations=stations,
        profile=profile,
        depart_at=depart_at,
        cost=cost,
        factors=factors,
        closures_applied=closures_applied,
        needs=needs,
    )


@dataclass(frozen=True)
class _Station:
    vehicle: bool
    name_en: str


def _stations(network: RouteNetwork) -> dict[str, _Station]:
    table = network.region.stations
    return {
        str(sid): _Station("vehicle" in caps, str(name))
        for sid, caps, name in zip(
            table.index, table["capabilities"], table["name_en"], strict=True
        )
    }


def _station_rows(network: RouteNetwork) -> StationRows:
    return station_rows(network.region.stations)


#: the stations table read once per network, not cell by cell per request (issue 18:
#: ~20 ms of an approach's CPU went to pandas' ``.at`` / ``.loc`` / ``iterrows``)
_STATIONS: Derived[dict[str, _Station]] = Derived("approach.stations", _stations)
_STATION_ROWS: Derived[StationRows] = Derived("approach.station_rows", _station_rows)


def _plan(
    network: RouteNetwork,
    target: Any,
    *,
    stations: Sequence[str] | None,
    profile: str,
    depart_at: datetime | None,
    cost: CostFunction | None,
    factors: Factors | None,
    closures_applied: Sequence[str],
    needs: Sequence[str] = (),
    without: Sequence[Callable[[], _Without]] = (),
    active: Sequence[Closure] = (),
) -> ApproachResult:
    from rescue.capability import NEEDS, assess

    unknown_needs = [n for n in needs if n not in NEEDS]
    if unknown_needs:
        raise InvalidInput(
            f"unknown need(s) {', '.join(map(repr, unknown_needs))}; known: {', '.join(NEEDS)}"
        )
    chosen = _validate(network, stations, profile, depart_at, cost)
    points = _resolve_target(network, target)
    topo = topology(network)
    costs = _edge_costs(network, topo, profile, cost, factors)
    planned = _planned(network, topo, points, costs, _costs_key(profile, cost, factors))
    approach = planned.approach
    target_names = {f"{_TARGET}{i}": p.label for i, p in enumerate(points)}
    builder = _LegBuilder(network, target_names)
    overlap = _overlap(network)
    table = _STATIONS.of(network)
    closures = tuple(closures_applied)

    cache = planned.plans  # start state -> its plan (shared by stations at one start)
    starts: dict[str, int] = {}
    for sid in chosen:
        node = _station_node(network, sid)
        assert node is not None
        start = approach.start(node, table[sid].vehicle)
        starts[sid] = start
        if start not in cache:
            cache[start] = _plan_from(approach, start, points, builder, overlap)
    effects = _closure_effects(
        network, topo, points, approach, set(starts.values()), without, builder
    )
    plans = []
    for sid, start in starts.items():
        p = cache[start]
        plans.append(
            Plan(
                station_id=sid,
                station_name=table[sid].name_en,
                eta_s=p.eta_s,
                legs=p.legs,
                arrival_lon=p.arrival_lon,
                arrival_lat=p.arrival_lat,
                alternatives=p.alternatives,
                closures_applied=closures,
                closure_effects=effects.get(start, ()),
                reachable=p.reachable,
                gap_m=p.gap_m,
                far_eta_s=p.far_eta_s,
                arrive_at=depart_at + timedelta(seconds=p.eta_s) if depart_at else None,
            )
        )
    spread = _foot_spread(network, profile)
    plans = [
        replace(
            p,
            eta_range_s=_eta_range(p.legs, p.eta_s, spread),
            legs=_leg_ranges(p.legs, spread),
            alternatives=tuple(
                replace(a, legs=_leg_ranges(a.legs, spread)) for a in p.alternatives
            ),
        )
        for p in plans
    ]
    plans.sort(key=lambda p: (not p.reachable, p.eta_s, p.station_id))
    if planned.evacuation is None:
        carry_costs = _carry_costs(topo, profile, costs)
        planned.evacuation = (_evacuate(network, topo, points, carry_costs, builder),)
    evacuation = planned.evacuation[0]
    if evacuation is not None:
        carry_spread = _foot_spread(network, _CARRY_PROFILE)
        lo, hi = _foot_factors(evacuation.carry_s, carry_spread)
        carry = (evacuation.carry_s * lo, evacuation.carry_s * hi)
        evacuation = replace(
            evacuation,
            carry_legs=_leg_ranges(evacuation.carry_legs, carry_spread),
            vehicle_legs=_leg_ranges(evacuation.vehicle_legs, None),
            carry_range_s=carry,
            total_range_s=(carry[0] + evacuation.vehicle_s, carry[1] + evacuation.vehicle_s),
        )
    recommended, reason = _recommend(plans)
    fit = assess(plans, _STATION_ROWS.of(network), tuple(needs))
    plans = [replace(p, offer=fit.offers.get(p.station_id)) for p in plans]
    if fit.recommended is not None:
        recommended, reason = fit.recommended, fit.reason_en
    landing = None if recommended else _landing_site(network, points[0], active)
    reason_zh = fit.reason_zh if fit.recommended is not None else _reason_zh(network, plans)
    if recommended is None and plans:
        tail = (
            msg(
                "approach.landing",
                name=Name(landing.name, name_zh(network, landing.name)),
                km=f"{landing.distance_m / 1000:.1f}",
            )
            if landing
            else msg("approach.no_landing")
        )
        reason += tail.render("en")
        reason_zh += tail.render("zh")
    return ApproachResult(
        tuple(plans),
        evacuation,
        recommended,
        reason,
        tuple(points),
        landing,
        needs=tuple(needs),
        reason_zh=reason_zh,
    )


def _closure_effects(
    network: RouteNetwork,
    topo: Topology,
    points: Sequence[TargetPoint],
    approach: _Approach,
    starts: set[int],
    without: Sequence[Callable[[], _Without]],
    builder: _LegBuilder,
) -> dict[int, tuple[ClosureEffect, ...]]:
    """For each start, what each closure costs it: the time lost and the new way."""
    effects: dict[int, list[ClosureEffect]] = {s: [] for s in starts}
    if not without:
        return {}
    G = topo.graph
    for make in without:
        w = make()
        lifted = _planned(network, topo, points, w.costs, w.key).approach
        for start in starts:
            with_all = approach.best(start)
            open_ = lifted.best(start)
            if open_ is None:
                continue
            if with_all is None:
                effects[start].append(
                    ClosureEffect.of(
                        w.closure_id,
                        math.inf,
                        msg("closure.effect_cuts", label=w.label, eta=_fmt_msg(open_[0])),
                    )
                )
                continue
            extra = with_all[0] - open_[0]
            if extra < _EFFECT_MIN_S:
                continue
            before = {s.arc.v for s in _steps(lifted.sg, open_[2])}
            via = [
                builder.name(s.arc.v).split(" (")[0]
                for s in _steps(approach.sg, with_all[2])
                if s.arc.end == s.arc.v and s.arc.v not in before and G.nodes[s.arc.v]["place_ids"]
            ]
            via = list(dict.fromkeys(via))[:2]
            places = [Name(v, name_zh(network, v)) for v in via]
            how = msg("closure.effect_via", places=places) if via else ""
            effects[start].append(
                ClosureEffect.of(
                    w.closure_id,
                    extra,
                    msg("closure.effect_extra", label=w.label, extra=_fmt_msg(extra), how=how),
                )
            )
    return {s: tuple(sorted(e, key=lambda x: -x.extra_s)) for s, e in effects.items() if e}


def _validate(
    network: RouteNetwork,
    stations: Sequence[str] | None,
    profile: str,
    depart_at: datetime | None,
    cost: Any,
) -> list[str]:
    problems = []
    foot_profiles = sorted(p for p, m in PROFILE_MODES.items() if m == "foot")
    if profile not in foot_profiles:
        problems.append(
            f"profile {profile!r} is not a foot profile; allowed: {', '.join(foot_profiles)}"
        )
    if depart_at is not None and (not isinstance(depart_at, datetime) or depart_at.tzinfo is None):
        problems.append(f"depart_at must be a timezone-aware datetime, got {depart_at!r}")
    if cost is not None and not callable(cost):
        problems.append(f"cost must be a callable (u, v, key, data, mode) -> seconds, got {cost!r}")
    if stations is not None and (isinstance(stations, str) or not stations):
        problems.append(f"stations must be a non-empty list of station ids, got {stations!r}")
    if problems:
        raise InvalidInput("invalid approach request", details=problems)
    table = network.region.stations
    if stations is None:
        chosen = [
            sid
            for sid, caps in table["capabilities"].items()
            if set(caps) & set(_RESPONDING) and _station_node(network, sid) is not None
        ]
        return chosen
    unknown = [s for s in stations if s not in table.index]
    if unknown:
        raise NotFound(
            f"unknown station(s): {', '.join(map(repr, unknown))}",
            details=[f"known: {', '.join(table.index)}"],
        )
    off = [s for s in stations if _station_node(network, s) is None]
    if off:
        raise InvalidInput(f"station(s) not on the route network: {', '.join(off)}")
    return list(dict.fromkeys(stations))


def plan_with_closures(
    network: RouteNetwork,
    target: Any,
    closures: Iterable[Closure],
    *,
    now: datetime,
    stations: Sequence[str] | None = None,
    profile: str = "rescue_team",
    depart_at: datetime | None = None,
    closure_problems: Sequence[ClosureProblem] = (),
    needs: Sequence[str] = (),
) -> ApproachResult:
    """Plan the approach with the closures in force at departure (``depart_at`` or ``now``).

    Foot legs are slowed or closed by the closures affecting walking, vehicle legs by
    all of them (see :func:`rescue.closures.edge_factors`). Every plan's
    ``closures_applied`` lists the ids of all closures in force then (not only those on
    the plan's way: a closed edge is never on a plan, yet it shaped it), and its
    ``closure_effects`` what each one costs it: the plan is searched again with that
    closure lifted, and the time lost and the places of the new way are named
    ("Darchen – Tarboche road closed by snow since 06:00: +40 min via Zutulpuk").
    A closure that cannot be applied is left out and listed in ``closure_problems``
    after those given (the stored rows that could not be read), never fatal.

    Raises
    ------
    InvalidInput, NotFound
        As :func:`plan_approach`.
    """
    from rescue.closures import (
        closures_in_force,
        describe_closure_msg,
        edge_factors,
    )

    at = depart_at or now
    active, problems = closures_in_force(network, closures, at)

    def factors_of(subset: Sequence[Closure]) -> dict[str, dict[str, float]]:
        return {
            "foot": edge_factors(network, subset, profile, at),
            "vehicle": edge_factors(network, subset, "vehicle", at),
        }

    topo = topology(network)

    def lifted(closure: Closure) -> Callable[[], _Without]:
        def make() -> _Without:
            others = [c for c in active if c is not closure]
            factors = factors_of(others)
            costs = _edge_costs(network, topo, profile, None, factors)
            label = describe_closure_msg(network, closure)
            return _Without(closure.closure_id, label, costs, _costs_key(profile, None, factors))

        return make

    result = _plan(
        network,
        target,
        stations=stations,
        profile=profile,
        depart_at=depart_at,
        cost=None,
        factors=factors_of(active),
        closures_applied=tuple(c.closure_id for c in active),
        without=[lifted(c) for c in active],
        active=active,
        needs=needs,
    )
    result = replace(result, closure_problems=(*closure_problems, *problems))
    if active:
        result = replace(
            result,
            plans=tuple(
                replace(p, closures_untouched=_untouched(network, p, active)) for p in result.plans
            ),
        )
    warnings = _covering(network, result.target, active, describe_closure_msg)
    return replace(result, warnings=warnings) if warnings else result
