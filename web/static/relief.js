/* Relief on the map page: hillshade and contours from the planner's DEM, or the MBTiles basemap.
 *
 * The layers exist from the start (web/mapview.py hands them to Sandtable.init: the
 * "sandtable:ready" event's detail.relief .hillshade, .contours, .reliefBasemap) but show nothing until GET /api/relief says what is loaded:
 *   - a DEM: hillshade and contours are switched on, their URLs carry ?v=<sha256 prefix>
 *     (a new DEM is new URLs; the server's tiles are cached a day and have ETags);
 *   - an MBTiles basemap: it becomes the base layer, within its zooms;
 *   - nothing: the two relief rows of the layer control are disabled and a note says
 *     that no elevation model is loaded and where a planner loads one.
 * The layer control is folded until hovered or tapped, so a short caption of its own
 * (.st-relief-status, right under its button) says the same while it is folded:
 * which DEM is loaded, or that none is and relief is off.
 * body[data-relief] is "dem", "mbtiles", "dem mbtiles" or "none" once known (for tests).
 */
import * as dom from "./dom.js";

function setUrl(layer, base, sha) {
  layer.setUrl(base + "?v=" + encodeURIComponent(sha.slice(0, 12)));
}

function rowsOf(map, names) {
  var found = [];
  map.getContainer().querySelectorAll(".leaflet-control-layers label").forEach(function (label) {
    var en = label.querySelector('[lang="en"]');
    if (en && names.indexOf(en.textContent.trim()) >= 0) { found.push(label); }
  });
  return found;
}

function note(map, className, en, zh) {
  var list = map.getContainer().querySelector(".leaflet-control-layers-list");
  if (!list) { return null; }
  var old = list.querySelector(".st-relief-note");
  if (old) { old.remove(); }
  var box = document.createElement("div");
  box.className = "st-relief-note " + className;
  box.setAttribute("role", "note");
  box.appendChild(dom.bi(en, zh));
  list.appendChild(box);
  return box;
}

// the folded-state caption: a small control of its own, right under the layer control
var StatusControl = L.Control.extend({
  options: { position: "topright" },
  onAdd: function () {
    var div = L.DomUtil.create("div", "st-relief-status " + this.options.className);
    div.setAttribute("role", "status");
    div.appendChild(dom.bi(this.options.en, this.options.zh));
    return div;
  }
});

function status(map, className, en, zh) {
  var control = new StatusControl({ className: className, en: en, zh: zh }).addTo(map);
  // right under the layer control's button: the row beside it is clear of the left's controls
  var layers = map.getContainer().querySelector(".leaflet-control-layers");
  if (layers) { layers.after(control.getContainer()); }
}

function show(map, layers, relief, baseLayers) {
  var kinds = [];
  var dem = relief.dem;
  var tiles = relief.mbtiles;
  if (dem) {
    kinds.push("dem");
    setUrl(layers.hillshade, "api/relief/hillshade/{z}/{x}/{y}.png", dem.sha256);
    setUrl(layers.contours, "api/relief/contours/{z}/{x}/{y}.png", dem.sha256);
    map.addLayer(layers.hillshade);
    map.addLayer(layers.contours);
    var info = dem.info || {};
    note(map, "st-relief-loaded",
      "Relief: " + dem.filename + " (" + (info.min_elevation_m || "?") + "–" + (info.max_elevation_m || "?") + " m)",
      "地形：" + dem.filename + "（" + (info.min_elevation_m || "?") + "–" + (info.max_elevation_m || "?") + " 米）");
    status(map, "st-relief-status-dem", "Relief: DEM “" + dem.filename + "”", "地形：高程模型“" + dem.filename + "”");
  } else {
    // the layer control rebuilds its rows whenever one of its layers comes or goes
    var disable = function () {
      rowsOf(map, ["Hillshade", "Contours"]).forEach(function (label) {
        label.classList.add("st-relief-off");
        var input = label.querySelector("input");
        if (input) { input.disabled = true; }
      });
    };
    disable();
    map.on("layeradd layerremove", disable);
    note(map, "st-relief-missing",
      "No elevation model (DEM) loaded: no hillshade or contours. A planner can load one on the planner page.",
      "未载入高程模型（DEM）：无晕渲和等高线。规划人员可在规划页面载入。");
    status(map, "st-relief-status-none", "No DEM loaded — relief off", "未加载高程模型（DEM）——无地形晕渲");
  }
  if (tiles) {
    kinds.push("mbtiles");
    var base = layers.reliefBasemap;
    var t = tiles.info || {};
    base.options.minNativeZoom = t.minzoom || 0;
    base.options.maxNativeZoom = t.maxzoom || 18;
    setUrl(base, "api/relief/basemap/{z}/{x}/{y}", tiles.sha256);
    var bases = baseLayers || {};
    Object.keys(bases).forEach(function (key) {
      if (map.hasLayer(bases[key])) { map.removeLayer(bases[key]); }
    });
    map.addLayer(base);
  } else {
    var hide = function () {
      rowsOf(map, ["Offline basemap (MBTiles)"]).forEach(function (label) { label.hidden = true; });
    };
    hide();
    map.on("layeradd layerremove", hide);
  }
  document.body.setAttribute("data-relief", kinds.length ? kinds.join(" ") : "none");
}

document.addEventListener("sandtable:ready", function (e) {
  var map = e.detail.map;
  var layers = e.detail.relief;
  if (!layers || !layers.hillshade) { return; }
  dom.getJson("api/relief").then(function (result) {
    if (!result.ok) { document.body.setAttribute("data-relief", "error"); return; }
    show(map, layers, result.json.relief || {}, e.detail.baseLayers);
  }, function () { document.body.setAttribute("data-relief", "error"); });
});
