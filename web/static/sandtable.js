/* Sandtable map page: markers, popups, legend, coordinates and the language switch.
 *
 * The folium-generated script creates the Leaflet map and its layers and calls
 * Sandtable.init(map, overlays, baseLayers) last. Later panels (locate,
 * approach) hook into window.sandtableMap and window.sandtableLayers, or listen for the
 * "sandtable:ready" and "sandtable:language" events on document.
 * Text shown to users carries both languages in <span lang="en"> and
 * <span lang="zh-Hans">; sandtable.css shows the half matching <body class="lang-…">.
 */
/* global L, proj4 */
(function () {
  "use strict";

  var CONFIG = window.SANDTABLE_CONFIG || {};
  var ROUTES = {};
  (CONFIG.routes || []).forEach(function (route) { ROUTES[route.route_id] = route; });
  var LANG_KEY = "sandtable.lang";

  // --- vocabulary ----------------------------------------------------------------------------
  // the server's vocabularies (web/vocabulary.py): [value, English, Chinese] lists and the zone
  var VOCAB = window.SANDTABLE_VOCAB || {};
  function labelMap(list) {
    var out = {};
    (list || []).forEach(function (e) { out[e[0]] = [e[1], e[2]]; });
    return out;
  }
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
    capability: labelMap(VOCAB.capabilities),
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

  // --- small helpers ---------------------------------------------------------------------------
  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function bi(en, zh) {
    return '<span lang="en">' + esc(en) + '</span><span lang="zh-Hans">' + esc(zh) + "</span>";
  }

  function term(group, key) {
    var pair = (TERMS[group] || {})[key];
    return pair ? bi(pair[0], pair[1]) : esc(key === null || key === undefined ? "—" : key);
  }

  function terms(group, keys) {
    return (keys || []).map(function (k) { return term(group, k); }).join(", ") || "—";
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
    if (seconds === null || seconds === undefined) { return "—"; }
    var minutes = Math.round(seconds / 60);
    var h = Math.floor(minutes / 60);
    var m = minutes % 60;
    if (h === 0) { return bi(m + " min", m + "分钟"); }
    var mm = (m < 10 ? "0" : "") + m;
    return bi(h + " h " + mm + " min", h + "小时" + mm + "分");
  }

  function names(props) {
    var html = '<div class="st-pop-title">' + esc(props.name_en) + "</div>";
    if (props.name_zh) { html += '<div class="st-pop-zh">' + esc(props.name_zh) + "</div>"; }
    if (props.name_bo) { html += '<div class="st-pop-bo" lang="bo">' + esc(props.name_bo) + "</div>"; }
    return html;
  }

  function row(en, zh, value) {
    return "<tr><th>" + bi(en, zh) + "</th><td>" + value + "</td></tr>";
  }

  function routeName(routeId) {
    var route = ROUTES[routeId];
    return route ? bi(route.name_en, route.name_zh) : esc(routeId || "—");
  }

  function routeColour(routeId) {
    var palette = CONFIG.palette || { route: {} };
    return palette.route[routeId] || palette.route_default || "#444";
  }

  // --- coordinates -------------------------------------------------------------------------------
  function utm(lat, lon) {
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

  function coordinateTable(lat, lon) {
    return '<table class="st-pop-table st-coords-table">' +
      row("Decimal degrees", "十进制度", esc(fmtDecimal(lat, lon))) +
      row("Deg. min. sec.", "度分秒", esc(fmtDms(lat, lon))) +
      row("Degrees, decimal min.", "度 十进制分", esc(fmtDdm(lat, lon))) +
      row("UTM (WGS 84)", "UTM（WGS 84）", esc(fmtUtm(lat, lon))) +
      "</table>";
  }

  // --- popups and markers (called from the folium layers) -------------------------------------
  function segmentPopup(p) {
    var durations = p.durations_s || {};
    var times = '<table class="st-pop-table st-times"><tr><th></th><th>' +
      bi("clockwise →", "顺时针 →") + "</th><th>" + bi("← reverse", "← 反向") + "</th></tr>";
    ["pilgrim", "rescue_team", "stretcher_carry", "horse", "vehicle"].forEach(function (profile) {
      var d = durations[profile];
      times += "<tr><th>" + term("profile", profile) + "</th><td>" +
        (d ? fmtDuration(d.forward) : "—") + "</td><td>" + (d ? fmtDuration(d.reverse) : "—") + "</td></tr>";
    });
    times += "</table>";
    return '<div class="st-pop">' + names(p) +
      '<div class="st-pop-route"><i class="st-swatch" style="background:' + esc(routeColour(p.route_id)) +
      '"></i>' + routeName(p.route_id) + "</div>" +
      '<table class="st-pop-table">' +
      row("Length", "长度", fmtKm(p.length_m) + ' <span class="st-muted">(km ' + fmtNumber(p.km_from, 1) +
        "–" + fmtNumber(p.km_to, 1) + ")</span>") +
      row("Elevation", "海拔", fmtNumber(p.elevation_min_m) + "–" + fmtNumber(p.elevation_max_m) + " m") +
      row("Climb (clockwise)", "爬升（顺时针）", "↑ " + fmtNumber(p.ascent_m) + " m  ↓ " + fmtNumber(p.descent_m) + " m") +
      row("Geometry", "几何精度", term("quality", p.quality)) +
      row("Modes", "通行方式", terms("mode", p.modes)) +
      "</table>" + times +
      '<div class="st-pop-id">' + esc(p.segment_id) + "</div></div>";
  }

  function bindSegment(feature, layer) {
    var p = feature.properties;
    layer.bindPopup(segmentPopup(p), { maxWidth: 360, minWidth: 280 });
    layer.bindTooltip(bi(p.name_en, p.name_zh || p.name_en) + " · " + fmtKm(p.length_m),
      { sticky: true, className: "st-tip" });
  }

  function bindRoad(feature, layer) {
    var p = feature.properties;
    layer.bindTooltip(bi(p.name_en, p.name_zh || p.name_en) +
      (p.surface ? ' <span class="st-muted">(' + esc(p.surface) + ")</span>" : ""),
      { sticky: true, className: "st-tip" });
  }

  function segmentLabel(feature, latlng) {
    var p = feature.properties;
    return L.marker(latlng, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: "st-seg-label",
        html: '<span style="border-color:' + esc(routeColour(p.route_id)) + '">' + fmtKm(p.length_m) + "</span>",
        iconSize: null
      })
    });
  }

  // a km post (rescue.kmposts): the km it reads, framed in its route's colour; CSS shows the
  // posts every 5 km ("major") at any zoom and the others from zoom 13
  function kmPost(feature, latlng) {
    var p = feature.properties;
    return L.marker(latlng, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: "st-km-post " + (p.major ? "st-km-major" : "st-km-minor"),
        html: '<span style="border-color:' + esc(routeColour(p.route_id)) + '">' + esc(String(p.km)) + "</span>",
        iconSize: null
      })
    });
  }

  function placeMarker(feature, latlng) {
    var p = feature.properties;
    var icon = PLACE_ICONS[p.type] || PLACE_ICONS.other;
    var major = MAJOR_PLACES[p.type] ? " st-major" : "";
    var uncertain = p.coord_quality === "estimated" ? " st-uncertain" : "";
    return L.marker(latlng, {
      title: (p.name_en || "") + (p.name_zh ? " / " + p.name_zh : ""),
      riseOnHover: true,
      icon: L.divIcon({
        className: "st-marker",
        html: '<span class="st-place ' + icon[1] + major + uncertain + '"><i class="fa-solid fa-' + icon[0] +
          '" aria-hidden="true"></i></span>',
        iconSize: [22, 22],
        iconAnchor: [11, 11],
        popupAnchor: [0, -11],
        tooltipAnchor: [11, 0]
      })
    });
  }

  function bindPlace(feature, layer) {
    var p = feature.properties;
    var ll = feature.geometry.coordinates;
    var aliases = (p.aliases_en || []).concat(p.aliases_zh || []);
    var html = '<div class="st-pop">' + names(p) +
      '<div class="st-pop-route">' + term("placeType", p.type) +
      (p.route_id ? ' · <i class="st-swatch" style="background:' + esc(routeColour(p.route_id)) + '"></i>' +
        routeName(p.route_id) : "") + "</div>" +
      '<table class="st-pop-table">' +
      row("Elevation", "海拔", p.elevation_m === null ? "—" : fmtNumber(p.elevation_m) + " m") +
      (p.kora_km === null || p.kora_km === undefined ? "" :
        row("Outer kora km", "外转山里程", "km " + fmtNumber(p.kora_km, 1))) +
      row("Position", "位置精度", term("coordQuality", p.coord_quality)) +
      (p.notes ? row("Notes", "备注", '<span class="st-notes">' + esc(p.notes) + "</span>") : "") +
      (aliases.length ? row("Also called", "别名", '<span class="st-notes">' + esc(aliases.slice(0, 8).join(" · ")) + "</span>") : "") +
      "</table>" + coordinateTable(ll[1], ll[0]) +
      '<div class="st-pop-id">' + esc(p.place_id) + "</div></div>";
    layer.bindPopup(html, { maxWidth: 380, minWidth: 280 });
    var label = bi(p.name_en, p.name_zh || p.name_en);
    var major = MAJOR_PLACES[p.type];
    var rank = LABEL_RANK[p.type] || 5;
    layer.options.labelRank = rank;
    layer.bindTooltip(label, {
      permanent: true,
      direction: "right",
      className: "st-name st-name-rank" + rank + (major ? " st-name-major" : "") + " st-name-off",
      offset: [2, 0]
    });
    // a name hidden to avoid a collision shows while the pointer is on its place
    layer.on("mouseover", function () {
      var el = layer.getTooltip() && layer.getTooltip().getElement();
      if (el) { el.classList.add("st-name-hover"); }
    });
    layer.on("mouseout", function () {
      var el = layer.getTooltip() && layer.getTooltip().getElement();
      if (el) { el.classList.remove("st-name-hover"); }
    });
  }

  function stationMarker(feature, latlng) {
    var p = feature.properties;
    return L.marker(latlng, {
      title: (p.name_en || "") + (p.name_zh ? " / " + p.name_zh : ""),
      riseOnHover: true,
      zIndexOffset: 500,
      icon: L.divIcon({
        className: "st-marker",
        html: '<span class="st-station"><i class="fa-solid fa-' + (STATION_ICONS[p.kind] || "truck-medical") +
          '" aria-hidden="true"></i></span>',
        iconSize: [26, 26],
        iconAnchor: [13, 13],
        popupAnchor: [0, -13],
        tooltipAnchor: [13, 0]
      })
    });
  }

  function bindStation(feature, layer) {
    var p = feature.properties;
    var ll = feature.geometry.coordinates;
    var html = '<div class="st-pop">' + names(p) +
      '<div class="st-pop-route">' + term("stationKind", p.kind) + " · " + term("season", p.season) + "</div>" +
      '<table class="st-pop-table">' +
      row("Can send", "可派出", terms("capability", p.capabilities)) +
      (p.notes ? row("Notes", "备注", '<span class="st-notes">' + esc(p.notes) + "</span>") : "") +
      "</table>" + coordinateTable(ll[1], ll[0]) +
      '<div class="st-pop-id">' + esc(p.station_id) + "</div></div>";
    layer.bindPopup(html, { maxWidth: 380, minWidth: 280 });
    layer.bindTooltip(bi(p.name_en, p.name_zh || p.name_en), { direction: "right", className: "st-name" });
  }

  // --- controls --------------------------------------------------------------------------------
  var CursorControl = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd: function (map) {
      var div = L.DomUtil.create("div", "st-cursor leaflet-bar");
      div.innerHTML = '<div class="st-cursor-dd">' + bi("Move the pointer over the map", "将指针移到地图上") + "</div>" +
        '<div class="st-cursor-utm"></div>';
      var dd = div.querySelector(".st-cursor-dd");
      var um = div.querySelector(".st-cursor-utm");
      map.on("mousemove", function (e) {
        var ll = e.latlng.wrap();
        dd.textContent = fmtDecimal(ll.lat, ll.lng);
        um.textContent = "UTM " + fmtUtm(ll.lat, ll.lng);
      });
      L.DomEvent.disableClickPropagation(div);
      return div;
    }
  });

  var LegendControl = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function (map) {
      var div = L.DomUtil.create("div", "st-legend leaflet-bar");
      // the title folds and unfolds the rows; folded from the start on a small screen
      var html = '<button type="button" class="st-legend-head" aria-expanded="false">' +
        '<i class="fa-solid fa-list" aria-hidden="true"></i> ' + bi("Legend", "图例") + "</button>";
      (CONFIG.routes || []).forEach(function (route) {
        html += '<div class="st-legend-row st-legend-route" data-route-id="' + esc(route.route_id) +
          '" role="button" tabindex="0" title="Zoom to route / 缩放至路线"><svg width="34" height="8">' +
          '<line x1="1" y1="4" x2="33" y2="4" stroke="' + esc(routeColour(route.route_id)) +
          '" stroke-width="4" stroke-linecap="round"/></svg>' + routeName(route.route_id) + "</div>";
      });
      var dash = (CONFIG.palette || {}).quality_dash || {};
      ["track_consensus", "published_fixes", "hand_traced", "estimated"].forEach(function (q) {
        html += '<div class="st-legend-row"><svg width="34" height="8"><line x1="1" y1="4" x2="33" y2="4" stroke="#333" stroke-width="3"' +
          (dash[q] ? ' stroke-dasharray="' + esc(dash[q]) + '"' : "") + "/></svg>" + term("quality", q) + "</div>";
      });
      html += '<div class="st-legend-row"><svg width="34" height="8"><line x1="1" y1="4" x2="33" y2="4" stroke="' +
        esc((CONFIG.palette || {}).road || "#5f5140") + '" stroke-width="2" stroke-dasharray="6 4"/></svg>' +
        bi("Road / vehicle track", "公路 / 车道") + "</div>";
      // the plan and closures (approach.js draws them in these styles)
      html += '<div class="st-legend-row st-legend-closure"><svg width="34" height="12">' +
        '<rect x="1" y="1" width="14" height="10" fill="url(#st-hatch)" stroke="#c2185b" stroke-width="1.5"/>' +
        '<line x1="18" y1="6" x2="33" y2="6" stroke="#c2185b" stroke-width="6" stroke-dasharray="2 4"/></svg>' +
        bi("Closure (area, way)", "封闭（区域、路段）") + "</div>";
      html += '<div class="st-legend-row"><svg width="34" height="8"><line x1="1" y1="4" x2="33" y2="4" stroke="#212529" stroke-width="4"/></svg>' +
        bi("Plan: vehicle", "方案：车辆") + "</div>";
      html += '<div class="st-legend-row"><svg width="34" height="8"><line x1="1" y1="4" x2="33" y2="4" stroke="#f08c00" stroke-width="4" stroke-dasharray="2 6" stroke-linecap="round"/></svg>' +
        bi("Plan: on foot", "方案：步行") + "</div>";
      html += '<div class="st-legend-row"><svg width="34" height="8"><line x1="1" y1="4" x2="33" y2="4" stroke="#2b8a3e" stroke-width="4"/></svg>' +
        bi("Evacuation", "后送") + "</div>";
      html += '<div class="st-legend-row"><span class="st-station st-legend-icon"><i class="fa-solid fa-shield-halved"></i></span>' +
        bi("Rescue station", "救援站点") + "</div>";
      html += '<div class="st-legend-row"><span class="st-place st-k-sacred st-legend-icon st-uncertain"><i class="fa-solid fa-vihara"></i></span>' +
        bi("Place (dashed ring: position estimated)", "地点（虚线圈：位置为估计）") + "</div>";
      html += '<div class="st-legend-row st-legend-route st-legend-all" data-route-id="" role="button" tabindex="0">' +
        '<i class="fa-solid fa-expand"></i>' + bi("Whole region", "全区域") + "</div>";
      div.innerHTML = html;
      var head = div.querySelector(".st-legend-head");
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
  function smallScreen() {
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

  function notice(map, html) {
    var box = map.getContainer().querySelector(".st-notice");
    if (!box) {
      box = L.DomUtil.create("div", "st-notice", map.getContainer());
    }
    box.innerHTML = html;
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
          html: "<span>" + Math.round(metres / 1000) + "</span>", iconSize: null })
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

  // --- language ----------------------------------------------------------------------------------
  function setLanguage(lang) {
    lang = lang === "zh" ? "zh" : "en";
    document.body.classList.remove("lang-en", "lang-zh");
    document.body.classList.add("lang-" + lang);
    document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === lang));
    });
    try { window.localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode */ }
    // the server answers (error messages, pages) in the chosen language: web/errors.py
    document.cookie = "sandtable_lang=" + lang + "; path=/; max-age=31536000; SameSite=Lax";
    document.dispatchEvent(new CustomEvent("sandtable:language", { detail: { lang: lang } }));
  }

  function currentLanguage() {
    return document.body.classList.contains("lang-zh") ? "zh" : "en";
  }

  function initialLanguage() {
    var stored = null;
    try { stored = window.localStorage.getItem(LANG_KEY); } catch (e) { /* private mode */ }
    if (stored) { return stored; }
    return (navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
  }

  // --- entry point ---------------------------------------------------------------------------------
  function init(map, layers, baseLayers) {
    window.sandtableMap = map;
    window.sandtableLayers = layers;
    window.sandtableBaseLayers = baseLayers;

    setLanguage(initialLanguage());
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.addEventListener("click", function () { setLanguage(button.getAttribute("data-set-lang")); });
    });

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
        .setContent('<div class="st-pop"><div class="st-pop-title">' + bi("This point", "此位置") + "</div>" +
          coordinateTable(ll.lat, ll.lng) + "</div>")
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
    document.dispatchEvent(new CustomEvent("sandtable:ready", { detail: { map: map, layers: layers } }));
  }

  // --- DOM helpers for the panels: text only, never HTML from data --------------------------
  function domEl(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // a bilingual label: two spans, the page's CSS shows the one matching the language
  // a Font Awesome icon, hidden from screen readers
  function domIcon(name) {
    var i = domEl("i", "fa-solid fa-" + name);
    i.setAttribute("aria-hidden", "true");
    return i;
  }

  // a bilingual button, with an icon when iconName is given
  function domButton(className, en, zh, iconName) {
    var b = domEl("button", "st-btn " + (className || ""));
    b.type = "button";
    if (iconName) { b.appendChild(domIcon(iconName)); b.appendChild(document.createTextNode(" ")); }
    b.appendChild(domBi(en, zh));
    return b;
  }

  function domClear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function domBi(en, zh) {
    var frag = document.createDocumentFragment();
    var a = domEl("span", null, en);
    a.setAttribute("lang", "en");
    var b = domEl("span", null, zh === undefined || zh === null || zh === "" ? en : zh);
    b.setAttribute("lang", "zh-Hans");
    frag.appendChild(a);
    frag.appendChild(b);
    return frag;
  }

  // the session's CSRF token, rendered by the server into <meta name="csrf-token">
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // headers (a copy of `headers`, if given) with X-CSRF-Token: every POST, PUT, PATCH and
  // DELETE must send it, or the server answers 403 "csrf"
  function csrfHeaders(headers) {
    var h = {};
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    var token = csrfToken();
    if (token) { h["X-CSRF-Token"] = token; }
    return h;
  }

  // fetch JSON: resolves to {status, ok, json} (json null when the body is not JSON);
  // a request other than GET/HEAD gets the CSRF token header
  function getJson(url, options) {
    var opts = {};
    Object.keys(options || {}).forEach(function (k) { opts[k] = options[k]; });
    var method = (opts.method || "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") { opts.headers = csrfHeaders(opts.headers); }
    return fetch(url, opts).then(function (response) {
      return response.json().then(
        function (json) { return { status: response.status, ok: response.ok, json: json }; },
        function () { return { status: response.status, ok: false, json: null }; }
      );
    });
  }

  // Pushed updates: GET /api/events (server-sent events) calls onChange(topic, data) for
  // each change of one of `topics` made anywhere ("closures", "incidents", "route_data"),
  // and onChange(null, null) after a reconnection (changes may have been missed meanwhile).
  // Where the browser has no EventSource, or the server refuses the stream (signed out, or
  // too many streams: 429), it polls: onChange(null, null) every fallbackMs while the page
  // is visible, and tries the stream again a minute later. <body data-live> says which.
  function live(url, topics, onChange, fallbackMs) {
    var polling = null;
    var opened = false;
    var source = null;
    function setMode(mode) { document.body.setAttribute("data-live", mode); }
    function stopPolling() {
      if (polling) { window.clearInterval(polling); polling = null; }
    }
    function poll() {
      setMode("poll");
      if (polling || !fallbackMs) { return; }
      polling = window.setInterval(function () {
        if (!document.hidden) { onChange(null, null); }
      }, fallbackMs);
    }
    function open() {
      if (typeof window.EventSource !== "function") { poll(); return; }
      source = new window.EventSource(url + "?topics=" + encodeURIComponent(topics.join(",")));
      source.addEventListener("ready", function () {
        stopPolling();
        setMode("push");
        if (opened) { onChange(null, null); }  // a reconnection: catch up
        opened = true;
      });
      topics.forEach(function (topic) {
        source.addEventListener(topic, function (e) {
          var data = null;
          try { data = JSON.parse(e.data); } catch (err) { data = null; }
          onChange(topic, data);
        });
      });
      source.onerror = function () {
        // CONNECTING: the browser reconnects by itself (the server asks for 2 s);
        // CLOSED: the server refused the stream
        if (source.readyState === window.EventSource.CLOSED) {
          poll();
          window.setTimeout(open, 60000);
        }
      };
    }
    open();
    return { close: function () { stopPolling(); if (source) { source.close(); } } };
  }

  window.Sandtable = {
    live: live,
    vocab: {
      localTz: VOCAB.local_tz, capabilities: VOCAB.capabilities || [],
      closureReasons: VOCAB.closure_reasons || [], directions: VOCAB.directions || [],
      labels: labelMap
    },
    dom: {
      el: domEl, bi: domBi, icon: domIcon, button: domButton, clear: domClear,
      getJson: getJson, csrfHeaders: csrfHeaders
    },
    init: init,
    setLanguage: setLanguage,
    language: currentLanguage,
    routeColour: routeColour,
    zoomToRoute: function (routeId) { zoomToRoute(window.sandtableMap, routeId); },
    bindSegment: bindSegment,
    bindRoad: bindRoad,
    bindPlace: bindPlace,
    bindStation: bindStation,
    segmentLabel: segmentLabel,
    kmPost: kmPost,
    placeMarker: placeMarker,
    stationMarker: stationMarker,
    utm: utm,
    formats: { decimal: fmtDecimal, dms: fmtDms, ddm: fmtDdm, utm: fmtUtm, km: fmtKm },
    // HTML builders for the map tools (maptools.js): escaped text, bilingual pairs, terms
    html: {
      esc: esc, bi: bi, term: term, coordinateTable: coordinateTable,
      placeIcon: function (type) { return PLACE_ICONS[type] || PLACE_ICONS.other; }
    },
    smallScreen: smallScreen
  };
})();
