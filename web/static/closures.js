/* The "Closures / 封闭" control: officers set closures from the map.
 *
 * Two ways to say what is closed:
 *   "Close a segment / 封闭路段": the trails and roads (GET /api/segments) get a wide, invisible
 *     but clickable twin (pane stClosurePick); the hovered one is highlighted; a click chooses it
 *     (where several run together under the click, a road beside a trail, a pick list says which
 *     is which and the officer picks one), Shift+click adds or removes more.
 *   "Draw an area / 划定区域": clicks add corners; a double-click, a click on the first corner or
 *     "Finish / 完成" closes the polygon. Esc cancels either mode.
 * Then a small form (reason, who it affects, closed or slowed ×factor, from/until in Beijing
 * time, note) POSTs /api/closures with the CSRF token; the server records the signed-in user as
 * the author. A 422 shows the server's message in the form, which stays; a 201 ends the mode,
 * and approach.js redraws the closures and re-requests the plan on display
 * (Approach.closuresChanged). Lifting a closure is in approach.js (the closure's popup).
 *
 * Everything the server sent is put in the page with textContent, never as HTML.
 */
import * as dom from "./dom.js";
import * as vocab from "./vocab.js";

var CLOSURES = "api/closures";
var SEGMENTS = "api/segments";
var LOCAL_TZ = vocab.localTz;  // naive times sent to the server are read as this
var RED = "#d7191c";
// segments this close (screen pixels) to a click are "under" it: a pick list asks which
var OVERLAP_PX = 4;
var REASONS = vocab.closureReasons;  // [value, English, Chinese]
var CLOSE_PX = 8;  // a click this near the first corner closes the area, this near the last is a repeat

var el = dom.el;
var bi = dom.bi;
var getJson = dom.getJson;

function icon(name) {
  var i = el("i", "fa-solid fa-" + name);
  i.setAttribute("aria-hidden", "true");
  return i;
}

function button(className, iconName, en, zh) {
  var b = el("button", "st-btn " + className);
  b.type = "button";
  if (iconName) { b.appendChild(icon(iconName)); b.appendChild(document.createTextNode(" ")); }
  b.appendChild(bi(en, zh));
  return b;
}

// "YYYY-MM-DDTHH:MM" of the current time on the circuit, for <input type=datetime-local>
function localNow() {
  var parts = {};
  new Intl.DateTimeFormat("en-GB", {
    timeZone: LOCAL_TZ, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
  return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
}

function radios(name, options, checked) {
  var box = el("div", "st-cl-options");
  options.forEach(function (o) {
    var label = el("label");
    var input = el("input");
    input.type = "radio";
    input.name = name;
    input.value = o[0];
    input.checked = o[0] === checked;
    label.appendChild(input);
    label.appendChild(bi(o[1], o[2]));
    box.appendChild(label);
  });
  return box;
}

function group(className, en, zh, content) {
  var fs = el("fieldset", "st-cl-group " + className);
  var legend = el("legend");
  legend.appendChild(bi(en, zh));
  fs.appendChild(legend);
  fs.appendChild(content);
  return fs;
}

function field(className, en, zh, input) {
  var label = el("label", "st-cl-field " + className);
  var name = el("span", "st-cl-label");
  name.appendChild(bi(en, zh));
  label.appendChild(name);
  label.appendChild(input);
  return label;
}

// --- the control -------------------------------------------------------------------------------
function Closures(map) {
  this.map = map;
  this.mode = null;       // null | "segment" | "area"
  this.drawing = false;   // area mode, corners still being added
  this.target = null;     // {segment_ids: [...]} or {geometry: {...}} once chosen
  this.selected = [];     // segment ids chosen
  this.corners = [];      // L.LatLng of the area
  this.segments = null;   // the GeoJSON of /api/segments, fetched once
  this.pickLayer = null;
  this.busy = false;

  map.createPane("stClosurePick").style.zIndex = 470;   // above the plan and closures
  map.createPane("stClosureDraw").style.zIndex = 480;
  this.drawLayer = L.featureGroup().addTo(map);

  var self = this;
  this.handlers = {
    click: function (e) { self.mapClick(e); },
    dblclick: function (e) { self.mapDblClick(e); },
    mousemove: function (e) { self.mapMove(e); }
  };
  this.onKey = function (e) {
    if (e.key === "Escape" && self.mode) { e.preventDefault(); self.cancel(); }
  };
  this.control = new (L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () { return self.build(); }
  }))();
  this.control.addTo(map);
}

