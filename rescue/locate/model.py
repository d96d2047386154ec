"""Values passed between the parts of the locator.

``names`` finds place and feature mentions in the text, ``coords`` reads
coordinates, ``clues`` turns the text into :class:`Clues`, ``belief`` weighs
positions along the network by them, ``questions`` picks what to ask next.
All values are frozen; distances in metres, durations in seconds, times as
timezone-aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from geodata.i18n import text as in_language
from routes.direction import Direction

__all__ = [
    "Mention",
    "CoordinateReading",
    "Relation",
    "ElapsedTime",
    "ElevationClue",
    "SightClue",
    "Clues",
    "Candidate",
    "Question",
    "LocateResult",
    "RouteRange",
    "Direction",
    "RELATION_KINDS",
    "SIGHT_TAGS",
]

#: How a position relates to a mentioned place.
#: at / near: around it; past / after: beyond it in the walking direction; before: not yet
#: there; between: between two places; halfway: the middle of two places; below / above:
#: lower / higher than it, nearby; across_river: on the other bank, nearby; down_from:
#: on the way down from it (after it, lower); up_to: climbing towards it (before it, lower).
RELATION_KINDS = (
    "at",
    "near",
    "past",
    "after",
    "before",
    "between",
    "halfway",
    "below",
    "above",
    "across_river",
    "down_from",
    "up_to",
)

#: What a caller can see or feel; the region's ``cues.json`` says where each holds.
SIGHT_TAGS = (
    "north_face",  # Kailash's north face up close (Drirapuk)
    "west_face",  # the west face across the valley (west valley)
    "south_face",  # the south face (Darchen side, Tarboche, inner kora)
    "green_lake",  # a (green) lake below the trail (Gauri Kund, below Drolma La)
    "big_lake",  # Lake Manasarovar / Rakshastal in view
    "prayer_flags",  # masses of prayer flags (Tarboche flagpole, Drolma La)
    "steep_rocky",  # steep climb or descent over boulders / scree
    "river",  # walking beside a river
    "bridge",  # crossing or at a bridge
    "glacier",  # a glacier in view
    "monastery",  # a monastery in view
    "cave",  # a cave / meditation cave
    "clothes",  # piles of clothes (Shiva-tsal)
    "snow",  # snow underfoot
    "road",  # a road or vehicles nearby
    "tents",  # tea tents / supply tents
    "flat_plain",  # open flat plain
    "uphill",  # the path climbs the way the caller walks
    "downhill",  # the path falls the way the caller walks
)


@dataclass(frozen=True)
class Mention:
    """A stretch of the text that names a place or a kind of feature.

    Attributes
    ----------
    start, end
        Character offsets of the mention in the (NFC-normalised) text.
    text
        The words as written.
    place_ids
        Candidate places with match scores in 0-1, best first. A generic
        feature word ("monastery", "寺") lists every place of that type.
    feature
        For a generic feature word: the gazetteer type or sight tag it names
        (``"monastery"``, ``"bridge"``, ``"supply_point"``, ``"flagpole"`` …); None
        for a proper name.
    read_as
        For a misspelt or sound-alike word: the name it was taken for, as the gazetteer
        spells it ("Dheerapuk" → "dira puk"); None for an exact or folded match.
    """

    start: int
    end: int
    text: str
    place_ids: tuple[tuple[str, float], ...]
    feature: str | None = None
    read_as: str | None = None


@dataclass(frozen=True)
class CoordinateReading:
    """One way to read a coordinate written in the text.

    ``label`` names the reading ("decimal degrees, lat first", "UTM 44N", …);
    ``uncertainty_m`` reflects the number of digits given.
    """

    lon: float
    lat: float
    label: str
    text: str
    uncertainty_m: float


@dataclass(frozen=True)
class Relation:
    """The caller's position relative to one or two mentioned places.

    ``distance_m`` / ``duration_s`` are (low, high) ranges when the text gives
    an amount ("2 km past", "two hours before"); ``direction`` is the walking
    direction the words imply, if any.
    """

    kind: str
    anchor: Mention
    other: Mention | None = None
    distance_m: tuple[float, float] | None = None
    duration_s: tuple[float, float] | None = None
    text: str = ""


@dataclass(frozen=True)
class ElapsedTime:
    """Walking since leaving ``origin`` at ``departed_at``; ``reported_at`` is now."""

    origin: Mention
    departed_at: datetime
    reported_at: datetime
    text: str = ""

    @property
    def elapsed_s(self) -> float:
        return (self.reported_at - self.departed_at).total_seconds()


@dataclass(frozen=True)
class ElevationClue:
    """An altitude the caller reads off an altimeter or a phone."""

    elevation_m: float
    tolerance_m: float
    text: str = ""


@dataclass(frozen=True)
class SightClue:
    """Something the caller can (or, if ``negated``, cannot) see or feel."""

    tag: str
    negated: bool = False
    text: str = ""
    #: character offsets of the words in ``Clues.text`` (-1 when unknown)
    start: int = -1
    end: int = -1


@dataclass(frozen=True)
class Clues:
    """Everything understood from one description."""

    text: str
    mentions: tuple[Mention, ...] = ()
    relations: tuple[Relation, ...] = ()
    elapsed: tuple[ElapsedTime, ...] = ()
    elevations: tuple[ElevationClue, ...] = ()
    coordinates: tuple[CoordinateReading, ...] = ()
    sights: tuple[SightClue, ...] = ()
    direction: Direction | None = None
    language: str = "en"  # "en", "zh" or "mixed"
    #: what was set aside or weighed down, and why (English; a :class:`~geodata.i18n.Said`
    #: renders in Chinese too)
    notes: tuple[str, ...] = field(default=())
    #: (start, end) of the mentions of places the caller sees, not where they are
    in_view: tuple[tuple[int, int], ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing usable was understood."""
        return not (
            self.mentions
            or self.relations
            or self.elapsed
            or self.elevations
            or self.coordinates
            or self.sights
        )

    def interpreted(self) -> dict[str, Any]:
        """A JSON-ready echo of the clues, for the API's ``interpreted`` member."""

        def mention(m: Mention) -> dict[str, Any]:
            return {
                "text": m.text,
                "place_ids": [p for p, _ in m.place_ids[:5]],
                "feature": m.feature,
            }

        return {
            "language": self.language,
            "direction": self.direction,
            "places": [mention(m) for m in self.mentions],
            "relations": [
                {
                    "kind": r.kind,
                    "anchor": mention(r.anchor),
                    "other": mention(r.other) if r.other else None,
                    "distance_m": list(r.distance_m) if r.distance_m else None,
                    "duration_s": list(r.duration_s) if r.duration_s else None,
                    "text": r.text,
                }
                for r in self.relations
            ],
            "elapsed": [
                {
                    "origin": mention(e.origin),
                    "departed_at": e.departed_at.isoformat(),
                    "reported_at": e.reported_at.isoformat(),
                    "elapsed_s": e.elapsed_s,
                    "text": e.text,
                }
                for e in self.elapsed
            ],
            "elevations_m": [
                {"elevation_m": e.elevation_m, "tolerance_m": e.tolerance_m, "text": e.text}
                for e in self.elevations
            ],
            "coordinates": [
                {
                    "lon": c.lon,
                    "lat": c.lat,
                    "reading": in_language(c.label, "en"),
                    "reading_zh": in_language(c.label, "zh"),
                    "text": c.text,
                }
                for c in self.coordinates
            ],
            "sights": [{"tag": s.tag, "negated": s.negated, "text": s.text} for s in self.sights],
            "notes": [in_language(n, "en") for n in self.notes],
            "notes_zh": [in_language(n, "zh") for n in self.notes],
        }


