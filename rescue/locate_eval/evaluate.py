"""Score the locator against a case set and against real walkers' GPS tracks.

Two evaluations, both framework-free:

``evaluate(network, cases)``
    Each case is a caller's description with the true position. Per case: *top-1 hit*
    (the best candidate's segment is the truth's segment, or one of its ``alt_segment_ids``:
    other segments ending within a few tens of metres of the truth, for a caller at a junction
    or a segment boundary), *top-3 hit* (any of the first three), and the distance from the
    best candidate's point to the truth (geodesic, WGS84). Summaries overall, for cases that
    name a place, for time-only cases, by language and by clue type.

``evaluate_time_only_tracks(network, tracks)``
    From held-out GPS tracks (``calibration["split"]["holdout_track_ids"]``), pairs of
    (departure from the Darchen kora gate, report time, the GPS fix at that time). The locator
    gets "we left Darchen kora gate at HH:MM" and the report time; the error is along the
    route, between the best point and the fix, both referenced to the outer kora; coverage is
    how often the fix lies inside the locator's 80 % range along the route (``range_80``;
    the best candidate's ``km_range`` for a locator without one).

The case file is JSON Lines, one object per case; ``tests/data/locate_cases.jsonl`` is the
project's set and ``tests/data/make_locate_cases.py`` documents how its truths were made.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from geodata.errors import DataValidationError, InvalidInput, SandtableError
from rescue.localtime import LOCAL_TZ  # China Standard Time, where callers give clock times
from rescue.locate.model import LocateResult
from routes.direction import DIRECTIONS

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "CLUE_TYPES",
    "LANGUAGES",
    "TARGETS",
    "DEFAULT_CASES",
    "DEFAULT_REPORTED_AT",
    "LOCAL_TZ",
    "Locator",
    "Truth",
    "Case",
    "CaseResult",
    "GroupStats",
    "ReliabilityBin",
    "reliability",
    "RELIABILITY_EDGES",
    "Target",
    "EvalReport",
    "DESCRIPTION",
    "TrackPair",
    "TrackPairResult",
    "TimeEvalReport",
    "load_cases",
    "evaluate",
    "format_report",
    "format_sets",
    "track_pairs",
    "evaluate_time_only_tracks",
    "format_time_report",
    "add_arguments",
    "build_parser",
    "run",
    "main",
]

#: What a description may rely on; ``clue_types`` of a case lists those it uses.
CLUE_TYPES: tuple[str, ...] = (
    "place",  # a proper name, in any spelling or script, possibly partial or misspelt
    "feature",  # a generic feature word: monastery, bridge, tea tent, 天葬台 ...
    "relation",  # at / near / past / before / between / halfway / below / N km or minutes ...
    "time",  # left X at HH:MM (with the report time), or walking N hours since X
    "elevation",  # an altimeter or phone altitude
    "coordinates",  # any written coordinate format
    "sight",  # what the caller sees or feels: north face, green lake, boulders ...
    "direction",  # the walking direction (clockwise / counter-clockwise), in text or API
)
LANGUAGES: tuple[str, ...] = ("en", "zh", "mixed")

#: Acceptance targets: name -> (threshold, "min" or "max").
TARGETS: Mapping[str, tuple[float, str]] = {
    "top1_rate": (0.85, "min"),
    "top3_rate": (0.95, "min"),
    "place_median_error_m": (300.0, "max"),
    "time_only_median_error_m": (1000.0, "max"),
    "track_median_error_km": (1.0, "max"),
    "track_coverage": (0.80, "min"),
}

DEFAULT_CASES = Path(__file__).resolve().parents[2] / "tests" / "data" / "locate_cases.jsonl"

#: When a case gives no report time, it is scored as if reported at this moment (noon,
#: Beijing time, in the kora season), not at the moment the evaluation runs: the locator
#: reads "now" from the report time (clock words, daylight, "yesterday"), so scoring at
#: the wall clock made the figures depend on the hour they were printed.
DEFAULT_REPORTED_AT = datetime(2025, 7, 12, 12, 0, tzinfo=LOCAL_TZ)

#: ``locate(network, text, *, reported_at=None, direction=None) -> LocateResult``
Locator = Callable[..., LocateResult]

_GEOD = Geod(ellps="WGS84")
_TRACK_ROUTE = "outer_kora"
#: "hit within 1 km" and "confidently wrong" (issue 13): an answer at top-1 probability
#: >= CONFIDENT_P whose best point is more than NEAR_M from the truth
NEAR_M = 1000.0
CONFIDENT_P = 0.8
_TRACK_ORIGIN = "darchen_kora_gate"


# ------------------------------------------------------------------------------ cases
@dataclass(frozen=True)
class Truth:
    """Where the caller really was: WGS84 lon/lat, and the route and km when on one."""

    lon: float
    lat: float
    route_id: str | None = None
    km: float | None = None


@dataclass(frozen=True)
class Case:
    """One description and its truth (a line of the case file)."""

    case_id: str
    text: str
    lang: str
    clue_types: tuple[str, ...]
    truth: Truth
    truth_segment_id: str
    alt_segment_ids: tuple[str, ...] = ()
    reported_at: datetime | None = None
    direction: str | None = None
    note: str = ""
    #: real-text cases: ``dev`` or ``heldout`` and the issue-13 classes (empty for the team set)
    split: str = ""
    classes: tuple[str, ...] = ()

    @property
    def accepted_segment_ids(self) -> frozenset[str]:
        """Segments that count as a hit: the truth's, and those ending at the truth."""
        return frozenset((self.truth_segment_id, *self.alt_segment_ids))

    @property
    def names_place(self) -> bool:
        return "place" in self.clue_types

    @property
    def time_only(self) -> bool:
        """Only a departure time and the report time (and maybe the walking direction)."""
        return "time" in self.clue_types and set(self.clue_types) <= {"time", "direction"}


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an ISO 8601 string")
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return t


