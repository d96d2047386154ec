/* The map's tools: the find box (places by any name, "go to coordinates"), the measure tool
 * (the vendored Leaflet.PolylineMeasure) and the decluttering of the labels (km posts, place
 * names, segment lengths: none overlaps another).
 *
 * Find: one box at the top left of the map. What looks like a coordinate (digits, a map link,
 * a Plus Code) is read by GET api/search/coordinates (the locator's own coordinate reader)
 * and every reading is shown on the map; anything else is looked up, as it is typed, in the
 * locator's name index by GET api/search/places (English, pinyin, Chinese, Tibetan script,
 * variant spellings), and a chosen place is flown to with its popup open.
 *
 * Everything the server returns is put in the page as text (dom.el, dom.bi), never as HTML.
 */
import * as dom from "./dom.js";
import * as Sandtable from "./sandtable.js";

var PLACES_API = "api/search/places";
var COORDS_API = "api/search/coordinates";
var DEBOUNCE_MS = 200;
var FLY_ZOOM = 15;

var el = dom.el;
var bi = dom.bi;

// `tag` with class `className` and the given children (strings as text, null left out)
function box(tag, className, children) {
  var n = el(tag, className);
  (children || []).forEach(function (c) {
    if (c === null || c === undefined) { return; }
    n.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  });
  return n;
}

function faIcon(name) {
  var i = el("i", "fa-solid fa-" + name);
  i.setAttribute("aria-hidden", "true");
  return i;
}

// a screen-reader-only bilingual label
function srOnly(tag, en, zh) { return box(tag, "st-sr", [bi(en, zh)]); }

// text that is (or starts) a coordinate rather than a name: figures, a link, a Plus Code
function looksLikeCoordinate(q) {
  return /\d/.test(q) || /^(https?:|geo:)/i.test(q) ||
    /^[23456789CFGHJMPQRVWX]{4,8}\+[23456789CFGHJMPQRVWX]{0,3}$/i.test(q);
}

function langHeaders() {
  return { "Accept-Language": dom.language() === "zh" ? "zh-CN,zh" : "en" };
}

// the message of a JSON error envelope, in both languages
function errorText(result) {
  var err = (result.json || {}).error || {};
  var both = (err.data || {}).message;
  if (both && both.en) { return bi(both.en, both.zh || both.en); }
  return bi(err.message || "Request failed (" + result.status + ")",
    err.message || "请求失败（" + result.status + "）");
}

