/* The planners' page (GET /planner): imports, feature edits and the version history.
 *
 * A plain Leaflet map (vendored, offline "sand table" background) shows every feature of
 * the current version (GET /api/export?format=geojson, properties.layer tells the layer).
 * Three panels:
 *   Import  - POST /api/imports (multipart), the preview drawn on the map (new ways green,
 *             changed ways orange over the old geometry dashed grey, moved places as a line
 *             from old to new, new places as markers), then apply {"message"} or discard.
 *   Edit    - a click on a way, place or station GETs it (and its revision) and shows a form;
 *             Save PUTs it with base_revision and a message. A 409 shows theirs and yours side
 *             by side; a 422 its details. Places can be moved, ways split and joined.
 *   History - GET /api/versions, restore (POST .../restore {"message"}) and exports.
 * The author of every change is the signed-in user (the server knows); every write sends
 * the session's CSRF token (dom.getJson adds X-CSRF-Token).
 *
 * Everything the server sent is put in the page with textContent, never as HTML.
 */
import * as dom from "./dom.js";
import * as vocab from "./vocab.js";

var CONFIG = dom.pageData("st-config-planner");
var COLOURS = {
  trails: "#8d5a2b", roads: "#5f5140", places: "#1f5f8b", stations: "#b3261e",
  selected: "#e4b363", newWay: "#1a9641", changeWay: "#f28e2b", before: "#8a8a8a",
  move: "#7b3fa0", newPlace: "#1a9641"
};
var WAY_FIELDS = [
  ["name_en", "Name (English)", "名称（英文）", "text"],
  ["name_zh", "Name (Chinese)", "名称（中文）", "text"],
  ["surface", "Surface", "路面", "text"],
  ["modes", "Modes", "通行方式", "checks", [["foot", "foot", "步行"], ["vehicle", "vehicle", "车辆"]]],
  ["notes", "Notes", "备注", "textarea"]
];
var PLACE_FIELDS = [
  ["name_en", "Name (English)", "名称（英文）", "text"],
  ["name_zh", "Name (Chinese)", "名称（中文）", "text"],
  ["name_bo", "Name (Tibetan)", "名称（藏文）", "text"],
  ["aliases_en", "Aliases (English, comma-separated)", "别名（英文，逗号分隔）", "list"],
  ["aliases_zh", "Aliases (Chinese, comma-separated)", "别名（中文，逗号分隔）", "list"],
  ["type", "Type", "类型", "select", CONFIG.place_types || []],
  ["notes", "Notes", "备注", "textarea"]
];
var CAPABILITY_LABELS = vocab.labels(vocab.capabilities);
var STATION_FIELDS = [
  ["name_en", "Name (English)", "名称（英文）", "text"],
  ["name_zh", "Name (Chinese)", "名称（中文）", "text"],
  ["capabilities", "Capabilities", "能力", "checks", (CONFIG.capabilities || []).map(function (c) {
    var label = CAPABILITY_LABELS[c] || [c, c];
    return [c, label[0], label[1]];
  })],
  ["season", "Season", "季节", "select", ["year_round", "seasonal"]],
  ["resources", "Resources (vehicles, stretchers, oxygen …)", "资源（车辆、担架、氧气等）", "textarea"],
  ["contacts", "Contacts (phone, radio channel)", "联系方式（电话、电台频道）", "textarea"],
  ["notes", "Notes", "备注", "textarea"]
];
var FIELDS = { trails: WAY_FIELDS, roads: WAY_FIELDS, places: PLACE_FIELDS, stations: STATION_FIELDS };
var ID_FIELD = { trails: "way_id", roads: "way_id", places: "place_id", stations: "station_id" };
var LAYER_NAMES = {
  trails: ["trail", "步道"], roads: ["road", "公路"], places: ["place", "地点"], stations: ["station", "站点"]
};
var KIND_NAMES = {
  change_way: ["changed way", "修改路段"], new_way: ["new way", "新路段"],
  move_place: ["moved place", "移动地点"], new_place: ["new place", "新地点"]
};

var el = dom.el;
var bi = dom.bi;
var getJson = dom.getJson;

var map = null;
var dataLayer = null;       // every feature of the current version
var layerIndex = {};        // "layer/id" -> Leaflet layer
var previewLayer = null;    // the import preview
var editLayer = null;       // selection highlight, move target, split point
var pendingImport = null;   // the preview body
var current = null;         // {layer, id, feature, revision}
var mode = null;            // null | "move" | "split" | "join"
var moved = null;           // L.LatLng chosen in move mode
var ready = { data: false, history: false };
var allFeatures = [];       // the current version's features (for the search)
var changesLayer = null;    // the changes of the version shown in the history

// --- small helpers ------------------------------------------------------------------------
function $(selector, root) { return (root || document).querySelector(selector); }

var icon = dom.icon;

function button(className, iconName, en, zh) {
  return dom.button(className, en, zh, iconName);
}

function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

function textOf(value) {
  if (value === null || value === undefined) { return ""; }
  if (Array.isArray(value)) { return value.join(", "); }
  if (typeof value === "object") { return JSON.stringify(value); }
  return String(value);
}

function headers(json) {
  var h = {};
  if (json) { h["Content-Type"] = "application/json"; }
  return h;
}

function send(method, url, body) {
  var options = { method: method, headers: headers(body !== undefined) };
  if (body !== undefined) { options.body = JSON.stringify(body); }
  return getJson(url, options);
}

function errorOf(result) {
  var error = (result.json && result.json.error) || {};
  return {
    status: result.status,
    code: error.code || "",
    message: error.message || ("HTTP " + result.status),
    details: error.details || [],
    data: error.data || null
  };
}

// show an API error (message and details) in box
// ``box`` shown with one message in both languages
function showMessage(box, en, zh) {
  clear(box);
  box.appendChild(bi(en, zh));
  box.hidden = false;
}

function showError(box, result) {
  var error = errorOf(result);
  clear(box);
  box.appendChild(el("div", "st-pl-error-message", error.message));
  if (error.details.length) {
    var list = el("ul", "st-pl-error-details");
    error.details.forEach(function (d) { list.appendChild(el("li", null, textOf(d))); });
    box.appendChild(list);
  }
  box.hidden = false;
}

function status(en, zh, kind) {
  var box = $(".st-pl-status");
  clear(box);
  box.className = "st-pl-status" + (kind ? " st-pl-status-" + kind : "");
  box.appendChild(bi(en, zh));
  box.hidden = false;
}

function featureName(props) {
  return props.name_en || props.name_zh || props.place_id || props.station_id || props.way_id || "";
}

function tooltipContent(props) {
  var box = el("div", "st-pl-tip");
  box.appendChild(el("div", "st-pl-tip-name", featureName(props)));
  if (props.name_zh && props.name_en) { box.appendChild(el("div", "st-pl-tip-zh", props.name_zh)); }
  var layer = LAYER_NAMES[props.layer] || [props.layer, props.layer];
  var sub = el("div", "st-pl-tip-sub");
  sub.appendChild(bi(layer[0], layer[1]));
  sub.appendChild(document.createTextNode(" · " + (props[ID_FIELD[props.layer]] || "")));
  box.appendChild(sub);
  return box;
}

