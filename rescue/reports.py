"""Incident reports: what happened in a period, where on the route, and how fast help came.

A report covers the incidents *received* in a period ``[from, to)`` (by default the
last 30 days) and gives

* totals and counts by status, outcome, cause (``null`` → ``"unknown"``), priority
  and day (every day of the period, zeros included);
* counts by segment (``location.segment_id``; a point placed by hand without one is
  assigned to the nearest segment of the region's network, and counted in
  ``assigned``), with the segment's names;
* response-time distributions, in whole seconds, for receipt → dispatch, dispatch →
  on scene and receipt → on scene: ``count``, ``p50_s``, ``p90_s``, ``max_s`` and
  histogram ``bins`` (:data:`HISTOGRAM_EDGES_S`); receipt → dispatch also gives the
  share of incidents dispatched within the dispatch target, and ``on_scene_vs_eta`` the
  share of teams on scene within their plan's ETA plus an allowance;
* the incidents as CSV rows (:func:`incidents_csv`) and as a heat map
  (:meth:`Reports.heat`): the segments with their incident counts plus the points.

Days, dates and times without an offset are local time in Tibet, China Standard Time
(Asia/Shanghai, UTC+8), as everywhere in Sandtable; the times a report gives carry their
offset. A status's time is that of the first change to it in the incident's timeline (as in
:mod:`rescue.incidents`). Percentiles are nearest-rank: ``p90_s`` is the smallest time
that at least 90 % of the incidents took no longer than.

The incidents of a period are read with two queries (the incidents, then the first
time of each status of all of them); the network is passed in by the caller, so this
module depends on no web framework. The period and the statistics are in
:mod:`rescue._report_period` (re-exported here).
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine, func, select

from rescue._report_period import (
    DEFAULT_DAYS,
    HISTOGRAM_EDGES_S,
    MAX_SPAN_DAYS,
    Period,
    _elapsed_s,
    _local,
    distribution,
    parse_period,
    percentile,
)
from rescue.incidents import (
    CAUSES,
    CLOSED_STATUSES,
    OUTCOMES,
    PRIORITIES,
    STATUSES,
    events_table,
    incidents_table,
)
from rescue.localtime import LOCAL_TZ
from routes.snap import piece_index

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_DAYS",
    "DEFAULT_DISPATCH_TARGET_S",
    "DEFAULT_ON_SCENE_ALLOWANCE_S",
    "HISTOGRAM_EDGES_S",
    "LOCAL_TZ",
    "MAX_SPAN_DAYS",
    "Period",
    "ReportIncident",
    "Reports",
    "csv_cell",
    "csv_filename",
    "distribution",
    "incidents_csv",
    "nearest_segments",
    "parse_period",
    "percentile",
]

DEFAULT_DISPATCH_TARGET_S: Final = 300
#: a team is on time when on scene within the plan's ETA plus this (as on the dispatch page)
DEFAULT_ON_SCENE_ALLOWANCE_S: Final = 600
CSV_COLUMNS: Final = (
    "incident_id",
    "received_at",
    "dispatched_at",
    "on_scene_at",
    "resolved_at",
    "dispatch_s",
    "on_scene_s",
    "status",
    "outcome",
    "cause",
    "priority",
    "segment_id",
    "segment_name_en",
    "segment_name_zh",
    "place",
    "lon",
    "lat",
    "party_size",
    "station_id",
)
#: a text cell starting with one of these is a formula to a spreadsheet
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_SEGMENT_FEATURES_KEY: Final = "rescue.reports.segment_features"
_SEGMENT_NAMES_KEY: Final = "rescue.reports.segment_names"


# --------------------------------------------------------------------------- the period


# --------------------------------------------------------------------------- statistics


# --------------------------------------------------------------------------- the incidents
@dataclass(frozen=True)
class ReportIncident:
    """One incident as the reports see it (times aware, in UTC)."""

    incident_id: int
    status: str
    outcome: str | None
    cause: str | None
    priority: str
    party_size: int | None
    received_at: datetime
    dispatched_at: datetime | None
    on_scene_at: datetime | None
    resolved_at: datetime | None
    lon: float | None
    lat: float | None
    place: str | None
    #: the location's segment, or the nearest one to a point placed by hand
    segment_id: str | None
    #: True when ``segment_id`` was assigned by proximity, not confirmed by the call taker
    assigned: bool
    station_id: str | None
    #: the chosen plan's estimated time from dispatch to the scene
    eta_s: float | None = None

    @property
    def dispatch_s(self) -> int | None:
        """Receipt → dispatch, whole seconds."""
        return _elapsed_s(self.received_at, self.dispatched_at)

    @property
    def travel_s(self) -> int | None:
        """Dispatch → on scene, whole seconds."""
        return _elapsed_s(self.dispatched_at, self.on_scene_at)

    @property
    def on_scene_s(self) -> int | None:
        """Receipt → on scene, whole seconds."""
        return _elapsed_s(self.received_at, self.on_scene_at)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def nearest_segments(
    network: RouteNetwork, points: Sequence[tuple[float, float]]
) -> list[str | None]:
    """The id of the segment nearest each lon/lat point (None for an empty network).

    The segment of the nearest way piece (:meth:`routes.snap.PieceIndex.nearest_segments`),
    the index the closures use too.
    """
    if not points:
        return []
    xs, ys = network.to_metric.transform([p[0] for p in points], [p[1] for p in points])
    return piece_index(network).nearest_segments(xs, ys)


def _read(
    reader: Engine, period: Period, *, region_id: str, network: RouteNetwork | None
) -> list[ReportIncident]:
    inc = incidents_table.c
    in_period = (
        (inc.region_id == region_id)
        & (inc.created_at >= period.start)
        & (inc.created_at < period.end)
    )
    ev = events_table.c
    firsts_query = (
        select(ev.incident_id, ev.to_status, func.min(ev.at).label("at"))
        .where(ev.incident_id.in_(select(inc.incident_id).where(in_period)))
        .where(ev.to_status.in_(("dispatched", "on_scene", "resolved")))
        .group_by(ev.incident_id, ev.to_status)
    )
    with reader.begin() as conn:
        rows = (
            conn.execute(
                select(
                    inc.incident_id,
                    inc.status,
                    inc.outcome,
                    inc.cause,
                    inc.priority,
                    inc.party_size,
                    inc.created_at,
                    inc.location,
                    # only the station: a plan holds its legs' geometry (tens of kB)
                    inc.plan["station_id"].as_string().label("station_id"),
                    inc.plan["eta_s"].as_float().label("eta_s"),
                )
                .where(in_period)
                .order_by(inc.created_at, inc.incident_id)
            )
            .mappings()
            .all()
        )
        firsts: dict[tuple[int, str], datetime] = {
            (int(r.incident_id), str(r.to_status)): r.at for r in conn.execute(firsts_query)
        }
    places: list[tuple[int, float, float]] = []
    parsed = []
    for n, row in enumerate(rows):
        location = row["location"] if isinstance(row["location"], Mapping) else {}
        lon, lat = _number(location.get("lon")), _number(location.get("lat"))
        segment_id = _text(location.get("segment_id"))
        if segment_id is None and lon is not None and lat is not None:
            places.append((n, lon, lat))
        parsed.append((row, location, lon, lat, segment_id))
    assigned: dict[int, str | None] = {}
    if network is not None and places:
        nearest = nearest_segments(network, [(lon, lat) for _, lon, lat in places])
        assigned = {n: sid for (n, _, _), sid in zip(places, nearest, strict=True)}
    result = []
    for n, (row, location, lon, lat, segment_id) in enumerate(parsed):
        iid = int(row["incident_id"])
        snapped = assigned.get(n)
        result.append(
            ReportIncident(
                incident_id=iid,
                status=str(row["status"]),
                outcome=row["outcome"],
                cause=row["cause"],
                priority=str(row["priority"]),
                party_size=row["party_size"],
                received_at=row["created_at"],
                dispatched_at=firsts.get((iid, "dispatched")),
                on_scene_at=firsts.get((iid, "on_scene")),
                resolved_at=firsts.get((iid, "resolved")),
                lon=lon,
                lat=lat,
                place=_text(location.get("name")),
                segment_id=segment_id or snapped,
                assigned=segment_id is None and snapped is not None,
                station_id=_text(row["station_id"]),
                eta_s=_number(row["eta_s"]),
            )
        )
    return result


# --------------------------------------------------------------------------- answers
def _counts(values: Iterable[str], vocabulary: Sequence[str]) -> dict[str, int]:
    """Counts in the order of ``vocabulary`` (zeros included), then any other value."""
    counted = Counter(values)
    result = {key: counted.pop(key, 0) for key in vocabulary}
    result.update(sorted(counted.items()))
    return result


_NO_NAMES: Final[Mapping[str, str | None]] = {"route_id": None, "name_en": None, "name_zh": None}


def _names_table(network: RouteNetwork) -> dict[str, dict[str, str | None]]:
    frame = network.segments
    return {
        str(sid): {
            "route_id": _text(route_id),
            "name_en": _text(name_en),
            "name_zh": _text(name_zh),
        }
        for sid, route_id, name_en, name_zh in zip(
            frame.index, frame["route_id"], frame["name_en"], frame["name_zh"], strict=True
        )
    }


def _segment_names(network: RouteNetwork | None, segment_id: str) -> Mapping[str, str | None]:
    """The segment's ``route_id``, ``name_en`` and ``name_zh`` (None for an unknown one)."""
    if network is None:
        return _NO_NAMES
    table: dict[str, dict[str, str | None]] = network.derive(_SEGMENT_NAMES_KEY, _names_table)
    return table.get(segment_id, _NO_NAMES)


