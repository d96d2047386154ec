"""Raw input readers: valid files parse; every bad row is named by file, line and field."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.errors import DataValidationError
from geodata.raw import (
    GAZETTEER_COLUMNS,
    MAX_PROBLEMS,
    ROAD_COLUMNS,
    read_gazetteer,
    read_roads,
    read_tracks,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "kailash"

TRACK_HEADER = "track_id,seq,time_utc,lon,lat,ele_m\n"
TRACK_ROWS = [
    "0012,0,2024-05-13T05:36:22+00:00,81.284650,30.977853,4658.7",
    "0012,1,2024-05-13T13:36:26+08:00,81.284744,30.977899,4648.1",
    "0012,2,2024-05-13T05:36:31Z,81.284661,30.977937,",
    "7,0,2024-05-14T06:00:00+00:00,81.3,31.1,4990",
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _tracks_file(tmp_path: Path, rows: list[str], name: str = "tracks.csv") -> Path:
    return _write(tmp_path / name, TRACK_HEADER + "\n".join(rows) + "\n")


# ------------------------------------------------------------------------ tracks


def test_read_tracks_valid(tmp_path: Path) -> None:
    df = read_tracks(_tracks_file(tmp_path, TRACK_ROWS))
    assert list(df.columns) == ["track_id", "seq", "time_utc", "lon", "lat", "ele_m"]
    assert list(df["track_id"]) == ["0012", "0012", "0012", "7"]  # leading zeros kept
    assert df["seq"].dtype == np.int64
    assert str(df["time_utc"].dt.tz) == "UTC"
    # +08:00 is converted to UTC
    assert df["time_utc"].iloc[1] == pd.Timestamp("2024-05-13T05:36:26Z")
    assert df["lon"].dtype == np.float64 and df["lat"].dtype == np.float64
    assert math.isnan(df["ele_m"].iloc[2])  # empty elevation allowed
    assert df["ele_m"].iloc[3] == 4990.0


def test_read_tracks_gzip(tmp_path: Path) -> None:
    path = tmp_path / "tracks.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(TRACK_HEADER + "\n".join(TRACK_ROWS) + "\n")
    assert len(read_tracks(path)) == 4


def test_malformed_tracks_name_file_line_and_field(tmp_path: Path) -> None:
    rows = list(TRACK_ROWS)
    rows[1] = "0012,1,2024-05-13T05:36:26Z,81.284744,95.5,4648.1"  # line 3: lat
    rows[2] = "0012,2,yesterday,81.284661,30.977937,"  # line 4: time
    path = _tracks_file(tmp_path, rows, "bad_tracks.csv")
    with pytest.raises(DataValidationError) as info:
        read_tracks(path)
    err = info.value
    assert "bad_tracks.csv" in err.message
    assert "line 3" in err.message and "'lat'" in err.message
    assert "2 problems" in err.message
    assert any("line 4" in d and "'time_utc'" in d and "yesterday" in d for d in err.details)
    assert str(tmp_path) not in str(err)  # no server paths in user-facing messages


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",0,2024-05-13T05:36:22Z,81.2,30.9,4658.7", "track_id"),
        ("0012,x,2024-05-13T05:36:22Z,81.2,30.9,4658.7", "seq"),
        ("0012,1.5,2024-05-13T05:36:22Z,81.2,30.9,4658.7", "seq"),
        ("0012,0,,81.2,30.9,4658.7", "time_utc"),
        ("0012,0,2024-13-45T05:36:22Z,81.2,30.9,4658.7", "time_utc"),
        ("0012,0,2024-05-13T05:36:22Z,181.0,30.9,4658.7", "lon"),
        ("0012,0,2024-05-13T05:36:22Z,east,30.9,4658.7", "lon"),
        ("0012,0,2024-05-13T05:36:22Z,81.2,-90.5,4658.7", "lat"),
        ("0012,0,2024-05-13T05:36:22Z,81.2,,4658.7", "lat"),
        ("0012,0,2024-05-13T05:36:22Z,81.2,30.9,high", "ele_m"),
        ("0012,0,2024-05-13T05:36:22Z,81.2,30.9,inf", "ele_m"),
    ],
)
def test_each_bad_field_is_reported(tmp_path: Path, row: str, field: str) -> None:
    path = _tracks_file(tmp_path, [TRACK_ROWS[3], row])
    with pytest.raises(DataValidationError, match=rf"tracks\.csv, line 3, field '{field}'"):
        read_tracks(path)


def test_repeated_seq_is_reported(tmp_path: Path) -> None:
    rows = [*TRACK_ROWS, "0012,1,2024-05-13T05:40:00Z,81.28,30.97,4650"]
    with pytest.raises(DataValidationError, match=r"line 6, field 'seq': repeats seq 1"):
        read_tracks(_tracks_file(tmp_path, rows))


def test_problems_are_capped(tmp_path: Path) -> None:
    rows = [f"0012,{i},2024-05-13T05:36:22Z,81.2,99.0,4658.7" for i in range(MAX_PROBLEMS + 10)]
    with pytest.raises(DataValidationError) as info:
        read_tracks(_tracks_file(tmp_path, rows))
    details = info.value.details
    assert len(details) == MAX_PROBLEMS + 1
    assert details[-1] == "... and 10 more problem(s)"
    assert f"{MAX_PROBLEMS + 10} problems" in info.value.message


def test_missing_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "t.csv", "track_id,seq,time_utc,lon,ele_m\n1,0,2024-05-13T05:36:22Z,81,4000\n"
    )
    with pytest.raises(
        DataValidationError, match=r"t\.csv, line 1: missing required column.*'lat'"
    ):
        read_tracks(path)


def test_ragged_row(tmp_path: Path) -> None:
    path = _tracks_file(tmp_path, [TRACK_ROWS[0], TRACK_ROWS[1] + ",extra"])
    with pytest.raises(DataValidationError, match=r"tracks\.csv.*line 3"):
        read_tracks(path)


@pytest.mark.parametrize("reader", [read_tracks, read_gazetteer, read_roads])
def test_missing_and_empty_files(tmp_path: Path, reader: object) -> None:
    with pytest.raises(DataValidationError, match="nope.csv: file not found"):
        reader(tmp_path / "nope.csv")  # type: ignore[operator]
    with pytest.raises(DataValidationError, match="empty"):
        reader(_write(tmp_path / "empty.csv", ""))  # type: ignore[operator]


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.from_regex(r"[0-9]{1,5}", fullmatch=True),
            st.integers(0, 10**6),
            st.datetimes(
                min_value=pd.Timestamp("2000-01-01"), max_value=pd.Timestamp("2030-01-01")
            ),
            st.floats(-180, 180),
            st.floats(-90, 90),
            st.one_of(st.none(), st.floats(-500, 9000)),
        ),
        min_size=1,
        max_size=20,
        unique_by=lambda r: (r[0], r[1]),
    )
)
def test_read_tracks_round_trip(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple]
) -> None:  # type: ignore[type-arg]
    lines = [
        f"{tid},{seq},{dt.isoformat()}Z,{lon!r},{lat!r},{'' if ele is None else repr(ele)}"
        for tid, seq, dt, lon, lat, ele in rows
    ]
    df = read_tracks(_tracks_file(tmp_path_factory.mktemp("rt"), lines))
    assert list(df["track_id"]) == [r[0] for r in rows]
    assert list(df["seq"]) == [r[1] for r in rows]
    assert list(df["lon"]) == [r[3] for r in rows]
    assert list(df["lat"]) == [r[4] for r in rows]
    expected_times = [pd.Timestamp(r[2], tz="UTC") for r in rows]
    assert list(df["time_utc"]) == expected_times


# ---------------------------------------------------------------------- gazetteer

GAZ_HEADER = ",".join(GAZETTEER_COLUMNS) + "\n"
GAZ_ROWS = [
    "darchen_kora_gate,Darchen kora gate,kora entrance|ticket office,"
    "景区售票处|转山起点,,trailhead,"
    '30.978210,81.283680,4670,outer_kora,0.0,track_derived,"Karo tracks, Wong","notes, with comma"',
    "gesar_dice,Gesar dice,,,,sacred_site,31.054247,81.283932,,outer_kora,10.8,estimated,x,",
]


def _gaz(tmp_path: Path, rows: list[str]) -> Path:
    return _write(tmp_path / "gazetteer.csv", GAZ_HEADER + "\n".join(rows) + "\n")


def test_read_gazetteer_valid(tmp_path: Path) -> None:
    places = read_gazetteer(_gaz(tmp_path, GAZ_ROWS))
    gate, dice = places
    assert gate["id"] == "darchen_kora_gate"
    assert gate["aliases"] == ["kora entrance", "ticket office"]
    assert gate["name_zh"] == ["景区售票处", "转山起点"]
    assert gate["lat"] == 30.97821 and gate["lon"] == 81.28368
    assert gate["elevation_m"] == 4670.0 and gate["kora_km"] == 0.0
    assert gate["source"] == "Karo tracks, Wong" and gate["notes"] == "notes, with comma"
    assert gate["line"] == 2
    assert dice["elevation_m"] is None and dice["aliases"] == [] and dice["name_zh"] == []
    assert dice["line"] == 3


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        (("31.054247", "91.5"), "lat", "outside [-90, 90]"),
        (("81.283932", ""), "lon", "is empty"),
        (("81.283932", "E81"), "lon", "not a number"),
        (("10.8", "ten"), "kora_km", "not a number"),
        (("10.8", "-1"), "kora_km", "outside"),
        (("outer_kora,10.8,estimated", "outer_kora,10.8,guessed"), "coord_quality", "not one of"),
        (
            ("gesar_dice,Gesar dice", "darchen_kora_gate,Gesar dice"),
            "id",
            "repeats the id of line 2",
        ),
        (("gesar_dice,Gesar dice", ",Gesar dice"), "id", "is empty"),
        (("gesar_dice,Gesar dice", "gesar_dice,"), "name_en", "is empty"),
    ],
)
def test_bad_gazetteer_rows(tmp_path: Path, change: tuple[str, str], field: str, text: str) -> None:
    rows = [GAZ_ROWS[0], GAZ_ROWS[1].replace(*change)]
    with pytest.raises(DataValidationError) as info:
        read_gazetteer(_gaz(tmp_path, rows))
    assert f"gazetteer.csv, line 3, field '{field}'" in info.value.message
    assert text in info.value.message


def test_gazetteer_elevation_must_be_numeric(tmp_path: Path) -> None:
    rows = [GAZ_ROWS[0].replace(",4670,", ",about 4670,")]
    with pytest.raises(DataValidationError, match="line 2, field 'elevation_m'"):
        read_gazetteer(_gaz(tmp_path, rows))


def test_gazetteer_wrong_field_count_and_missing_column(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="line 3: has 3 fields, the header has 14"):
        read_gazetteer(_gaz(tmp_path, [GAZ_ROWS[0], "a,b,c"]))
    header = GAZ_HEADER.replace(",kora_km", "")
    path = _write(tmp_path / "g2.csv", header)
    with pytest.raises(DataValidationError, match="missing required column.*kora_km"):
        read_gazetteer(path)


# -------------------------------------------------------------------------- roads

ROAD_HEADER = ",".join(ROAD_COLUMNS) + "\n"
ROAD_ROWS = [
    "darchen_g219,Darchen,darchen,G219 turn-off,,5,published,paved,public,medium,spur,src",
    "darchen_barkha,Darchen,darchen,Barkha,barkha,12-29,"
    '"conflicting, see notes",paved,public,high,,src',
]


def _roads(tmp_path: Path, rows: list[str]) -> Path:
    return _write(tmp_path / "roads.csv", ROAD_HEADER + "\n".join(rows) + "\n")


def test_read_roads_valid(tmp_path: Path) -> None:
    g219, barkha = read_roads(_roads(tmp_path, ROAD_ROWS))
    assert g219["from_id"] == "darchen" and g219["to_id"] is None
    assert (g219["length_km_min"], g219["length_km_max"]) == (5.0, 5.0)
    assert (barkha["length_km_min"], barkha["length_km_max"]) == (12.0, 29.0)
    assert barkha["length_basis"] == "conflicting, see notes"
    assert barkha["line"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("12-29", "29-12"), "length_km"),
        (("12-29", "about 12"), "length_km"),
        (("12-29", ""), "length_km"),
        (("darchen_barkha,", "darchen_g219,"), "id"),
    ],
)
def test_bad_road_rows(tmp_path: Path, change: tuple[str, str], field: str) -> None:
    rows = [ROAD_ROWS[0], ROAD_ROWS[1].replace(*change)]
    with pytest.raises(DataValidationError, match=rf"roads\.csv, line 3, field '{field}'"):
        read_roads(_roads(tmp_path, rows))


def test_road_references_checked_against_places(tmp_path: Path) -> None:
    path = _roads(tmp_path, ROAD_ROWS)
    assert len(read_roads(path, place_ids={"darchen", "barkha"})) == 2
    with pytest.raises(
        DataValidationError, match=r"line 3, field 'to_id': 'barkha' is not a gazetteer id"
    ):
        read_roads(path, place_ids={"darchen"})


# ---------------------------------------------------------------------- real data


@pytest.mark.shared_data
def test_real_inputs_are_valid() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"raw Kailash data not found at {SHARED}")
    places = read_gazetteer(SHARED / "gazetteer.csv")
    assert len(places) == 90
    roads = read_roads(SHARED / "roads.csv", place_ids={p["id"] for p in places})
    assert len(roads) == 20
    tracks = read_tracks(SHARED / "tracks_train.csv.gz")
    assert tracks["track_id"].nunique() == 447
    assert tracks["track_id"].str.len().min() >= 4  # ids like "0012" keep their zeros
