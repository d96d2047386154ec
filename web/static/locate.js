/* The call taker's "Locate caller" panel: a description in, ranked stretches of trail out.
 *
 * POSTs the description to /api/locate and shows the answer: the clues understood, the
 * candidate segments with probability bars and evidence, questions to ask (each answer
 * appends words to the description and locates again); on the map, the candidate
 * stretches as a heat along the trail and a marker at the most probable point.
 *
 * Everything the server or the caller wrote is put in the page with textContent, never as
 * HTML: place names and descriptions cannot inject markup. Bilingual labels are pairs of
 * <span lang="en"> / <span lang="zh-Hans">, shown by the page's language switch.
 */
import * as dom from "./dom.js";
import * as vocab from "./vocab.js";
import * as Sandtable from "./sandtable.js";

var API = "api/locate";
var MAX_CHARS = 2000;
var PANEL_KEY = "sandtable.locatePanel";

// --- vocabulary ----------------------------------------------------------------------------
var RELATION = {
  at: ["at", "在"],
  near: ["near", "附近"],
  past: ["past", "已过"],
  after: ["after", "之后"],
  before: ["before", "未到"],
  between: ["between", "之间"],
  halfway: ["halfway", "中途"],
  below: ["below", "下方"],
  above: ["above", "上方"],
  across_river: ["across the river", "河对岸"],
  down_from: ["down from", "下山途中"],
  up_to: ["climbing to", "上行途中"]
};
var SIGHT = {
  north_face: ["Kailash north face", "冈仁波齐北壁"],
  west_face: ["Kailash west face", "冈仁波齐西壁"],
  south_face: ["Kailash south face", "冈仁波齐南壁"],
  green_lake: ["green lake", "绿色湖泊"],
  big_lake: ["big lake", "大湖"],
  prayer_flags: ["prayer flags", "经幡"],
  steep_rocky: ["steep, rocky", "陡峭乱石"],
  river: ["river", "河流"],
  bridge: ["bridge", "桥"],
  glacier: ["glacier", "冰川"],
  monastery: ["monastery", "寺庙"],
  cave: ["cave", "山洞"],
  clothes: ["piles of clothes", "衣物堆"],
  snow: ["snow", "积雪"],
  road: ["road / vehicles", "公路 / 车辆"],
  tents: ["tents", "帐篷"],
  flat_plain: ["flat plain", "平坦草原"]
};
var DIRECTION = vocab.labels(vocab.directions);
// probability heat, low -> high (relative to the most probable candidate)
var HEAT = [[254, 217, 118], [253, 141, 60], [227, 26, 28], [128, 0, 38]];
// under every stretch a white casing; under the selected one a blue halo
var SELECTED_CASING = { color: "#1e6fd9", opacity: 0.55 };
// keep fitted candidates clear of the layer control (top right) and the legend
var FIT = { paddingTopLeft: [40, 40], paddingBottomRight: [280, 40] };
// on a new answer the map shows the candidates at least this probable relative to the first
var HOT = 0.2;
// rank numbers on the map for the first few candidates; the rest are only heat
var MAX_BADGES = 5;

// --- DOM helpers: text only ------------------------------------------------------------------
var el = dom.el;
var bi = dom.bi;

// the best guess's mark: a pulsing ring around a dot (sandtable.css places both)
function bestMark() {
  var mark = el("span");
  mark.appendChild(el("span", "st-best-ring"));
  mark.appendChild(el("span", "st-best-dot"));
  return mark;
}

function pair(table, key) {
  var p = table[key];
  return p ? bi(p[0], p[1]) : document.createTextNode(String(key));
}

function lang() { return dom.language(); }

function fmt(value, digits) {
  return Number(value).toLocaleString("en-US", {
    minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0
  });
}

function fmtRange(range, scale, digits, unit) {
  if (!range) { return ""; }
  var lo = fmt(range[0] / scale, digits);
  var hi = fmt(range[1] / scale, digits);
  return (lo === hi ? lo : lo + "–" + hi) + " " + unit;
}

function fmtPercent(p) {
  var pct = p * 100;
  if (pct >= 10) { return fmt(pct, 0) + " %"; }
  if (pct >= 1) { return fmt(pct, 1) + " %"; }
  return "< 1 %";
}

