/* Sandtable map page: markers, popups, legend, coordinates (an ES module).
 *
 * The folium-generated script (an inline module in map.html) imports this module as
 * `Sandtable`, builds the Leaflet map and its layers with the marker and popup functions
 * below, and calls Sandtable.init(map, overlays, baseLayers, relief) last. The panels
 * (maptools, locate, approach, closures, relief) are modules loaded before it: they listen
 * for the "sandtable:ready" event on document (detail: map, layers, baseLayers, relief) and
 * for "sandtable:language". init() also sets the page's test and debug hooks
 * window.sandtableMap, window.sandtableLayers and window.sandtableBaseLayers.
 * Text shown to users carries both languages in <span lang="en"> and
 * <span lang="zh-Hans">; sandtable.css shows the half matching <body class="lang-…">.
 */
import * as dom from "./dom.js";
import * as vocab from "./vocab.js";

var CONFIG = dom.pageData("st-config-map");
var ROUTES = {};
(CONFIG.routes || []).forEach(function (route) { ROUTES[route.route_id] = route; });

// --- vocabulary ----------------------------------------------------------------------------
var TERMS = {
  quality: {
    track_consensus: ["GPS track consensus", "GPS轨迹吻合"],
    published_fixes: ["joins published GPS fixes", "依据公开GPS点"],
    hand_traced: ["traced by hand on imagery", "依卫星影像手绘"],
    estimated: ["estimated", "估计"]
  },
  profile: {
    pilgrim: ["Pilgrim", "朝圣者"],
    rescue_team: ["Rescue team", "救援队"],
    stretcher_carry: ["Stretcher carry", "担架后送"],
    horse: ["Horse (led pony)", "马匹（牵马）"],
    vehicle: ["Vehicle", "车辆"]
  },
  mode: { foot: ["foot", "步行"], vehicle: ["vehicle", "车辆"] },
  placeType: {
    town: ["town", "城镇"],
    trailhead: ["trailhead", "起点"],
    sacred_site: ["sacred site", "圣迹"],
    monastery: ["monastery", "寺庙"],
    supply_point: ["supply point", "补给点"],
    medical_post: ["medical post", "医疗点"],
    prostration_point: ["prostration point", "磕头点"],
    bridge: ["bridge", "桥"],
    guesthouse: ["guesthouse", "旅舍"],
    summit: ["summit", "山峰"],
    lake: ["lake", "湖泊"],
    police_station: ["police station", "派出所"],
    road_junction: ["road junction", "路口"],
    pass: ["pass", "垭口"],
    viewpoint: ["viewpoint", "观景点"],
    other: ["other", "其他"]
  },
  stationKind: {
    police_station: ["police station", "派出所"],
    checkpoint: ["checkpoint", "检查站"],
    health_centre: ["health centre", "卫生院"],
    hospital: ["hospital", "医院"],
    clinic: ["clinic", "诊所"],
    medical_post: ["medical post", "医疗点"],
    supply_point: ["supply point", "补给点"]
  },
  capability: vocab.labels(vocab.capabilities),
  season: { year_round: ["year-round", "全年"], seasonal: ["seasonal", "季节性"] },
  coordQuality: {
    gps_published: ["published GPS fix", "公开GPS点"],
    track_derived: ["from GPS tracks", "GPS轨迹推算"],
    estimated: ["estimated", "估计"]
  }
};

// place type -> [Font Awesome icon, marker class]
var PLACE_ICONS = {
  town: ["city", "st-k-town"],
  trailhead: ["person-hiking", "st-k-route"],
  sacred_site: ["dharmachakra", "st-k-sacred"],
  monastery: ["vihara", "st-k-sacred"],
  prostration_point: ["hands-praying", "st-k-sacred"],
  supply_point: ["mug-hot", "st-k-service"],
  guesthouse: ["bed", "st-k-service"],
  medical_post: ["kit-medical", "st-k-medical"],
  police_station: ["building-shield", "st-k-police"],
  bridge: ["bridge", "st-k-route"],
  road_junction: ["road", "st-k-route"],
  pass: ["flag", "st-k-terrain"],
  summit: ["mountain", "st-k-terrain"],
  lake: ["water", "st-k-water"],
  viewpoint: ["binoculars", "st-k-terrain"],
  other: ["location-dot", "st-k-other"]
};
// places drawn larger (and their names bolder): 1 from far out, 2 nearer
var MAJOR_PLACES = { town: 1, pass: 1, summit: 1, lake: 1, monastery: 2 };
// every place's name stays on the map, by priority (1 first): where names would collide,
// maptools.js keeps the higher priority and hides the other (shown again on hover)
var LABEL_RANK = {
  town: 1, pass: 2, summit: 2, lake: 2, monastery: 3,
  trailhead: 4, bridge: 4, medical_post: 4, police_station: 4, guesthouse: 4, supply_point: 4,
  sacred_site: 4
};

