/* The dispatch page (GET /incidents): from the call to the dispatch, and the open incidents.
 *
 * Left, the call taker's flow, one step after another:
 *   1. type what the caller says, Ctrl+Enter: POST /api/incidents (with an idempotency key
 *      made once per call, so a double submit or a retry records one incident), then
 *      POST /api/locate with the description: ranked candidates;
 *   2. pick one (click, or keys 1-9): PATCH location, then the transition to "located";
 *   3. Plan (P): POST /api/approach with the chosen candidate: stations by ETA;
 *   4. pick a station (click, or 1-9), Dispatch (D): PATCH plan (without its alternatives)
 *      and team, then the transition to "dispatched" (officers; call takers save the plan).
 * Right, the open incidents (GET /api/incidents?status=open, most urgent first), reloaded every few seconds
 * and after each action, with the time since the call against the dispatch target and,
 * once dispatched, the time against the plan's ETA; a selected incident shows its
 * descriptions, timeline and edits, and the status changes its user may make.
 * Middle, a Leaflet map: the trails (GET /api/segments), each open incident's location
 * and its planned legs coloured by mode, the selected one highlighted.
 *
 * Teams and posts (teams.js): their status under the list and beside each station of the
 * plan; dispatching a busy one asks first, and a dispatch commits the team to the incident.
 * /incidents?incident=N continues the call with incident N (recorded on the map page).
 *
 * A 409 reloads the incident and says so; every other error is shown with its message.
 * Everything the server sent is put in the page with textContent, never as HTML.
 */
import * as dom from "./dom.js";
import * as teams from "./teams.js";

var CONFIG = dom.pageData("st-config-incidents");
var REFRESH_MS = Math.max(2, CONFIG.refresh_s || 10) * 1000;
var DISPATCH_TARGET_S = CONFIG.dispatch_target_s || 300;
var ON_SCENE_ALLOWANCE_S = CONFIG.on_scene_allowance_s || 0;
var CAN_DISPATCH = CONFIG.role !== "call_taker";
var MODE_COLOURS = { foot: "#b3261e", vehicle: "#1f5f8b" };
// station names are written on the map from this zoom on
var STATION_LABEL_ZOOM = 12;
var TERMS = {
  status: {
    received: ["received", "已接警"], located: ["located", "已定位"], dispatched: ["dispatched", "已派出"],
    en_route: ["en route", "途中"], on_scene: ["on scene", "已到场"], resolved: ["resolved", "已处置"],
    followed_up: ["followed up", "已回访"]
  },
  outcome: {
    rescued: ["rescued", "已救出"], not_found: ["not found", "未找到"],
    false_alarm: ["false alarm", "误报"], handed_over: ["handed over", "已移交"]
  },
  priority: { low: ["low", "低"], normal: ["normal", "普通"], high: ["high", "高"], critical: ["critical", "危急"] },
  cause: {
    altitude_sickness: ["altitude sickness", "高原反应"], injury: ["injury", "受伤"],
    exhaustion: ["exhaustion", "体力不支"], illness: ["illness", "疾病"], lost: ["lost", "迷路"],
    weather: ["weather", "天气"], vehicle: ["vehicle", "车辆"], other: ["other", "其他"]
  },
  language: { zh: ["Chinese", "中文"], en: ["English", "英语"], bo: ["Tibetan", "藏语"], mixed: ["mixed", "混合"] },
  mode: { foot: ["on foot", "步行"], vehicle: ["by vehicle", "车辆"] },
  field: {
    language: ["language", "语言"], caller_name: ["caller name", "呼救者姓名"], caller_phone: ["phone", "电话"],
    party_size: ["party size", "人数"], condition: ["condition", "伤病情况"], cause: ["cause", "原因"],
    priority: ["priority", "优先级"], location: ["location", "位置"], plan: ["plan", "方案"],
    team: ["team", "救援队"], notes: ["notes", "备注"]
  }
};

var el = dom.el;
var bi = dom.bi;
// a plan's station in both languages (the approach answer has station_name_zh)
function stationName(plan) {
  var en = plan.station_name || plan.station_id;
  return { en: en, zh: plan.station_name_zh || en };
}
var getJson = dom.getJson;

// the call in progress on the left
var call = {
  key: null,          // idempotency key of this call (kept for retries until "New call")
  busy: false,        // a request of the flow is under way
  incident: null,     // the incident as last answered by the server
  candidates: [],     // locate answer
  candidate: null,    // the one picked
  plans: [],          // approach answer, reachable first, by ETA
  request: null,      // the approach request the plans answer
  fetching: null,     // the lines of a plan picked, on their way (a promise)
  plan: null,         // the one picked
  stage: "describe"   // describe | candidates | plans | done
};
var incidents = [];   // the open incidents, newest first
var selectedId = null;
var detailNotice = null;  // {id, en, zh, text}: an error to show on the selected incident
var map = null;
var layers = {};      // trails, incidents, call
var markers = {};     // incident id -> {marker, legs}
var ready = { list: false, map: false };

// --- small helpers ------------------------------------------------------------------------
function $(selector, root) { return (root || document).querySelector(selector); }

var clear = dom.clear;
var icon = dom.icon;
var button = dom.button;  // (className, en, zh, iconName)

function kbd(text) { return el("kbd", null, text); }

function term(group, key) {
  var pair = (TERMS[group] || {})[key];
  return pair ? bi(pair[0], pair[1]) : document.createTextNode(key === null || key === undefined ? "—" : String(key));
}

function send(method, url, body) {
  var options = { method: method };
  if (body !== undefined) {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify(body);
  }
  return getJson(url, options).catch(function () {
    return { status: 0, ok: false, json: null };  // offline, or the server went away
  });
}

function errorOf(result) {
  var error = (result.json && result.json.error) || {};
  return {
    status: result.status,
    message: error.message || (result.status ? "HTTP " + result.status : "no answer from the server / 服务器无响应"),
    details: error.details || []
  };
}

function newKey() {
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return "call-" + Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
}

function secondsSince(iso) {
  if (!iso) { return null; }
  return Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
}

function clock(seconds) {
  if (seconds === null || seconds === undefined) { return "—"; }
  var s = Math.max(0, Math.round(seconds));
  var h = Math.floor(s / 3600);
  var m = Math.floor((s % 3600) / 60);
  var r = s % 60;
  var mm = (h && m < 10 ? "0" : "") + m;
  return (h ? h + ":" + mm : String(m)) + ":" + (r < 10 ? "0" : "") + r;
}

function minutes(seconds) {
  if (seconds === null || seconds === undefined) { return bi("—", "—"); }
  var m = Math.round(seconds / 60);
  if (m < 60) { return bi(m + " min", m + " 分钟"); }
  var h = Math.floor(m / 60);
  var rest = m % 60;
  return bi(h + " h " + rest + " min", h + " 小时 " + rest + " 分");
}

function timeOf(iso) {
  if (!iso) { return "—"; }
  var d = new Date(iso);
  return isNaN(d.getTime()) ? String(iso) : d.toLocaleString(dom.language() === "zh" ? "zh-CN" : "en-GB");
}

function candidateName(c) {
  if (c.gps) {
    return dom.language() === "zh" ? "手机 GPS 定位（±" + Math.round(c.accuracy_m) + " 米）"
      : "Phone GPS fix (±" + Math.round(c.accuracy_m) + " m)";
  }
  var n = c.name || {};
  return dom.language() === "zh" ? (n.zh || n.en || c.segment_id) : (n.en || n.zh || c.segment_id);
}

// --- find-me fixes -------------------------------------------------------------------------
// the GPS fixes the caller's phone sent through find-me links, oldest first
function fixesOf(incident) {
  return ((incident && incident.find_me) || []).filter(function (l) { return l.fix; })
    .map(function (l) { return l.fix; });
}