function fmtElapsed(seconds) {
  var minutes = Math.round(seconds / 60);
  var h = Math.floor(minutes / 60);
  var m = minutes % 60;
  return h ? [h + " h " + (m < 10 ? "0" : "") + m + " min", h + "小时" + m + "分"] : [m + " min", m + "分钟"];
}

var ROUTES = dom.pageData("st-config-map").routes || [];  // the map page's routes (web/mapview.py)

function routeById(routeId) {
  return ROUTES.filter(function (r) { return r.route_id === routeId; })[0];
}

function heat(t) {
  t = Math.max(0, Math.min(1, t));
  var x = t * (HEAT.length - 1);
  var i = Math.min(HEAT.length - 2, Math.floor(x));
  var f = x - i;
  var rgb = HEAT[i].map(function (c, k) { return Math.round(c + (HEAT[i + 1][k] - c) * f); });
  return "rgb(" + rgb.join(",") + ")";
}

// the white edge under a stretch: faint under the unlikely ones, so they do not hide the trail
function casing(weight, t) {
  return { color: "#fff", opacity: 0.35 + 0.55 * t, weight: weight + 3 };
}

// --- the panel -------------------------------------------------------------------------------
function Panel(map, layers) {
  this.map = map;
  this.layers = layers;
  this.root = document.getElementById("st-locate");
  this.form = this.root.querySelector(".st-locate-form");
  this.text = this.root.querySelector("#st-locate-text");
  this.count = this.root.querySelector(".st-locate-count");
  this.status = this.root.querySelector(".st-locate-status");
  this.understood = this.root.querySelector(".st-understood");
  this.candidates = this.root.querySelector(".st-candidates");
  this.questions = this.root.querySelector(".st-questions");
  this.places = this.placeNames();
  this.result = null;
  this.selected = -1;
  this.pending = null;
  this.sequence = 0;
  this.items = [];

  map.createPane("stLocate");
  map.getPane("stLocate").style.zIndex = 450;  // above the trails, below the markers
  this.heatLayer = L.featureGroup().addTo(map);
  layers.locate = this.heatLayer;

  this.setBusy(false);
  this.wire();
  this.applyLanguage();
  this.updateCount();
  var stored = null;
  try { stored = window.localStorage.getItem(PANEL_KEY); } catch { /* private mode */ }
  this.show(stored !== "closed", false);
}

Panel.prototype.placeNames = function () {
  var names = {};
  var places = this.layers.places;
  if (places) {
    places.eachLayer(function (layer) {
      var p = layer.feature.properties;
      names[p.place_id] = [p.name_en, p.name_zh || p.name_en];
    });
  }
  return names;
};

Panel.prototype.wire = function () {
  var self = this;
  this.form.addEventListener("submit", function (e) { e.preventDefault(); self.run(); });
  this.text.addEventListener("keydown", function (e) {
    // Enter locates, Shift+Enter is a new line; Enter that confirms an IME word is neither
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      self.run();
    }
  });
  this.text.addEventListener("input", function () { self.updateCount(); });
  this.root.querySelectorAll("input[name=direction]").forEach(function (radio) {
    radio.addEventListener("change", function () { if (self.result) { self.run(); } });
  });
  this.root.querySelector(".st-locate-clear").addEventListener("click", function () { self.clear(); });
  this.root.querySelector(".st-locate-hide").addEventListener("click", function () { self.show(false, true); });
  document.querySelectorAll(".st-locate-toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      self.show(!document.body.classList.contains("st-locate-open"), true);
    });
  });
  document.addEventListener("sandtable:language", function () { self.applyLanguage(); });
};

Panel.prototype.show = function (open, focus) {
  document.body.classList.toggle("st-locate-open", open);
  this.root.hidden = !open;
  document.querySelectorAll(".st-locate-toggle").forEach(function (button) {
    button.setAttribute("aria-expanded", String(open));
  });
  try { window.localStorage.setItem(PANEL_KEY, open ? "open" : "closed"); } catch { /* private mode */ }
  this.map.invalidateSize({ pan: false });
  if (open && focus) { this.text.focus(); }
};

