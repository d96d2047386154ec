/* The "Plan approach" part of the locate panel, and closures on the map.
 *
 * After a locate answer (the "sandtable:located" event from locate.js) the panel offers
 * "Plan approach / 规划救援" with the incident's need (fracture, altitude sickness …): it
 * POSTs the top candidates to /api/approach and shows the whole plan: the closure effects on
 * top, the recommended station with what it sends and why, the chosen plan's legs as a
 * written list (from → to, mode, distance, ascent/descent, time), its alternatives (extra
 * time, where they go instead), the evacuation (handover point, clinic), GPX/KML downloads,
 * and the stations ranked by ETA with what each can send (co-located stations with one ETA
 * share a rank). The map draws the plan by mode, the alternatives in grey, the evacuation
 * in purple, and fits all of it. A row of the table draws that station's plan instead.
 * Closures in force (GET /api/closures) are drawn in magenta (thick short dashes on ways, a
 * hatched fill on areas), with the reason and the time window in a tooltip, and listed under
 * "Closures in force" (reason, who, from/until); a popup's or the list's "Lift" asks for
 * confirmation, then DELETEs it. A closure over the caller is a warning on top of the plan.
 * When the closures change (lifted here, or set with closures.js), closuresChanged() redraws
 * them and re-requests the plan on display, keeping the station chosen and the view.
 *
 * Everything the server sent is put in the page with textContent, never as HTML.
 */
import * as dom from "./dom.js";
import * as vocab from "./vocab.js";
import * as profiles from "./profile.js";
import * as teams from "./teams.js";

var API = "api/approach";
var CLOSURES = "api/closures";
var SEGMENTS = "api/segments/";
// how many of the locate candidates are sent (the planner uses the most probable one's stretch)
var TOP = 5;
// plan colours stay clear of the routes' (outer kora red, inner kora purple, Manasarovar blue)
var MODE = {
  vehicle: { colour: "#212529", label: ["vehicle", "车辆"], dash: null },
  foot: { colour: "#f08c00", label: ["on foot", "步行"], dash: "2 8" }
};
var REASON = {};  // in a sentence: "landslide: closed"
vocab.closureReasons.forEach(function (r) { REASON[r[0]] = [r[1].toLowerCase(), r[2]]; });
var EVAC = { colour: "#2b8a3e" };
// a closure in force within this distance of the plan's way, yet not touching it, is a warning
var UNTOUCHED_NEAR_M = 1000;
// closures: magenta, thick short dashes on lines and a hatched fill on areas (#st-hatch)
var CLOSURE = { colour: "#c2185b" };

var el = dom.el;
var bi = dom.bi;
var getJson = dom.getJson;

function lang() { return dom.language(); }
// a name the server gives in both languages (station_name / station_name_zh, from / from_zh)
function nameIn(item, field, language) {
  return language === "zh" && item[field + "_zh"] ? item[field + "_zh"] : item[field];
}
function biName(item, field) { return bi(item[field], nameIn(item, field, "zh")); }
function route(leg, language) { return nameIn(leg, "from", language) + " → " + nameIn(leg, "to", language); }

// seconds -> "h:mm"
function hmm(seconds) {
  var minutes = Math.round(seconds / 60);
  var m = minutes % 60;
  return Math.floor(minutes / 60) + ":" + (m < 10 ? "0" : "") + m;
}

function latlngs(coords) { return coords.map(function (xy) { return [xy[1], xy[0]]; }); }

// --- the panel -------------------------------------------------------------------------------
function Approach(map, layers) {
  this.map = map;
  this.root = document.querySelector("#st-locate .st-approach");
  this.button = this.root.querySelector(".st-approach-run");
  this.status = this.root.querySelector(".st-approach-status");
  this.table = this.root.querySelector(".st-approach-table");
  this.body = this.table.querySelector("tbody");
  this.reason = this.root.querySelector(".st-approach-reason");
  this.effects = this.root.querySelector(".st-approach-effects");
  this.rec = this.root.querySelector(".st-approach-rec");
  this.detail = this.root.querySelector(".st-plan-detail");
  this.need = this.root.querySelector(".st-approach-need");
  this.candidates = [];
  this.answer = null;
  this.selected = null;  // station id of the plan drawn
  this.sequence = 0;
  this.closureSequence = 0;
  this.closureIds = null;  // the closures in force as last loaded ("3,7"), and those the plan on display was made with
  this.plannedWith = null;

  map.createPane("stApproach");
  map.getPane("stApproach").style.zIndex = 460;  // above the locate heat, below the markers
  this.planLayer = L.featureGroup().addTo(map);
  this.closureLayer = L.featureGroup().addTo(map);
  layers.approach = this.planLayer;
  layers.closures = this.closureLayer;

  var self = this;
  this.button.addEventListener("click", function () { self.run(); });
  this.root.querySelectorAll(".st-export").forEach(function (b) {
    b.addEventListener("click", function () { self.download(b.getAttribute("data-format")); });
  });
  this.record = this.root.querySelector(".st-approach-record");
  var recordButton = this.root.querySelector(".st-approach-incident");
  if (recordButton) { recordButton.addEventListener("click", function () { self.recordIncident(recordButton); }); }
  document.addEventListener("sandtable:teams", function () { self.showTeams(); });
  var sheet = this.root.querySelector(".st-field-sheet");
  if (sheet) { sheet.addEventListener("click", function () { self.fieldSheet(); }); }
  document.addEventListener("sandtable:located", function (e) { self.located(e.detail.result); });
  document.addEventListener("sandtable:language", function () { self.applyLanguage(); });
  this.loadClosures();
  // a closure set or lifted anywhere (any desk, any server) redraws the layer and the plan
  // on display; without the stream, every 30 s
  dom.live("api/events", ["closures"], function () { self.closuresChanged(); }, 30000);
}

