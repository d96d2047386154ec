// ESLint for the browser code in web/static (make lint): the recommended rules, ES modules,
// the browser's globals and the three UMD libraries the pages load with their own <script>
// tags from web/static/vendor (Leaflet's L, Chart.js's Chart, proj4). The vendored copies
// themselves are not linted.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: ["web/static/vendor/**", "node_modules/**", ".venv/**"] },
  js.configs.recommended,
  {
    files: ["web/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, L: "readonly", Chart: "readonly", proj4: "readonly" },
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