// attributes cannot hold two spans: set them for the current language
Panel.prototype.applyLanguage = function () {
  var l = lang();
  this.text.setAttribute("placeholder", this.text.getAttribute("data-placeholder-" + l) || "");
  this.text.setAttribute("aria-label", l === "zh" ? "呼救者描述" : "What the caller says");
  this.root.querySelectorAll("[data-answer-en]").forEach(function (button) {
    button.title = (l === "zh" ? "追加：" : "Adds: ") + button.getAttribute("data-answer-" + l);
  });
  this.heatLayer.eachLayer(function (layer) {
    if (layer.stTooltip) { layer.setTooltipContent(layer.stTooltip()); }
  });
};

Panel.prototype.updateCount = function () {
  var n = Array.from(this.text.value.trim()).length;  // code points, as the server counts
  this.count.textContent = fmt(n) + " / " + fmt(MAX_CHARS);
  this.count.classList.toggle("st-over", n > MAX_CHARS);
};

Panel.prototype.direction = function () {
  var checked = this.root.querySelector("input[name=direction]:checked");
  return checked && checked.value ? checked.value : null;
};

Panel.prototype.clear = function () {
  if (this.pending) { this.pending.abort(); this.pending = null; }
  this.sequence += 1;
  this.text.value = "";
  this.updateCount();
  this.result = null;
  this.setBusy(false);
  this.setStatus(null);
  this.render(null);
  this.text.focus();
};

Panel.prototype.setBusy = function (busy) {
  this.root.classList.toggle("st-busy", busy);
  if (busy) { this.root.classList.remove("st-stale"); }
  this.root.setAttribute("aria-busy", String(busy));
};

// kind: "info" | "warn" | "error" | "busy"; content: a node (text only) or null to hide
Panel.prototype.setStatus = function (kind, content) {
  var box = this.status;
  box.textContent = "";
  if (!kind) { box.hidden = true; box.className = "st-locate-status"; return; }
  box.className = "st-locate-status st-status-" + kind;
  var icon = { info: "circle-info", warn: "triangle-exclamation", error: "circle-exclamation", busy: "spinner" }[kind];
  var i = el("i", "fa-solid fa-" + icon + (kind === "busy" ? " fa-spin" : ""));
  i.setAttribute("aria-hidden", "true");
  box.appendChild(i);
  var body = el("div", "st-status-body");
  body.appendChild(content);
  box.appendChild(body);
  box.hidden = false;
};

Panel.prototype.run = function () {
  var self = this;
  var text = this.text.value;
  if (!text.trim()) {
    this.setStatus("warn", bi("Type what the caller says first.", "请先输入呼救者的描述。"));
    this.text.focus();
    return;
  }
  if (this.pending) { this.pending.abort(); }
  var controller = typeof AbortController === "function" ? new AbortController() : null;
  this.pending = controller;
  var sequence = ++this.sequence;
  var body = { text: text };
  var direction = this.direction();
  if (direction) { body.direction = direction; }
  this.setBusy(true);
  this.setStatus("busy", bi("Locating…", "正在定位…"));

  dom.getJson(API, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body),
    signal: controller ? controller.signal : undefined
  }).then(function (answer) {
    if (sequence !== self.sequence) { return; }  // a newer request is on its way
    self.pending = null;
    self.setBusy(false);
    if (answer.ok && answer.json) {
      self.result = answer.json;
      self.setStatus(null);
      self.render(answer.json);
      return;
    }
    // a rejected description: the answer shown was for other words, so take it away;
    // a server or network fault: keep it, dimmed, since it is still the last good answer
    if (answer.status >= 400 && answer.status < 500) {
      self.result = null;
      self.render(null);
    } else {
      self.root.classList.add("st-stale");
    }
    var error = answer.json && answer.json.error;
    var message = error && error.message ? error.message : "HTTP " + answer.status;
    var rejected = answer.status === 422 || answer.status === 413;
    var box = document.createDocumentFragment();
    var head = el("strong");
    head.appendChild(rejected ? bi("The description was not accepted:", "描述无法处理：") :
      bi("The locator failed:", "定位服务出错："));
    box.appendChild(head);
    box.appendChild(el("div", "st-error-message", message));
    self.setStatus("error", box);
  }).catch(function (err) {
    if (sequence !== self.sequence || (err && err.name === "AbortError")) { return; }
    self.pending = null;
    self.setBusy(false);
    self.root.classList.add("st-stale");
    self.setStatus("error", bi("Cannot reach the Sandtable server. Check the connection and try again.",
      "无法连接沙盘服务器，请检查网络后重试。"));
  });
};

