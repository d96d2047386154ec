"""``locate``: from a caller's words to ranked segments, evidence and questions.

The index (bins, located places, name index, cue masks) is built once per
route network and kept in ``network.derived``; a query parses the text into
clues, applies one likelihood per clue to the prior, and reads candidates and
questions off the posterior.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from scipy.spatial import cKDTree

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, Said, catalog, joined, msg, render, text
from rescue.localtime import LOCAL_TZ
from rescue.locate.belief import (
    DIRECTION_PRIOR,
    NAMED_SIDE_PRIOR,
    ROUTE_PRIOR,
    Anchor,
    BeliefState,
    Bins,
    Mixture,
    Sparse,
    Window,
    along,
    along_part,
    amount_text,
    anchor_table,
    build_bins,
    describe_relation,
    fold_bins,
    gaussian,
    mention_anchors,
    mixture,
    window,
    window_seeds,
)
from rescue.locate.candidates import (
    CREDIBLE,
    MAX_CANDIDATES,
    at_route_median,
    candidates_of,
    restated,
    route_range,
)
from rescue.locate.clues import UNSAID_START, parse_clues
from rescue.locate.model import (
    Clues,
    Direction,
    ElapsedTime,
    LocateResult,
    Mention,
    Relation,
)
from rescue.locate.names import NameIndex
from rescue.locate.questions import TagMask, best_questions

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = ["LocateIndex", "locate", "LOCAL_TZ", "MAX_CANDIDATES"]

SNOW_LINE_M = 5_300.0
NEAR_ROAD_M = 300.0
#: candidates of a mention all within this of the best one make it unambiguous
CLEAR_SPREAD_M = 500.0
#: "N km from X" with no before/after: the share of callers who have passed X
FROM_PAST_SHARE = 0.7
#: default spread of "past X" with no amount: most such callers are within a few km
PAST_SCALE_KM = 6.0
#: a clue whose likelihood, averaged (in log) over the posterior, is below exp(-3) ≈ 5 %
#: of its best disagrees with the others; the posterior temperature is then multiplied
CONFLICT_LOG = -3.0
CONFLICT_TEMPER = 1.5
#: A name read by sound or spelling ("Zunzhui Pu" taken for Zutul-puk) may be a misread: the
#: share of its likelihood that says nothing about where the caller is is ``1 - score`` of
#: its best reading (names.py: 0.95 for a romanisation fold, 0.9 x similarity for an edit),
#: never under ``misread_share`` of ``locate_confidence.json`` (this default without it).
#: An exact name keeps only ``belief.FLOOR``; a misread alone can then never be stated at
#: >= 0.8, and a clue that disagrees with it is not overruled.
MISREAD_SHARE = 0.15
#: "a bridge", "an iron bridge", "一座桥": some instance of a feature, maybe one the
#: gazetteer does not list (planks over a stream): the other places named do not pick
#: among its instances, and beside them it does not place the caller
_INDEFINITE_BEFORE = re.compile(
    r"(?:\b(?:a|an|some|another)\s+(?:[a-z]+\s+)?|(?<!第)(?<!最后)(?:一|某)(?:个|座|处|条|道)?)$",
    re.IGNORECASE,
)
#: "we keep climbing" / "一直在爬坡": the main route rises at least this (m per m, over
#: SLOPE_SPAN_M) in the walking direction; "downhill" / "下坡": falls at least this much
UPHILL_GRADE = 0.05
DOWNHILL_GRADE = 0.08
SLOPE_SPAN_M = 400.0
SLOPE_WEIGHT = 1.7
#: In a narrative, a landmark passed before the latest one is raised to this power (its
#: likelihood flattened): "we passed X, then Y, now…" — Y and the "now" count most.
EARLIER_LANDMARK_WEIGHT = 0.5
_PASSED_KINDS = frozenset({"at", "near", "past", "after", "down_from"})
_PACE_WEIGHTS = {
    "p05": 0.05,
    "p10": 0.1,
    "p25": 0.2,
    "p50": 0.3,
    "p75": 0.2,
    "p90": 0.1,
    "p95": 0.05,
}


class LocateIndex:
    """Everything a query needs, precomputed for one route network."""

    def __init__(self, network: RouteNetwork) -> None:
        self.network = network
        self.bins: Bins = build_bins(network)
        self.anchors: dict[str, Anchor] = anchor_table(network, self.bins)
        self.names = NameIndex(_with_extra_aliases(network))
        segs = network.segments
        self.segment_names = [
            (str(segs.at[s, "name_en"]), str(segs.at[s, "name_zh"]), segs.at[s, "route_id"])
            for s in self.bins.segment_ids
        ]
        self.tags = self._tag_masks(network.region.cues)
        calib = network.region.calibration or {}
        quantiles = calib.get("pace_quantiles") or {"p50": 1.0}
        self.paces = [(float(v), _PACE_WEIGHTS.get(k, 0.1)) for k, v in sorted(quantiles.items())]
        bbox = network.region.metadata.get("bbox")
        self.bbox = tuple(bbox) if bbox else None
        # confidence calibrated on the real-text dev set (region data, see _confidence)
        self.temperature, self.credible = _confidence(network)
        #: the temperature of the stated probabilities (the ranking and the 80 % range use
        #: ``temperature``): fitted so that answers stated at >= 0.8 are rarely > 1 km off
        self.stated_temperature = _stated_temperature(network, self.temperature)
        self.misread_share = _misread_share(network)
        self.unsaid_starts = _unsaid_starts(network, self.anchors)
        self.features = self._route_features(network)
        # main routes (the koras) and, for every side path, where it leaves a main route
        self.main_routes = frozenset(
            i for i, r in enumerate(self.bins.route_ids) if r in ROUTE_PRIOR
        )
        self.junctions: dict[int, tuple[tuple[int, float], ...]] = {}
        for a in self.anchors.values():
            main = tuple((r, k) for r, k in a.on_routes if r in self.main_routes)
            for r, k in a.on_routes:
                if r in self.main_routes or not main:
                    continue
                best = self.junctions.get(r)
                if best is None or k < best[0][1]:
                    self.junctions[r] = ((r, k), *main)
        # the bins folded away from a query's clues (see rescue.locate.belief.Window)
        self.folds = fold_bins(self.bins, [tm.mask for tm in _masks(self)])
        self.segment_of = {s: i for i, s in enumerate(self.bins.segment_ids)}
        #: the median walker's time once round a loop from a km, by (route, km, forward)
        self.laps: dict[tuple[int, float, bool], float] = {}

    def _route_features(
        self, network: RouteNetwork
    ) -> tuple[tuple[str, re.Pattern[str], TagMask], ...]:
        """The region's route-feature catalogue (``route_features.json``): per feature,
        a pattern of its words and where it holds (a mask over the bins)."""
        path = getattr(network.region, "path", None)
        file = Path(path) / "route_features.json" if path is not None else None
        if file is None or not file.is_file():
            return ()
        try:
            rows = json.loads(file.read_text(encoding="utf-8"))["features"]
            cues: dict[str, list[dict[str, Any]]] = {
                "cues": [
                    {
                        "tag": str(r["id"]),
                        "place_ids": list(r["places"]),
                        "pad_m": float(r["pad_m"]),
                        "weight": float(r["weight"]),
                    }
                    for r in rows
                ]
            }
            words: dict[str, set[str]] = {}
            for r in rows:
                words.setdefault(str(r["id"]), set()).update(
                    [*map(str, r.get("en", [])), *map(str, r.get("zh", []))]
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(
                f"{file}: every feature needs id, places, pad_m, weight ({exc})"
            ) from None
        unknown = sorted({p for c in cues["cues"] for p in c["place_ids"] if p not in self.anchors})
        if unknown:
            raise InvalidInput(f"{file}: unknown place(s) {unknown}")
        masks = self._tag_masks(cues)
        out = []
        for tag, ws in words.items():
            if tag not in masks:
                continue
            alts = sorted(ws, key=len, reverse=True)
            pattern = re.compile(
                "|".join(
                    rf"(?<![a-z]){re.escape(w.lower())}(?![a-z])" if w.isascii() else re.escape(w)
                    for w in alts
                )
            )
            out.append((tag, pattern, masks[tag]))
        return tuple(out)

    def _tag_masks(self, cues: Mapping[str, Any]) -> dict[str, TagMask]:
        b = self.bins
        masks: dict[str, np.ndarray] = {}
        weights: dict[str, list[float]] = {}
        for cue in cues.get("cues", []):
            ids = [p for p in cue["place_ids"] if p in self.anchors]
            if not ids:
                continue
            pad_km = float(cue["pad_m"]) / 1000.0
            hold = np.zeros(len(b), dtype=bool)
            a = self.anchors[ids[0]]
            if len(ids) == 2 and ids[0] != ids[1]:
                c = self.anchors[ids[1]]
                for r, km_a in a.on_routes:
                    km_c = dict(c.on_routes).get(r)
                    if km_c is None:
                        continue
                    d = along(b, r, km_a, forward=True)
                    span = (km_c - km_a) % b.route_length_km[r] if b.route_loop[r] else km_c - km_a
                    hold |= np.nan_to_num((d >= -pad_km) & (d <= span + pad_km), nan=False)
            elif len(ids) == 2:  # the same place twice: its whole route
                for r, _ in a.on_routes:
                    hold |= b.route == r
            else:
                hold |= b.within(a.x, a.y, max(float(cue["pad_m"]), 50.0))
            masks[cue["tag"]] = masks.get(cue["tag"], np.zeros(len(b), dtype=bool)) | hold
            weights.setdefault(cue["tag"], []).append(float(cue["weight"]))
        out = {t: TagMask(m, float(np.mean(weights[t]))) for t, m in masks.items() if m.any()}
        out["snow"] = TagMask(b.z >= SNOW_LINE_M, 5.0)
        up, down = _slopes(b)
        out["uphill"] = TagMask(up, SLOPE_WEIGHT)
        out["downhill"] = TagMask(down, SLOPE_WEIGHT)
        road = b.is_road.copy()
        if road.any():
            d, _ = cKDTree(np.column_stack([b.x[road], b.y[road]])).query(
                np.column_stack([b.x, b.y]), distance_upper_bound=NEAR_ROAD_M
            )
            road |= np.isfinite(d)
        out["road"] = TagMask(road, 4.0)
        return out


def _slopes(b: Bins) -> tuple[np.ndarray, np.ndarray]:
    """Where a main route climbs / descends walking clockwise (bins; side paths and roads:
    neither), from the elevation profile over ``SLOPE_SPAN_M``."""
    up = np.zeros(len(b), dtype=bool)
    down = np.zeros(len(b), dtype=bool)
    half_km = SLOPE_SPAN_M / 2000.0
    for r, route_id in enumerate(b.route_ids):
        if route_id not in ROUTE_PRIOR:
            continue
        idx = b.route_bins[r]
        idx = idx[np.isfinite(b.km[idx])]
        if len(idx) < 2:
            continue
        order = np.argsort(b.km[idx])
        km, z = b.km[idx][order], b.z[idx][order]
        length = float(b.route_length_km[r])
        period = length if b.route_loop[r] else None
        ahead = np.interp(km + half_km, km, z, period=period)
        behind = np.interp(km - half_km, km, z, period=period)
        grade = (ahead - behind) / (2.0 * half_km * 1000.0)
        up[idx[order]] = grade >= UPHILL_GRADE
        down[idx[order]] = grade <= -DOWNHILL_GRADE
    return up, down


def _confidence(network: RouteNetwork) -> tuple[float, float]:
    """(temperature, credible mass) from the region's ``locate_confidence.json``.

    The posterior is ``p ** (1 / temperature)`` renormalised, so the stated top-1
    probability means what it says, and the "80 % range" holds the fitted ``credible``
    share of the mass, so it holds the truth in about 80 % of real calls. Both are fitted
    on the real-text dev set by ``tests/data/fit_locate_confidence.py``; without the file:
    1.0 and 0.8 (the raw posterior).
    """
    path = getattr(network.region, "path", None)
    file = Path(path) / "locate_confidence.json" if path is not None else None
    if file is None or not file.is_file():
        return 1.0, CREDIBLE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        t, q = float(data["temperature"]), float(data["credible_mass"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{file}: needs numbers temperature and credible_mass ({exc})") from None
    if not (0.2 <= t <= 10.0 and 0.5 <= q < 1.0):
        raise InvalidInput(f"{file}: temperature {t} or credible_mass {q} out of range")
    return t, q


def _confidence_number(
    network: RouteNetwork, key: str, default: float, valid: Callable[[float], bool]
) -> float:
    """The number ``key`` of the region's ``locate_confidence.json`` (``default`` without
    the file or the key), refused unless ``valid(value)``."""
    path = getattr(network.region, "path", None)
    file = Path(path) / "locate_confidence.json" if path is not None else None
    if file is None or not file.is_file():
        return default
    try:
        value = json.loads(file.read_text(encoding="utf-8")).get(key)
        v = default if value is None else float(value)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{file}: {key} must be a number ({exc})") from None
    if not valid(v):
        raise InvalidInput(f"{file}: {key} {v} out of range")
    return v


def _stated_temperature(network: RouteNetwork, temperature: float) -> float:
    """The temperature of the stated candidate probabilities (``stated_temperature`` in
    ``locate_confidence.json``; ``temperature`` without it).

    Two calibrations, fitted apart on the dev set: the 80 % range is a set whose mass is
    chosen so it holds the truth in about 80 % of calls (``temperature`` with
    ``credible_mass``); the top-1 probability is a number a coordinator reads as a
    chance, so it is flattened until answers stated at >= 0.8 are at most 5 % more than
    1 km off. The ranking of the candidates is the same under both.
    """
    return _confidence_number(
        network, "stated_temperature", temperature, lambda t: 0.2 <= t <= 10.0
    )


def _misread_share(network: RouteNetwork) -> float:
    """The least share of a sound-or-spelling reading's likelihood that is uninformative
    (``misread_share`` in ``locate_confidence.json``; :data:`MISREAD_SHARE` without it)."""
    return _confidence_number(network, "misread_share", MISREAD_SHARE, lambda w: 0.0 <= w < 1.0)


def _misread(index: LocateIndex, *mentions: Mention | None) -> float:
    """The chance that one of ``mentions`` read by sound or spelling is a misread: for
    each, ``1 - score`` of its best place (at least ``index.misread_share``); 0 for
    names written as the gazetteer has them."""
    share = 0.0
    for m in mentions:
        if m is None or m.feature is not None or not m.place_ids:
            continue
        best = max(s for _, s in m.place_ids)
        floor = index.misread_share if m.read_as is not None else 0.0
        share = max(share, min(0.9, max(floor, 1.0 - best)))
    return share


def _indefinite(clues: Clues, m: Mention) -> bool:
    """Whether ``m`` is a feature word said with an indefinite article ("on a bridge",
    "一座桥"): some instance of the feature, not a named one."""
    return m.feature is not None and bool(
        _INDEFINITE_BEFORE.search(clues.text[max(0, m.start - 24) : m.start])
    )


def _only_somewhere(rel: Relation, clues: Clues) -> bool:
    """Whether ``rel`` only says "at" or "near" some instance of a feature, with other
    clues that place the caller (relations to other places, a walking time)."""
    if rel.kind not in ("at", "near") or rel.distance_m or rel.duration_s or rel.other:
        return False
    return bool(clues.elapsed) or any(r.anchor.feature is None for r in clues.relations)


def _hedged(index: LocateIndex, lik: np.ndarray, share: float) -> np.ndarray:
    """``lik`` mixed with a flat share ``share`` (a possibly misread name): the mixture
    ``(1 - share) * lik / mean + share``, ``mean`` weighted by the bins' length as
    :meth:`BeliefState.apply` weighs it, so ``apply`` keeps it as it is."""
    if share <= 0.0:
        return lik
    lik = np.maximum(np.nan_to_num(np.asarray(lik, dtype=float), nan=0.0), 0.0)
    length = index.bins.length_m
    if index.bins.count is not None:
        length = length * index.bins.count
    mean = float((lik * length).sum() / length.sum())
    if not np.isfinite(mean) or mean <= 0.0:
        return lik
    return (1.0 - share) * lik / mean + share


def _seen_features(index: LocateIndex, text: str) -> list[tuple[str, str, TagMask]]:
    """The catalogue features the text mentions: (id, the words, where it holds)."""
    folded = text.lower()
    out = []
    for tag, pattern, tm in index.features:
        m = pattern.search(folded)
        if m is not None:
            out.append((tag, text[m.start() : m.end()], tm))
    return out


def _unsaid_starts(
    network: RouteNetwork, anchors: Mapping[str, Any]
) -> tuple[tuple[str, float], ...]:
    """Where walkers who do not say where they set off most likely started
    (``locate_hints.json`` of the region; none without the file)."""
    path = getattr(network.region, "path", None)
    file = Path(path) / "locate_hints.json" if path is not None else None
    if file is None or not file.is_file():
        return ()
    try:
        rows = json.loads(file.read_text(encoding="utf-8")).get("unsaid_starts", [])
        out = tuple((str(r["place"]), float(r["weight"])) for r in rows)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{file}: unsaid_starts need a place and a weight ({exc})") from None
    unknown = [p for p, _ in out if p not in anchors]
    if unknown:
        raise InvalidInput(f"{file}: unknown place(s) {unknown}")
    return out


def _with_extra_aliases(network: RouteNetwork) -> Any:
    """The region's places with the names of its ``aliases.json`` (region data) added."""
    places = network.region.places
    path = getattr(network.region, "path", None)
    file = Path(path) / "aliases.json" if path is not None else None
    if file is None or not file.is_file():
        return places
    try:
        extra = json.loads(file.read_text(encoding="utf-8")).get("places", {})
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{file}: not valid JSON ({exc})") from None
    places = places.copy()
    for pid, names in extra.items():
        if pid not in places.index:
            raise InvalidInput(f"{file}: unknown place {pid!r}")
        for col, key in (
            ("aliases_en", "en"),
            ("aliases_zh", "zh"),
            ("aliases_bo", "bo"),
            ("aliases_hi", "hi"),
        ):
            if col not in places.columns:
                places[col] = [[] for _ in range(len(places))]
            have = places.at[pid, col]
            have = list(have) if isinstance(have, list | tuple) else []
            places.at[pid, col] = have + [n for n in names.get(key, []) if n not in have]
    return places


