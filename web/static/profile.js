/* Elevation profiles of a plan's legs: an inline SVG of distance against elevation_m,
 * drawn from the legs' 3D geometry ([lon, lat, elevation_m] as /api/approach answers).
 *
 * SandtableProfile.draw(legs, options) -> an <svg> (or null when the legs carry no heights):
 * one line per leg in the leg's colour, the legs' ends marked with dashed lines and numbered
 * as in the written leg list, the lowest and highest heights and the length on the axes, and
 * the passes the plan crosses (places of type "pass", GET /api/places, within 300 m of the
 * line) marked and named; elsewhere the highest point is. Texts in both languages: as
 * two <text lang> (the page's language switch shows one), or "en / zh" with bilingual: "both".
 * SandtableProfile.passes() -> a promise of the passes, asked for once per page.
 * Heights: a leg's "profile" (its line sampled on the DEM a planner loaded, rescue/
 * elevation_profile.py) where it has one, else its geometry's (the route data);
 * SandtableProfile.sourceNote(legs, model, both) -> a <span> for the caption that says which
 * (" · heights: route data"), and the <svg>
 * carries it as data-source ("dem", "route_data" or "mixed").
 * Everything is made with createElementNS and textContent, never as HTML.
 */
import * as dom from "./dom.js";

var NS = "http://www.w3.org/2000/svg";
var NEAR_PASS_M = 300;
var COLOURS = { vehicle: "#212529", foot: "#f08c00" };
var passes = null;

function svg(name, attrs, parent) {
  var node = document.createElementNS(NS, name);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
  if (parent) { parent.appendChild(node); }
  return node;
}

