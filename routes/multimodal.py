"""The route graph as a compiled multimodal state graph, searched with scipy's Dijkstra.

A rescue team drives as far as the roads go, then walks; a casualty is carried to where
a vehicle can take over, then driven. Both are one search over *states*
``(node, layer)``: layer 0 is the first mode (``vehicle`` for an approach), layer 1 the
second (``foot``). An edge of the route graph is an arc in every layer whose mode it
allows; a free *transfer* arc leads from layer ``i`` to layer ``i + 1`` at every node
where edges of both modes start (a trailhead, a road end, a road walkable along its
length). Because every way piece is two directed edges, both ways round a loop are in
the graph, and one reverse search from a target gives every station's fastest time at
once.

Points off the nodes (a casualty part-way along an edge) are *virtual states* joined by
arcs covering part of an edge (``f0 .. f1``, fractions in the edge's own ``u → v``
direction), as pgRouting does for points on edges.

:class:`Topology` holds what does not change between requests (node and edge indices,
way pieces, allowed modes, per-profile durations) and is cached on the network;
:class:`StateGraph` adds one request's costs (closures, slow-downs) and its virtual
states, and is cheap to build (arrays, no Python loop over edges).
:class:`GroundOverlap` measures how much of one path runs along another on the ground.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely import STRtree
from shapely.geometry import LineString

from routes.graph import edge_stem, is_forward

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "MODES",
    "SAMPLE_STEP_M",
    "GroundOverlap",
    "Search",
    "StateGraph",
    "Topology",
    "VirtualArc",
    "state_graph",
    "topology",
]

#: travel modes, as in the graph's edge attribute ``modes``
MODES: tuple[str, ...] = ("vehicle", "foot")
#: spacing of the points that measure how much two paths share on the ground
SAMPLE_STEP_M = 20.0
_NO_PRED = -9999  # scipy's marker for "no predecessor"


# --------------------------------------------------------------------------- topology
@dataclass
class Topology:
    """Integer indices of a route graph's nodes and edges; built once per network.

    ``piece[e]`` numbers the way piece of edge ``e`` (both directions share it);
    ``allows[mode][e]`` tells whether the mode may use it; ``transfer[n]`` whether edges
    of both modes start at node ``n``.
    """

    graph: Any
    nodes: tuple[str, ...]
    node_index: dict[str, int]
    edges: tuple[tuple[str, str, str], ...]
    edge_index: dict[str, int]
    edge_u: np.ndarray
    edge_v: np.ndarray
    piece: np.ndarray
    pieces: tuple[str, ...]
    allows: dict[str, np.ndarray]
    transfer: np.ndarray
    length_m: np.ndarray
    _durations: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, G: Any) -> Topology:
        nodes = tuple(G.nodes)
        node_index = {n: i for i, n in enumerate(nodes)}
        edges = tuple((u, v, k) for u, v, k in G.edges(keys=True))
        pieces: dict[str, int] = {}
        piece = np.array([pieces.setdefault(edge_stem(k), len(pieces)) for *_, k in edges])
        allows = {m: np.array([m in G.edges[e]["modes"] for e in edges], dtype=bool) for m in MODES}
        edge_u = np.array([node_index[u] for u, _, _ in edges], dtype=np.int64)
        starts = {m: np.zeros(len(nodes), dtype=bool) for m in MODES}
        for m in MODES:
            starts[m][edge_u[allows[m]]] = True
        return cls(
            graph=G,
            nodes=nodes,
            node_index=node_index,
            edges=edges,
            edge_index={k: i for i, (_, _, k) in enumerate(edges)},
            edge_u=edge_u,
            edge_v=np.array([node_index[v] for _, v, _ in edges], dtype=np.int64),
            piece=piece,
            pieces=tuple(pieces),
            allows=allows,
            transfer=starts["vehicle"] & starts["foot"],
            length_m=np.array([float(G.edges[e]["length_m"]) for e in edges]),
        )

    def durations(self, profile: str) -> np.ndarray:
        """Seconds per edge for ``profile``; ``inf`` where the profile cannot go."""
        if profile not in self._durations:
            G = self.graph
            values = [G.edges[e]["duration_s"].get(profile) for e in self.edges]
            self._durations[profile] = np.array(
                [math.inf if d is None else float(d) for d in values], dtype=np.float64
            )
        return self._durations[profile]


def topology(network: RouteNetwork) -> Topology:
    """The network's :class:`Topology`, built on first use and cached on the network."""
    topo: Topology = network.derive("routes.multimodal.topology", lambda n: Topology.build(n.graph))
    return topo