Closures.prototype.build = function () {
  var self = this;
  var root = L.DomUtil.create("div", "st-closures leaflet-bar");
  root.setAttribute("role", "region");
  root.setAttribute("aria-label", "Closures / 封闭");
  this.root = root;

  var head = el("div", "st-cl-head");
  head.appendChild(icon("road-barrier"));
  head.appendChild(document.createTextNode(" "));
  head.appendChild(bi("Closures", "封闭"));
  root.appendChild(head);

  var modes = el("div", "st-cl-modes");
  this.segmentButton = button("st-cl-mode-segment", "road-lock", "Close a segment", "封闭路段");
  this.areaButton = button("st-cl-mode-area", "draw-polygon", "Draw an area", "划定区域");
  [this.segmentButton, this.areaButton].forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
  this.segmentButton.addEventListener("click", function () { self.toggle("segment"); });
  this.areaButton.addEventListener("click", function () { self.toggle("area"); });
  modes.appendChild(this.segmentButton);
  modes.appendChild(this.areaButton);
  root.appendChild(modes);

  this.hint = el("div", "st-cl-hint");
  this.hint.setAttribute("aria-live", "polite");
  this.hint.hidden = true;
  root.appendChild(this.hint);

  this.drawActions = el("div", "st-cl-draw-actions");
  this.finishButton = button("st-btn-primary st-cl-finish", "check", "Finish", "完成");
  this.finishButton.disabled = true;
  this.finishButton.addEventListener("click", function () { self.finishArea(); });
  this.undoButton = button("st-cl-undo", "rotate-left", "Undo corner", "撤销");
  this.undoButton.disabled = true;
  this.undoButton.addEventListener("click", function () { self.undoCorner(); });
  var cancelDraw = button("st-cl-cancel", null, "Cancel", "取消");
  cancelDraw.addEventListener("click", function () { self.cancel(); });
  this.drawActions.appendChild(this.finishButton);
  this.drawActions.appendChild(this.undoButton);
  this.drawActions.appendChild(cancelDraw);
  this.drawActions.hidden = true;
  root.appendChild(this.drawActions);

  this.form = this.buildForm();
  this.form.hidden = true;
  root.appendChild(this.form);

  this.done = el("div", "st-cl-done");
  this.done.setAttribute("role", "status");
  this.done.hidden = true;
  root.appendChild(this.done);

  L.DomEvent.disableClickPropagation(root);
  L.DomEvent.disableScrollPropagation(root);
  return root;
};

