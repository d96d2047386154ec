/* The reports page: a period, its summary cards, charts (Chart.js) and a heat map (Leaflet).
 *
 * Reads /api/reports/summary and /api/reports/heat for the period picked (days in Beijing
 * time, UTC+8, as the API reads a date; the "to" day included: the API's period is
 * [from, to), so "to" is sent as the next day)
 * and points the CSV link at /api/reports/incidents.csv for the same period.
 * Every text from the data is set with textContent (dom.el) or drawn on a
 * canvas, never parsed as HTML. Charts are redrawn in the language picked.
 */
import * as dom from "./dom.js";

var CONFIG = dom.pageData("st-config-reports");
var DAY_MS = 86400000;
var LOCAL_OFFSET_MS = 8 * 3600000;  // China Standard Time has no daylight saving
var el = dom.el;
var bi = dom.bi;
var getJson = dom.getJson;

var TERMS = {
  status: {
    received: ["received", "已接警"], located: ["located", "已定位"], dispatched: ["dispatched", "已派出"],
    en_route: ["en route", "途中"], on_scene: ["on scene", "已到场"], resolved: ["resolved", "已处置"],
    followed_up: ["followed up", "已回访"]
  },
  outcome: {
    rescued: ["rescued", "已救出"], not_found: ["not found", "未找到"],
    false_alarm: ["false alarm", "误报"], handed_over: ["handed over", "已移交"], none: ["no outcome yet", "尚无结果"]
  },
  priority: { low: ["low", "低"], normal: ["normal", "普通"], high: ["high", "高"], critical: ["critical", "危急"] },
  cause: {
    altitude_sickness: ["altitude sickness", "高原反应"], injury: ["injury", "受伤"],
    exhaustion: ["exhaustion", "体力不支"], illness: ["illness", "疾病"], lost: ["lost", "迷路"],
    weather: ["weather", "天气"], vehicle: ["vehicle", "车辆"], other: ["other", "其他"],
    unknown: ["unknown", "未知"]
  }
};
// from light to dark: segments with more incidents are redder and thicker
var RAMP = ["#fdae61", "#f46d43", "#d73027", "#a50026"];
var NONE_COLOUR = "#a89c84";

var state = {
  summary: null, heat: null, charts: {}, map: null, heatLayer: null, pointLayer: null, legend: null, layers: null
};

function lang() { return dom.language(); }
function term(group, key) {
  var t = (TERMS[group] || {})[key];
  if (!t) { return key === null || key === undefined ? "—" : String(key); }
  return lang() === "zh" ? t[1] : t[0];
}
function termBi(group, key) {
  var t = (TERMS[group] || {})[key];
  return t ? bi(t[0], t[1]) : document.createTextNode(key === null || key === undefined ? "—" : String(key));
}
function isoDay(d) { return d.toISOString().slice(0, 10); }
function parseDay(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text || "")) { return null; }
  var d = new Date(text + "T00:00:00Z");
  return isNaN(d.getTime()) ? null : d;
}
function fmtSeconds(s) {
  if (s === null || s === undefined) { return "–"; }
  if (s < 90) { return s + (lang() === "zh" ? " 秒" : " s"); }
  if (s < 5400) { return Math.round(s / 60) + (lang() === "zh" ? " 分钟" : " min"); }
  return (s / 3600).toFixed(1) + (lang() === "zh" ? " 小时" : " h");
}
function fmtEdge(s) {
  if (s < 3600) { return (s / 60) + (lang() === "zh" ? "分" : " min"); }
  return (s / 3600) + (lang() === "zh" ? "时" : " h");
}
function binLabel(bin) {
  if (bin.to_s === null) { return "≥ " + fmtEdge(bin.from_s); }
  if (bin.from_s === 0) { return "< " + fmtEdge(bin.to_s); }
  return fmtEdge(bin.from_s) + "–" + fmtEdge(bin.to_s);
}
function segmentName(entry) {
  var name = lang() === "zh" ? (entry.name_zh || entry.name_en) : (entry.name_en || entry.name_zh);
  name = name || entry.segment_id || "";
  return name.length > 48 ? name.slice(0, 47) + "…" : name;
}

// --- the period -------------------------------------------------------------------------------
function form() { return document.querySelector(".st-rep-form"); }