// --- rendering the answer ---------------------------------------------------------------------
Panel.prototype.render = function (result) {
  var candidates = result ? result.candidates || [] : [];
  var questions = result ? result.questions || [] : [];
  var chips = result ? this.chips(result.interpreted || {}) : [];

  var chipBox = this.understood.querySelector(".st-chips");
  chipBox.textContent = "";
  chips.forEach(function (chip) { chipBox.appendChild(chip); });
  var interp = result && result.interpreted ? result.interpreted : {};
  var notes = interp.notes || [];
  var notesZh = interp.notes_zh || [];
  notes.forEach(function (note, i) {
    chipBox.appendChild(el("div", "st-note")).appendChild(bi(note, notesZh[i] || note));
  });
  this.understood.hidden = chips.length === 0 && notes.length === 0;

  if (result && chips.length === 0) {
    this.setStatus("warn", bi(
      "Nothing in the description was understood: no place, landmark, altitude, time or coordinates. " +
        "Ask the questions below, or ask for the last place they passed.",
      "描述中没有识别出任何地点、地标、海拔、时间或坐标。请按下方问题追问，或询问最后经过的地点。"));
  } else if (result && candidates.length === 0) {
    this.setStatus("warn", bi(
      "No stretch of trail fits these clues together. Check the description for a mistake or a contradiction.",
      "没有路段同时符合这些线索。请核对描述是否有误或自相矛盾。"));
  }

  this.renderRange(result ? result.range_80 : null);
  this.renderCandidates(candidates);
  this.renderQuestions(questions);
  this.drawHeat(candidates);
  if (candidates.length) { this.select(0, { fit: "all" }); }
  // the approach panel (approach.js) offers to plan from these candidates
  document.dispatchEvent(new CustomEvent("sandtable:located", { detail: { result: result } }));
};

Panel.prototype.placeLabel = function (mention) {
  var id = mention && !mention.feature && mention.place_ids && mention.place_ids[0];
  var name = id && this.places[id];
  return name ? bi(name[0], name[1]) : document.createTextNode(mention ? mention.text : "");
};

Panel.prototype.chips = function (interp) {
  var self = this;
  var chips = [];
  function chip(kind, title) {
    var c = el("span", "st-chip st-chip-" + kind);
    if (title) { c.title = title; }
    chips.push(c);
    return c;
  }
  var related = {};
  (interp.relations || []).forEach(function (r) {
    var c = chip("place", r.text);
    related[r.anchor.text] = true;
    if (r.other) { related[r.other.text] = true; }
    if (r.kind === "between" || r.kind === "halfway") {
      c.appendChild(pair(RELATION, r.kind));
      c.appendChild(document.createTextNode(": "));
      c.appendChild(self.placeLabel(r.anchor));
      c.appendChild(document.createTextNode(" – "));
      c.appendChild(self.placeLabel(r.other));
    } else {
      c.appendChild(self.placeLabel(r.anchor));
      var kind = el("span", "st-chip-kind");
      kind.appendChild(document.createTextNode(" ("));
      kind.appendChild(pair(RELATION, r.kind));
      kind.appendChild(document.createTextNode(")"));
      c.appendChild(kind);
    }
    var amount = r.distance_m ? fmtRange(r.distance_m, 1000, 1, "km") :
      r.duration_s ? fmtRange(r.duration_s, 3600, 1, "h") : "";
    if (amount) { c.appendChild(el("span", "st-chip-amount", " " + amount)); }
  });
  (interp.elapsed || []).forEach(function (e) {
    var c = chip("time", e.text);
    related[e.origin.text] = true;
    var t = fmtElapsed(e.elapsed_s);
    c.appendChild(bi(t[0] + " since ", t[1] + "，自"));
    c.appendChild(self.placeLabel(e.origin));
  });
  (interp.places || []).forEach(function (m) {
    if (related[m.text]) { return; }
    chip("place", m.text).appendChild(self.placeLabel(m));
  });
  (interp.sights || []).forEach(function (s) {
    var c = chip(s.negated ? "sight st-chip-negated" : "sight", s.text);
    if (s.negated) { c.appendChild(bi("no ", "无")); }
    c.appendChild(pair(SIGHT, s.tag));
  });
  (interp.elevations_m || []).forEach(function (e) {
    chip("elevation", e.text).textContent = fmt(e.elevation_m) + " m" +
      (e.tolerance_m ? " ±" + fmt(e.tolerance_m) : "");
  });
  (interp.coordinates || []).forEach(function (c) {
    var node = chip("coords", lang() === "zh" ? c.reading_zh || c.reading : c.reading);
    node.textContent = Sandtable.formats.decimal(c.lat, c.lon);
    var kind = node.appendChild(el("span", "st-chip-kind", " ("));
    kind.appendChild(bi(c.reading, c.reading_zh || c.reading));
    kind.appendChild(document.createTextNode(")"));
  });
  if (interp.direction && DIRECTION[interp.direction]) {
    chip("direction").appendChild(pair(DIRECTION, interp.direction));
  }
  return chips;
};