// the newest fix as a place to pick, first among the locate candidates
function gpsCandidate(incident) {
  var fixes = fixesOf(incident);
  if (!fixes.length) { return null; }
  var f = fixes[fixes.length - 1];
  return { gps: true, lon: f.lon, lat: f.lat, accuracy_m: f.accuracy_m, received_at: f.received_at, probability: null };
}

// the candidates with the incident's newest fix on top (once)
function withFix(candidates, incident) {
  var gps = gpsCandidate(incident);
  var rest = candidates.filter(function (c) { return !c.gps; });
  return gps ? [gps].concat(rest) : rest;
}

// "Find-me link": POST, then the link to send (SMS, WeChat), its QR code and a copy button
function findMe(incident, box, trigger) {
  trigger.disabled = true;
  clear(box);
  box.appendChild(bi("Making the link …", "正在生成链接 …"));
  box.hidden = false;
  send("POST", "api/incidents/" + incident.incident_id + "/find-me").then(function (result) {
    trigger.disabled = false;
    clear(box);
    if (!result.ok) {
      box.appendChild(bi("No link could be made: ", "无法生成链接："));
      box.appendChild(document.createTextNode(errorOf(result).message));
      return;
    }
    var link = result.json.link;
    box.setAttribute("data-link-id", String(link.link_id));
    var head = el("div", "st-inc-findme-state");
    head.appendChild(bi("Send this to the caller by SMS or WeChat, or let them scan the code. One use, until " + timeOf(link.expires_at) + ".",
      "通过短信或微信发给呼救者，或让其扫码。仅限一次，有效至 " + timeOf(link.expires_at) + "。"));
    box.appendChild(head);
    var img = el("img", "st-inc-findme-qr");
    img.alt = "QR code of the find-me link / 定位链接二维码";
    img.src = link.qr_svg;
    box.appendChild(img);
    box.appendChild(el("div", "st-inc-findme-url", link.url));
    var text = el("textarea", "st-inc-findme-text");
    text.readOnly = true;
    text.rows = 4;
    text.value = link.text.zh + "\n" + link.text.en;
    text.setAttribute("aria-label", "Message to send / 发送内容");
    box.appendChild(text);
    var copy = button("st-inc-findme-copy", "Copy the message", "复制短信内容", "copy");
    copy.addEventListener("click", function () {
      text.focus();
      text.select();
      var done = function () { copy.classList.add("st-copied"); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
    box.appendChild(copy);
  });
}

function typing(target) {
  var tag = (target && target.tagName) || "";
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
}

// --- messages -------------------------------------------------------------------------------
// kind: "info" | "ok" | "error"; en/zh frame the message; error adds the server's words
function message(en, zh, kind, error) {
  var box = $(".st-inc-message");
  clear(box);
  box.className = "st-inc-message st-inc-message-" + (kind || "info");
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.appendChild(bi(en, zh));
  if (error) {
    box.appendChild(el("div", "st-inc-error-text", error.message));
    if (error.details.length > 1) {
      var list = el("ul", "st-inc-error-details");
      error.details.forEach(function (d) { list.appendChild(el("li", null, String(d))); });
      box.appendChild(list);
    }
  }
  box.hidden = false;
}

// a failed request of the flow: 409 reloads the incident and says so
function failed(en, zh, result) {
  var error = errorOf(result);
  if (result.status === 409 && call.incident) {
    var id = call.incident.incident_id;
    // said once the reload is in: the next key press works on the current version
    setBusy(true);
    message("Someone else changed incident #" + id + " meanwhile: reloading …", "事件 #" + id + " 已被他人修改，正在重新加载 …", "error", error);
    reloadCallIncident().then(function () {
      setBusy(false);
      message("Someone else changed incident #" + id + " meanwhile: it was reloaded, check it and try again.",
        "事件 #" + id + " 已被他人修改，已重新加载，请核对后重试。", "error", error);
    });
  } else {
    message(en, zh, "error", error);
  }
  return null;
}

function reloadCallIncident() {
  if (!call.incident) { return Promise.resolve(); }
  return send("GET", "api/incidents/" + call.incident.incident_id).then(function (result) {
    if (result.ok) { call.incident = result.json.incident; showCurrent(); }
    return refreshList();
  });
}

// --- language -----------------------------------------------------------------------------------
function placeholders() {
  var lang = dom.language();
  document.querySelectorAll("[data-placeholder-en]").forEach(function (input) {
    input.setAttribute("placeholder", input.getAttribute("data-placeholder-" + lang) || "");
  });
}

function initLanguage() {
  document.addEventListener("sandtable:language", function () {
    placeholders();
    // names and times follow the language too
    renderCandidates();
    renderList();
    renderDetail();
  });
  dom.startLanguage();
}

// --- step 1: record the call and locate ----------------------------------------------------
function formBody() {
  var form = $(".st-inc-form");
  var body = {
    description: form.description.value,
    language: form.language.value,
    priority: form.priority.value,
    idempotency_key: call.key
  };
  var name = form.caller_name.value.trim();
  var phone = form.caller_phone.value.trim();
  var party = form.party_size.value.trim();
  var condition = form.condition.value.trim();
  if (name) { body.caller_name = name; }
  if (phone) { body.caller_phone = phone; }
  if (party) { body.party_size = Number(party); }
  if (condition) { body.condition = condition; }
  if (form.cause.value) { body.cause = form.cause.value; }
  return body;
}

function submitCall() {
  if (call.busy) { return; }
  var text = $(".st-inc-description").value.trim();
  if (!text) {
    message("Type what the caller says first.", "请先输入呼救者所述。", "error");
    $(".st-inc-description").focus();
    return;
  }
  if (call.incident) { locate(); return; }  // recorded already: locate again
  if (!call.key) { call.key = newKey(); }
  setBusy(true);
  message("Recording the call …", "正在登记 …", "info");
  send("POST", "api/incidents", formBody()).then(function (result) {
    if (!result.ok) {
      setBusy(false);
      return failed("The call could not be recorded.", "无法登记此呼救。", result);
    }
    call.incident = result.json.incident;
    lockForm(true);
    showCurrent();
    refreshList();
    setBusy(false);
    return locate();
  });
}

function lockForm(locked) {
  var form = $(".st-inc-form");
  ["description", "language", "priority", "caller_name", "caller_phone", "party_size", "cause", "condition"].forEach(function (name) {
    form[name].readOnly = locked;
    if (form[name].tagName === "SELECT") { form[name].disabled = locked; }
  });
}

function showCurrent() {
  var badge = $(".st-inc-current");
  clear(badge);
  var findStep = $(".st-inc-findme-step");
  findStep.hidden = !call.incident || !call.incident.open;
  if (!call.incident) { $(".st-inc-findme-box").hidden = true; badge.hidden = true; return; }
  badge.appendChild(document.createTextNode("#" + call.incident.incident_id + " · "));
  badge.appendChild(term("status", call.incident.status));
  badge.hidden = false;
}

function locate() {
  if (call.busy || !call.incident) { return Promise.resolve(); }
  setBusy(true);
  message("Locating …", "正在定位 …", "info");
  var texts = (call.incident.descriptions || []).map(function (d) { return d.text; });
  var text = texts.length ? texts.join("\n") : $(".st-inc-description").value;
  return send("POST", "api/locate", { text: text }).then(function (result) {
    setBusy(false);
    if (!result.ok) { return failed("Locating failed.", "定位失败。", result); }
    call.candidates = withFix(result.json.candidates || [], call.incident);
    call.candidate = null;
    call.plans = [];
    call.plan = null;
    call.stage = "candidates";
    renderCandidates();
    renderPlans();
    drawCall();
    var step = $(".st-inc-candidates-step");
    step.hidden = false;
    step.focus();
    if (call.candidates.length && call.candidates[0].gps) {
      message("Incident #" + call.incident.incident_id + ": the caller's phone sent its position; it is place 1. Pick where the caller is (1–9).",
        "事件 #" + call.incident.incident_id + "：呼救者手机已发送位置，列为第 1 项。请选择呼救者位置（1–9）。", "ok");
    } else if (call.candidates.length) {
      message("Incident #" + call.incident.incident_id + " recorded. Pick where the caller is (1–9).",
        "事件 #" + call.incident.incident_id + " 已登记。请选择呼救者位置（1–9）。", "ok");
    } else {
      message("Incident #" + call.incident.incident_id + " recorded, but no place was recognised: ask for a landmark.",
        "事件 #" + call.incident.incident_id + " 已登记，但未识别出地点：请询问附近地标。", "info");
    }
  });
}

function renderCandidates() {
  var list = $(".st-inc-candidates");
  if (!list) { return; }
  clear(list);
  call.candidates.forEach(function (c, i) {
    var item = el("li", "st-inc-candidate");
    item.setAttribute("data-index", String(i));
    if (call.candidate === c) { item.classList.add("st-inc-chosen"); item.setAttribute("aria-current", "true"); }
    var b = el("button", "st-inc-pick");
    b.type = "button";
    if (i < 9) { b.appendChild(kbd(String(i + 1))); }
    b.appendChild(el("span", "st-inc-pick-name", candidateName(c)));
    var sub = c.gps
      ? el("span", "st-inc-pick-sub", c.lat.toFixed(5) + ", " + c.lon.toFixed(5) + " · " + timeOf(c.received_at))
      : el("span", "st-inc-pick-sub",
        Math.round((c.probability || 0) * 100) + " %" +
        (c.km_range ? " · km " + c.km_range[0].toFixed(1) + "–" + c.km_range[1].toFixed(1) : ""));
    if (c.gps) { item.classList.add("st-inc-candidate-gps"); }
    b.appendChild(sub);
    if (c.evidence && c.evidence.length) {
      b.appendChild(el("span", "st-inc-pick-evidence", c.evidence.join(" · ")));
    }
    b.addEventListener("click", function () { pickCandidate(i); });
    item.appendChild(b);
    list.appendChild(item);
  });
  $(".st-inc-plan").disabled = !call.candidate;
}

// --- step 2: pick the location ----------------------------------------------------------------
function pickCandidate(i) {
  var c = call.candidates[i];
  if (!c || call.busy || !call.incident) { return; }
  var status = call.incident.status;
  if (status !== "received" && status !== "located") {
    message("Incident #" + call.incident.incident_id + " is " + status + ": its location is no longer changed here.",
      "事件 #" + call.incident.incident_id + " 已进入后续状态，此处不再修改位置。", "error");
    return;
  }
  var n = c.name || {};
  var name = n.en && n.zh ? n.en + " / " + n.zh : (n.en || n.zh || c.segment_id);
  // a GPS fix (or a point) is a point placed by hand: lon and lat only
  var location = c.gps ? { lon: c.lon, lat: c.lat }
    : { segment_id: c.segment_id, name: name.slice(0, 200), lon: c.lon, lat: c.lat };
  if (c.km_range && !c.gps) { location.km_range = c.km_range; }
  setBusy(true);
  send("PATCH", "api/incidents/" + call.incident.incident_id, {
    base_version: call.incident.version, location: location
  }).then(function (result) {
    if (!result.ok) { setBusy(false); return failed("The location could not be saved.", "无法保存位置。", result); }
    call.incident = result.json.incident;
    if (call.incident.status !== "received") { return result; }
    return send("POST", "api/incidents/" + call.incident.incident_id + "/transitions", {
      to: "located", base_version: call.incident.version
    });
  }).then(function (result) {
    if (!result) { return; }
    setBusy(false);
    if (!result.ok) { return failed("The incident could not be marked located.", "无法将事件标记为已定位。", result); }
    call.incident = result.json.incident;
    call.candidate = c;
    call.plans = [];
    call.plan = null;
    showCurrent();
    renderCandidates();
    renderPlans();
    drawCall();
    refreshList();
    message("Located: " + candidateName(c) + ". Press P to plan.", "已定位：" + candidateName(c) + "。按 P 规划救援。", "ok");
    $(".st-inc-candidates-step").focus();
  });
}

// --- step 3: plan --------------------------------------------------------------------------------
function plan() {
  if (call.busy || !call.candidate || pastDispatch()) { return; }
  setBusy(true);
  message("Planning from every station …", "正在计算各站点方案 …", "info");
  // the recommended plan's lines only (the API's default): another plan's are asked for when
  // it is picked (fetchLines), so that a 3G link carries a tenth of the bytes
  var request = { target: call.candidate.gps ? { lon: call.candidate.lon, lat: call.candidate.lat }
    : { candidates: [call.candidate] } };
  // the incident's cause and condition: the recommendation serves what it needs
  if (call.incident && call.incident.cause) { request.cause = call.incident.cause; }
  if (call.incident && call.incident.condition) { request.condition = call.incident.condition; }
  call.request = request;
  send("POST", "api/approach", request).then(function (result) {
    setBusy(false);
    if (!result.ok) { return failed("No plan could be made.", "无法生成救援方案。", result); }
    var plans = (result.json.plans || []).slice();
    plans.sort(function (a, b) {
      if (a.reachable !== b.reachable) { return a.reachable ? -1 : 1; }
      return (a.eta_s === null ? Infinity : a.eta_s) - (b.eta_s === null ? Infinity : b.eta_s);
    });
    call.plans = plans;
    call.plan = null;
    call.stage = "plans";
    renderPlans();
    drawCall();
    var step = $(".st-inc-plans-step");
    step.hidden = false;
    step.focus();
    message("Pick a station (1–9), then D to dispatch.", "请选择站点（1–9），然后按 D 派出。", "ok");
  });
}

function renderPlans() {
  var list = $(".st-inc-plans");
  clear(list);
  $(".st-inc-plans-step").hidden = !call.plans.length;
  call.plans.forEach(function (p, i) {
    var item = el("li", "st-inc-station" + (p.reachable ? "" : " st-inc-unreachable"));
    item.setAttribute("data-station-id", p.station_id);
    if (call.plan === p) { item.classList.add("st-inc-chosen"); item.setAttribute("aria-current", "true"); }
    var b = el("button", "st-inc-pick");
    b.type = "button";
    b.disabled = !p.reachable;
    if (i < 9) { b.appendChild(kbd(String(i + 1))); }
    b.appendChild(el("span", "st-inc-pick-name")).appendChild(bi(stationName(p).en, stationName(p).zh));
    var sub = el("span", "st-inc-pick-sub");
    if (p.reachable) {
      sub.appendChild(bi("ETA ", "预计 "));
      sub.appendChild(minutes(p.eta_s));
      var modes = {};
      (p.legs || []).forEach(function (leg) { modes[leg.mode] = (modes[leg.mode] || 0) + (leg.length_m || 0); });
      Object.keys(modes).forEach(function (mode) {
        sub.appendChild(document.createTextNode(" · "));
        sub.appendChild(term("mode", mode));
        sub.appendChild(document.createTextNode(" " + (modes[mode] / 1000).toFixed(1) + " km"));
      });
    } else {
      sub.appendChild(bi("cannot reach", "无法到达"));
    }
    if (p.meets_need === false) {
      var lack = el("span", "st-inc-lacks");
      lack.appendChild(bi(" · lacks " + p.missing.map(function (m) { return m.en; }).join(", "),
        " · 缺" + p.missing.map(function (m) { return m.zh; }).join("、")));
      sub.appendChild(lack);
    }
    var busy = teams.badge(p.station_id);
    if (busy) { sub.appendChild(document.createTextNode(" ")); sub.appendChild(busy); }
    b.appendChild(sub);
    b.addEventListener("click", function () { pickPlan(i); });
    item.appendChild(b);
    list.appendChild(item);
  });
  $(".st-inc-dispatch").disabled = !call.plan;
  $(".st-inc-dispatch-hint").hidden = CAN_DISPATCH;
}

function pickPlan(i) {
  var p = call.plans[i];
  if (!p || !p.reachable || call.busy) { return; }
  if (p.legs.some(function (leg) { return !leg.geometry; })) { fetchLines(p); return; }
  choosePlan(p);
}

// the lines of a plan picked that came without them (not the recommended one): the plan is
// drawn and saved with the incident with its lines. A dispatch asked for meanwhile waits
// for them (call.fetching).
function fetchLines(p) {
  var plans = call.plans;
  var request = Object.assign({}, call.request, { stations: [p.station_id], geometry: "all" });
  setBusy(true);
  var fetching = call.fetching = send("POST", "api/approach", request).then(function (result) {
    if (call.fetching === fetching) { call.fetching = null; }
    setBusy(false);
    if (call.plans !== plans) { return; }  // another call or plan since
    var full = result.ok && result.json && result.json.plans[0];
    if (!full) { return failed("No plan could be made.", "无法生成救援方案。", result); }
    p.legs = full.legs;
    p.alternatives = full.alternatives;
    choosePlan(p);
  });
}

function choosePlan(p) {
  call.plan = p;
  renderPlans();
  drawCall();
  message(stationName(p).en + " chosen. Press D to dispatch.",
    "已选择 " + stationName(p).zh + "。按 D 派出。", "ok");
  $(".st-inc-plans-step").focus();
}

// --- step 4: dispatch ---------------------------------------------------------------------------
function chosenPlan() {
  var out = {};
  Object.keys(call.plan).forEach(function (k) { if (k !== "alternatives") { out[k] = call.plan[k]; } });
  return out;
}

// the call panel's incident has left the call taker's steps (dispatched or later)
function pastDispatch() {
  var status = call.incident && call.incident.status;
  if (!status || status === "received" || status === "located") { return false; }
  message("Incident #" + call.incident.incident_id + " is dispatched already: N for a new call.",
    "事件 #" + call.incident.incident_id + " 已派出：按 N 登记新呼救。", "info");
  return true;
}

function dispatch() {
  if (call.fetching) { call.fetching.then(dispatch); return; }  // the picked plan's lines first
  if (call.busy || !call.plan || !call.incident || pastDispatch()) { return; }
  var id = call.incident.incident_id;
  var confirmed = false;
  if (CAN_DISPATCH && teams) {
    var team = teams.get(call.plan.station_id);
    if (!teams.check(call.plan.station_id, id)) {
      message("Not dispatched: the team is busy.", "未派出：该队伍正忙。", "info");
      return;
    }
    confirmed = !!team && team.status !== "available";
  }
  setBusy(true);
  send("PATCH", "api/incidents/" + id, {
    base_version: call.incident.version,
    plan: chosenPlan(),
    team: String(call.plan.station_name || call.plan.station_id).slice(0, 500)
  }).then(function (result) {
    if (!result.ok) { setBusy(false); return failed("The plan could not be saved.", "无法保存方案。", result); }
    call.incident = result.json.incident;
    if (!CAN_DISPATCH) { return "saved"; }
    if (call.incident.status === "received") {
      return send("POST", "api/incidents/" + id + "/transitions", { to: "located", base_version: call.incident.version })
        .then(function (located) {
          if (!located.ok) { return located; }
          call.incident = located.json.incident;
          return send("POST", "api/incidents/" + id + "/transitions", { to: "dispatched", base_version: call.incident.version });
        });
    }
    return send("POST", "api/incidents/" + id + "/transitions", { to: "dispatched", base_version: call.incident.version });
  }).then(function (result) {
    if (!result) { return; }
    setBusy(false);
    if (result === "saved") {
      message("Plan saved on incident #" + id + ": an officer dispatches it.", "方案已保存到事件 #" + id + "，由值班警官派出。", "ok");
    } else if (!result.ok) {
      return failed("The incident could not be dispatched.", "无法派出。", result);
    } else {
      call.incident = result.json.incident;
      call.stage = "done";
      if (teams) { teams.commit(call.plan.station_id, id, confirmed); }
      message("Incident #" + id + " dispatched: " + stationName(call.plan).en + ". N for a new call.",
        "事件 #" + id + " 已派出：" + stationName(call.plan).zh + "。按 N 登记新呼救。", "ok");
    }
    showCurrent();
    selectedId = id;
    refreshList();
  });
}

// --- a new call -------------------------------------------------------------------------------------
function newCall() {
  if (call.busy) { return; }
  call.key = null;
  call.incident = null;
  call.candidates = [];
  call.candidate = null;
  call.plans = [];
  call.plan = null;
  call.stage = "describe";
  var form = $(".st-inc-form");
  lockForm(false);
  form.reset();
  showCurrent();
  renderCandidates();
  renderPlans();
  $(".st-inc-candidates-step").hidden = true;
  $(".st-inc-message").hidden = true;
  clear($(".st-inc-findme-box"));
  $(".st-inc-findme-box").hidden = true;
  drawCall();
  $(".st-inc-description").focus();
}

// continue the flow on an incident of the list (e.g. one a call taker located)
function continueWith(incident) {
  if (call.busy) { return; }
  newCall();
  call.incident = incident;
  call.key = incident.idempotency_key || null;
  var form = $(".st-inc-form");
  form.description.value = incident.description || "";
  form.language.value = incident.language || "zh";
  form.priority.value = incident.priority || "normal";
  form.caller_name.value = incident.caller_name || "";
  form.caller_phone.value = incident.caller_phone || "";
  form.party_size.value = incident.party_size || "";
  form.condition.value = incident.condition || "";
  form.cause.value = incident.cause || "";
  lockForm(true);
  showCurrent();
  var loc = incident.location;
  if (loc && !loc.segment_id && typeof loc.lat === "number") {
    // a point (a GPS fix, or placed by hand): planned as that point
    var fixes = fixesOf(incident);
    var last = fixes[fixes.length - 1];
    call.candidate = { gps: true, lon: loc.lon, lat: loc.lat, probability: null,
      accuracy_m: last && last.lon === loc.lon && last.lat === loc.lat ? last.accuracy_m : 0,
      received_at: last ? last.received_at : incident.updated_at };
    call.candidates = withFix([call.candidate], incident);
    if (call.candidates[0] !== call.candidate && call.candidates[0].lon === loc.lon && call.candidates[0].lat === loc.lat) {
      call.candidate = call.candidates[0];
      call.candidates = [call.candidate];
    }
    call.stage = "candidates";
    renderCandidates();
    $(".st-inc-candidates-step").hidden = false;
    $(".st-inc-candidates-step").focus();
    message("Incident #" + incident.incident_id + " loaded: P to plan, or Ctrl+Enter to locate again.",
      "已载入事件 #" + incident.incident_id + "：按 P 规划，或 Ctrl+Enter 重新定位。", "info");
  } else if (loc && loc.segment_id) {
    var names = String(loc.name || loc.segment_id).split(" / ");
    call.candidate = {
      segment_id: loc.segment_id, lon: loc.lon, lat: loc.lat, probability: 1,
      km_range: loc.km_range || null, name: { en: names[0], zh: names[1] || names[0] }
    };
    call.candidates = [call.candidate];
    call.stage = "candidates";
    renderCandidates();
    $(".st-inc-candidates-step").hidden = false;
    $(".st-inc-candidates-step").focus();
    message("Incident #" + incident.incident_id + " loaded: P to plan, or Ctrl+Enter to locate again.",
      "已载入事件 #" + incident.incident_id + "：按 P 规划，或 Ctrl+Enter 重新定位。", "info");
  } else {
    locate();
  }
  drawCall();
}

function setBusy(busy) {
  call.busy = busy;
  document.body.classList.toggle("st-inc-busy", busy);
  $(".st-inc-create").disabled = busy;
}

// --- keyboard ------------------------------------------------------------------------------------------
function initKeys() {
  var form = $(".st-inc-form");
  form.addEventListener("submit", function (e) { e.preventDefault(); submitCall(); });
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submitCall(); }
  });
  $(".st-inc-new").addEventListener("click", newCall);
  $(".st-inc-plan").addEventListener("click", plan);
  $(".st-inc-dispatch").addEventListener("click", dispatch);
  $(".st-inc-findme").addEventListener("click", function () {
    if (call.incident) { findMe(call.incident, $(".st-inc-findme-box"), $(".st-inc-findme")); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && typing(e.target)) { e.target.blur(); return; }  // then shortcuts work
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    var key = e.key;
    if (/^[1-9]$/.test(key)) {
      var i = Number(key) - 1;
      if (call.stage === "plans") { pickPlan(i); } else if (call.stage === "candidates") { pickCandidate(i); } else { return; }
    } else if (key === "p" || key === "P") {
      plan();
    } else if (key === "d" || key === "D") {
      dispatch();
    } else if (key === "n" || key === "N") {
      newCall();
    } else if (key === "r" || key === "R") {
      refreshList();
    } else {
      return;
    }
    e.preventDefault();
  });
}