Closures.prototype.buildForm = function () {
  var self = this;
  var form = el("form", "st-cl-form");
  form.noValidate = true;

  this.summary = el("div", "st-cl-target");
  form.appendChild(this.summary);

  form.appendChild(group("st-cl-reason", "Reason", "原因", radios("st-cl-reason", REASONS, "snow")));
  form.appendChild(group("st-cl-modes-field", "Affects", "影响", radios("st-cl-modes", [
    ["all", "Everyone", "所有人"], ["vehicle", "Vehicles only", "仅车辆"]
  ], "all")));

  var severity = radios("st-cl-severity", [
    ["closed", "Closed", "封闭"], ["slowed", "Slowed ×", "减速 ×"]
  ], "closed");
  this.factor = el("input", "st-cl-factor");
  this.factor.type = "number";
  this.factor.name = "slow_factor";
  this.factor.min = "1.1";
  this.factor.max = "20";
  this.factor.step = "0.1";
  this.factor.value = "2";
  this.factor.setAttribute("aria-label", "slow-down factor / 减速倍数");
  this.factor.addEventListener("focus", function () {
    form.querySelector("input[name=st-cl-severity][value=slowed]").checked = true;
  });
  severity.appendChild(this.factor);
  form.appendChild(group("st-cl-severity-field", "Severity", "程度", severity));

  var times = el("div", "st-cl-times");
  this.from = el("input", "st-cl-from");
  this.from.type = "datetime-local";
  this.from.name = "from";
  this.until = el("input", "st-cl-until");
  this.until.type = "datetime-local";
  this.until.name = "until";
  times.appendChild(field("st-cl-from-field", "From", "开始", this.from));
  times.appendChild(field("st-cl-until-field", "Until (optional)", "结束（可选）", this.until));
  form.appendChild(times);
  var tz = el("div", "st-cl-tz");
  tz.appendChild(bi("Beijing time; leave “until” empty until lifted.", "北京时间；“结束”留空表示直至解除。"));
  form.appendChild(tz);

  this.note = el("textarea", "st-cl-note");
  this.note.name = "note";
  this.note.rows = 2;
  this.note.maxLength = 2000;
  form.appendChild(field("st-cl-note-field", "Note", "备注", this.note));

  this.error = el("div", "st-cl-error");
  this.error.setAttribute("role", "alert");
  this.error.hidden = true;
  form.appendChild(this.error);

  var actions = el("div", "st-cl-actions");
  this.submit = el("button", "st-btn st-btn-primary st-cl-submit");
  this.submit.type = "submit";
  this.submit.appendChild(icon("road-barrier"));
  this.submit.appendChild(document.createTextNode(" "));
  this.submit.appendChild(bi("Set closure", "设置封闭"));
  var cancel = button("st-cl-cancel", null, "Cancel", "取消");
  cancel.addEventListener("click", function () { self.cancel(); });
  actions.appendChild(this.submit);
  actions.appendChild(cancel);
  form.appendChild(actions);

  form.addEventListener("submit", function (e) { e.preventDefault(); self.send(); });
  return form;
};

Closures.prototype.setHint = function (en, zh) {
  this.hint.textContent = "";
  this.hint.hidden = !en;
  if (en) { this.hint.appendChild(bi(en, zh)); }
};

// --- modes ---------------------------------------------------------------------------------------
Closures.prototype.toggle = function (mode) {
  if (this.busy) { return; }
  var again = this.mode === mode;
  this.cancel();
  if (!again) { this.start(mode); }
};

Closures.prototype.start = function (mode) {
  var map = this.map;
  this.mode = mode;
  this.done.hidden = true;
  this.segmentButton.setAttribute("aria-pressed", String(mode === "segment"));
  this.areaButton.setAttribute("aria-pressed", String(mode === "area"));
  var container = map.getContainer();
  container.classList.add(mode === "segment" ? "st-cl-picking" : "st-cl-drawing");
  map.on(this.handlers);
  document.addEventListener("keydown", this.onKey);
  if (mode === "segment") {
    this.setHint("Click the trail or road segment to close (Shift+click: several). Esc cancels.",
      "点击要封闭的步道或道路路段（Shift+点击可多选）。按 Esc 取消。");
    this.showPickLayer();
  } else {
    this.drawing = true;
    this.doubleClickZoom = map.doubleClickZoom.enabled();
    map.doubleClickZoom.disable();
    this.drawActions.hidden = false;
    this.setHint("Click the corners of the area; double-click or Finish to close it. Esc cancels.",
      "依次点击区域的各个角点；双击或点“完成”闭合区域。按 Esc 取消。");
    this.redrawArea(null);
  }
};

Closures.prototype.cancel = function () {
  var map = this.map;
  if (this.mode) {
    map.off(this.handlers);
    document.removeEventListener("keydown", this.onKey);
  }
  if (this.doubleClickZoom) { map.doubleClickZoom.enable(); }
  this.doubleClickZoom = false;
  this.mode = null;
  this.drawing = false;
  this.target = null;
  this.selected = [];
  this.corners = [];
  this.drawLayer.clearLayers();
  if (this.pickLayer) { map.removeLayer(this.pickLayer); this.pickLayer = null; }
  map.getContainer().classList.remove("st-cl-picking", "st-cl-drawing");
  this.segmentButton.setAttribute("aria-pressed", "false");
  this.areaButton.setAttribute("aria-pressed", "false");
  this.drawActions.hidden = true;
  this.form.hidden = true;
  this.setError(null);
  this.setHint(null);
};

