"""Warming a route network: build what locate and approach derive from it, before serving.

The first locate on a network builds its locate index (bins, names, masks) and the first
approach the multimodal topology, the ground overlap, the closures' edge index and the
tables of names; each is kept in ``network.derived`` for the network's life. A served
request that arrives first pays for all of it (~0.5 s of CPU on Kailash, seconds of wall
time on a loaded machine: issue 18's locate p99 of 2.6 s with two workers). :func:`warm`
pays it once, before the network is offered to requests: ``sandtable serve`` warms the
network of the current version in the master process before gunicorn forks its workers
(they inherit it), and every later version before it replaces the one served
(:class:`rescue.route_data.RouteData`'s ``prepare``).

Running the two services once on the network itself, rather than calling each builder,
keeps the list of caches from going stale when a service adds one.
"""

from __future__ import annotations

import gc
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from geodata.errors import SandtableError

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = ["freeze_long_lived", "warm", "warm_and_freeze"]

log = logging.getLogger(__name__)


def warm(network: RouteNetwork) -> None:
    """Locate a caller at the region's first place, plan the approach to the answer and
    lay out each route's walking timeline (what a time walked is read on).

    What the two build stays in ``network.derived`` (and the module caches of the
    parsers), so that the first request served on ``network`` builds nothing. A region
    on which either cannot answer (no places, no station) is warmed as far as it goes:
    warming never stops a network from being served.
    """
    from rescue.approach import plan_with_closures
    from rescue.localnames import localize_approach
    from rescue.locate import locate

    started = time.process_time()
    places = network.region.places
    text = str(places.iloc[0]["name_en"]) if len(places) else network.region.region_id
    try:
        for route_id in network.lines:  # a time walked: each route's pilgrim timeline
            network.walk(route_id, 0.0, 0.0, stops="landmarks")
        located = locate(network, text)
        if located.candidates:
            planned = plan_with_closures(network, located.candidates[:3], (), now=datetime.now(UTC))
            localize_approach(planned.to_dict(), network)  # every line, every leg named
    except SandtableError as exc:  # the region cannot answer this: serve it all the same
        log.warning("warming the network of %s stopped: %s", network.region.region_id, exc)
    except Exception:  # a fault of the services shows on the request that meets it
        log.exception("warming the network of %s failed", network.region.region_id)
    log.info(
        "warmed the network of %s (locate and approach caches) in %.2f s of CPU",
        network.region.region_id,
        time.process_time() - started,
    )


def freeze_long_lived() -> None:
    """Put every object alive now out of the cyclic garbage collector's sight (``gc.freeze``).

    A warmed Kailash network is ~420,000 objects the collector tracks; every full
    collection walked them all, ~190 ms of CPU in whichever request's thread happened to
    trigger it (issue 18: the slowest incident lists, 265 ms of CPU for a 10 ms answer).
    Frozen, they are never walked again, and a worker forked afterwards does not copy the
    pages the collector would have written to (the Python documentation's advice for a
    preforking server, https://docs.python.org/3/library/gc.html#gc.freeze). What was
    frozen before is unfrozen and collected first, so that a network replaced since (a
    new route-data version) is freed rather than kept frozen for ever.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def warm_and_freeze(network: RouteNetwork) -> None:
    """:func:`warm` ``network``, then :func:`freeze_long_lived` (what a served process does
    with every network before it serves it)."""
    warm(network)
    freeze_long_lived()
