"""Closures on the committed Kailash network: parsing, mapping, storage and plan weights."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata import load_region
from geodata.errors import Conflict, DataValidationError, InvalidInput, NotFound
from rescue.closures import (
    EARLIEST,
    LATEST,
    LOCAL_TZ,
    Closure,
    ClosureStore,
    affected_edges,
    closure_weight,
    closures_in_force,
    closures_on_edge,
    edge_cost,
    parse_closure,
    time_range_problem,
)
from routes import RouteNetwork, build_network
from routes.graph import PROFILE_MODES


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


NOW = datetime(2025, 6, 14, 12, 0, tzinfo=LOCAL_TZ)
SEG_TARBOCHE = "outer_kora:sershong_supply-chuku_bridge_supply"
SEG_PASS_UP = "outer_kora:sky_burial_west_supply-dolma_la"
ROAD_TARBOCHE_CHUKU = "road:tarboche_chuku"
#: drawn east-west across the outer kora just south of Tarboche (a landslide across the trail)
ACROSS_TARBOCHE = {"type": "LineString", "coordinates": [[81.2575, 31.0135], [81.2610, 31.0135]]}
#: a box of about 750 m × 650 m around the Drolma La pass
AROUND_DROLMA_LA = {
    "type": "Polygon",
    "coordinates": [
        [[81.366, 31.092], [81.374, 31.092], [81.374, 31.098], [81.366, 31.098], [81.366, 31.092]]
    ],
}
TRAIL_SERSHONG_J3 = "outer_kora:darchen_kora_gate-drirapuk_iron_bridge#2"


def body(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "segment_ids": [SEG_TARBOCHE],
        "reason": "snow",
        "modes": "all",
        "severity": "closed",
    }
    base.update(kw)
    return {k: v for k, v in base.items() if v is not ...}


def make(network: RouteNetwork, **kw: Any) -> Closure:
    return parse_closure(body(**kw), network=network, now=NOW)


def edges_with(network: RouteNetwork, prefix: str) -> set[tuple[str, str, str]]:
    return {
        (u, v, k) for u, v, k in network.graph.edges(keys=True) if k.rsplit(":", 1)[0] == prefix
    }


def assert_both_directions(edges: frozenset[tuple[str, str, str]]) -> None:
    for u, v, k in edges:
        stem, side = k.rsplit(":", 1)
        assert (v, u, f"{stem}:{'r' if side == 'f' else 'f'}") in edges, (u, v, k)


# -- parsing ------------------------------------------------------------------------------


def test_parse_segments(kailash: RouteNetwork) -> None:
    c = make(
        kailash,
        segment_ids=[SEG_TARBOCHE, SEG_TARBOCHE, SEG_PASS_UP],
        severity={"slow_factor": 2.5},
        modes="vehicle",
        note="deep snow",
    )
    assert c.segment_ids == (SEG_TARBOCHE, SEG_PASS_UP)
    assert c.geometry is None
    assert c.slow_factor == 2.5 and not c.closed
    assert c.modes == "vehicle" and c.reason == "snow" and c.note == "deep snow"
    assert c.valid_from == NOW and c.valid_until is None and c.created_at == NOW
    assert c.created_by == "anonymous"
    assert len(c.closure_id) == 12 and int(c.closure_id, 16) >= 0
    assert make(kailash).closure_id != c.closure_id


def test_parse_line_across_trail_near_tarboche(kailash: RouteNetwork) -> None:
    c = make(kailash, segment_ids=..., geometry=ACROSS_TARBOCHE, reason="landslide")
    assert c.geometry == ACROSS_TARBOCHE and c.segment_ids == ()
    edges = affected_edges(kailash, c)
    assert edges_with(kailash, TRAIL_SERSHONG_J3) <= edges
    assert_both_directions(edges)
    # a line across cuts only what it crosses: not the trail beyond Tarboche
    assert not edges & edges_with(kailash, "outer_kora:darchen_kora_gate-drirapuk_iron_bridge#4")


def test_parse_polygon_around_drolma_la(kailash: RouteNetwork) -> None:
    c = make(kailash, segment_ids=..., geometry=AROUND_DROLMA_LA, until="2025-06-20T18:00")
    edges = affected_edges(kailash, c)
    assert edges_with(kailash, "outer_kora:karma_horse-dolma_la#0") <= edges
    assert edges_with(kailash, "outer_kora:dolma_la-gauri_kund#0") <= edges
    assert all("dolma_la" in (u, v) or "j1" in (u, v) for u, v, _ in edges)
    assert not any("darchen" in (u, v) for u, v, _ in edges)
    assert_both_directions(edges)
    assert c.valid_until == datetime(2025, 6, 20, 18, 0, tzinfo=LOCAL_TZ)  # naive = local


def test_line_along_trail_covers_the_stretch(kailash: RouteNetwork) -> None:
    along = {
        "type": "LineString",
        "coordinates": [[81.25936, 31.01222], [81.25929, 31.01475], [81.25932, 31.01541]],
    }
    edges = affected_edges(kailash, make(kailash, segment_ids=..., geometry=along))
    assert edges_with(kailash, TRAIL_SERSHONG_J3) <= edges
    assert edges_with(kailash, "outer_kora:darchen_kora_gate-drirapuk_iron_bridge#3") <= edges
    # the long edges on either side only touch the stretch's ends
    assert not edges & edges_with(kailash, "outer_kora:darchen_kora_gate-drirapuk_iron_bridge#4")
    assert not edges & edges_with(kailash, "outer_kora:darchen_kora_gate-drirapuk_iron_bridge#1")


def test_segment_closure_covers_all_its_edges(kailash: RouteNetwork) -> None:
    edges = affected_edges(kailash, make(kailash))
    expected = {
        (u, v, k)
        for u, v, k, s in kailash.graph.edges(keys=True, data="segment_id")
        if s == SEG_TARBOCHE
    }
    assert edges == expected and len(expected) >= 4
    assert_both_directions(edges)


def test_times_and_author(kailash: RouteNetwork) -> None:
    c = parse_closure(
        body(
            **{
                "from": "2025-06-15T06:00:00Z",
                "until": "2025-06-16T00:00:00+08:00",
                "created_by": "dolkar",
            }
        ),
        network=kailash,
        now=NOW,
    )
    assert c.valid_from == datetime(2025, 6, 15, 14, 0, tzinfo=LOCAL_TZ)
    assert c.valid_until is not None and c.valid_until.utcoffset() == timedelta(hours=8)
    assert c.created_by == "dolkar"
    signed_in = parse_closure(
        body(created_by="dolkar"), network=kailash, now=NOW, created_by="station:darchen"
    )
    assert signed_in.created_by == "station:darchen"


def test_active_affects_and_round_trip(kailash: RouteNetwork) -> None:
    c = make(kailash, modes="vehicle", until="2025-06-15T12:00")
    assert not c.active(NOW - timedelta(seconds=1))
    assert c.active(NOW) and c.active(NOW + timedelta(hours=23))
    assert not c.active(NOW + timedelta(days=1)) and c.expired(NOW + timedelta(days=1))
    assert c.affects("vehicle") and not c.affects("foot")
    assert make(kailash).affects("foot")
    with pytest.raises(InvalidInput):
        c.affects("pilgrim")
    with pytest.raises(InvalidInput):
        c.active(datetime(2025, 6, 14))  # naive
    g = make(kailash, segment_ids=..., geometry=AROUND_DROLMA_LA, severity={"slow_factor": 3})
    for closure in (c, g):
        data = json.loads(json.dumps(closure.to_dict()))
        assert Closure.from_dict(data) == closure
    assert g.to_dict()["severity"] == {"slow_factor": 3.0}


FAR_AWAY = {
    "type": "Polygon",
    "coordinates": [[[10.0, 50.0], [10.1, 50.0], [10.1, 50.1], [10.0, 50.0]]],
}
BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("both", body(geometry=ACROSS_TARBOCHE), "geometry/segment_ids"),
    ("neither", body(segment_ids=...), "geometry/segment_ids"),
    ("unknown segment", body(segment_ids=[SEG_TARBOCHE, "nowhere:a-b"]), "'nowhere:a-b'"),
    ("segment_ids text", body(segment_ids=SEG_TARBOCHE), "segment_ids"),
    ("segment_ids empty", body(segment_ids=[]), "segment_ids"),
    ("segment_ids numbers", body(segment_ids=[1, 2]), "segment_ids"),
    (
        "point",
        body(segment_ids=..., geometry={"type": "Point", "coordinates": [81.3, 31.0]}),
        "geometry",
    ),
    (
        "polygon does not parse",
        body(
            segment_ids=...,
            geometry={"type": "Polygon", "coordinates": [[[81.3, 31.0], [81.31, 31.0]]]},
        ),
        "does not parse",
    ),
    (
        "polygon garbage",
        body(segment_ids=..., geometry={"type": "Polygon", "coordinates": "x"}),
        "geometry",
    ),
    (
        "bow tie",
        body(
            segment_ids=...,
            geometry={
                "type": "Polygon",
                "coordinates": [
                    [
                        [81.366, 31.092],
                        [81.374, 31.098],
                        [81.374, 31.092],
                        [81.366, 31.098],
                        [81.366, 31.092],
                    ]
                ],
            },
        ),
        "invalid Polygon",
    ),
    (
        "lat/lon swapped",
        body(
            segment_ids=...,
            geometry={"type": "LineString", "coordinates": [[31.0, 181.3], [31.01, 181.3]]},
        ),
        "lon/lat range",
    ),
    ("far away", body(segment_ids=..., geometry=FAR_AWAY), "affects no trail or road"),
    ("reason", body(reason="yeti"), "reason: 'yeti'"),
    ("reason missing", body(reason=...), "reason: None"),
    ("modes", body(modes="foot"), "modes: 'foot'"),
    ("severity", body(severity="blocked"), "severity: 'blocked'"),
    ("slow 1", body(severity={"slow_factor": 1}), "severity.slow_factor: 1"),
    ("slow 25", body(severity={"slow_factor": 25}), "severity.slow_factor: 25"),
    ("slow text", body(severity={"slow_factor": "2"}), "severity.slow_factor: '2'"),
    ("slow bool", body(severity={"slow_factor": True}), "severity.slow_factor: True"),
    ("slow nan", body(severity={"slow_factor": float("nan")}), "severity.slow_factor: nan"),
    ("from", body(**{"from": "yesterday"}), "from: 'yesterday'"),
    ("until", body(until="2025-13-01"), "until: '2025-13-01'"),
    (
        "until before from",
        body(**{"from": "2025-06-15T10:00", "until": "2025-06-15T09:00"}),
        "until: '2025-06-15T09:00' is not after from",
    ),
    (
        "until equals from",
        body(**{"from": "2025-06-15T10:00", "until": "2025-06-15T10:00"}),
        "is not after from",
    ),
    ("until before now", body(until="2025-06-14T11:00"), "until:"),
    ("unknown field", body(severty="closed"), "unknown field(s) severty"),
    ("note", body(note=["x"]), "note"),
    ("created_by", body(created_by=""), "created_by"),
]


@pytest.mark.parametrize(
    ("bad", "field"), [(b, f) for _, b, f in BAD_BODIES], ids=[name for name, _, _ in BAD_BODIES]
)
def test_bad_bodies(kailash: RouteNetwork, bad: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_closure(bad, network=kailash, now=NOW)
    assert any(field in d for d in err.value.details), err.value.details
    assert field in str(err.value)


def test_all_problems_at_once(kailash: RouteNetwork) -> None:
    bad = {
        "geometry": FAR_AWAY,
        "reason": "x",
        "modes": "y",
        "severity": {"slow_factor": 0.5},
        "until": "2020-01-01",
    }
    with pytest.raises(InvalidInput) as err:
        parse_closure(bad, network=kailash, now=NOW)
    text = str(err.value)
    for field in ("affects no trail", "reason:", "modes:", "severity.slow_factor:", "until:"):
        assert field in text
    with pytest.raises(InvalidInput):
        parse_closure(["not", "a", "dict"], network=kailash, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        parse_closure(body(), network=kailash, now=datetime(2025, 6, 14))  # naive now


# -- storage -------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_store_persists_across_instances(kailash: RouteNetwork, tmp_path: Path) -> None:
    path = tmp_path / "instance" / "closures.json"
    store = ClosureStore(path, clock=Clock(NOW))
    assert store.list() == []
    a = store.add(make(kailash, severity={"slow_factor": 2.5}))
    b = store.add(make(kailash, segment_ids=..., geometry=AROUND_DROLMA_LA))
    again = ClosureStore(path, clock=Clock(NOW))
    assert {c.closure_id for c in again.list()} == {a.closure_id, b.closure_id}
    assert again.get(b.closure_id) == b
    again.delete(a.closure_id)
    assert store.list() == [b]
    with pytest.raises(NotFound):
        store.delete(a.closure_id)
    with pytest.raises(NotFound):
        store.get("nope")
    with pytest.raises(Conflict):
        store.add(b)
    assert [p.name for p in path.parent.iterdir()] == ["closures.json"]  # no temp files left


def test_store_write_is_atomic(
    kailash: RouteNetwork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "closures.json"
    store = ClosureStore(path, clock=Clock(NOW))
    kept = store.add(make(kailash))
    before = path.read_bytes()

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        store.add(make(kailash))
    with pytest.raises(OSError):
        store.delete(kept.closure_id)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["closures.json"]
    monkeypatch.undo()
    assert store.list() == [kept]


def test_store_expires_by_itself(kailash: RouteNetwork, tmp_path: Path) -> None:
    clock = Clock(NOW)
    store = ClosureStore(tmp_path / "closures.json", clock=clock)
    short = store.add(make(kailash, until="2025-06-14T18:00"))
    later = store.add(make(kailash, **{"from": "2025-06-20T00:00"}))
    assert store.list() == [short, later]
    clock.now = NOW + timedelta(days=1)
    assert store.list() == [later]  # not yet active, but not expired: listed
    assert store.list(at=NOW) == [short, later]
    assert store.list(include_expired=True) == [short, later]
    store.add(make(kailash))  # the next write purges
    assert short.closure_id not in (tmp_path / "closures.json").read_text()
    assert len(store.list(include_expired=True)) == 2


def test_store_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "closures.json"
    for text in ("{not json", '{"version": 1, "closures": [{"closure_id": "x"}]}', "[]"):
        path.write_text(text)
        with pytest.raises(DataValidationError, match="closures.json"):
            ClosureStore(path).list()


def test_store_is_thread_safe(kailash: RouteNetwork, tmp_path: Path) -> None:
    store = ClosureStore(tmp_path / "closures.json", clock=Clock(NOW))
    closures = [make(kailash) for _ in range(16)]
    threads = [threading.Thread(target=store.add, args=(c,)) for c in closures]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {c.closure_id for c in store.list()} == {c.closure_id for c in closures}


# -- weights -------------------------------------------------------------------------------


def test_weight_closed_slowed_and_modes(kailash: RouteNetwork) -> None:
    G = kailash.graph
    u, v = "sershong_supply", "j3"
    key = f"{TRAIL_SERSHONG_J3}:f"
    base = G.edges[u, v, key]["duration_s"]["pilgrim"]
    closed = make(kailash)
    vehicles = make(kailash, modes="vehicle")
    slow = make(kailash, severity={"slow_factor": 2.5})
    slower = make(kailash, severity={"slow_factor": 2})
    later = make(kailash, **{"from": "2025-06-20T00:00"})

    def w(closures: list[Closure], profile: str = "pilgrim", a: str = u, b: str = v) -> Any:
        return closure_weight(kailash, closures, profile, at=NOW)(a, b, G[a][b])

    assert w([]) == pytest.approx(base)
    assert w([closed]) is None and w([closed], "stretcher_carry") is None
    assert w([vehicles]) == pytest.approx(base)  # a vehicle closure leaves walkers alone
    assert w([slow]) == pytest.approx(2.5 * base)
    assert w([slow, slower]) == pytest.approx(5.0 * base)
    assert w([later]) == pytest.approx(base)  # not yet in force
    assert w([], "vehicle") is None  # a foot trail: no vehicles in any case
    # parallel trail (foot) and road (vehicle) j3 → chorten_kangnyi: the minimum of usable keys
    a, b = "j3", "chorten_kangnyi"
    road = make(kailash, segment_ids=[ROAD_TARBOCHE_CHUKU], modes="vehicle")
    assert w([closed], "pilgrim", a, b) is None
    assert w([closed], "vehicle", a, b) == pytest.approx(
        G.edges[a, b, "road:tarboche_chuku#0:f"]["duration_s"]["vehicle"]
    )
    assert w([road], "vehicle", a, b) is None
    assert w([road], "pilgrim", a, b) is not None

    cost = edge_cost(kailash, [slow, vehicles], "pilgrim", NOW)
    assert cost(u, v, key, G.edges[u, v, key]) == pytest.approx(2.5 * base)
    assert closures_on_edge(kailash, [closed, vehicles, road], (u, v, key)) == (
        closed.closure_id,
        vehicles.closure_id,
    )
    assert closures_on_edge(
        kailash, [closed, vehicles, later], (u, v, key), profile="pilgrim", at=NOW
    ) == (closed.closure_id,)
    with pytest.raises(InvalidInput):
        closure_weight(kailash, [], "yak", at=NOW)  # not a profile


def test_planner_detours_around_closed_pass(kailash: RouteNetwork) -> None:
    G = kailash.graph
    closed = make(kailash, segment_ids=..., geometry=AROUND_DROLMA_LA)
    weight = closure_weight(kailash, [closed], "pilgrim", at=NOW)
    plain = closure_weight(kailash, [], "pilgrim", at=NOW)
    s, t = "karma_horse", "phakna_rigzin_supply"
    assert "dolma_la" in nx.shortest_path(G, s, t, weight=plain)
    path = nx.shortest_path(G, s, t, weight=weight)  # the long way round, via Darchen
    assert "dolma_la" not in path and "darchen" in path
    assert nx.path_weight(G, path, "length_m") > 10_000


_NET = build_network(load_region("kailash"))
NODES = sorted(_NET.graph.nodes)
SEGMENTS = sorted(_NET.segments.index)
closure_specs = st.lists(
    st.tuples(
        st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6, unique=True),
        st.sampled_from(["all", "vehicle"]),
        st.one_of(
            st.just("closed"), st.builds(lambda f: {"slow_factor": f}, st.floats(1.01, 20.0))
        ),
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(
    specs=closure_specs,
    s=st.sampled_from(NODES),
    t=st.sampled_from(NODES),
    profile=st.sampled_from(sorted(PROFILE_MODES)),
)
def test_closures_never_shorten_plans(
    kailash: RouteNetwork, specs: list[tuple[list[str], str, Any]], s: str, t: str, profile: str
) -> None:
    G = kailash.graph
    closures = [make(kailash, segment_ids=ids, modes=m, severity=sev) for ids, m, sev in specs]
    mode = PROFILE_MODES[profile]
    closed = set().union(
        *(affected_edges(kailash, c) for c in closures if c.closed and c.affects(mode))
    )
    plain = closure_weight(kailash, [], profile, at=NOW)
    weight = closure_weight(kailash, closures, profile, at=NOW)
    try:
        with_closures = nx.shortest_path_length(G, s, t, weight=weight)
    except nx.NetworkXNoPath:
        return
    assert with_closures >= nx.shortest_path_length(G, s, t, weight=plain) - 1e-6
    path = nx.shortest_path(G, s, t, weight=weight)
    for a, b in zip(path, path[1:], strict=False):
        usable = [
            k
            for k, d in G[a][b].items()
            if d["duration_s"][profile] is not None and (a, b, k) not in closed
        ]
        assert usable, (a, b)


def test_a_closure_that_has_already_ended_is_refused(kailash: RouteNetwork) -> None:
    past = {
        "from": (NOW - timedelta(hours=5)).isoformat(),
        "until": (NOW - timedelta(hours=1)).isoformat(),
    }
    with pytest.raises(InvalidInput, match="already passed") as err:
        make(kailash, **past)
    assert any(d.startswith("until:") for d in err.value.details)
    ends_now = {"until": NOW.isoformat(), "from": (NOW - timedelta(hours=1)).isoformat()}
    with pytest.raises(InvalidInput, match="already passed"):
        make(kailash, **ends_now)


# --------------------------------------------------------------------------- time range
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("from", "0001-01-01T00:00"),
        ("from", "0001-01-01T00:00:00+23:59"),
        ("from", "1999-12-31T23:59"),
        ("until", "9999-12-31T23:59:59-12:00"),
        ("until", "9999-12-31T23:59:59.999999-23:59"),
        ("until", "2100-01-01T00:00:01"),
    ],
)
def test_times_outside_the_service_range_are_refused(
    kailash: RouteNetwork, field: str, value: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        make(kailash, **{field: value})
    assert any(d.startswith(f"{field}: ") and "2000-01-01" in d for d in caught.value.details)


def test_times_at_the_ends_of_the_range_are_accepted(kailash: RouteNetwork) -> None:
    c = make(kailash, **{"from": "2000-01-01T00:00", "until": "2100-01-01T00:00"})
    assert c.valid_from == EARLIEST and c.valid_until == LATEST
    assert time_range_problem(datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=12))))
    assert time_range_problem(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))


def test_no_closure_outside_the_range_can_be_made(kailash: RouteNetwork) -> None:
    good = make(kailash).to_dict()
    for field in ("from", "until", "created_at"):
        with pytest.raises(ValueError, match=field):
            Closure.from_dict({**good, field: "0001-01-01T00:00:00+08:00"})


def test_closures_that_cannot_be_applied_are_problems_not_errors(kailash: RouteNetwork) -> None:
    good = make(kailash)
    # a geometry that parsed once but no longer applies (e.g. read from another release)
    odd = make(kailash, segment_ids=None, geometry=ACROSS_TARBOCHE)
    broken = Closure(**{**odd.__dict__, "closure_id": "broken", "geometry": {"type": "Point"}})
    active, problems = closures_in_force(kailash, [good, broken, odd], NOW)
    assert [c.closure_id for c in active] == [good.closure_id, odd.closure_id]
    assert [p.closure_id for p in problems] == ["broken"]
    assert "Point" in problems[0].message


def test_a_legacy_file_with_unusable_entries_is_imported_without_them(
    kailash: RouteNetwork, tmp_path: Path
) -> None:
    good = make(kailash)
    path = tmp_path / "closures.json"
    bad = {**good.to_dict(), "closure_id": "year1", "from": "0001-01-01T00:00:00+08:00"}
    path.write_text(json.dumps({"version": 1, "closures": [good.to_dict(), bad, "x"]}))
    legacy = ClosureStore(path, clock=lambda: NOW)
    closures, problems = legacy.list_checked()
    assert closures == [good]
    assert [p.closure_id for p in problems] == ["year1", "#2"]
    with pytest.raises(DataValidationError):  # writing would drop them silently
        legacy.add(make(kailash))
