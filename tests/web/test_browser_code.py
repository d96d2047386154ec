"""The browser code's shape (issue 15, item 6): ES modules, one DOM idiom, named hooks only.

What the pages do is proven in ``tests/browser``; these checks read the files, so that a
file that goes back to a global, an HTML string with data or a classic script tag is caught
without a browser. ESLint (``make lint``, ``eslint.config.js``) checks the code itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
OWN_JS = sorted((WEB / "static").glob("*.js"))  # web/static/vendor/ is not ours
TEMPLATES = sorted((WEB / "templates").glob("*.html"))

#: the window properties our code sets: test and debug hooks, each in one file
HOOKS = {
    "sandtableMap": "sandtable.js",
    "sandtableLayers": "sandtable.js",
    "sandtableBaseLayers": "sandtable.js",
    "sandtableLocate": "locate.js",
    "sandtableClosures": "closures.js",
    "sandtableIncidents": "incidents.js",
    "sandtablePlanner": "planner.js",
}


def test_there_is_browser_code_to_check() -> None:
    names = {p.name for p in OWN_JS}
    assert {"dom.js", "vocab.js", "sandtable.js", "maptools.js", "incidents.js"} <= names


@pytest.mark.parametrize("path", OWN_JS, ids=lambda p: p.name)
def test_no_file_builds_html_from_strings(path: Path) -> None:
    code = path.read_text("utf-8")
    for word in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "esc("):
        assert word not in code, f"{path.name}: {word}"


@pytest.mark.parametrize("path", OWN_JS, ids=lambda p: p.name)
def test_every_file_is_a_module_not_an_iife(path: Path) -> None:
    code = path.read_text("utf-8")
    assert not re.search(r"^\(function \(\) \{", code, re.M), path.name
    assert '"use strict"' not in code, path.name  # modules are strict already


def test_files_talk_through_imports_not_window_globals() -> None:
    set_where: dict[str, list[str]] = {}
    for path in OWN_JS:
        code = path.read_text("utf-8")
        assert "window.Sandtable" not in code, path.name
        assert "SANDTABLE_" not in code, path.name
        for name in re.findall(r"\bwindow\.(\w+)\s*=[^=]", code):
            set_where.setdefault(name, []).append(path.name)
    assert set_where == {name: [file] for name, file in HOOKS.items()}


def test_every_import_names_a_file_that_exists() -> None:
    for path in OWN_JS:
        for target in re.findall(r'^import .* from "\./([\w.]+)";$', path.read_text("utf-8"), re.M):
            assert (WEB / "static" / target).is_file(), f"{path.name} imports {target}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_pages_load_our_scripts_as_modules_with_the_nonce(path: Path) -> None:
    html = path.read_text("utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "vendor/" in tag:
            continue  # the vendored UMD libraries
        assert 'nonce="{{ csp_nonce() }}"' in tag, f"{path.name}: {tag}"
        if 'type="application/json"' not in tag:  # the page's JSON frame is not run
            assert 'type="module"' in tag, f"{path.name}: {tag}"
    assert "window.SANDTABLE_" not in html, path.name
