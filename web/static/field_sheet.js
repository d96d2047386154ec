/* The field sheet (GET /field-sheet): one A4 page for the team, in English and Chinese.
 *
 * Its content comes from GET /api/incidents/<id>/field-sheet (?incident=N) or from
 * POST /api/approach/field-sheet with the request the map page left in this tab's
 * session storage ("sandtable.fieldSheet"). It draws the approach (by mode), the
 * evacuation and the target on an offline Leaflet map, writes the target in DD, DMS and
 * UTM with its km post, the legs, the evacuation and the stations' contacts. When all is
 * drawn, <body data-sheet-ready="true">; "Print" (or the browser's print / save as PDF)
 * prints the sheet without the controls (@media print). Text is put in with textContent.
 */
import * as dom from "./dom.js";
import * as vocab from "./vocab.js";
import * as elevation from "./profile.js";

var CONFIG = dom.pageData("st-config-field-sheet");
var STORAGE = "sandtable.fieldSheet";
var COLOUR = { vehicle: "#212529", foot: "#f08c00", evacuation: "#2b8a3e" };  // as on the map page
var el = dom.el;

function $(selector) { return document.querySelector(selector); }

function hmm(seconds) {
  var minutes = Math.round(seconds / 60);
  var m = minutes % 60;
  return Math.floor(minutes / 60) + ":" + (m < 10 ? "0" : "") + m;
}

function both(pair) {
  if (!pair) { return ""; }
  return pair.zh && pair.zh !== pair.en ? pair.en + " / " + pair.zh : pair.en;
}

function status(text, error) {
  var node = $(".st-sheet-status");
  node.textContent = text;
  node.classList.toggle("st-error", !!error);
}

function load() {
  if (CONFIG.incident !== null && CONFIG.incident !== undefined) {
    return dom.getJson("api/incidents/" + CONFIG.incident + "/field-sheet",
      { headers: { "Accept": "application/json" } });
  }
  var body = null;
  try { body = sessionStorage.getItem(STORAGE); } catch { /* private mode */ }
  if (!body) {
    return Promise.resolve({ ok: false, json: { error: { message:
      "No plan to print: open the field sheet from a plan on the map, or with ?incident=N. / " +
      "没有可打印的方案：请从地图上的方案打开，或使用 ?incident=N。" } } });
  }
  return dom.getJson("api/approach/field-sheet", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: body
  });
}

function legRows(tbody, legs, start) {
  legs.forEach(function (leg, i) {
    var tr = el("tr");
    tr.appendChild(el("td", "st-num", start + i));
    tr.appendChild(el("td", null, both(leg.mode_name)));
    tr.appendChild(el("td", "st-leg-way", both(leg.from) + " → " + both(leg.to)));
    tr.appendChild(el("td", "st-num", (leg.length_m / 1000).toFixed(1)));
    tr.appendChild(el("td", "st-num", Math.round(leg.ascent_m) + " / " + Math.round(leg.descent_m)));
    var time = el("td", "st-num", hmm(leg.duration_s));
    var r = leg.duration_range_s;
    if (r && Math.round(r.p90 / 60) > Math.round(r.p10 / 60)) {  // 80 % of teams take this long
      time.appendChild(el("div", "st-leg-range", hmm(r.p10) + "–" + hmm(r.p90)));
    }
    tr.appendChild(time);
    tbody.appendChild(tr);
  });
}

function coords(dl, sheet) {
  var t = sheet.targets[0];
  function row(label, value) {
    dl.appendChild(el("dt", null, label));
    dl.appendChild(el("dd", null, value));
  }
  row("Place / 位置", both(t.name));
  row("DD / 十进制度", t.dd);
  row("DMS / 度分秒", t.dms);
  row("UTM (" + t.utm.crs + ")", t.utm.text);
  row("km post / 里程", both(t.km_post.route) + " km " + t.km_post.km.toFixed(1) +
    (t.km_post.offset_m > 50 ? " (" + t.km_post.offset_m + " m off / 偏离)" : ""));
  if (t.elevation_m !== null) { row("Elevation / 海拔", t.elevation_m + " m"); }
  if (sheet.targets.length > 1) {
    var far = sheet.targets[sheet.targets.length - 1];
    row("Stretch end / 区段终点", both(far.name) + " · " + far.dd);
  }
  if (sheet.station) {
    row("Team / 队伍", both(sheet.station.name));
    row("ETA / 预计到达", hmm(sheet.eta_s));
    row("Sends / 可派", sheet.station.sends.map(function (s) { return s.en + " / " + s.zh; }).join(", "));
  }
}

