"""Closures of trails and roads: snow, landslides, floods … and their effect on plans.

A closure covers whole segments (``segment_ids``), a stretch drawn as a line
(a LineString along the trail between two points, or across it where a
landslide cut it), or a drawn area (a Polygon). It either closes the edges it
covers or slows them down by a factor, for vehicles only or for everyone, over
a time window that may be open-ended.

Everything here is framework-free:

* :func:`parse_closure` turns an API body into a :class:`Closure` or raises one
  :class:`~geodata.errors.InvalidInput` listing every problem;
* :func:`affected_edges` maps a closure onto the graph (both directions of every
  piece it covers), in the network's metric CRS;
* :class:`DatabaseClosureStore` keeps closures in the route database
  (:mod:`geodata.store`), :class:`ClosureStore` in a JSON file (the instance
  directory of earlier releases, imported into the database on start); expired
  closures disappear by themselves;
* :func:`closure_weight` / :func:`edge_cost` are networkx weights that hide
  closed edges (``None``) and multiply slowed ones;
* :func:`closures_in_force` picks the closures in force at a time and sets aside,
  as a :class:`ClosureProblem`, any that cannot be applied, so that one bad stored
  row never stops planning.

Geometries are GeoJSON in WGS84 (lon/lat) at the interface; times are aware
datetimes (a naive ISO-8601 string is read as Asia/Shanghai local time) from
:data:`EARLIEST` to :data:`LATEST`: a closure from year 1 or until
9999-12-31T23:59:59-12:00 would overflow Python's datetimes the moment it is compared
with another time zone's, so no :class:`Closure` outside that range can be made.

Where the code is (every public name is re-exported here): :func:`parse_closure` and
:func:`build_closure` here; the value and the closures in force in
:mod:`rescue._closure_model`; the request body and its field parsers in
:mod:`rescue._closure_body`; the edges a drawn geometry covers in
:mod:`rescue._closure_geometry`; edges, factors, costs and descriptions in
:mod:`rescue._closure_effects`; the stores in :mod:`rescue._closure_store`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import (
    ValidationError,
)

from geodata.errors import InvalidInput
from geodata.i18n import msg
from rescue._closure_body import (
    EARLIEST,
    LATEST,
    MAX_SLOW_FACTOR,
    MODES,
    ClosureBody,
    _check_aware,
    time_range_problem,
)
from rescue._closure_effects import (
    affected_edges,
    closure_weight,
    closures_on_edge,
    describe_closure,
    describe_closure_msg,
    edge_cost,
    edge_factors,
)
from rescue._closure_geometry import LINE_BUFFER_M, LINE_OVERLAP_MIN
from rescue._closure_model import (
    Closure,
    ClosureProblem,
    closures_in_force,
)
from rescue._closure_store import ClosureStore, DatabaseClosureStore
from rescue.checks import problems
from rescue.closure_reasons import REASONS
from rescue.localtime import LOCAL_TZ

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "REASONS",
    "MODES",
    "LOCAL_TZ",
    "ClosureBody",
    "build_closure",
    "LINE_BUFFER_M",
    "LINE_OVERLAP_MIN",
    "MAX_SLOW_FACTOR",
    "EARLIEST",
    "LATEST",
    "Closure",
    "ClosureProblem",
    "ClosureStore",
    "closures_in_force",
    "time_range_problem",
    "parse_closure",
    "affected_edges",
    "closure_weight",
    "edge_cost",
    "edge_factors",
    "DatabaseClosureStore",
    "describe_closure",
    "describe_closure_msg",
    "closures_on_edge",
]


_MAX_NAME_CHARS = 100


# -- parsing ------------------------------------------------------------------------------


def parse_closure(
    data: Mapping[str, Any],
    *,
    network: RouteNetwork,
    now: datetime,
    created_by: str = "anonymous",
) -> Closure:
    """Validate a body as :class:`ClosureBody`, then :func:`build_closure`.

    Raises
    ------
    InvalidInput
        Listing every problem (field and value) in ``details``; nothing is built.
    """
    _check_aware(now, "now")
    if not isinstance(data, Mapping):
        raise InvalidInput(
            "invalid closure", details=[f"body: expected an object, got {type(data).__name__}"]
        )
    try:
        body = ClosureBody.model_validate(dict(data), context={"network": network, "now": now})
    except ValidationError as exc:
        raise InvalidInput(msg("closure.invalid"), details=problems(ClosureBody, exc)) from None
    return build_closure(body, now=now, created_by=created_by)


def build_closure(
    body: ClosureBody,
    *,
    now: datetime,
    created_by: str = "anonymous",
) -> Closure:
    """Build a :class:`Closure` from a body checked with the network and ``now`` in its
    validation context (``ClosureBody.model_validate(data, context={"network": …,
    "now": …})``: unknown segments, a drawn line reaching no trail, an end before the
    start or already passed are problems of the body).

    Parameters
    ----------
    body
        The closure as asked for (see :class:`ClosureBody`); naive times are Beijing time.
    now
        The current time (aware, as in the validation context); the default start and
        ``created_at``.
    created_by
        Who sets the closure, as known to the caller (e.g. the signed-in user).
        When left at ``"anonymous"``, the body's ``"created_by"`` is used if given.

    Returns
    -------
    Closure
        With a fresh ``closure_id``.

    Raises
    ------
    InvalidInput
        If the author is not a name.
    """
    _check_aware(now, "now")
    author = created_by
    if created_by == "anonymous" and body.created_by is not None:
        author = body.created_by
    if not isinstance(author, str) or not author.strip() or len(author) > _MAX_NAME_CHARS:
        raise InvalidInput(
            msg("closure.invalid"),
            details=[f"created_by: {author!r} is not a name of 1-{_MAX_NAME_CHARS} characters"],
        )
    return _closure(
        uuid.uuid4().hex[:12],
        body.segment_ids or (),
        body.geometry,
        body.reason,
        body.modes,
        body.severity,
        body.valid_from or now,
        body.until,
        author.strip(),
        now,
        body.note,
    )


def _closure(
    closure_id: str,
    segment_ids: tuple[str, ...],
    geometry: dict[str, Any] | None,
    reason: str,
    modes: Any,
    slow_factor: float | None,
    valid_from: datetime,
    valid_until: datetime | None,
    created_by: str,
    created_at: datetime,
    note: str,
) -> Closure:
    return Closure(
        closure_id=closure_id,
        segment_ids=segment_ids,
        geometry=geometry,
        reason=reason,
        modes=modes,
        slow_factor=slow_factor,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=created_by,
        created_at=created_at,
        note=note,
    )


# -- mapping closures onto the graph ------------------------------------------------------


# -- costs ---------------------------------------------------------------------------------


# -- storage -------------------------------------------------------------------------------