def _iso(value: datetime | None) -> str | None:
    """Local time with its offset."""
    return None if value is None else _local(value).isoformat()


def csv_cell(value: Any) -> str | int | float:
    """A value for a CSV cell; text a spreadsheet would take for a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_filename(period: Period) -> str:
    """``sandtable-incidents_<from>_<to>.csv`` with the local dates of the period's ends."""
    return f"sandtable-incidents_{_local(period.start):%Y-%m-%d}_{_local(period.end):%Y-%m-%d}.csv"


def incidents_csv(incidents: Iterable[ReportIncident], network: RouteNetwork | None = None) -> str:
    """The incidents as CSV (:data:`CSV_COLUMNS`), with a byte-order mark for Excel."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for i in incidents:
        names = _segment_names(network, i.segment_id) if i.segment_id else {}
        row = (
            i.incident_id,
            _iso(i.received_at),
            _iso(i.dispatched_at),
            _iso(i.on_scene_at),
            _iso(i.resolved_at),
            i.dispatch_s,
            i.on_scene_s,
            i.status,
            i.outcome,
            i.cause,
            i.priority,
            i.segment_id,
            names.get("name_en"),
            names.get("name_zh"),
            i.place,
            i.lon,
            i.lat,
            i.party_size,
            i.station_id,
        )
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def _segment_features(network: RouteNetwork) -> list[dict[str, Any]]:
    features = []
    for sid, row in network.segments.iterrows():
        coords = [[round(c[0], 6), round(c[1], 6)] for c in row.geometry.coords]
        features.append(
            {
                "type": "Feature",
                "id": str(sid),
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "kind": "segment",
                    "segment_id": str(sid),
                    "route_id": _text(row["route_id"]),
                    "name": _text(row["name_en"]),
                    "name_zh": _text(row["name_zh"]),
                },
            }
        )
    return features


class Reports:
    """Reports on the incidents of one region.

    Parameters
    ----------
    reader
        The route store's reading engine (``store.reader``).
    region_id
        The region whose incidents are counted.
    network
        The region's route network: names the segments and places the points
        placed by hand (without it they stay unassigned).
    dispatch_target_s
        The dispatch target the receipt → dispatch share is measured against.
    on_scene_allowance_s
        A team is on time when on scene within its plan's ETA plus this.
    """

    def __init__(
        self,
        reader: Engine,
        *,
        region_id: str,
        network: RouteNetwork | None = None,
        dispatch_target_s: int = DEFAULT_DISPATCH_TARGET_S,
        on_scene_allowance_s: int = DEFAULT_ON_SCENE_ALLOWANCE_S,
    ) -> None:
        self.reader = reader
        self.region_id = region_id
        self.network = network
        self.dispatch_target_s = dispatch_target_s
        self.on_scene_allowance_s = on_scene_allowance_s

    def incidents(self, period: Period) -> list[ReportIncident]:
        """The incidents received in ``period``, oldest first."""
        return _read(self.reader, period, region_id=self.region_id, network=self.network)

    def summary(self, period: Period) -> dict[str, Any]:
        """Totals, counts and response-time distributions of the incidents of ``period``."""
        incidents = self.incidents(period)
        per_day = Counter(_local(i.received_at).date() for i in incidents)
        per_segment = Counter(i.segment_id for i in incidents if i.segment_id)
        per_assigned = Counter(i.segment_id for i in incidents if i.assigned)
        by_segment = [
            {
                "segment_id": sid,
                **_segment_names(self.network, sid),
                "count": n,
                "assigned": per_assigned.get(sid, 0),
            }
            for sid, n in sorted(per_segment.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        return {
            "region_id": self.region_id,
            "period": period.to_dict(),
            "totals": {
                "incidents": len(incidents),
                "open": sum(1 for i in incidents if i.status not in CLOSED_STATUSES),
                "closed": sum(1 for i in incidents if i.status in CLOSED_STATUSES),
                "dispatched": sum(1 for i in incidents if i.dispatched_at is not None),
                "on_scene": sum(1 for i in incidents if i.on_scene_at is not None),
                "people": sum(i.party_size or 0 for i in incidents),
                "unlocated": sum(1 for i in incidents if i.segment_id is None),
            },
            "by_status": _counts((i.status for i in incidents), STATUSES),
            "by_outcome": _counts((i.outcome or "none" for i in incidents), (*OUTCOMES, "none")),
            "by_cause": _counts((i.cause or "unknown" for i in incidents), (*CAUSES, "unknown")),
            "by_priority": _counts((i.priority for i in incidents), PRIORITIES),
            "by_day": [{"date": d.isoformat(), "count": per_day.get(d, 0)} for d in period.dates()],
            "by_segment": by_segment,
            "response_times": {
                "receipt_to_dispatch": distribution(
                    (v for i in incidents if (v := i.dispatch_s) is not None),
                    target_s=self.dispatch_target_s,
                ),
                "dispatch_to_on_scene": distribution(
                    v for i in incidents if (v := i.travel_s) is not None
                ),
                "receipt_to_on_scene": distribution(
                    v for i in incidents if (v := i.on_scene_s) is not None
                ),
                "on_scene_vs_eta": self._on_time(incidents),
            },
        }

    def _on_time(self, incidents: Sequence[ReportIncident]) -> dict[str, Any]:
        """Of the teams on scene whose plan had an ETA, the share within ETA + allowance."""
        timed = [
            (travel, eta)
            for i in incidents
            if (travel := i.travel_s) is not None and (eta := i.eta_s) is not None
        ]
        within = sum(1 for travel, eta in timed if travel <= eta + self.on_scene_allowance_s)
        return {
            "allowance_s": self.on_scene_allowance_s,
            "count": len(timed),
            "within_share": round(within / len(timed), 4) if timed else None,
        }

    def csv(self, period: Period) -> str:
        """The incidents of ``period`` as CSV text (see :func:`incidents_csv`)."""
        return incidents_csv(self.incidents(period), self.network)

    def heat(self, period: Period) -> dict[str, Any]:
        """A FeatureCollection: every segment with its ``incidents`` count, then the points.

        Segment features have ``kind`` ``"segment"`` and ``segment_id``, ``route_id``,
        ``name``, ``name_zh`` and ``incidents``; incident points have ``kind``
        ``"incident"`` and ``incident_id``, ``received_at``, ``status``, ``cause``,
        ``priority``, ``segment_id``, ``assigned`` and ``place``. The collection's
        ``max_incidents`` is the largest segment count.
        """
        incidents = self.incidents(period)
        counts = Counter(i.segment_id for i in incidents if i.segment_id)
        features: list[dict[str, Any]] = []
        if self.network is not None:
            for base in self.network.derive(_SEGMENT_FEATURES_KEY, _segment_features):
                props = {**base["properties"], "incidents": counts.get(base["id"], 0)}
                features.append({**base, "properties": props})
        for i in incidents:
            if i.lon is None or i.lat is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": f"incident-{i.incident_id}",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(i.lon, 6), round(i.lat, 6)],
                    },
                    "properties": {
                        "kind": "incident",
                        "incident_id": i.incident_id,
                        "received_at": _iso(i.received_at),
                        "status": i.status,
                        "cause": i.cause,
                        "priority": i.priority,
                        "segment_id": i.segment_id,
                        "assigned": i.assigned,
                        "place": i.place,
                    },
                }
            )
        return {
            "type": "FeatureCollection",
            "period": period.to_dict(),
            "max_incidents": max(
                (
                    f["properties"]["incidents"]
                    for f in features
                    if f["properties"]["kind"] == "segment"
                ),
                default=0,
            ),
            "features": features,
        }
