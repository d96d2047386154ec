"""The locator's index of one route network, built once and kept in ``network.derived``.

:class:`LocateIndex`: the bins along every edge, located places, the name index (with the
region's extra aliases), sight-tag masks from ``cues.json`` and the slope masks, pace
quantiles, and the region's confidence numbers (``locate_confidence.json``: posterior and
stated temperature, misread share). :func:`get_index` builds or fetches it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

from geodata.errors import InvalidInput
from rescue.locate.belief import (
    ROUTE_PRIOR,
    Anchor,
    Bins,
    along,
    anchor_table,
    build_bins,
    fold_bins,
)
from rescue.locate.candidates import (
    CREDIBLE,
)
from rescue.locate.names import NameIndex
from rescue.locate.questions import TagMask

if TYPE_CHECKING:
    from routes import RouteNetwork

SNOW_LINE_M = 5_300.0
NEAR_ROAD_M = 300.0
#: A name read by sound or spelling ("Zunzhui Pu" taken for Zutul-puk) may be a misread: the
#: share of its likelihood that says nothing about where the caller is is ``1 - score`` of
#: its best reading (names.py: 0.95 for a romanisation fold, 0.9 x similarity for an edit),
#: never under ``misread_share`` of ``locate_confidence.json`` (this default without it).
#: An exact name keeps only ``belief.FLOOR``; a misread alone can then never be stated at
#: >= 0.8, and a clue that disagrees with it is not overruled.
MISREAD_SHARE = 0.15
#: "we keep climbing" / "一直在爬坡": the main route rises at least this (m per m, over
#: SLOPE_SPAN_M) in the walking direction; "downhill" / "下坡": falls at least this much
UPHILL_GRADE = 0.05
DOWNHILL_GRADE = 0.08
SLOPE_SPAN_M = 400.0
SLOPE_WEIGHT = 1.7
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


def _masks(index: LocateIndex) -> list[TagMask]:
    return [*index.tags.values(), *(tm for _, _, tm in index.features)]