def get_index(network: RouteNetwork) -> LocateIndex:
    """The locate index of ``network`` (built on first use, then reused)."""
    index: LocateIndex = network.derive("locate_index", LocateIndex)
    return index


def locate(
    network: RouteNetwork,
    text: str,
    *,
    reported_at: datetime | None = None,
    direction: str | None = None,
    sparse: bool = True,
) -> LocateResult:
    """Where is the caller, given what they say?

    Parameters
    ----------
    network
        The region's route network.
    text
        The caller's description, as typed by the call taker (1-2,000 characters).
    reported_at
        When the call came in (aware, or naive = Asia/Shanghai); default now.
    direction
        ``"clockwise"`` or ``"counterclockwise"`` if known; otherwise the text
        decides, else both are weighed (85 % clockwise).
    sparse
        Keep the belief one bin at a time only near the clues (the same answer, see
        :class:`rescue.locate.belief.Window`); False: over every bin (the reference).

    Returns
    -------
    LocateResult
        Up to 10 candidate segments (probabilities summing to at most 1),
        the best follow-up questions, and the clues understood.

    Raises
    ------
    InvalidInput
        On empty or over-long text, an unknown direction or impossible coordinates.
    """
    if direction is not None and direction not in DIRECTION_PRIOR:
        raise InvalidInput(f"direction {direction!r} is not one of {', '.join(DIRECTION_PRIOR)}")
    if reported_at is None:
        reported_at = datetime.now(LOCAL_TZ)
    elif reported_at.tzinfo is None:
        reported_at = reported_at.replace(tzinfo=LOCAL_TZ)
    index = get_index(network)
    clues = parse_clues(
        text,
        names=index.names,
        reported_at=reported_at,
        direction=cast("Direction | None", direction),
        bbox=index.bbox,
    )
    seeds = _window_seeds(index, clues) if sparse else None
    while True:  # on the window of the clues, grown until the answer reads nothing folded
        q = index if seeds is None else _on_window(index, *seeds)
        result = _answer(q, text, clues)
        if not isinstance(q.bins, Window):
            return result
        routes, segments = q.bins.wanted
        if not routes and not segments:
            return result
        assert seeds is not None
        seeds = (seeds[0] | routes, seeds[1] | segments)