function keyOf(layer, id) { return layer + "/" + id; }

function isWay(layer) { return layer === "trails" || layer === "roads"; }

// --- language and user ----------------------------------------------------------------------
function placeholders() {
  var lang = dom.language();
  document.querySelectorAll("[data-placeholder-en]").forEach(function (input) {
    input.setAttribute("placeholder", input.getAttribute("data-placeholder-" + lang) || "");
  });
}

function initLanguage() {
  document.addEventListener("sandtable:language", placeholders);
  dom.startLanguage();
}

function initTabs() {
  document.querySelectorAll(".st-pl-tabs [data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function () { showTab(tab.getAttribute("data-tab")); });
  });
}

function showTab(name) {
  document.querySelectorAll(".st-pl-tabs [data-tab]").forEach(function (tab) {
    tab.setAttribute("aria-selected", String(tab.getAttribute("data-tab") === name));
  });
  document.querySelectorAll(".st-pl-panel").forEach(function (panel) {
    panel.hidden = panel.getAttribute("data-panel") !== name;
  });
}

// --- the map --------------------------------------------------------------------------------
function initMap() {
  map = L.map("st-pl-map", { zoomSnap: 0.25, preferCanvas: false, doubleClickZoom: false });
  map.createPane("stPlPoints").style.zIndex = 450;
  map.createPane("stPlPreview").style.zIndex = 460;
  map.createPane("stPlEdit").style.zIndex = 470;
  var bbox = (CONFIG.region || {}).bbox;
  if (bbox && bbox.length === 4) {
    map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { padding: [12, 12] });
  } else {
    map.setView([31.05, 81.3], 11);
  }
  L.control.scale({ position: "bottomleft", imperial: false, maxWidth: 180 }).addTo(map);
  changesLayer = L.featureGroup().addTo(map);
  previewLayer = L.featureGroup().addTo(map);
  editLayer = L.featureGroup().addTo(map);
  map.on("click", function (e) { mapClick(e.latlng); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && mode) { setMode(null); }
  });
  window.sandtablePlanner = {
    map: map, index: layerIndex, select: select,
    preview: previewLayer, edit: editLayer, changes: changesLayer
  };
}

function wayStyle(props) {
  var road = props.layer === "roads";
  return {
    color: road ? COLOURS.roads : COLOURS.trails, weight: road ? 3 : 4, opacity: 0.85,
    dashArray: road && !String(props.surface || "").startsWith("paved") ? "6 4" : null,
    className: "st-pl-way st-pl-" + props.layer
  };
}

function loadData() {
  ready.data = false;
  return getJson("api/export?format=geojson").then(function (result) {
    if (!result.ok) { status("Could not load the route data", "无法加载路线数据", "error"); return; }
    if (dataLayer) { map.removeLayer(dataLayer); }
    layerIndex = {};
    window.sandtablePlanner.index = layerIndex;
    var features = (result.json.features || []).slice().sort(function (a, b) {
      var order = { roads: 0, trails: 1, places: 2, stations: 3 };
      return order[a.properties.layer] - order[b.properties.layer];
    });
    allFeatures = features;
    dataLayer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) { return wayStyle(f.properties); },
      pointToLayer: function (f, latlng) {
        var station = f.properties.layer === "stations";
        return L.circleMarker(latlng, {
          pane: "stPlPoints", radius: station ? 7 : 5, weight: 2, color: "#fff",
          fillColor: station ? COLOURS.stations : COLOURS.places, fillOpacity: 0.95,
          className: "st-pl-point st-pl-" + f.properties.layer
        });
      },
      onEachFeature: function (f, layer) {
        var props = f.properties;
        var id = props[ID_FIELD[props.layer]];
        layerIndex[keyOf(props.layer, id)] = layer;
        layer.on("add", function () {  // which feature a path is (for tests and styling)
          var node = layer.getElement && layer.getElement();
          if (node) { node.setAttribute("data-key", keyOf(props.layer, id)); }
        });
        layer.bindTooltip(tooltipContent(props), { sticky: !!isWay(props.layer) });
        layer.on("click", function (e) {
          L.DomEvent.stopPropagation(e);
          featureClick(props.layer, id, e.latlng);
        });
      }
    }).addTo(map);
    dataLayer.bringToBack();
    ready.data = true;
    markReady();
    if (current) { editLayer.clearLayers(); highlight(); }
  });
}

function markReady() {
  if (ready.data && ready.history) { document.body.setAttribute("data-planner-ready", "true"); }
}

function reloadAll() {
  return Promise.all([loadData(), loadHistory()]);
}

// --- import -----------------------------------------------------------------------------------
function initImport() {
  var form = $(".st-pl-import-form");
  form.addEventListener("submit", function (e) { e.preventDefault(); upload(); });
  $(".st-pl-apply").addEventListener("click", applyImport);
  $(".st-pl-discard").addEventListener("click", discardImport);
}

function upload() {
  var form = $(".st-pl-import-form");
  var file = $(".st-pl-file").files[0];
  var errorBox = $(".st-pl-import-error");
  errorBox.hidden = true;
  if (!file) {
    showMessage(errorBox, "Choose a file first.", "请先选择文件。");
    return;
  }
  var data = new FormData();
  data.append("file", file, file.name);
  var snap = $(".st-pl-snap").value.trim();
  if (snap !== "") { data.append("snap_tolerance_m", snap); }
  data.append("layer", $(".st-pl-layer").value);
  form.classList.add("st-busy");
  var discarded = pendingImport ? discardPending() : Promise.resolve();
  discarded.then(function () {
    return getJson("api/imports", { method: "POST", body: data, headers: headers(false) });
  }).then(function (result) {
    form.classList.remove("st-busy");
    if (result.status !== 201) {
      showError(errorBox, result);
      return;
    }
    showPreview(result.json);
  }, function () {
    form.classList.remove("st-busy");
    showMessage(errorBox, "The server could not be reached.", "无法连接服务器。");
  });
}

function previewStyle(kind) {
  if (kind === "new_way") { return { color: COLOURS.newWay, weight: 5, opacity: 0.95 }; }
  if (kind === "change_way") { return { color: COLOURS.changeWay, weight: 5, opacity: 0.95 }; }
  return { color: COLOURS.move, weight: 3 };
}

function clearStatus() {
  var box = $(".st-pl-status");
  clear(box);
  box.hidden = true;
}

