"""Score the locator on cases: per case hits and errors, per group rates and quantiles.

``evaluate(network, cases)``: each case is a caller's description with the true position. Per
case: *top-1 hit* (the best candidate's segment is the truth's segment, or one of its
``alt_segment_ids``: other segments ending within a few tens of metres of the truth, for a
caller at a junction or a segment boundary), *top-3 hit* (any of the first three), and the
distance from the best candidate's point to the truth (geodesic, WGS84). Summaries overall,
for cases that name a place, for time-only cases, by language and by clue type, and the
reliability of the stated probabilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyproj import Geod

from geodata.errors import InvalidInput, SandtableError
from rescue.localtime import LOCAL_TZ  # China Standard Time, where callers give clock times
from rescue.locate.model import LocateResult
from rescue.locate_eval.cases import CLUE_TYPES, LANGUAGES, Case

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "CONFIDENT_P",
    "DEFAULT_REPORTED_AT",
    "NEAR_M",
    "RELIABILITY_EDGES",
    "TARGETS",
    "CaseResult",
    "EvalReport",
    "GroupStats",
    "Locator",
    "ReliabilityBin",
    "Target",
    "default_locator",
    "distance_m",
    "evaluate",
    "in_range",
    "reliability",
    "target",
]

#: Acceptance targets: name -> (threshold, "min" or "max").
TARGETS: Mapping[str, tuple[float, str]] = {
    "top1_rate": (0.85, "min"),
    "top3_rate": (0.95, "min"),
    "place_median_error_m": (300.0, "max"),
    "time_only_median_error_m": (1000.0, "max"),
    "track_median_error_km": (1.0, "max"),
    "track_coverage": (0.80, "min"),
}

#: When a case gives no report time, it is scored as if reported at this moment (noon,
#: Beijing time, in the kora season), not at the moment the evaluation runs: the locator
#: reads "now" from the report time (clock words, daylight, "yesterday"), so scoring at
#: the wall clock made the figures depend on the hour they were printed.
DEFAULT_REPORTED_AT = datetime(2025, 7, 12, 12, 0, tzinfo=LOCAL_TZ)

#: ``locate(network, text, *, reported_at=None, direction=None) -> LocateResult``
Locator = Callable[..., LocateResult]

_GEOD = Geod(ellps="WGS84")

#: "hit within 1 km" and "confidently wrong" (issue 13): an answer at top-1 probability
#: >= CONFIDENT_P whose best point is more than NEAR_M from the truth
NEAR_M = 1000.0

CONFIDENT_P = 0.8


@dataclass(frozen=True)
class CaseResult:
    """How the locator did on one case.

    ``error_m`` is the geodesic distance from the best candidate's point to the truth;
    ``math.inf`` when the locator returned no candidate or failed (``failure`` says why).
    """

    case_id: str
    lang: str
    clue_types: tuple[str, ...]
    names_place: bool
    time_only: bool
    top1: bool
    top3: bool
    error_m: float
    best_segment_id: str | None
    truth_segment_id: str
    n_candidates: int
    failure: str | None = None
    #: probability of the best candidate (0 without one)
    top1_p: float = 0.0
    #: the best point of one of the first three candidates is within 1 km of the truth
    near3: bool = False
    #: the truth lies inside the stated 80 % range (None: the case has no route km)
    in_range80: bool | None = None
    split: str = ""
    classes: tuple[str, ...] = ()

    @property
    def near1(self) -> bool:
        """The best point is within 1 km of the truth."""
        return self.error_m <= NEAR_M

    @property
    def confident(self) -> bool:
        return self.top1_p >= CONFIDENT_P

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.case_id,
            "lang": self.lang,
            "clue_types": list(self.clue_types),
            "top1": self.top1,
            "top3": self.top3,
            "error_m": None if math.isinf(self.error_m) else round(self.error_m, 1),
            "best_segment_id": self.best_segment_id,
            "truth_segment_id": self.truth_segment_id,
            "n_candidates": self.n_candidates,
            "failure": self.failure,
            "top1_p": round(self.top1_p, 4),
            "near3": self.near3,
            "in_range80": self.in_range80,
        }


@dataclass(frozen=True)
class GroupStats:
    """Hit rates and error quantiles of a group of cases (rates are None for an empty group)."""

    n: int
    top1_rate: float | None
    top3_rate: float | None
    median_error_m: float | None
    p90_error_m: float | None
    #: best point within 1 km of the truth / one of the first three within 1 km
    near1_rate: float | None = None
    near3_rate: float | None = None
    #: answers whose top-1 probability is >= CONFIDENT_P, and the share of them > 1 km off
    n_confident: int = 0
    confident_wrong_rate: float | None = None
    #: share of cases (with a route km) whose truth lies in the stated 80 % range
    range80_coverage: float | None = None
    empty: int = 0

    @classmethod
    def of(cls, results: Sequence[CaseResult]) -> GroupStats:
        if not results:
            return cls(0, None, None, None, None)
        n = len(results)
        errors = [r.error_m for r in results]  # inf (no answer) sorts last, as it should
        conf = [r for r in results if r.confident]
        ranged = [r.in_range80 for r in results if r.in_range80 is not None]
        return cls(
            n=n,
            top1_rate=sum(r.top1 for r in results) / n,
            top3_rate=sum(r.top3 for r in results) / n,
            median_error_m=_median(errors),
            p90_error_m=_quantile_higher(errors, 0.9),
            near1_rate=sum(r.near1 for r in results) / n,
            near3_rate=sum(r.near3 for r in results) / n,
            n_confident=len(conf),
            confident_wrong_rate=(sum(not r.near1 for r in conf) / len(conf)) if conf else None,
            range80_coverage=(sum(ranged) / len(ranged)) if ranged else None,
            empty=sum(r.n_candidates == 0 for r in results),
        )

    def to_dict(self) -> dict[str, Any]:
        def num(v: float | None, nd: int) -> float | None:
            return None if v is None or math.isinf(v) else round(v, nd)

        return {
            "n": self.n,
            "top1_rate": num(self.top1_rate, 4),
            "top3_rate": num(self.top3_rate, 4),
            "median_error_m": num(self.median_error_m, 1),
            "p90_error_m": num(self.p90_error_m, 1),
            "near1_rate": num(self.near1_rate, 4),
            "near3_rate": num(self.near3_rate, 4),
            "n_confident": self.n_confident,
            "confident_wrong_rate": num(self.confident_wrong_rate, 4),
            "range80_coverage": num(self.range80_coverage, 4),
            "empty": self.empty,
        }


@dataclass(frozen=True)
class Target:
    """One acceptance target and whether the value meets it (None: nothing to measure)."""

    name: str
    value: float | None
    threshold: float
    kind: str  # "min": value >= threshold; "max": value <= threshold

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.kind == "min":
            return self.value >= self.threshold
        return self.value <= self.threshold

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        return {
            "name": self.name,
            "value": None if v is None or math.isinf(v) else round(v, 4),
            "threshold": self.threshold,
            "kind": self.kind,
            "met": self.met,
        }


def target(name: str, value: float | None) -> Target:
    threshold, kind = TARGETS[name]
    return Target(name, value, threshold, kind)


#: the bins of stated top-1 probability of the reliability table
RELIABILITY_EDGES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class ReliabilityBin:
    """Answers whose stated top-1 probability lies in [low, high) (the last bin includes 1):
    how many, their mean stated probability, and the share whose best point is within 1 km
    of the truth (``NEAR_M``) and whose top segment is the truth's (a stated probability is
    a segment's)."""

    low: float
    high: float
    n: int
    mean_p: float | None
    near1_rate: float | None
    top1_rate: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "mean_p": None if self.mean_p is None else round(self.mean_p, 4),
            "near1_rate": None if self.near1_rate is None else round(self.near1_rate, 4),
            "top1_rate": None if self.top1_rate is None else round(self.top1_rate, 4),
        }


