"""Approach planning time: Sandtable's full plans, side by side with pgRouting.

Run: ``python -m bench.bench_approach [--repeat 3] [--targets 30] [--no-big] [--no-pg]``.

(a) Kailash: targets every 3 km round the outer kora, every responding station; p50 / p99 /
max wall time of one full ``plan_approach`` (best plan + alternatives per station, and the
evacuation). (b) A generated network of >= 100,000 graph edges (copies of Kailash on a grid,
``bench.synthetic``): ``--targets`` points on random copies' outer kora (fixed seed), each
planned from the ``--stations`` stations nearest it by straight line (a network of hundreds
of stations plans from the nearby ones). (c) pgRouting on the same graphs, if a PostgreSQL
server with the pgRouting extension answers at ``--dsn``: the planner's multimodal state
graph (``routes.multimodal.state_graph``) is loaded as an edge table and, per target, the
equivalent of one full plan is timed from Python (round trip included): ``pgr_dijkstra``
many-to-one from every station start state to the target, ``pgr_KSP(K := 4)`` from each
distinct station start (best + 3 alternatives), and one ``pgr_dijkstra`` for the
evacuation. The database ``sandtable_bench`` is created for the run and dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "sandtable_bench"
#: stop timing a system on a network after this many seconds (at least ``_MIN_TARGETS``)
BUDGET_S = 120.0
_MIN_TARGETS = 3
_RESPONDING = ("vehicle", "foot_team")


@dataclass
class Job:
    """One target and the stations planned for it (None: every responding station)."""

    lon: float
    lat: float
    stations: list[str] | None


@dataclass
class Run:
    """Wall times (ms) of the targets measured, and per target ``{station: eta_s}``."""

    times_ms: list[float] = field(default_factory=list)
    etas: dict[int, dict[str, float]] = field(default_factory=dict)
    measured: int = 0
    note: str = ""
    #: pgRouting: per target, the ms of (many-to-one Dijkstra, KSPs, evacuation)
    parts_ms: list[tuple[float, ...]] = field(default_factory=list)

    def summary(self) -> str:
        ms = self.times_ms
        return (
            f"p50 {statistics.median(ms):.0f} ms, p99 {_pct(ms, 0.99):.0f} ms, max {max(ms):.0f} ms"
        )

    def parts(self) -> str:
        names = ("pgr_dijkstra many-to-one", "pgr_KSP", "evacuation pgr_dijkstra")
        return ", ".join(
            f"{name} {statistics.median(p[k] for p in self.parts_ms):.0f} ms"
            for k, name in enumerate(names)
        )


def _pct(values: Sequence[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _progress(total: int, desc: str, show: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not show or None, leave=False)


# --------------------------------------------------------------------------- Sandtable
def _time_sandtable(
    network: Any, jobs: Sequence[Job], repeat: int, budget_s: float, show: bool
) -> tuple[Run, int]:
    """Time ``plan_approach`` over ``jobs`` ``repeat`` times; returns the run, plans/target."""
    from rescue.approach import plan_approach

    first = plan_approach(network, (jobs[0].lon, jobs[0].lat), stations=jobs[0].stations)
    run = Run()
    start = time.perf_counter()
    with _progress(repeat * len(jobs), "sandtable plans", show) as bar:
        for _ in range(repeat):
            for j, job in enumerate(jobs):
                t0 = time.perf_counter()
                result = plan_approach(network, (job.lon, job.lat), stations=job.stations)
                run.times_ms.append((time.perf_counter() - t0) * 1000)
                run.etas[j] = {p.station_id: p.eta_s for p in result.plans if p.reachable}
                bar.update()
                if time.perf_counter() - start > budget_s and len(run.times_ms) >= _MIN_TARGETS:
                    break
            else:
                continue
            break
    run.measured = len(run.etas)
    if len(run.times_ms) < repeat * len(jobs):
        run.note = f" (time budget {budget_s:.0f} s: {len(run.times_ms)} plans timed)"
    return run, len(first.plans)


def _kailash_jobs(network: Any) -> list[Job]:
    length_km = network.line("outer_kora").length_m / 1000.0
    jobs = []
    for km in range(1, int(length_km), 3):
        lon, lat, _ = network.point_at("outer_kora", km)
        jobs.append(Job(lon, lat, None))
    return jobs


def _responding(network: Any) -> tuple[list[str], Any]:
    """Responding on-network station ids and their metric (x, y) as an (n, 2) array."""
    import numpy as np

    from geodata.errors import NotFound

    ids, xy = [], []
    table = network.region.stations
    G = network.graph
    for sid, row in table.iterrows():
        if not set(row["capabilities"]) & set(_RESPONDING):
            continue
        try:
            node = network.node_of(row["place_id"])
        except NotFound:
            continue
        ids.append(str(sid))
        xy.append((G.nodes[node]["x"], G.nodes[node]["y"]))
    return ids, np.asarray(xy, dtype=float)


def _big_jobs(big: Any, n_targets: int, n_stations: int, seed: int) -> list[Job]:
    import numpy as np

    network = big.network
    rng = random.Random(seed)
    ids, xy = _responding(network)
    jobs = []
    for _ in range(n_targets):
        route = f"outer_kora{big.suffix(rng.randrange(big.scale))}"
        km = rng.uniform(0.5, network.line(route).length_m / 1000.0 - 0.5)
        lon, lat = network.point_at(route, km)[:2]
        x, y = network.to_metric.transform(lon, lat)
        d2 = (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2
        nearest = np.argsort(d2, kind="stable")[:n_stations]
        jobs.append(Job(lon, lat, [ids[k] for k in nearest]))
    return jobs


# --------------------------------------------------------------------------- pgRouting
class PgRouting:
    """A scratch database with pgRouting; ``open`` returns None (and says why) if unusable."""

    def __init__(self, conn: Any, dsn: str) -> None:
        self.conn = conn
        self.dsn = dsn

    @classmethod
    def open(cls, dsn: str) -> PgRouting | None:
        try:
            import psycopg
        except ImportError:
            print("  psycopg not installed: pip install 'psycopg[binary]>=3.1'; pgRouting skipped")
            return None
        try:
            admin = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            print(f"  PostgreSQL not reachable at {dsn} ({first}); pgRouting skipped")
            return None
        with admin:
            found = admin.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting'"
            ).fetchone()
            if not found:
                print("  pgRouting not installed: apt-get install postgresql-15-pgrouting")
                return None
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {BENCH_DB}")
        conn = psycopg.connect(_with_db(dsn, BENCH_DB), autocommit=True)
        try:
            conn.execute("CREATE EXTENSION pgrouting CASCADE")  # Debian's needs postgis
            version = _scalar(conn, "SELECT pgr_version()")
        except psycopg.Error as exc:
            conn.close()
            cls._drop(dsn)
            print(f"  pgRouting unusable ({exc}); install: apt-get install postgresql-15-pgrouting")
            return None
        server = _scalar(conn, "SHOW server_version")
        print(f"  pgRouting {version} on PostgreSQL {server} (database {BENCH_DB})")
        return cls(conn, dsn)

    @staticmethod
    def _drop(dsn: str) -> None:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    def close(self) -> None:
        self.conn.close()
        self._drop(self.dsn)

    def load(self, table: str, sg: Any) -> float:
        """COPY the state graph's arcs into ``table``; returns seconds."""
        import numpy as np

        t0 = time.perf_counter()
        m = len(sg.tail)
        cols = np.column_stack(
            [
                np.arange(1, m + 1, dtype=np.float64),
                np.asarray(sg.tail, dtype=np.float64) + 1,  # vertex ids from 1
                np.asarray(sg.head, dtype=np.float64) + 1,
                np.asarray(sg.cost_s, dtype=np.float64),
                np.full(m, -1.0),
            ]
        )
        buf = io.StringIO()
        np.savetxt(buf, cols, fmt=["%d", "%d", "%d", "%.17g", "%d"], delimiter="\t")
        self.conn.execute(f"DROP TABLE IF EXISTS {table}")
        self.conn.execute(
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, source bigint NOT NULL, "
            "target bigint NOT NULL, cost float8 NOT NULL, reverse_cost float8 NOT NULL)"
        )
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} (id, source, target, cost, reverse_cost) FROM STDIN") as copy,
        ):
            copy.write(buf.getvalue())
        self.conn.execute(f"ANALYZE {table}")
        return time.perf_counter() - t0

    def plan(self, table: str, starts: list[int], target: int, evac: tuple[int, int]) -> Any:
        """The SQL equivalent of one full plan; returns {start: best cost} (vertex ids 1-based)."""
        sql = f"SELECT id, source, target, cost, reverse_cost FROM {table}"
        marks = [time.perf_counter()]
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT start_vid, node, edge, cost, agg_cost FROM pgr_dijkstra("
                "%s, %s::bigint[], %s::bigint, directed := true)",
                (sql, starts, target),
            )
            best_rows = cur.fetchall()
            marks.append(time.perf_counter())
            cur.execute(
                "SELECT s, k.path_id, k.node, k.edge, k.cost, k.agg_cost "
                "FROM unnest(%s::bigint[]) AS s, "
                "LATERAL pgr_KSP(%s, s, %s::bigint, 4, directed := true) AS k",
                (starts, sql, target),
            )
            cur.fetchall()
            marks.append(time.perf_counter())
            cur.execute(
                "SELECT node, edge, cost, agg_cost FROM pgr_dijkstra("
                "%s, %s::bigint, %s::bigint, directed := true)",
                (sql, evac[0], evac[1]),
            )
            evac_rows = cur.fetchall()
            marks.append(time.perf_counter())
        parts = tuple(1000 * (b - a) for a, b in zip(marks, marks[1:], strict=False))
        return best_rows, evac_rows, parts