#: a window keeps every trail and road this close to a place a clue names (the widest
#: likelihood around a place reaches 4 sigma: "below X", 2 km + the place's uncertainty)
WINDOW_RADIUS_M = 9_000.0


def _masks(index: LocateIndex) -> list[TagMask]:
    return [*index.tags.values(), *(tm for _, _, tm in index.features)]


def _window_seeds(index: LocateIndex, clues: Clues) -> tuple[set[int], set[int]] | None:
    """(routes, road segments) where the clues' likelihoods are not zero; None when a
    clue speaks of every bin but one elevation: then the belief is kept over all bins (one
    elevation is folded exactly, see ``BeliefState.apply_whole``; two would not be)."""
    if len(clues.elevations) > 1:
        return None
    clues = _disambiguate(index, clues)  # as the answer will read them
    mentions = [*clues.mentions, *(e.origin for e in clues.elapsed)]
    for rel in clues.relations:
        mentions += [rel.anchor] if rel.other is None else [rel.anchor, rel.other]
    # the places the likelihoods use (the best few of a name, every place of a generic
    # word); one they reach beyond the window grows it (Window.wanted)
    anchors = {a.place_id: a for m in mentions for a, _ in mention_anchors(m, index.anchors)}
    if any(not e.origin.place_ids for e in clues.elapsed):
        anchors |= {p: index.anchors[p] for p, _ in index.unsaid_starts}
    points, routes = [], set()
    for a in anchors.values():
        points.append((a.x, a.y, WINDOW_RADIUS_M))
        for r, _ in a.on_routes:
            routes |= {r, *(j for j, _ in index.junctions.get(r, ())[1:])}
    for c in clues.coordinates:
        x, y = index.network.to_metric.transform(c.lon, c.lat)
        points.append((x, y, 4.0 * (max(c.uncertainty_m, 30.0) + 40.0)))
    return window_seeds(index.bins, index.folds, points, sorted(routes))


