"""Readers for the raw region inputs (GPS track table, gazetteer, road list).

Each reader checks its file as a whole, collects every problem it finds (up to
``MAX_PROBLEMS``) and raises one :class:`~geodata.errors.DataValidationError` whose
message names the file, the line and the field of the first problem; ``details``
lists them all. Messages carry the file's name, never the server path.

Line numbers are those of the file as a text editor shows them: the header is
line 1, the first record line 2.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Collection, Iterable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geodata.errors import DataValidationError

__all__ = [
    "MAX_PROBLEMS",
    "TRACK_COLUMNS",
    "GAZETTEER_COLUMNS",
    "ROAD_COLUMNS",
    "COORD_QUALITIES",
    "read_tracks",
    "read_gazetteer",
    "read_roads",
]

MAX_PROBLEMS = 20
"""At most this many problems are listed in one error."""

TRACK_COLUMNS: tuple[str, ...] = ("track_id", "seq", "time_utc", "lon", "lat", "ele_m")
GAZETTEER_COLUMNS: tuple[str, ...] = (
    "id",
    "name_en",
    "aliases",
    "name_zh",
    "name_bo",
    "type",
    "lat",
    "lon",
    "elevation_m",
    "route",
    "kora_km",
    "coord_quality",
    "source",
    "notes",
)
ROAD_COLUMNS: tuple[str, ...] = (
    "id",
    "from",
    "from_id",
    "to",
    "to_id",
    "length_km",
    "length_basis",
    "surface",
    "vehicle_access",
    "uncertainty",
    "notes",
    "source",
)
COORD_QUALITIES: frozenset[str] = frozenset({"gps_published", "track_derived", "estimated"})

StrPath = str | PathLike[str]


class _Problems:
    """Collects problems of one file and raises them together."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.items: list[str] = []
        self.total = 0

    def add(self, line: int | None, field: str | None, text: str) -> None:
        self.total += 1
        if len(self.items) >= MAX_PROBLEMS:
            return
        where = [self.name]
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        self.items.append(", ".join(where) + ": " + text)

    def raise_if_any(self) -> None:
        if not self.total:
            return
        details = list(self.items)
        if self.total > len(self.items):
            details.append(f"... and {self.total - len(self.items)} more problem(s)")
        noun = "problem" if self.total == 1 else "problems"
        raise DataValidationError(
            f"{self.name}: {self.total} {noun} found; first: {self.items[0]}", details=details
        )


def _existing(path: StrPath) -> Path:
    p = Path(path)
    if not p.is_file():
        raise DataValidationError(f"{p.name}: file not found or not a regular file")
    return p


def _range_problem(value: float, lo: float, hi: float) -> str | None:
    if not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if not lo <= value <= hi:
        return f"{value!r} is outside [{lo:g}, {hi:g}]"
    return None


# --------------------------------------------------------------------------- tracks


