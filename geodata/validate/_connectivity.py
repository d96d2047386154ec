"""Connectivity: the foot network is one piece, and every vehicle-only way reaches it.

Two ways meet where any vertex of one lies within :data:`JOIN_TOLERANCE_M` of any vertex
of the other, or a way's end lies that close to another way's line (the graph splits
that way there), measured in the region's metric CRS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pyproj
import shapely

from geodata.i18n import Msg, Name, msg
from geodata.validate._problems import Problems, at_geometry, quoted_list
from geodata.validate.schema import MODES

__all__ = ["JOIN_TOLERANCE_M", "Way", "check_connectivity", "way"]

#: Two ways meet where vertices of both lie this close (metres).
JOIN_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class Way:
    """What connectivity needs of one way whose coordinates could be read."""

    label: Msg
    way_id: str
    modes: frozenset[str]
    lonlat: np.ndarray  # (n, 2)


def way(where: Msg, fid: Any, index: int, modes: Any, lonlat: np.ndarray) -> Way:
    """A way for the connectivity check (its usable modes only)."""
    mode_set = frozenset(m for m in modes if m in MODES) if isinstance(modes, list) else frozenset()
    return Way(label=where, way_id=str(fid) if fid else f"#{index}", modes=mode_set, lonlat=lonlat)


def _metric_transformer(metric_crs: str | None, ways: Sequence[Way]) -> pyproj.Transformer:
    if metric_crs is None:
        # metadata's metric CRS is unusable (already reported): measure in a local
        # azimuthal equidistant projection so connectivity is still checked.
        centre = np.concatenate([w.lonlat for w in ways]).mean(axis=0)
        metric_crs = (
            f"+proj=aeqd +lon_0={centre[0]:.6f} +lat_0={centre[1]:.6f} +units=m +datum=WGS84"
        )
    return pyproj.Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True)


def _components(graph: nx.Graph) -> list[list[int]]:
    """Connected components, largest first, ties broken by lowest way index."""
    comps = [sorted(c) for c in nx.connected_components(graph)]
    comps.sort(key=lambda c: (-len(c), c[0]))
    return comps


def check_connectivity(ways: Sequence[Way], metric_crs: str | None, problems: Problems) -> None:
    """Report the ways not joined to the main foot network (see the module docstring)."""
    if not ways:
        return
    transformer = _metric_transformer(metric_crs, ways)
    lonlat = np.concatenate([w.lonlat for w in ways])
    owner = np.repeat(np.arange(len(ways)), [len(w.lonlat) for w in ways])
    x, y = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    points = shapely.points(np.column_stack([x, y]))
    left, right = shapely.STRtree(points).query(
        points, predicate="dwithin", distance=JOIN_TOLERANCE_M
    )
    a, b = owner[left], owner[right]
    # a way end on another way's interior also joins them (the graph splits that way there)
    lines, ends, end_owner = [], [], []
    for i in range(len(ways)):
        sel = owner == i
        xy = np.column_stack([x[sel], y[sel]])
        lines.append(shapely.linestrings(xy) if len(xy) > 1 else shapely.points(xy[0]))
        ends.extend([xy[0], xy[-1]])
        end_owner.extend([i, i])
    e_left, l_right = shapely.STRtree(lines).query(
        shapely.points(np.asarray(ends)), predicate="dwithin", distance=JOIN_TOLERANCE_M
    )
    a = np.concatenate([a, np.asarray(end_owner)[e_left]])
    b = np.concatenate([b, l_right])
    keep = a != b
    pairs = {
        (min(p, q), max(p, q)) for p, q in zip(a[keep].tolist(), b[keep].tolist(), strict=True)
    }

    graph = nx.Graph()
    graph.add_nodes_from(range(len(ways)))
    graph.add_edges_from(pairs)

    foot = [i for i, w in enumerate(ways) if "foot" in w.modes]
    if not foot:
        problems.add("trails.geojson", msg("validate.no_foot_way"))
        return
    foot_parts = _components(graph.subgraph(foot))
    main = foot_parts[0]
    tolerance = f"{JOIN_TOLERANCE_M:g}"
    for part in foot_parts[1:]:
        names = _short_list([ways[i].way_id for i in part])
        for i in part:
            problems.add(
                at_geometry(ways[i].label),
                msg(
                    "validate.foot_detached",
                    count=len(part),
                    names=names,
                    main=len(main),
                    tolerance=tolerance,
                ),
            )

    reach = nx.node_connected_component(graph, main[0])
    for i, w in enumerate(ways):
        if "foot" in w.modes or i in reach:
            continue
        problems.add(at_geometry(w.label), msg("validate.vehicle_detached", tolerance=tolerance))


def _short_list(items: Sequence[str], limit: int = 5) -> Msg | Name:
    """At most ``limit`` ids, then how many more."""
    if len(items) > limit:
        return msg("validate.ids_and_more", ids=quoted_list(items[:limit]), more=len(items) - limit)
    return quoted_list(items)
