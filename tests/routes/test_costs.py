"""Travel-time profiles: direction, altitude, profile order, bad input, JSON round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.errors import InvalidInput
from routes.costs import (
    DEFAULT_PROFILES,
    DEFAULT_VEHICLE_SPEED_KPH,
    PROFILES,
    Profile,
    WalkingModel,
    duration_s,
    get_profile,
    load_model,
    reverse_pieces,
    vehicle_speed_mps,
)

# a model of the kind the calibration fits (asymmetric, altitude term, rests)
MODEL = WalkingModel(
    flat_speed_mps=1.1,
    grade_coeff_up=4.0,
    grade_coeff_down=2.0,
    optimum_grade=-0.02,
    altitude_slowdown_per_1000m=0.2,
    reference_elevation_m=4670.0,
    rest_allowance=0.35,
)
FLAT = np.array([[1000.0, 0.0, 4800.0]])
STEEP_UP = np.array([[500.0, 100.0, 4800.0], [500.0, 100.0, 4900.0]])  # 20 % up


def dur(profile: str | Profile, pieces: np.ndarray, surface: str = "unknown") -> float:
    return duration_s(profile, pieces, surface=surface, model=MODEL)


@pytest.mark.parametrize("profile", [p for p in PROFILES if p != "vehicle"])
def test_uphill_slower_than_downhill_on_steep_grades(profile: str) -> None:
    up = dur(profile, STEEP_UP)
    down = dur(profile, reverse_pieces(STEEP_UP))
    assert up > 1.5 * down > 0


def test_vehicle_uphill_slower_than_downhill() -> None:
    assert dur("vehicle", STEEP_UP, "gravel") > dur("vehicle", reverse_pieces(STEEP_UP), "gravel")


@pytest.mark.parametrize("profile", PROFILES)
def test_flat_is_symmetric(profile: str) -> None:
    assert dur(profile, FLAT) == pytest.approx(dur(profile, reverse_pieces(FLAT)), rel=1e-12)


@pytest.mark.parametrize("profile", ["pilgrim", "rescue_team", "stretcher_carry"])
def test_altitude_slows_walkers(profile: str) -> None:
    low = np.array([[1000.0, 0.0, 4600.0]])
    high = np.array([[1000.0, 0.0, 5600.0]])
    assert dur(profile, high) > dur(profile, low)


def test_vehicle_ignores_altitude() -> None:
    low = np.array([[1000.0, 0.0, 4600.0]])
    high = np.array([[1000.0, 0.0, 5600.0]])
    assert dur("vehicle", high, "paved") == dur("vehicle", low, "paved")


def test_rescue_team_feels_altitude_less() -> None:
    ratio = {
        p: dur(p, np.array([[1000.0, 0.0, 5600.0]])) / dur(p, np.array([[1000.0, 0.0, 4600.0]]))
        for p in ("pilgrim", "rescue_team")
    }
    assert 1.0 < ratio["rescue_team"] < ratio["pilgrim"]


@pytest.mark.parametrize("pieces", [FLAT, STEEP_UP, reverse_pieces(STEEP_UP)])
def test_profile_order(pieces: np.ndarray) -> None:
    team, pilgrim, carry = (dur(p, pieces) for p in ("rescue_team", "pilgrim", "stretcher_carry"))
    assert 0 < team < pilgrim < carry


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("surface", ["paved", "dirt track", "rock", "unknown", "???"])
def test_all_profiles_positive_and_finite(profile: str, surface: str) -> None:
    for pieces in (FLAT, STEEP_UP, reverse_pieces(STEEP_UP)):
        d = dur(profile, pieces, surface)
        assert math.isfinite(d) and d > 0


def test_stretcher_carry_takes_hours_for_a_few_km() -> None:
    # DOMAIN.md: a 3 km carry-out takes hours
    three_km = np.array([[3000.0, 60.0, 4750.0]])
    assert 2 * 3600 < dur("stretcher_carry", three_km) < 5 * 3600


def test_rescue_team_speed_is_plausible() -> None:
    # about 4 km/h including stops on the flat at 4,800 m
    kmh = 1000.0 / dur("rescue_team", FLAT) * 3.6
    assert 3.0 < kmh < 5.0


def test_empty_and_zero_length_pieces_take_no_time() -> None:
    assert dur("pilgrim", np.zeros((0, 3))) == 0.0
    assert dur("pilgrim", np.array([[0.0, 5.0, 4700.0]])) == 0.0


def test_tobler_reference() -> None:
    tob = WalkingModel.tobler()
    assert float(tob.speed_mps(0.0, 4670.0)) * 3.6 == pytest.approx(5.04, abs=0.01)
    assert float(tob.speed_mps(-0.05, 9000.0)) * 3.6 == pytest.approx(6.0)  # no altitude term


def test_speed_is_vectorised() -> None:
    v = MODEL.speed_mps(np.array([-0.2, 0.0, 0.2]), np.array([4700.0, 4700.0, 4700.0]))
    assert v.shape == (3,) and v[1] > v[0] > v[2] > 0


@pytest.mark.parametrize(
    ("surface", "kph"),
    [
        ("paved", 50.0),
        ("Paved (G219)", 50.0),
        ("paved to near Chiu", 50.0),
        ("dirt track", 10.0),
        ("dirt_track", 10.0),
        ("dirt/gravel", 15.0),
        ("dirt/rock", 6.0),
        ("unknown (graded road)", DEFAULT_VEHICLE_SPEED_KPH),
        ("mixed: short paved parts, mostly gravel/rock track", DEFAULT_VEHICLE_SPEED_KPH),
        ("", DEFAULT_VEHICLE_SPEED_KPH),
        (None, DEFAULT_VEHICLE_SPEED_KPH),
    ],
)
def test_vehicle_speed_by_surface(surface: str | None, kph: float) -> None:
    assert vehicle_speed_mps(surface) * 3.6 == pytest.approx(kph)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"profile": "donkey"}, "donkey"),
        ({"profile": 3}, "allowed: pilgrim, rescue_team, stretcher_carry, horse, vehicle"),
        ({"pieces": [[-1.0, 0.0, 4700.0]]}, "length_m=-1.0"),
        ({"pieces": [[10.0, float("nan"), 4700.0]]}, "rise_m=nan"),
        ({"pieces": [[10.0, 0.0, float("inf")]]}, "mean_elevation_m=inf"),
        ({"pieces": [[10.0, 0.0]]}, "shape"),
        ({"pieces": [["a", 0.0, 1.0]]}, "numeric"),
        ({"surface": 5}, "surface"),
        ({"model": {"flat_speed_mps": 1.0}}, "WalkingModel"),
    ],
)
def test_bad_input_raises(kwargs: dict[str, object], needle: str) -> None:
    args: dict[str, object] = {
        "profile": "pilgrim",
        "pieces": FLAT,
        "surface": "dirt",
        "model": MODEL,
    }
    args.update(kwargs)
    with pytest.raises(InvalidInput) as info:
        duration_s(
            args["profile"],  # type: ignore[arg-type]
            args["pieces"],  # type: ignore[arg-type]
            surface=args["surface"],  # type: ignore[arg-type]
            model=args["model"],  # type: ignore[arg-type]
        )
    assert needle in str(info.value)


def test_unknown_profile_names_allowed_set() -> None:
    with pytest.raises(InvalidInput, match="unknown profile 'walker'; allowed: pilgrim"):
        get_profile("walker")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"flat_speed_mps": 0.0},
        {"grade_coeff_up": -1.0},
        {"altitude_slowdown_per_1000m": -0.1},
        {"rest_allowance": float("nan")},
        {"optimum_grade": 0.9},
    ],
)
def test_invalid_model_parameters(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidInput):
        WalkingModel(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": "boat"},
        {"pace_multiplier": 0.0},
        {"altitude_sensitivity": -1.0},
        {"rest_allowance": -0.1},
        {"max_grade": float("inf")},
    ],
)
def test_invalid_profile(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Profile("custom", **kwargs)  # type: ignore[arg-type]


def test_custom_profile_is_accepted() -> None:
    horse = Profile("horse", pace_multiplier=0.6, altitude_sensitivity=0.3, rest_allowance=0.1)
    assert 0 < dur(horse, FLAT) < dur("pilgrim", FLAT)


def test_model_json_round_trip() -> None:
    text = json.dumps(MODEL.to_dict())
    assert load_model(json.loads(text)) == MODEL


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ("test", "JSON object"),
        ({}, "format"),
        ({**MODEL.to_dict(), "flat_speed_mps": "fast"}, "not a number"),
        ({**MODEL.to_dict(), "extra": 1}, "unknown key 'extra'"),
        ({k: v for k, v in MODEL.to_dict().items() if k != "rest_allowance"}, "rest_allowance"),
        ({**MODEL.to_dict(), "flat_speed_mps": -1.0}, "flat_speed_mps"),
    ],
)
def test_load_model_rejects_bad_data(data: object, needle: str) -> None:
    with pytest.raises(InvalidInput) as info:
        load_model(data)  # type: ignore[arg-type]
    assert needle in str(info.value)


def test_default_profiles_are_read_only() -> None:
    with pytest.raises(TypeError):
        DEFAULT_PROFILES["pilgrim"] = Profile("x")  # type: ignore[index]
    assert tuple(DEFAULT_PROFILES) == PROFILES


# ---------------------------------------------------------------------------- properties

piece = st.tuples(
    st.floats(0.5, 500.0),  # length_m
    st.floats(-1.0, 1.0),  # grade
    st.floats(3000.0, 6000.0),  # elevation_m
).map(lambda p: (p[0], p[0] * p[1], p[2]))
pieces_st = st.lists(piece, min_size=1, max_size=12).map(lambda ps: np.array(ps, dtype=float))


@settings(max_examples=150, deadline=None, database=None)
@given(pieces=pieces_st, profile=st.sampled_from(PROFILES), cut=st.integers(0, 12))
def test_duration_positive_and_additive(pieces: np.ndarray, profile: str, cut: int) -> None:
    whole = dur(profile, pieces, "gravel")
    assert math.isfinite(whole) and whole > 0
    cut = min(cut, len(pieces))
    parts = dur(profile, pieces[:cut], "gravel") + dur(profile, pieces[cut:], "gravel")
    assert parts == pytest.approx(whole, rel=1e-9)


@settings(max_examples=100, deadline=None, database=None)
@given(
    length=st.floats(1.0, 1000.0),
    grade=st.floats(-0.5, 0.5),
    elevation=st.floats(4000.0, 6000.0),
    profile=st.sampled_from(PROFILES),
)
def test_splitting_a_piece_in_halves_changes_nothing(
    length: float, grade: float, elevation: float, profile: str
) -> None:
    one = np.array([[length, grade * length, elevation]])
    two = np.array([[length / 2, grade * length / 2, elevation]] * 2)
    assert dur(profile, two) == pytest.approx(dur(profile, one), rel=1e-9)


@settings(max_examples=100, deadline=None, database=None)
@given(pieces=pieces_st)
def test_reverse_twice_is_identity(pieces: np.ndarray) -> None:
    np.testing.assert_array_equal(reverse_pieces(reverse_pieces(pieces)), pieces)
