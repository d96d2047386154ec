"""The folium map of a region: layers, styles and the hooks for the page's own JS.

Everything the page loads comes from the app (``/static/...``): the folium map's
default JS/CSS lists point at the vendored copies, and the default base layer
is the offline "sand table" (a plain background under a UTM grid). Online tile
layers can be chosen in the layer control but are never active by default.

Data go in as the API's GeoJSON (:mod:`rescue.catalog`); presentation that
must follow the language switch (popups, tooltips, marker icons, the legend)
is done in ``static/sandtable.js`` from the same properties. This is also where
lon/lat become Leaflet's lat/lon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import folium
from branca.element import Figure, MacroElement
from folium.template import Template
from folium.utilities import JsCode
from pyproj import CRS, Transformer
from shapely.geometry import shape

from rescue import catalog, kmposts

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = ["OPENING_ROUTE", "MapPage", "PALETTE", "build_map"]

#: Colours and dash patterns of lines, shared with the legend in sandtable.js.
PALETTE: dict[str, Any] = {
    "route": {
        "outer_kora": "#b3261e",
        "inner_kora": "#7b3fa0",
        "manasarovar_kora": "#1565c0",
    },
    # side paths to gompas and guesthouses, and any route without its own colour
    "route_default": "#8d5a2b",
    # solid where many GPS tracks agree, dashed where it joins published fixes,
    # dash-dot where it was traced by hand on imagery, dotted where it is an estimate
    "quality_dash": {
        "track_consensus": None,
        "published_fixes": "10 6",
        "hand_traced": "12 4 2 4",
        "estimated": "2 7",
    },
    "road": "#5f5140",
}

#: Online base layers: (layer id, English name, Chinese name, URL, attribution, max native zoom).
ONLINE_BASEMAPS = (
    (
        "opentopomap",
        "OpenTopoMap (online)",
        "OpenTopoMap 地形图（在线）",
        "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
        'Map data © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        'contributors, SRTM | style © <a href="https://opentopomap.org">OpenTopoMap</a> '
        "(CC-BY-SA)",
        17,
    ),
    (
        "osm",
        "OpenStreetMap (online)",
        "OpenStreetMap（在线）",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        19,
    ),
)

#: The route the map opens on (fitted to its segments); the whole region when it is absent.
OPENING_ROUTE = "outer_kora"

_GRID_STEP_M = 1000.0
_GRID_MAJOR_EVERY = 10


@dataclass(frozen=True)
class MapPage:
    """The rendered parts of the folium map, to be placed in ``templates/map.html``."""

    header: str
    html: str
    script: str
    #: handed to sandtable.js as ``window.SANDTABLE_CONFIG``
    client_config: dict[str, Any]


class SandtableMap(folium.Map):
    """A folium map whose JS/CSS come from the app's ``/static/vendor/``."""

    def __init__(self, *, static_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        vendor = f"{static_url}/vendor"
        # instance attributes: folium's class-level lists stay untouched
        self.default_js = [("leaflet", f"{vendor}/leaflet/leaflet.js")]
        self.default_css = [("leaflet_css", f"{vendor}/leaflet/leaflet.css")]


class _Hook(MacroElement):
    """Hands the map and its layers to ``Sandtable.init`` once all layers exist.

    The map page runs folium's script as a module that imports ``static/sandtable.js`` as
    ``Sandtable`` (``templates/map.html``); the relief layers go to ``static/relief.js``
    through the ``sandtable:ready`` event.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        Sandtable.init({{ this._parent.get_name() }}, {
            {%- for key, layer in this.layers.items() %}
            {{ key|tojson }}: {{ layer.get_name() }},
            {%- endfor %}
        }, {
            {%- for key, layer in this.base_layers.items() %}
            {{ key|tojson }}: {{ layer.get_name() }},
            {%- endfor %}
        }, {
            {%- for key, layer in this.relief.items() %}
            {{ key|tojson }}: {{ layer.get_name() }},
            {%- endfor %}
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        layers: Mapping[str, folium.map.Layer],
        base_layers: Mapping[str, folium.map.Layer],
        relief: Mapping[str, folium.map.Layer],
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SandtableHook"
        self.layers = layers
        self.base_layers = base_layers
        self.relief = relief


def build_map(
    network: RouteNetwork, *, static_url: str = "/static", online_basemaps: bool = True
) -> MapPage:
    """Build the region's map.

    Parameters
    ----------
    network
        The region's route network.
    static_url
        URL path under which the app serves ``web/static``.
    online_basemaps
        Offer the online tile layers in the layer control (never shown by default).
    """
    region = network.region
    minlon, minlat, maxlon, maxlat = region.metadata["bbox"]
    bounds = [[minlat, minlon], [maxlat, maxlon]]
    fmap = SandtableMap(
        static_url=static_url,
        location=[(minlat + maxlat) / 2, (minlon + maxlon) / 2],
        zoom_start=10,
        zoom_snap=0.25,  # fit the region snugly
        tiles=None,
        prefer_canvas=False,  # SVG: every line and marker is a DOM element
        zoom_control=True,
    )

    base_layers: dict[str, folium.map.Layer] = {}
    sand = folium.FeatureGroup(name=_label("Sand table (offline)", "沙盘（离线）"), overlay=False)
    sand.add_to(fmap)
    base_layers["sand"] = sand
    if online_basemaps:
        for layer_id, name_en, name_zh, url, attr, max_native in ONLINE_BASEMAPS:
            tiles = folium.TileLayer(
                tiles=url,
                attr=attr,
                name=_label(name_en, name_zh),
                overlay=False,
                show=False,
                max_native_zoom=max_native,
                max_zoom=18,
                subdomains="abc",
            )
            tiles.add_to(fmap)
            base_layers[layer_id] = tiles

    grid_lines, grid_extent = _utm_grid(region.metadata["bbox"], str(region.metric_crs))
    grid = folium.GeoJson(
        grid_lines,
        name=_label("UTM grid 1 km", "UTM 方格 1 公里"),
        style_function=_grid_style,
        interactive=False,
        smooth_factor=0,
    )
    roads = folium.GeoJson(
        catalog.roads_collection(network),
        name=_label("Roads and vehicle tracks", "公路与车道"),
        style_function=_road_style,
        on_each_feature=JsCode("Sandtable.bindRoad"),
    )
    segments = catalog.segments_collection(network)
    # road segments (no route) are drawn by the roads layer, with their names and surface
    segments["features"] = [f for f in segments["features"] if f["properties"]["route_id"]]
    trails = folium.GeoJson(
        segments,
        name=_label("Trails (by route and quality)", "步道（按路线和精度）"),
        style_function=_trail_style,
        highlight_function=_trail_highlight,
        on_each_feature=JsCode("Sandtable.bindSegment"),
    )
    labels = folium.GeoJson(
        _segment_label_points(segments),
        name=_label("Segment labels", "路段标注"),
        point_to_layer=JsCode("Sandtable.segmentLabel"),
        interactive=False,
    )
    km_posts = folium.GeoJson(
        kmposts.km_posts_collection(network),
        name=_label("Km posts", "公里桩"),
        point_to_layer=JsCode("Sandtable.kmPost"),
        interactive=False,
    )
    places = folium.GeoJson(
        catalog.places_collection(network),
        name=_label("Places", "地点"),
        point_to_layer=JsCode("Sandtable.placeMarker"),
        on_each_feature=JsCode("Sandtable.bindPlace"),
    )
    stations = folium.GeoJson(
        catalog.stations_collection(network),
        name=_label("Rescue stations", "救援站点"),
        point_to_layer=JsCode("Sandtable.stationMarker"),
        on_each_feature=JsCode("Sandtable.bindStation"),
    )
    layers = {
        "grid": grid,
        "roads": roads,
        "trails": trails,
        "labels": labels,
        "kmPosts": km_posts,
        "places": places,
        "stations": stations,
    }
    for layer in layers.values():
        layer.add_to(fmap)
    relief = _relief_layers()  # shown by static/relief.js once it knows what is loaded
    for relief_layer in relief.values():
        relief_layer.add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    opening = _route_bounds(segments, OPENING_ROUTE) or bounds
    fmap.fit_bounds(opening, padding=(12, 12))
    fmap.add_child(_Hook(layers, base_layers, relief))

    root = cast(Figure, fmap.get_root())
    root.render()  # fills header/html/script, adding the default JS/CSS links
    return MapPage(
        header=root.header.render(),
        html=root.html.render(),
        script=root.script.render(),
        client_config={
            "region": catalog.region_summary(network),
            "routes": [
                {"route_id": str(route_id), "name_en": row["name_en"], "name_zh": row["name_zh"]}
                for route_id, row in network.routes.iterrows()
            ],
            "palette": PALETTE,
            "grid": grid_extent,
            # [[south, west], [north, east]] of the opening view (the outer kora)
            "opening_bounds": opening,
        },
    )


def _relief_layers() -> dict[str, folium.map.Layer]:
    """Hillshade and contours from the planner's DEM, and the MBTiles basemap (a base layer).

    Tiles come from the app (``web.relief_api``); none is shown until ``relief.js`` has
    asked ``GET /api/relief`` what is loaded (it sets each URL's ``v``, the file's hash).
    """
    common: dict[str, Any] = {"attr": "DEM / MBTiles loaded by a planner", "show": False}
    hillshade = folium.TileLayer(
        tiles="api/relief/hillshade/{z}/{x}/{y}.png",
        name=_label("Hillshade", "晕渲地形"),
        overlay=True,
        max_zoom=18,
        opacity=0.85,
        **common,
    )
    contours = folium.TileLayer(
        tiles="api/relief/contours/{z}/{x}/{y}.png",
        name=_label("Contours", "等高线"),
        overlay=True,
        max_zoom=18,
        **common,
    )
    basemap = folium.TileLayer(
        tiles="api/relief/basemap/{z}/{x}/{y}",
        name=_label("Offline basemap (MBTiles)", "离线底图（MBTiles）"),
        overlay=False,
        max_zoom=18,
        **common,
    )
    return {"hillshade": hillshade, "contours": contours, "reliefBasemap": basemap}


def _label(en: str, zh: str) -> str:
    """A bilingual label; CSS shows the half matching the page's language."""
    return f'<span lang="en">{en}</span><span lang="zh-Hans">{zh}</span>'


def _trail_style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    dash = PALETTE["quality_dash"].get(props.get("quality"), "2 7")
    return {
        "color": PALETTE["route"].get(props.get("route_id"), PALETTE["route_default"]),
        "weight": 4,
        "opacity": 0.95 if dash is None else 0.85,
        "dashArray": dash,
        "lineCap": "round" if dash is None else "butt",
    }


def _trail_highlight(feature: dict[str, Any]) -> dict[str, Any]:
    return {"weight": 7, "opacity": 1.0}


def _road_style(feature: dict[str, Any]) -> dict[str, Any]:
    paved = str(feature["properties"].get("surface") or "").startswith("paved")
    return {
        "color": PALETTE["road"],
        "weight": 3 if paved else 2,
        "opacity": 0.8,
        "dashArray": None if paved else "6 4",
    }


def _grid_style(feature: dict[str, Any]) -> dict[str, Any]:
    major = feature["properties"]["major"]
    return {
        "color": "#7d6a45",
        "weight": 1.5 if major else 1.0,
        "opacity": 0.6 if major else 0.3,
        "className": "st-grid-major" if major else "st-grid-minor",  # minor lines hide far out
    }


def _route_bounds(segments: dict[str, Any], route_id: str) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of one route's segments; None if it has none."""
    boxes = [
        shape(f["geometry"]).bounds
        for f in segments["features"]
        if f["properties"]["route_id"] == route_id
    ]
    if not boxes:
        return None
    return [
        [min(b[1] for b in boxes), min(b[0] for b in boxes)],
        [max(b[3] for b in boxes), max(b[2] for b in boxes)],
    ]


def _segment_label_points(segments: dict[str, Any]) -> dict[str, Any]:
    """Midpoints of the segments, carrying what the permanent labels show."""
    features = []
    for feature in segments["features"]:
        point = shape(feature["geometry"]).interpolate(0.5, normalized=True)
        props = feature["properties"]
        features.append(
            {
                "type": "Feature",
                "id": feature["id"],
                "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
                "properties": {key: props[key] for key in ("segment_id", "route_id", "length_m")},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _utm_grid(bbox: list[float], metric_crs: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Grid lines every kilometre of the region's metric CRS, covering ``bbox``.

    Returns the lines and, where the CRS is a UTM zone, their extent and the zone's
    proj4 definition, from which sandtable.js labels the lines.
    """
    to_utm = Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True)
    to_wgs = Transformer.from_crs(metric_crs, "EPSG:4326", always_xy=True)
    minlon, minlat, maxlon, maxlat = bbox
    xs, ys = to_utm.transform([minlon, minlon, maxlon, maxlon], [minlat, maxlat, minlat, maxlat])
    step = _GRID_STEP_M
    x0, x1 = math.floor(min(xs) / step) * step, math.ceil(max(xs) / step) * step
    y0, y1 = math.floor(min(ys) / step) * step, math.ceil(max(ys) / step) * step
    features = []

    def line(xs: list[float], ys: list[float], value: float, axis: str) -> None:
        lons, lats = to_wgs.transform(xs, ys)
        major = round(value / step) % _GRID_MAJOR_EVERY == 0
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(lon, 6), round(lat, 6)] for lon, lat in zip(lons, lats, strict=True)
                    ],
                },
                "properties": {"axis": axis, "value_m": value, "major": major},
            }
        )

    # a few vertices per line: grid lines of one zone are not straight in lon/lat
    along_y = _arange(y0, y1, (y1 - y0) / 8)
    along_x = _arange(x0, x1, (x1 - x0) / 8)
    for x in _arange(x0, x1, step):
        line([x] * len(along_y), along_y, x, "easting")
    for y in _arange(y0, y1, step):
        line(along_x, [y] * len(along_x), y, "northing")
    zone = CRS.from_user_input(metric_crs).utm_zone  # e.g. "44N"; None if not UTM
    if zone is None:
        return {"type": "FeatureCollection", "features": features}, None
    south = " +south" if zone.endswith("S") else ""
    extent = {
        "proj4": f"+proj=utm +zone={zone[:-1]}{south} +datum=WGS84 +units=m +no_defs",
        "x_m": [x0, x1],
        "y_m": [y0, y1],
        "step_m": step,
        "major_every": _GRID_MAJOR_EVERY,
    }
    return {"type": "FeatureCollection", "features": features}, extent


def _arange(start: float, stop: float, step: float) -> list[float]:
    count = round((stop - start) / step)
    return [start + i * step for i in range(count + 1)]