var FindControl = L.Control.extend({
  options: { position: "topleft" },

  onAdd: function (map) {
    var self = this;
    this.map = map;
    this.marks = L.layerGroup().addTo(map);
    var div = L.DomUtil.create("div", "st-find leaflet-bar");
    var toggle = box("button", "st-find-toggle", [faIcon("magnifying-glass"),
      srOnly("span", "Find a place or coordinates", "查找地点或坐标")]);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "st-find-form");
    toggle.title = "Find a place or coordinates / 查找地点或坐标";
    var label = srOnly("label", "Place name or coordinates", "地名或坐标");
    label.htmlFor = "st-find-q";
    var input = el("input", "st-find-q");
    input.id = "st-find-q";
    input.type = "search";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.maxLength = 300;
    input.setAttribute("enterkeyhint", "search");
    var go = box("button", "st-find-go", [faIcon("arrow-right"), srOnly("span", "Find", "查找")]);
    go.type = "submit";
    go.title = "Find / 查找";
    var form = box("form", "st-find-form", [label, input, go]);
    form.id = "st-find-form";
    form.setAttribute("role", "search");
    form.noValidate = true;
    var status = el("div", "st-find-status");
    status.setAttribute("role", "status");
    status.hidden = true;
    var list = el("ol", "st-find-results");
    list.hidden = true;
    [toggle, form, status, list].forEach(function (n) { div.appendChild(n); });
    this.div = div;
    this.input = input;
    this.status = status;
    this.list = list;
    this.toggle = toggle;
    this.seq = 0;
    this.timer = null;
    this.setOpen(!Sandtable.smallScreen());
    this.placeholder();
    document.addEventListener("sandtable:language", function () { self.placeholder(); });

    this.toggle.addEventListener("click", function () {
      self.setOpen(!div.classList.contains("st-find-open"));
      if (div.classList.contains("st-find-open")) { self.input.focus(); }
    });
    div.querySelector(".st-find-form").addEventListener("submit", function (e) {
      e.preventDefault();
      window.clearTimeout(self.timer);  // a lookup still waiting for the typing to pause
      self.run(true);
    });
    this.input.addEventListener("input", function () {
      window.clearTimeout(self.timer);
      self.timer = window.setTimeout(function () { self.run(false); }, DEBOUNCE_MS);
    });
    this.input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { self.clear(); }
      if (e.key === "ArrowDown") {
        var first = self.list.querySelector("button");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  },

  placeholder: function () {
    this.input.placeholder = dom.language() === "zh"
      ? "地名（任何语言）或坐标" : "Place (any name) or coordinates";
  },

  setOpen: function (open) {
    this.div.classList.toggle("st-find-open", open);
    this.toggle.setAttribute("aria-expanded", String(open));
  },

  clear: function () {
    this.seq += 1;
    this.input.value = "";
    this.list.hidden = true;
    this.status.hidden = true;
    this.marks.clearLayers();
  },

  // a message under the box (a node), or none (null)
  say: function (content) {
    dom.clear(this.status);
    if (content) { this.status.appendChild(content); }
    this.status.hidden = !content;
  },

  // look up what is in the box; `submitted`: Enter or the arrow (coordinates are read then)
  run: function (submitted) {
    var q = this.input.value.trim();
    var seq = (this.seq += 1);
    var self = this;
    if (!q) { this.list.hidden = true; this.say(null); return; }
    if (looksLikeCoordinate(q)) {
      if (!submitted) {
        this.list.hidden = true;
        this.say(bi("Press Enter to go to these coordinates.", "按回车键定位到此坐标。"));
        return;
      }
      this.say(bi("Reading the coordinates…", "正在读取坐标…"));
      dom.getJson(COORDS_API + "?q=" + encodeURIComponent(q), { headers: langHeaders() })
        .then(function (result) {
          if (seq !== self.seq) { return; }
          if (result.ok) { self.showReadings(result.json); return; }
          // figures in a name ("G219 turn-off"): try the names before giving up
          if (result.status === 422 && /[A-Za-z\u4e00-\u9fff\u0f00-\u0fff]{2}/.test(q)) {
            self.findPlaces(q, seq, true, errorText(result));
          } else {
            self.list.hidden = true;
            self.say(errorText(result));
          }
        }, function () { if (seq === self.seq) { self.say(bi("Network error.", "网络错误。")); } });
      return;
    }
    this.findPlaces(q, seq, submitted, null);
  },

  findPlaces: function (q, seq, submitted, fallbackError) {
    var self = this;
    dom.getJson(PLACES_API + "?q=" + encodeURIComponent(q), { headers: langHeaders() })
      .then(function (result) {
        if (seq !== self.seq) { return; }
        if (!result.ok) { self.list.hidden = true; self.say(errorText(result)); return; }
        var matches = result.json.matches || [];
        if (!matches.length) {
          self.list.hidden = true;
          self.say(fallbackError || bi("No place of that name.", "没有这个名字的地点。"));
          return;
        }
        self.say(null);
        self.showPlaces(matches);
        if (submitted) { self.goToPlace(matches[0]); }
      }, function () { if (seq === self.seq) { self.say(bi("Network error.", "网络错误。")); } });
  },

  showPlaces: function (matches) {
    var self = this;
    dom.clear(this.list);
    matches.forEach(function (m) {
      var li = document.createElement("li");
      // the name in the page's language first; the other language and Tibetan after it
      var bo = null;
      if (m.name_bo) {
        bo = el("span", "st-find-bo", m.name_bo);
        bo.setAttribute("lang", "bo");
      }
      var button = box("button", "st-find-item", [
        Sandtable.placeBadge(m.type, " st-find-icon"),
        box("span", "st-find-names", [
          box("span", "st-find-name", [bi(m.name_en, m.name_zh || m.name_en)]),
          box("span", "st-find-other", [bi(m.name_zh || "", m.name_en || ""), bo ? " " : null, bo]),
          box("span", "st-find-type", [Sandtable.placeTypeName(m.type),
            m.kora_km === null || m.kora_km === undefined ? null : " · km " + Number(m.kora_km).toFixed(1)])
        ])
      ]);
      button.type = "button";
      button.setAttribute("data-place-id", m.place_id);
      button.addEventListener("click", function () { self.goToPlace(m); });
      li.appendChild(button);
      self.list.appendChild(li);
    });
    this.list.hidden = false;
  },

  goToPlace: function (m) {
    var map = this.map;
    this.marks.clearLayers();
    var latlng = L.latLng(m.lat, m.lon);
    L.circleMarker(latlng, {
      radius: 16, color: "#e8590c", weight: 3, fill: false, interactive: false, className: "st-find-ring"
    }).addTo(this.marks);
    var marker = null;
    var places = (window.sandtableLayers || {}).places;
    if (places) {
      places.eachLayer(function (layer) {
        if (layer.feature && layer.feature.properties.place_id === m.place_id) { marker = layer; }
      });
    }
    document.body.removeAttribute("data-find-place");
    if (Sandtable.smallScreen()) { this.list.hidden = true; }
    map.once("moveend", function () {
      if (marker && map.hasLayer(marker)) { marker.openPopup(); }
      // arrived (the browser tests wait for this)
      document.body.setAttribute("data-find-place", m.place_id);
    });
    map.flyTo(latlng, Math.max(map.getZoom(), FLY_ZOOM), { duration: 0.6 });
  },

  // every reading of the coordinates: a numbered marker each, the list, the first one opened
  showReadings: function (body) {
    var self = this;
    var map = this.map;
    this.marks.clearLayers();
    dom.clear(this.list);
    var markers = [];
    var readings = body.readings || [];
    readings.forEach(function (r, i) {
      var n = i + 1;
      function label() { return bi(r.label, r.label_zh || r.label); }
      function outside() {
        return r.in_region ? null : box("div", "st-find-warn", [bi("Outside the region.", "在本区域以外。")]);
      }
      var marker = L.marker([r.lat, r.lon], {
        title: r.label,
        icon: L.divIcon({
          className: "st-marker", html: el("span", "st-find-pin", String(n)),
          iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -13]
        })
      }).bindPopup(function () {
        return box("div", "st-pop st-find-pop", [
          box("div", "st-pop-title", [bi("Coordinates", "坐标"), " · ", bi("reading " + n, "读法 " + n)]),
          box("div", "st-pop-route", [label()]),
          outside(),
          el("div", "st-muted", "“" + r.text + "” ± " + Math.round(r.uncertainty_m) + " m"),
          Sandtable.coordinateTable(r.lat, r.lon)
        ]);
      }, { maxWidth: 380, minWidth: 260 });
      marker.addTo(self.marks);
      markers.push(marker);
      var li = document.createElement("li");
      var button = box("button", "st-find-item st-find-reading", [
        el("span", "st-find-pin", String(n)),
        box("span", "st-find-names", [
          el("span", "st-find-name", Sandtable.formats.decimal(r.lat, r.lon)),
          box("span", "st-find-type", [label()]),
          outside()
        ])
      ]);
      button.type = "button";
      li.appendChild(button);
      button.addEventListener("click", function () {
        map.once("moveend", function () { marker.openPopup(); });
        map.flyTo([r.lat, r.lon], Math.max(map.getZoom(), FLY_ZOOM), { duration: 0.6 });
      });
      self.list.appendChild(li);
    });
    this.list.hidden = !readings.length;
    this.say(readings.length > 1 ? bi(readings.length + " possible readings:", "共 " + readings.length + " 种读法：") : null);
    document.body.removeAttribute("data-find-readings");
    if (!markers.length) { return; }
    var bounds = L.latLngBounds(markers.map(function (m) { return m.getLatLng(); }));
    map.once("moveend", function () {
      markers[0].openPopup();
      document.body.setAttribute("data-find-readings", String(readings.length));
    });
    if (markers.length === 1) {
      map.flyTo(markers[0].getLatLng(), Math.max(map.getZoom(), FLY_ZOOM), { duration: 0.6 });
    } else {
      map.flyToBounds(bounds, { maxZoom: FLY_ZOOM, padding: [60, 60], duration: 0.6 });
    }
  }
});