function showPreview(body) {
  clearStatus();  // "Import discarded." (or an older result) is not about this preview
  pendingImport = body;
  previewLayer.clearLayers();
  var panel = $(".st-pl-preview");
  var head = $(".st-pl-preview-head");
  clear(head);
  head.appendChild(el("strong", null, body.filename || ""));
  head.appendChild(document.createTextNode(" · " + (body.format || "") + " · "));
  head.appendChild(bi((body.point_count || 0) + " points", (body.point_count || 0) + " 个点"));
  head.appendChild(document.createTextNode(" · "));
  head.appendChild(bi("based on version " + body.base_version, "基于版本 " + body.base_version));

  var list = $(".st-pl-proposals");
  clear(list);
  (body.proposals || []).forEach(function (p, i) {
    var item = el("li", "st-pl-proposal st-pl-kind-" + p.kind);
    var kind = KIND_NAMES[p.kind] || [p.kind, p.kind];
    var tag = el("span", "st-pl-tag st-pl-tag-" + p.kind);
    tag.appendChild(bi(kind[0], kind[1]));
    item.appendChild(tag);
    var summary = el("span", "st-pl-summary", " ");
    summary.appendChild(bi(p.summary || "", p.summary_zh));
    item.appendChild(summary);
    item.setAttribute("data-index", String(i));
    list.appendChild(item);
    drawProposal(p, item);
  });
  if (!(body.proposals || []).length) {
    list.appendChild(el("li", "st-pl-none")).appendChild(bi("No changes.", "没有变更。"));
  }
  // a warning in the page's language (message_zh beside the English message)
  fillList($(".st-pl-warnings"), $(".st-pl-warnings-head"), (body.warnings || []).map(function (w) {
    return bi(w.message || w.code, w.message_zh);
  }), "st-pl-warning");
  // why it cannot be applied, in the page's language (problems_zh beside the English)
  var problemsZh = body.problems_zh || [];
  fillList($(".st-pl-problems"), $(".st-pl-problems-head"), (body.problems || []).map(function (p, i) {
    return bi(p, problemsZh[i] || p);
  }), "st-pl-problem");
  var apply = $(".st-pl-apply");
  apply.disabled = !body.can_apply;
  apply.title = body.can_apply ? "" : "This import has problems and cannot be applied / 此导入有问题，无法应用";
  $(".st-pl-apply-message").value = "";
  panel.hidden = false;
  var bounds = previewLayer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 16 }); }
}

function fillList(list, head, items, className) {
  clear(list);
  items.forEach(function (item) {
    var li = el("li", className);
    li.appendChild(item instanceof Node ? item : document.createTextNode(textOf(item)));
    list.appendChild(li);
  });
  list.hidden = head.hidden = items.length === 0;
}

function drawProposal(p, item) {
  var g = p.geometry;
  if (!g) { return; }
  var drawn = [];
  if (p.kind === "change_way" && p.before) {
    drawn.push(L.geoJSON(p.before, { style: function () {
      return { color: COLOURS.before, weight: 4, dashArray: "6 6", opacity: 0.9, className: "st-pv-before", pane: "stPlPreview" };
    } }));
  }
  if (g.type === "Point") {
    var ll = L.latLng(g.coordinates[1], g.coordinates[0]);
    if (p.kind === "move_place" && p.before && p.before.type === "Point") {
      var from = L.latLng(p.before.coordinates[1], p.before.coordinates[0]);
      drawn.push(L.circleMarker(from, {
        pane: "stPlPreview", radius: 5, color: COLOURS.before, fillColor: "#fff", fillOpacity: 1,
        dashArray: "3 3", className: "st-pv-before"
      }));
      drawn.push(L.polyline([from, ll], {
        pane: "stPlPreview", color: COLOURS.move, weight: 3, dashArray: "4 4", className: "st-pv-move-line"
      }));
      drawn.push(arrowHead(from, ll));
    }
    drawn.push(L.circleMarker(ll, {
      pane: "stPlPreview", radius: 8, weight: 3, color: "#fff",
      fillColor: p.kind === "new_place" ? COLOURS.newPlace : COLOURS.move, fillOpacity: 1,
      className: "st-pv st-pv-" + p.kind
    }));
  } else {
    var style = previewStyle(p.kind);
    style.className = "st-pv st-pv-" + p.kind;
    style.pane = "stPlPreview";
    drawn.push(L.geoJSON(g, { style: function () { return style; } }));
  }
  var group = L.featureGroup(drawn).addTo(previewLayer);
  group.bindTooltip(el("div", "st-pl-tip", p.summary || ""), { sticky: true });
  item.addEventListener("click", function () {
    var b = group.getBounds();
    if (b.isValid()) { map.fitBounds(b.pad(0.5), { maxZoom: 17 }); }
  });
}

// a small arrow head at `to`, pointing away from `from`
function arrowHead(from, to) {
  var a = map.latLngToLayerPoint(from);
  var b = map.latLngToLayerPoint(to);
  var angle = Math.atan2(b.y - a.y, b.x - a.x);
  var size = 0.0004;  // degrees: good enough at planning zooms
  var lat = to.lat;
  var lon = to.lng;
  function corner(delta) {
    var t = angle + Math.PI + delta;
    return L.latLng(lat - size * Math.sin(t), lon + size * Math.cos(t) / Math.cos(lat * Math.PI / 180));
  }
  return L.polygon([to, corner(0.45), corner(-0.45)], {
    pane: "stPlPreview", color: COLOURS.move, fillColor: COLOURS.move, fillOpacity: 1, weight: 1,
    className: "st-pv-move-arrow"
  });
}

function endPreview() {
  pendingImport = null;
  previewLayer.clearLayers();
  $(".st-pl-preview").hidden = true;
}

function discardPending() {
  var id = pendingImport.import_id;
  endPreview();
  return send("DELETE", "api/imports/" + encodeURIComponent(id)).catch(function () { /* gone */ });
}

function discardImport() {
  if (!pendingImport) { return; }
  discardPending().then(function () { status("Import discarded.", "已放弃导入。"); });
}

function applyImport() {
  if (!pendingImport) { return; }
  var input = $(".st-pl-apply-message");
  var errorBox = $(".st-pl-import-error");
  var message = input.value.trim();
  if (!message) {
    showMessage(errorBox, "Say what this import changes and why.", "请说明此导入改了什么、为什么。");
    input.focus();
    return;
  }
  errorBox.hidden = true;
  var button = $(".st-pl-apply");
  button.disabled = true;
  send("POST", "api/imports/" + encodeURIComponent(pendingImport.import_id) + "/apply", { message: message })
    .then(function (result) {
      button.disabled = false;
      if (result.status !== 201) { showError(errorBox, result); return; }
      var v = result.json.version;
      endPreview();
      $(".st-pl-file").value = "";
      status("Applied as version " + v.version_id + ".", "已应用为版本 " + v.version_id + "。", "ok");
      reloadAll();
    });
}

// --- edit ---------------------------------------------------------------------------------------
function featureClick(layer, id, latlng) {
  if (mode === "move" || mode === "split") { mapClick(latlng); return; }
  if (mode === "join") {
    if (isWay(layer) && !(current && current.id === id)) { confirmJoin(layer, id); }
    return;
  }
  select(layer, id);
}

function mapClick(latlng) {
  if (mode === "move") {
    moved = latlng;
    editLayer.clearLayers();
    highlight();
    L.circleMarker(latlng, {
      pane: "stPlEdit", radius: 8, color: COLOURS.move, weight: 3, fillColor: "#fff", fillOpacity: 1,
      className: "st-pl-move-target"
    }).addTo(editLayer);
    setMode(null);
    var info = $(".st-pl-move-info");
    if (info) {
      clear(info);
      info.appendChild(bi("New position: ", "新位置："));
      info.appendChild(document.createTextNode(latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5)));
      info.hidden = false;
    }
  } else if (mode === "split") {
    setMode(null);
    confirmSplit(latlng);
  }
}