// "80 % within km a–b of <route>": the stretch a search team would be sent along
Panel.prototype.renderRange = function (range) {
  var box = this.candidates.querySelector(".st-range");
  box.textContent = "";
  box.hidden = !(range && range.km && range.route_id);
  if (box.hidden) { return; }
  var route = routeById(range.route_id);
  var from = range.km[0];
  var to = range.km[1];
  var kms = "km " + fmt(from, 1) + " – " + fmt(to, 1);
  box.appendChild(el("strong", null, "80 %"));
  box.appendChild(bi(" within ", " 位于 "));
  if (route) {
    var swatch = el("i", "st-swatch");
    swatch.style.background = Sandtable.routeColour(range.route_id);
    box.appendChild(swatch);
    box.appendChild(bi(route.name_en, route.name_zh));
  } else {
    box.appendChild(document.createTextNode(range.route_id));
  }
  box.appendChild(el("strong", null, " " + kms));
  if (from > to) { box.appendChild(bi(" (across km 0)", "（跨越 0 公里处）")); }
  if (range.median_km !== null && range.median_km !== undefined) {
    box.appendChild(el("span", "st-muted", " · "));
    var median = el("span", "st-muted");
    median.appendChild(bi("median km " + fmt(range.median_km, 1), "中位 km " + fmt(range.median_km, 1)));
    box.appendChild(median);
  }
};

Panel.prototype.renderCandidates = function (candidates) {
  var self = this;
  var list = this.candidates.querySelector(".st-cand-list");
  list.textContent = "";
  this.items = [];
  var top = candidates.length ? candidates[0].probability : 1;
  candidates.forEach(function (c, index) {
    var item = el("li", "st-cand");
    item.tabIndex = 0;
    item.setAttribute("role", "button");
    item.setAttribute("data-segment-id", c.segment_id);

    var head = el("div", "st-cand-head");
    head.appendChild(el("span", "st-cand-rank", index + 1));
    var name = el("span", "st-cand-name");
    name.appendChild(bi(c.name.en, c.name.zh));
    head.appendChild(name);
    head.appendChild(el("span", "st-cand-p", fmtPercent(c.probability)));
    item.appendChild(head);

    var bar = el("div", "st-bar-track");
    var fill = el("div", "st-bar-fill");
    fill.style.width = Math.max(1, Math.round(c.probability * 1000) / 10) + "%";
    fill.style.background = heat(top > 0 ? c.probability / top : 0);
    bar.appendChild(fill);
    bar.setAttribute("role", "meter");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", String(Math.round(c.probability * 100)));
    item.appendChild(bar);

    var meta = el("div", "st-cand-meta");
    var route = routeById(c.route_id);
    if (route) {
      var swatch = el("i", "st-swatch");
      swatch.style.background = Sandtable.routeColour(c.route_id);
      meta.appendChild(swatch);
      meta.appendChild(bi(route.name_en, route.name_zh));
    } else if (c.route_id) {
      meta.appendChild(document.createTextNode(c.route_id));
    }
    if (c.km_range) {
      meta.appendChild(document.createTextNode((route || c.route_id ? " · " : "") + "km " +
        fmtRange(c.km_range, 1, 1, "").trim()));
    }
    item.appendChild(meta);

    if (c.evidence && c.evidence.length) {
      var evidence = el("ul", "st-evidence");
      c.evidence.forEach(function (e, i) {
        evidence.appendChild(el("li")).appendChild(bi(e, (c.evidence_zh || [])[i] || e));
      });
      item.appendChild(evidence);
    }
    var where = el("div", "st-cand-where");
    where.appendChild(el("span", "st-cand-ll", Sandtable.formats.decimal(c.lat, c.lon)));
    where.appendChild(el("span", "st-cand-utm", "UTM " + Sandtable.formats.utm(c.lat, c.lon)));
    item.appendChild(where);

    function choose() { self.select(index, { fit: "one" }); }
    item.addEventListener("click", choose);
    item.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); }
    });
    item.addEventListener("mouseenter", function () { self.hover(index, true); });
    item.addEventListener("mouseleave", function () { self.hover(index, false); });
    list.appendChild(item);
    self.items.push(item);
  });
  this.candidates.hidden = candidates.length === 0;
};