// --- measure: Leaflet.PolylineMeasure (vendored), distances in m and km, texts in both languages
function addMeasure(map) {
  if (!L.control.polylineMeasure) { return null; }  // the plugin is missing: no tool
  // the plugin's options take HTML: constant texts only, written out here (no data in them)
  function text(en, zh) { return '<span lang="en">' + en + '</span><span lang="zh-Hans">' + zh + "</span>"; }
  var control = L.control.polylineMeasure({
    position: "topright",  // under the layer control: the left side holds the find box and Closures
    unit: "metres",  // metres under 1 km, then km
    showBearings: false,
    clearMeasurementsOnStop: false,
    showClearControl: true,
    showUnitControl: false,
    measureControlLabel: '<i class="fa-solid fa-ruler" aria-hidden="true"></i>',
    measureControlTitleOn: "Measure a distance / 测量距离",
    measureControlTitleOff: "Stop measuring / 停止测量",
    measureControlClasses: ["st-measure-toggle"],
    clearControlLabel: '<i class="fa-solid fa-eraser" aria-hidden="true"></i>',
    clearControlTitle: "Clear the measurements / 清除测量",
    clearControlClasses: ["st-measure-clear"],
    tooltipTextFinish: text("Click to finish the line", "单击结束此线") + "<br>",
    tooltipTextDelete: text("Shift-click to delete the point", "Shift+单击删除此点"),
    tooltipTextMove: text("Drag to move the point", "拖动以移动此点") + "<br>",
    tooltipTextResume: "<br>" + text("Ctrl-click to go on measuring", "Ctrl+单击继续测量"),
    tooltipTextAdd: text("Ctrl-click to add a point", "Ctrl+单击添加点"),
    tempLine: { color: "#e8590c", weight: 2 },
    fixedLine: { color: "#e8590c", weight: 3 },
    startCircle: { color: "#000", weight: 1, fillColor: "#fff", fillOpacity: 1, radius: 4 },
    intermedCircle: { color: "#000", weight: 1, fillColor: "#e8590c", fillOpacity: 1, radius: 3 },
    currentCircle: { color: "#000", weight: 1, fillColor: "#e8590c", fillOpacity: 1, radius: 6 },
    endCircle: { color: "#000", weight: 1, fillColor: "#c92a2a", fillOpacity: 1, radius: 4 }
  }).addTo(map);
  // The plugin takes any map move for a drag and ignores the next click (so a drag does not
  // add a point); after a zoom with the buttons or the wheel, that lost the first point.
  // Leaflet itself fires no click after a drag, so a move that has ended is no drag.
  map.on("moveend", function () {
    window.setTimeout(function () { control._mapdragging = false; }, 0);
  });
  var button = control.getContainer().querySelector(".st-measure-toggle");
  button.setAttribute("role", "button");
  button.setAttribute("href", "#");
  button.setAttribute("aria-pressed", "false");
  // <body data-measuring> while the tool is on, and the finished lines' total in metres
  map.on("polylinemeasure:toggle", function () {
    var on = !!control._measuring;
    document.body.setAttribute("data-measuring", String(on));
    button.setAttribute("aria-pressed", String(on));
  });
  map.on("polylinemeasure:finish", function (e) {
    document.body.setAttribute("data-measured-m", String(Math.round(e.distance || 0)));
  });
  return control;
}