function setPreset(days) {
  var today = new Date(Date.now() + LOCAL_OFFSET_MS);  // its UTC fields: the date in Tibet
  var to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  var from = new Date(to.getTime() - (days - 1) * DAY_MS);
  document.getElementById("st-rep-from").value = isoDay(from);
  document.getElementById("st-rep-to").value = isoDay(to);
  document.querySelectorAll("[data-preset-days]").forEach(function (b) {
    b.setAttribute("aria-pressed", String(Number(b.getAttribute("data-preset-days")) === days));
  });
}

// the API's query for the days picked, or null (with a message) when they make no period
function periodQuery() {
  var from = parseDay(document.getElementById("st-rep-from").value);
  var to = parseDay(document.getElementById("st-rep-to").value);
  if (!from || !to) { status("Pick both days.", "请选择起止日期。", true); return null; }
  if (to < from) { status("The last day is before the first.", "截止日早于起始日。", true); return null; }
  var end = new Date(to.getTime() + DAY_MS);
  return "from=" + encodeURIComponent(isoDay(from)) + "&to=" + encodeURIComponent(isoDay(end));
}

function status(en, zh, error) {
  var box = document.querySelector(".st-rep-status");
  box.textContent = "";
  box.classList.toggle("st-rep-error", Boolean(error));
  if (en) { box.appendChild(bi(en, zh)); }
}

function load() {
  var query = periodQuery();
  if (query === null) { return Promise.resolve(); }
  document.getElementById("st-rep-csv").setAttribute("href", "/api/reports/incidents.csv?" + query);
  document.body.removeAttribute("data-reports-ready");
  status("Loading…", "加载中…", false);
  return Promise.all([
    getJson("/api/reports/summary?" + query),
    getJson("/api/reports/heat?" + query)
  ]).then(function (answers) {
    var failed = answers.filter(function (a) { return !a.ok; })[0];
    if (failed) {
      var message = failed.json && failed.json.error ? failed.json.error.message : "HTTP " + failed.status;
      status("Cannot show the report: " + message, "无法显示报告：" + message, true);
      return;
    }
    state.summary = answers[0].json;
    state.heat = answers[1].json;
    render();
    var n = state.summary.totals.incidents;
    status(n + " incidents received in the period.", "该时段共接警 " + n + " 起。", false);
    document.body.setAttribute("data-reports-ready", "true");
  }, function () {
    status("The server did not answer.", "服务器无响应。", true);
  });
}

// --- cards and tables ---------------------------------------------------------------------------
function renderCards(s) {
  var rt = s.response_times;
  var share = rt.receipt_to_dispatch.within_target_share;
  var onTime = rt.on_scene_vs_eta.within_share;
  var values = {
    incidents: s.totals.incidents,
    open: s.totals.open,
    people: s.totals.people,
    dispatch_p50: fmtSeconds(rt.receipt_to_dispatch.p50_s),
    dispatch_p90: fmtSeconds(rt.receipt_to_dispatch.p90_s),
    within_target: share === null ? "–" : Math.round(share * 100) + " %",
    on_scene_p50: fmtSeconds(rt.receipt_to_on_scene.p50_s),
    on_time: onTime === null ? "–" : Math.round(onTime * 100) + " %",
    unlocated: s.totals.unlocated
  };
  document.querySelectorAll("[data-card]").forEach(function (node) {
    node.textContent = String(values[node.getAttribute("data-card")]);
  });
}

function renderStatuses(s) {
  var body = document.querySelector("#st-rep-statuses tbody");
  body.textContent = "";
  function group(en, zh) {
    var tr = el("tr", "st-rep-group");
    var th = el("th");
    th.setAttribute("colspan", "2");
    th.appendChild(bi(en, zh));
    tr.appendChild(th);
    body.appendChild(tr);
  }
  function rows(groupName, counts) {
    Object.keys(counts).forEach(function (key) {
      var tr = el("tr");
      var th = el("th");
      th.appendChild(termBi(groupName, key));
      tr.appendChild(th);
      tr.appendChild(el("td", null, counts[key]));
      body.appendChild(tr);
    });
  }
  group("Status", "状态"); rows("status", s.by_status);
  group("Outcome", "结果"); rows("outcome", s.by_outcome);
  group("Priority", "优先级"); rows("priority", s.by_priority);
}