def _on_window(index: LocateIndex, routes: set[int], segments: set[int]) -> LocateIndex:
    """``index`` over a window of its bins (itself when the window holds them all)."""
    masks = _masks(index)
    bins, on = window(index.bins, index.folds, [tm.mask for tm in masks], routes, segments)
    if bins is index.bins:
        return index
    q = copy.copy(index)
    q.bins = bins
    view = iter(TagMask(m, tm.weight) for m, tm in zip(on, masks, strict=True))
    q.tags = {t: next(view) for t in index.tags}
    q.features = tuple((t, pattern, next(view)) for t, pattern, _ in index.features)
    return q


def _answer(index: LocateIndex, text: str, clues: Clues) -> LocateResult:
    state = BeliefState.prior(index.bins)
    seen = _seen_features(index, text)
    if clues.empty and not seen:
        # never an empty answer: the honest prior over the routes and the best questions
        posterior = state.posterior(index.temperature)
        questions = best_questions(
            posterior, index.bins.segment, len(index.bins.segment_ids), index.tags
        )
        clues = replace(
            clues,
            notes=(
                *clues.notes,
                Said(msg("locate.nothing_said")),
            ),
        )
        return LocateResult(
            tuple(
                restated(
                    index, state, candidates_of(index, state, posterior), index.stated_temperature
                )
            ),
            tuple(questions),
            clues,
            route_range(index, posterior),
        )
    clues = _disambiguate(index, clues)
    route_prior = _route_prior(index, clues)
    state = BeliefState.prior(index.bins, route_prior)
    named = frozenset(
        i for i, r in enumerate(index.bins.route_ids) if route_prior.get(r) == NAMED_SIDE_PRIOR
    )
    _apply_clues(index, state, clues, named)
    for tag, word, tm in seen:
        state.apply(
            np.where(tm.mask, 1.0, 1.0 / tm.weight),
            msg("locate.ev_feature", word=word, feature=_tag_name(tag)),
        )
    raw = state.posterior()
    against = _conflicting(state, raw)
    if against:
        # conflicting clues are all kept, and the confidence stated is lowered
        clues = replace(
            clues,
            notes=(
                *clues.notes,
                Said(msg("locate.clues_disagree", clues=joined(against))),
            ),
        )
    posterior = state.posterior(index.temperature)
    candidates = candidates_of(index, state, posterior)
    if not clues.coordinates:
        # what a coordinate says is stated by its own uncertainty; text clues are stated
        # at the flatter stated temperature (fitted on the dev set)
        candidates = restated(index, state, candidates, index.stated_temperature)
    if against and candidates:
        # the order stays; every stated probability shrinks by what a flatter belief
        # gives the best segment (the rest is "somewhere else"), and the range widens
        posterior = state.posterior(index.temperature * CONFLICT_TEMPER)
        top = index.bins.segment_ids.index(candidates[0].segment_id)
        flatter = float(posterior[index.bins.segment == top].sum())
        stated_at_t = float(state.posterior(index.temperature)[index.bins.segment == top].sum())
        # the same share of what is stated as the flatter belief keeps of the sharp one
        shrink = min(1.0, flatter / stated_at_t) if stated_at_t > 0 else 1.0
        candidates = [replace(c, probability=c.probability * shrink) for c in candidates]
    range_80 = route_range(index, posterior, raw)
    if candidates and range_80 is not None:
        candidates[0] = at_route_median(index, candidates[0], range_80)
    asked = frozenset(s.tag for s in clues.sights)
    questions = best_questions(
        posterior, index.bins.segment, len(index.bins.segment_ids), index.tags, asked=asked
    )
    return LocateResult(tuple(candidates), tuple(questions), clues, range_80)


def _conflicting(state: BeliefState, raw: np.ndarray) -> list[Name]:
    """The clues the posterior mostly disagrees with (their quoted words, in both
    languages): where the belief lies, the clue's likelihood is under ``exp(CONFLICT_LOG)``
    of its best on average."""

    def quoted(words: str) -> str:
        return f"“{words.split('”')[0].lstrip('“')}”"

    return [
        Name(quoted(ev.text), quoted(ev.text_zh or ev.text))
        for ev in state.evidence
        if float((ev.log_likelihood * raw).sum()) < CONFLICT_LOG
    ]


def _route_prior(index: LocateIndex, clues: Clues) -> dict[str | None, float]:
    """The route prior, with the side paths the caller names lifted to a main route's.

    A side path (to a gompa) is named when a place that lies only on it is mentioned; not
    when the place only measures a walk ("we passed Dirapuk an hour ago", "2 km after X",
    "between X and Y", "we left X at 7"): walkers go on along the kora.
    """
    weights: dict[str | None, float] = dict(ROUTE_PRIOR)
    walked = {(e.origin.start, e.origin.end) for e in clues.elapsed}
    for rel in clues.relations:
        if rel.duration_s or rel.distance_m or rel.kind in ("between", "halfway"):
            walked |= {(m.start, m.end) for m in (rel.anchor, rel.other) if m is not None}
    for m in clues.mentions:
        if (m.start, m.end) in walked or (m.start, m.end) in clues.in_view:
            continue  # a walk's start or a place in view: not a side path the caller is on
        anchors = mention_anchors(m, index.anchors, limit=1)
        if not anchors:
            continue
        routes = [r for r, _ in anchors[0][0].on_routes]
        if routes and all(r not in index.main_routes for r in routes):
            for r in routes:
                weights[index.bins.route_ids[r]] = NAMED_SIDE_PRIOR
    return weights