// --- labels that do not collide ---------------------------------------------------------------
// After every move the labels in view are laid out in one pass, in this order:
// 1. km posts (rescue.kmposts; CSS shows those every 5 km at any zoom, the others from zoom
//    13): those every 5 km first; a post that would overlap one already placed is hidden;
// 2. place names, by priority (labelRank, 1 first) from the zoom each rank is wanted at:
//    right of the place, else left of, above or below it; a name that would overlap a km
//    post, a name already placed or another place's or station's icon stays hidden (it
//    shows on hover); the names of towns, passes, summits and lakes may cover icons, never
//    other labels;
// 3. segment length labels (from zoom 12), only where they overlap nothing of the above
//    and no icon: they never hide a km post or a name.
// body[data-labels-shown] counts the names shown, body[data-declutter-runs] the passes.
var RANK_MIN_ZOOM = { 1: 0, 2: 10, 3: 11, 4: 13, 5: 14 };
var GAP_PX = 2;
var runs = 0;

function overlaps(a, b) {
  return a.left < b.right + GAP_PX && b.left < a.right + GAP_PX &&
    a.top < b.bottom + GAP_PX && b.top < a.bottom + GAP_PX;
}

// the fixed labels of a marker layer in view, shown again before they are measured:
// [{el, major, n}] (their boxes are read later, in one go)
function fixedLabels(map, group, view) {
  var found = [];
  if (!group || !map.hasLayer(group)) { return found; }
  group.eachLayer(function (layer) {
    var el = layer.getElement && layer.getElement();
    if (!el) { return; }
    el.classList.remove("st-label-off");
    if (view.contains(layer.getLatLng())) {
      found.push({ el: el, major: el.classList.contains("st-km-major"), n: found.length });
    }
  });
  return found;
}

// the box of a fixed label's text, or null where CSS hides it at this zoom
function labelBox(el) {
  var r = (el.firstElementChild || el).getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? r : null;
}

