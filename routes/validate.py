"""Check a route graph against the contract written in :mod:`routes.graph`."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from geodata.errors import DataValidationError
from routes.costs import PROFILES
from routes.graph import PROFILE_MODES, reverse_key

__all__ = ["validate_graph", "graph_problems"]

_NODE_ATTRS = ("x", "y", "lon", "lat", "elevation_m", "place_ids")
_EDGE_ATTRS = (
    "edge_id",
    "way_id",
    "route_id",
    "variant",
    "segment_id",
    "kind",
    "geometry",
    "length_m",
    "ascent_m",
    "descent_m",
    "modes",
    "surface",
    "quality",
    "forward",
    "duration_s",
)


def graph_problems(G: nx.MultiDiGraph) -> list[str]:
    """Every way in which ``G`` breaks the graph contract (empty if none)."""
    problems: list[str] = []
    if not isinstance(G, nx.MultiDiGraph):
        return [f"graph is a {type(G).__name__}, expected MultiDiGraph"]
    for key in ("crs", "region_id", "profiles"):
        if key not in G.graph:
            problems.append(f"graph attribute {key!r} missing")
    for node, data in G.nodes(data=True):
        missing = [a for a in _NODE_ATTRS if a not in data]
        if missing:
            problems.append(f"node {node!r}: missing {', '.join(missing)}")
    for u, v, k, d in G.edges(keys=True, data=True):
        where = f"edge {k!r} ({u} → {v})"
        missing = [a for a in _EDGE_ATTRS if a not in d]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        problems.extend(_edge_problems(G, u, v, k, d, where))
    return problems


def _edge_problems(
    G: nx.MultiDiGraph, u: str, v: str, k: str, d: dict[str, Any], where: str
) -> list[str]:
    out = []
    if not (d["length_m"] > 0 and math.isfinite(d["length_m"])):
        out.append(f"{where}: length_m {d['length_m']!r} is not a positive number")
    if d["ascent_m"] < 0 or d["descent_m"] < 0:
        out.append(f"{where}: ascent_m/descent_m must be >= 0")
    if d["segment_id"] is None:
        out.append(f"{where}: belongs to no segment")
    twin = reverse_key(k)
    if not G.has_edge(v, u, twin):
        out.append(f"{where}: its reverse edge {twin!r} is missing")
    else:
        back = G.edges[v, u, twin]
        if abs(back["ascent_m"] - d["descent_m"]) > 1e-6:
            out.append(f"{where}: ascent/descent do not mirror its reverse edge")
    start = d["geometry"].coords[0]
    if math.hypot(start[0] - G.nodes[u]["x"], start[1] - G.nodes[u]["y"]) > 1.0:
        out.append(f"{where}: geometry does not start at node {u!r}")
    for profile in PROFILES:
        value = d["duration_s"].get(profile)
        allowed = PROFILE_MODES[profile] in d["modes"] and profile not in d.get("closed_to", ())
        if allowed and not (value is not None and value > 0 and math.isfinite(value)):
            out.append(f"{where}: duration_s[{profile!r}] = {value!r}, expected a positive number")
        if not allowed and value is not None:
            out.append(f"{where}: duration_s[{profile!r}] set on an edge {profile} may not use")
    return out


def validate_graph(G: nx.MultiDiGraph) -> None:
    """Raise if ``G`` breaks the graph contract.

    Raises
    ------
    DataValidationError
        Listing every problem found.
    """
    problems = graph_problems(G)
    if problems:
        raise DataValidationError(
            f"route graph breaks its contract in {len(problems)} place(s)", details=problems
        )