def _walk_routes(
    index: LocateIndex, a: Anchor, named: frozenset[int] = frozenset()
) -> tuple[tuple[int, float], ...]:
    """Where a walk from (or to) a place runs: its main routes and the side paths the
    caller named; for a place only on an unnamed side path, the main route where the path
    joins it (walkers go on along the kora)."""
    main = tuple((r, k) for r, k in a.on_routes if r in index.main_routes or r in named)
    if main:
        return main
    out: list[tuple[int, float]] = []
    for r, _k in a.on_routes:
        out += [j for j in index.junctions.get(r, ())[1:] if j not in out]
    return tuple(out) or a.on_routes


def _directions(clues: Clues) -> dict[str, float]:
    return {clues.direction: 1.0} if clues.direction else dict(DIRECTION_PRIOR)


#: a feature placed by a named place: "the tea tent below the pass" (feature first) …
_SIDE_AFTER_EN = {
    "below": re.compile(r"\s+(?:just\s+)?(?:below|beneath|under|down\s+from)\s+(?:the\s+)?"),
    "above": re.compile(r"\s+(?:just\s+)?(?:above|up\s+from)\s+(?:the\s+)?"),
}
#: … "垭口下面的茶棚" (place first)
_SIDE_BEFORE_ZH = {
    "below": re.compile(r"(?:的)?(?:下面|下边|下方|底下|下头)(?:的)?(?:那个|这个|那|一个)?"),
    "above": re.compile(r"(?:的)?(?:上面|上边|上方)(?:的)?(?:那个|这个|那|一个)?"),
}
#: a feature on the named side lies within this of the place, at least SIDE_RISE_M lower
#: (below) or higher (above)
SIDE_RANGE_M = 5000.0
SIDE_RISE_M = 30.0
#: the n-th place of a feature counted from a named place in the walking direction: "the
#: first teahouse after the pass" (ordinal, feature, place) …
_ORDINAL_NUMBERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_COUNTED_BEFORE_EN = re.compile(r"\b(?P<o>first|1st|second|2nd|third|3rd)\s+$", re.IGNORECASE)
_COUNTED_AFTER_EN = re.compile(r"\s+(?:after|past|beyond)\s+(?:the\s+)?")
#: … "过了垭口后的第一个茶棚" (place, ordinal, feature)
_COUNTED_ZH = re.compile(r"(?:以后|之后|后面|后)的?第(?P<o>[一二三123])(?:个|座|处|家)?")
_ZH_ORDINAL = {"一": 1, "二": 2, "三": 3, "1": 1, "2": 2, "3": 3}
#: the other places of a counted or placed feature keep this share of their score
PLACED_OTHERS = 0.1


def _placed_features(index: LocateIndex, clues: Clues) -> Clues:
    """Narrow a feature word by the named place it is placed by: "the tea tent below the
    pass" / "垭口下面的茶棚" (its places on that side, within :data:`SIDE_RANGE_M`), "the
    first teahouse after the pass" / "过了垭口后的第一个茶棚" (the n-th of its places after
    the place in the walking direction; clockwise unless the caller says otherwise)."""
    text = clues.text
    ms = sorted(clues.mentions, key=lambda m: m.start)
    changed: dict[tuple[int, int], Mention] = {}
    for a, b in zip(ms, ms[1:], strict=False):
        gap = text[a.end : b.start]
        pairs: list[tuple[Mention, Mention, str, int]] = []  # (feature, place, side, n)
        if a.feature is not None:
            for side, pat in _SIDE_AFTER_EN.items():
                if pat.fullmatch(gap):
                    pairs.append((a, b, side, 0))
            om = _COUNTED_BEFORE_EN.search(text[max(0, a.start - 12) : a.start])
            if om and _COUNTED_AFTER_EN.fullmatch(gap):
                pairs.append((a, b, "after", _ORDINAL_NUMBERS[om.group("o").lower()]))
        if b.feature is not None:
            for side, pat in _SIDE_BEFORE_ZH.items():
                if pat.fullmatch(gap):
                    pairs.append((b, a, side, 0))
            zm = _COUNTED_ZH.fullmatch(gap)
            if zm:
                pairs.append((b, a, "after", _ZH_ORDINAL[zm.group("o")]))
        for feat, place, side, n in pairs:
            tops = [p for p, _ in place.place_ids if p in index.anchors]
            if not tops or len(feat.place_ids) < 2:
                continue
            x = index.anchors[tops[0]]
            keep: list[str] = []
            if side == "after":
                routes = dict(_walk_routes(index, x))
                sign = -1.0 if clues.direction == "counterclockwise" else 1.0
                ahead = []
                for pid, _ in feat.place_ids:
                    f = index.anchors.get(pid)
                    if f is None:
                        continue
                    ks = [sign * (k - routes[r]) for r, k in f.on_routes if r in routes]
                    if ks and max(ks) > 0:
                        ahead.append((min(k for k in ks if k > 0), pid))
                ahead.sort()
                keep = [ahead[n - 1][1]] if len(ahead) >= n else []
            else:
                rise = SIDE_RISE_M if side == "above" else -SIDE_RISE_M
                for pid, _ in feat.place_ids:
                    f = index.anchors.get(pid)
                    if f is None or np.hypot(f.x - x.x, f.y - x.y) > SIDE_RANGE_M:
                        continue
                    if (f.elevation_m - x.elevation_m) * np.sign(rise) >= abs(rise):
                        keep.append(pid)
            if not keep:
                continue
            scored = sorted(
                ((p, sc if p in keep else sc * PLACED_OTHERS) for p, sc in feat.place_ids),
                key=lambda t: -t[1],
            )
            top = scored[0][1] or 1.0
            changed[(feat.start, feat.end)] = replace(
                feat, place_ids=tuple((p, sc / top) for p, sc in scored)
            )
    return _swap_mentions(clues, changed)


def _swap_mentions(clues: Clues, changed: dict[tuple[int, int], Mention]) -> Clues:
    """``clues`` with the mentions at the spans of ``changed`` replaced, wherever they are."""
    if not changed:
        return clues

    def swap(m: Mention) -> Mention:
        return changed.get((m.start, m.end), m)

    def swap_other(m: Mention | None) -> Mention | None:
        return None if m is None else swap(m)

    return replace(
        clues,
        mentions=tuple(swap(m) for m in clues.mentions),
        relations=tuple(
            replace(r, anchor=swap(r.anchor), other=swap_other(r.other)) for r in clues.relations
        ),
        elapsed=tuple(replace(e, origin=swap(e.origin)) for e in clues.elapsed),
    )


