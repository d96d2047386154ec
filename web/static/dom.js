/* The page helpers every Sandtable page shares (an ES module, imported by the others):
 * DOM building with text only (never HTML from data), bilingual labels, JSON requests with
 * the session's CSRF token, pushed updates (server-sent events) and the language switch.
 * Text shown to users carries both languages in <span lang="en"> and <span lang="zh-Hans">;
 * the page's CSS shows the half matching <body class="lang-…">.
 */
var LANG_KEY = "sandtable.lang";

// --- DOM helpers for the panels: text only, never HTML from data --------------------------
export function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  return node;
}

// a bilingual label: two spans, the page's CSS shows the one matching the language
// a Font Awesome icon, hidden from screen readers
export function icon(name) {
  var i = el("i", "fa-solid fa-" + name);
  i.setAttribute("aria-hidden", "true");
  return i;
}

// a bilingual button, with an icon when iconName is given
export function button(className, en, zh, iconName) {
  var b = el("button", "st-btn " + (className || ""));
  b.type = "button";
  if (iconName) { b.appendChild(icon(iconName)); b.appendChild(document.createTextNode(" ")); }
  b.appendChild(bi(en, zh));
  return b;
}

export function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

export function bi(en, zh) {
  var frag = document.createDocumentFragment();
  var a = el("span", null, en);
  a.setAttribute("lang", "en");
  var b = el("span", null, zh === undefined || zh === null || zh === "" ? en : zh);
  b.setAttribute("lang", "zh-Hans");
  frag.appendChild(a);
  frag.appendChild(b);
  return frag;
}

// the session's CSRF token, rendered by the server into <meta name="csrf-token">
function csrfToken() {
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") || "" : "";
}

// headers (a copy of `headers`, if given) with X-CSRF-Token: every POST, PUT, PATCH and
// DELETE must send it, or the server answers 403 "csrf"
export function csrfHeaders(headers) {
  var h = {};
  Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
  var token = csrfToken();
  if (token) { h["X-CSRF-Token"] = token; }
  return h;
}

// fetch JSON: resolves to {status, ok, json} (json null when the body is not JSON);
// a request other than GET/HEAD gets the CSRF token header
export function getJson(url, options) {
  var opts = {};
  Object.keys(options || {}).forEach(function (k) { opts[k] = options[k]; });
  var method = (opts.method || "GET").toUpperCase();
  if (method !== "GET" && method !== "HEAD") { opts.headers = csrfHeaders(opts.headers); }
  return fetch(url, opts).then(function (response) {
    return response.json().then(
      function (json) { return { status: response.status, ok: response.ok, json: json }; },
      function () { return { status: response.status, ok: false, json: null }; }
    );
  });
}

// Pushed updates: GET /api/events (server-sent events) calls onChange(topic, data) for
// each change of one of `topics` made anywhere ("closures", "incidents", "route_data"),
// and onChange(null, null) after a reconnection (changes may have been missed meanwhile).
// Where the browser has no EventSource, or the server refuses the stream (signed out, or
// too many streams: 429), it polls: onChange(null, null) every fallbackMs while the page
// is visible, and tries the stream again a minute later. <body data-live> says which.
export function live(url, topics, onChange, fallbackMs) {
  var polling = null;
  var opened = false;
  var source = null;
  function setMode(mode) { document.body.setAttribute("data-live", mode); }
  function stopPolling() {
    if (polling) { window.clearInterval(polling); polling = null; }
  }
  function poll() {
    setMode("poll");
    if (polling || !fallbackMs) { return; }
    polling = window.setInterval(function () {
      if (!document.hidden) { onChange(null, null); }
    }, fallbackMs);
  }
  function open() {
    if (typeof window.EventSource !== "function") { poll(); return; }
    source = new window.EventSource(url + "?topics=" + encodeURIComponent(topics.join(",")));
    source.addEventListener("ready", function () {
      stopPolling();
      setMode("push");
      if (opened) { onChange(null, null); }  // a reconnection: catch up
      opened = true;
    });
    topics.forEach(function (topic) {
      source.addEventListener(topic, function (e) {
        var data;
        try { data = JSON.parse(e.data); } catch { data = null; }
        onChange(topic, data);
      });
    });
    source.onerror = function () {
      // CONNECTING: the browser reconnects by itself (the server asks for 2 s);
      // CLOSED: the server refused the stream
      if (source.readyState === window.EventSource.CLOSED) {
        poll();
        window.setTimeout(open, 60000);
      }
    };
  }
  open();
  return { close: function () { stopPolling(); if (source) { source.close(); } } };
}

// --- language ----------------------------------------------------------------------------------
export function setLanguage(lang) {
  lang = lang === "zh" ? "zh" : "en";
  document.body.classList.remove("lang-en", "lang-zh");
  document.body.classList.add("lang-" + lang);
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
  document.querySelectorAll("[data-set-lang]").forEach(function (button) {
    button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === lang));
  });
  try { window.localStorage.setItem(LANG_KEY, lang); } catch { /* private mode */ }
  // the server answers (error messages, pages) in the chosen language: web/errors.py
  document.cookie = "sandtable_lang=" + lang + "; path=/; max-age=31536000; SameSite=Lax";
  document.dispatchEvent(new CustomEvent("sandtable:language", { detail: { lang: lang } }));
}

export function language() {
  return document.body.classList.contains("lang-zh") ? "zh" : "en";
}

function initialLanguage() {
  var stored = null;
  try { stored = window.localStorage.getItem(LANG_KEY); } catch { /* private mode */ }
  if (stored) { return stored; }
  return (navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
}

// the JSON the server rendered into <script type="application/json" id="…"> (the page's
// configuration, the vocabularies); {} when the page has none
export function pageData(id) {
  var node = document.getElementById(id);
  if (!node) { return {}; }
  try { return JSON.parse(node.textContent) || {}; } catch { return {}; }
}

// the page's language at the start (stored, else the browser's) and its EN / 中文 buttons
export function startLanguage() {
  setLanguage(initialLanguage());
  document.querySelectorAll("[data-set-lang]").forEach(function (b) {
    b.addEventListener("click", function () { setLanguage(b.getAttribute("data-set-lang")); });
  });
}
