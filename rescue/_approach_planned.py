"""The searches an approach request made, kept per network for the next request to the same
target under the same costs (a dispatcher re-planning, a page asking again).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from rescue._approach_search import _Approach
from rescue._approach_values import Evacuation, Plan, TargetPoint
from routes.multimodal import Topology

__all__ = ["PLANS_KEPT"]


#: answers' searches kept per network (the targets of the calls being worked on)
PLANS_KEPT = 32


class _Planned:
    """What one request's searches found that the next request for the same target, with
    the same costs, would find again: the reverse search, each start's plan (with its
    alternatives) and the evacuation. Kept per network (:func:`_planned`), keyed by the
    costs' content (profile and closure factors) and the target points."""

    def __init__(self, approach: _Approach) -> None:
        self.approach = approach
        self.plans: dict[int, Plan] = {}
        self.evacuation: tuple[Evacuation | None] | None = None


class _PlannedCache:
    """A small LRU of :class:`_Planned` by key, shared by a process's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, _Planned] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], _Approach]) -> _Planned:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = _Planned(make())  # outside the lock: another thread may make it too
        with self._lock:
            found = self._items.setdefault(key, made)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._items)


def _planned(
    network: Any,
    topo: Topology,
    points: Sequence[TargetPoint],
    costs: Mapping[str, np.ndarray],
    key: Hashable | None,
) -> _Planned:
    """The searches for ``points`` under ``costs``: reused when ``key`` (the costs'
    content; None: costs that cannot be told apart, never reused) was planned before on
    this network (a route-data version is a network of its own)."""
    if key is None:
        return _Planned(_Approach(topo, points, costs))
    cache: _PlannedCache = network.derive("approach_planned", lambda _: _PlannedCache(PLANS_KEPT))
    return cache.get((key, tuple(points)), lambda: _Approach(topo, points, costs))