Approach.prototype.located = function (result) {
  this.sequence += 1;  // an answer still on its way is for the old candidates
  this.candidates = result && result.candidates ? result.candidates.slice(0, TOP) : [];
  this.root.hidden = this.candidates.length === 0;
  this.button.disabled = false;
  this.recordKey = null;  // a new locate answer is a new call
  this.record.hidden = true;
  this.show(null);
};

// "Record as incident": the description and the most probable place become an incident,
// continued on the dispatch page (/incidents?incident=N); once per locate answer
Approach.prototype.recordIncident = function (button) {
  var self = this;
  var top = this.candidates[0];
  var text = (document.getElementById("st-locate-text") || {}).value || "";
  if (!top || !text.trim()) { return; }
  if (!this.recordKey) { this.recordKey = "map-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }
  var name = top.name ? (top.name.en + (top.name.zh ? " / " + top.name.zh : "")) : top.segment_id;
  var location = { lon: top.lon, lat: top.lat, segment_id: top.segment_id, name: String(name).slice(0, 200) };
  if (top.km_range) { location.km_range = top.km_range; }
  var body = { description: text.trim().slice(0, 4000), location: location, idempotency_key: this.recordKey };
  button.disabled = true;
  getJson("api/incidents", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body)
  }).then(function (answer) {
    button.disabled = false;
    self.record.hidden = false;
    self.record.textContent = "";
    if (!answer.ok || !answer.json) {
      self.record.appendChild(bi("Not recorded: ", "未登记："));
      self.record.appendChild(document.createTextNode(answer.json && answer.json.error ? answer.json.error.message : "HTTP " + answer.status));
      return;
    }
    var id = answer.json.incident.incident_id;
    self.record.appendChild(bi("Recorded as incident #" + id + " · ", "已登记为事件 #" + id + " · "));
    var link = el("a", "st-approach-incident-link");
    link.href = "incidents?incident=" + id;
    link.appendChild(bi("continue on the dispatch page", "在接警调度页继续"));
    self.record.appendChild(link);
  }).catch(function () {
    button.disabled = false;
    self.record.hidden = false;
    self.record.textContent = "";
    self.record.appendChild(bi("Cannot reach the Sandtable server.", "无法连接沙盘服务器。"));
  });
};

// the teams' statuses beside the stations of the table
Approach.prototype.showTeams = function () {
  if (!teams.started()) { return; }
  this.body.querySelectorAll("tr").forEach(function (row) {
    var cell = row.querySelector(".st-approach-station");
    var old = cell && cell.querySelector(".st-team-badge");
    if (old) { old.remove(); }
    var badge = cell && teams.badge(row.getAttribute("data-station-id"));
    if (badge) { cell.appendChild(document.createTextNode(" ")); cell.appendChild(badge); }
  });
};

Approach.prototype.setStatus = function (kind, content) {
  this.status.textContent = "";
  this.status.hidden = !kind;
  this.status.className = "st-approach-status" + (kind ? " st-status-" + kind : "");
  if (content) { this.status.appendChild(content); }
};

// keep: a refresh of the plan on display (same station, no zoom), not a new request
Approach.prototype.run = function (keep) {
  if (!this.candidates.length) { return; }
  var self = this;
  var sequence = ++this.sequence;
  this.plannedWith = this.closureIds;
  this.button.disabled = true;
  this.setStatus("busy", keep ? bi("Updating the plan for the closures…", "正在根据封闭更新规划…") :
    bi("Planning…", "正在规划…"));
  getJson(API, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    // the lines of the recommended plan only: a 3G link carries a tenth of the bytes;
    // another plan's lines are asked for when it is chosen (drawFetched)
    body: JSON.stringify(this.requestBody("recommended"))
  }).then(function (answer) {
    if (sequence !== self.sequence) { return; }
    self.button.disabled = false;
    if (answer.ok && answer.json) {
      self.setStatus(null);
      // a refresh keeps the station on display as it is now: the officer may have chosen
      // another row while the refreshed plan was on its way
      self.show(answer.json, keep ? self.selected : null, !keep);
      if (!keep) { self.loadClosures(); }
      document.dispatchEvent(new CustomEvent("sandtable:planned", { detail: { answer: answer.json } }));
      return;
    }
    var error = answer.json && answer.json.error;
    var box = document.createDocumentFragment();
    box.appendChild(bi("Planning failed: ", "规划失败："));
    box.appendChild(document.createTextNode(error && error.message ? error.message : "HTTP " + answer.status));
    self.setStatus("error", box);
  }).catch(function () {
    if (sequence !== self.sequence) { return; }
    self.button.disabled = false;
    self.setStatus("error", bi("Cannot reach the Sandtable server.", "无法连接沙盘服务器。"));
  });
};