function setMode(next) {
  mode = next;
  map.getContainer().classList.toggle("st-pl-picking", !!next);
  var hint = $(".st-pl-mode-hint");
  if (!hint) { return; }
  clear(hint);
  hint.hidden = !next;
  if (next === "move") { hint.appendChild(bi("Click the new location on the map (Esc cancels).", "在地图上点击新位置（Esc取消）。")); }
  if (next === "split") { hint.appendChild(bi("Click the point of the way to split at (Esc cancels).", "在路段上点击拆分点（Esc取消）。")); }
  if (next === "join") { hint.appendChild(bi("Click the way to join with (Esc cancels).", "点击要合并的路段（Esc取消）。")); }
}

function highlight() {
  if (!current) { return; }
  var g = current.feature && current.feature.geometry;
  if (!g) { return; }
  if (g.type === "Point") {
    L.circleMarker(L.latLng(g.coordinates[1], g.coordinates[0]), {
      pane: "stPlEdit", radius: 11, color: COLOURS.selected, weight: 3, fill: false,
      interactive: false, className: "st-pl-selected"
    }).addTo(editLayer);
  } else {
    L.geoJSON(g, { interactive: false, style: function () {
      return { color: COLOURS.selected, weight: 9, opacity: 0.55, pane: "stPlEdit", className: "st-pl-selected" };
    } }).addTo(editLayer);
  }
}

function select(layer, id) {
  showTab("edit");
  setMode(null);
  moved = null;
  var body = $(".st-pl-edit-body");
  clear(body);
  $(".st-pl-edit-empty").hidden = true;
  body.appendChild(el("p", "st-pl-hint")).appendChild(bi("Loading…", "加载中…"));
  return getJson("api/data/" + layer + "/" + encodeURIComponent(id)).then(function (result) {
    clear(body);
    editLayer.clearLayers();
    if (!result.ok) {
      current = null;
      var box = el("div", "st-pl-error");
      body.appendChild(box);
      showError(box, result);
      return;
    }
    current = { layer: layer, id: id, feature: result.json.feature, revision: result.json.revision };
    highlight();
    body.appendChild(editForm());
  });
}

function field(spec, props) {
  var name = spec[0];
  var wrap = el("div", "st-pl-field st-pl-f-" + name);
  var label = el("label", "st-field-label");
  var inputId = "st-pl-in-" + name;
  label.appendChild(bi(spec[1], spec[2]));
  wrap.appendChild(label);
  var value = props[name];
  var input;
  if (spec[3] === "checks") {
    input = el("div", "st-pl-checks");
    input.setAttribute("data-field", name);
    var have = Array.isArray(value) ? value : [];
    var options = spec[4].slice();
    have.forEach(function (v) {  // keep values the form does not know
      if (!options.some(function (o) { return o[0] === v; })) { options.push([v, v, v]); }
    });
    options.forEach(function (o) {
      var l = el("label", "st-pl-check");
      var box = el("input");
      box.type = "checkbox";
      box.value = o[0];
      box.name = name;
      box.checked = have.indexOf(o[0]) >= 0;
      l.appendChild(box);
      l.appendChild(bi(o[1], o[2]));
      input.appendChild(l);
    });
    wrap.appendChild(input);
    return wrap;
  }
  if (spec[3] === "textarea") {
    input = el("textarea");
    input.rows = 3;
    input.value = textOf(value);
  } else if (spec[3] === "select") {
    input = el("select");
    var values = spec[4].slice();
    if (value && values.indexOf(value) < 0) { values.push(value); }
    if (!value) { values.unshift(""); }
    values.forEach(function (v) {
      var option = el("option", null, v);
      option.value = v;
      input.appendChild(option);
    });
    input.value = value || "";
  } else {
    input = el("input");
    input.type = "text";
    input.value = textOf(value);
  }
  input.id = inputId;
  input.name = name;
  input.setAttribute("data-field", name);
  input.setAttribute("data-kind", spec[3]);
  label.setAttribute("for", inputId);
  wrap.appendChild(input);
  return wrap;
}

function editForm() {
  var props = current.feature.properties || {};
  var form = el("form", "st-pl-edit-form");
  form.noValidate = true;
  var head = el("div", "st-pl-edit-head");
  var layerName = LAYER_NAMES[current.layer];
  var tag = el("span", "st-pl-tag");
  tag.appendChild(bi(layerName[0], layerName[1]));
  head.appendChild(tag);
  head.appendChild(el("code", "st-pl-edit-id", " " + current.id));
  head.appendChild(el("span", "st-pl-edit-rev", " · rev " + current.revision));
  form.appendChild(head);
  form.appendChild(el("div", "st-pl-edit-title", featureName(props)));
  FIELDS[current.layer].forEach(function (spec) { form.appendChild(field(spec, props)); });

  var tools = el("div", "st-pl-tools");
  if (current.layer === "places" || current.layer === "stations") {
    var move = button("st-pl-move", "arrows-up-down-left-right", "Move", "移动");
    move.addEventListener("click", function () { setMode("move"); });
    tools.appendChild(move);
  }
  if (isWay(current.layer)) {
    var split = button("st-pl-split", "scissors", "Split here…", "在此拆分…");
    split.addEventListener("click", function () { setMode("split"); });
    tools.appendChild(split);
    var join = button("st-pl-join", "link", "Join with…", "合并…");
    join.addEventListener("click", function () { setMode("join"); });
    tools.appendChild(join);
  }
  form.appendChild(tools);
  var hint = el("p", "st-pl-mode-hint st-pl-hint");
  hint.hidden = true;
  form.appendChild(hint);
  var info = el("p", "st-pl-move-info");
  info.hidden = true;
  form.appendChild(info);
  form.appendChild(el("div", "st-pl-confirm"));

  var msg = el("div", "st-pl-field st-pl-f-message");
  var msgLabel = el("label", "st-field-label");
  msgLabel.setAttribute("for", "st-pl-edit-message");
  msgLabel.appendChild(bi("Message (what and why)", "说明（改了什么、为什么）"));
  var msgInput = el("input", "st-pl-edit-message");
  msgInput.type = "text";
  msgInput.id = "st-pl-edit-message";
  msgInput.maxLength = 500;
  msg.appendChild(msgLabel);
  msg.appendChild(msgInput);
  form.appendChild(msg);

  var actions = el("div", "st-pl-actions");
  var save = button("st-btn-primary st-pl-save", "floppy-disk", "Save", "保存");
  save.type = "submit";
  actions.appendChild(save);
  var cancel = button("st-pl-cancel", null, "Close", "关闭");
  cancel.addEventListener("click", deselect);
  actions.appendChild(cancel);
  form.appendChild(actions);
  var errorBox = el("div", "st-pl-edit-error st-pl-error");
  errorBox.setAttribute("role", "alert");
  errorBox.hidden = true;
  form.appendChild(errorBox);
  form.appendChild(el("div", "st-pl-conflict"));
  form.addEventListener("submit", function (e) { e.preventDefault(); save_(form); });
  return form;
}

function deselect() {
  current = null;
  setMode(null);
  editLayer.clearLayers();
  clear($(".st-pl-edit-body"));
  $(".st-pl-edit-empty").hidden = false;
}