// --- choosing segments -------------------------------------------------------------------------
Closures.prototype.showPickLayer = function () {
  var self = this;
  if (this.segments) { this.drawPickLayer(); return; }
  this.setHint("Loading the segments…", "正在加载路段…");
  getJson(SEGMENTS, { headers: { "Accept": "application/geo+json" } }).then(function (answer) {
    if (!answer.ok || !answer.json) { throw new Error("HTTP " + answer.status); }
    self.segments = answer.json;
    if (self.mode !== "segment") { return; }
    self.setHint("Click the trail or road segment to close (Shift+click: several). Esc cancels.",
      "点击要封闭的步道或道路路段（Shift+点击可多选）。按 Esc 取消。");
    self.drawPickLayer();
  }).catch(function () {
    if (self.mode !== "segment") { return; }
    self.setHint("Cannot load the segments from the Sandtable server.", "无法从沙盘服务器加载路段。");
  });
};

Closures.prototype.pickStyle = function (id, hover) {
  var chosen = this.selected.indexOf(id) >= 0;
  return { opacity: chosen ? 0.55 : hover ? 0.35 : 0 };
};

Closures.prototype.drawPickLayer = function () {
  var self = this;
  // roads underneath, trails on top, where they run side by side
  var features = this.segments.features.filter(function (f) { return !f.properties.route_id; })
    .concat(this.segments.features.filter(function (f) { return !!f.properties.route_id; }));
  this.pickLayer = L.geoJSON({ type: "FeatureCollection", features: features }, {
    pane: "stClosurePick",
    style: function () {
      return { color: RED, weight: 18, opacity: 0, lineCap: "round", lineJoin: "round", className: "st-cl-pick" };
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.stSegmentId = p.segment_id;
      layer.on("add", function () {
        var path = layer.getElement();
        if (path) { path.setAttribute("data-segment-id", p.segment_id); }
      });
      layer.bindTooltip(function () {
        var node = el("div");
        node.appendChild(el("strong", null, dom.language() === "zh" && p.name_zh ? p.name_zh : p.name_en));
        node.appendChild(el("div", "st-pop-id", p.segment_id));
        return node;
      }, { sticky: true, className: "st-tip" });
      layer.on("mouseover", function () { layer.setStyle(self.pickStyle(p.segment_id, true)); });
      layer.on("mouseout", function () { layer.setStyle(self.pickStyle(p.segment_id, false)); });
      layer.on("click", function (e) {
        L.DomEvent.stop(e);
        var shift = e.originalEvent && e.originalEvent.shiftKey;
        var under = self.segmentsAt(e.latlng);
        if (under.length > 1) { self.pickList(e.latlng, under, shift); return; }
        self.chooseSegment(feature, shift);
      });
    }
  }).addTo(this.map);
};

// the segments whose line passes within OVERLAP_PX of a point: a road and a trail side by side
Closures.prototype.segmentsAt = function (latlng) {
  var map = this.map;
  var p = map.latLngToLayerPoint(latlng);
  var out = [];
  this.pickLayer.eachLayer(function (layer) {
    var rings = layer.getLatLngs();
    if (rings.length && !Array.isArray(rings[0])) { rings = [rings]; }
    var best = Infinity;
    rings.forEach(function (ring) {
      for (var i = 1; i < ring.length; i += 1) {
        var d = L.LineUtil.pointToSegmentDistance(p, map.latLngToLayerPoint(ring[i - 1]), map.latLngToLayerPoint(ring[i]));
        if (d < best) { best = d; }
      }
    });
    if (best <= OVERLAP_PX) { out.push(layer.feature); }
  });
  return out;
};