// Re-request the plan on display, if any (after the closures changed); true if one was sent.
Approach.prototype.refresh = function () {
  if (!this.answer || !this.candidates.length) { return false; }
  this.run(true);
  return true;
};

// The closures changed: draw them again and bring the plan on display up to date.
// The plan is asked for again only when the closures in force differ from those it was made
// with: a desk's own change comes back as a pushed event (and the polling fallback asks every
// 30 s), and neither may plan twice for one change.
Approach.prototype.closuresChanged = function () {
  var self = this;
  this.loadClosures().then(function () {
    if (self.closureIds !== self.plannedWith) { self.refresh(); }
  });
};

// station: draw that station's plan rather than the recommended one (if it is still there)
Approach.prototype.show = function (answer, station, fit) {
  var self = this;
  this.answer = answer;
  this.selected = null;
  this.body.textContent = "";
  this.planLayer.clearLayers();
  this.table.hidden = !answer;
  this.reason.hidden = !answer;
  this.showReason();
  this.effects.textContent = "";
  this.effects.hidden = true;
  this.rec.textContent = "";
  this.rec.hidden = true;
  this.detail.hidden = true;
  if (!answer) { return; }
  var byId = {};
  answer.plans.forEach(function (p) { byId[p.station_id] = p; });
  var rank = 0;
  var shown = {};
  answer.plans.forEach(function (plan) {
    var row = el("tr", "st-approach-row");
    row.setAttribute("data-station-id", plan.station_id);
    row.tabIndex = 0;
    if (plan.station_id === answer.recommended) { row.classList.add("st-recommended"); }
    if (!plan.reachable) { row.classList.add("st-unreachable"); }
    if (plan.meets_need === false) { row.classList.add("st-lacks"); }
    // stations at the same place with the same ETA share a rank and say so
    var mate = (plan.colocated || []).filter(function (id) { return shown[id]; })[0];
    shown[plan.station_id] = true;
    if (!mate) { rank += 1; }
    row.appendChild(el("td", "st-approach-rank", mate ? "=" : rank));
    var name = el("td", "st-approach-station");
    name.appendChild(biName(plan, "station_name"));
    if (mate) {
      row.classList.add("st-colocated");
      var same = el("div", "st-muted st-approach-same");
      same.appendChild(bi("same place and ETA as " + byId[mate].station_name,
        "与" + nameIn(byId[mate], "station_name", "zh") + "同地同时"));
      name.appendChild(same);
    }
    row.appendChild(name);
    var eta = el("td", "st-approach-eta", plan.reachable ? hmm(plan.eta_s) : "—");
    if (!plan.reachable) { eta.title = "unreachable on the ground / 地面无法到达"; }
    row.appendChild(eta);
    var modes = el("td", "st-approach-modes");
    var seen = {};
    plan.legs.forEach(function (leg) {
      if (seen[leg.mode] || !MODE[leg.mode]) { return; }
      seen[leg.mode] = true;
      var swatch = el("i", "st-swatch");
      swatch.style.background = MODE[leg.mode].colour;
      modes.appendChild(swatch);
      modes.appendChild(bi(MODE[leg.mode].label[0] + " ", MODE[leg.mode].label[1] + " "));
    });
    row.appendChild(modes);
    row.appendChild(sendsCell(plan));
    function choose() {
      self.draw(plan, true);
      if (self.detail.scrollIntoView) { self.detail.scrollIntoView({ block: "nearest" }); }
    }
    row.addEventListener("click", choose);
    row.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); }
    });
    self.body.appendChild(row);
  });
  var best = byId[answer.recommended];
  if (best) {
    this.rec.hidden = false;
    var head = el("div", "st-rec-head");
    head.appendChild(bi("Recommended: ", "推荐："));
    head.appendChild(el("strong")).appendChild(biName(best, "station_name"));
    head.appendChild(document.createTextNode(" · " + hmm(best.eta_s)));
    this.rec.appendChild(head);
    if (best.sends && best.sends.length) {
      var sends = el("div", "st-rec-sends");
      sends.appendChild(bi("Sends: " + words(best.sends, "en", ", "), "可派：" + words(best.sends, "zh", "、")));
      this.rec.appendChild(sends);
    }
    if (answer.needs && answer.needs.length) {
      var need = el("div", "st-rec-need st-muted");
      need.appendChild(bi("Need: " + answer.needs.map(function (n) { return n.name.en; }).join(", "),
        "需求：" + answer.needs.map(function (n) { return n.name.zh; }).join("、")));
      this.rec.appendChild(need);
    }
  }
  this.showTeams();
  function find(id) { return byId[id]; }
  var chosen = (station && find(station)) || find(answer.recommended);
  if (chosen) { this.draw(chosen, fit !== false); } else { this.showEffects(null); }
  // a new plan: its head (closure effects, recommendation, legs, evacuation) in view
  if (fit !== false && this.root.scrollIntoView) { this.root.scrollIntoView({ block: "start" }); }
};