// the feature with the form's values
function edited(form) {
  var feature = JSON.parse(JSON.stringify(current.feature));
  var props = feature.properties;
  form.querySelectorAll("[data-field]").forEach(function (input) {
    var name = input.getAttribute("data-field");
    var kind = input.getAttribute("data-kind");
    if (input.classList.contains("st-pl-checks")) {
      props[name] = Array.prototype.filter.call(input.querySelectorAll("input"), function (b) {
        return b.checked;
      }).map(function (b) { return b.value; });
    } else if (kind === "list") {
      props[name] = input.value.split(/[,，]/).map(function (s) { return s.trim(); })
        .filter(function (s) { return s; });
    } else {
      var value = input.value;
      var before = current.feature.properties[name];
      // an empty field stays as the stored value said it (missing or null)
      props[name] = value === "" && (before === null || before === undefined) ? before : value;
      if (props[name] === undefined) { delete props[name]; }
    }
  });
  if (moved && feature.geometry && feature.geometry.type === "Point") {
    var rest = feature.geometry.coordinates.slice(2);
    feature.geometry.coordinates = [round6(moved.lng), round6(moved.lat)].concat(rest);
  }
  return feature;
}

function round6(x) { return Math.round(x * 1e6) / 1e6; }

function messageOf(form, errorBox) {
  var input = form.querySelector(".st-pl-edit-message");
  var message = input.value.trim();
  if (!message) {
    showMessage(errorBox, "Say what changed and why (message).", "请填写说明：改了什么、为什么。");
    input.focus();
  }
  return message;
}

function save_(form) {
  var errorBox = form.querySelector(".st-pl-edit-error");
  var conflict = form.querySelector(".st-pl-conflict");
  errorBox.hidden = true;
  clear(conflict);
  var message = messageOf(form, errorBox);
  if (!message) { return; }
  var feature = edited(form);
  var save = form.querySelector(".st-pl-save");
  putFeature(feature, current.revision, message, {
    button: save, conflictBox: conflict, errorBox: errorBox,
    en: "Saved as version ", zh: ["已保存为版本 ", "。"]
  });
}

// PUT the selected feature based on ``baseRevision``; on 201 say so (``how.en``/``how.zh``
// around the new version's number) and reload it, on a 409 show the conflict, else the error.
function putFeature(feature, baseRevision, message, how) {
  how.button.disabled = true;
  send("PUT", "api/data/" + current.layer + "/" + encodeURIComponent(current.id), {
    feature: feature, base_revision: baseRevision, message: message
  }).then(function (result) {
    how.button.disabled = false;
    if (result.status === 201) {
      var v = result.json.version;
      status(how.en + v.version_id + ".", how.zh[0] + v.version_id + how.zh[1], "ok");
      var layer = current.layer;
      var id = current.id;
      reloadAll();
      select(layer, id);
      return;
    }
    if (result.status === 409 && errorOf(result).data) {
      showConflict(how.conflictBox, errorOf(result));
      return;
    }
    showError(how.errorBox, result);
  });
}

// A 409: only the properties (and the geometry) where theirs and yours differ, each with
// "keep mine" / "take theirs"; "Save merged" saves theirs with the kept ones of mine, based
// on their revision. "Reload theirs" drops all of mine.
function showConflict(box, error) {
  var theirs = (error.data.theirs || {});
  var yours = (error.data.yours || {});
  var tf = theirs.feature || {};
  var yf = yours.feature || {};
  var tp = tf.properties || {};
  var yp = yf.properties || {};
  clear(box);
  var head = el("div", "st-pl-conflict-head");
  head.appendChild(icon("triangle-exclamation"));
  head.appendChild(document.createTextNode(" "));
  head.appendChild(bi("Someone else changed this meanwhile.", "其他人已在此期间修改了它。"));
  box.appendChild(head);
  box.appendChild(el("p", "st-pl-conflict-message", error.message));
  var names = [];
  Object.keys(tp).concat(Object.keys(yp)).forEach(function (k) {
    if (names.indexOf(k) < 0 && JSON.stringify(tp[k]) !== JSON.stringify(yp[k])) { names.push(k); }
  });
  var geometryDiffers = JSON.stringify(tf.geometry || null) !== JSON.stringify(yf.geometry || null);
  if (geometryDiffers) { names.push("geometry"); }
  if (!names.length) {
    box.appendChild(el("p", "st-pl-hint st-pl-conflict-same"))
      .appendChild(bi("Your values are the same as theirs.", "您的值与他人的相同。"));
  }
  var table = el("table", "st-pl-conflict-table");
  var thead = el("thead");
  var hr = el("tr");
  hr.appendChild(el("th")).appendChild(bi("Property", "属性"));
  hr.appendChild(el("th")).appendChild(bi("Theirs (rev " + (theirs.revision || "?") + ")",
    "他人的（修订 " + (theirs.revision || "?") + "）"));
  hr.appendChild(el("th")).appendChild(bi("Yours", "您的"));
  hr.appendChild(el("th")).appendChild(bi("Keep", "保留"));
  thead.appendChild(hr);
  table.appendChild(thead);
  var tbody = el("tbody");
  names.forEach(function (k, i) {
    var geometry = k === "geometry";
    var tr = el("tr", "st-pl-differs");
    tr.setAttribute("data-property", k);
    tr.appendChild(el("th", null, k));
    tr.appendChild(el("td", "st-pl-theirs", geometry ? JSON.stringify(tf.geometry || null) : textOf(tp[k])));
    tr.appendChild(el("td", "st-pl-yours", geometry ? JSON.stringify(yf.geometry || null) : textOf(yp[k])));
    var choice = el("td", "st-pl-choice");
    [["mine", "keep mine", "保留我的"], ["theirs", "take theirs", "采用他人的"]].forEach(function (c) {
      var label = el("label", "st-pl-choice-" + c[0]);
      var radio = el("input");
      radio.type = "radio";
      radio.name = "st-pl-keep-" + i;
      radio.value = c[0];
      radio.checked = c[0] === "mine";
      label.appendChild(radio);
      label.appendChild(bi(c[1], c[2]));
      choice.appendChild(label);
    });
    tr.appendChild(choice);
    tbody.appendChild(tr);
  });
  table.appendChild(tbody);
  if (names.length) { box.appendChild(table); }
  var actions = el("div", "st-pl-actions");
  var merged = button("st-btn-primary st-pl-save-merged", "code-merge", "Save merged", "保存合并结果");
  merged.addEventListener("click", function () {
    var form = box.closest("form");
    var errorBox = form.querySelector(".st-pl-edit-error");
    errorBox.hidden = true;
    var message = messageOf(form, errorBox);
    if (!message) { return; }
    var feature = JSON.parse(JSON.stringify(tf));
    feature.properties = feature.properties || {};
    tbody.querySelectorAll("tr[data-property]").forEach(function (tr) {
      var k = tr.getAttribute("data-property");
      var keep = tr.querySelector("input:checked").value;
      if (keep !== "mine") { return; }
      if (k === "geometry") { feature.geometry = yf.geometry; return; }
      if (yp[k] === undefined) { delete feature.properties[k]; } else { feature.properties[k] = yp[k]; }
    });
    putFeature(feature, theirs.revision, message, {
      button: merged, conflictBox: box, errorBox: errorBox,
      en: "Merged and saved as version ", zh: ["已合并并保存为版本 ", "。"]
    });
  });
  actions.appendChild(merged);
  var reload = button("st-pl-reload-theirs", "rotate", "Reload theirs", "重新加载他人的版本");
  reload.addEventListener("click", function () {
    reloadAll();
    select(current.layer, current.id);
  });
  actions.appendChild(reload);
  box.appendChild(actions);
}