var STATION_ICONS = {
  police_station: "shield-halved",
  checkpoint: "building-shield",
  hospital: "hospital",
  health_centre: "house-medical",
  clinic: "house-medical",
  medical_post: "kit-medical",
  supply_point: "mug-hot"
};

// --- small helpers: DOM nodes, text only (dom.el, dom.bi) ----------------------------------
var el = dom.el;
var bi = dom.bi;

// a node from a string (as text), a node, or several of them
function node(content) {
  if (content === null || content === undefined) { return document.createTextNode(""); }
  if (typeof content === "object" && content.nodeType) { return content; }
  if (Array.isArray(content)) {
    var frag = document.createDocumentFragment();
    content.forEach(function (c) { frag.appendChild(node(c)); });
    return frag;
  }
  return document.createTextNode(String(content));
}

// `tag` with class `className` holding `children` (strings as text, nodes as they are)
function box(tag, className, children) {
  var n = el(tag, className);
  if (children !== undefined) { n.appendChild(node(children)); }
  return n;
}

function term(group, key) {
  var pair = (TERMS[group] || {})[key];
  return pair ? bi(pair[0], pair[1]) : node(key === null || key === undefined ? "—" : String(key));
}

function terms(group, keys) {
  var list = [];
  (keys || []).forEach(function (k, i) {
    if (i) { list.push(", "); }
    list.push(term(group, k));
  });
  return list.length ? node(list) : node("—");
}

function fmtNumber(value, digits) {
  if (value === null || value === undefined) { return "—"; }
  return Number(value).toLocaleString("en-US", {
    minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0
  });
}

function fmtKm(metres) {
  return metres === null || metres === undefined ? "—" : fmtNumber(metres / 1000, 1) + " km";
}

function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) { return node("—"); }
  var minutes = Math.round(seconds / 60);
  var h = Math.floor(minutes / 60);
  var m = minutes % 60;
  if (h === 0) { return bi(m + " min", m + "分钟"); }
  var mm = (m < 10 ? "0" : "") + m;
  return bi(h + " h " + mm + " min", h + "小时" + mm + "分");
}

function names(props) {
  var frag = document.createDocumentFragment();
  frag.appendChild(el("div", "st-pop-title", props.name_en));
  if (props.name_zh) { frag.appendChild(el("div", "st-pop-zh", props.name_zh)); }
  if (props.name_bo) {
    var bo = frag.appendChild(el("div", "st-pop-bo", props.name_bo));
    bo.setAttribute("lang", "bo");
  }
  return frag;
}

function row(en, zh, value) {
  var tr = el("tr");
  tr.appendChild(box("th", null, bi(en, zh)));
  tr.appendChild(box("td", null, value));
  return tr;
}

function routeName(routeId) {
  var route = ROUTES[routeId];
  return route ? bi(route.name_en, route.name_zh) : node(routeId || "—");
}

export function routeColour(routeId) {
  var palette = CONFIG.palette || { route: {} };
  return palette.route[routeId] || palette.route_default || "#444";
}

function swatch(routeId) {
  var i = el("i", "st-swatch");
  i.style.background = routeColour(routeId);
  return i;
}

function notes(text) { return el("span", "st-notes", text); }

function faIcon(name) {
  var i = el("i", "fa-solid fa-" + name);
  i.setAttribute("aria-hidden", "true");
  return i;
}

// an SVG element with attributes
function svgNode(name, attrs, children) {
  var n = document.createElementNS("http://www.w3.org/2000/svg", name);
  Object.keys(attrs).forEach(function (k) { n.setAttribute(k, String(attrs[k])); });
  (children || []).forEach(function (c) { n.appendChild(c); });
  return n;
}