// --- the live list -----------------------------------------------------------------------------------
// the dispatch and on-scene checks of an incident: [{kind, late, en, zh, text}]
function targets(incident) {
  var out = [];
  if (isNaN(Date.parse(incident.received_at))) { return out; }
  if (incident.dispatch_s !== null && incident.dispatch_s !== undefined) {
    out.push({
      kind: "dispatch", late: incident.dispatch_s > DISPATCH_TARGET_S,
      en: "dispatched in " + clock(incident.dispatch_s), zh: clock(incident.dispatch_s) + " 内派出"
    });
  } else {
    var waited = secondsSince(incident.received_at);
    var left = DISPATCH_TARGET_S - waited;
    out.push(left >= 0
      ? { kind: "dispatch", late: false, en: "dispatch within " + clock(left), zh: "剩余 " + clock(left) + " 派出" }
      : { kind: "dispatch", late: true, en: "dispatch overdue by " + clock(-left), zh: "派出已超时 " + clock(-left) });
  }
  var eta = incident.plan && typeof incident.plan.eta_s === "number" ? incident.plan.eta_s : null;
  if (incident.dispatched_at && eta !== null) {
    var due = Date.parse(incident.dispatched_at) + (eta + ON_SCENE_ALLOWANCE_S) * 1000;
    if (incident.on_scene_at) {
      var lateBy = Math.round((Date.parse(incident.on_scene_at) - due) / 1000);
      out.push({
        kind: "scene", late: lateBy > 0,
        en: "on scene after " + clock(incident.on_scene_s) + (lateBy > 0 ? ", late by " + clock(lateBy) : ", in time"),
        zh: clock(incident.on_scene_s) + " 后到场" + (lateBy > 0 ? "，超时 " + clock(lateBy) : "，按时")
      });
    } else {
      var rest = Math.round((due - Date.now()) / 1000);
      out.push(rest >= 0
        ? { kind: "scene", late: false, en: "on scene due in " + clock(rest), zh: "预计 " + clock(rest) + " 内到场" }
        : { kind: "scene", late: true, en: "on scene overdue by " + clock(-rest), zh: "到场已超时 " + clock(-rest) });
    }
  }
  return out;
}