def _scalar(conn: Any, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    return row[0] if row else None


def _with_db(dsn: str, db: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    return make_conninfo("", **{**conninfo_to_dict(dsn), "dbname": db})


def _time_pgrouting(
    pg: PgRouting,
    label: str,
    network: Any,
    jobs: Sequence[Job],
    station_lists: Sequence[list[str]],
    budget_s: float,
    show: bool,
) -> tuple[Run, str] | None:
    """Load ``network``'s state graph and time the SQL plans of ``jobs``."""
    import numpy as np

    try:
        from routes.multimodal import state_graph
    except ImportError as exc:
        print(f"  {label}: routes.multimodal.state_graph not available ({exc}); pgRouting skipped")
        return None
    from rescue.approach import evacuation_destination

    t0 = time.perf_counter()
    sg = state_graph(network, "rescue_team")
    build_s = time.perf_counter() - t0
    table = f"edges_{label.split()[0].lower()}"
    load_s = pg.load(table, sg)
    print(
        f"  {label}: state graph {sg.n_states:,} states, {len(sg.tail):,} arcs "
        f"(built in {build_s:.1f} s, COPY into {table} in {load_s:.1f} s)"
    )
    G = network.graph
    table_st = network.region.stations
    foot_nodes = [
        n for n in G if any("foot" in d["modes"] for _, _, d in G.out_edges(n, data=True))
    ]
    fxy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in foot_nodes])

    def start_of(sid: str) -> int:
        node = network.node_of(table_st.at[sid, "place_id"])
        drives = "vehicle" in table_st.at[sid, "capabilities"]
        return int(sg.state(node, "vehicle" if drives else "foot")) + 1

    clinic = network.node_of(table_st.at[evacuation_destination(network), "place_id"])
    clinic_state = int(sg.state(clinic, "vehicle")) + 1
    targets = []
    for job in jobs:
        x, y = network.to_metric.transform(job.lon, job.lat)
        k = int(np.argmin((fxy[:, 0] - x) ** 2 + (fxy[:, 1] - y) ** 2))
        targets.append(int(sg.state(foot_nodes[k], "foot")) + 1)
    starts_of = [{sid: start_of(sid) for sid in sts} for sts in station_lists]

    # the evacuation: target (foot) -> clinic (vehicle); if the state graph has no
    # foot -> vehicle transfer (the approach graph only switches vehicle -> foot), the same
    # search reversed: clinic (vehicle) -> target (foot)
    _, evac_rows, _ = pg.plan(table, [targets[0]], targets[0], (targets[0], clinic_state))
    forward = bool(evac_rows)
    how = (
        "target foot -> clinic vehicle"
        if forward
        else "clinic vehicle -> target foot (the state graph has no foot -> vehicle transfer)"
    )

    def evac(t: int) -> tuple[int, int]:
        return (t, clinic_state) if forward else (clinic_state, t)

    run = Run()
    start = time.perf_counter()
    with _progress(len(jobs), f"pgRouting {label}", show) as bar:
        for j, (t, starts) in enumerate(zip(targets, starts_of, strict=True)):
            distinct = sorted(set(starts.values()))
            t0 = time.perf_counter()
            best_rows, _, parts = pg.plan(table, distinct, t, evac(t))
            run.times_ms.append((time.perf_counter() - t0) * 1000)
            run.parts_ms.append(parts)
            best = {int(s): float(agg) for s, node, _e, _c, agg in best_rows if node == t}
            run.etas[j] = {sid: best[s] for sid, s in starts.items() if s in best}
            bar.update()
            if time.perf_counter() - start > budget_s and len(run.times_ms) >= _MIN_TARGETS:
                break
    run.measured = len(run.times_ms)
    if run.measured < len(jobs):
        run.note = f" (time budget {budget_s:.0f} s: {run.measured} targets timed)"
    return run, f"evacuation {how}"