// a "message + OK / Cancel" form: every change says what and why
function messageForm(prefix, question, okLabel, onOk, onCancel) {
  var form = el("div", prefix + "-form");
  var label = el("label", "st-field-label");
  label.appendChild(bi(question[0], question[1]));
  var input = el("input", prefix + "-message");
  input.type = "text";
  input.maxLength = 500;
  label.appendChild(input);
  form.appendChild(label);
  var ok = button("st-btn-primary " + prefix + "-ok", "check", okLabel[0], okLabel[1]);
  var no = button(prefix + "-cancel", null, "Cancel", "取消");
  var err = el("div", "st-pl-error");
  err.hidden = true;
  ok.addEventListener("click", function () {
    var message = input.value.trim();
    if (!message) {
      showMessage(err, "Say what changed and why.", "请说明改了什么、为什么。");
      input.focus();
      return;
    }
    ok.disabled = true;
    onOk(message).then(function (result) {
      ok.disabled = false;
      if (result && result.status !== 201) { showError(err, result); }
    });
  });
  no.addEventListener("click", onCancel);
  var actions = el("div", "st-pl-actions");
  actions.appendChild(ok);
  actions.appendChild(no);
  form.appendChild(actions);
  form.appendChild(err);
  return { node: form, input: input };
}

// an inline "message + confirm / cancel" box in the edit form
function confirmBox(en, zh, onOk) {
  var box = $(".st-pl-confirm");
  if (!box) { return; }
  clear(box);
  box.appendChild(el("p", "st-pl-confirm-text")).appendChild(bi(en, zh));
  var form = messageForm("st-pl-confirm", ["Message", "说明"], ["Confirm", "确认"], onOk,
    function () { clear(box); });
  box.appendChild(form.node);
  form.input.focus();
}

function confirmSplit(latlng) {
  L.circleMarker(latlng, {
    pane: "stPlEdit", radius: 6, color: COLOURS.stations, weight: 3, fillColor: "#fff", fillOpacity: 1,
    className: "st-pl-split-point"
  }).addTo(editLayer);
  var where = latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
  var way = current;
  confirmBox("Split " + way.id + " at " + where + "?", "在 " + where + " 拆分 " + way.id + "？", function (message) {
    return send("POST", "api/data/ways/" + encodeURIComponent(way.id) + "/split", {
      lon: round6(latlng.lng), lat: round6(latlng.lat), base_revision: way.revision, message: message
    }).then(function (result) {
      if (result.status === 201) {
        var v = result.json.version;
        status("Split: version " + v.version_id + ".", "已拆分：版本 " + v.version_id + "。", "ok");
        reloadAll();
        select(way.layer, way.id);
      }
      return result;
    });
  });
}

function confirmJoin(layer, otherId) {
  setMode(null);
  var way = current;
  var other = layerIndex[keyOf(layer, otherId)];
  if (other) {
    L.geoJSON(other.feature.geometry, { interactive: false, style: function () {
      return { color: COLOURS.move, weight: 9, opacity: 0.5, pane: "stPlEdit", className: "st-pl-join-other" };
    } }).addTo(editLayer);
  }
  confirmBox("Join " + way.id + " with " + otherId + "?", "将 " + way.id + " 与 " + otherId + " 合并？",
    function (message) {
      return send("POST", "api/data/ways/join", { way_ids: [way.id, otherId], message: message })
        .then(function (result) {
          if (result.status === 201) {
            var v = result.json.version;
            status("Joined: version " + v.version_id + ".", "已合并：版本 " + v.version_id + "。", "ok");
            reloadAll();
            deselect();
          }
          return result;
        });
    });
}

// --- history ------------------------------------------------------------------------------------
function fmtWhen(iso) {
  var d = new Date(iso);
  if (isNaN(d.getTime())) { return iso || ""; }
  return d.toLocaleString("sv-SE", { timeZone: vocab.localTz }).slice(0, 16) + " (UTC+8)";
}

function fmtCounts(counts) {
  return Object.keys(counts || {}).map(function (k) { return k + " " + counts[k]; }).join(", ");
}

function loadHistory() {
  ready.history = false;
  return getJson("api/versions?limit=100").then(function (result) {
    var list = $(".st-pl-versions");
    var errorBox = $(".st-pl-history-error");
    clear(list);
    if (!result.ok) { showError(errorBox, result); return; }
    errorBox.hidden = true;
    var currentId = result.json.current;
    (result.json.versions || []).forEach(function (v) { list.appendChild(versionItem(v, currentId)); });
    ready.history = true;
    markReady();
  });
}

function versionItem(v, currentId) {
  var item = el("li", "st-pl-version" + (v.version_id === currentId ? " st-pl-current" : ""));
  item.setAttribute("data-version", String(v.version_id));
  var head = el("div", "st-pl-version-head");
  head.appendChild(el("strong", "st-pl-version-id", "#" + v.version_id));
  head.appendChild(el("span", "st-pl-version-kind", " " + (v.kind || "")));
  if (v.version_id === currentId) {
    var cur = el("span", "st-pl-tag st-pl-tag-current");
    cur.appendChild(bi("current", "当前"));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(cur);
  }
  item.appendChild(head);
  var meta = el("div", "st-pl-version-meta");
  meta.appendChild(el("span", "st-pl-version-when", fmtWhen(v.created_at)));
  meta.appendChild(document.createTextNode(" · "));
  meta.appendChild(el("span", "st-pl-version-author", String(v.author)));
  var counts = fmtCounts(v.counts);
  if (counts) { meta.appendChild(el("span", "st-pl-version-counts", " · " + counts)); }
  if (v.restored_from) {
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(bi("restores #" + v.restored_from, "恢复自 #" + v.restored_from));
  }
  item.appendChild(meta);
  item.appendChild(el("div", "st-pl-version-message", v.message || ""));
  var actions = el("div", "st-pl-version-actions");
  [["geojson", "GeoJSON"], ["gpx", "GPX"], ["gpkg", "GeoPackage"]].forEach(function (f) {
    var a = el("a", "st-pl-export st-pl-export-" + f[0], f[1]);
    a.href = "api/export?format=" + f[0] + "&version=" + encodeURIComponent(v.version_id);
    a.setAttribute("download", "");
    actions.appendChild(a);
  });
  var changes = button("st-pl-show-changes", "list", "Changes", "变更");
  changes.addEventListener("click", function () { toggleChanges(item, v); });
  actions.appendChild(changes);
  if (v.version_id !== currentId) {
    var restore = button("st-pl-restore", "clock-rotate-left", "Restore", "恢复");
    restore.addEventListener("click", function () { askRestore(item, v); });
    actions.appendChild(restore);
  }
  item.appendChild(actions);
  return item;
}