function words(items, language, joiner) {
  return items.map(function (r) { return r[language]; }).join(joiner);
}

function sendsCell(plan) {
  var cell = el("td", "st-approach-sends");
  if (!plan.sends) { return cell; }
  cell.appendChild(bi(words(plan.sends, "en", ", "), words(plan.sends, "zh", "、")));
  (plan.missing || []).forEach(function (m) {
    var lack = el("div", "st-lack");
    lack.appendChild(bi("lacks " + m.en, "缺" + m.zh));
    cell.appendChild(lack);
  });
  return cell;
}

function km(metres) { return (metres / 1000).toFixed(1) + " km"; }

// one leg as a written line: "on foot: A → B · 3.2 km · ↑120 m ↓30 m · 0:45"
function legItem(leg, extraClass) {
  var style = MODE[leg.mode] || MODE.foot;
  var item = el("li", "st-leg-item" + (extraClass ? " " + extraClass : ""));
  item.setAttribute("data-mode", leg.mode);
  var swatch = el("i", "st-swatch");
  swatch.style.background = style.colour;
  item.appendChild(swatch);
  item.appendChild(bi(style.label[0] + ": ", style.label[1] + "："));
  item.appendChild(el("span", "st-leg-route")).appendChild(bi(route(leg, "en"), route(leg, "zh")));
  item.appendChild(el("span", "st-leg-figures", " · " + km(leg.length_m) + " · ↑" +
    Math.round(leg.ascent_m) + " m ↓" + Math.round(leg.descent_m) + " m · " + hmm(leg.duration_s)));
  // the p10-p90 of the leg's time (teams walk faster or slower than planned; a drive is as planned)
  var r = leg.duration_range_s;
  if (r && Math.round(r.p90 / 60) > Math.round(r.p10 / 60)) {
    var range = el("span", "st-leg-range", " (" + hmm(r.p10) + "–" + hmm(r.p90) + ")");
    range.title = "8 in 10 teams take between " + hmm(r.p10) + " and " + hmm(r.p90) +
      " / 八成队伍用时在 " + hmm(r.p10) + " 至 " + hmm(r.p90) + " 之间";
    item.appendChild(range);
  }
  return item;
}

// the place names on an alternative that the plan does not pass: why it differs
function via(alt, plan) {
  var known = {};
  plan.legs.forEach(function (l) { known[l.from] = true; known[l.to] = true; });
  var out = [];
  alt.legs.forEach(function (l) {
    [l.from, l.to].forEach(function (n) {
      if (!known[n] && out.indexOf(n) < 0 && n.indexOf("junction") !== 0) { out.push(n); }
    });
  });
  return out.slice(0, 3);
}

Approach.prototype.showDetail = function (plan) {
  var self = this;
  var answer = this.answer;
  this.detail.hidden = false;
  var of = this.detail.querySelector(".st-plan-of");
  of.textContent = "";
  of.appendChild(biName(plan, "station_name"));
  var legs = this.detail.querySelector(".st-legs");
  legs.textContent = "";
  plan.legs.forEach(function (leg) { legs.appendChild(legItem(leg)); });
  if (!plan.legs.length) { legs.appendChild(el("li", "st-muted", "—")); }
  var ev0 = answer && answer.evacuation;
  this.showProfiles(plan.legs, ev0 ? ev0.carry_legs.concat(ev0.vehicle_legs) : []);
  var alts = this.detail.querySelector(".st-alternatives");
  alts.textContent = "";
  (plan.alternatives || []).forEach(function (alt, i) {
    var item = el("li", "st-alternative");
    item.setAttribute("data-index", i);
    var head = el("div", "st-alt-head");
    head.appendChild(el("strong", null, "+" + hmm(alt.extra_s)));
    head.appendChild(document.createTextNode(" (" + hmm(alt.eta_s) + ") · "));
    var names = via(alt, plan);
    head.appendChild(bi((names.length ? "via " + names.join(", ") : "another way") +
      " · shares " + Math.round(alt.shared_fraction * 100) + "% of the way",
      (names.length ? "经 " + names.join("、") : "另一条路") + " · 与主路线重合 " +
      Math.round(alt.shared_fraction * 100) + "%"));
    item.appendChild(head);
    var sub = el("ol", "st-alt-legs");
    alt.legs.forEach(function (leg) { sub.appendChild(legItem(leg)); });
    item.appendChild(sub);
    item.addEventListener("mouseenter", function () { self.highlightAlternative(i, true); });
    item.addEventListener("mouseleave", function () { self.highlightAlternative(i, false); });
    alts.appendChild(item);
  });
  if (!alts.childNodes.length) {
    var none = el("li", "st-muted");
    none.appendChild(bi("none genuinely different", "无明显不同的备选"));
    alts.appendChild(none);
  }
  var evac = this.detail.querySelector(".st-evacuation");
  evac.textContent = "";
  var ev = answer && answer.evacuation;
  if (!ev) {
    evac.appendChild(bi("No evacuation route to the clinic.", "无通往诊所的后送路线。"));
    return;
  }
  var summary = el("p", "st-evac-summary");
  summary.appendChild(bi(
    "Carry " + hmm(ev.carry_s) + " to the handover at " + ev.handover.name + ", then drive " +
      hmm(ev.vehicle_s) + " to " + ev.destination.name + " · total " + hmm(ev.total_s),
    "担架抬运 " + hmm(ev.carry_s) + " 至交接点 " + ev.handover.name + "，再驾车 " + hmm(ev.vehicle_s) +
      " 至 " + ev.destination.name + " · 共 " + hmm(ev.total_s)));
  evac.appendChild(summary);
  var list = el("ol", "st-evac-legs");
  ev.carry_legs.forEach(function (leg) { list.appendChild(legItem(leg, "st-evac-carry")); });
  ev.vehicle_legs.forEach(function (leg) { list.appendChild(legItem(leg, "st-evac-drive")); });
  evac.appendChild(list);
};