// several segments under the click: say which is which and let the officer pick one
Closures.prototype.pickList = function (latlng, features, add) {
  var self = this;
  var node = el("div", "st-pop st-cl-picklist");
  node.appendChild(el("div", "st-pop-title")).appendChild(bi("Which one is closed?", "封闭哪一条？"));
  features.forEach(function (f) {
    var p = f.properties;
    var road = !p.route_id;
    var b = el("button", "st-btn st-cl-pick-option");
    b.type = "button";
    b.setAttribute("data-segment-id", p.segment_id);
    b.appendChild(bi(road ? "Road / track: " : "Trail: ", road ? "公路 / 车道：" : "步道："));
    b.appendChild(el("strong", null, dom.language() === "zh" && p.name_zh ? p.name_zh : p.name_en));
    b.addEventListener("click", function () {
      self.map.closePopup();
      self.chooseSegment(f, add);
    });
    node.appendChild(b);
  });
  L.popup({ minWidth: 220, maxWidth: 320, className: "st-cl-picklist-popup" })
    .setLatLng(latlng).setContent(node).openOn(this.map);
};

Closures.prototype.chooseSegment = function (feature, add) {
  var id = feature.properties.segment_id;
  var at = this.selected.indexOf(id);
  if (add) {
    if (at >= 0) { this.selected.splice(at, 1); } else { this.selected.push(id); }
  } else {
    this.selected = [id];
  }
  var self = this;
  this.pickLayer.eachLayer(function (layer) {
    layer.setStyle(self.pickStyle(layer.stSegmentId, layer.stSegmentId === id && at < 0));
  });
  if (!this.selected.length) { this.form.hidden = true; this.target = null; return; }
  var names = {};
  this.segments.features.forEach(function (f) { names[f.properties.segment_id] = f.properties; });
  var summary = document.createDocumentFragment();
  summary.appendChild(bi(this.selected.length === 1 ? "Segment: " : this.selected.length + " segments: ",
    this.selected.length === 1 ? "路段：" : this.selected.length + " 个路段："));
  this.selected.forEach(function (sid, i) {
    var p = names[sid] || {};
    var name = el("span", "st-cl-seg-name");
    name.appendChild(bi(p.name_en || sid, p.name_zh || p.name_en || sid));
    if (i) { summary.appendChild(document.createTextNode("; ")); }
    summary.appendChild(name);
  });
  this.showForm({ segment_ids: this.selected.slice() }, summary);
};

// --- drawing an area -----------------------------------------------------------------------------
Closures.prototype.px = function (a, b) {
  return this.map.latLngToContainerPoint(a).distanceTo(this.map.latLngToContainerPoint(b));
};

Closures.prototype.mapClick = function (e) {
  if (this.mode !== "area" || !this.drawing) { return; }
  var n = this.corners.length;
  if (n && this.px(e.latlng, this.corners[n - 1]) < CLOSE_PX) { return; }  // second click of a double-click
  if (n >= 3 && this.px(e.latlng, this.corners[0]) < CLOSE_PX) { this.finishArea(); return; }
  this.corners.push(e.latlng);
  this.redrawArea(e.latlng);
};

Closures.prototype.mapDblClick = function (e) {
  if (this.mode !== "area" || !this.drawing) { return; }
  L.DomEvent.stop(e);
  this.finishArea();
};

Closures.prototype.mapMove = function (e) {
  if (this.mode === "area" && this.drawing && this.corners.length) { this.redrawArea(e.latlng); }
};

Closures.prototype.undoCorner = function () {
  if (!this.drawing || !this.corners.length) { return; }
  this.corners.pop();
  this.redrawArea(null);
};

Closures.prototype.redrawArea = function (cursor) {
  var layer = this.drawLayer;
  var corners = this.corners;
  layer.clearLayers();
  var style = { pane: "stClosureDraw", color: RED, weight: 2.5, interactive: false };
  if (corners.length >= 2 || (corners.length && cursor)) {
    var ring = cursor && this.drawing ? corners.concat([cursor]) : corners;
    if (ring.length >= 3) {
      layer.addLayer(L.polygon(ring, L.extend({ dashArray: this.drawing ? "6 5" : null, fillColor: RED,
        fillOpacity: 0.15, className: "st-cl-area" }, style)));
    } else {
      layer.addLayer(L.polyline(ring, L.extend({ dashArray: "6 5", className: "st-cl-area" }, style)));
    }
  }
  corners.forEach(function (ll, i) {
    layer.addLayer(L.circleMarker(ll, L.extend({}, style, {
      radius: i === 0 ? 6 : 4, weight: 2, fillColor: "#fff", fillOpacity: 1, className: "st-cl-corner"
    })));
  });
  this.finishButton.disabled = corners.length < 3;
  this.undoButton.disabled = corners.length === 0;
};

