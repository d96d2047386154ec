"""Score time-only locating against real walkers' GPS tracks.

``evaluate_time_only_tracks(network, tracks)``: from held-out GPS tracks
(``calibration["split"]["holdout_track_ids"]``), pairs of (departure from the Darchen kora
gate, report time, the GPS fix at that time). The locator gets "we left Darchen kora gate at
HH:MM" and the report time; the error is along the route, between the best point and the fix,
both referenced to the outer kora; coverage is how often the fix lies inside the locator's
80 % range along the route (``range_80``; the best candidate's ``km_range`` for a locator
without one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from geodata.errors import InvalidInput
from rescue.localtime import LOCAL_TZ
from rescue.locate_eval.scoring import Locator, Target, default_locator, in_range, target

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "TimeEvalReport",
    "TrackPair",
    "TrackPairResult",
    "evaluate_time_only_tracks",
    "track_pairs",
]

_TRACK_ROUTE = "outer_kora"

_TRACK_ORIGIN = "darchen_kora_gate"


@dataclass(frozen=True)
class TrackPair:
    """A departure from the kora gate and a later GPS fix of the same held-out walker."""

    track_id: str
    departed_at: datetime
    reported_at: datetime
    lon: float
    lat: float
    true_km: float
    text: str

    @property
    def elapsed_s(self) -> float:
        return (self.reported_at - self.departed_at).total_seconds()


@dataclass(frozen=True)
class TrackPairResult:
    """The locator's answer for one pair; ``error_km`` is ``inf`` without a usable answer."""

    pair: TrackPair
    predicted_km: float | None
    error_km: float
    covered: bool
    best_segment_id: str | None
    failure: str | None = None

    def to_dict(self) -> dict[str, Any]:
        p = self.pair
        return {
            "track_id": p.track_id,
            "departed_at": p.departed_at.isoformat(),
            "reported_at": p.reported_at.isoformat(),
            "elapsed_h": round(p.elapsed_s / 3600.0, 2),
            "true_km": round(p.true_km, 3),
            "predicted_km": None if self.predicted_km is None else round(self.predicted_km, 3),
            "error_km": None if math.isinf(self.error_km) else round(self.error_km, 3),
            "covered": self.covered,
            "best_segment_id": self.best_segment_id,
            "failure": self.failure,
        }