// the elevation profiles of the approach and of the evacuation (profile.js), from the legs'
// 3D lines; the passes they cross are named once the places are in
Approach.prototype.showProfiles = function (approachLegs, evacLegs) {
  var self = this;
  var profile = profiles;
  var token = this.profileToken = {};
  var model = this.answer && this.answer.elevation_model;
  function put(selector, legs, passes) {
    var figure = self.detail.querySelector(selector);
    if (!figure) { return; }
    figure.querySelectorAll("svg, .st-profile-source").forEach(function (old) { old.remove(); });
    var chart = legs.length ? profile.draw(legs, { passes: passes, width: 320, height: 120,
      colours: { vehicle: MODE.vehicle.colour, foot: MODE.foot.colour } }) : null;
    figure.hidden = !chart;
    if (chart) {
      figure.insertBefore(chart, figure.firstChild);
      var caption = figure.querySelector("figcaption") || figure;
      caption.appendChild(profile.sourceNote(legs, model));  // DEM or route data
    }
  }
  function both(passes) {
    if (token !== self.profileToken) { return; }  // another plan is on display since
    put(".st-profile-approach", approachLegs, passes);
    put(".st-profile-evac", evacLegs, passes);
  }
  both([]);
  profile.passes().then(both);
};

// on top: closures over the caller, then what each closure costs the plan on display
// ("… closed by snow since 06:00: +40 min via …")
Approach.prototype.showEffects = function (plan) {
  var effects = this.effects;
  effects.textContent = "";
  ((this.answer && this.answer.warnings) || []).forEach(function (w) {
    var item = el("li", "st-approach-warning");
    item.setAttribute("data-closure-id", w.closure_id);
    item.appendChild(bi("⚠ " + w.en, "⚠ " + w.zh));
    effects.appendChild(item);
  });
  ((plan && plan.closure_effects) || []).forEach(function (effect) {
    var item = el("li", "st-approach-effect");
    item.appendChild(bi(effect.message, effect.message_zh || effect.message));
    item.setAttribute("data-closure-id", effect.closure_id);
    effects.appendChild(item);
  });
  // closures in force that do not touch this plan: one beside its way is a warning (a road
  // closed where the trail runs next to it: the plan did not change); far ones are counted
  var far = 0;
  ((plan && plan.closures_untouched) || []).forEach(function (u) {
    if (u.distance_m > UNTOUCHED_NEAR_M) { far += 1; return; }
    var item = el("li", "st-approach-warning st-approach-untouched");
    item.setAttribute("data-closure-id", u.closure_id);
    item.appendChild(bi("⚠ " + u.en, "⚠ " + u.zh));
    effects.appendChild(item);
  });
  if (far) {
    var rest = el("li", "st-approach-untouched-far st-muted");
    rest.appendChild(bi(far + " other closure" + (far > 1 ? "s" : "") + " in force " +
      (far > 1 ? "do" : "does") + " not touch this plan", "另有 " + far + " 处封闭未触及此方案"));
    effects.appendChild(rest);
  }
  effects.hidden = !effects.childNodes.length;
};

Approach.prototype.highlightAlternative = function (index, on) {
  this.planLayer.eachLayer(function (layer) {
    if (layer.stAlternative === index) { layer.setStyle({ opacity: on ? 1 : 0.75, weight: on ? 6 : 4 }); }
  });
};

// the padding that keeps the plan clear of the panels over the map
function fitOptions(map) {
  var box = map.getContainer().getBoundingClientRect();
  var right = 40;
  document.querySelectorAll(".leaflet-top.leaflet-right .leaflet-control").forEach(function (c) {
    var r = c.getBoundingClientRect();
    if (r.width && r.height > box.height / 3) { right = Math.max(right, r.width + 20); }
  });
  return { paddingTopLeft: [40, 40], paddingBottomRight: [Math.min(right, box.width / 2), 40], maxZoom: 14 };
}