def _agreement(sand: Run, pg: Run) -> str:
    diffs = [
        abs(sand.etas[j][sid] - eta)
        for j, etas in pg.etas.items()
        if j in sand.etas
        for sid, eta in etas.items()
        if sid in sand.etas[j]
    ]
    if not diffs:
        return "no station reached by both to compare"
    rel = [
        abs(sand.etas[j][sid] - eta) / max(eta, 1.0)
        for j, etas in pg.etas.items()
        if j in sand.etas
        for sid, eta in etas.items()
        if sid in sand.etas[j]
    ]
    return (
        f"ETA check over {len(diffs)} station-target pairs: median |Sandtable - pgr_dijkstra| "
        f"{statistics.median(diffs):.0f} s ({100 * statistics.median(rel):.1f} %), "
        f"max {max(diffs):.0f} s (pgRouting starts at the nearest node, Sandtable at the point)"
    )


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds over the Kailash targets")
    parser.add_argument("--targets", type=int, default=30, help="targets on the big network")
    parser.add_argument("--stations", type=int, default=20, help="nearest stations per target")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--min-edges", type=int, default=100_000)
    parser.add_argument(
        "--budget", type=float, default=BUDGET_S, help="max seconds per system and network"
    )
    parser.add_argument("--no-big", action="store_true", help="Kailash only")
    parser.add_argument("--no-pg", action="store_true", help="skip pgRouting")
    parser.add_argument("--dsn", default=DSN, help="PostgreSQL server for pgRouting")
    args = parser.parse_args(argv)
    show = sys.stderr.isatty()

    from geodata import load_region
    from routes import build_network

    rows: list[tuple[str, Run, Run | None]] = []

    # (a) Kailash
    kailash = build_network(load_region("kailash"))
    k_jobs = _kailash_jobs(kailash)
    k_run, k_plans = _time_sandtable(kailash, k_jobs, args.repeat, math.inf, show)
    print(
        f"  kailash: {len(k_jobs)} targets × {args.repeat}, {k_plans} station plans each "
        f"(alternatives + evacuation): {k_run.summary()}"
    )
    k_stations = _responding(kailash)[0]

    # (b) the big network
    big = b_jobs = b_run = None
    if not args.no_big:
        from bench.synthetic import big_network

        big = big_network(args.min_edges)
        b_jobs = _big_jobs(big, args.targets, args.stations, args.seed)
        b_run, b_plans = _time_sandtable(big.network, b_jobs, 1, args.budget, show)
        print(
            f"  {big.scale}× kailash ({big.network.graph.number_of_edges():,} edges, "
            f"{len(_responding(big.network)[0])} responding stations): {len(b_jobs)} targets "
            f"on random copies' outer kora (seed {args.seed}), each planned from the "
            f"{args.stations} stations nearest it by straight line (a network of hundreds of "
            f"stations plans from the nearby ones){b_run.note}: {b_run.summary()}"
        )

    # (c) pgRouting on the same graphs
    pg = None if args.no_pg else PgRouting.open(args.dsn)
    k_pg = b_pg = None
    if pg is not None:
        try:
            out = _time_pgrouting(
                pg, "kailash", kailash, k_jobs, [k_stations] * len(k_jobs), args.budget, show
            )
            if out:
                k_pg, how = out
                print(
                    f"    pgRouting kailash: {len(k_jobs)} targets, pgr_dijkstra many-to-one "
                    f"from {len(k_stations)} stations + pgr_KSP(K=4) per distinct start + "
                    f"evacuation ({how}){k_pg.note}: {k_pg.summary()}"
                )
                print(f"    p50 per part: {k_pg.parts()}")
                print(f"    {_agreement(k_run, k_pg)}")
            if big is not None and b_jobs is not None and b_run is not None:
                lists = [job.stations or [] for job in b_jobs]
                out = _time_pgrouting(
                    pg, f"{big.scale}x kailash", big.network, b_jobs, lists, args.budget, show
                )
                if out:
                    b_pg, _ = out
                    print(
                        f"    pgRouting {big.scale}× kailash: {args.stations} nearest stations "
                        f"per target{b_pg.note}: {b_pg.summary()}"
                    )
                    print(f"    p50 per part: {b_pg.parts()}")
                    print(f"    {_agreement(b_run, b_pg)}")
        finally:
            pg.close()
    rows.append(("kailash", k_run, k_pg))
    if big is not None and b_run is not None:
        rows.append((f"{big.scale}× kailash", b_run, b_pg))

    print("  side by side, p50 of one full plan (Sandtable p50 target: 50 ms Kailash, 300 ms big):")
    for label, sand, other in rows:
        s50 = statistics.median(sand.times_ms)
        if other is None:
            print(f"    {label:<16} Sandtable {s50:8.0f} ms   pgRouting        -")
        else:
            p50 = statistics.median(other.times_ms)
            print(
                f"    {label:<16} Sandtable {s50:8.0f} ms   pgRouting {p50:8.0f} ms   "
                f"ratio Sandtable/pgRouting {s50 / p50:.2f} (< 1: Sandtable faster)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