function targetBadge(t) {
  var span = el("span", "st-inc-target " + (t.late ? "st-inc-late" : "st-inc-ok"));
  span.setAttribute("data-target", t.kind);
  span.appendChild(icon(t.late ? "triangle-exclamation" : "circle-check"));
  span.appendChild(document.createTextNode(" "));
  span.appendChild(el("strong", null, null)).appendChild(bi(t.late ? "OVERDUE" : "OK", t.late ? "超时" : "正常"));
  span.appendChild(document.createTextNode(" "));
  span.appendChild(bi(t.en, t.zh));
  return span;
}

function refreshList() {
  return send("GET", "api/incidents?status=open").then(function (result) {
    var box = $(".st-inc-list-error");
    if (!result.ok) {
      clear(box);
      box.appendChild(bi("The list could not be loaded: ", "无法加载列表："));
      box.appendChild(document.createTextNode(errorOf(result).message));
      box.hidden = false;
      return;
    }
    box.hidden = true;
    incidents = result.json.incidents || [];
    followFix();
    var now = new Date();
    $(".st-inc-refreshed").textContent = now.toLocaleTimeString("en-GB");
    renderList();
    renderDetail();
    drawIncidents();
    if (!ready.list) { ready.list = true; markReady(); }
    document.body.setAttribute("data-incidents-refreshed", String(now.getTime()));
  });
}