def _number(value: Any) -> float | None:
    """A finite JSON number as a float, else None (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _case_from(obj: Any, where: str, problems: list[str]) -> Case | None:
    if not isinstance(obj, dict):
        problems.append(f"{where}: not a JSON object")
        return None
    bad: list[str] = []
    for key in ("id", "text", "lang", "clue_types", "truth", "truth_segment_id"):
        if key not in obj:
            bad.append(f"missing {key!r}")
    if bad:
        problems.append(f"{where}: " + "; ".join(bad))
        return None
    cid = obj["id"]
    where = f"{where} ({cid})"
    if not isinstance(cid, str) or not cid:
        bad.append(f"id {cid!r} is not a non-empty string")
    if not isinstance(obj["text"], str) or not obj["text"].strip():
        bad.append("text is empty")
    if obj["lang"] not in LANGUAGES:
        bad.append(f"lang {obj['lang']!r} is not one of {', '.join(LANGUAGES)}")
    clues = obj["clue_types"]
    if not isinstance(clues, list) or not clues:
        bad.append("clue_types is not a non-empty list")
        clues = []
    unknown = [c for c in clues if c not in CLUE_TYPES]
    if unknown:
        bad.append(f"clue_types {unknown} not in {', '.join(CLUE_TYPES)}")
    direction = obj.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        bad.append(f"direction {direction!r} is not null or one of {', '.join(DIRECTIONS)}")
    reported_at = None
    if obj.get("reported_at") is not None:
        try:
            reported_at = _parse_time(obj["reported_at"])
        except ValueError as exc:
            bad.append(f"reported_at: {exc}")
    if "time" in clues and reported_at is None:
        bad.append("a time case needs reported_at")
    t = obj["truth"]
    truth = None
    if not isinstance(t, dict):
        bad.append("truth is not an object")
    else:
        lon, lat = _number(t.get("lon")), _number(t.get("lat"))
        if lon is None or lat is None:
            bad.append(f"truth lon/lat {t.get('lon')!r}/{t.get('lat')!r} are not numbers")
        elif not (-180 <= lon <= 180 and -90 <= lat <= 90):
            bad.append(f"truth ({lon}, {lat}) is not a WGS84 lon/lat")
        else:
            km = _number(t.get("km"))
            if t.get("km") is not None and km is None:
                bad.append(f"truth km {t.get('km')!r} is not a number")
            truth = Truth(lon, lat, t.get("route_id"), km)
    alt = obj.get("alt_segment_ids") or []
    if not isinstance(alt, list) or not all(isinstance(a, str) for a in alt):
        bad.append("alt_segment_ids is not a list of strings")
        alt = []
    if bad or truth is None:
        problems.append(f"{where}: " + "; ".join(bad))
        return None
    return Case(
        case_id=cid,
        text=obj["text"],
        lang=obj["lang"],
        clue_types=tuple(clues),
        truth=truth,
        truth_segment_id=str(obj["truth_segment_id"]),
        alt_segment_ids=tuple(alt),
        reported_at=reported_at,
        direction=direction,
        note=str(obj.get("note") or ""),
    )


def json_lines(path: Path, problems: list[str]) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` of every JSON line of a case file; blank lines and ``#``
    comments are skipped, a line that is not JSON is added to ``problems``.

    Raises
    ------
    DataValidationError
        If the file cannot be read.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"cannot read case file {path.name}: {exc}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON ({exc.msg})")


def load_cases(path: str | Path) -> list[Case]:
    """Read a JSON Lines case file.

    Parameters
    ----------
    path
        One JSON object per line (blank lines and lines starting with ``#`` are skipped):
        ``id``, ``text``, ``lang`` (``en``/``zh``/``mixed``), ``clue_types`` (see
        :data:`CLUE_TYPES`), ``truth`` (``lon``, ``lat``, optional ``route_id``, ``km``),
        ``truth_segment_id``, optional ``alt_segment_ids``, ``reported_at`` (ISO 8601 with an
        offset; required when a time clue is used), ``direction``, ``note``.

    Returns
    -------
    list of Case
        In file order.

    Raises
    ------
    DataValidationError
        If the file cannot be read or any line is malformed; ``details`` lists every problem
        (line number and field), including duplicate ids.
    """
    p = Path(path)
    problems: list[str] = []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for n, obj in json_lines(p, problems):
        case = _case_from(obj, f"line {n}", problems)
        if case is None:
            continue
        if case.case_id in seen:
            problems.append(f"line {n}: id {case.case_id!r} repeats line {seen[case.case_id]}")
            continue
        seen[case.case_id] = n
        cases.append(case)
    if not cases and not problems:
        problems.append("no cases")
    if problems:
        raise DataValidationError(
            f"{p.name}: {len(problems)} problem(s) in the case file", details=problems
        )
    return cases


# ------------------------------------------------------------------------------ scoring
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


def _target(name: str, value: float | None) -> Target:
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
    return bool(_in_range(t.km, (rng.km_from, rng.km_to), length_km))


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
        _target("top1_rate", overall.top1_rate),
        _target("top3_rate", overall.top3_rate),
        _target("place_median_error_m", place.median_error_m),
        _target("time_only_median_error_m", time_only.median_error_m),
    )
    classes = sorted({c for r in results for c in r.classes})
    by_class = {c: GroupStats.of([r for r in results if c in r.classes]) for c in classes}
    return EvalReport(
        results, overall, place, time_only, by_lang, by_clue, targets, source, by_class
    )


def _pct(v: float | None) -> str:
    return "    -" if v is None else f"{100 * v:5.1f}%"


def _metres(v: float | None) -> str:
    if v is None:
        return "      -"
    return "    inf" if math.isinf(v) else f"{v:7.0f}"


def _target_line(t: Target, unit: str = "") -> str:
    mark = {True: "ok  ", False: "MISS", None: "n/a "}[t.met]
    sign = ">=" if t.kind == "min" else "<="
    if t.value is None:
        val = "-"
    elif t.name.endswith("rate") or t.name.endswith("coverage"):
        val = f"{100 * t.value:.1f}%"
    else:
        val = "inf" if math.isinf(t.value) else f"{t.value:.2f}{unit}"
    thr = (
        f"{100 * t.threshold:.0f}%"
        if t.name.endswith("rate") or t.name.endswith("coverage")
        else f"{t.threshold:g}{unit}"
    )
    return f"  [{mark}] {t.name:26} {val:>10}  (target {sign} {thr})"


def format_report(report: EvalReport, *, misses: int = 15) -> str:
    """The report as a plain-text table, with the targets and the first ``misses`` misses."""
    head = f"{'group':22} {'n':>4} {'top-1':>6} {'top-3':>6} {'median m':>8} {'p90 m':>7}"
    lines = [
        f"locate evaluation: {report.overall.n} cases"
        + (f" ({report.source})" if report.source else ""),
        head,
        "-" * len(head),
    ]

    def row(name: str, g: GroupStats) -> None:
        lines.append(
            f"{name:22} {g.n:4d} {_pct(g.top1_rate):>6} {_pct(g.top3_rate):>6} "
            f"{_metres(g.median_error_m):>8} {_metres(g.p90_error_m):>7}"
        )

    row("all", report.overall)
    row("names a place", report.place)
    row("time only", report.time_only)
    for lang, g in report.by_language.items():
        row(f"lang {lang}", g)
    for clue, g in report.by_clue_type.items():
        row(f"clue {clue}", g)
    lines.append("targets:")
    lines += [_target_line(t, " m" if t.name.endswith("_m") else "") for t in report.targets]
    missed = [r for r in report.results if not r.top1]
    if missed and misses > 0:
        lines.append(f"top-1 misses ({len(missed)}; first {min(misses, len(missed))}):")
        for r in missed[:misses]:
            why = f" [{r.failure}]" if r.failure else ""
            lines.append(
                f"  {r.case_id} {r.lang:5} {'top3' if r.top3 else '    '} "
                f"{_metres(r.error_m).strip():>6} m  got {r.best_segment_id}  want "
                f"{r.truth_segment_id}{why}"
            )
    return "\n".join(lines)


def format_sets(reports: Mapping[str, EvalReport], *, misses: int = 0) -> str:
    """Per set and per class: hit within 1 km at top-1 / top-3, segment top-1, median and
    p90 error, answers at top-1 p >= 0.8 and the share of them > 1 km off, 80 %-range
    coverage, empty answers (issue 13)."""
    head = (
        f"{'set / group':28} {'n':>4} {'<1km@1':>7} {'<1km@3':>7} {'seg@1':>6} "
        f"{'median m':>8} {'p90 m':>7} {'p>=.8':>5} {'conf.wrong':>10} {'range80':>7} "
        f"{'empty':>5}"
    )
    lines = [head, "-" * len(head)]

    def row(name: str, g: GroupStats) -> None:
        lines.append(
            f"{name:28} {g.n:4d} {_pct(g.near1_rate):>7} {_pct(g.near3_rate):>7} "
            f"{_pct(g.top1_rate):>6} {_metres(g.median_error_m):>8} {_metres(g.p90_error_m):>7} "
            f"{g.n_confident:5d} {_pct(g.confident_wrong_rate):>10} "
            f"{_pct(g.range80_coverage):>7} {g.empty:5d}"
        )

    for name, rep in reports.items():
        row(name, rep.overall)
        for cls, g in rep.by_class.items():
            row(f"  class {cls}", g)
        for lang in ("en", "zh"):
            if lang in rep.by_language:
                row(f"  lang {lang}", rep.by_language[lang])
        cells = [
            f"[{b.low:.1f},{b.high:.1f}) n={b.n} p={_pct(b.mean_p).strip()} "
            f"<1km={_pct(b.near1_rate).strip()} seg={_pct(b.top1_rate).strip()}"
            for b in rep.reliability
            if b.n
        ]
        lines.append(
            "  reliability (stated top-1 p: answers, mean p, hit rates): " + "; ".join(cells)
        )
        if misses > 0:
            far = sorted((r for r in rep.results if not r.near1), key=lambda r: -r.error_m)[:misses]
            for r in far:
                lines.append(
                    f"    miss {r.case_id} {_metres(r.error_m).strip():>6} m p={r.top1_p:.2f} "
                    f"got {r.best_segment_id}"
                )
    return "\n".join(lines)


# ------------------------------------------------------------------- real GPS tracks
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


def _in_range(km: float, rng: tuple[float, float], length_km: float) -> bool:
    lo, hi = rng
    if lo <= hi:
        return lo <= km <= hi
    return km >= lo or km <= hi  # a range across the loop's seam (km 0)


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
            covered = _in_range(p.true_km, (range_80[1], range_80[2]), length_km)
        else:
            covered = (
                best.route_id == _TRACK_ROUTE
                and best.km_range is not None
                and _in_range(p.true_km, best.km_range, length_km)
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
            _target("track_median_error_km", median),
            _target("track_coverage", coverage),
        ),
    )


def _finite(v: float) -> float | None:
    return None if math.isinf(v) or math.isnan(v) else round(v, 3)


def format_time_report(report: TimeEvalReport) -> str:
    """The GPS-track evaluation as plain text."""

    def km(v: float | None) -> str:
        return "-" if v is None else ("inf" if math.isinf(v) else f"{v:.2f} km")

    lines = [
        f"time-only locating on held-out GPS tracks: {report.n_pairs} pairs from "
        f"{report.n_tracks} tracks ({len(report.skipped_tracks)} tracks skipped)",
        f"  median along-route error {km(report.median_error_km)}, "
        f"90th percentile {km(report.p90_error_km)}, "
        f"truth inside the 80% range {_pct(report.coverage).strip()}",
    ]
    for band, s in report.by_elapsed_h.items():
        lines.append(
            f"  elapsed {band:6} n={s['n']:4d}  median {km(s['median_error_km'])}  "
            f"coverage {_pct(s['coverage']).strip()}"
        )
    lines.append("targets:")
    lines += [_target_line(t, " km" if t.name.endswith("_km") else "") for t in report.targets]
    return "\n".join(lines)


# ------------------------------------------------------------------------------- CLI
DESCRIPTION = (
    "Score the locator on a case set: top-1 and top-3 segment hit rates and the median "
    "distance from the best point to the truth, overall, for cases naming a place, for "
    "time-only cases, by language and by clue type; with --tracks also on held-out GPS tracks "
    "(time-only: median along-route error and how often the truth is inside the 80% range)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``sandtable eval-locate`` to a (sub)parser; run it with :func:`run`."""
    parser.add_argument(
        "--cases",
        default=str(DEFAULT_CASES),
        help="JSON Lines case file (default: tests/data/locate_cases.jsonl)",
    )
    parser.add_argument(
        "--real-cases",
        default=None,
        help="real-text case file (default tests/data/locate_real_cases.jsonl when present; "
        "'none' to skip): scored per split (real-dev, real-held-out) and per class",
    )
    parser.add_argument(
        "--far", type=int, default=0, help="list this many of the farthest misses per set"
    )
    parser.add_argument("--region", default="kailash", help="region id (default kailash)")
    parser.add_argument("--data-dir", help="region data directory")
    parser.add_argument(
        "--tracks", help="raw track table (tracks_train.csv.gz) for the GPS-track evaluation"
    )
    parser.add_argument(
        "--n-pairs", type=int, default=200, help="GPS-track pairs to sample (default 200)"
    )
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument(
        "--misses", type=int, default=15, help="list this many top-1 misses (default 15)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )


def build_parser(prog: str = "sandtable eval-locate") -> argparse.ArgumentParser:
    """A stand-alone parser for ``sandtable eval-locate``."""
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation from the command line.

    Returns
    -------
    int
        0, or 1 with ``--check`` when a target is missed, or 2 on bad input (the message
        goes to stderr).
    """
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except SandtableError as exc:
        print(f"sandtable eval-locate: error: {exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    """Run the evaluation for parsed arguments (see :func:`add_arguments`); print the report.

    Raises
    ------
    SandtableError
        On a bad case file, region or track table, or when there is no locator.
    """
    from geodata import load_region
    from routes import build_network

    cases = load_cases(args.cases)  # a bad file fails before the slow part
    kwargs = {"data_dir": Path(args.data_dir)} if args.data_dir else {}
    network = build_network(load_region(args.region, **kwargs))
    report = evaluate(network, cases, source=Path(args.cases).name)
    sets: dict[str, EvalReport] = {"team-written": report}
    real_path = args.real_cases
    if real_path is None:
        from rescue.locate_eval.realcases import DEFAULT_REAL_CASES

        real_path = str(DEFAULT_REAL_CASES) if DEFAULT_REAL_CASES.exists() else "none"
    if real_path != "none":
        from rescue.locate_eval.realcases import load_real_cases

        real = load_real_cases(real_path, network)
        for split, name in (("dev", "real-dev"), ("heldout", "real-held-out")):
            part = [c for c in real if c.split == split]
            if part:
                sets[name] = evaluate(network, part, source=f"{Path(real_path).name} {split}")
    time_report = None
    if args.tracks:
        from geodata.raw import read_tracks

        time_report = evaluate_time_only_tracks(
            network, read_tracks(args.tracks), n_pairs=args.n_pairs, seed=args.seed
        )
    if args.json:
        out: dict[str, Any] = {"cases": report.to_dict()}
        out["sets"] = {k: v.to_dict() for k, v in sets.items() if k != "team-written"}
        if time_report is not None:
            out["tracks"] = time_report.to_dict()
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, misses=args.misses))
        print()
        print(format_sets(sets, misses=args.far))
        if time_report is not None:
            print()
            print(format_time_report(time_report))
    ok = report.targets_met and (time_report is None or time_report.targets_met)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