def _disambiguate(index: LocateIndex, clues: Clues) -> Clues:
    """Reweight the candidates of ambiguous mentions by closeness to the clear ones.

    "1 km before the supply point" next to "Medicine Buddha valley" means that
    valley's supply point; "the iron bridge after Zutulpuk" the bridge near
    Zutulpuk. A mention is clear when its best candidate leads the next by 1.5×; a
    place only in view is not used as a reference.
    """

    def clear(m: Mention) -> Anchor | None:
        ps = [(p, sc) for p, sc in m.place_ids if p in index.anchors]
        if not ps or m.feature is not None:
            return None
        top = index.anchors[ps[0][0]]
        rivals = [index.anchors[p] for p, sc in ps[1:] if sc * 1.5 > ps[0][1]]
        # rivals at the same spot (a supply point and its medical post) are no ambiguity
        if all(np.hypot(a.x - top.x, a.y - top.y) <= CLEAR_SPREAD_M for a in rivals):
            return top
        return None

    # a place only in view ("we can see the pass") is no reference point: it can be far off
    clues = _placed_features(index, clues)
    context = {
        (m.start, m.end): None if (m.start, m.end) in clues.in_view else clear(m)
        for m in clues.mentions
    }
    changed: dict[tuple[int, int], Mention] = {}
    for m in clues.mentions:
        if context[(m.start, m.end)] is not None or len(m.place_ids) < 2 or _indefinite(clues, m):
            continue
        others = [a for k, a in context.items() if a is not None and k != (m.start, m.end)]
        if not others:
            continue
        rescored = []
        for pid, score in m.place_ids:
            a = index.anchors.get(pid)
            if a is None:
                continue
            d = min(float(np.hypot(a.x - o.x, a.y - o.y)) for o in others)
            rescored.append((pid, score * (0.1 + np.exp(-d / 3000.0))))
        rescored.sort(key=lambda t: -t[1])
        top = rescored[0][1] if rescored else 1.0
        changed[(m.start, m.end)] = replace(m, place_ids=tuple((p, sc / top) for p, sc in rescored))
    return _swap_mentions(clues, changed)


def _apply_clues(
    index: LocateIndex, state: BeliefState, clues: Clues, named: frozenset[int] = frozenset()
) -> None:
    b = index.bins
    dirs = _directions(clues)
    # a place named without a relation word is where the caller is, unless other clues
    # (a relation, a walking time) say more: then it is only the area
    implicit_sigma = 1500.0 if (clues.relations or clues.elapsed) else None
    related = {id(r.anchor) for r in clues.relations} | {
        id(r.other) for r in clues.relations if r.other
    }
    related |= {id(e.origin) for e in clues.elapsed}
    latest = _latest_landmark(clues)
    for rel in clues.relations:
        if _indefinite(clues, rel.anchor) and _only_somewhere(rel, clues):
            continue  # "crossed the stream on a bridge": some bridge, the other clues say which
        lik = _relation_likelihood(index, rel, dirs, named)
        if lik is None:
            continue
        said = msg(
            "locate.ev_said", said=rel.text or rel.anchor.text, meaning=_relation_text(index, rel)
        )
        if latest is not None and _walked_on_from(rel, latest):
            # a landmark of the story that the caller has since walked on from
            top = float(np.max(lik)) if np.size(lik) else 0.0
            if top > 0:
                lik = (np.asarray(lik, dtype=float) / top) ** EARLIER_LANDMARK_WEIGHT
                said = msg("locate.ev_earlier", said=said)
        state.apply(_hedged(index, lik, _misread(index, rel.anchor, rel.other)), said)
    for m in clues.mentions:
        if any(m == r.anchor or m == r.other for r in clues.relations) or id(m) in related:
            continue
        if (m.feature is not None and _inside_sight(m, clues)) or (m.start, m.end) in clues.in_view:
            continue  # "we can't see the lake", "we can see Kailash": a view, not the place
        if any(m == e.origin for e in clues.elapsed):
            continue
        sigma = implicit_sigma or (300.0 if m.feature is None else 500.0)
        lik = _near(index, m, sigma_m=sigma)
        if lik is not None:
            state.apply(
                _hedged(index, lik, _misread(index, m)),
                msg("locate.ev_said", said=m.text, meaning=_names(index, m)),
            )
    for e in clues.elapsed:
        if not e.origin.place_ids and index.unsaid_starts:  # "we set off at 8:20"
            e = replace(e, origin=replace(e.origin, place_ids=index.unsaid_starts))
        own = _own_pace(index, e, clues.elapsed, dirs)  # issue 14: two times, own pace
        lik = _walked(
            index,
            e.origin,
            (e.elapsed_s, e.elapsed_s),
            dirs,
            spread=True,
            named=named,
            paces=own["paces"] if own else None,
        )
        if lik is not None:
            hours = e.elapsed_s / 3600.0
            if own and own.get("model") == "eta_trees.two_times" and own.get("paces"):
                # the range on the same scale as the pace (the paces also carry the trip-length
                # median that walk() needs)
                scale = own["pace"] / own["paces"][1][0]
                speeds = msg(
                    "locate.own_pace_trees",
                    factor=f"{own['pace']:.2f}",
                    low=f"{own['paces'][0][0] * scale:.2f}",
                    high=f"{own['paces'][2][0] * scale:.2f}",
                )
            elif own:
                speeds = msg("locate.own_pace", factor=f"{own['pace']:.2f}")
            else:
                speeds = msg("locate.track_speeds")
            state.apply(
                _hedged(index, lik, _misread(index, e.origin)),
                msg(
                    "locate.ev_said",
                    said=e.text,
                    meaning=msg(
                        "locate.ev_walked",
                        hours=f"{hours:.1f}",
                        origin=_names(index, e.origin),
                        speeds=speeds,
                    ),
                ),
            )
    for ev in clues.elevations:  # over every bin, folded where the belief is (issue 18)
        state.apply_whole(
            gaussian(b.network_bins.z - ev.elevation_m, max(ev.tolerance_m, 50.0)),
            msg(
                "locate.ev_said",
                said=ev.text,
                meaning=msg("locate.ev_elevation", elevation=f"{ev.elevation_m:,.0f}"),
            ),
        )
    if clues.coordinates:
        parts = []
        for i, c in enumerate(clues.coordinates):
            x, y = index.network.to_metric.transform(c.lon, c.lat)
            sigma = max(c.uncertainty_m, 30.0) + 40.0
            parts.append((1.0 if i == 0 else 0.5, b.near(x, y, sigma)))
        near = mixture(parts)
        assert near is not None  # one part per coordinate, and there is one
        first = clues.coordinates[0]
        x, y = index.network.to_metric.transform(first.lon, first.lat)
        off = b.nearest_m(x, y)
        others = len(clues.coordinates) - 1
        state.apply(
            near,
            joined(
                [
                    msg(
                        "locate.ev_said",
                        said=first.text,
                        meaning=msg(
                            "locate.ev_coordinates",
                            lat=f"{first.lat:.5f}",
                            lon=f"{first.lon:.5f}",
                            label=first.label,
                            off=f"{off:,.0f}",
                        ),
                    ),
                    *([msg("locate.ev_readings", count=others)] if others else []),
                ]
            ),
        )
    backwards = clues.direction == "counterclockwise"
    for s in clues.sights:
        tag = s.tag
        if backwards and tag in _SLOPE_FLIP:  # the masks are for walking clockwise
            tag = _SLOPE_FLIP[tag]
        tm = index.tags.get(tag)
        if tm is None:
            continue
        inside, outside = (1.0 / tm.weight, 1.0) if s.negated else (1.0, 1.0 / tm.weight)
        state.apply(
            np.where(tm.mask, inside, outside),
            msg(
                "locate.ev_not_sight" if s.negated else "locate.ev_sight",
                word=s.text,
                sight=_tag_name(s.tag),
            ),
        )