// a fix arrived for the incident of the call panel: it becomes place 1 at once
function followFix() {
  if (!call.incident || call.busy) { return; }
  var fresh = find(call.incident.incident_id);
  if (!fresh || fixesOf(fresh).length <= fixesOf(call.incident).length) { return; }
  if (fresh.version >= call.incident.version) { call.incident = fresh; }
  if (call.stage !== "candidates" && call.stage !== "describe") { return; }
  var picked = call.candidate;
  call.candidates = withFix(call.candidates, fresh);
  if (picked && call.candidates.indexOf(picked) < 0) { call.candidate = null; }
  call.stage = "candidates";
  renderCandidates();
  drawCall();
  $(".st-inc-candidates-step").hidden = false;
  var gps = call.candidates[0];
  message("The caller's phone sent its position (±" + Math.round(gps.accuracy_m) + " m): it is place 1.",
    "呼救者手机已发送位置（±" + Math.round(gps.accuracy_m) + " 米）：列为第 1 项。", "ok");
}

function renderList() {
  var list = $(".st-inc-list");
  if (!list) { return; }
  clear(list);
  $(".st-inc-count").textContent = "(" + incidents.length + ")";
  $(".st-inc-empty").hidden = incidents.length > 0;
  incidents.forEach(function (incident) {
    var item = el("li", "st-inc-item st-inc-prio-" + incident.priority);
    item.setAttribute("data-incident-id", String(incident.incident_id));
    item.setAttribute("data-status", incident.status);
    if (incident.incident_id === selectedId) { item.classList.add("st-inc-selected"); item.setAttribute("aria-current", "true"); }
    var b = el("button", "st-inc-item-button");
    b.type = "button";
    var head = el("div", "st-inc-item-head");
    head.appendChild(el("span", "st-inc-id", "#" + incident.incident_id));
    var prio = el("span", "st-inc-prio");
    prio.appendChild(term("priority", incident.priority));
    head.appendChild(prio);
    var status = el("span", "st-inc-status");
    status.appendChild(term("status", incident.status));
    head.appendChild(status);
    var elapsed = el("span", "st-inc-elapsed", clock(secondsSince(incident.received_at)));
    elapsed.setAttribute("title", "since the call / 接警以来");
    head.appendChild(elapsed);
    b.appendChild(head);
    var where = incident.location && (incident.location.name || incident.location.segment_id);
    b.appendChild(el("div", "st-inc-item-text", incident.description));
    if (where) { b.appendChild(el("div", "st-inc-item-where", where)); }
    var checks = el("div", "st-inc-checks");
    targets(incident).forEach(function (t) { checks.appendChild(targetBadge(t)); });
    b.appendChild(checks);
    b.addEventListener("click", function () { select(incident.incident_id, true); });
    item.appendChild(b);
    list.appendChild(item);
  });
}