// --- coordinates -------------------------------------------------------------------------------
export function utm(lat, lon) {
  var zone = Math.min(60, Math.floor((lon + 180) / 6) + 1);
  var bands = "CDEFGHJKLMNPQRSTUVWX";
  var band = bands.charAt(Math.max(0, Math.min(19, Math.floor((lat + 80) / 8))));
  var def = "+proj=utm +zone=" + zone + (lat < 0 ? " +south" : "") + " +datum=WGS84 +units=m +no_defs";
  var xy = proj4("EPSG:4326", def, [lon, lat]);
  return { zone: zone, band: band, easting: Math.round(xy[0]), northing: Math.round(xy[1]) };
}

function fmtUtm(lat, lon) {
  var u = utm(lat, lon);
  return u.zone + u.band + " " + u.easting + " E " + u.northing + " N";
}

function fmtDecimal(lat, lon) {
  return Math.abs(lat).toFixed(5) + "° " + (lat >= 0 ? "N" : "S") + ", " +
    Math.abs(lon).toFixed(5) + "° " + (lon >= 0 ? "E" : "W");
}

function fmtDms(lat, lon) {
  function dms(value, pos, neg) {
    var v = Math.abs(value);
    var d = Math.floor(v);
    var mFloat = (v - d) * 60;
    var m = Math.floor(mFloat);
    var s = (mFloat - m) * 60;
    return d + "° " + m + "′ " + s.toFixed(1) + "″ " + (value >= 0 ? pos : neg);
  }
  return dms(lat, "N", "S") + ", " + dms(lon, "E", "W");
}

function fmtDdm(lat, lon) {
  function ddm(value, pos, neg) {
    var v = Math.abs(value);
    var d = Math.floor(v);
    return d + "° " + ((v - d) * 60).toFixed(3) + "′ " + (value >= 0 ? pos : neg);
  }
  return ddm(lat, "N", "S") + ", " + ddm(lon, "E", "W");
}

export function coordinateTable(lat, lon) {
  return box("table", "st-pop-table st-coords-table", [
    row("Decimal degrees", "十进制度", fmtDecimal(lat, lon)),
    row("Deg. min. sec.", "度分秒", fmtDms(lat, lon)),
    row("Degrees, decimal min.", "度 十进制分", fmtDdm(lat, lon)),
    row("UTM (WGS 84)", "UTM（WGS 84）", fmtUtm(lat, lon))
  ]);
}

// --- popups and markers (called from the folium layers) -------------------------------------
// Leaflet calls a popup's or tooltip's content function each time it is shown: fresh nodes
function segmentPopup(p) {
  var durations = p.durations_s || {};
  var times = box("table", "st-pop-table st-times", box("tr", null, [
    el("th"), box("th", null, bi("clockwise →", "顺时针 →")), box("th", null, bi("← reverse", "← 反向"))
  ]));
  ["pilgrim", "rescue_team", "stretcher_carry", "horse", "vehicle"].forEach(function (profile) {
    var d = durations[profile];
    times.appendChild(box("tr", null, [
      box("th", null, term("profile", profile)),
      box("td", null, d ? fmtDuration(d.forward) : "—"),
      box("td", null, d ? fmtDuration(d.reverse) : "—")
    ]));
  });
  return box("div", "st-pop", [
    names(p),
    box("div", "st-pop-route", [swatch(p.route_id), routeName(p.route_id)]),
    box("table", "st-pop-table", [
      row("Length", "长度", [fmtKm(p.length_m) + " ",
        el("span", "st-muted", "(km " + fmtNumber(p.km_from, 1) + "–" + fmtNumber(p.km_to, 1) + ")")]),
      row("Elevation", "海拔", fmtNumber(p.elevation_min_m) + "–" + fmtNumber(p.elevation_max_m) + " m"),
      row("Climb (clockwise)", "爬升（顺时针）",
        "↑ " + fmtNumber(p.ascent_m) + " m  ↓ " + fmtNumber(p.descent_m) + " m"),
      row("Geometry", "几何精度", term("quality", p.quality)),
      row("Modes", "通行方式", terms("mode", p.modes))
    ]),
    times,
    el("div", "st-pop-id", p.segment_id)
  ]);
}

export function bindSegment(feature, layer) {
  var p = feature.properties;
  layer.bindPopup(function () { return segmentPopup(p); }, { maxWidth: 360, minWidth: 280 });
  layer.bindTooltip(function () {
    return node([bi(p.name_en, p.name_zh || p.name_en), " · " + fmtKm(p.length_m)]);
  }, { sticky: true, className: "st-tip" });
}

