"""Case files of the locator's evaluation: what a caller said and where they really were.

The case file is JSON Lines, one object per case (:func:`load_cases`); the project's sets are
``tests/data/locate_cases.jsonl`` (team-written; ``tests/data/make_locate_cases.py``
documents how its truths were made) and ``tests/data/locate_real_cases.jsonl`` (real text,
:mod:`rescue.locate_eval.realcases`). The caller names the file: this package knows no
repository path.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from geodata.errors import DataValidationError
from routes.direction import DIRECTIONS

__all__ = ["CLUE_TYPES", "LANGUAGES", "Case", "Truth", "case_from", "json_lines", "load_cases"]

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


#: the keys every case must have
_REQUIRED = ("id", "text", "lang", "clue_types", "truth", "truth_segment_id")


def case_from(obj: Any, where: str, problems: list[str]) -> Case | None:
    """The :class:`Case` of one JSON value of a case file (``where`` names its line), or None
    with every problem added to ``problems``."""
    if not isinstance(obj, dict):
        problems.append(f"{where}: not a JSON object")
        return None
    missing = [f"missing {key!r}" for key in _REQUIRED if key not in obj]
    if missing:
        problems.append(f"{where}: " + "; ".join(missing))
        return None
    cid = obj["id"]
    bad = _text_problems(obj)
    clues = _clue_types(obj["clue_types"], bad)
    direction = obj.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        bad.append(f"direction {direction!r} is not null or one of {', '.join(DIRECTIONS)}")
    reported_at = _reported_at(obj.get("reported_at"), clues, bad)
    truth = _truth(obj["truth"], bad)
    alt = _alt_segment_ids(obj.get("alt_segment_ids") or [], bad)
    if bad or truth is None:
        problems.append(f"{where} ({cid}): " + "; ".join(bad))
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


def _text_problems(obj: dict[str, Any]) -> list[str]:
    bad = []
    cid = obj["id"]
    if not isinstance(cid, str) or not cid:
        bad.append(f"id {cid!r} is not a non-empty string")
    if not isinstance(obj["text"], str) or not obj["text"].strip():
        bad.append("text is empty")
    if obj["lang"] not in LANGUAGES:
        bad.append(f"lang {obj['lang']!r} is not one of {', '.join(LANGUAGES)}")
    return bad


def _clue_types(clues: Any, bad: list[str]) -> list[Any]:
    if not isinstance(clues, list) or not clues:
        bad.append("clue_types is not a non-empty list")
        clues = []
    unknown = [c for c in clues if c not in CLUE_TYPES]
    if unknown:
        bad.append(f"clue_types {unknown} not in {', '.join(CLUE_TYPES)}")
    return clues


def _reported_at(value: Any, clues: list[Any], bad: list[str]) -> datetime | None:
    reported_at = None
    if value is not None:
        try:
            reported_at = _parse_time(value)
        except ValueError as exc:
            bad.append(f"reported_at: {exc}")
    if "time" in clues and reported_at is None:
        bad.append("a time case needs reported_at")
    return reported_at


def _truth(t: Any, bad: list[str]) -> Truth | None:
    if not isinstance(t, dict):
        bad.append("truth is not an object")
        return None
    lon, lat = _number(t.get("lon")), _number(t.get("lat"))
    if lon is None or lat is None:
        bad.append(f"truth lon/lat {t.get('lon')!r}/{t.get('lat')!r} are not numbers")
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        bad.append(f"truth ({lon}, {lat}) is not a WGS84 lon/lat")
        return None
    km = _number(t.get("km"))
    if t.get("km") is not None and km is None:
        bad.append(f"truth km {t.get('km')!r} is not a number")
    return Truth(lon, lat, t.get("route_id"), km)


def _alt_segment_ids(alt: Any, bad: list[str]) -> list[str]:
    if not isinstance(alt, list) or not all(isinstance(a, str) for a in alt):
        bad.append("alt_segment_ids is not a list of strings")
        return []
    return alt


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
        case = case_from(obj, f"line {n}", problems)
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