function declutter(map, layers) {
  var z = map.getZoom();
  var view = map.getBounds().pad(0.2);
  var places = layers.places && map.hasLayer(layers.places) ? layers.places : null;
  var items = [];
  var icons = [];
  var posts = fixedLabels(map, layers.kmPosts, view);
  var segs = fixedLabels(map, layers.labels, view);
  if (places) {
    places.eachLayer(function (layer) {
      var tip = layer.getTooltip();
      var el = tip && tip.getElement();
      if (!el) { return; }
      el.classList.remove("st-name-moved");
      el.style.marginLeft = "";
      el.style.marginTop = "";
      if (layer.feature) { el.setAttribute("data-place-id", layer.feature.properties.place_id); }
      var wanted = z >= RANK_MIN_ZOOM[layer.options.labelRank || 5] && view.contains(layer.getLatLng());
      el.classList.add("st-name-off");
      if (layer.getElement()) { icons.push(layer.getElement()); }
      if (wanted) { items.push({ el: el, icon: layer.getElement(), rank: layer.options.labelRank || 5, n: items.length }); }
    });
  }
  if (layers.stations && map.hasLayer(layers.stations)) {
    layers.stations.eachLayer(function (layer) { if (layer.getElement()) { icons.push(layer.getElement()); } });
  }
  // one layout: read every box, then decide, then write
  var iconBoxes = icons.map(function (icon) { return { icon: icon, box: icon.getBoundingClientRect() }; });
  items.forEach(function (it) {
    it.box = it.el.getBoundingClientRect();
    it.iconBox = it.icon ? it.icon.getBoundingClientRect() : null;
  });
  posts.forEach(function (p) { p.box = labelBox(p.el); });
  segs.forEach(function (s) { s.box = labelBox(s.el); });
  var hide = [];
  var placed = [];
  function clearOfLabels(box) { return placed.every(function (other) { return !overlaps(box, other); }); }
  // 1. km posts, those every 5 km first
  posts.sort(function (a, b) { return (b.major - a.major) || a.n - b.n; });
  posts.forEach(function (p) {
    if (!p.box) { return; }
    if (clearOfLabels(p.box)) { placed.push(p.box); } else { hide.push(p.el); }
  });
  // 2. place names
  items.sort(function (a, b) { return a.rank - b.rank || a.n - b.n; });
  function moved(box, dx, dy) {
    return { left: box.left + dx, right: box.right + dx, top: box.top + dy, bottom: box.bottom + dy, dx: dx, dy: dy };
  }
  var names = 0;
  items.forEach(function (it) {
    var r = it.box;
    var choices = [moved(r, 0, 0)];
    var ib = it.iconBox;
    if (ib) {
      var w = r.right - r.left;
      var hgt = r.bottom - r.top;
      var cx = (ib.left + ib.right) / 2;
      choices.push(moved(r, (ib.left - GAP_PX) - r.right, 0));  // left of the place
      choices.push(moved(r, cx - w / 2 - r.left, ib.top - GAP_PX - hgt - r.top));  // above
      choices.push(moved(r, cx - w / 2 - r.left, ib.bottom + GAP_PX - r.top));  // below
    }
    function clearOfIcons(box) {
      return iconBoxes.every(function (o) { return o.icon === it.icon || !overlaps(box, o.box); });
    }
    var chosen = null;
    for (var i = 0; i < choices.length && !chosen; i++) {
      if (clearOfLabels(choices[i]) && clearOfIcons(choices[i])) { chosen = choices[i]; }
    }
    // a town's, a pass's or a summit's name may cover other icons rather than go missing
    for (var j = 0; j < choices.length && !chosen && it.rank <= 2; j++) {
      if (clearOfLabels(choices[j])) { chosen = choices[j]; }
    }
    if (!chosen) { return; }
    it.el.classList.remove("st-name-off");
    if (chosen.dx || chosen.dy) {
      it.el.classList.add("st-name-moved");
      it.el.style.marginLeft = chosen.dx + "px";
      it.el.style.marginTop = chosen.dy + "px";
    }
    placed.push(chosen);
    names += 1;
  });
  // 3. segment lengths, where they cover nothing
  segs.forEach(function (s) {
    if (!s.box) { return; }
    var free = clearOfLabels(s.box) && iconBoxes.every(function (o) { return !overlaps(s.box, o.box); });
    if (free) { placed.push(s.box); } else { hide.push(s.el); }
  });
  hide.forEach(function (el) { el.classList.add("st-label-off"); });
  runs += 1;
  document.body.setAttribute("data-labels-shown", String(names));
  document.body.setAttribute("data-declutter-runs", String(runs));
}

document.addEventListener("sandtable:ready", function (e) {
  var map = e.detail.map;
  var layers = e.detail.layers;
  var pending = null;
  function later() {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(function () { pending = null; declutter(map, layers); });
  }
  map.on("zoomend moveend overlayadd overlayremove resize", later);
  document.addEventListener("sandtable:language", later);  // names change width
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(later); }
  later();
  addMeasure(map);
  var find = new FindControl().addTo(map);
  // the find box heads the top-left corner, above the zoom buttons
  var corner = find.getContainer().parentNode;
  corner.insertBefore(find.getContainer(), corner.firstChild);
});