export function bindRoad(feature, layer) {
  var p = feature.properties;
  layer.bindTooltip(function () {
    return node([bi(p.name_en, p.name_zh || p.name_en),
      p.surface ? " " : null, p.surface ? el("span", "st-muted", "(" + p.surface + ")") : null]);
  }, { sticky: true, className: "st-tip" });
}

// a label in a route's colour frame (segment lengths, km posts)
function framed(routeId, text) {
  var span = el("span", null, text);
  span.style.borderColor = routeColour(routeId);
  return span;
}

export function segmentLabel(feature, latlng) {
  var p = feature.properties;
  return L.marker(latlng, {
    interactive: false,
    keyboard: false,
    icon: L.divIcon({ className: "st-seg-label", html: framed(p.route_id, fmtKm(p.length_m)), iconSize: null })
  });
}

// a km post (rescue.kmposts): the km it reads, framed in its route's colour; CSS shows the
// posts every 5 km ("major") at any zoom and the others from zoom 13
export function kmPost(feature, latlng) {
  var p = feature.properties;
  return L.marker(latlng, {
    interactive: false,
    keyboard: false,
    icon: L.divIcon({
      className: "st-km-post " + (p.major ? "st-km-major" : "st-km-minor"),
      html: framed(p.route_id, String(p.km)),
      iconSize: null
    })
  });
}

// a place's marker: its icon in a round badge (placeIcon: [Font Awesome icon, marker class])
export function placeIcon(type) { return PLACE_ICONS[type] || PLACE_ICONS.other; }

export function placeBadge(type, extraClass) {
  var icon = placeIcon(type);
  return box("span", "st-place " + icon[1] + (extraClass || ""), faIcon(icon[0]));
}

export function placeMarker(feature, latlng) {
  var p = feature.properties;
  var major = MAJOR_PLACES[p.type] ? " st-major" : "";
  var uncertain = p.coord_quality === "estimated" ? " st-uncertain" : "";
  return L.marker(latlng, {
    title: (p.name_en || "") + (p.name_zh ? " / " + p.name_zh : ""),
    riseOnHover: true,
    icon: L.divIcon({
      className: "st-marker",
      html: placeBadge(p.type, major + uncertain),
      iconSize: [22, 22],
      iconAnchor: [11, 11],
      popupAnchor: [0, -11],
      tooltipAnchor: [11, 0]
    })
  });
}

function placePopup(p, ll) {
  var aliases = (p.aliases_en || []).concat(p.aliases_zh || []);
  return box("div", "st-pop", [
    names(p),
    box("div", "st-pop-route", [term("placeType", p.type)].concat(p.route_id ?
      [" · ", swatch(p.route_id), routeName(p.route_id)] : [])),
    box("table", "st-pop-table", [
      row("Elevation", "海拔", p.elevation_m === null ? "—" : fmtNumber(p.elevation_m) + " m"),
      p.kora_km === null || p.kora_km === undefined ? null :
        row("Outer kora km", "外转山里程", "km " + fmtNumber(p.kora_km, 1)),
      row("Position", "位置精度", term("coordQuality", p.coord_quality)),
      p.notes ? row("Notes", "备注", notes(p.notes)) : null,
      aliases.length ? row("Also called", "别名", notes(aliases.slice(0, 8).join(" · "))) : null
    ].filter(Boolean)),
    coordinateTable(ll[1], ll[0]),
    el("div", "st-pop-id", p.place_id)
  ]);
}

export function bindPlace(feature, layer) {
  var p = feature.properties;
  var ll = feature.geometry.coordinates;
  layer.bindPopup(function () { return placePopup(p, ll); }, { maxWidth: 380, minWidth: 280 });
  var major = MAJOR_PLACES[p.type];
  var rank = LABEL_RANK[p.type] || 5;
  layer.options.labelRank = rank;
  layer.bindTooltip(function () { return bi(p.name_en, p.name_zh || p.name_en); }, {
    permanent: true,
    direction: "right",
    className: "st-name st-name-rank" + rank + (major ? " st-name-major" : "") + " st-name-off",
    offset: [2, 0]
  });
  // a name hidden to avoid a collision shows while the pointer is on its place
  layer.on("mouseover", function () {
    var tip = layer.getTooltip() && layer.getTooltip().getElement();
    if (tip) { tip.classList.add("st-name-hover"); }
  });
  layer.on("mouseout", function () {
    var tip = layer.getTooltip() && layer.getTooltip().getElement();
    if (tip) { tip.classList.remove("st-name-hover"); }
  });
}