// --- charts -----------------------------------------------------------------------------------------
function chart(key, labels, data, options) {
  options = options || {};
  if (state.charts[key]) { state.charts[key].destroy(); }
  var canvas = document.querySelector('canvas[data-chart="' + key + '"]');
  state.charts[key] = new Chart(canvas, {
    type: "bar",
    data: {
      labels: labels,
      datasets: [{
        data: data,
        backgroundColor: options.colours || "#b3261e",
        borderWidth: 0,
        label: lang() === "zh" ? "事件数" : "incidents"
      }]
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: options.horizontal ? "y" : "x",
      plugins: { legend: { display: false } },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 60 }, beginAtZero: true },
        y: { ticks: { autoSkip: !options.horizontal, precision: 0 }, beginAtZero: true }
      }
    }
  });
}

function renderCharts(s) {
  var causes = Object.keys(s.by_cause);
  chart("cause", causes.map(function (c) { return term("cause", c); }),
    causes.map(function (c) { return s.by_cause[c]; }));
  chart("day", s.by_day.map(function (d) { return d.date; }),
    s.by_day.map(function (d) { return d.count; }), { colours: "#1f5f8b" });
  var top = s.by_segment.slice(0, 15);
  var labels = top.map(segmentName);
  var counts = top.map(function (e) { return e.count; });
  if (s.totals.unlocated) {
    labels.push(lang() === "zh" ? "无位置" : "no location");
    counts.push(s.totals.unlocated);
  }
  chart("segment", labels, counts, { horizontal: true, colours: "#e34a33" });
  ["receipt_to_dispatch", "dispatch_to_on_scene", "receipt_to_on_scene"].forEach(function (key) {
    var dist = s.response_times[key];
    var colours = dist.bins.map(function (b) {
      if (dist.target_s === null) { return "#6b6257"; }
      return b.to_s !== null && b.to_s <= dist.target_s ? "#1a7f37" : "#e4a033";
    });
    chart(key, dist.bins.map(binLabel), dist.bins.map(function (b) { return b.count; }), { colours: colours });
  });
}

// --- the heat map -------------------------------------------------------------------------------------
function thresholds(max) {
  // four classes of 1..max (fewer when max is small)
  var steps = [];
  for (var i = 1; i <= 4; i += 1) {
    var t = Math.ceil(max * i / 4);
    if (t >= 1 && steps.indexOf(t) < 0) { steps.push(t); }
  }
  return steps;
}
function classOf(count, steps) {
  for (var i = 0; i < steps.length; i += 1) { if (count <= steps[i]) { return i; } }
  return steps.length - 1;
}
function rampColour(i, steps) {
  var offset = RAMP.length - steps.length;  // few classes: use the darker end
  return RAMP[Math.min(RAMP.length - 1, offset + i)];
}

function segmentPopup(p) {
  var box = el("div", "st-rep-pop");
  var title = el("div", "st-rep-pop-title");
  title.appendChild(bi(p.name || p.segment_id, p.name_zh || p.name || p.segment_id));
  box.appendChild(title);
  box.appendChild(bi(p.incidents + " incidents in the period", "该时段 " + p.incidents + " 起事件"));
  return box;
}

function incidentPopup(p) {
  var box = el("div", "st-rep-pop");
  box.appendChild(el("div", "st-rep-pop-title", "#" + p.incident_id));
  box.appendChild(el("div", null, (p.received_at || "").replace("T", " ").slice(0, 16)));
  var what = el("div");
  what.appendChild(termBi("cause", p.cause || "unknown"));
  what.appendChild(document.createTextNode(" · "));
  what.appendChild(termBi("priority", p.priority));
  what.appendChild(document.createTextNode(" · "));
  what.appendChild(termBi("status", p.status));
  box.appendChild(what);
  if (p.place) { box.appendChild(el("div", "st-rep-pop-place", p.place)); }
  if (p.assigned) {
    box.appendChild(el("div", "st-muted")).appendChild(
      bi("placed by hand; counted on the nearest segment", "手动标点；计入最近路段"));
  }
  return box;
}

function legendControl(steps) {
  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      var div = el("div", "st-rep-legend");
      var head = el("div");
      head.appendChild(bi("Incidents per segment", "每路段事件数"));
      div.appendChild(head);
      function rowOf(colour, weight, en, zh) {
        var row = el("div", "st-rep-legend-row");
        var sw = el("span", "st-rep-swatch");
        sw.style.background = colour;
        sw.style.height = weight + "px";
        row.appendChild(sw);
        row.appendChild(bi(en, zh));
        div.appendChild(row);
      }
      rowOf(NONE_COLOUR, 2, "none", "无");
      var low = 1;
      steps.forEach(function (t, i) {
        var text = low === t ? String(t) : low + "–" + t;
        rowOf(rampColour(i, steps), 3 + 3 * (i + 1), text, text);
        low = t + 1;
      });
      var pts = el("div", "st-rep-legend-row");
      pts.appendChild(el("span", "st-rep-point-swatch"));
      pts.appendChild(bi("an incident", "一起事件"));
      div.appendChild(pts);
      L.DomEvent.disableClickPropagation(div);
      return div;
    }
  });
  return new Legend();
}