# --------------------------------------------------------------------------- state graph
@dataclass(frozen=True)
class VirtualArc:
    """An arc to or from virtual state ``virtual`` over ``f0 .. f1`` of edge ``edge``.

    ``inbound`` arcs run from the edge's start node (in ``layer``) to the virtual state;
    outbound ones from the virtual state to the edge's end node.
    """

    virtual: int
    edge: int
    f0: float
    f1: float
    layer: int
    inbound: bool


@dataclass(frozen=True)
class Search:
    """Distances and predecessors of one or more searches (one row per source)."""

    dist: np.ndarray
    pred: np.ndarray
    sources: tuple[int, ...]
    reverse: bool
    data: np.ndarray  # the arc costs searched (penalised ones for alternatives)


class StateGraph:
    """``(node, layer)`` states and their arcs for one request's costs.

    Parameters
    ----------
    topo
        The network's :class:`Topology`.
    layers
        Modes in the order they may be used, e.g. ``("vehicle", "foot")``.
    costs
        Mode → seconds per edge (``inf`` hides an edge from the mode); edges the mode
        does not allow are hidden whatever the cost says.
    virtual
        Number of virtual states; ``arcs`` join them to the graph.
    """

    def __init__(
        self,
        topo: Topology,
        layers: Sequence[str],
        costs: Mapping[str, np.ndarray],
        virtual: int = 0,
        arcs: Sequence[VirtualArc] = (),
    ) -> None:
        self.topo = topo
        self.layers = tuple(layers)
        n = len(topo.nodes)
        self.n_nodes = n
        self.n_states = n * len(self.layers) + virtual
        tails, heads, cost, edge, f0, f1, layer = [], [], [], [], [], [], []
        for i, mode in enumerate(self.layers):
            c = np.where(topo.allows[mode], costs[mode], math.inf)
            ok = np.flatnonzero(np.isfinite(c) & (c >= 0))
            tails.append(topo.edge_u[ok] + i * n)
            heads.append(topo.edge_v[ok] + i * n)
            cost.append(c[ok])
            edge.append(ok)
            f0.append(np.zeros(len(ok)))
            f1.append(np.ones(len(ok)))
            layer.append(np.full(len(ok), i))
            if i + 1 < len(self.layers):
                hubs = np.flatnonzero(topo.transfer)
                tails.append(hubs + i * n)
                heads.append(hubs + (i + 1) * n)
                cost.append(np.zeros(len(hubs)))
                edge.append(np.full(len(hubs), -1))
                f0.append(np.zeros(len(hubs)))
                f1.append(np.zeros(len(hubs)))
                layer.append(np.full(len(hubs), i + 1))
        base = n * len(self.layers)
        for a in arcs:
            mode = self.layers[a.layer]
            arc_c = float(costs[mode][a.edge]) if topo.allows[mode][a.edge] else math.inf
            span = a.f1 - a.f0
            if not (math.isfinite(arc_c) and arc_c >= 0 and span >= 0):
                continue
            u, v = int(topo.edge_u[a.edge]), int(topo.edge_v[a.edge])
            node_state = (u if a.inbound else v) + a.layer * n
            tails.append(np.array([node_state if a.inbound else base + a.virtual]))
            heads.append(np.array([base + a.virtual if a.inbound else node_state]))
            cost.append(np.array([arc_c * span]))
            edge.append(np.array([a.edge]))
            f0.append(np.array([a.f0]))
            f1.append(np.array([a.f1]))
            layer.append(np.array([a.layer]))
        self.tail = np.concatenate(tails).astype(np.int64)
        self.head = np.concatenate(heads).astype(np.int64)
        self.cost_s = np.concatenate(cost).astype(np.float64)
        self.edge = np.concatenate(edge).astype(np.int64)
        self.f0 = np.concatenate(f0)
        self.f1 = np.concatenate(f1)
        #: the layer (mode index) each arc travels in; transfers count as the later one
        self.layer = np.concatenate(layer).astype(np.int64)
        self._forward: tuple[csr_matrix, np.ndarray] | None = None
        self._reverse: tuple[csr_matrix, np.ndarray] | None = None
        self._pairs: tuple[np.ndarray, np.ndarray] | None = None
        self._arc_piece: np.ndarray | None = None

    # states
    def state(self, node: str, mode: str) -> int:
        """The state of ``node`` in the layer of ``mode``."""
        return self.layers.index(mode) * self.n_nodes + self.topo.node_index[node]

    def virtual_state(self, i: int) -> int:
        return self.n_nodes * len(self.layers) + i

    def node_of(self, state: int) -> int | None:
        """The node index of a state, None for a virtual one."""
        return state % self.n_nodes if state < self.n_nodes * len(self.layers) else None

    # matrices
    def _csr(self, reverse: bool) -> tuple[csr_matrix, np.ndarray]:
        cached = self._reverse if reverse else self._forward
        if cached is None:
            rows, cols = (self.head, self.tail) if reverse else (self.tail, self.head)
            order = np.argsort(rows, kind="stable")
            indptr = np.searchsorted(rows[order], np.arange(self.n_states + 1))
            matrix = csr_matrix(
                (self.cost_s[order], cols[order], indptr), shape=(self.n_states, self.n_states)
            )
            cached = (matrix, order)
            if reverse:
                self._reverse = cached
            else:
                self._forward = cached
        return cached

    def search(
        self,
        sources: Sequence[int],
        *,
        reverse: bool = False,
        limit: float = math.inf,
        penalty: np.ndarray | None = None,
    ) -> Search:
        """Dijkstra from each source (on the reversed arcs with ``reverse``).

        ``penalty`` multiplies each arc's cost (arc order); ``limit`` stops the search
        at that cost.
        """
        matrix, order = self._csr(reverse)
        data = self.cost_s if penalty is None else self.cost_s * penalty
        if penalty is not None:
            matrix = csr_matrix((data[order], matrix.indices, matrix.indptr), shape=matrix.shape)
        dist, pred = dijkstra(
            matrix, directed=True, indices=list(sources), return_predecessors=True, limit=limit
        )
        return Search(np.atleast_2d(dist), np.atleast_2d(pred), tuple(sources), reverse, data)

    def path(self, search: Search, row: int, state: int) -> list[int]:
        """Arc ids of the path between the search's source ``row`` and ``state``.

        Forward searches give the path source → state; reverse ones state → source.
        Arc ids come in travel order. Among parallel arcs the cheapest searched one.
        """
        pred = search.pred[row]
        pairs: list[tuple[int, int]] = []
        x = state
        while pred[x] != _NO_PRED:
            p = int(pred[x])
            pairs.append((x, p) if search.reverse else (p, x))
            x = p
        if not search.reverse:
            pairs.reverse()
        if not pairs:
            return []
        # every pair's arcs at once: arcs sorted by (tail, head), in arc order within one
        # pair; among parallel arcs (rare) the cheapest, the first of equals
        keys, by_key = self._pair_keys()
        wanted = np.array([a * self.n_states + b for a, b in pairs], dtype=np.int64)
        lo = np.searchsorted(keys, wanted, side="left")
        hi = np.searchsorted(keys, wanted, side="right")
        out = by_key[lo].tolist()
        for i in np.flatnonzero(hi - lo > 1).tolist():
            arcs = by_key[lo[i] : hi[i]]
            out[i] = int(arcs[np.argmin(search.data[arcs])])
        return out

    def _pair_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Arcs' ``tail * n_states + head``, sorted, and the arc ids in that order."""
        if self._pairs is None:
            keys = self.tail * self.n_states + self.head
            order = np.argsort(keys, kind="stable")
            self._pairs = (keys[order], order)
        return self._pairs

    def piece_penalty(self, pieces: Sequence[int], penalty: np.ndarray, factor: float) -> None:
        """Multiply ``penalty`` (per arc) by ``factor`` on every arc of these way pieces."""
        if self._arc_piece is None:  # transfers (no edge) on a piece of their own, never hit
            n = len(self.topo.pieces)
            self._arc_piece = np.where(self.edge >= 0, self.topo.piece[self.edge], n)
        chosen = np.zeros(len(self.topo.pieces) + 1, dtype=bool)
        chosen[np.asarray(pieces, dtype=np.int64)] = True
        penalty[chosen[self._arc_piece]] *= factor