export function stationMarker(feature, latlng) {
  var p = feature.properties;
  return L.marker(latlng, {
    title: (p.name_en || "") + (p.name_zh ? " / " + p.name_zh : ""),
    riseOnHover: true,
    zIndexOffset: 500,
    icon: L.divIcon({
      className: "st-marker",
      html: box("span", "st-station", faIcon(STATION_ICONS[p.kind] || "truck-medical")),
      iconSize: [26, 26],
      iconAnchor: [13, 13],
      popupAnchor: [0, -13],
      tooltipAnchor: [13, 0]
    })
  });
}

function stationPopup(p, ll) {
  return box("div", "st-pop", [
    names(p),
    box("div", "st-pop-route", [term("stationKind", p.kind), " · ", term("season", p.season)]),
    box("table", "st-pop-table", [
      row("Can send", "可派出", terms("capability", p.capabilities)),
      p.notes ? row("Notes", "备注", notes(p.notes)) : null
    ].filter(Boolean)),
    coordinateTable(ll[1], ll[0]),
    el("div", "st-pop-id", p.station_id)
  ]);
}

export function bindStation(feature, layer) {
  var p = feature.properties;
  var ll = feature.geometry.coordinates;
  layer.bindPopup(function () { return stationPopup(p, ll); }, { maxWidth: 380, minWidth: 280 });
  layer.bindTooltip(function () { return bi(p.name_en, p.name_zh || p.name_en); },
    { direction: "right", className: "st-name" });
}

// --- controls --------------------------------------------------------------------------------
var CursorControl = L.Control.extend({
  options: { position: "bottomleft" },
  onAdd: function (map) {
    var div = L.DomUtil.create("div", "st-cursor leaflet-bar");
    var dd = div.appendChild(box("div", "st-cursor-dd", bi("Move the pointer over the map", "将指针移到地图上")));
    var um = div.appendChild(el("div", "st-cursor-utm"));
    map.on("mousemove", function (e) {
      var ll = e.latlng.wrap();
      dd.textContent = fmtDecimal(ll.lat, ll.lng);
      um.textContent = "UTM " + fmtUtm(ll.lat, ll.lng);
    });
    L.DomEvent.disableClickPropagation(div);
    return div;
  }
});

// a legend sample: a line (stroke attributes), or the given SVG shapes
function legendSvg(height, shapes) {
  return svgNode("svg", { width: 34, height: height }, shapes);
}

function legendLine(attrs) {
  var line = { x1: 1, y1: 4, x2: 33, y2: 4 };
  Object.keys(attrs).forEach(function (k) { line[k] = attrs[k]; });
  return legendSvg(8, [svgNode("line", line)]);
}

function legendRow(sample, label, className) {
  return box("div", "st-legend-row" + (className ? " " + className : ""), [sample, label]);
}