Panel.prototype.renderQuestions = function (questions) {
  var self = this;
  var list = this.questions.querySelector(".st-question-list");
  list.textContent = "";
  questions.forEach(function (q) {
    var item = el("li", "st-question");
    item.setAttribute("data-question-id", q.id);
    var text = el("div", "st-question-text");
    text.appendChild(bi(q.text.en, q.text.zh));
    item.appendChild(text);
    var buttons = el("div", "st-answer-buttons");
    [["yes", "Yes", "是", "check"], ["no", "No", "否", "xmark"]].forEach(function (a) {
      var answer = q.answers[a[0]];
      var button = el("button", "st-btn st-answer st-answer-" + a[0]);
      button.type = "button";
      button.setAttribute("data-answer", a[0]);
      button.setAttribute("data-answer-en", answer.en);
      button.setAttribute("data-answer-zh", answer.zh);
      var icon = el("i", "fa-solid fa-" + a[3]);
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      button.appendChild(bi(a[1], a[2]));
      button.addEventListener("click", function () { self.answer(answer); });
      buttons.appendChild(button);
    });
    item.appendChild(buttons);
    list.appendChild(item);
  });
  this.questions.hidden = questions.length === 0;
  this.applyLanguage();
};

// append the answer, in the language the call taker is working in, and locate again
Panel.prototype.answer = function (answer) {
  var zh = lang() === "zh";
  var words = zh ? answer.zh : answer.en;
  var text = this.text.value.replace(/\s+$/, "");
  if (text) {
    var closed = /[.!?。！？；;，,]$/.test(text);
    text += zh ? (closed ? "" : "，") : (closed ? " " : ". ");
  }
  this.text.value = text + words;
  this.updateCount();
  this.run();
};

// --- the map -----------------------------------------------------------------------------------
Panel.prototype.drawHeat = function (candidates) {
  var self = this;
  this.heatLayer.clearLayers();
  this.drawn = [];
  var top = candidates.length ? candidates[0].probability : 1;
  // least probable first, so the hottest stretches lie on top
  for (var index = candidates.length - 1; index >= 0; index -= 1) {
    var c = candidates[index];
    var t = top > 0 ? c.probability / top : 0;
    var colour = heat(t);
    var weight = 3 + 10 * t;
    var shapes = [];
    var latlngs = c.stretch ? c.stretch.coordinates.map(function (xy) { return [xy[1], xy[0]]; }) : null;
    if (latlngs) {
      shapes.push(L.polyline(latlngs, L.extend({
        pane: "stLocate", interactive: false, lineCap: "round", lineJoin: "round"
      }, casing(weight, t))));
      shapes.push(L.polyline(latlngs, {
        pane: "stLocate", color: colour, weight: weight, opacity: 0.5 + 0.45 * t,
        lineCap: "round", lineJoin: "round", className: "st-heat"
      }));
    } else {
      shapes.push(L.circleMarker([c.lat, c.lon], {
        pane: "stLocate", radius: 6 + 8 * Math.sqrt(t), color: "#fff", weight: 2,
        fillColor: colour, fillOpacity: 0.8, className: "st-heat"
      }));
    }
    var main = shapes[shapes.length - 1];
    main.stTooltip = this.tooltipFor(c, index);
    main.bindTooltip(main.stTooltip(), { sticky: true, className: "st-tip" });
    main.on("click", this.select.bind(this, index, { fit: null, scroll: true }));
    shapes.forEach(function (s) { self.heatLayer.addLayer(s); });
    if (index > 0 && index < MAX_BADGES) {
      var badge = L.marker([c.lat, c.lon], {
        pane: "stLocate", keyboard: false,
        icon: L.divIcon({ className: "st-rank-marker", html: String(index + 1), iconSize: [18, 18], iconAnchor: [9, 9] })
      });
      badge.on("click", this.select.bind(this, index, { fit: null, scroll: true }));
      self.heatLayer.addLayer(badge);
    }
    this.drawn[index] = { line: main, casing: latlngs ? shapes[0] : null, weight: weight, colour: colour, t: t };
  }
  if (candidates.length) {
    var best = candidates[0];
    var marker = L.marker([best.lat, best.lon], {
      keyboard: false, zIndexOffset: 1000,
      icon: L.divIcon({
        className: "st-best-marker",
        html: bestMark(),
        iconSize: [34, 34], iconAnchor: [17, 17]
      })
    });
    marker.stTooltip = function () {
      var node = el("div");
      node.appendChild(el("strong", null, lang() === "zh" ? "最可能位置" : "Most probable point"));
      node.appendChild(el("div", null, Sandtable.formats.decimal(best.lat, best.lon)));
      node.appendChild(el("div", null, "UTM " + Sandtable.formats.utm(best.lat, best.lon)));
      return node;
    };
    marker.bindTooltip(marker.stTooltip(), { direction: "top", offset: [0, -14], className: "st-tip" });
    marker.on("click", this.select.bind(this, 0, { fit: "one", scroll: true }));
    this.heatLayer.addLayer(marker);
    this.bestMarker = marker;
  }
};