def state_graph(network: RouteNetwork, profile: str = "rescue_team") -> StateGraph:
    """The drive-then-walk state graph of a network with its plain durations.

    Vehicle arcs use the ``vehicle`` profile, foot arcs ``profile``; no closures.
    """
    topo = topology(network)
    return StateGraph(
        topo,
        MODES,
        {"vehicle": topo.durations("vehicle"), "foot": topo.durations(profile)},
    )


# --------------------------------------------------------------------------- overlap
class GroundOverlap:
    """How much of one path runs within ``tolerance_m`` of another, on the ground.

    Measured on the ground, not by edge ids: a vehicle track drawn along a trail is the
    same way up the valley, whatever the data calls it. Each way piece is sampled every
    :data:`SAMPLE_STEP_M` on first use and the pieces near each sample are remembered.
    """

    def __init__(self, topo: Topology, tolerance_m: float) -> None:
        self.topo = topo
        self.tolerance_m = tolerance_m
        G = topo.graph
        first: dict[int, int] = {}
        for e, p in enumerate(topo.piece.tolist()):
            first.setdefault(p, e)
        self._edge_of_piece = first
        self._geoms = [
            LineString(np.asarray(G.edges[topo.edges[first[p]]]["geometry"].coords)[:, :2])
            for p in range(len(topo.pieces))
        ]
        self._forward = {p: is_forward(topo.edges[e][2]) for p, e in first.items()}
        self._tree = STRtree(self._geoms)
        #: each piece's length (m), read once rather than from shapely per call
        self._lengths: list[float] = shapely.length(np.asarray(self._geoms)).tolist()
        self._samples: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _piece(self, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sample positions (0..1 along the piece's stored geometry), and near pairs."""
        if p not in self._samples:
            geom = self._geoms[p]
            n = max(2, int(math.ceil(geom.length / SAMPLE_STEP_M)) + 1)
            pos = np.linspace(0.0, 1.0, n)
            pts = shapely.line_interpolate_point(geom, pos, normalized=True)
            point_i, piece_i = self._tree.query(pts, predicate="dwithin", distance=self.tolerance_m)
            self._samples[p] = (pos, point_i, piece_i)
        return self._samples[p]

    def spans(self, arcs: Sequence[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
        """``(edge, f0, f1)`` → ``(piece, a, b)`` in the piece's stored orientation."""
        out = []
        for e, f0, f1 in arcs:
            if f1 <= f0:
                continue
            p = int(self.topo.piece[e])
            same = self.topo.edges[e][2] == self.topo.edges[self._edge_of_piece[p]][2]
            out.append((p, f0, f1) if same else (p, 1.0 - f1, 1.0 - f0))
        return out

    def length_m(self, spans: Sequence[tuple[int, float, float]]) -> float:
        lengths = self._lengths
        return float(sum(lengths[p] * (b - a) for p, a, b in spans))

    def shared_fraction(
        self, a: Sequence[tuple[int, float, float]], b: Sequence[tuple[int, float, float]]
    ) -> float:
        """Share of the shorter of two paths (given as :meth:`spans`) near the other."""
        if self.length_m(a) > self.length_m(b):
            a, b = b, a
        other = np.zeros(len(self._geoms), dtype=bool)
        other[[p for p, _, _ in b]] = True
        total = near = 0.0
        for p, lo, hi in a:
            pos, point_i, piece_i = self._piece(p)
            # the samples inside lo .. hi: a run of the sorted positions
            first = int(np.searchsorted(pos, lo - 1e-9, side="left"))
            end = int(np.searchsorted(pos, hi + 1e-9, side="right"))
            if end <= first:
                continue
            close = np.zeros(len(pos), dtype=bool)
            close[point_i[other[piece_i]]] = True
            weight = self._lengths[p] / max(len(pos) - 1, 1)
            total += weight * (end - first)
            near += weight * np.count_nonzero(close[first:end])
        return 1.0 if total <= 0 else near / total