@dataclass(frozen=True)
class Candidate:
    """A segment where the caller may be.

    ``lon``/``lat`` is the most probable point on it, ``km_range`` the stretch
    (km along its route) holding 80 % of the segment's probability, and
    ``stretch`` that stretch as GeoJSON LineString coordinates ``[[lon, lat], …]``
    for highlighting on the map.
    """

    segment_id: str
    name_en: str
    name_zh: str
    route_id: str | None
    lon: float
    lat: float
    probability: float
    km_range: tuple[float, float] | None
    evidence: tuple[str, ...]
    stretch: tuple[tuple[float, float], ...] = ()
    #: the evidence in Chinese (place names in Chinese), one for each of ``evidence``
    evidence_zh: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "name": {"en": self.name_en, "zh": self.name_zh},
            "route_id": self.route_id,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "probability": round(self.probability, 4),
            "km_range": [round(k, 2) for k in self.km_range] if self.km_range else None,
            "evidence": list(self.evidence),
            "evidence_zh": list(self.evidence_zh or self.evidence),
            "stretch": {
                "type": "LineString",
                "coordinates": [[round(x, 6), round(y, 6)] for x, y in self.stretch],
            }
            if len(self.stretch) >= 2
            else None,
        }


@dataclass(frozen=True)
class Question:
    """A follow-up question and the words each answer adds to the description."""

    question_id: str
    text_en: str
    text_zh: str
    yes_en: str
    yes_zh: str
    no_en: str
    no_zh: str
    expected_gain_bits: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.question_id,
            "text": {"en": self.text_en, "zh": self.text_zh},
            "answers": {
                "yes": {"en": self.yes_en, "zh": self.yes_zh},
                "no": {"en": self.no_en, "zh": self.no_zh},
            },
            "expected_gain_bits": round(self.expected_gain_bits, 3),
        }


@dataclass(frozen=True)
class RouteRange:
    """A credible stretch along one route: ``km_from`` → ``km_to`` in walking order
    (``km_from > km_to`` when it spans km 0 of a loop) and the median position."""

    route_id: str
    km_from: float
    km_to: float
    median_km: float

    def __getitem__(self, i: int) -> Any:  # (route_id, km_from, km_to) as a tuple
        return (self.route_id, self.km_from, self.km_to)[i]

    def to_dict(self) -> dict[str, Any]:
        return {
            "route_id": self.route_id,
            "km": [round(self.km_from, 2), round(self.km_to, 2)],
            "median_km": round(self.median_km, 2),
        }


@dataclass(frozen=True)
class LocateResult:
    """What ``locate`` returns: ranked candidates, questions to ask, the clues understood."""

    candidates: tuple[Candidate, ...]
    questions: tuple[Question, ...]
    clues: Clues
    #: the stretch of the most probable route holding 80 % of the probability on it
    range_80: RouteRange | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "questions": [q.to_dict() for q in self.questions],
            "interpreted": self.clues.interpreted(),
            "range_80": self.range_80.to_dict() if self.range_80 else None,
        }