def reliability(
    results: Sequence[CaseResult], edges: Sequence[float] = RELIABILITY_EDGES
) -> tuple[ReliabilityBin, ...]:
    """The reliability table of ``results``: per bin of stated top-1 probability, the hit
    rates observed (calibrated: ``mean_p`` close to ``top1_rate``). Answers without a
    candidate are left out."""
    out = []
    for k, (lo, hi) in enumerate(zip(edges, edges[1:], strict=False)):
        last = k == len(edges) - 2
        rs = [
            r
            for r in results
            if r.n_candidates and lo <= r.top1_p and (r.top1_p < hi or (last and r.top1_p <= hi))
        ]
        n = len(rs)
        out.append(
            ReliabilityBin(
                lo,
                hi,
                n,
                sum(r.top1_p for r in rs) / n if n else None,
                sum(r.near1 for r in rs) / n if n else None,
                sum(r.top1 for r in rs) / n if n else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class EvalReport:
    """Per-case results and their summaries (see :func:`evaluate`)."""

    results: tuple[CaseResult, ...]
    overall: GroupStats
    place: GroupStats
    time_only: GroupStats
    by_language: dict[str, GroupStats]
    by_clue_type: dict[str, GroupStats]
    targets: tuple[Target, ...]
    source: str = ""
    #: real-text cases: per issue-13 class
    by_class: dict[str, GroupStats] = field(default_factory=dict)

    @property
    def targets_met(self) -> bool:
        return all(t.met is not False for t in self.targets)

    @property
    def reliability(self) -> tuple[ReliabilityBin, ...]:
        """Stated top-1 probability against the observed hit rate (see :func:`reliability`)."""
        return reliability(self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reliability": [b.to_dict() for b in self.reliability],
            "overall": self.overall.to_dict(),
            "place": self.place.to_dict(),
            "time_only": self.time_only.to_dict(),
            "by_language": {k: v.to_dict() for k, v in self.by_language.items()},
            "by_clue_type": {k: v.to_dict() for k, v in self.by_clue_type.items()},
            "by_class": {k: v.to_dict() for k, v in self.by_class.items()},
            "targets": [t.to_dict() for t in self.targets],
            "targets_met": self.targets_met,
            "results": [r.to_dict() for r in self.results],
        }


def default_locator() -> Locator:
    """``rescue.locate.locate``, imported when first needed.

    Raises
    ------
    SandtableError
        If this build has no locator yet.
    """
    try:
        import rescue.locate as pkg

        fn = getattr(pkg, "locate", None)
        if fn is not None and not callable(fn):  # a submodule that was not re-exported
            fn = getattr(fn, "locate", None)
    except ImportError as exc:
        raise SandtableError(f"the locator cannot be imported: {exc}") from None
    if fn is None or not callable(fn):
        raise SandtableError("this build has no locator (rescue.locate.locate)")
    return fn  # type: ignore[no-any-return]


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance on the WGS84 ellipsoid, in metres."""
    return float(_GEOD.inv(lon1, lat1, lon2, lat2)[2])


def _range_holds(
    case: Case, result: LocateResult | None, network: RouteNetwork | None
) -> bool | None:
    """Whether the truth's route km lies in the result's 80 % range (None: no route km)."""
    t = case.truth
    if t.route_id is None or t.km is None:
        return None
    rng = result.range_80 if result is not None else None
    if rng is None or rng.route_id != t.route_id:
        return False
    length_km = network.line(t.route_id).length_m / 1000.0 if network is not None else math.inf
    return bool(in_range(t.km, (rng.km_from, rng.km_to), length_km))


def _score(
    case: Case,
    result: LocateResult | None,
    failure: str | None,
    network: RouteNetwork | None = None,
) -> CaseResult:
    cands = tuple(result.candidates) if result is not None else ()
    ok = case.accepted_segment_ids
    best = cands[0] if cands else None
    t = case.truth
    return CaseResult(
        case_id=case.case_id,
        lang=case.lang,
        clue_types=case.clue_types,
        names_place=case.names_place,
        time_only=case.time_only,
        top1=best is not None and best.segment_id in ok,
        top3=any(c.segment_id in ok for c in cands[:3]),
        error_m=distance_m(best.lon, best.lat, case.truth.lon, case.truth.lat)
        if best is not None
        else math.inf,
        best_segment_id=best.segment_id if best is not None else None,
        truth_segment_id=case.truth_segment_id,
        n_candidates=len(cands),
        failure=failure if failure else (None if cands else "no candidates"),
        top1_p=float(best.probability) if best is not None else 0.0,
        near3=bool(any(distance_m(c.lon, c.lat, t.lon, t.lat) <= NEAR_M for c in cands[:3])),
        in_range80=_range_holds(case, result, network),
        split=case.split,
        classes=case.classes,
    )


def _run(
    locator: Locator, network: RouteNetwork, case: Case
) -> tuple[LocateResult | None, str | None]:
    at = case.reported_at or DEFAULT_REPORTED_AT
    try:
        return (
            locator(network, case.text, reported_at=at, direction=case.direction),
            None,
        )
    except Exception as exc:  # noqa: BLE001 - one failing case must not hide the others
        return None, f"{type(exc).__name__}: {exc}"


def evaluate(
    network: RouteNetwork,
    cases: Iterable[Case],
    *,
    locator: Locator | None = None,
    source: str = "",
) -> EvalReport:
    """Run the locator on every case and score it.

    Parameters
    ----------
    network
        The region's :class:`routes.RouteNetwork`.
    cases
        From :func:`load_cases`.
    locator
        ``locator(network, text, *, reported_at=None, direction=None) -> LocateResult``;
        default ``rescue.locate.locate``. An exception from it counts as a miss with an
        infinite error; its message is kept in ``CaseResult.failure``.
    source
        Where the cases came from, for the report's heading.

    Returns
    -------
    EvalReport

    Raises
    ------
    InvalidInput
        If ``cases`` is empty.
    SandtableError
        If no locator is given and this build has none.
    """
    case_list = list(cases)
    if not case_list:
        raise InvalidInput("no cases to evaluate")
    fn = locator if locator is not None else default_locator()
    results = tuple(_score(c, *_run(fn, network, c), network) for c in case_list)
    by_lang = {
        lang: GroupStats.of([r for r in results if r.lang == lang])
        for lang in LANGUAGES
        if any(r.lang == lang for r in results)
    }
    by_clue = {
        clue: GroupStats.of([r for r in results if clue in r.clue_types])
        for clue in CLUE_TYPES
        if any(clue in r.clue_types for r in results)
    }
    overall = GroupStats.of(results)
    place = GroupStats.of([r for r in results if r.names_place])
    time_only = GroupStats.of([r for r in results if r.time_only])
    targets = (
        target("top1_rate", overall.top1_rate),
        target("top3_rate", overall.top3_rate),
        target("place_median_error_m", place.median_error_m),
        target("time_only_median_error_m", time_only.median_error_m),
    )
    classes = sorted({c for r in results for c in r.classes})
    by_class = {c: GroupStats.of([r for r in results if c in r.classes]) for c in classes}
    return EvalReport(
        results, overall, place, time_only, by_lang, by_clue, targets, source, by_class
    )


def _median(values: Sequence[float]) -> float:
    """Median that copes with ``inf`` (no answer): the mean of inf and a number is inf."""
    v = sorted(values)
    n = len(v)
    if n % 2:
        return float(v[n // 2])
    lo, hi = v[n // 2 - 1], v[n // 2]
    return float(hi) if math.isinf(hi) else (lo + hi) / 2.0


def _quantile_higher(values: Sequence[float], q: float) -> float:
    """The smallest value with at least a fraction ``q`` of the values at or below it."""
    v = sorted(values)
    return float(v[min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))])


def in_range(km: float, rng: tuple[float, float], length_km: float) -> bool:
    lo, hi = rng
    if lo <= hi:
        return lo <= km <= hi
    return km >= lo or km <= hi  # a range across the loop's seam (km 0)