// every second: the clocks move without asking the server
function tick() {
  document.querySelectorAll(".st-inc-item").forEach(function (item) {
    var id = Number(item.getAttribute("data-incident-id"));
    var incident = find(id);
    if (!incident) { return; }
    $(".st-inc-elapsed", item).textContent = clock(secondsSince(incident.received_at));
    var checks = $(".st-inc-checks", item);
    clear(checks);
    targets(incident).forEach(function (t) { checks.appendChild(targetBadge(t)); });
  });
}

function find(id) {
  for (var i = 0; i < incidents.length; i += 1) {
    if (incidents[i].incident_id === id) { return incidents[i]; }
  }
  return null;
}

function select(id, zoom) {
  if (id !== selectedId) { detailNotice = null; }
  selectedId = selectedId === id && !zoom ? null : id;
  renderList();
  renderDetail();
  highlight();
  var m = markers[id];
  if (zoom && m && m.marker && map) { map.panTo(m.marker.getLatLng()); }
}

// --- the selected incident ------------------------------------------------------------------------
function row(dl, en, zh, value) {
  if (value === null || value === undefined || value === "") { return; }
  var dt = el("dt");
  dt.appendChild(bi(en, zh));
  var dd = el("dd");
  if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
  dl.appendChild(dt);
  dl.appendChild(dd);
}

function allowedFor(incident) {
  if (CONFIG.role === "call_taker") {
    return incident.status === "received" && incident.location ? ["located"] : [];
  }
  return incident.allowed_next || [];
}

function renderDetail() {
  var box = $(".st-inc-detail");
  if (!box) { return; }
  var incident = selectedId === null ? null : find(selectedId);
  // (a GPS fix arriving changes what is shown, not the incident's version)
  var shown = incident ? incident.incident_id + "/" + incident.version + "/" + dom.language() +
    "/" + fixesOf(incident).length : "";
  // a refresh redraws the panel only when the incident changed, and never under the user's
  // fingers (the buttons then still carry the version the user saw: a 409 if it is stale)
  if (shown === box.getAttribute("data-shown")) { return; }
  if (box.contains(document.activeElement) && typing(document.activeElement)) { return; }
  box.setAttribute("data-shown", shown);
  clear(box);
  box.hidden = !incident;
  if (!incident) { return; }
  box.setAttribute("data-incident-id", String(incident.incident_id));
  var h = el("h3", null, "#" + incident.incident_id + " ");
  h.appendChild(term("status", incident.status));
  box.appendChild(h);

  var texts = el("div", "st-inc-descriptions");
  (incident.descriptions || []).forEach(function (d) {
    var p = el("blockquote", "st-inc-description-text", d.text);
    p.appendChild(el("cite", null, d.added_by + " · " + timeOf(d.added_at)));
    texts.appendChild(p);
  });
  box.appendChild(texts);

  var dl = el("dl", "st-inc-facts");
  row(dl, "Priority", "优先级", term("priority", incident.priority));
  row(dl, "Language", "语言", term("language", incident.language));
  row(dl, "Caller", "呼救者", [incident.caller_name, incident.caller_phone].filter(Boolean).join(" · "));
  row(dl, "Party size", "人数", incident.party_size);
  row(dl, "Condition", "伤病情况", incident.condition);
  row(dl, "Cause", "原因", incident.cause ? term("cause", incident.cause) : null);
  row(dl, "Location", "位置", incident.location ? (incident.location.name || (incident.location.lat.toFixed(5) + ", " + incident.location.lon.toFixed(5))) : null);
  fixesOf(incident).forEach(function (f) {
    var fixText = el("span", "st-inc-fix-text");
    fixText.appendChild(document.createTextNode(f.lat.toFixed(5) + ", " + f.lon.toFixed(5) + " ±" + Math.round(f.accuracy_m) + " m" +
      (f.altitude_m !== null ? " · " + Math.round(f.altitude_m) + " m" : "") + " · " + timeOf(f.received_at)));
    row(dl, "Phone GPS", "手机定位", fixText);
  });
  if (incident.plan) {
    var planText = el("span");
    planText.appendChild(bi(stationName(incident.plan).en, stationName(incident.plan).zh));
    planText.appendChild(document.createTextNode(" · "));
    planText.appendChild(bi("ETA ", "预计 "));
    planText.appendChild(minutes(incident.plan.eta_s));
    row(dl, "Plan", "方案", planText);
  }
  row(dl, "Team", "救援队", incident.team);
  row(dl, "Received", "接警时间", timeOf(incident.received_at) + " (" + incident.created_by + ")");
  row(dl, "Notes", "备注", incident.notes);
  box.appendChild(dl);

  box.appendChild(actions(incident));

  var timeline = el("ol", "st-inc-timeline");
  (incident.timeline || []).forEach(function (e) {
    var li = el("li");
    li.appendChild(document.createTextNode(timeOf(e.at) + " · " + e.by + " · "));
    li.appendChild(term("status", e.to));
    if (e.outcome) { li.appendChild(document.createTextNode(" (")); li.appendChild(term("outcome", e.outcome)); li.appendChild(document.createTextNode(")")); }
    if (e.note) { li.appendChild(el("span", "st-inc-note", " — " + e.note)); }
    timeline.appendChild(li);
  });
  var th = el("h4");
  th.appendChild(bi("Timeline", "时间线"));
  box.appendChild(th);
  box.appendChild(timeline);

  if ((incident.edits || []).length) {
    var eh = el("h4");
    eh.appendChild(bi("Edits", "修改记录"));
    box.appendChild(eh);
    var edits = el("ol", "st-inc-edits");
    incident.edits.forEach(function (e) {
      var li = el("li");
      li.appendChild(document.createTextNode(timeOf(e.at) + " · " + e.by + " · v" + e.version + ": "));
      Object.keys(e.changes || {}).forEach(function (name, i) {
        if (i) { li.appendChild(document.createTextNode(", ")); }
        li.appendChild(term("field", name));
      });
      edits.appendChild(li);
    });
    box.appendChild(edits);
  }
}