var LegendControl = L.Control.extend({
  options: { position: "bottomright" },
  onAdd: function (map) {
    var div = L.DomUtil.create("div", "st-legend leaflet-bar");
    // the title folds and unfolds the rows; folded from the start on a small screen
    var head = box("button", "st-legend-head", [faIcon("list"), " ", bi("Legend", "图例")]);
    head.type = "button";
    head.setAttribute("aria-expanded", "false");
    div.appendChild(head);
    function zoomRow(routeId, content, className) {
      var r = box("div", "st-legend-row st-legend-route" + (className ? " " + className : ""), content);
      r.setAttribute("data-route-id", routeId);
      r.setAttribute("role", "button");
      r.setAttribute("tabindex", "0");
      return r;
    }
    (CONFIG.routes || []).forEach(function (route) {
      var r = zoomRow(route.route_id, [legendLine({
        stroke: routeColour(route.route_id), "stroke-width": 4, "stroke-linecap": "round"
      }), routeName(route.route_id)]);
      r.title = "Zoom to route / 缩放至路线";
      div.appendChild(r);
    });
    var dash = (CONFIG.palette || {}).quality_dash || {};
    ["track_consensus", "published_fixes", "hand_traced", "estimated"].forEach(function (q) {
      var attrs = { stroke: "#333", "stroke-width": 3 };
      if (dash[q]) { attrs["stroke-dasharray"] = dash[q]; }
      div.appendChild(legendRow(legendLine(attrs), term("quality", q)));
    });
    div.appendChild(legendRow(legendLine({
      stroke: (CONFIG.palette || {}).road || "#5f5140", "stroke-width": 2, "stroke-dasharray": "6 4"
    }), bi("Road / vehicle track", "公路 / 车道")));
    // the plan and closures (approach.js draws them in these styles)
    div.appendChild(legendRow(legendSvg(12, [
      svgNode("rect", { x: 1, y: 1, width: 14, height: 10, fill: "url(#st-hatch)", stroke: "#c2185b", "stroke-width": 1.5 }),
      svgNode("line", { x1: 18, y1: 6, x2: 33, y2: 6, stroke: "#c2185b", "stroke-width": 6, "stroke-dasharray": "2 4" })
    ]), bi("Closure (area, way)", "封闭（区域、路段）"), "st-legend-closure"));
    div.appendChild(legendRow(legendLine({ stroke: "#212529", "stroke-width": 4 }), bi("Plan: vehicle", "方案：车辆")));
    div.appendChild(legendRow(legendLine({
      stroke: "#f08c00", "stroke-width": 4, "stroke-dasharray": "2 6", "stroke-linecap": "round"
    }), bi("Plan: on foot", "方案：步行")));
    div.appendChild(legendRow(legendLine({ stroke: "#2b8a3e", "stroke-width": 4 }), bi("Evacuation", "后送")));
    div.appendChild(legendRow(box("span", "st-station st-legend-icon", el("i", "fa-solid fa-shield-halved")),
      bi("Rescue station", "救援站点")));
    div.appendChild(legendRow(placeBadge("monastery", " st-legend-icon st-uncertain"),
      bi("Place (dashed ring: position estimated)", "地点（虚线圈：位置为估计）")));
    div.appendChild(zoomRow("", [el("i", "fa-solid fa-expand"), bi("Whole region", "全区域")], "st-legend-all"));
    function setOpen(open) {
      div.classList.toggle("st-legend-open", open);
      head.setAttribute("aria-expanded", String(open));
    }
    setOpen(!smallScreen());
    head.addEventListener("click", function () { setOpen(!div.classList.contains("st-legend-open")); });
    div.querySelectorAll(".st-legend-route").forEach(function (rowEl) {
      function zoom() { zoomToRoute(map, rowEl.getAttribute("data-route-id")); }
      rowEl.addEventListener("click", zoom);
      rowEl.addEventListener("keydown", function (e) { if (e.key === "Enter") { zoom(); } });
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  }
});

// a phone-sized screen: the map's controls start folded (sandtable.css has the same width)
export function smallScreen() {
  return window.matchMedia("(max-width: 760px)").matches;
}

// Fit the map to one route's segments, or to the whole region when routeId is empty.
function zoomToRoute(map, routeId) {
  var bounds = L.latLngBounds([]);
  var trails = (window.sandtableLayers || {}).trails;
  if (routeId && trails) {
    trails.eachLayer(function (layer) {
      if (layer.feature.properties.route_id === routeId) { bounds.extend(layer.getBounds()); }
    });
  }
  if (!bounds.isValid()) {
    var b = (CONFIG.region || {}).bbox;
    bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }
  map.fitBounds(bounds, { padding: [16, 16] });
}

function notice(map, content) {
  var box = map.getContainer().querySelector(".st-notice");
  if (!box) {
    box = L.DomUtil.create("div", "st-notice", map.getContainer());
  }
  dom.clear(box);
  box.appendChild(content);
  box.style.display = "block";
  window.setTimeout(function () { box.style.display = "none"; }, 8000);
}

// An online base layer that cannot be reached falls back to the offline sand table.
function watchOnline(map, layer, fallback) {
  var loaded = 0;
  var failed = 0;
  layer.on("tileload", function () { loaded += 1; });
  layer.on("tileerror", function () {
    failed += 1;
    if (failed === 4 && loaded === 0 && map.hasLayer(layer)) {
      map.removeLayer(layer);
      map.addLayer(fallback);
      notice(map, bi("Online basemap unreachable — back to the offline sand table.",
        "无法连接在线底图，已切换回离线沙盘。"));
    }
  });
  layer.on("add", function () { loaded = 0; failed = 0; });
}

// Grid numbers (km) along the top and left edges of the grid in view, so that a UTM grid
// reference can be read off the map. The grid is the region's UTM zone (CONFIG.grid).
function gridLabels(map, grid) {
  var g = CONFIG.grid;
  var labels = L.layerGroup().addTo(map);
  function toUtm(ll) { return proj4("EPSG:4326", g.proj4, [ll.lng, ll.lat]); }
  function toLatLng(x, y) { var p = proj4(g.proj4, "EPSG:4326", [x, y]); return L.latLng(p[1], p[0]); }
  function label(latlng, metres, cls) {
    var major = Math.round(metres / g.step_m) % g.major_every === 0 ? " st-grid-major" : "";
    return L.marker(latlng, {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: "st-grid-label " + cls + major,
        html: el("span", null, String(Math.round(metres / 1000))), iconSize: null })
    });
  }
  function redraw() {
    labels.clearLayers();
    if (!map.hasLayer(grid)) { return; }
    var size = map.getSize();
    var topLeft = toUtm(map.containerPointToLatLng([54, 12]));
    var bottomRight = toUtm(map.containerPointToLatLng([size.x, size.y]));
    var step = map.getZoom() >= 12 ? g.step_m : g.step_m * g.major_every;
    var top = Math.min(topLeft[1], g.y_m[1]);
    var left = Math.max(topLeft[0], g.x_m[0]);
    var x0 = Math.max(g.x_m[0], Math.ceil(topLeft[0] / step) * step);
    var y0 = Math.max(g.y_m[0], Math.ceil(bottomRight[1] / step) * step);
    if (x0 === left) { x0 += step; }  // the corner: leave it to the northing label
    for (var x = x0; x <= Math.min(g.x_m[1], bottomRight[0]); x += step) {
      labels.addLayer(label(toLatLng(x, top), x, "st-grid-e"));
    }
    for (var y = y0; y <= Math.min(g.y_m[1], topLeft[1]); y += step) {
      labels.addLayer(label(toLatLng(left, y), y, "st-grid-n"));
    }
  }
  map.on("moveend overlayadd overlayremove", redraw);
  redraw();
  return labels;
}