def read_tracks(path: StrPath) -> pd.DataFrame:
    """Read and validate a GPS track-point table (CSV, optionally gzip-compressed).

    Parameters
    ----------
    path
        CSV file with the columns ``track_id, seq, time_utc, lon, lat, ele_m``
        (more columns are allowed and dropped). ``track_id`` is kept as text, so
        leading zeros survive. ``time_utc`` is ISO 8601; a time with an offset is
        converted to UTC, a time without one is taken as UTC. ``ele_m`` may be empty.

    Returns
    -------
    pandas.DataFrame
        The columns above in file order: ``track_id`` (str), ``seq`` (int64),
        ``time_utc`` (datetime64[ns, UTC]), ``lon``, ``lat``, ``ele_m`` (float64,
        NaN where empty).

    Raises
    ------
    DataValidationError
        If the file is missing or unreadable, a required column is missing, or any
        row has an empty ``track_id``, a non-integer ``seq``, an unparseable time, a
        longitude outside [-180, 180], a latitude outside [-90, 90], a non-numeric
        elevation, or repeats a ``(track_id, seq)`` pair. All problems (up to
        ``MAX_PROBLEMS``) are listed, each with its line number and field.
    """
    p = _existing(path)
    problems = _Problems(p)
    try:
        raw = pd.read_csv(
            p, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, EOFError) as exc:
        # pandas reports the line itself ("Expected 6 fields in line 17, saw 7")
        text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DataValidationError(f"{p.name}: cannot be parsed as CSV: {text}") from None
    except pd.errors.EmptyDataError:
        raise DataValidationError(f"{p.name}: file is empty") from None

    missing = [c for c in TRACK_COLUMNS if c not in raw.columns]
    if missing:
        problems.add(
            1, None, f"missing required column(s) {missing}; expected {list(TRACK_COLUMNS)}"
        )
        problems.raise_if_any()

    raw = raw.loc[:, list(TRACK_COLUMNS)].fillna("")
    line = np.arange(len(raw), dtype=np.int64) + 2
    track_id = raw["track_id"].str.strip()
    seq_num = pd.to_numeric(raw["seq"].str.strip(), errors="coerce")
    time = pd.to_datetime(raw["time_utc"].str.strip(), errors="coerce", utc=True, format="ISO8601")
    lon = pd.to_numeric(raw["lon"].str.strip(), errors="coerce")
    lat = pd.to_numeric(raw["lat"].str.strip(), errors="coerce")
    ele_text = raw["ele_m"].str.strip()
    ele = pd.to_numeric(ele_text, errors="coerce")

    seq_ok = seq_num.notna() & np.isfinite(seq_num) & (seq_num == np.floor(seq_num))
    checks: list[tuple[str, pd.Series, str]] = [
        ("track_id", track_id.eq(""), "is empty"),
        ("seq", ~seq_ok, "is not an integer"),
        ("time_utc", time.isna(), "is not an ISO 8601 time"),
        ("lon", ~lon.between(-180.0, 180.0), "is not a number in [-180, 180]"),
        ("lat", ~lat.between(-90.0, 90.0), "is not a number in [-90, 90]"),
        ("ele_m", ele_text.ne("") & ~np.isfinite(ele), "is not a number"),
    ]
    entries: list[tuple[int, str, str]] = []
    total = 0
    for field, bad, text in checks:
        idx = np.flatnonzero(bad.to_numpy())
        total += len(idx)
        entries += [
            (int(line[i]), field, f"{raw[field].iat[i]!r} {text}") for i in idx[:MAX_PROBLEMS]
        ]
    if not total:
        dup = pd.DataFrame({"t": track_id, "s": seq_num}).duplicated(keep="first").to_numpy()
        idx = np.flatnonzero(dup)
        total += len(idx)
        entries += [
            (int(line[i]), "seq", f"repeats seq {raw['seq'].iat[i]} of track {track_id.iat[i]!r}")
            for i in idx[:MAX_PROBLEMS]
        ]
    for ln, field, text in sorted(entries)[:MAX_PROBLEMS]:
        problems.add(ln, field, text)
    problems.total = total
    problems.raise_if_any()

    return pd.DataFrame(
        {
            "track_id": track_id.astype(str),
            "seq": seq_num.astype(np.int64),
            "time_utc": time.dt.as_unit("ns"),
            "lon": lon.astype(np.float64),
            "lat": lat.astype(np.float64),
            "ele_m": ele.astype(np.float64),
        }
    ).reset_index(drop=True)


# ------------------------------------------------------------------- small CSV tables


def _read_table(
    path: StrPath, required: Iterable[str]
) -> tuple[list[tuple[int, dict[str, str]]], _Problems]:
    """Read a small CSV with the csv module, keeping each record's first line number."""
    p = _existing(path)
    problems = _Problems(p)
    required = tuple(required)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, strict=True)
            header = next(reader, None)
            if header is None:
                raise DataValidationError(f"{p.name}: file is empty")
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                problems.add(
                    1, None, f"missing required column(s) {missing}; expected {list(required)}"
                )
                problems.raise_if_any()
            dupes = sorted({h for h in header if header.count(h) > 1})
            if dupes:
                problems.add(1, None, f"repeated column name(s) {dupes}")
                problems.raise_if_any()
            line = reader.line_num + 1
            for rec in reader:
                if not any(v.strip() for v in rec):
                    line = reader.line_num + 1
                    continue  # blank line
                if len(rec) != len(header):
                    problems.add(line, None, f"has {len(rec)} fields, the header has {len(header)}")
                else:
                    rows.append((line, {h: v.strip() for h, v in zip(header, rec, strict=True)}))
                line = reader.line_num + 1
    except UnicodeDecodeError:
        raise DataValidationError(f"{p.name}: is not UTF-8 text") from None
    except csv.Error as exc:
        raise DataValidationError(f"{p.name}: cannot be parsed as CSV: {exc}") from None
    return rows, problems


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _optional_float(
    problems: _Problems,
    line: int,
    field: str,
    text: str,
    lo: float = -math.inf,
    hi: float = math.inf,
) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        problems.add(line, field, f"{text!r} is not a number")
        return None
    bad = _range_problem(value, lo, hi)
    if bad:
        problems.add(line, field, bad)
        return None
    return value


def _required_float(
    problems: _Problems, line: int, field: str, text: str, lo: float, hi: float
) -> float:
    if text == "":
        problems.add(line, field, "is empty")
        return math.nan
    value = _optional_float(problems, line, field, text, lo, hi)
    return math.nan if value is None else value


