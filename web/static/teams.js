/* Teams and posts with their status (GET/PUT /api/teams), shared by the dispatch page and
 * the map page's plan table.
 *
 * start() (once per page) reads every station's status (load(); again every 15 s while the
 * tab is visible, and after each change) and fires "sandtable:teams"; badge(stationId) is a small
 * "committed to #N" / "out of service" label (nothing when available); check(stationId,
 * incidentId) asks before committing a team busy with another incident or out of service
 * (window.confirm, resolves true to go on); commit() and setStatus() PUT the status (with
 * "force" once confirmed). A panel ".st-teams" on the page lists every team with its
 * status and, for officers, a select to change it.
 */
import * as dom from "./dom.js";

var API = "api/teams";
var REFRESH_MS = 15000;
var STATUS = {
  available: ["available", "可派"],
  committed: ["committed", "已派出"],
  out_of_service: ["out of service", "停用"]
};
var el = dom.el;
var bi = dom.bi;
var teams = {};
var order = [];

function byId(id) { return teams[id] || null; }

function load() {
  return dom.getJson(API, { headers: { "Accept": "application/json" } }).then(function (answer) {
    if (!answer.ok || !answer.json) { return; }
    teams = {};
    order = [];
    answer.json.teams.forEach(function (t) { teams[t.station_id] = t; order.push(t.station_id); });
    render();
    document.dispatchEvent(new CustomEvent("sandtable:teams", { detail: { teams: teams } }));
  }).catch(function () { /* the pages work without the statuses */ });
}

function badge(stationId) {
  var t = byId(stationId);
  if (!t || t.status === "available") { return null; }
  var node = el("span", "st-team-badge st-team-" + t.status);
  node.setAttribute("data-team-status", t.status);
  if (t.status === "committed") {
    node.appendChild(bi("committed to #" + t.incident_id, "已派往 #" + t.incident_id));
  } else {
    node.appendChild(bi(STATUS[t.status][0], STATUS[t.status][1]));
  }
  return node;
}

// true when the team may be committed to incidentId: free, or the dispatcher confirmed
function check(stationId, incidentId) {
  var t = byId(stationId);
  if (!t || t.status === "available" || (t.status === "committed" && t.incident_id === incidentId)) {
    return true;
  }
  var name = t.name.en + (t.name.zh ? " / " + t.name.zh : "");
  var text = t.status === "committed"
    ? name + " is committed to incident #" + t.incident_id + ". Commit it to #" + incidentId + " as well?\n" +
      name + " 已派往事件 #" + t.incident_id + "。仍要派往 #" + incidentId + " 吗？"
    : name + " is out of service. Commit it anyway?\n" + name + " 已停用。仍要派出吗？";
  return window.confirm(text);
}

function put(stationId, body) {
  return dom.getJson(API + "/" + encodeURIComponent(stationId), {
    method: "PUT",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body)
  }).then(function (answer) {
    if (answer.ok) { load(); }
    return answer;
  });
}

// commit a team; a 409 (busy since the last load) asks once more, then forces
function commit(stationId, incidentId, confirmed) {
  var body = { status: "committed", incident_id: incidentId };
  if (confirmed) { body.force = true; }
  return put(stationId, body).then(function (answer) {
    if (answer.status !== 409) { return answer; }
    var message = answer.json && answer.json.error ? answer.json.error.message : "busy";
    if (!window.confirm(message)) { return answer; }
    body.force = true;
    return put(stationId, body);
  });
}

function setStatus(stationId, status) { return put(stationId, { status: status, force: true }); }

function render() {
  var box = document.querySelector(".st-teams-list");
  if (!box) { return; }
  var canSet = document.body.getAttribute("data-can-dispatch") === "true";
  dom.clear(box);
  order.forEach(function (id) {
    var t = teams[id];
    var item = el("li", "st-team st-team-" + t.status);
    item.setAttribute("data-station-id", id);
    item.setAttribute("data-team-status", t.status);
    item.appendChild(el("span", "st-team-name", t.name.en));
    var state = el("span", "st-team-state");
    var b = badge(id);
    state.appendChild(b || bi(STATUS.available[0], STATUS.available[1]));
    item.appendChild(state);
    if (canSet) {
      var select = el("select", "st-team-set");
      select.setAttribute("aria-label", "Status of " + t.name.en + " / 状态");
      ["available", "out_of_service"].forEach(function (s) {
        var option = el("option", null, STATUS[s][0] + " / " + STATUS[s][1]);
        option.value = s;
        select.appendChild(option);
      });
      if (t.status === "committed") {
        var o = el("option", null, "committed / 已派出");
        o.value = "committed";
        o.disabled = true;
        select.appendChild(o);
      }
      select.value = t.status;
      select.addEventListener("change", function () { setStatus(id, select.value); });
      item.appendChild(select);
    }
    box.appendChild(item);
  });
}

var running = false;

// start reading the statuses (once per page; the pages whose user may see them call it)
function start() {
  if (running) { return; }
  running = true;
  load();
  window.setInterval(function () { if (!document.hidden) { load(); } }, REFRESH_MS);
}

// whether this page reads the statuses (the map page does only for the roles that see them)
function started() { return running; }

export { load, badge, check, commit, setStatus, byId as get, start, started };
