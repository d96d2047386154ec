"""Incident reports: the period, the statistics, and the numbers on both back ends.

The incidents are made through :class:`IncidentStore` and moved along their statuses;
their times are then set directly in the tables so that every figure can be worked
out by hand (the comments give the sums).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import event, update

from geodata import load_region
from geodata.errors import InvalidInput
from geodata.store import RouteStore, open_store
from rescue.closures import affected_edges, parse_closure
from rescue.incidents import (
    IncidentCreate,
    IncidentStore,
    events_table,
    incidents_table,
    parse,
)
from rescue.reports import (
    CSV_COLUMNS,
    HISTOGRAM_EDGES_S,
    LOCAL_TZ,
    MAX_SPAN_DAYS,
    Period,
    Reports,
    csv_cell,
    distribution,
    nearest_segments,
    parse_period,
    percentile,
)
from routes import RouteNetwork, build_network

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
DOLMA = "outer_kora:dolma_la-phakna_rigzin_supply"
#: the first week of June 2026, local time (the days of the report are local days)
PERIOD = Period(datetime(2026, 6, 1, tzinfo=LOCAL_TZ), datetime(2026, 6, 8, tzinfo=LOCAL_TZ))


def t(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    """A local time in June 2026."""
    return datetime(2026, 6, day, hh, mm, ss, tzinfo=LOCAL_TZ)


# --------------------------------------------------------------------------- the period
def test_the_default_period_is_the_last_30_days() -> None:
    assert parse_period(None, None, now=NOW) == Period(NOW - timedelta(days=30), NOW)
    assert parse_period("", "", now=NOW) == Period(NOW - timedelta(days=30), NOW)


def test_only_to_gives_30_days_before_it() -> None:
    period = parse_period(None, "2026-03-01", now=NOW)
    assert period == Period(
        datetime(2026, 1, 30, tzinfo=LOCAL_TZ), datetime(2026, 3, 1, tzinfo=LOCAL_TZ)
    )


def test_the_default_start_is_not_before_2000() -> None:
    period = parse_period(None, "2000-01-05", now=NOW)
    assert period.start == datetime(2000, 1, 1, tzinfo=LOCAL_TZ)
    assert parse_period("2000-01-01", "2000-01-02").days == 1


def test_dates_and_times_without_offset_are_local_time() -> None:
    period = parse_period("2026-06-01", "2026-06-01T16:00:00Z", now=NOW)
    assert period.start == datetime(2026, 5, 31, 16, tzinfo=UTC)
    assert period.end == datetime(2026, 6, 2, 0, tzinfo=LOCAL_TZ)
    assert period.days == 1
    assert [d.isoformat() for d in period.dates()] == ["2026-06-01"]
    assert period.to_dict() == {
        "from": "2026-06-01T00:00:00+08:00",
        "to": "2026-06-02T00:00:00+08:00",
        "days": 1,
        "time_zone": "Asia/Shanghai",
    }
    later = parse_period("2026-06-01T08:00", "2026-06-02T00:00:00Z", now=NOW)
    assert later.start == datetime(2026, 6, 1, 0, tzinfo=UTC)
    assert [d.isoformat() for d in later.dates()] == ["2026-06-01", "2026-06-02"]


@pytest.mark.parametrize(
    ("start", "end", "named"),
    [
        ("yesterday", None, "from='yesterday'"),
        (None, "2026-13-01", "to='2026-13-01'"),
        ("2026-06-02", "2026-06-01", "must be after from"),
        ("2026-06-01", "2026-06-01", "must be after from"),
        ("1999-12-31", "2000-01-05", "before 2000-01-01"),
        ("2010-01-01", "2026-01-01", f"longer than {MAX_SPAN_DAYS} days"),
        ("2026-06-01" + "0" * 60, None, "too long"),
        ("2026-06-01\x00", None, "not an ISO-8601"),
        ("0001-01-01T00:00+05:00", None, "before 2000-01-01"),
        (None, "0001-01-05", "before 2000-01-01"),
        ("9999-12-31T23:00-05:00", None, "after 2100-01-01"),
        ("2026-01-01", "2100-01-02", "after 2100-01-01"),
    ],
)
def test_bad_periods_are_refused_naming_the_value(
    start: str | None, end: str | None, named: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_period(start, end, now=NOW)
    assert named in err.value.message


# --------------------------------------------------------------------------- statistics
def test_percentiles_are_nearest_rank() -> None:
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert percentile(values, 50) == 50
    assert percentile(values, 90) == 90
    assert percentile(values, 91) == 100
    assert percentile([7], 90) == 7
    assert percentile([], 50) is None


def test_distribution_bins_and_target() -> None:
    result = distribution([0, 59, 60, 300, 301, 100_000], target_s=300)
    assert result["count"] == 6
    assert (result["p50_s"], result["p90_s"], result["max_s"]) == (60, 100_000, 100_000)
    assert result["within_target_share"] == round(4 / 6, 4)
    counts = {b["from_s"]: b["count"] for b in result["bins"]}
    assert counts[0] == 2 and counts[60] == 1 and counts[300] == 2 and counts[28800] == 1
    assert [b["from_s"] for b in result["bins"]] == list(HISTOGRAM_EDGES_S)
    assert result["bins"][-1]["to_s"] is None
    assert sum(counts.values()) == 6


def test_an_empty_distribution() -> None:
    result = distribution([], target_s=300)
    assert result["count"] == 0
    assert result["p50_s"] is result["p90_s"] is result["max_s"] is None
    assert result["within_target_share"] is None


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("卓玛拉山口", "卓玛拉山口"),
        ("a=b", "a=b"),
        (-12.5, -12.5),
        (3, 3),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(value: Any, cell: Any) -> None:
    assert csv_cell(value) == cell


# --------------------------------------------------------------------------- on the store
@pytest.fixture(scope="module")
def network() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.fixture
def route_store(database_url: str) -> Iterator[RouteStore]:
    store = open_store(database_url)
    yield store
    store.dispose()


@pytest.fixture
def incidents(route_store: RouteStore) -> IncidentStore:
    return IncidentStore(route_store.reader, route_store.writer)


def _near(network: RouteNetwork, segment_id: str) -> tuple[float, float]:
    """A point 0.0002° (~20 m) beside the middle of a segment."""
    line = network.segments.geometry[segment_id]
    mid = line.interpolate(0.5, normalized=True)
    return round(mid.x + 0.0002, 6), round(mid.y, 6)


def _incident(
    store: IncidentStore,
    received: datetime,
    steps: list[tuple[str, datetime]],
    *,
    outcome: str | None = None,
    eta_s: float | None = None,
    **fields: Any,
) -> int:
    """An incident received at ``received`` that went through ``steps`` at their times."""
    body = parse(IncidentCreate, {"description": "help", **fields}, what="x")
    incident, _ = store.create(body, "dolma", region_id="kailash")
    iid = int(incident["incident_id"])
    version = incident["version"]
    if eta_s is not None:
        plan = {"station_id": "darchen_police_station", "eta_s": eta_s}
        version = store.update(iid, version, {"plan": plan}, "dolma")["version"]
    for status, _at in steps:
        done = store.transition(
            iid,
            status,
            base_version=version,
            author="tashi",
            outcome=outcome if status == "resolved" else None,
        )
        version = done["version"]
    with store.writer.begin() as conn:
        conn.execute(
            update(incidents_table)
            .where(incidents_table.c.incident_id == iid)
            .values(created_at=received)
        )
        conn.execute(
            update(events_table)
            .where(events_table.c.incident_id == iid, events_table.c.to_status == "received")
            .values(at=received)
        )
        for status, at in steps:
            conn.execute(
                update(events_table)
                .where(events_table.c.incident_id == iid, events_table.c.to_status == status)
                .values(at=at)
            )
    return iid


@pytest.fixture
def scenario(incidents: IncidentStore, network: RouteNetwork) -> dict[str, Any]:
    """Four incidents in the first week of June 2026, and two just outside it."""
    lon, lat = _near(network, "outer_kora:sershong_supply-chuku_bridge_supply")
    dolma = {"segment_id": DOLMA, "lon": 81.4, "lat": 31.1, "name": "Drölma-la 卓玛拉"}
    ids = {
        # dispatch 240 s, travel 3600 s, on scene 3840 s after the call
        "a": _incident(
            incidents,
            t(1, 10, 0),
            [
                ("located", t(1, 10, 2)),
                ("dispatched", t(1, 10, 4)),
                ("en_route", t(1, 10, 5)),
                ("on_scene", t(1, 11, 4)),
                ("resolved", t(1, 12, 0)),
            ],
            outcome="rescued",
            eta_s=3000.0,  # on scene 3600 s after dispatch: within 3000 + 600
            cause="injury",
            priority="high",
            party_size=2,
            location=dolma,
        ),
        # a point placed by hand: assigned to the nearest segment; 600 s, 1200 s, 1800 s
        "b": _incident(
            incidents,
            t(2, 8, 0),
            [
                ("located", t(2, 8, 5)),
                ("dispatched", t(2, 8, 10)),
                ("en_route", t(2, 8, 11)),
                ("on_scene", t(2, 8, 30)),
            ],
            party_size=1,
            eta_s=300.0,  # 1200 s: later than 300 + 600
            location={"lon": lon, "lat": lat},
        ),
        # a false alarm with no location
        "c": _incident(
            incidents, t(2, 9, 0), [("resolved", t(2, 9, 1))], outcome="false_alarm", cause="lost"
        ),
        # received a second before (local) midnight, dispatched 100 s later on the next day
        "d": _incident(
            incidents,
            t(5, 23, 59, 59),
            [("located", t(6, 0, 0, 30)), ("dispatched", t(6, 0, 1, 39))],
            cause="injury",
            party_size=4,
            location=dolma,
        ),
        # outside: a second before the period, and at its (excluded) end
        "before": _incident(incidents, t(1, 0, 0) - timedelta(seconds=1), [], cause="weather"),
        "end": _incident(incidents, t(8, 0, 0), [], cause="weather"),
    }
    return ids


def test_the_summary_matches_the_hand_count(
    incidents: IncidentStore, network: RouteNetwork, scenario: dict[str, Any]
) -> None:
    nearest = "outer_kora:sershong_supply-chuku_bridge_supply"
    reports = Reports(incidents.reader, region_id="kailash", network=network)
    s = reports.summary(PERIOD)
    assert s["period"] == {
        "from": "2026-06-01T00:00:00+08:00",
        "to": "2026-06-08T00:00:00+08:00",
        "days": 7,
        "time_zone": "Asia/Shanghai",
    }
    assert s["totals"] == {
        "incidents": 4,
        "open": 2,  # b on scene, d dispatched
        "closed": 2,
        "dispatched": 3,
        "on_scene": 2,
        "people": 7,  # 2 + 1 + 4
        "unlocated": 1,
    }
    assert s["by_status"] == {
        "received": 0,
        "located": 0,
        "dispatched": 1,
        "en_route": 0,
        "on_scene": 1,
        "resolved": 2,
        "followed_up": 0,
    }
    assert s["by_outcome"] == {
        "rescued": 1,
        "not_found": 0,
        "false_alarm": 1,
        "handed_over": 0,
        "none": 2,
    }
    assert {k: v for k, v in s["by_cause"].items() if v} == {"injury": 2, "lost": 1, "unknown": 1}
    assert list(s["by_cause"])[-1] == "unknown"
    assert s["by_priority"] == {"low": 0, "normal": 3, "high": 1, "critical": 0}
    assert [(d["date"], d["count"]) for d in s["by_day"]] == [
        ("2026-06-01", 1),
        ("2026-06-02", 2),
        ("2026-06-03", 0),
        ("2026-06-04", 0),
        ("2026-06-05", 1),
        ("2026-06-06", 0),
        ("2026-06-07", 0),
    ]
    by_segment = {e["segment_id"]: e for e in s["by_segment"]}
    assert [e["segment_id"] for e in s["by_segment"]] == [DOLMA, nearest]
    assert by_segment[DOLMA]["count"] == 2 and by_segment[DOLMA]["assigned"] == 0
    assert by_segment[DOLMA]["name_zh"] == "卓玛拉山口 → 不动地钉补给点"
    assert by_segment[nearest]["count"] == 1 and by_segment[nearest]["assigned"] == 1
    assert by_segment[nearest]["name_en"] == "Sershong supply point → Chuku bridge supply point"

    rt = s["response_times"]
    dispatch = rt["receipt_to_dispatch"]  # 100, 240, 600
    assert (dispatch["count"], dispatch["p50_s"], dispatch["p90_s"], dispatch["max_s"]) == (
        3,
        240,
        600,
        600,
    )
    assert dispatch["target_s"] == 300
    assert dispatch["within_target_share"] == 0.6667
    assert {b["from_s"]: b["count"] for b in dispatch["bins"] if b["count"]} == {
        60: 1,
        120: 1,
        600: 1,
    }
    travel = rt["dispatch_to_on_scene"]  # 1200, 3600
    assert (travel["count"], travel["p50_s"], travel["p90_s"], travel["max_s"]) == (
        2,
        1200,
        3600,
        3600,
    )
    assert travel["within_target_share"] is None
    total = rt["receipt_to_on_scene"]  # 1800, 3840
    assert (total["count"], total["p50_s"], total["p90_s"], total["max_s"]) == (
        2,
        1800,
        3840,
        3840,
    )
    assert rt["on_scene_vs_eta"] == {"allowance_s": 600, "count": 2, "within_share": 0.5}


def test_the_targets_are_parameters(
    incidents: IncidentStore, network: RouteNetwork, scenario: dict[str, Any]
) -> None:
    reports = Reports(
        incidents.reader,
        region_id="kailash",
        network=network,
        dispatch_target_s=600,
        on_scene_allowance_s=0,
    )
    times = reports.summary(PERIOD)["response_times"]
    dispatch = times["receipt_to_dispatch"]
    assert dispatch["target_s"] == 600
    assert dispatch["within_target_share"] == 1.0
    assert times["on_scene_vs_eta"] == {"allowance_s": 0, "count": 2, "within_share": 0.0}


def test_an_empty_period(incidents: IncidentStore, network: RouteNetwork) -> None:
    s = Reports(incidents.reader, region_id="kailash", network=network).summary(PERIOD)
    assert s["totals"]["incidents"] == 0
    assert s["by_segment"] == []
    assert len(s["by_day"]) == 7
    assert s["response_times"]["receipt_to_on_scene"]["count"] == 0


def test_other_regions_are_not_counted(incidents: IncidentStore, network: RouteNetwork) -> None:
    _incident(incidents, t(2, 8, 0), [])
    s = Reports(incidents.reader, region_id="elsewhere", network=network).summary(PERIOD)
    assert s["totals"]["incidents"] == 0


def test_the_queries_do_not_grow_with_the_incidents(
    incidents: IncidentStore, network: RouteNetwork, scenario: dict[str, Any]
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(incidents.reader, "before_cursor_execute", count)
    try:
        Reports(incidents.reader, region_id="kailash", network=network).summary(PERIOD)
    finally:
        event.remove(incidents.reader, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, statements  # the incidents, the first time of each status


def test_csv_rows(
    incidents: IncidentStore, network: RouteNetwork, scenario: dict[str, Any]
) -> None:
    _incident(
        incidents,
        t(3, 12, 0),
        [],
        cause="other",
        location={"segment_id": "+cmd|' /C calc'!A0", "lon": 81.3, "lat": 31.0, "name": "=1+2"},
    )
    planned = incidents.get(scenario["a"])
    legs = [
        {"mode": "foot", "geometry": {"type": "LineString", "coordinates": [[81.3, 31.0]] * 50}}
    ]
    plan = {"station_id": "darchen_police_station", "eta_s": 1800.0, "legs": legs}
    incidents.update(scenario["a"], planned["version"], {"plan": plan}, "tashi")
    text = Reports(incidents.reader, region_id="kailash", network=network).csv(PERIOD)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [int(r["incident_id"]) for r in rows] == [
        scenario["a"],
        scenario["b"],
        scenario["c"],
        max(scenario.values()) + 1,
        scenario["d"],
    ]
    a = rows[0]
    assert a["received_at"] == "2026-06-01T10:00:00+08:00"
    assert a["dispatched_at"] == "2026-06-01T10:04:00+08:00"
    assert a["on_scene_at"] == "2026-06-01T11:04:00+08:00"
    assert a["resolved_at"] == "2026-06-01T12:00:00+08:00"
    assert (a["dispatch_s"], a["on_scene_s"]) == ("240", "3840")
    assert (a["status"], a["outcome"], a["cause"], a["priority"]) == (
        "resolved",
        "rescued",
        "injury",
        "high",
    )
    assert a["segment_id"] == DOLMA
    assert a["segment_name_zh"] == "卓玛拉山口 → 不动地钉补给点"
    assert a["place"] == "Drölma-la 卓玛拉"
    assert (a["lon"], a["lat"], a["party_size"]) == ("81.4", "31.1", "2")
    assert a["station_id"] == "darchen_police_station"
    assert rows[2]["station_id"] == ""  # c: no plan
    c = rows[2]
    assert c["cause"] == "lost" and c["segment_id"] == "" and c["lon"] == ""
    injected = rows[3]
    assert injected["segment_id"] == "'+cmd|' /C calc'!A0"
    assert injected["place"] == "'=1+2"
    assert injected["segment_name_en"] == ""  # not a segment of the network


def test_nearest_segments(network: RouteNetwork) -> None:
    for sid in (DOLMA, "outer_kora:sershong_supply-chuku_bridge_supply"):
        assert nearest_segments(network, [_near(network, sid)]) == [sid]
    assert nearest_segments(network, []) == []


def test_the_heat_map(
    incidents: IncidentStore, network: RouteNetwork, scenario: dict[str, Any]
) -> None:
    heat = Reports(incidents.reader, region_id="kailash", network=network).heat(PERIOD)
    assert heat["type"] == "FeatureCollection"
    segments = [f for f in heat["features"] if f["properties"]["kind"] == "segment"]
    points = [f for f in heat["features"] if f["properties"]["kind"] == "incident"]
    assert len(segments) == len(network.segments)
    counts = {f["properties"]["segment_id"]: f["properties"]["incidents"] for f in segments}
    assert counts[DOLMA] == 2
    assert sum(counts.values()) == 3
    assert heat["max_incidents"] == 2
    assert {f["geometry"]["type"] for f in segments} == {"LineString"}
    assert all(len(c) == 2 for f in segments for c in f["geometry"]["coordinates"])
    # c has no location: three points
    assert sorted(f["properties"]["incident_id"] for f in points) == sorted(
        [scenario["a"], scenario["b"], scenario["d"]]
    )
    b = next(f for f in points if f["properties"]["incident_id"] == scenario["b"])
    assert b["properties"]["assigned"] is True


def test_reports_and_closures_place_a_point_on_the_same_segment(network: RouteNetwork) -> None:
    """One index (``routes.snap.piece_index``) places a point for the reports and the closures.

    The segment a report counts a hand-placed point on is the one whose drawn geometry is
    nearest it, and a closure drawn around the point, just reaching the network, covers
    that segment.
    """
    to_metric = network.to_metric.transform
    metric = {
        str(sid): shapely.transform(
            shapely.force_2d(g), lambda xy: np.column_stack(to_metric(*xy.T))
        )
        for sid, g in network.segments.geometry.items()
    }
    rng = np.random.default_rng(3)
    sids = list(metric)
    points = []
    for i in range(60):
        line = metric[sids[i % len(sids)]]
        at = line.interpolate(float(rng.uniform()), normalized=True)
        points.append((at.x + rng.normal(0, 150), at.y + rng.normal(0, 150)))
    points += [metric[s].coords[0] for s in sids[:20]]  # segment ends: junctions, ties
    lon, lat = network.to_wgs.transform(
        np.array([p[0] for p in points]), np.array([p[1] for p in points])
    )
    got = nearest_segments(network, list(zip(lon.tolist(), lat.tolist(), strict=True)))
    xs, ys = to_metric(lon, lat)
    now = datetime(2025, 6, 14, 12, 0, tzinfo=UTC)
    for x, y, sid in zip(xs, ys, got, strict=True):
        assert sid is not None
        p = Point(x, y)
        dist = {s: g.distance(p) for s, g in metric.items()}
        nearest_m = min(dist.values())
        assert dist[sid] == pytest.approx(nearest_m, abs=1e-6)
        ring = p.buffer(nearest_m + 1.0, 16).exterior.coords
        rlon, rlat = network.to_wgs.transform([c[0] for c in ring], [c[1] for c in ring])
        around = {
            "type": "Polygon",
            "coordinates": [[list(c) for c in zip(rlon, rlat, strict=True)]],
        }
        closure = parse_closure(
            {"reason": "snow", "modes": "all", "severity": "closed", "geometry": around},
            network=network,
            now=now,
        )
        covered = {network.graph.edges[e]["segment_id"] for e in affected_edges(network, closure)}
        assert sid in covered