// great-circle metres between [lon, lat] pairs (a few metres apart: the haversine is plenty)
function metres(a, b) {
  var rad = Math.PI / 180;
  var dLat = (b[1] - a[1]) * rad;
  var dLon = (b[0] - a[0]) * rad;
  var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
    Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

// [{d (m from the start), z, leg, xy}] over every leg in order; null without heights
function samples(legs) {
  var out = [];
  var d = 0;
  var prev = null;
  for (var i = 0; i < legs.length; i += 1) {
    var coords = legs[i].profile || legs[i].geometry || [];  // a DEM's samples when loaded
    for (var j = 0; j < coords.length; j += 1) {
      var c = coords[j];
      if (c.length < 3 || typeof c[2] !== "number") { return null; }
      if (prev) { d += metres(prev, c); }
      out.push({ d: d, z: c[2], leg: i, xy: c });
      prev = c;
    }
  }
  return out.length >= 2 ? out : null;
}

function passList() {
  if (!passes) {
    passes = dom.getJson("api/places", { headers: { "Accept": "application/geo+json" } })
      .then(function (answer) {
        if (!answer.ok || !answer.json) { return []; }
        return answer.json.features.filter(function (f) { return f.properties.type === "pass"; })
          .map(function (f) {
            return { en: f.properties.name_en, zh: f.properties.name_zh || f.properties.name_en,
                     xy: f.geometry.coordinates };
          });
      }, function () { return []; });
  }
  return passes;
}

function label(parent, x, y, en, zh, attrs, both) {
  var group = svg("g", attrs, parent);
  if (both) {
    svg("text", { x: x, y: y }, group).textContent = en === zh ? en : en + " / " + zh;
    return group;
  }
  svg("text", { x: x, y: y, lang: "en" }, group).textContent = en;
  svg("text", { x: x, y: y, lang: "zh-Hans" }, group).textContent = zh;
  return group;
}

// where the heights of these legs come from: "dem" (every leg sampled on the loaded DEM),
// "route_data" (none) or "mixed"
function sourceOf(legs) {
  var dem = 0;
  var drawn = 0;
  (legs || []).forEach(function (leg) {
    if (!leg.geometry) { return; }
    drawn += 1;
    if (leg.profile_source === "dem" && leg.profile) { dem += 1; }
  });
  if (!dem) { return "route_data"; }
  return dem === drawn ? "dem" : "mixed";
}

// a short note naming a profile's heights' source, for its caption (" · heights: route
// data"), the whole of it in its title; model: the answer's elevation_model
function sourceNote(legs, model, both) {
  var kind = sourceOf(legs);
  var file = model && model.kind === "dem" && model.filename ? " “" + model.filename + "”" : "";
  var texts = {
    dem: ["heights: DEM" + file, "高度：高程模型" + file,
          "Heights sampled on the elevation model (DEM) a planner loaded",
          "高度取自规划人员载入的高程模型（DEM）"],
    mixed: ["heights: DEM" + file + ", route data past its edge", "高度：高程模型" + file + "，其外为路线数据",
            "Heights sampled on the elevation model (DEM) where it covers the way, elsewhere the route data's",
            "高程模型（DEM）覆盖处的高度取自高程模型，其余取自路线数据"],
    route_data: ["heights: route data", "高度：路线数据",
                 model && model.kind === "dem" ? "Heights of the route data: the way leaves the elevation model (DEM)"
                   : "Heights of the route data: no elevation model (DEM) is loaded",
                 model && model.kind === "dem" ? "高度取自路线数据：路线超出高程模型（DEM）范围"
                   : "高度取自路线数据：未载入高程模型（DEM）"]
  };
  var t = texts[kind];
  var span = document.createElement("span");
  span.className = "st-profile-source";
  span.setAttribute("data-source", kind);
  span.title = t[2] + " / " + t[3];
  span.appendChild(document.createTextNode(" · "));
  if (both) {
    span.appendChild(document.createTextNode(t[0] + " / " + t[1]));
  } else {
    span.appendChild(dom.bi(t[0], t[1]));
  }
  return span;
}

function draw(legs, options) {
  options = options || {};
  var points = samples(legs || []);
  if (!points) { return null; }
  var W = options.width || 320;
  var H = options.height || 120;
  var both = options.bilingual === "both";
  var colours = options.colours || COLOURS;
  var m = { left: 38, right: 8, top: 26, bottom: 16 };
  var total = points[points.length - 1].d;
  var zs = points.map(function (p) { return p.z; });
  var zMin = Math.min.apply(null, zs);
  var zMax = Math.max.apply(null, zs);
  var lo = Math.floor(zMin / 50) * 50;
  var hi = Math.max(lo + 100, Math.ceil(zMax / 50) * 50);
  function X(d) { return m.left + (total > 0 ? d / total : 0) * (W - m.left - m.right); }
  function Y(z) { return m.top + (1 - (z - lo) / (hi - lo)) * (H - m.top - m.bottom); }
  function xy(p) { return X(p.d).toFixed(1) + "," + Y(p.z).toFixed(1); }

  var root = svg("svg", {
    viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
    "class": "st-profile-svg" + (options.className ? " " + options.className : ""),
    "data-points": points.length, "data-length-m": Math.round(total),
    "data-min-elevation": Math.round(zMin), "data-max-elevation": Math.round(zMax),
    "data-source": sourceOf(legs)
  });
  svg("title", {}, root).textContent = "Elevation profile / 海拔剖面: " + Math.round(zMin) + "–" +
    Math.round(zMax) + " m, " + (total / 1000).toFixed(1) + " km";
  // the ground under the line
  var area = "M" + X(0).toFixed(1) + "," + Y(lo).toFixed(1) + " L" + points.map(xy).join(" L") +
    " L" + X(total).toFixed(1) + "," + Y(lo).toFixed(1) + " Z";
  svg("path", { d: area, fill: "#e9e2d3", stroke: "none", "class": "st-profile-ground" }, root);
  // axes: heights at the left, the length at the bottom
  svg("line", { x1: m.left, y1: Y(lo), x2: W - m.right, y2: Y(lo), stroke: "#8a7f6e", "stroke-width": 1 }, root);
  svg("line", { x1: m.left, y1: Y(lo), x2: m.left, y2: Y(hi), stroke: "#8a7f6e", "stroke-width": 1 }, root);
  var axis = svg("g", { "class": "st-profile-axis", "font-size": 9, fill: "#5c5247" }, root);
  svg("text", { x: m.left - 3, y: Y(hi) + 3, "text-anchor": "end" }, axis).textContent = hi + " m";
  svg("text", { x: m.left - 3, y: Y(lo) + 3, "text-anchor": "end" }, axis).textContent = lo + " m";
  svg("text", { x: m.left, y: H - 4 }, axis).textContent = "0";
  svg("text", { x: W - m.right, y: H - 4, "text-anchor": "end", "class": "st-profile-length" }, axis)
    .textContent = (total / 1000).toFixed(1) + " km";
  // one line per leg, in its colour; the ends of the legs dashed and numbered
  var first = options.firstNumber || 1;
  var byLeg = {};
  points.forEach(function (p) { (byLeg[p.leg] = byLeg[p.leg] || []).push(p); });
  Object.keys(byLeg).forEach(function (i) {
    var ps = byLeg[i];
    var leg = legs[Number(i)];
    if (Number(i) > 0) {  // join to the previous leg's last point
      var before = byLeg[Number(i) - 1];
      if (before) { ps = [before[before.length - 1]].concat(ps); }
    }
    svg("polyline", {
      points: ps.map(xy).join(" "), fill: "none", stroke: colours[leg.mode] || "#555",
      "stroke-width": 2, "stroke-linejoin": "round", "class": "st-profile-leg", "data-leg": Number(i) + first,
      "data-mode": leg.mode, "data-points": byLeg[i].length
    }, root);
    var start = byLeg[i][0];
    if (Number(i) > 0) {
      svg("line", { x1: X(start.d), y1: 10, x2: X(start.d), y2: Y(lo), stroke: "#8a7f6e",
                    "stroke-dasharray": "2 3", "stroke-width": 1, "class": "st-profile-tick" }, root);
    }
    var mid = (start.d + byLeg[i][byLeg[i].length - 1].d) / 2;
    svg("text", { x: X(mid), y: 8, "text-anchor": "middle", "font-size": 9, fill: "#5c5247",
                  "class": "st-profile-leg-number" }, root).textContent = String(Number(i) + first);
  });
  // the passes crossed (else the highest point), marked and named
  var marks = svg("g", { "class": "st-profile-marks", "font-size": 10, fill: "#2f2a24" }, root);
  var named = 0;
  (options.passes || []).forEach(function (pass) {
    var best = null;
    points.forEach(function (p) {
      var dist = metres(p.xy, pass.xy);
      if (dist <= NEAR_PASS_M && (!best || dist < best.dist)) { best = { p: p, dist: dist }; }
    });
    if (!best) { return; }
    named += 1;
    mark(marks, best.p, pass.en + " " + Math.round(best.p.z) + " m", pass.zh + " " + Math.round(best.p.z) + " 米",
      "st-profile-pass", pass.en);
  });
  if (!named) {
    var top = points.reduce(function (a, b) { return b.z > a.z ? b : a; });
    mark(marks, top, "highest " + Math.round(top.z) + " m", "最高点 " + Math.round(top.z) + " 米", "st-profile-top", "");
  }
  function mark(parent, p, en, zh, cls, name) {
    var x = X(p.d);
    var y = Y(p.z);
    svg("path", { d: "M" + (x - 4) + "," + (y - 2) + " L" + x + "," + (y - 8) + " L" + (x + 4) + "," + (y - 2) + " Z",
                  fill: "#2f2a24", "class": cls + "-marker" }, parent);
    var anchor = x > W * 0.7 ? "end" : (x < W * 0.3 ? "start" : "middle");
    var g = label(parent, x, Math.max(20, y - 10), en, zh, { "class": cls, "data-name": name, "text-anchor": anchor }, both);
    g.setAttribute("data-elevation", String(Math.round(p.z)));
    g.setAttribute("data-distance-m", String(Math.round(p.d)));
  }
  return root;
}

export { draw, passList as passes, samples, sourceNote, sourceOf };