function actions(incident) {
  var wrap = el("div", "st-inc-detail-actions");
  var error = el("div", "st-inc-error st-inc-detail-error");
  error.setAttribute("role", "alert");
  error.hidden = true;

  // our own change moves this panel's base version on (a refresh may not redraw the panel
  // while the user types in it); a change by someone else does not, and answers 409
  function done(result, en, zh) {
    if (result.ok) {
      incident.version = result.json.incident.version;
      detailNotice = null;
      selectedId = incident.incident_id;
      refreshList();
      return;
    }
    var stale = result.status === 409;
    var notice = {
      id: incident.incident_id,
      en: stale ? "Someone else changed this incident: reloaded, check and try again." : en,
      zh: stale ? "此事件已被他人修改，已重新加载，请核对后重试。" : zh,
      text: errorOf(result).message
    };
    if (!stale) { showNotice(error, notice); return; }
    detailNotice = notice;  // shown by the panel redrawn with the current version
    refreshList().then(function () {
      $(".st-inc-detail").removeAttribute("data-shown");
      renderDetail();
    });
  }
  if (detailNotice && detailNotice.id === incident.incident_id) { showNotice(error, detailNotice); }

  var nexts = allowedFor(incident);
  if (nexts.length) {
    var bar = el("div", "st-inc-next");
    var note = el("input", "st-inc-transition-note");
    note.type = "text";
    note.maxLength = 2000;
    note.setAttribute("aria-label", "Note for the status change / 状态变更说明");
    note.setAttribute("placeholder", dom.language() === "zh" ? "状态变更说明（可选）" : "note for the status change (optional)");
    var outcome = el("select", "st-inc-outcome");
    outcome.setAttribute("aria-label", "Outcome / 处置结果");
    (CONFIG.outcomes || []).forEach(function (o) {
      var pair = TERMS.outcome[o] || [o, o];
      var opt = el("option", null, pair[0] + " / " + pair[1]);
      opt.value = o;
      outcome.appendChild(opt);
    });
    outcome.hidden = true;
    var confirm = button("st-btn-primary st-inc-confirm-resolve", "Resolve", "确认处置");
    confirm.hidden = true;
    nexts.forEach(function (to) {
      var label = TERMS.status[to] || [to, to];
      var b = button("st-inc-to st-inc-to-" + to, "→ " + label[0], "→ " + label[1]);
      b.setAttribute("data-to", to);
      b.addEventListener("click", function () {
        if (to === "resolved") { outcome.hidden = false; confirm.hidden = false; outcome.focus(); return; }
        transition(incident, to, null, note.value.trim()).then(function (r) { done(r, "The status could not be changed.", "无法变更状态。"); });
      });
      bar.appendChild(b);
    });
    confirm.addEventListener("click", function () {
      transition(incident, "resolved", outcome.value, note.value.trim()).then(function (r) { done(r, "The incident could not be resolved.", "无法处置此事件。"); });
    });
    wrap.appendChild(bar);
    var resolveRow = el("div", "st-inc-resolve");
    resolveRow.appendChild(outcome);
    resolveRow.appendChild(confirm);
    wrap.appendChild(resolveRow);
    wrap.appendChild(note);
  }
  if (incident.open) {
    var findBox = el("div", "st-inc-findme-box");
    findBox.hidden = true;
    var findButton = button("st-inc-findme-detail", "Find-me link", "定位链接", "location-crosshairs");
    findButton.addEventListener("click", function () { findMe(incident, findBox, findButton); });
    wrap.appendChild(findButton);
    wrap.appendChild(findBox);
  }
  if (incident.status === "received" || incident.status === "located") {
    var cont = button("st-inc-continue", "Continue in the call panel", "在接警面板中继续", "arrow-left");
    cont.addEventListener("click", function () { continueWith(incident); });
    wrap.appendChild(cont);
  }

  var add = el("textarea", "st-inc-add-description");
  add.rows = 2;
  add.maxLength = 4000;
  add.setAttribute("aria-label", "Add to the description / 补充描述");
  add.setAttribute("placeholder", dom.language() === "zh" ? "补充描述" : "add to the description");
  var addButton = button("st-inc-add-button", "Add", "补充", "plus");
  addButton.addEventListener("click", function () {
    var text = add.value.trim();
    if (!text) { add.focus(); return; }
    send("PATCH", "api/incidents/" + incident.incident_id, { base_version: incident.version, add_description: text })
      .then(function (r) { if (r.ok) { add.value = ""; add.blur(); } done(r, "The description could not be added.", "无法补充描述。"); });
  });
  var notes = el("textarea", "st-inc-notes");
  notes.rows = 2;
  notes.maxLength = 4000;
  notes.value = incident.notes || "";
  notes.setAttribute("aria-label", "Notes / 备注");
  notes.setAttribute("placeholder", dom.language() === "zh" ? "备注" : "notes");
  var notesButton = button("st-inc-notes-button", "Save notes", "保存备注", "floppy-disk");
  notesButton.addEventListener("click", function () {
    send("PATCH", "api/incidents/" + incident.incident_id, { base_version: incident.version, notes: notes.value.trim() || null })
      .then(function (r) { if (r.ok) { notes.blur(); } done(r, "The notes could not be saved.", "无法保存备注。"); });
  });
  var edit = el("div", "st-inc-edit");
  edit.appendChild(add);
  edit.appendChild(addButton);
  edit.appendChild(notes);
  edit.appendChild(notesButton);
  wrap.appendChild(edit);
  wrap.appendChild(error);
  return wrap;
}

function showNotice(box, notice) {
  clear(box);
  box.appendChild(bi(notice.en, notice.zh));
  box.appendChild(el("div", "st-inc-error-text", notice.text));
  box.hidden = false;
}

function transition(incident, to, outcome, note) {
  var body = { to: to, base_version: incident.version };
  if (outcome) { body.outcome = outcome; }
  if (note) { body.note = note; }
  return send("POST", "api/incidents/" + incident.incident_id + "/transitions", body);
}

// --- the map -----------------------------------------------------------------------------------------
function latlngs(coords) { return (coords || []).map(function (c) { return [c[1], c[0]]; }); }

function initMap() {
  map = L.map("st-inc-map", { zoomSnap: 0.25 });
  map.createPane("stIncRoutes").style.zIndex = 420;
  map.createPane("stIncPoints").style.zIndex = 460;
  var bbox = (CONFIG.region || {}).bbox;
  if (bbox && bbox.length === 4) {
    map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { padding: [12, 12] });
  } else {
    map.setView([31.05, 81.3], 11);
  }
  L.control.scale({ position: "bottomleft", imperial: false, maxWidth: 180 }).addTo(map);
  layers.incidents = L.featureGroup().addTo(map);
  layers.call = L.featureGroup().addTo(map);
  window.sandtableIncidents = { map: map, layers: layers, markers: markers };
  send("GET", "api/segments").then(function (result) {
    if (result.ok) {
      layers.trails = L.geoJSON(result.json, {
        style: { color: "#8d5a2b", weight: 2.5, opacity: 0.6 },
        interactive: false
      }).addTo(map);
      layers.trails.bringToBack();
    }
    ready.map = true;
    markReady();
  });
  drawStations();
  // names at a readable zoom only: from the whole region they would cover the map
  var far = function () {
    map.getContainer().classList.toggle("st-inc-far", map.getZoom() < STATION_LABEL_ZOOM);
  };
  map.on("zoomend", far);
  far();
}

// the stations (teams and posts): a marker each place, the names of the stations there in
// the chosen language beside it; its colour the team's status (teams.js)
function drawStations() {
  send("GET", "api/stations").then(function (result) {
    if (!result.ok || !result.json) { return; }
    layers.stations = L.featureGroup().addTo(map);
    var places = {};
    var order = [];
    result.json.features.forEach(function (f) {
      if (!f.geometry || f.geometry.type !== "Point") { return; }
      var c = f.geometry.coordinates;
      var key = c[0].toFixed(4) + "," + c[1].toFixed(4);  // co-located stations share a marker
      if (!places[key]) { places[key] = { lat: c[1], lon: c[0], stations: [] }; order.push(key); }
      places[key].stations.push(f.properties);
    });
    order.forEach(function (key) {
      var place = places[key];
      var marker = L.circleMarker([place.lat, place.lon], {
        pane: "stIncPoints", radius: 5, weight: 2, color: "#fff", fillColor: "#2f6f4f", fillOpacity: 1,
        className: "st-inc-station-marker"
      });
      var label = el("div", "st-inc-station-names");
      place.stations.forEach(function (p) {
        var line = el("div", "st-inc-station-name");
        line.setAttribute("data-station-id", p.station_id);
        line.appendChild(bi(p.name_en, p.name_zh || p.name_en));
        label.appendChild(line);
      });
      marker.bindTooltip(label, { permanent: true, direction: "right", offset: [6, 0],
        className: "st-inc-station-label" });
      marker.on("add", function () {
        var node = marker.getElement && marker.getElement();
        if (node) { node.setAttribute("data-station-ids", place.stations.map(function (p) { return p.station_id; }).join(" ")); }
      });
      marker.stStations = place.stations;
      layers.stations.addLayer(marker);
    });
    colourStations();
    document.body.setAttribute("data-stations-drawn", String(order.length));
  });
}