function drawMap(sheet, routes) {
  var map = L.map("st-sheet-map", { zoomControl: false, attributionControl: false,
                                    fadeAnimation: false, zoomAnimation: false });
  if (routes) {  // the kora and the other routes, thin, for orientation
    L.geoJSON(routes, { style: function () { return { color: "#8a7f6e", weight: 1.5, opacity: 0.8 }; },
                        interactive: false }).addTo(map);
  }
  var group = L.featureGroup().addTo(map);
  function line(leg, colour, dash) {
    L.polyline(leg.geometry.map(function (xy) { return [xy[1], xy[0]]; }), {
      color: colour, weight: 4, opacity: 0.9, dashArray: dash
    }).addTo(group);
  }
  // the evacuation under the approach: where they share the way, the approach shows
  if (sheet.evacuation) {
    sheet.evacuation.legs.forEach(function (leg) { line(leg, COLOUR.evacuation, leg.mode === "foot" ? "6 5" : null); });
  }
  sheet.legs.forEach(function (leg) { line(leg, COLOUR[leg.mode] || COLOUR.foot, leg.mode === "foot" ? "2 6" : null); });
  function label(lat, lon, text, colour) {
    L.circleMarker([lat, lon], { radius: 5, color: colour, fillColor: colour, fillOpacity: 1 })
      .bindTooltip(text, { permanent: true, direction: "right", className: "st-sheet-label" })
      .addTo(group);
  }
  if (sheet.station) { label(sheet.station.lat, sheet.station.lon, sheet.station.name.en, "#2f2a24"); }
  sheet.targets.forEach(function (t, i) { if (i === 0) { label(t.lat, t.lon, "Target / 目标", "#b3261e"); } });
  if (sheet.evacuation) {
    var h = sheet.evacuation.handover;
    label(h.lat, h.lon, "Handover / 交接", COLOUR.evacuation);
  }
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  map.fitBounds(group.getBounds(), { padding: [18, 18], maxZoom: 15 });
}

// the elevation profiles of the approach and the evacuation (profile.js), small, both languages
function profiles(sheet) {
  var draw = elevation;
  function put(selector, legs, passes) {
    var box = $(selector);
    box.querySelectorAll("svg, .st-profile-source").forEach(function (old) { old.remove(); });
    var chart = legs.length ? draw.draw(legs, { passes: passes, width: 340, height: 84, bilingual: "both",
      colours: { vehicle: COLOUR.vehicle, foot: COLOUR.foot } }) : null;
    box.hidden = !chart;
    if (chart) {
      box.appendChild(chart);
      var caption = box.querySelector("figcaption") || box;
      caption.appendChild(draw.sourceNote(legs, sheet.elevation_model, true));  // DEM or route data
    }
    return !!chart;
  }
  function both(passes) {
    var a = put(".st-sheet-profile-approach", sheet.legs, passes);
    var b = put(".st-sheet-profile-evac", sheet.evacuation ? sheet.evacuation.legs : [], passes);
    $(".st-sheet-profiles").hidden = !(a || b);
  }
  both([]);
  return draw.passes().then(both);
}

function render(sheet) {
  document.title = sheet.title + " · field sheet / 现场单";
  $(".st-sheet-title").textContent = sheet.title;
  var made = sheet.generated_at ? new Date(sheet.generated_at).toLocaleString("en-GB", { timeZone: vocab.localTz }) : "";
  $(".st-sheet-meta").textContent = "Printed / 打印于 " + made + " (Beijing time / 北京时间)";
  var reason = $(".st-sheet-reason");
  reason.textContent = sheet.reason ? sheet.reason.en + (sheet.reason.zh ? " / " + sheet.reason.zh : "") : "";
  coords($(".st-sheet-coords"), sheet);
  legRows($(".st-sheet-legs tbody"), sheet.legs, 1);
  var evac = sheet.evacuation;
  var summary = $(".st-sheet-evac-summary");
  if (evac) {
    summary.textContent = "Carry " + hmm(evac.carry_s) + " to " + evac.handover.en + ", drive " +
      hmm(evac.vehicle_s) + " to " + (evac.destination ? evac.destination.name.en : "") + " (total " +
      hmm(evac.total_s) + ") / 抬运 " + hmm(evac.carry_s) + " 至 " + (evac.handover.zh || evac.handover.en) +
      "，驾车 " + hmm(evac.vehicle_s) + " 至 " + (evac.destination ? evac.destination.name.zh || evac.destination.name.en : "") +
      "（共 " + hmm(evac.total_s) + "）";
    legRows($(".st-sheet-evac-legs tbody"), evac.legs, 1);
  } else {
    summary.textContent = "No evacuation route to the clinic / 无通往诊所的后送路线";
    $(".st-sheet-evac-legs").hidden = true;
  }
  var list = $(".st-sheet-contacts");
  sheet.contacts.forEach(function (c) {
    var item = el("li");
    item.appendChild(el("strong", null, both(c.name)));
    item.appendChild(document.createTextNode(": " + (c.contacts || "no contact recorded / 未登记联系方式")));
    list.appendChild(item);
  });
  $(".st-sheet").hidden = false;
  var named = profiles(sheet);  // the passes named before the sheet is ready to print
  function done(routes) {
    drawMap(sheet, routes);
    status("Ready to print / 可打印");
    document.body.setAttribute("data-sheet-ready", "true");
  }
  var routes = dom.getJson("api/routes", { headers: { "Accept": "application/geo+json" } })
    .then(function (answer) { return answer.ok ? answer.json : null; }, function () { return null; });
  // ready to print once the map's lines, the passes and the web fonts (Chinese) are in
  var fonts = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
  Promise.all([routes, named]).then(function (got) {
    return fonts.then(function () { done(got[0]); }, function () { done(got[0]); });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  $(".st-sheet-print").addEventListener("click", function () { window.print(); });
  load().then(function (answer) {
    if (answer.ok && answer.json) { render(answer.json); return; }
    var error = answer.json && answer.json.error;
    status(error && error.message ? error.message : "HTTP " + answer.status, true);
  }).catch(function () { status("Cannot reach the Sandtable server. / 无法连接沙盘服务器。", true); });
});
