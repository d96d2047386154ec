"""What closures do to the network: the edges each covers, the per-edge travel-time factors and
costs of those in force, the closures on an edge, and a closure described in one line
(:mod:`rescue.closures` re-exports the public names).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, msg
from rescue._closure_geometry import geometry_edges
from rescue.localtime import LOCAL_TZ
from routes.graph import PROFILE_MODES
from routes.snap import EdgeKey, piece_index

if TYPE_CHECKING:
    from rescue._closure_model import Closure
    from routes.network import RouteNetwork

from rescue._closure_body import _check_aware

__all__ = [
    "affected_edges",
    "edge_factors",
    "describe_closure",
    "describe_closure_msg",
    "edge_cost",
    "closure_weight",
    "closures_on_edge",
]


def affected_edges(network: RouteNetwork, closure: Closure) -> frozenset[EdgeKey]:
    """The ``(u, v, key)`` edges a closure covers, in both directions.

    ``segment_ids``: every edge of those segments. LineString: every edge with at
    least :data:`LINE_OVERLAP_MIN` of its length within :data:`LINE_BUFFER_M` of the
    line (a stretch drawn along the trail) or that the line crosses (a landslide drawn
    across it). Polygon: every edge intersecting the polygon. The result is cached
    on the network per closure.

    Raises
    ------
    InvalidInput
        If the closure's geometry is neither a LineString nor a Polygon.
    """
    cache: dict[tuple[str, str], frozenset[EdgeKey]] = network.derive(
        "closures.affected", lambda net: {}
    )
    token = (closure.closure_id, json.dumps([closure.segment_ids, closure.geometry]))
    hit = cache.get(token)
    if hit is not None:
        return hit
    edges: set[EdgeKey] = set()
    for sid in closure.segment_ids:
        edges |= piece_index(network).by_segment.get(sid, frozenset())
    if closure.geometry is not None:
        edges |= geometry_edges(network, closure.geometry)
    result = frozenset(edges)
    cache[token] = result
    return result


def _profile_mode(profile: str) -> str:
    try:
        return PROFILE_MODES[profile]
    except KeyError:
        raise InvalidInput(
            f"unknown profile {profile!r}; known: {', '.join(PROFILE_MODES)}"
        ) from None


def edge_factors(
    network: RouteNetwork, closures: Iterable[Closure], profile: str, at: datetime
) -> dict[str, float]:
    """Edge key → multiplier (``inf`` = closed) of the closures in force for ``profile``.

    Edges no closure touches are absent (multiplier 1).

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    _check_aware(at, "at")
    mode = _profile_mode(profile)
    factors: dict[str, float] = {}
    for c in closures:
        if not (c.active(at) and c.affects(mode)):
            continue
        f = math.inf if c.slow_factor is None else c.slow_factor
        for _, _, key in affected_edges(network, c):
            factors[key] = factors.get(key, 1.0) * f
    return factors


def describe_closure(network: RouteNetwork, closure: Closure) -> str:
    """One line naming what is closed, how, why and since when (English)."""
    return describe_closure_msg(network, closure).render("en")


def describe_closure_msg(network: RouteNetwork, closure: Closure) -> Msg:
    """One line naming what is closed, how, why and since when, in either language.

    E.g. "Darchen – Tarboche road closed by snow since 06:00" (local time; the date is
    added when the closure began on another day than it ends or than today).
    """
    names: list[Name] = []
    segments = network.segments
    if closure.segment_ids:
        ids: Iterable[str] = closure.segment_ids
    else:
        G = network.graph
        ids = (
            G.edges[e].get("segment_id")
            for e in sorted(affected_edges(network, closure))
            if G.edges[e].get("segment_id")
        )
    for sid in ids:
        if sid in segments.index:
            zh = segments.at[sid, "name_zh"] if "name_zh" in segments.columns else None
            names.append(
                Name(str(segments.at[sid, "name_en"]), zh if isinstance(zh, str) else None)
            )
    names = list(dict.fromkeys(names))
    what: Msg | Name | list[Name] = names[:2] or msg("closure.drawn_area")
    if len(names) > 2:
        what = msg("closure.what_more", names=names[:2], count=len(names) - 2)
    if closure.modes == "vehicle":
        what = msg("closure.vehicles", what=what)
    reason = msg(f"closure.reason_{closure.reason}")
    start = closure.valid_from.astimezone(LOCAL_TZ)
    today = datetime.now(LOCAL_TZ).date()
    since = start.strftime("%H:%M") if start.date() == today else start.strftime("%d %b %H:%M")
    if closure.closed:
        return msg("closure.closed", what=what, reason=reason, since=since)
    factor = f"{closure.slow_factor:g}"
    return msg("closure.slowed", what=what, factor=factor, reason=reason, since=since)


def _cost(data: Mapping[str, Any], profile: str, factor: float) -> float | None:
    base = data["duration_s"].get(profile)
    if base is None or math.isinf(factor):
        return None
    return float(base) * factor


def edge_cost(
    network: RouteNetwork, closures: Iterable[Closure], profile: str, at: datetime
) -> Callable[[str, str, str, Mapping[str, Any]], float | None]:
    """Cost of one edge ``(u, v, key, data) -> seconds``, None when it cannot be used.

    The edge's ``duration_s[profile]`` times the slow factors of the closures active
    at ``at`` that cover it and affect the profile's mode; None if the mode is not
    allowed on the edge or an active closure closes it.

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    factors = edge_factors(network, list(closures), profile, at)

    def cost(u: str, v: str, key: str, data: Mapping[str, Any]) -> float | None:
        return _cost(data, profile, factors.get(key, 1.0))

    return cost


def closure_weight(
    network: RouteNetwork, closures: Iterable[Closure], profile: str, *, at: datetime
) -> Callable[[str, str, Mapping[str, Any]], float | None]:
    """A networkx weight function honouring closures (see :func:`edge_cost`).

    For the MultiDiGraph networkx passes ``{key: data}`` of all parallel edges
    ``u → v``: the weight is the cheapest usable one, or None (edge hidden) if none is.
    A single edge's data dict (simple graphs) is accepted too.

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    factors = edge_factors(network, list(closures), profile, at)

    def weight(u: str, v: str, d: Mapping[str, Any]) -> float | None:
        if "duration_s" in d:  # a simple graph's single edge
            return _cost(d, profile, factors.get(str(d.get("edge_id")), 1.0))
        costs = [
            c
            for key, data in d.items()
            if (c := _cost(data, profile, factors.get(key, 1.0))) is not None
        ]
        return min(costs) if costs else None

    return weight


def closures_on_edge(
    network: RouteNetwork,
    closures: Iterable[Closure],
    edge: EdgeKey,
    *,
    profile: str | None = None,
    at: datetime | None = None,
) -> tuple[str, ...]:
    """Ids of the closures covering ``edge`` = ``(u, v, key)``.

    With ``at``, only those in force then; with ``profile``, only those affecting its mode.

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    mode = None if profile is None else _profile_mode(profile)
    return tuple(
        c.closure_id
        for c in closures
        if (at is None or c.active(at))
        and (mode is None or c.affects(mode))
        and edge in affected_edges(network, c)
    )