// --- a version's changes: a table in its history item, and on the map ---------------------------
var CHANGE_COLOURS = { insert: "#1a9641", update: "#f28e2b", delete: "#b3261e" };
var OP_NAMES = { insert: ["added", "新增"], update: ["changed", "修改"], delete: ["deleted", "删除"] };
var MAX_CHANGE_ROWS = 200;

function changedKeys(change) {
  if (change.op !== "update" || !change.before || !change.after) { return []; }
  var bp = change.before.properties || {};
  var ap = change.after.properties || {};
  var keys = [];
  Object.keys(bp).concat(Object.keys(ap)).forEach(function (k) {
    if (keys.indexOf(k) < 0 && JSON.stringify(bp[k]) !== JSON.stringify(ap[k])) { keys.push(k); }
  });
  if (JSON.stringify(change.before.geometry || null) !== JSON.stringify(change.after.geometry || null)) {
    keys.push("geometry");
  }
  return keys;
}

function drawChange(change) {
  var drawn = [];
  function shape(geometry, style) {
    if (!geometry) { return; }
    if (geometry.type === "Point") {
      drawn.push(L.circleMarker(L.latLng(geometry.coordinates[1], geometry.coordinates[0]), {
        pane: "stPlPreview", radius: 8, weight: 3, color: style.color, fill: !style.dashArray,
        fillColor: style.color, fillOpacity: 0.6, dashArray: style.dashArray, className: style.className
      }));
    } else {
      drawn.push(L.geoJSON(geometry, { style: function () { return style; } }));
    }
  }
  var colour = CHANGE_COLOURS[change.op] || COLOURS.move;
  if (change.before && change.op !== "delete") {
    shape(change.before.geometry, { color: COLOURS.before, weight: 4, dashArray: "6 6", opacity: 0.9,
      pane: "stPlPreview", className: "st-pl-ch-before" });
  }
  var main = change.op === "delete" ? change.before : change.after;
  if (main) {
    shape(main.geometry, { color: colour, weight: 5, opacity: 0.95, pane: "stPlPreview",
      className: "st-pl-ch st-pl-ch-" + change.op });
  }
  return L.featureGroup(drawn);
}

function toggleChanges(item, v) {
  var open = item.querySelector(".st-pl-changes");
  document.querySelectorAll(".st-pl-changes").forEach(function (node) { node.remove(); });
  changesLayer.clearLayers();
  if (open) { return; }  // a second click closes it
  var box = el("div", "st-pl-changes");
  box.appendChild(el("p", "st-pl-hint")).appendChild(bi("Loading…", "加载中…"));
  item.appendChild(box);
  getJson("api/versions/" + v.version_id).then(function (result) {
    clear(box);
    if (!result.ok) { showError(box, result); return; }
    var changes = result.json.changes || [];
    var head = el("p", "st-pl-changes-head");
    head.appendChild(bi(changes.length + " change" + (changes.length === 1 ? "" : "s") + " in version " + v.version_id,
      "版本 " + v.version_id + " 共 " + changes.length + " 处变更"));
    box.appendChild(head);
    if (!changes.length) {
      box.appendChild(el("p", "st-pl-hint st-pl-changes-none")).appendChild(v.kind === "seed"
        ? bi("The region's first data: no changes to list.", "本区域的初始数据：没有可列出的变更。")
        : bi("This version changed no feature.", "此版本没有修改任何要素。"));
      return;
    }
    var table = el("table", "st-pl-changes-table");
    var hr = el("tr");
    [["Change", "变更"], ["Feature", "要素"], ["What", "内容"]].forEach(function (h) {
      hr.appendChild(el("th")).appendChild(bi(h[0], h[1]));
    });
    table.appendChild(el("thead")).appendChild(hr);
    var tbody = el("tbody");
    changes.slice(0, MAX_CHANGE_ROWS).forEach(function (c) {
      var feature = c.after || c.before || {};
      var props = feature.properties || {};
      var tr = el("tr", "st-pl-change st-pl-change-" + c.op);
      tr.setAttribute("data-key", keyOf(c.layer, c.feature_id));
      var op = OP_NAMES[c.op] || [c.op, c.op];
      var layerName = LAYER_NAMES[c.layer] || [c.layer, c.layer];
      var opCell = el("td", "st-pl-change-op");
      opCell.appendChild(bi(op[0] + " " + layerName[0], op[1] + layerName[1]));
      tr.appendChild(opCell);
      var what = el("td", "st-pl-change-feature");
      what.appendChild(el("span", "st-pl-change-name", featureName(props)));
      what.appendChild(el("code", null, " " + c.feature_id));
      tr.appendChild(what);
      tr.appendChild(el("td", "st-pl-change-keys", changedKeys(c).join(", ")));
      tbody.appendChild(tr);
      var group = drawChange(c).addTo(changesLayer);
      group.bindTooltip(el("div", "st-pl-tip", featureName(props) + " · " + op[0]), { sticky: true });
      tr.addEventListener("click", function () {
        var b = group.getBounds();
        if (b.isValid()) { map.fitBounds(b.pad(0.5), { maxZoom: 16 }); }
      });
    });
    table.appendChild(tbody);
    box.appendChild(table);
    if (changes.length > MAX_CHANGE_ROWS) {
      var more = changes.length - MAX_CHANGE_ROWS;
      box.appendChild(el("p", "st-pl-hint st-pl-changes-more"))
        .appendChild(bi("… and " + more + " more (not drawn).", "……另有 " + more + " 处（未绘制）。"));
    }
    var bounds = changesLayer.getBounds();
    if (bounds.isValid() && changes.length <= MAX_CHANGE_ROWS) { map.fitBounds(bounds.pad(0.3), { maxZoom: 16 }); }
  });
}