Panel.prototype.tooltipFor = function (c, index) {
  return function () {
    var node = el("div");
    node.appendChild(el("strong", null, (index + 1) + ". " + (lang() === "zh" ? c.name.zh || c.name.en : c.name.en)));
    node.appendChild(el("div", null, fmtPercent(c.probability) +
      (c.km_range ? " · km " + fmtRange(c.km_range, 1, 1, "").trim() : "")));
    return node;
  };
};

Panel.prototype.hover = function (index, on) {
  var d = this.drawn && this.drawn[index];
  if (!d || index === this.selected) { return; }
  d.line.setStyle({ weight: on ? d.weight + 3 : d.weight });
  if (on) { d.line.bringToFront(); }
};

Panel.prototype.select = function (index, options) {
  var result = this.result;
  if (!result || !result.candidates[index]) { return; }
  var previous = this.drawn && this.drawn[this.selected];
  if (previous) {
    previous.line.setStyle({ weight: previous.weight });
    if (previous.casing) { previous.casing.setStyle(casing(previous.weight, previous.t)); }
  }
  this.selected = index;
  this.items.forEach(function (item, i) {
    item.classList.toggle("st-selected", i === index);
    item.setAttribute("aria-pressed", String(i === index));
  });
  var d = this.drawn[index];
  if (d) {
    if (d.casing) {
      d.casing.setStyle(L.extend({ weight: d.weight + 10 }, SELECTED_CASING));
      d.casing.bringToFront();
    }
    d.line.setStyle({ weight: d.weight + 1 });
    d.line.bringToFront();
  }
  if (options && options.scroll && this.items[index]) {
    this.items[index].scrollIntoView({ block: "nearest" });
  }
  var fit = options && options.fit;
  if (fit === "all") {
    var bounds = L.latLngBounds([]);
    this.drawn.forEach(function (drawn, i) {
      if (drawn.t >= HOT) {
        var c = result.candidates[i];
        bounds.extend(drawn.casing ? drawn.line.getBounds() : L.latLng(c.lat, c.lon));
      }
    });
    if (bounds.isValid()) { this.map.fitBounds(bounds, L.extend({ maxZoom: 14 }, FIT)); }
  } else if (fit === "one") {
    var c = result.candidates[index];
    var target = d && d.casing ? d.line.getBounds() : L.latLngBounds([[c.lat, c.lon], [c.lat, c.lon]]);
    this.map.fitBounds(target.pad(0.25), L.extend({ maxZoom: 15 }, FIT));
  }
};

// --- start -------------------------------------------------------------------------------------
function start(map, layers) {
  if (!document.getElementById("st-locate")) { return; }
  window.sandtableLocate = new Panel(map, layers);
}

document.addEventListener("sandtable:ready", function (e) { start(e.detail.map, e.detail.layers); });