// A plan whose lines the answer left out: ask for that station's plan, then draw it.
Approach.prototype.drawFetched = function (plan, fit) {
  var self = this;
  var answer = this.answer;
  getJson(API, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(this.requestBody("all", [plan.station_id]))
  }).then(function (result) {
    var full = result.ok && result.json && result.json.plans[0];
    if (self.answer !== answer || !full) { return; }
    plan.legs = full.legs;
    plan.alternatives = full.alternatives;
    self.draw(plan, fit);
  }).catch(function () { /* the table still shows the plan; choosing it again retries */ });
};

Approach.prototype.draw = function (plan, fit) {
  if (plan.legs.some(function (leg) { return !leg.geometry; })) {
    this.drawFetched(plan, fit);
    return;
  }
  var layer = this.planLayer;
  layer.clearLayers();
  this.selected = plan.station_id;
  this.body.querySelectorAll("tr").forEach(function (row) {
    row.classList.toggle("st-selected", row.getAttribute("data-station-id") === plan.station_id);
  });
  this.showEffects(plan);
  this.showDetail(plan);
  var site = this.answer && this.answer.landing_site;
  if (site) {
    var marker = L.marker([site.lat, site.lon], {
      icon: L.divIcon({ className: "st-heli", html: el("i", "fa-solid fa-helicopter"),
                        iconSize: [24, 24] })
    });
    marker.bindTooltip(function () {
      return el("span", null, site.name + " · " + (site.distance_m / 1000).toFixed(1) + " km");
    }, { className: "st-tip" });
    layer.addLayer(marker);
  }
  // alternatives first (under the plan), thin and grey
  (plan.alternatives || []).forEach(function (alt, i) {
    alt.legs.forEach(function (leg) {
      var line = L.polyline(latlngs(leg.geometry), {
        pane: "stApproach", color: "#6b6257", weight: 4, opacity: 0.75, dashArray: "1 7",
        lineCap: "round", className: "st-alt st-alt-" + i
      });
      line.stAlternative = i;
      line.bindTooltip(function () {
        return el("span", null, "+" + hmm(alt.extra_s) + " · " + route(leg, lang()));
      }, { sticky: true, className: "st-tip" });
      layer.addLayer(line);
    });
  });
  var ev = this.answer && this.answer.evacuation;
  if (ev) {
    ev.carry_legs.concat(ev.vehicle_legs).forEach(function (leg) {
      var line = L.polyline(latlngs(leg.geometry), {
        pane: "stApproach", color: EVAC.colour, weight: 4, opacity: 0.85,
        dashArray: leg.mode === "vehicle" ? null : "6 6", className: "st-evac st-evac-" + leg.mode
      });
      line.bindTooltip(function () {
        return el("span", null, (lang() === "zh" ? "后送" : "evacuation") + ": " + route(leg, lang()) +
          " · " + hmm(leg.duration_s));
      }, { sticky: true, className: "st-tip" });
      layer.addLayer(line);
    });
    var hand = L.circleMarker([ev.handover.lat, ev.handover.lon], {
      pane: "stApproach", radius: 6, color: EVAC.colour, fillColor: "#fff", fillOpacity: 1, weight: 3,
      className: "st-handover"
    });
    hand.bindTooltip(function () {
      return el("span", null, (lang() === "zh" ? "交接点：" : "handover: ") + ev.handover.name);
    }, { className: "st-tip" });
    layer.addLayer(hand);
  }
  plan.legs.forEach(function (leg) {
    var style = MODE[leg.mode] || MODE.foot;
    var line = L.polyline(latlngs(leg.geometry), {
      pane: "stApproach", color: style.colour, weight: 5, opacity: 0.9, dashArray: style.dash,
      lineCap: "round", lineJoin: "round", className: "st-leg st-leg-" + leg.mode
    });
    line.bindTooltip(function () {
      var node = el("div");
      node.appendChild(el("strong", null, nameIn(plan, "station_name", lang())));
      node.appendChild(el("div", null, (lang() === "zh" ? style.label[1] : style.label[0]) + ": " +
        route(leg, lang())));
      node.appendChild(el("div", null, (leg.length_m / 1000).toFixed(1) + " km · " + hmm(leg.duration_s)));
      return node;
    }, { sticky: true, className: "st-tip" });
    layer.addLayer(line);
  });
  (this.answer && this.answer.target || []).forEach(function (t) {
    layer.addLayer(L.circleMarker([t.lat, t.lon], {
      pane: "stApproach", radius: 5, color: "#b3261e", fillColor: "#b3261e", fillOpacity: 0.9,
      className: "st-target"
    }));
  });
  if (fit && layer.getLayers().length) {
    this.map.fitBounds(layer.getBounds(), fitOptions(this.map));
  }
};