@dataclass(frozen=True)
class TimeEvalReport:
    """Along-route error and 80 %-range coverage over GPS-track pairs."""

    results: tuple[TrackPairResult, ...]
    n_tracks: int
    median_error_km: float | None
    p90_error_km: float | None
    coverage: float | None
    by_elapsed_h: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped_tracks: dict[str, str] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()

    @property
    def n_pairs(self) -> int:
        return len(self.results)

    @property
    def targets_met(self) -> bool:
        return all(t.met is not False for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        def num(v: float | None) -> float | None:
            return None if v is None or math.isinf(v) else round(v, 4)

        return {
            "n_pairs": self.n_pairs,
            "n_tracks": self.n_tracks,
            "median_error_km": num(self.median_error_km),
            "p90_error_km": num(self.p90_error_km),
            "coverage": num(self.coverage),
            "by_elapsed_h": self.by_elapsed_h,
            "skipped_tracks": self.skipped_tracks,
            "targets": [t.to_dict() for t in self.targets],
            "targets_met": self.targets_met,
            "results": [r.to_dict() for r in self.results],
        }


def _unwrap(km: np.ndarray, length_km: float) -> np.ndarray:
    """Kilometres of a loop in (-L/2, L/2]: a walker still in town is at a negative km."""
    return np.where(km > length_km / 2.0, km - length_km, km)


def _locate_many(
    network: RouteNetwork, route_id: str, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """(km, offset_m) rows of WGS84 points referenced to a route.

    The vectorised twin of ``RouteLine.locate``: project onto the line, then map the
    geometric distance along it to the route's measure (which ``length_factor`` stretches).
    """
    line = network.line(route_id)
    x, y = network.to_metric.transform(np.asarray(lon, float), np.asarray(lat, float))
    pts = shapely.points(np.column_stack([x, y]))
    along = shapely.line_locate_point(line.line, pts)
    xy = np.asarray(line.coords, dtype=float)[:, :2]
    geo_m = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    m = np.interp(along, geo_m, line.measure_m)
    if line.loop:
        m = np.where(line.length_m - m < 1e-3, 0.0, m)  # the loop's closing point is its start
    return np.column_stack([m / 1000.0, shapely.distance(line.line, pts)])


@dataclass(frozen=True)
class _GateFrame:
    """The outer kora within a few km of the gate, to measure signed distances from it.

    Projecting onto this short piece instead of the whole 50-km loop is what keeps the
    departure search fast on dense tracks; so close to the gate the measure is geometric
    (``length_factor`` is 1 on the track-derived west valley).
    """

    line: Any  # shapely LineString, metric CRS
    gate_m: float  # where the gate lies along it

    @classmethod
    def of(cls, network: RouteNetwork, gate_km: float, half_km: float = 3.0) -> _GateFrame:
        route = network.line(_TRACK_ROUTE)
        length_km = route.length_m / 1000.0
        piece = route.substring((gate_km - half_km) % length_km, (gate_km + half_km) % length_km)
        line = shapely.linestrings(np.asarray(piece.coords, dtype=float)[:, :2])
        gate = route.position(gate_km)
        return cls(line, float(shapely.line_locate_point(line, shapely.points(gate.x, gate.y))))

    def signed_km(self, network: RouteNetwork, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """(km past the gate, offset_m) rows; negative km: not yet at the gate."""
        x, y = network.to_metric.transform(np.asarray(lon, float), np.asarray(lat, float))
        pts = shapely.points(np.column_stack([x, y]))
        along = shapely.line_locate_point(self.line, pts)
        return np.column_stack([(along - self.gate_m) / 1000.0, shapely.distance(self.line, pts)])


def _departure(
    network: RouteNetwork,
    track: Any,
    frame: _GateFrame,
    *,
    max_offset_m: float,
    max_start_km: float,
    window_s: float,
    speed_mps: float,
) -> tuple[float, str | None]:
    """Epoch seconds when the walker passes the kora gate, or NaN and the reason why not.

    A track that starts (by at most ``max_start_km``) past the gate was switched on late; its
    departure is put back by the distance at ``speed_mps``, the model's flat walking speed.
    """
    t = track["t_s"].to_numpy()
    head = track[t <= t[0] + window_s]
    ref = frame.signed_km(network, head["lon"].to_numpy(), head["lat"].to_numpy())
    near = ref[:, 1] <= max_offset_m
    if near.sum() < 3:
        return math.nan, "too few fixes near the route at its start"
    km = ref[near, 0]
    th = head["t_s"].to_numpy()[near]
    # a lone GPS spike must not fake the crossing: use the median of three neighbours
    padded = np.concatenate([km[:1], km, km[-1:]])
    med = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
    if med[0] > max_start_km:
        return math.nan, f"starts {med[0]:.2f} km past the gate"
    if med[0] >= 0.0:
        return float(th[0] - med[0] * 1000.0 / speed_mps), None
    after = np.flatnonzero(med >= 0.0)
    if not len(after):
        return math.nan, "does not pass the gate in its first hours"
    i = int(after[0])
    a, b = med[i - 1], med[i]
    f = (0.0 - a) / (b - a) if b > a else 0.0
    return float(th[i - 1] + f * (th[i] - th[i - 1])), None


def track_pairs(
    network: RouteNetwork,
    tracks: Any,
    *,
    n_pairs: int = 200,
    seed: int = 0,
    track_ids: Sequence[str] | None = None,
    min_elapsed_s: float = 1800.0,
    max_offset_m: float = 50.0,
    max_start_km: float = 0.3,
    template: str = "we left Darchen kora gate at {hhmm}",
) -> tuple[list[TrackPair], dict[str, str]]:
    """Sample (departure at the kora gate, report time, GPS fix) pairs from held-out tracks.

    A track qualifies when it passes the Darchen kora gate (km 0 of the outer kora) in its
    first two hours, or starts at most ``max_start_km`` past it. The departure is the time the
    (spike-filtered) walker crosses km 0, interpolated between fixes (for a late start: the
    first fix, put back by the distance at the model's flat speed). Each pair then takes a
    random fix at least ``min_elapsed_s`` later that lies within ``max_offset_m`` of the outer
    kora (so side trips to Chuku Gompa are skipped) and on the kora (km >= 0); its time is the
    report time and it is the truth. Pairs are spread evenly over the tracks.

    The Kailash tracks end at Drirapuk, so a long elapsed time is only ever paired with a
    walker still on the way there: late pairs come from slow walkers.

    Parameters
    ----------
    network
        The region's route network; its ``region.calibration["split"]`` names the held-out
        tracks unless ``track_ids`` is given.
    tracks
        A track-point table as read by ``geodata.raw.read_tracks`` (``track_id``, ``seq``,
        ``time_utc``, ``lon``, ``lat``, ``ele_m``).
    n_pairs
        How many pairs to sample (fewer if the tracks do not allow as many).
    seed
        Seed of the random choice of report times.
    track_ids
        Restrict to these tracks instead of the calibration's hold-out set.
    template
        The caller's text; ``{hhmm}`` is the local (UTC+8) departure time, minutes rounded.

    Returns
    -------
    (pairs, skipped)
        The pairs, and the reason each skipped track was not used.

    Raises
    ------
    InvalidInput
        If ``n_pairs`` < 1, a required column is missing, or no held-out ids are known.
    """
    if n_pairs < 1:
        raise InvalidInput(f"n_pairs must be at least 1, got {n_pairs!r}")
    missing = [c for c in ("track_id", "time_utc", "lon", "lat") if c not in tracks.columns]
    if missing:
        raise InvalidInput(f"track table lacks column(s) {missing}")
    if track_ids is None:
        split = (getattr(network.region, "calibration", None) or {}).get("split") or {}
        track_ids = split.get("holdout_track_ids")
        if not track_ids:
            raise InvalidInput("the region's calibration names no held-out tracks")
    wanted = [str(t) for t in track_ids]
    length_km = network.line(_TRACK_ROUTE).length_m / 1000.0
    gate_km = float(network.place_km(_TRACK_ORIGIN, _TRACK_ROUTE))
    calibration = getattr(network.region, "calibration", None) or {}
    speed_mps = float((calibration.get("model") or {}).get("flat_speed_mps") or 1.0)
    frame = _GateFrame.of(network, gate_km)
    table = tracks[tracks["track_id"].astype(str).isin(wanted)].copy()
    utc = pd.to_datetime(table["time_utc"], utc=True)
    table["t_s"] = (utc - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    groups = {str(tid): g.sort_values("t_s") for tid, g in table.groupby("track_id")}
    skipped: dict[str, str] = {t: "not in the track table" for t in wanted if t not in groups}
    usable: list[tuple[str, Any, float]] = []
    for tid in sorted(groups):
        g = groups[tid]
        dep, why = _departure(
            network,
            g,
            frame,
            max_offset_m=150.0,
            max_start_km=max_start_km,
            window_s=2 * 3600.0,
            speed_mps=speed_mps,
        )
        if why is not None:
            skipped[tid] = why
        elif g["t_s"].iloc[-1] - dep < min_elapsed_s:
            skipped[tid] = "ends too soon after leaving the gate"
        else:
            usable.append((tid, g, dep))
    rng = np.random.default_rng(seed)
    pairs: list[TrackPair] = []
    if not usable:
        return pairs, skipped
    extra = set(rng.permutation(len(usable))[: n_pairs % len(usable)].tolist())
    quota = [n_pairs // len(usable) + (i in extra) for i in range(len(usable))]
    for (tid, g, dep), want in zip(usable, quota, strict=True):
        t = g["t_s"].to_numpy()
        lon, lat = g["lon"].to_numpy(), g["lat"].to_numpy()
        candidates = np.flatnonzero(t >= dep + min_elapsed_s)
        got = 0
        for _ in range(want * 6):
            if got >= want or not len(candidates):
                break
            j = int(rng.choice(candidates))
            km, off = _locate_many(network, _TRACK_ROUTE, lon[j : j + 1], lat[j : j + 1])[0]
            u = float(_unwrap(np.array([km - gate_km]), length_km)[0])
            if off > max_offset_m or u < 0.0:
                continue
            departed = datetime.fromtimestamp(round(dep / 60.0) * 60.0, LOCAL_TZ)
            reported = datetime.fromtimestamp(float(t[j]), LOCAL_TZ)
            pairs.append(
                TrackPair(
                    track_id=tid,
                    departed_at=departed,
                    reported_at=reported,
                    lon=float(lon[j]),
                    lat=float(lat[j]),
                    true_km=float(km),
                    text=template.format(hhmm=departed.strftime("%H:%M")),
                )
            )
            got += 1
    pairs.sort(key=lambda p: (p.track_id, p.reported_at))
    return pairs, skipped


def evaluate_time_only_tracks(
    network: RouteNetwork,
    tracks: Any,
    *,
    n_pairs: int = 200,
    seed: int = 0,
    locator: Locator | None = None,
    track_ids: Sequence[str] | None = None,
    min_elapsed_s: float = 1800.0,
) -> TimeEvalReport:
    """Score time-only locating against real walkers (see :func:`track_pairs`).

    For each pair the locator gets the text "we left Darchen kora gate at HH:MM" and the
    report time. The best candidate's point is referenced to the outer kora; the error is the
    along-route distance (the shorter way round the loop) to the fix's km. A pair is *covered*
    when the best candidate lies on the outer kora and the fix's km is inside its
    ``km_range``. No candidate, or a locator error, is an infinite error and not covered.

    Returns
    -------
    TimeEvalReport
        Median and 90th-percentile error (km), coverage, the same by elapsed time (0-2, 2-4,
        4-6, 6+ hours), the skipped tracks with reasons, and the targets.

    Raises
    ------
    InvalidInput
        See :func:`track_pairs`; also when no track yields a pair.
    SandtableError
        If no locator is given and this build has none.
    """
    fn = locator if locator is not None else default_locator()
    pairs, skipped = track_pairs(
        network,
        tracks,
        n_pairs=n_pairs,
        seed=seed,
        track_ids=track_ids,
        min_elapsed_s=min_elapsed_s,
    )
    if not pairs:
        reasons = "; ".join(f"{t}: {why}" for t, why in list(skipped.items())[:5])
        raise InvalidInput(
            f"no usable pairs in the track table ({len(skipped)} tracks skipped: {reasons})"
        )
    length_km = network.line(_TRACK_ROUTE).length_m / 1000.0
    results: list[TrackPairResult] = []
    for p in pairs:
        failure = None
        try:
            res = fn(network, p.text, reported_at=p.reported_at, direction=None)
            cands = tuple(res.candidates)
        except Exception as exc:  # noqa: BLE001 - one failing pair must not hide the others
            cands, failure = (), f"{type(exc).__name__}: {exc}"
        if not cands:
            results.append(
                TrackPairResult(p, None, math.inf, False, None, failure or "no candidates")
            )
            continue
        best = cands[0]
        range_80 = getattr(res, "range_80", None)
        if range_80 is not None and range_80[0] == _TRACK_ROUTE:  # the route's median
            pred = float(range_80.median_km)
        else:
            pred = float(network.locate(best.lon, best.lat, _TRACK_ROUTE).km)
        d = abs(pred - p.true_km) % length_km
        err = min(d, length_km - d)
        # the locator's 80 % range along the route if it gives one, else the best segment's
        if range_80 is not None and range_80[0] == _TRACK_ROUTE:
            covered = in_range(p.true_km, (range_80[1], range_80[2]), length_km)
        else:
            covered = (
                best.route_id == _TRACK_ROUTE
                and best.km_range is not None
                and in_range(p.true_km, best.km_range, length_km)
            )
        # a numpy comparison gives numpy.bool_, which json cannot write (`eval-locate --json`)
        results.append(TrackPairResult(p, pred, err, bool(covered), best.segment_id, failure))
    errors = np.array([r.error_km for r in results], dtype=float)
    bands: dict[str, dict[str, Any]] = {}
    for lo, hi in ((0, 2), (2, 4), (4, 6), (6, 24)):
        sel = [r for r in results if lo * 3600 <= r.pair.elapsed_s < hi * 3600]
        if sel:
            e = np.array([r.error_km for r in sel])
            bands[f"{lo}-{hi}h" if hi < 24 else f"{lo}h+"] = {
                "n": len(sel),
                "median_error_km": _finite(float(np.median(e))),
                "coverage": round(sum(r.covered for r in sel) / len(sel), 4),
            }
    median = float(np.median(errors)) if len(errors) else None
    coverage = sum(r.covered for r in results) / len(results) if results else None
    return TimeEvalReport(
        results=tuple(results),
        n_tracks=len({p.track_id for p in pairs}),
        median_error_km=median,
        p90_error_km=float(np.quantile(errors, 0.9, method="higher")) if len(errors) else None,
        coverage=coverage,
        by_elapsed_h=bands,
        skipped_tracks=skipped,
        targets=(
            target("track_median_error_km", median),
            target("track_coverage", coverage),
        ),
    )


def _finite(v: float) -> float | None:
    return None if math.isinf(v) or math.isnan(v) else round(v, 3)