Closures.prototype.finishArea = function () {
  if (!this.drawing) { return; }
  if (this.corners.length < 3) {
    this.setHint("An area needs at least three corners.", "区域至少需要三个角点。");
    return;
  }
  this.drawing = false;
  this.drawActions.hidden = true;
  this.map.getContainer().classList.remove("st-cl-drawing");
  this.redrawArea(null);
  var ring = this.corners.map(function (ll) {
    var w = ll.wrap();
    return [Math.round(w.lng * 1e6) / 1e6, Math.round(w.lat * 1e6) / 1e6];
  });
  ring.push(ring[0].slice());
  this.setHint(null);
  var summary = bi("Area with " + this.corners.length + " corners", "区域（" + this.corners.length + " 个角点）");
  this.showForm({ geometry: { type: "Polygon", coordinates: [ring] } }, summary);
};

// --- the form ------------------------------------------------------------------------------------
Closures.prototype.showForm = function (target, summary) {
  var wasHidden = this.form.hidden;
  this.target = target;
  this.summary.textContent = "";
  this.summary.appendChild(summary);
  if (wasHidden) {
    this.from.value = localNow();
    this.setError(null);
  }
  this.form.hidden = false;
  if (wasHidden) { this.form.querySelector("input[name=st-cl-reason]:checked").focus(); }
};

Closures.prototype.setError = function (content) {
  this.error.textContent = "";
  this.error.hidden = !content;
  if (content) { this.error.appendChild(content); }
};

Closures.prototype.body = function () {
  var form = this.form;
  function checked(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : null;
  }
  var body = {};
  Object.keys(this.target).forEach(function (k) { body[k] = this.target[k]; }, this);
  body.reason = checked("st-cl-reason");
  body.modes = checked("st-cl-modes");
  if (checked("st-cl-severity") === "slowed") {
    var factor = parseFloat(this.factor.value);
    body.severity = { slow_factor: isFinite(factor) ? factor : this.factor.value };
  } else {
    body.severity = "closed";
  }
  // naive local times: the server reads them as Beijing time
  if (this.from.value) { body.from = this.from.value; }
  body.until = this.until.value || null;
  if (this.note.value.trim()) { body.note = this.note.value.trim(); }
  return body;
};

Closures.prototype.send = function () {
  if (!this.target || this.busy) { return; }
  var self = this;
  var body = this.body();
  this.busy = true;
  this.submit.disabled = true;
  this.setError(null);
  getJson(CLOSURES, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body)
  }).then(function (answer) {
    self.busy = false;
    self.submit.disabled = false;
    if (answer.status === 201 && answer.json) {
      self.saved(answer.json);
      return;
    }
    var error = answer.json && answer.json.error;
    var box = document.createDocumentFragment();
    box.appendChild(bi("Not saved: ", "未保存："));
    box.appendChild(document.createTextNode(error && error.message ? error.message : "HTTP " + answer.status));
    if (error && error.details && error.details.length) {
      var list = el("ul", "st-cl-error-details");
      error.details.forEach(function (d) { list.appendChild(el("li", null, d)); });
      box.appendChild(list);
    }
    self.setError(box);
  }).catch(function () {
    self.busy = false;
    self.submit.disabled = false;
    self.setError(bi("Cannot reach the Sandtable server; nothing was saved.", "无法连接沙盘服务器，未保存。"));
  });
};

Closures.prototype.saved = function (closure) {
  this.cancel();
  this.note.value = "";
  this.until.value = "";
  this.done.textContent = "";
  this.done.appendChild(icon("check"));
  this.done.appendChild(document.createTextNode(" "));
  this.done.appendChild(bi("Closure set.", "已设置封闭。"));
  this.done.hidden = false;
  var done = this.done;
  window.setTimeout(function () { done.hidden = true; }, 6000);
  document.dispatchEvent(new CustomEvent("sandtable:closures", { detail: { added: closure } }));
};

document.addEventListener("sandtable:ready", function (e) {
  window.sandtableClosures = new Closures(e.detail.map);
});