_SLOPE_FLIP = {"uphill": "downhill", "downhill": "uphill"}


def _tag_name(tag: str) -> Name:
    """A sight tag or route feature as evidence names it, in both languages (the catalog's
    ``locate.tag.<tag>``; a tag without one is said in English in both)."""
    english = tag.replace("_", " ")
    key = f"locate.tag.{tag}"
    return Name(english, render(key, "zh") if key in catalog() else None)


def _latest_landmark(clues: Clues) -> Mention | None:
    """The story's latest landmark, when the caller names two or more places in order
    ("we passed X, then Y, now…"; "过了X又走了…到了Y"): the last one said, where the caller
    is now or has last been. None with fewer than two different places, or when the last
    one is where they are heading ("…, walking towards Y"): that says nothing about which
    of the earlier ones is the latest. A feature word ("a bridge", "the tea tent") is no
    landmark of the story: it names many places, and "half a mile from our rooms at X, we
    crossed the stream on a bridge" still counts from X."""
    said: list[tuple[int, Mention, str]] = [
        (r.anchor.start, r.anchor, r.kind)
        for r in clues.relations
        if r.anchor.place_ids and r.anchor.feature is None
    ]
    said += [
        (e.origin.start, e.origin, "past")
        for e in clues.elapsed
        if e.origin.place_ids and e.origin.feature is None
    ]
    if len({m.place_ids[0][0] for _, m, _ in said}) < 2:
        return None
    _, last, kind = max(said, key=lambda item: item[0])
    return last if kind in _PASSED_KINDS else None


def _walked_on_from(rel: Relation, latest: Mention) -> bool:
    """Whether ``rel`` is a landmark the caller has since walked on from: passed or been at
    (a distance or time from it, too: "过了X又走了6公里，到了Y"), said before the latest
    landmark, and another place."""
    return (
        rel.kind in _PASSED_KINDS
        and rel.anchor.start < latest.start
        and rel.anchor.place_ids[:1] != latest.place_ids[:1]
    )


def _inside_sight(m: Mention, clues: Clues) -> bool:
    """Whether a feature word is part of what the caller sees (not where they are)."""
    for sight in clues.sights:
        if sight.start >= 0 and sight.start <= m.start and m.end <= sight.end:
            return True
        if sight.start < 0 and m.text and m.text in sight.text:
            return True
    return False


def _names(index: LocateIndex, m: Mention) -> Name:
    anchors = mention_anchors(m, index.anchors, limit=3)
    if not anchors:
        return Name(m.feature or m.text)
    shown = ", ".join(f"{a.name_en} ({a.name_zh})" for a, _ in anchors[:2])
    shown_zh = "、".join(a.name_zh or a.name_en for a, _ in anchors[:2])
    more = len(m.place_ids) - 2
    read = f" [read as “{m.read_as}”]" if m.read_as else ""
    read_zh = f"［读作“{m.read_as}”］" if m.read_as else ""
    if more > 0:
        return Name(
            shown + f" +{more} more" + read,
            shown_zh + render("locate.more", "zh", count=more) + read_zh,
        )
    return Name(shown + read, shown_zh + read_zh)


def _relation_text(index: LocateIndex, rel: Relation) -> Msg | str:
    other = msg("locate.and", names=_names(index, rel.other)) if rel.other else ""
    anchor = _names(index, rel.anchor)
    if f"rel.{rel.kind}" not in catalog():
        return f"{amount_text(rel)}{describe_relation(rel)} {anchor.en}{text(other)}"
    return msg(f"rel.{rel.kind}", amount=amount_text(rel), anchor=anchor, other=other)


def _near(index: LocateIndex, m: Mention, *, sigma_m: float) -> np.ndarray | None:
    parts = Mixture()  # summed as they come: a generic word may mean hundreds of places
    for a, w in mention_anchors(m, index.anchors):
        parts.append((w, index.bins.near_part(a.x, a.y, sigma_m + a.uncertainty_m)))
    return mixture(parts)


def _walk_km(
    index: LocateIndex, route: int, km: float, dur_s: float, forward: bool, pace: float
) -> float:
    """Km walked (in the walking direction) from ``km`` in ``dur_s`` at ``pace``."""
    rid = index.bins.route_ids[route]
    direction = "clockwise" if forward else "counterclockwise"
    res = index.network.walk(
        rid, km, max(dur_s, 0.0), direction=direction, pace=pace, stops="landmarks"
    )
    length = index.bins.route_length_km[route]
    d = (res.position.km - km) if forward else (km - res.position.km)
    if index.bins.route_loop[route]:
        d %= length
        # a walk longer than the circuit ends where it began: nobody walks on into a second
        # round ("left Darchen at 4:30, doing it in a day, it is 9 pm now")
        if max(dur_s, 0.0) >= _lap_s(index, route, km, forward) * pace:
            d = float(length)
    return float(d)


def _lap_s(index: LocateIndex, route: int, km: float, forward: bool) -> float:
    """The median walker's time once round the loop ``route`` from ``km`` (cached)."""
    cache = index.laps
    key = (route, round(km, 3), forward)
    if key not in cache:
        length = float(index.bins.route_length_km[route])
        back = (km - 0.01) % length if forward else (km + 0.01) % length
        cache[key] = index.network.walk_time_s(
            index.bins.route_ids[route],
            km,
            back,
            direction="clockwise" if forward else "counterclockwise",
            stops="landmarks",
        )
    return cache[key]


def _own_pace(
    index: LocateIndex,
    e: ElapsedTime,
    elapsed: Sequence[ElapsedTime],
    dirs: Mapping[str, float],
) -> dict[str, Any] | None:
    """The walker's own pace (``routes``' :meth:`RouteNetwork.own_pace`) when the call gives
    an earlier passage too ("left Darchen at 8, passed Chuku at 11"): the best-named place
    of each, on a shared main route, the short way round between them; ``None`` otherwise."""
    before = [a for a in elapsed if a.departed_at < e.departed_at and a.origin != e.origin]
    if not before:
        return None
    a = max(before, key=lambda x: x.departed_at)
    first = mention_anchors(a.origin, index.anchors, limit=1)
    then = mention_anchors(e.origin, index.anchors, limit=1)
    if not first or not then:
        return None
    routes = dict(_walk_routes(index, first[0][0]))
    found = []
    for route, km in _walk_routes(index, then[0][0]):
        if route in routes and route in index.main_routes:
            for direction in dirs:
                try:
                    found.append(
                        index.network.own_pace(
                            index.bins.route_ids[route],
                            routes[route],
                            km,
                            (e.departed_at - a.departed_at).total_seconds(),
                            direction=direction,
                            walk_s=e.elapsed_s,
                            clock_h=e.departed_at.hour + e.departed_at.minute / 60.0,
                        )
                    )
                except InvalidInput:
                    continue
    return min(found, key=lambda o: o["median_elapsed_s"]) if found else None


