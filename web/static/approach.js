/* The "Plan approach" part of the locate panel, and closures on the map.
 *
 * After a locate answer (the "sandtable:located" event from locate.js) the panel offers
 * "Plan approach / 规划救援": it POSTs the top candidates to /api/approach and shows the
 * stations ranked by ETA (h:mm); the map shows the recommended plan's legs, coloured by
 * mode (vehicle / foot). A row of the table draws that station's plan instead.
 * Closures in force (GET /api/closures) are drawn in red dashes, with the reason and the
 * time window in a tooltip; a click opens a popup whose "Lift closure / 解除" button DELETEs it.
 * When the closures change (lifted here, or set with closures.js), closuresChanged() redraws
 * them and re-requests the plan on display, keeping the station chosen and the view.
 *
 * Everything the server sent is put in the page with textContent, never as HTML.
 */
/* global L, Sandtable */
(function () {
  "use strict";

  var API = "api/approach";
  var CLOSURES = "api/closures";
  var SEGMENTS = "api/segments/";
  // how many of the locate candidates are sent (the planner uses the most probable one's stretch)
  var TOP = 5;
  var MODE = {
    vehicle: { colour: "#1f5fbf", label: ["vehicle", "车辆"], dash: null },
    foot: { colour: "#d9480f", label: ["on foot", "步行"], dash: "2 8" }
  };
  var REASON = {
    snow: ["snow", "积雪"], landslide: ["landslide", "塌方"], flood: ["flood", "洪水"],
    ice: ["ice", "结冰"], other: ["other", "其他"]
  };
  var FIT = { paddingTopLeft: [40, 40], paddingBottomRight: [280, 40], maxZoom: 14 };

  var el = Sandtable.dom.el;
  var bi = Sandtable.dom.bi;
  var getJson = Sandtable.dom.getJson;

  function lang() { return Sandtable.language ? Sandtable.language() : "en"; }

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
    this.candidates = [];
    this.answer = null;
    this.selected = null;  // station id of the plan drawn
    this.sequence = 0;
    this.closureSequence = 0;

    map.createPane("stApproach");
    map.getPane("stApproach").style.zIndex = 460;  // above the locate heat, below the markers
    this.planLayer = L.featureGroup().addTo(map);
    this.closureLayer = L.featureGroup().addTo(map);
    layers.approach = this.planLayer;
    layers.closures = this.closureLayer;

    var self = this;
    this.button.addEventListener("click", function () { self.run(); });
    document.addEventListener("sandtable:located", function (e) { self.located(e.detail.result); });
    document.addEventListener("sandtable:language", function () { self.applyLanguage(); });
    this.loadClosures();
    // a closure set or lifted anywhere (any desk, any server) redraws the layer and the plan
    // on display; without the stream, every 30 s
    Sandtable.live("api/events", ["closures"], function () { self.closuresChanged(); }, 30000);
  }

  Approach.prototype.located = function (result) {
    this.sequence += 1;  // an answer still on its way is for the old candidates
    this.candidates = result && result.candidates ? result.candidates.slice(0, TOP) : [];
    this.root.hidden = this.candidates.length === 0;
    this.button.disabled = false;
    this.show(null);
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
    var station = keep ? this.selected : null;
    this.button.disabled = true;
    this.setStatus("busy", keep ? bi("Updating the plan for the closures…", "正在根据封闭更新规划…") :
      bi("Planning…", "正在规划…"));
    getJson(API, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      // the lines of the recommended plan only: a 3G link carries a tenth of the bytes;
      // another plan's lines are asked for when it is chosen (drawFetched)
      body: JSON.stringify({ target: { candidates: this.candidates }, geometry: "recommended" })
    }).then(function (answer) {
      if (sequence !== self.sequence) { return; }
      self.button.disabled = false;
      if (answer.ok && answer.json) {
        self.setStatus(null);
        self.show(answer.json, station, !keep);
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
  Approach.prototype.closuresChanged = function () {
    this.loadClosures();
    this.refresh();
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
    this.reason.textContent = answer ? answer.reason || "" : "";
    this.effects.textContent = "";
    this.effects.hidden = true;
    if (!answer) { return; }
    answer.plans.forEach(function (plan, index) {
      var row = el("tr", "st-approach-row");
      row.setAttribute("data-station-id", plan.station_id);
      row.tabIndex = 0;
      if (plan.station_id === answer.recommended) { row.classList.add("st-recommended"); }
      if (!plan.reachable) { row.classList.add("st-unreachable"); }
      row.appendChild(el("td", "st-approach-rank", index + 1));
      row.appendChild(el("td", "st-approach-station", plan.station_name));
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
      function choose() { self.draw(plan, true); }
      row.addEventListener("click", choose);
      row.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); }
      });
      self.body.appendChild(row);
    });
    function find(id) { return answer.plans.filter(function (p) { return p.station_id === id; })[0]; }
    var chosen = (station && find(station)) || find(answer.recommended);
    if (chosen) { this.draw(chosen, fit !== false); }
  };

  // A plan whose lines the answer left out: ask for that station's plan, then draw it.
  Approach.prototype.drawFetched = function (plan, fit) {
    var self = this;
    var answer = this.answer;
    getJson(API, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({
        target: { candidates: this.candidates }, stations: [plan.station_id], geometry: "all"
      })
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
    // what each closure costs this plan ("… closed by snow since 06:00: +40 min via …")
    var effects = this.effects;
    effects.textContent = "";
    (plan.closure_effects || []).forEach(function (effect) {
      var item = el("li", "st-approach-effect", effect.message);
      item.setAttribute("data-closure-id", effect.closure_id);
      effects.appendChild(item);
    });
    effects.hidden = !effects.childNodes.length;
    var site = this.answer && this.answer.landing_site;
    if (site) {
      var marker = L.marker([site.lat, site.lon], {
        icon: L.divIcon({ className: "st-heli", html: '<i class="fa-solid fa-helicopter"></i>',
                          iconSize: [24, 24] })
      });
      marker.bindTooltip(function () {
        return el("span", null, site.name + " · " + (site.distance_m / 1000).toFixed(1) + " km");
      }, { className: "st-tip" });
      layer.addLayer(marker);
    }
    plan.legs.forEach(function (leg) {
      var style = MODE[leg.mode] || MODE.foot;
      var line = L.polyline(latlngs(leg.geometry), {
        pane: "stApproach", color: style.colour, weight: 5, opacity: 0.9, dashArray: style.dash,
        lineCap: "round", lineJoin: "round", className: "st-leg st-leg-" + leg.mode
      });
      line.bindTooltip(function () {
        var node = el("div");
        node.appendChild(el("strong", null, plan.station_name));
        node.appendChild(el("div", null, (lang() === "zh" ? style.label[1] : style.label[0]) + ": " +
          leg.from + " → " + leg.to));
        node.appendChild(el("div", null, (leg.length_m / 1000).toFixed(1) + " km · " + hmm(leg.duration_s)));
        return node;
      }, { sticky: true, className: "st-tip" });
      layer.addLayer(line);
    });
    if (fit && layer.getLayers().length) {
      this.map.fitBounds(layer.getBounds(), FIT);
    }
  };

  Approach.prototype.applyLanguage = function () {
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
      self.closureLayer.clearLayers();
      answer.json.closures.forEach(function (c) { self.drawClosure(c, sequence); });
    }).catch(function () { /* the map works without them; the next plan tries again */ });
  };

  // DELETE a closure; then redraw the closures and refresh the plan on display.
  Approach.prototype.liftClosure = function (closure, button, status) {
    var self = this;
    button.disabled = true;
    status.textContent = "";
    status.appendChild(bi("Lifting…", "正在解除…"));
    return fetch(CLOSURES + "/" + encodeURIComponent(closure.closure_id), {
      method: "DELETE", headers: Sandtable.dom.csrfHeaders({ "Accept": "application/json" })
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
    button.addEventListener("click", function () { self.liftClosure(closure, button, status); });
    node.appendChild(button);
    node.appendChild(status);
    node.appendChild(el("div", "st-pop-id", closure.closure_id));
    return node;
  };

  Approach.prototype.drawClosure = function (closure, sequence) {
    var self = this;
    var style = {
      pane: "stApproach", color: "#d7191c", weight: 4, opacity: 0.95, dashArray: "8 6",
      fillColor: "#d7191c", fillOpacity: 0.12, className: "st-closure"
    };
    function add(layer) {
      if (sequence !== undefined && sequence !== self.closureSequence) { return; }  // redrawn since
      layer.stClosure = closure;
      layer.stTooltip = function () { return self.closureTip(closure); };
      layer.bindTooltip(layer.stTooltip(), { sticky: true, className: "st-tip" });
      layer.bindPopup(function () { return self.closurePopup(closure); }, { minWidth: 220, maxWidth: 320 });
      self.closureLayer.addLayer(layer);
    }
    if (closure.geometry) {
      add(L.geoJSON(closure.geometry, { style: function () { return style; } }));
      return;
    }
    closure.segment_ids.forEach(function (id) {
      getJson(SEGMENTS + encodeURIComponent(id), { headers: { "Accept": "application/geo+json" } })
        .then(function (answer) {
          if (answer.ok && answer.json) {
            add(L.geoJSON(answer.json, { style: function () { return style; } }));
          }
        }).catch(function () { /* drawn on the next load */ });
    });
  };

  Approach.prototype.closureTip = function (c) {
    var zh = lang() === "zh";
    var node = el("div");
    var reason = REASON[c.reason] || [c.reason, c.reason];
    var what = c.severity === "closed" ? (zh ? "封闭" : "closed") :
      (zh ? "减速 ×" : "slowed ×") + c.slow_factor;
    var who = c.modes === "vehicle" ? (zh ? "（仅车辆）" : " (vehicles only)") : "";
    node.appendChild(el("strong", null, (zh ? reason[1] : reason[0]) + ": " + what + who));
    var from = new Date(c.from).toLocaleString(zh ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" });
    var until = c.until ? new Date(c.until).toLocaleString(zh ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai" }) :
      (zh ? "待定" : "until lifted");
    node.appendChild(el("div", null, from + " – " + until));
    if (c.note) { node.appendChild(el("div", null, c.note)); }
    return node;
  };

  function start(map, layers) {
    if (!document.querySelector("#st-locate .st-approach")) { return; }
    window.sandtableApproach = new Approach(map, layers);
  }

  document.addEventListener("sandtable:ready", function (e) { start(e.detail.map, e.detail.layers); });
})();