// the request of the plan on display, for the exports and the field sheet
// the /api/approach body: the candidates, the chosen need, and optionally which plans'
// lines to carry ("all" or "recommended") and which stations to plan for
Approach.prototype.requestBody = function (geometry, stations) {
  var body = { target: { candidates: this.candidates } };
  var need = this.need && this.need.value;
  if (need) { body.needs = [need]; }
  if (geometry) { body.geometry = geometry; }
  if (stations) { body.stations = stations; }
  return body;
};

Approach.prototype.download = function (format) {
  var self = this;
  var body = this.requestBody();
  body.station_id = this.selected;
  fetch(API + "/plan." + format, {
    method: "POST",
    headers: dom.csrfHeaders({ "Content-Type": "application/json" }),
    body: JSON.stringify(body)
  }).then(function (response) {
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    return response.blob();
  }).then(function (blob) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = "plan-" + self.selected + "." + format;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }).catch(function (error) {
    self.setStatus("error", document.createTextNode(String(error && error.message)));
  });
};

// the field sheet: a print page fed with the request of the plan on display
Approach.prototype.fieldSheet = function () {
  var body = this.requestBody();
  body.station_id = this.selected;
  try { sessionStorage.setItem("sandtable.fieldSheet", JSON.stringify(body)); } catch { /* private mode */ }
  window.open("field-sheet", "_blank");
};

// the reason in the page's language (one text: it is also read as a whole)
Approach.prototype.showReason = function () {
  var a = this.answer;
  this.reason.textContent = !a ? "" : (lang() === "zh" && a.reason_zh ? a.reason_zh : a.reason || "");
};

Approach.prototype.applyLanguage = function () {
  this.showReason();
  this.closureLayer.eachLayer(function (layer) {
    if (layer.stTooltip) { layer.setTooltipContent(layer.stTooltip()); }
  });
};

// --- closures ----------------------------------------------------------------------------------
Approach.prototype.loadClosures = function () {
  var self = this;
  var sequence = ++this.closureSequence;  // only the latest answer is drawn
  return getJson(CLOSURES, { headers: { "Accept": "application/json" } }).then(function (answer) {
    if (sequence !== self.closureSequence || !answer.ok || !answer.json) { return; }
    self.closureIds = answer.json.closures.map(function (c) { return c.closure_id; })
      .sort(function (a, b) { return a - b; }).join(",");
    // every closure's lines are fetched first and swapped in at once: the map never shows
    // none for a moment while a redraw is on its way (a live update redraws them often)
    return Promise.all(answer.json.closures.map(function (c) { return self.closureLayers(c); }))
      .then(function (drawn) {
        if (sequence !== self.closureSequence) { return; }  // redrawn since
        self.closureLayer.clearLayers();
        drawn.forEach(function (layers) {
          layers.forEach(function (layer) { self.closureLayer.addLayer(layer); });
        });
        self.listClosures(answer.json.closures);
      });
  }).catch(function () { /* the map works without them; the next plan tries again */ });
};

// DELETE a closure; then redraw the closures and refresh the plan on display.
Approach.prototype.liftClosure = function (closure, button, status) {
  var self = this;
  button.disabled = true;
  status.textContent = "";
  status.appendChild(bi("Lifting…", "正在解除…"));
  return fetch(CLOSURES + "/" + encodeURIComponent(closure.closure_id), {
    method: "DELETE", headers: dom.csrfHeaders({ "Accept": "application/json" })
  }).then(function (response) {
    // 404: somebody lifted it already, or it expired; either way it is gone
    if (response.status !== 204 && response.status !== 404) {
      throw new Error("HTTP " + response.status);
    }
    self.map.closePopup();
    self.closuresChanged();
    document.dispatchEvent(new CustomEvent("sandtable:closures", {
      detail: { lifted: closure.closure_id }
    }));
  }).catch(function (error) {
    button.disabled = false;
    status.textContent = "";
    status.appendChild(bi("Could not lift the closure: ", "无法解除封闭："));
    status.appendChild(document.createTextNode(error && error.message ? error.message : ""));
  });
};

// lifting reopens the way to every plan: ask first
Approach.prototype.confirmLift = function (closure, button, status) {
  var what = closure.reason + (closure.note ? " (" + closure.note + ")" : "");
  if (!window.confirm("Lift this closure (" + what + ")? Plans will use the way again.\n" +
      "解除此封闭（" + what + "）？方案将重新使用该路段。")) { return; }
  this.liftClosure(closure, button, status);
};