// --- search: a feature by any of its names, aliases or its id -----------------------------------
function fold(text) {
  return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[\s\-_'’·]+/g, "");
}

function searchTexts(props) {
  var texts = [props.name_en, props.name_zh, props.name_bo, props[ID_FIELD[props.layer]]];
  (props.aliases_en || []).concat(props.aliases_zh || []).forEach(function (a) { texts.push(a); });
  return texts.filter(function (t) { return t; });
}

function search(query) {
  var q = fold(query);
  if (!q) { return []; }
  var hits = [];
  allFeatures.forEach(function (f) {
    var props = f.properties;
    var best = null;
    searchTexts(props).forEach(function (t) {
      var folded = fold(t);
      var at = folded.indexOf(q);
      if (at < 0) { return; }
      var rank = folded === q ? 0 : (at === 0 ? 1 : 2);
      if (best === null || rank < best.rank) { best = { rank: rank, text: t }; }
    });
    if (best) { hits.push({ rank: best.rank, matched: best.text, props: props }); }
  });
  var order = { places: 0, stations: 1, trails: 2, roads: 3 };
  hits.sort(function (a, b) {
    return a.rank - b.rank || order[a.props.layer] - order[b.props.layer] ||
      featureName(a.props).localeCompare(featureName(b.props));
  });
  return hits.slice(0, 12);
}

function initSearch() {
  var input = $(".st-pl-search-input");
  var list = $(".st-pl-search-results");
  function pick(props) {
    var id = props[ID_FIELD[props.layer]];
    list.hidden = true;
    var layer = layerIndex[keyOf(props.layer, id)];
    if (layer) {
      if (layer.getLatLng) { map.setView(layer.getLatLng(), Math.max(map.getZoom(), 15)); }
      else if (layer.getBounds) { map.fitBounds(layer.getBounds().pad(0.3), { maxZoom: 16 }); }
    }
    select(props.layer, id);
  }
  function render() {
    clear(list);
    var hits = search(input.value);
    list.hidden = !input.value.trim();
    if (!hits.length) {
      list.appendChild(el("li", "st-pl-search-none")).appendChild(bi("No feature has that name.", "没有此名称的要素。"));
      return;
    }
    hits.forEach(function (h) {
      var item = el("li", "st-pl-search-hit");
      var props = h.props;
      item.setAttribute("data-key", keyOf(props.layer, props[ID_FIELD[props.layer]]));
      item.setAttribute("tabindex", "0");
      item.appendChild(el("span", "st-pl-search-name", featureName(props)));
      if (props.name_zh && props.name_zh !== featureName(props)) {
        item.appendChild(el("span", "st-pl-search-zh", " " + props.name_zh));
      }
      var layerName = LAYER_NAMES[props.layer] || [props.layer, props.layer];
      var tag = el("span", "st-pl-tag");
      tag.appendChild(bi(layerName[0], layerName[1]));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(tag);
      if (h.matched !== featureName(props) && h.matched !== props.name_zh) {
        item.appendChild(el("span", "st-pl-search-matched", " (" + h.matched + ")"));
      }
      item.addEventListener("click", function () { pick(props); });
      item.addEventListener("keydown", function (e) { if (e.key === "Enter") { pick(props); } });
      list.appendChild(item);
    });
  }
  input.addEventListener("input", render);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      var hits = search(input.value);
      if (hits.length) { pick(hits[0].props); }
    } else if (e.key === "Escape") {
      input.value = "";
      list.hidden = true;
    }
  });
}

function askRestore(item, v) {
  var old = item.querySelector(".st-pl-restore-box");
  if (old) { old.remove(); }
  var box = el("div", "st-pl-restore-box");
  var form = messageForm(
    "st-pl-restore",
    ["Why restore version " + v.version_id + "?", "为什么恢复版本 " + v.version_id + "？"],
    ["Restore", "恢复"],
    function (message) {
      return send("POST", "api/versions/" + v.version_id + "/restore", { message: message })
        .then(function (result) {
          if (result.status === 201) {
            var nv = result.json.version;
            status("Version " + v.version_id + " restored as version " + nv.version_id + ".",
              "版本 " + v.version_id + " 已恢复为版本 " + nv.version_id + "。", "ok");
            reloadAll();
            if (current) { select(current.layer, current.id); }
          }
          return result;
        });
    },
    function () { box.remove(); }
  );
  box.appendChild(form.node);
  item.appendChild(box);
  form.input.focus();
}

// --- relief (DEM / MBTiles, /api/relief) --------------------------------------------------------
var reliefLayer = null;     // hillshade from the loaded DEM, under the data

// an API error in the page's language: relief errors carry their Chinese in data.message_zh
function showBilingualError(box, result) {
  var error = errorOf(result);
  showMessage(box, error.message, (error.data && error.data.message_zh) || error.message);
}

function fmtBytes(n) { return (n / 1e6).toFixed(n < 1e6 ? 2 : 1) + " MB"; }

function loadRelief() {
  return getJson("api/relief").then(function (result) {
    var list = $(".st-pl-relief-status");
    clear(list);
    if (!result.ok) { showBilingualError($(".st-pl-relief-error"), result); return; }
    var relief = result.json.relief || {};
    [["dem", "DEM (hillshade, contours)", "高程模型（晕渲、等高线）"],
      ["mbtiles", "MBTiles basemap", "MBTiles 底图"]].forEach(function (k) {
      var item = el("li", "st-pl-relief-item st-pl-relief-" + k[0]);
      item.appendChild(el("strong")).appendChild(bi(k[1], k[2]));
      item.appendChild(document.createTextNode(": "));
      var info = relief[k[0]];
      if (!info) {
        item.setAttribute("data-loaded", "false");
        item.appendChild(bi("none loaded", "未载入"));
      } else {
        item.setAttribute("data-loaded", "true");
        var facts = info.info || {};
        var extra = k[0] === "dem"
          ? " · " + facts.width + " × " + facts.height + " px · " + facts.min_elevation_m + "–" + facts.max_elevation_m + " m"
          : " · " + facts.tile_count + " tiles · z" + facts.minzoom + "–" + facts.maxzoom;
        item.appendChild(el("span", "st-pl-relief-file-name", info.filename));
        item.appendChild(document.createTextNode(" · " + fmtBytes(info.size_bytes) + extra + " · " + info.uploaded_by));
        var remove = button("st-pl-relief-remove", "trash", "Remove", "移除");
        remove.addEventListener("click", function () {
          send("DELETE", "api/relief/" + k[0]).then(function (r) {
            if (r.status !== 204) { showBilingualError($(".st-pl-relief-error"), r); return; }
            status("Removed.", "已移除。", "ok");
            loadRelief();
          });
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(remove);
      }
      list.appendChild(item);
    });
    if (reliefLayer) { map.removeLayer(reliefLayer); reliefLayer = null; }
    if (relief.dem) {
      reliefLayer = L.tileLayer("api/relief/hillshade/{z}/{x}/{y}.png?v=" + relief.dem.sha256.slice(0, 12), {
        maxZoom: 18, opacity: 0.85, className: "st-pl-hillshade"
      }).addTo(map);
    }
    document.body.setAttribute("data-relief", [relief.dem ? "dem" : "", relief.mbtiles ? "mbtiles" : ""]
      .join(" ").trim() || "none");
  });
}

function uploadRelief() {
  var file = $(".st-pl-relief-file").files[0];
  var errorBox = $(".st-pl-relief-error");
  errorBox.hidden = true;
  if (!file) {
    showMessage(errorBox, "Choose a file first.", "请先选择文件。");
    return;
  }
  var kind = /\.mbtiles$/i.test(file.name) ? "mbtiles" : "dem";
  var data = new FormData();
  data.append("file", file, file.name);
  var form = $(".st-pl-relief-form");
  form.classList.add("st-busy");
  getJson("api/relief/" + kind, { method: "POST", body: data, headers: headers(false) }).then(function (result) {
    form.classList.remove("st-busy");
    if (result.status !== 201) { showBilingualError(errorBox, result); return; }
    $(".st-pl-relief-file").value = "";
    status("Loaded " + file.name + ".", "已载入 " + file.name + "。", "ok");
    loadRelief();
  }, function () {
    form.classList.remove("st-busy");
    showMessage(errorBox, "The server could not be reached.", "无法连接服务器。");
  });
}

function initRelief() {
  $(".st-pl-relief-form").addEventListener("submit", function (e) { e.preventDefault(); uploadRelief(); });
  loadRelief();
}

// --- start ----------------------------------------------------------------------------------------
function start() {
  initLanguage();
  initTabs();
  initMap();
  initImport();
  initSearch();
  initRelief();
  reloadAll();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