function renderHeat(heat) {
  if (!state.map) {
    state.map = L.map("st-rep-heat", { zoomSnap: 0.25 });
    var b = (CONFIG.region || {}).bbox;
    if (b) { state.map.fitBounds([[b[1], b[0]], [b[3], b[2]]]); } else { state.map.setView([31.07, 81.31], 11); }
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(state.map);
    state.map.createPane("st-rep-points").style.zIndex = 450;  // above the segments
    state.pointLayer = L.layerGroup().addTo(state.map);
    // a fixed label (no data in it): the control sets it as HTML
    state.layers = L.control.layers(null, {
      '<span lang="en">Incidents</span><span lang="zh-Hans">事件点</span>': state.pointLayer
    }, { collapsed: false, position: "topright" }).addTo(state.map);
  }
  state.pointLayer.clearLayers();
  if (state.heatLayer) { state.map.removeLayer(state.heatLayer); }
  if (state.legend) { state.map.removeControl(state.legend); }
  var steps = thresholds(heat.max_incidents || 0);
  var segments = heat.features.filter(function (f) { return f.properties.kind === "segment"; });
  var points = heat.features.filter(function (f) { return f.properties.kind === "incident"; });
  // the busiest segments last, so they are drawn on top
  segments.sort(function (a, b) { return a.properties.incidents - b.properties.incidents; });
  var group = L.featureGroup();
  L.geoJSON({ type: "FeatureCollection", features: segments }, {
    style: function (f) {
      var n = f.properties.incidents;
      if (!n) { return { color: NONE_COLOUR, weight: 2, opacity: 0.8, className: "st-rep-seg st-rep-seg-none" }; }
      var i = classOf(n, steps);
      return { color: rampColour(i, steps), weight: 3 + 3 * (i + 1), opacity: 0.95, className: "st-rep-seg st-rep-seg-hot" };
    },
    onEachFeature: function (f, layer) {
      layer.bindPopup(function () { return segmentPopup(f.properties); });
      layer.bindTooltip(function () { return segmentPopup(f.properties); }, { sticky: true });
    }
  }).addTo(group);
  points.forEach(function (f) {
    var c = f.geometry.coordinates;
    L.circleMarker([c[1], c[0]], {
      radius: 4, color: "#fff", weight: 1.5, fillColor: "#2f2a24", fillOpacity: 0.9, className: "st-rep-point",
      pane: "st-rep-points"
    }).bindPopup(function () { return incidentPopup(f.properties); }).addTo(state.pointLayer);
  });
  state.heatLayer = group.addTo(state.map);
  state.legend = legendControl(steps).addTo(state.map);
  // show where the incidents are (the region's box includes far-off roads)
  var busy = L.featureGroup();
  group.eachLayer(function (geo) {
    geo.eachLayer(function (seg) { if (seg.feature.properties.incidents) { busy.addLayer(L.polyline(seg.getLatLngs())); } });
  });
  state.pointLayer.eachLayer(function (pt) { busy.addLayer(L.marker(pt.getLatLng())); });
  if (busy.getLayers().length) { state.map.fitBounds(busy.getBounds(), { padding: [30, 30], maxZoom: 14 }); }
}

function render() {
  if (!state.summary) { return; }
  renderCards(state.summary);
  renderStatuses(state.summary);
  renderCharts(state.summary);
  if (state.heat) { renderHeat(state.heat); }
}

// --- start --------------------------------------------------------------------------------------------
function start() {
  dom.startLanguage();
  // chart labels are drawn on canvases: redraw them in the new language
  document.addEventListener("sandtable:language", function () {
    if (state.summary) { renderCards(state.summary); renderCharts(state.summary); }
  });
  document.querySelectorAll("[data-preset-days]").forEach(function (b) {
    b.addEventListener("click", function () {
      setPreset(Number(b.getAttribute("data-preset-days")));
      load();
    });
  });
  ["st-rep-from", "st-rep-to"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function () {
      document.querySelectorAll("[data-preset-days]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    });
  });
  form().addEventListener("submit", function (e) { e.preventDefault(); load(); });
  setPreset(CONFIG.default_days || 30);
  load();
}

start();