def _check_ids(problems: _Problems, rows: list[tuple[int, dict[str, str]]]) -> None:
    first_line: dict[str, int] = {}
    for line, row in rows:
        rid = row["id"]
        if rid == "":
            problems.add(line, "id", "is empty")
        elif rid in first_line:
            problems.add(line, "id", f"{rid!r} repeats the id of line {first_line[rid]}")
        else:
            first_line[rid] = line


def read_gazetteer(path: StrPath) -> list[dict[str, Any]]:
    """Read and validate the gazetteer of named places.

    Parameters
    ----------
    path
        UTF-8 CSV with the columns of ``GAZETTEER_COLUMNS`` (more are kept as text).

    Returns
    -------
    list of dict
        One dict per place, in file order, with every column: ``lat``, ``lon`` as
        float; ``elevation_m`` and ``kora_km`` as float or None when empty;
        ``aliases`` and ``name_zh`` split on ``|`` into lists of str; the other
        columns as stripped str. Each dict also has ``line``, the record's line.

    Raises
    ------
    DataValidationError
        If the file is missing or malformed, a column is missing, an ``id`` is empty
        or repeated, ``lat``/``lon`` is empty, non-numeric or out of range,
        ``elevation_m``/``kora_km`` is neither empty nor a number (``kora_km`` must
        be >= 0), or ``coord_quality`` is not one of ``COORD_QUALITIES``.
    """
    rows, problems = _read_table(path, GAZETTEER_COLUMNS)
    _check_ids(problems, rows)
    places: list[dict[str, Any]] = []
    for line, row in rows:
        place: dict[str, Any] = dict(row)
        place["lat"] = _required_float(problems, line, "lat", row["lat"], -90.0, 90.0)
        place["lon"] = _required_float(problems, line, "lon", row["lon"], -180.0, 180.0)
        place["elevation_m"] = _optional_float(problems, line, "elevation_m", row["elevation_m"])
        place["kora_km"] = _optional_float(problems, line, "kora_km", row["kora_km"], 0.0)
        place["aliases"] = _split_list(row["aliases"])
        place["name_zh"] = _split_list(row["name_zh"])
        if row["name_en"] == "":
            problems.add(line, "name_en", "is empty")
        if row["coord_quality"] not in COORD_QUALITIES:
            problems.add(
                line,
                "coord_quality",
                f"{row['coord_quality']!r} is not one of {sorted(COORD_QUALITIES)}",
            )
        place["line"] = line
        places.append(place)
    problems.raise_if_any()
    return places


def _parse_length_km(text: str) -> tuple[float, float] | None:
    """``"5"`` -> (5, 5); ``"12-29"`` -> (12, 29); None when malformed."""
    parts = text.split("-")
    if len(parts) not in (1, 2):
        return None
    try:
        values = [float(v) for v in parts]
    except ValueError:
        return None
    lo, hi = values[0], values[-1]
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0 or hi < lo:
        return None
    return lo, hi


def read_roads(path: StrPath, *, place_ids: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Read and validate the list of road and vehicle-track segments.

    Parameters
    ----------
    path
        UTF-8 CSV with the columns of ``ROAD_COLUMNS`` (more are kept as text).
    place_ids
        Ids of the gazetteer places. When given, every non-empty ``from_id`` and
        ``to_id`` must be one of them.

    Returns
    -------
    list of dict
        One dict per road, in file order, with every column as stripped str except
        ``from_id``/``to_id`` (None when empty), plus ``length_km_min`` and
        ``length_km_max`` (float, parsed from ``length_km``, which is ``"5"`` or a
        range ``"12-29"``) and ``line``, the record's line.

    Raises
    ------
    DataValidationError
        If the file is missing or malformed, a column is missing, an ``id`` is empty
        or repeated, ``length_km`` is not a non-negative number or range, or (with
        ``place_ids``) a ``from_id``/``to_id`` names no place.
    """
    rows, problems = _read_table(path, ROAD_COLUMNS)
    _check_ids(problems, rows)
    known = None if place_ids is None else frozenset(place_ids)
    roads: list[dict[str, Any]] = []
    for line, row in rows:
        road: dict[str, Any] = dict(row)
        for field in ("from_id", "to_id"):
            ref = row[field] or None
            road[field] = ref
            if ref is not None and known is not None and ref not in known:
                problems.add(line, field, f"{ref!r} is not a gazetteer id")
        length = _parse_length_km(row["length_km"])
        if length is None:
            problems.add(
                line, "length_km", f"{row['length_km']!r} is not a number or a range like '12-29'"
            )
            length = (math.nan, math.nan)
        road["length_km_min"], road["length_km_max"] = length
        road["line"] = line
        roads.append(road)
    problems.raise_if_any()
    return roads
