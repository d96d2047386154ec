/* The language switch of a page without a map (the error pages): the language stored by
 * any Sandtable page (localStorage "sandtable.lang", as sandtable.js keeps it) wins over
 * the one the server chose from Accept-Language; the EN / 中文 buttons change and store it. */
var KEY = "sandtable.lang";

function apply(lang) {
  lang = lang === "zh" ? "zh" : "en";
  document.body.classList.remove("lang-en", "lang-zh");
  document.body.classList.add("lang-" + lang);
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
  document.querySelectorAll("[data-set-lang]").forEach(function (button) {
    button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === lang));
  });
}

function init() {
  var stored = null;
  try { stored = window.localStorage.getItem(KEY); } catch { /* private mode */ }
  apply(stored || (document.body.classList.contains("lang-zh") ? "zh" : "en"));
  document.querySelectorAll("[data-set-lang]").forEach(function (button) {
    button.addEventListener("click", function () {
      var lang = button.getAttribute("data-set-lang");
      apply(lang);
      try { window.localStorage.setItem(KEY, lang); } catch { /* private mode */ }
      document.cookie = "sandtable_lang=" + lang + "; path=/; max-age=31536000; SameSite=Lax";
    });
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