// "Closures in force": reason, what, who, from/until, lift (with confirmation)
Approach.prototype.listClosures = function (closures) {
  var self = this;
  var box = document.querySelector(".st-closure-list");
  if (!box) { return; }
  var list = box.querySelector("ul");
  list.textContent = "";
  box.querySelector(".st-closure-count").textContent = "(" + closures.length + ")";
  closures.forEach(function (c) {
    var item = el("li", "st-closure-item");
    item.setAttribute("data-closure-id", c.closure_id);
    item.appendChild(self.closureTip(c));
    var by = el("div", "st-muted");
    by.appendChild(bi("Set by " + (c.created_by || "?"), "设置人：" + (c.created_by || "?")));
    item.appendChild(by);
    var status = el("div", "st-closure-lift-status");
    var lift = dom.button("st-closure-lift st-closure-list-lift", "Lift…", "解除…", "lock-open");
    lift.addEventListener("click", function () { self.confirmLift(c, lift, status); });
    var zoom = dom.button("st-closure-zoom", "Show", "显示", "magnifying-glass");
    zoom.addEventListener("click", function () {
      self.closureLayer.eachLayer(function (layer) {
        if (layer.stClosure && layer.stClosure.closure_id === c.closure_id && layer.getBounds) {
          self.map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [40, 40] });
        }
      });
    });
    var actions = el("div", "st-closure-actions");
    actions.appendChild(zoom);
    actions.appendChild(lift);
    item.appendChild(actions);
    item.appendChild(status);
    list.appendChild(item);
  });
  box.querySelector(".st-closure-none").hidden = closures.length > 0;
};

Approach.prototype.closurePopup = function (closure) {
  var self = this;
  var node = el("div", "st-pop st-closure-pop");
  node.setAttribute("data-closure-id", closure.closure_id);
  node.appendChild(this.closureTip(closure));
  if (closure.created_by) {
    var by = el("div", "st-muted");
    by.appendChild(bi("Set by ", "设置人："));
    by.appendChild(document.createTextNode(closure.created_by));
    node.appendChild(by);
  }
  var button = el("button", "st-btn st-closure-lift");
  button.type = "button";
  var icon = el("i", "fa-solid fa-lock-open");
  icon.setAttribute("aria-hidden", "true");
  button.appendChild(icon);
  button.appendChild(document.createTextNode(" "));
  button.appendChild(bi("Lift closure", "解除"));
  var status = el("div", "st-closure-lift-status");
  status.setAttribute("role", "status");
  button.addEventListener("click", function () { self.confirmLift(closure, button, status); });
  node.appendChild(button);
  node.appendChild(status);
  node.appendChild(el("div", "st-pop-id", closure.closure_id));
  return node;
};

// The map layers of one closure (its area, or the lines of its segments, fetched), as a
// promise; a segment whose line cannot be fetched is left out and drawn on the next load.
Approach.prototype.closureLayers = function (closure) {
  var self = this;
  var style = {
    pane: "stApproach", color: CLOSURE.colour, weight: 7, opacity: 0.9, dashArray: "2 4",
    lineCap: "butt", fillColor: CLOSURE.colour, fillOpacity: 1,
    className: "st-closure" + (closure.geometry && /Polygon/.test(closure.geometry.type) ? " st-closure-area" : "")
  };
  function layer(geojson) {
    var drawn = L.geoJSON(geojson, { style: function () { return style; } });
    drawn.stClosure = closure;
    drawn.stTooltip = function () { return self.closureTip(closure); };
    drawn.bindTooltip(drawn.stTooltip(), { sticky: true, className: "st-tip" });
    drawn.bindPopup(function () { return self.closurePopup(closure); }, { minWidth: 220, maxWidth: 320 });
    return drawn;
  }
  if (closure.geometry) { return Promise.resolve([layer(closure.geometry)]); }
  return Promise.all(closure.segment_ids.map(function (id) {
    return getJson(SEGMENTS + encodeURIComponent(id), { headers: { "Accept": "application/geo+json" } })
      .then(function (answer) { return answer.ok && answer.json ? layer(answer.json) : null; })
      .catch(function () { return null; });
  })).then(function (layers) { return layers.filter(Boolean); });
};

Approach.prototype.closureTip = function (c) {
  var zh = lang() === "zh";
  var node = el("div");
  var reason = REASON[c.reason] || [c.reason, c.reason];
  var what = c.severity === "closed" ? (zh ? "封闭" : "closed") :
    (zh ? "减速 ×" : "slowed ×") + c.slow_factor;
  var who = c.modes === "vehicle" ? (zh ? "（仅车辆）" : " (vehicles only)") : "";
  node.appendChild(el("strong", null, (zh ? reason[1] : reason[0]) + ": " + what + who));
  var from = new Date(c.from).toLocaleString(zh ? "zh-CN" : "en-GB", { timeZone: vocab.localTz });
  var until = c.until ? new Date(c.until).toLocaleString(zh ? "zh-CN" : "en-GB", { timeZone: vocab.localTz }) :
    (zh ? "待定" : "until lifted");
  node.appendChild(el("div", null, from + " – " + until));
  if (c.note) { node.appendChild(el("div", null, c.note)); }
  return node;
};

function start(map, layers) {
  if (!document.querySelector("#st-locate .st-approach")) { return; }
  var approach = new Approach(map, layers);
  // a closure drawn on this page (closures.js): the plan and the closures drawn are redone
  document.addEventListener("sandtable:closures", function (e) {
    if (e.detail && e.detail.added) { approach.closuresChanged(); }
  });
}

document.addEventListener("sandtable:ready", function (e) { start(e.detail.map, e.detail.layers); });