// a busy place (every team there committed or out of service) is drawn grey
function colourStations() {
  if (!layers.stations) { return; }
  layers.stations.eachLayer(function (marker) {
    var free = marker.stStations.some(function (p) {
      var team = teams.get(p.station_id);
      return !team || team.status === "available";
    });
    marker.setStyle({ fillColor: free ? "#2f6f4f" : "#8a7f73" });
  });
}

function legLine(leg, options) {
  return L.polyline(latlngs(leg.geometry), {
    pane: "stIncRoutes",
    color: MODE_COLOURS[leg.mode] || "#555",
    weight: options.weight || 4,
    opacity: options.opacity || 0.8,
    dashArray: options.dash || null,
    className: "st-inc-leg st-inc-leg-" + (leg.mode || "other")
  });
}

function drawIncidents() {
  if (!map) { return; }
  layers.incidents.clearLayers();
  markers = {};
  window.sandtableIncidents.markers = markers;
  incidents.forEach(function (incident) {
    var loc = incident.location;
    if (!loc || typeof loc.lat !== "number") { return; }
    var entry = { marker: null, legs: [] };
    ((incident.plan && incident.plan.legs) || []).forEach(function (leg) {
      if (!leg.geometry || leg.geometry.length < 2) { return; }
      var line = legLine(leg, { weight: 4, opacity: 0.7 });
      line.on("click", function () { select(incident.incident_id, false); });
      entry.legs.push(line);
      layers.incidents.addLayer(line);
    });
    var marker = L.circleMarker([loc.lat, loc.lon], {
      pane: "stIncPoints", radius: 8, weight: 2, color: "#fff",
      fillColor: incident.priority === "critical" || incident.priority === "high" ? "#b3261e" : "#e07b00",
      fillOpacity: 0.95, className: "st-inc-marker"
    });
    // a label that stays: the number, the priority and the status (the place on hover
    // of the list); in the chosen language (bi spans follow the page's switch)
    var tip = el("div", "st-inc-tip");
    tip.appendChild(el("strong", null, "#" + incident.incident_id + " "));
    tip.appendChild(term("priority", incident.priority));
    tip.appendChild(document.createTextNode(" · "));
    tip.appendChild(term("status", incident.status));
    marker.bindTooltip(tip, { direction: "top", permanent: true, offset: [0, -8],
      className: "st-inc-incident-label st-inc-incident-label-" + incident.priority });
    marker.on("click", function () { select(incident.incident_id, false); });
    marker.on("add", function () {
      var node = marker.getElement && marker.getElement();
      if (node) { node.setAttribute("data-incident-id", String(incident.incident_id)); }
    });
    entry.marker = marker;
    layers.incidents.addLayer(marker);
    markers[incident.incident_id] = entry;
  });
  drawFixes();
  highlight();
}

// every open incident's GPS fixes: a dot in its accuracy circle, the incident's number beside it
function drawFixes() {
  incidents.forEach(function (incident) {
    fixesOf(incident).forEach(function (f) {
      var circle = L.circle([f.lat, f.lon], {
        pane: "stIncRoutes", radius: Math.max(5, f.accuracy_m || 0), weight: 1, color: "#1864ab",
        fillColor: "#1864ab", fillOpacity: 0.12, interactive: false, className: "st-inc-fix-accuracy"
      });
      var dot = L.circleMarker([f.lat, f.lon], {
        pane: "stIncPoints", radius: 6, weight: 2, color: "#fff", fillColor: "#1864ab", fillOpacity: 1,
        className: "st-inc-fix"
      });
      var tip = el("div", "st-inc-fix-tip");
      tip.appendChild(el("strong", null, "#" + incident.incident_id + " "));
      tip.appendChild(bi("phone GPS ±" + Math.round(f.accuracy_m) + " m", "手机 GPS ±" + Math.round(f.accuracy_m) + " 米"));
      tip.appendChild(el("div", null, f.lat.toFixed(5) + ", " + f.lon.toFixed(5) + " · " + timeOf(f.received_at)));
      dot.bindTooltip(tip, { direction: "right", permanent: true, className: "st-inc-fix-label" });
      dot.on("click", function () { select(incident.incident_id, false); });
      dot.on("add", function () {
        var node = dot.getElement && dot.getElement();
        if (node) { node.setAttribute("data-incident-id", String(incident.incident_id)); }
      });
      layers.incidents.addLayer(circle);
      layers.incidents.addLayer(dot);
    });
  });
}

function highlight() {
  Object.keys(markers).forEach(function (id) {
    var entry = markers[id];
    var on = Number(id) === selectedId;
    entry.marker.setStyle({ radius: on ? 11 : 8, weight: on ? 3 : 2, color: on ? "#2b2620" : "#fff" });
    entry.legs.forEach(function (line) {
      line.setStyle({ weight: on ? 7 : 4, opacity: on || selectedId === null ? 0.85 : 0.35 });
      var node = line.getElement && line.getElement();
      if (node) { node.classList.toggle("st-inc-leg-selected", on); }
      if (on) { line.bringToFront(); }
    });
    if (on) { entry.marker.bringToFront(); }
  });
}

// the call in progress: candidates as small rings, the chosen plan dashed
function drawCall() {
  if (!map) { return; }
  layers.call.clearLayers();
  call.candidates.forEach(function (c, i) {
    if (typeof c.lat !== "number") { return; }
    var chosen = c === call.candidate;
    var ring = L.circleMarker([c.lat, c.lon], {
      pane: "stIncPoints", radius: chosen ? 9 : 6, weight: 2, color: chosen ? "#b3261e" : "#2b2620",
      fillColor: "#fff", fillOpacity: chosen ? 0.9 : 0.6, className: "st-inc-candidate-marker"
    });
    ring.bindTooltip(el("span", null, (i + 1) + ". " + candidateName(c)), { direction: "top" });
    ring.on("click", function () { pickCandidate(i); });
    layers.call.addLayer(ring);
  });
  if (call.plan) {
    (call.plan.legs || []).forEach(function (leg) {
      if (leg.geometry && leg.geometry.length >= 2) { layers.call.addLayer(legLine(leg, { weight: 5, dash: "8 6", opacity: 0.9 })); }
    });
    var bounds = layers.call.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 }); }
  } else if (call.candidate) {
    map.setView([call.candidate.lat, call.candidate.lon], Math.max(map.getZoom(), 13));
  }
}

// /incidents?incident=N (e.g. recorded from the map page): continue the call with it
function openFromUrl() {
  var raw = new URLSearchParams(window.location.search).get("incident");
  if (!raw || !/^[0-9]{1,10}$/.test(raw)) { return; }
  send("GET", "api/incidents/" + raw).then(function (result) {
    if (result.ok && result.json) { continueWith(result.json.incident); selectedId = result.json.incident.incident_id; }
    else { failed("Incident #" + raw + " could not be loaded.", "无法载入事件 #" + raw + "。", result); }
  });
}

function markReady() {
  if (ready.list && ready.map) { document.body.setAttribute("data-incidents-ready", "true"); }
}

// --- start ----------------------------------------------------------------------------------------------
function start() {
  teams.start();
  initLanguage();
  initMap();
  initKeys();
  document.addEventListener("sandtable:teams", colourStations);
  refreshList();
  // pushed: every change of an incident anywhere reloads the list at once; polling every
  // REFRESH_MS is the fallback where the stream is unavailable
  dom.live("api/events", ["incidents"], function () {
    if (!document.hidden) { refreshList(); }
  }, REFRESH_MS);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refreshList(); }
  });
  openFromUrl();
  window.setInterval(tick, 1000);
  $(".st-inc-description").focus();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