def _walked(
    index: LocateIndex,
    origin: Mention,
    duration_s: tuple[float, float],
    dirs: Mapping[str, float],
    *,
    spread: bool,
    sign: float = 1.0,
    named: frozenset[int] = frozenset(),
    paces: Sequence[tuple[float, float]] | None = None,
) -> np.ndarray | None:
    """Where walkers are ``duration_s`` after ``origin`` (before it if ``sign`` < 0)."""
    b = index.bins
    parts = Mixture()  # summed as they come: many places, little memory
    lo, hi = duration_s
    # a walking time is only as good as its start: keep the places the words clearly name
    anchors = mention_anchors(origin, index.anchors, limit=3)
    best = max((w for _, w in anchors), default=0.0)
    if origin.text != UNSAID_START:  # the region's usual starts are all kept, by weight
        anchors = [(a, w) for a, w in anchors if w >= 0.9 * best]
    for a, w in anchors:
        for route, km in _walk_routes(index, a, named):
            for direction, wd in dirs.items():
                forward = (direction == "clockwise") == (sign > 0)
                idx, delta = along_part(b, route, km, forward=forward)
                kms = []
                for pace, wp in (paces or index.paces) if spread else [(1.0, 1.0)]:
                    for dur in {lo, hi}:
                        kms.append((_walk_km(index, route, km, dur, forward, pace), wp))
                spread_km = max(k for k, _ in kms) - min(k for k, _ in kms)
                sigma = max(0.3, spread_km / 6.0)
                lik = np.zeros_like(delta, dtype=float)
                loop = float(b.route_length_km[route]) if b.route_loop[route] else None
                for k, wp in kms:
                    off = delta - k
                    if loop is not None:  # round the loop: delta lies in (-L/2, L/2]
                        off = (off + loop / 2.0) % loop - loop / 2.0
                    lik += wp * gaussian(off, sigma)
                parts.append((w * wd, Sparse(idx, lik, len(b))))
    return mixture(parts)


def _relation_likelihood(
    index: LocateIndex,
    rel: Relation,
    dirs: Mapping[str, float],
    named: frozenset[int] = frozenset(),
) -> np.ndarray | None:
    kind = rel.kind
    if kind in ("at", "near") and rel.distance_m:
        # "4 km from Darchen": that far along the kora from it, most likely already past it
        past = _ahead(index, rel, dirs, 1.0, named)
        before = _ahead(index, rel, dirs, -1.0, named)
        parts = [(w, lik) for w, lik in ((FROM_PAST_SHARE, past), (1 - FROM_PAST_SHARE, before))]
        return mixture([(w, lik) for w, lik in parts if lik is not None])
    if kind in ("at", "near"):
        return _near(index, rel.anchor, sigma_m=150.0 if kind == "at" else 600.0)
    if kind in ("past", "after", "down_from", "before", "up_to"):
        sign = -1.0 if kind in ("before", "up_to") else 1.0
        if rel.duration_s:
            lik = _walked(
                index, rel.anchor, rel.duration_s, dirs, spread=True, sign=sign, named=named
            )
        else:
            lik = _ahead(index, rel, dirs, sign, named)
        if lik is not None and kind in ("down_from", "up_to"):
            lik = lik * _lower_than(index, rel.anchor)
        return lik
    if kind in ("between", "halfway") and rel.other is not None:
        return _between(index, rel, halfway=kind == "halfway", named=named)
    if kind in ("below", "above"):
        near = _near(index, rel.anchor, sigma_m=2000.0)
        if near is None:
            return None
        rel_z = _lower_than(index, rel.anchor)
        return near * (rel_z if kind == "below" else 1.0 - 0.9 * rel_z)
    if kind == "across_river":
        near = _near(index, rel.anchor, sigma_m=700.0)
        return None if near is None else near
    return _near(index, rel.anchor, sigma_m=600.0)


def _lower_than(index: LocateIndex, m: Mention) -> np.ndarray:
    anchors = mention_anchors(m, index.anchors, limit=3)
    if not anchors:
        return np.ones(len(index.bins))
    z0 = sum(a.elevation_m * w for a, w in anchors)
    return 1.0 / (1.0 + np.exp((index.bins.z - (z0 - 30.0)) / 15.0))


def _ahead(
    index: LocateIndex,
    rel: Relation,
    dirs: Mapping[str, float],
    sign: float,
    named: frozenset[int] = frozenset(),
) -> np.ndarray | None:
    b = index.bins
    parts = Mixture()  # summed as they come: many places, little memory
    for a, w in mention_anchors(rel.anchor, index.anchors, limit=4):
        if not a.on_routes:
            parts.append((w * 0.5, b.near_part(a.x, a.y, 1500.0)))
            continue
        for route, km in _walk_routes(index, a, named):
            for direction, wd in dirs.items():
                forward = (direction == "clockwise") == (sign > 0)
                idx, delta = along_part(b, route, km, forward=forward)
                if rel.distance_m:
                    lo, hi = (v / 1000.0 for v in rel.distance_m)
                    mid, half = (lo + hi) / 2.0, (hi - lo) / 2.0
                    lik = gaussian(np.maximum(np.abs(delta - mid) - half, 0.0), 0.25)
                else:
                    lik = np.where(
                        delta >= -0.05, np.exp(-np.maximum(delta, 0) / PAST_SCALE_KM), 0.0
                    )
                parts.append((w * wd, Sparse(idx, lik, len(b))))
    return mixture(parts)


def _between(
    index: LocateIndex, rel: Relation, *, halfway: bool, named: frozenset[int] = frozenset()
) -> np.ndarray | None:
    b = index.bins
    assert rel.other is not None
    parts = Mixture()  # summed as they come: many places, little memory
    for a, wa in mention_anchors(rel.anchor, index.anchors, limit=3):
        for c, wc in mention_anchors(rel.other, index.anchors, limit=3):
            for route, km_a in _walk_routes(index, a, named):
                km_c = dict(_walk_routes(index, c, named)).get(route)
                if km_c is None:
                    continue
                # the stretch between them: the shorter way round a loop
                length = b.route_length_km[route]
                fwd = (km_c - km_a) % length if b.route_loop[route] else km_c - km_a
                forward = fwd >= 0 and (not b.route_loop[route] or fwd <= length / 2)
                span = fwd if forward else (length - fwd if b.route_loop[route] else -fwd)
                idx, delta = along_part(b, route, km_a, forward=forward)
                if halfway:
                    lik = gaussian(delta - span / 2.0, max(0.3, 0.15 * span))
                else:
                    outside = np.maximum(np.maximum(-delta, delta - span), 0.0)
                    lik = gaussian(outside, 0.3)
                parts.append((wa * wc, Sparse(idx, lik, len(b))))
            if not parts:  # not on one route: around the straight middle
                mx, my = (a.x + c.x) / 2.0, (a.y + c.y) / 2.0
                half = float(np.hypot(a.x - c.x, a.y - c.y)) / 2.0
                parts.append((wa * wc * 0.5, b.near_part(mx, my, max(half, 500.0))))
    return mixture(parts)