// --- entry point ---------------------------------------------------------------------------------
export function init(map, layers, baseLayers, relief) {
  // the test and debug hooks of the map page (tests/browser reads them)
  window.sandtableMap = map;
  window.sandtableLayers = layers;
  window.sandtableBaseLayers = baseLayers;

  dom.startLanguage();

  L.control.scale({ position: "bottomleft", imperial: false, maxWidth: 180 }).addTo(map);
  new CursorControl().addTo(map);
  new LegendControl().addTo(map);

  if (layers.grid && CONFIG.grid) { layers.gridLabels = gridLabels(map, layers.grid); }

  Object.keys(baseLayers).forEach(function (key) {
    if (key !== "sand") { watchOnline(map, baseLayers[key], baseLayers.sand); }
  });

  // Right-click anywhere: the position in every format, for reading aloud.
  map.on("contextmenu", function (e) {
    var ll = e.latlng.wrap();
    L.popup({ maxWidth: 380 }).setLatLng(e.latlng)
      .setContent(box("div", "st-pop", [box("div", "st-pop-title", bi("This point", "此位置")),
        coordinateTable(ll.lat, ll.lng)]))
      .openOn(map);
  });

  // CSS thins out labels, grid lines and markers by zoom
  function zoomClass() {
    var container = map.getContainer();
    var z = map.getZoom();
    container.classList.toggle("st-zoom-lt11", z < 11);
    container.classList.toggle("st-zoom-lt12", z < 12);
    container.classList.toggle("st-zoom-lt13", z < 13);
    container.classList.toggle("st-zoom-ge14", z >= 14);
  }
  map.on("zoomend", zoomClass);
  zoomClass();

  document.body.setAttribute("data-map-ready", "true");
  document.dispatchEvent(new CustomEvent("sandtable:ready", {
    detail: { map: map, layers: layers, baseLayers: baseLayers, relief: relief || {} }
  }));
}

// for the map tools (maptools.js): a place type's name in both languages
export function placeTypeName(type) { return term("placeType", type); }
export var formats = { decimal: fmtDecimal, dms: fmtDms, ddm: fmtDdm, utm: fmtUtm, km: fmtKm };
