/* The caller's find-me page (GET /f/<token>): ask the browser for its position
 * (navigator.geolocation, high accuracy) and POST it with its accuracy to
 * /api/find-me/<token>, once. The answer (or the refusal, in both languages from the
 * server) is shown with textContent. */
function say(node, kind, zh, en) {
  node.textContent = "";
  node.className = "st-fm-state" + (kind ? " st-fm-" + kind : "");
  var a = document.createElement("span");
  a.lang = "zh-Hans";
  a.textContent = zh;
  node.appendChild(a);
  if (en) {
    var b = document.createElement("span");
    b.lang = "en";
    b.textContent = en;
    node.appendChild(b);
  }
  node.hidden = false;
}

function token() {
  var parts = window.location.pathname.split("/");
  return parts[parts.length - 1];
}

function post(state, button, position) {
  var c = position.coords;
  var body = { lat: c.latitude, lon: c.longitude, accuracy_m: c.accuracy, fixed_at: position.timestamp };
  if (typeof c.altitude === "number" && isFinite(c.altitude)) { body.altitude_m = c.altitude; }
  say(state, null, "正在发送位置（精度约 " + Math.round(c.accuracy) + " 米）…",
    "Sending your position (accurate to about " + Math.round(c.accuracy) + " m) …");
  fetch("../api/find-me/" + encodeURIComponent(token()), {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(body),
    credentials: "omit"
  }).then(function (response) {
    return response.json().catch(function () { return null; }).then(function (json) {
      if (response.ok && json) {
        say(state, "ok", json.message.zh + "（精度约 " + Math.round(c.accuracy) + " 米）",
          json.message.en + " (accurate to about " + Math.round(c.accuracy) + " m)");
        document.body.setAttribute("data-sent", "true");
        return;
      }
      var text = json && json.error ? json.error.message : "HTTP " + response.status;
      var parts = String(text).split(" / ");
      say(state, "error", parts[1] || "发送失败：" + text, parts[0]);
      button.disabled = response.status === 409 || response.status === 404;
    });
  }).catch(function () {
    button.disabled = false;
    say(state, "error", "无法连接救援中心，请检查网络后重试。",
      "Cannot reach the rescue centre: check the connection and try again.");
  });
}

function start() {
  var button = document.querySelector(".st-fm-send");
  var state = document.querySelector(".st-fm-state");
  if (!button) { return; }
  button.addEventListener("click", function () {
    if (!navigator.geolocation) {
      say(state, "error", "此浏览器无法定位：请在电话中告诉救援人员附近地标。",
        "This browser cannot give a position: tell the rescuer on the phone what you see around you.");
      return;
    }
    button.disabled = true;
    say(state, null, "正在获取位置 …", "Finding your position …");
    navigator.geolocation.getCurrentPosition(function (position) {
      post(state, button, position);
    }, function (error) {
      button.disabled = false;
      if (error.code === 1) {
        say(state, "error", "定位权限被拒绝：请在浏览器设置中允许定位后重试。",
          "Location was refused: allow location for this page in the browser settings, then try again.");
      } else {
        say(state, "error", "暂时无法获取位置：请到开阔处后重试。",
          "No position yet: move under open sky and try again.");
      }
    }, { enableHighAccuracy: true, timeout: 60000, maximumAge: 0 });
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
