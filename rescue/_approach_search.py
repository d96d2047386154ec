"""The searches of an approach: per station, the best path from the reverse search and the
penalty method's alternatives; the nearest reachable point when nothing reaches the target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass
from rescue._approach_legs import (
    _LegBuilder,
    _spans,
    _steps,
)
from rescue._approach_targets import (
    _target_arcs,
)
from rescue._approach_values import (
    Alternative,
    Plan,
    TargetPoint,
)
from rescue._approach_values import (
    _lonlat_list as _lonlat_list,
)
from routes.multimodal import MODES, GroundOverlap, StateGraph, Topology

__all__ = ["PENALTY_FACTOR", "MAX_SHARED_FRACTION", "MAX_ALTERNATIVES", "MAX_ALTERNATIVE_RATIO"]


#: cost multiplier for edges already used, when searching for alternatives
PENALTY_FACTOR = 3.0

#: alternatives sharing this fraction of their length (or more) with another plan are dropped
MAX_SHARED_FRACTION = 0.5

#: alternatives per station
MAX_ALTERNATIVES = 3

#: alternatives slower than this many times the best (and over an hour more) are not useful
MAX_ALTERNATIVE_RATIO = 3.0

#: penalised searches per station (several may repeat a path already found)
_MAX_PENALTY_ROUNDS = 6


class _Approach:
    """One request's drive-then-walk state graph and the reverse search from its targets.

    ``eta(start)`` is every target point's time from any start state, from one search.
    """

    def __init__(
        self, topo: Topology, points: Sequence[TargetPoint], costs: Mapping[str, np.ndarray]
    ) -> None:
        self.sg = StateGraph(topo, MODES, costs, len(points), _target_arcs(topo, points, True))
        self.goals = [self.sg.virtual_state(i) for i in range(len(points))]
        self.rev = self.sg.search(self.goals, reverse=True)

    def start(self, node: str, drives: bool) -> int:
        return self.sg.state(node, "vehicle" if drives else "foot")

    def etas(self, start: int) -> np.ndarray:
        return np.asarray(self.rev.dist[:, start])

    def best(self, start: int) -> tuple[float, int, list[int]] | None:
        """ETA, target point and arcs of the fastest path from ``start``; None if none."""
        etas = self.etas(start)
        if not np.isfinite(etas).any():
            return None
        i = int(np.argmin(etas))
        return float(etas[i]), i, self.sg.path(self.rev, i, start)


def _plan_from(
    approach: _Approach,
    start: int,
    points: Sequence[TargetPoint],
    builder: _LegBuilder,
    overlap: GroundOverlap,
) -> Plan:
    best = approach.best(start)
    if best is None:
        return _unreachable(approach.sg, start, points[0], builder)
    eta, i, arcs = best
    etas = approach.etas(start)
    far = float(etas.max()) if len(points) > 1 and np.isfinite(etas).all() else None
    goal = approach.goals[i]
    alternatives = _alternatives(approach.sg, overlap, start, goal, arcs, eta, builder)
    t = points[i]
    return Plan(
        station_id="",
        station_name="",
        eta_s=eta,
        legs=builder.legs(_steps(approach.sg, arcs)),
        arrival_lon=t.lon,
        arrival_lat=t.lat,
        alternatives=alternatives,
        far_eta_s=far,
    )


def _alternatives(
    sg: StateGraph,
    overlap: GroundOverlap,
    start: int,
    goal: int,
    best_arcs: Sequence[int],
    best_eta: float,
    builder: _LegBuilder,
) -> tuple[Alternative, ...]:
    """Penalty method: penalise the pieces of the last path found, search again.

    The penalised search stops at ``PENALTY_FACTOR`` times the slowest useful
    alternative: a path beyond that would be dropped anyway.
    """
    cap = max(MAX_ALTERNATIVE_RATIO * best_eta, best_eta + 3600.0)
    penalty = np.ones(len(sg.cost_s))
    best_spans = _spans(sg, overlap, best_arcs)
    kept: list[tuple[float, list[int], list[tuple[int, float, float]], float]] = []
    seen = {tuple(best_arcs)}
    last = list(best_arcs)
    for _ in range(_MAX_PENALTY_ROUNDS):
        pieces = [int(sg.topo.piece[sg.edge[a]]) for a in last if sg.edge[a] >= 0]
        sg.piece_penalty(pieces, penalty, PENALTY_FACTOR)
        found = sg.search([start], penalty=penalty, limit=PENALTY_FACTOR * cap)
        if not math.isfinite(found.dist[0, goal]):
            break
        arcs = last = sg.path(found, 0, goal)
        if tuple(arcs) in seen:
            continue
        seen.add(tuple(arcs))
        eta = float(sg.cost_s[arcs].sum())
        if eta > cap:
            continue
        spans = _spans(sg, overlap, arcs)
        shared = overlap.shared_fraction(spans, best_spans)
        if shared >= MAX_SHARED_FRACTION:
            continue
        if any(overlap.shared_fraction(spans, k[2]) >= MAX_SHARED_FRACTION for k in kept):
            continue
        kept.append((eta, arcs, spans, shared))
        if len(kept) == MAX_ALTERNATIVES:
            break
    kept.sort(key=lambda k: k[0])
    return tuple(
        Alternative(builder.legs(_steps(sg, arcs)), eta, max(0.0, eta - best_eta), shared)
        for eta, arcs, _, shared in kept
    )


def _unreachable(sg: StateGraph, start: int, target: TargetPoint, builder: _LegBuilder) -> Plan:
    """The plan to the reachable node nearest the target (straight line)."""
    G = sg.topo.graph
    net = builder.net
    tx, ty = net.to_metric.transform(target.lon, target.lat)
    found = sg.search([start])
    dist = found.dist[0]
    best: tuple[float, float, int] | None = None
    for state in np.flatnonzero(np.isfinite(dist)).tolist():
        n = sg.node_of(state)
        if n is None:
            continue
        node = G.nodes[sg.topo.nodes[n]]
        key = (math.hypot(node["x"] - tx, node["y"] - ty), float(dist[state]), state)
        if best is None or key < best:
            best = key
    assert best is not None  # the start itself is reached
    gap, eta, state = best
    reached = sg.node_of(state)
    assert reached is not None  # states without a node were skipped above
    node = G.nodes[sg.topo.nodes[reached]]
    return Plan(
        station_id="",
        station_name="",
        eta_s=eta,
        legs=builder.legs(_steps(sg, sg.path(found, 0, state))),
        arrival_lon=node["lon"],
        arrival_lat=node["lat"],
        reachable=False,
        gap_m=gap,
    )
