"""Third-party browser assets, served by the app itself so the map works offline.

The assets come from npm packages pinned in ``package.json``/``package-lock.json``
at the repository root. After ``npm ci``, ``python -m web.vendor`` copies the
files the page uses from ``node_modules/`` into ``web/static/vendor/``
(git-ignored) and records the package versions in ``VERSIONS.json``. The app
refuses to start while a file is missing (:func:`check_assets`).

Web fonts (:data:`FONTS`) are copied as a stylesheet plus every file its ``url()`` references
name: fontsource splits a CJK font by ``unicode-range`` into about a hundred files, and a
browser downloads only those holding characters on the page.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from web.config import ConfigError

__all__ = ["ASSETS", "FONTS", "VENDOR_DIR", "check_assets", "copy_assets", "main", "missing_assets"]

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
_REPO_ROOT = Path(__file__).resolve().parent.parent

#: npm package -> (file in the package, file under ``web/static/vendor/``).
ASSETS: dict[str, tuple[tuple[str, str], ...]] = {
    "leaflet": (
        ("dist/leaflet.js", "leaflet/leaflet.js"),
        ("dist/leaflet.css", "leaflet/leaflet.css"),
        ("dist/images/layers.png", "leaflet/images/layers.png"),
        ("dist/images/layers-2x.png", "leaflet/images/layers-2x.png"),
        ("dist/images/marker-icon.png", "leaflet/images/marker-icon.png"),
        ("dist/images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"),
        ("dist/images/marker-shadow.png", "leaflet/images/marker-shadow.png"),
        ("LICENSE", "leaflet/LICENSE"),
    ),
    "@fortawesome/fontawesome-free": (
        # only the solid style: the CSS refers to the fonts as ../webfonts/
        ("css/fontawesome.min.css", "fontawesome/css/fontawesome.min.css"),
        ("css/solid.min.css", "fontawesome/css/solid.min.css"),
        ("webfonts/fa-solid-900.woff2", "fontawesome/webfonts/fa-solid-900.woff2"),
        ("webfonts/fa-solid-900.ttf", "fontawesome/webfonts/fa-solid-900.ttf"),
        ("LICENSE.txt", "fontawesome/LICENSE.txt"),
    ),
    "proj4": (
        ("dist/proj4.js", "proj4/proj4.js"),
        ("LICENSE.md", "proj4/LICENSE.md"),
    ),
    # the reports page's charts (the UMD build bundles its one dependency, @kurkle/color)
    "chart.js": (
        ("dist/chart.umd.min.js", "chartjs/chart.umd.min.js"),
        ("LICENSE.md", "chartjs/LICENSE.md"),
    ),
    # the map's measure tool (Leaflet 1.x; no eval, so the CSP allows it)
    "leaflet.polylinemeasure": (
        ("Leaflet.PolylineMeasure.js", "polylinemeasure/Leaflet.PolylineMeasure.js"),
        ("Leaflet.PolylineMeasure.css", "polylinemeasure/Leaflet.PolylineMeasure.css"),
        ("LICENSE.txt", "polylinemeasure/LICENSE.txt"),
    ),
    # licences of the fonts below (SIL Open Font License 1.1)
    "@fontsource/noto-serif-tibetan": (("LICENSE", "fonts/noto-serif-tibetan/LICENSE"),),
    "@fontsource/noto-sans-sc": (("LICENSE", "fonts/noto-sans-sc/LICENSE"),),
}

#: npm font package -> (the stylesheet of the one weight the pages use, its folder under
#: ``web/static/vendor/``); ``sandtable.css`` imports the stylesheets. Tibetan place names
#: (``name_bo``) and Chinese render on machines without such fonts.
FONTS: dict[str, tuple[str, str]] = {
    "@fontsource/noto-serif-tibetan": ("400.css", "fonts/noto-serif-tibetan"),
    "@fontsource/noto-sans-sc": ("400.css", "fonts/noto-sans-sc"),
}

_CSS_URL = re.compile(r"url\(\s*['\"]?(\./)?([^'\")]+)['\"]?\s*\)")


def _css_files(css: str) -> list[str]:
    """The relative files a stylesheet names with ``url()``, in order, without repeats."""
    return list(dict.fromkeys(m.group(2) for m in _CSS_URL.finditer(css)))


def missing_assets(vendor_dir: Path | None = None) -> list[str]:
    """Return the vendor files (relative to ``vendor_dir``) that are not there."""
    vendor_dir = VENDOR_DIR if vendor_dir is None else vendor_dir
    missing = [
        dest for files in ASSETS.values() for _, dest in files if not (vendor_dir / dest).is_file()
    ]
    for css, folder in FONTS.values():
        stylesheet = vendor_dir / folder / css
        if not stylesheet.is_file():
            missing.append(f"{folder}/{css}")
            continue
        missing.extend(
            f"{folder}/{name}"
            for name in _css_files(stylesheet.read_text("utf-8"))
            if not (vendor_dir / folder / name).is_file()
        )
    return missing


def check_assets(vendor_dir: Path | None = None) -> None:
    """Fail with instructions if any vendor file is missing.

    Raises
    ------
    ConfigError
        Naming the missing files and the commands that install them.
    """
    vendor_dir = VENDOR_DIR if vendor_dir is None else vendor_dir
    missing = missing_assets(vendor_dir)
    if missing:
        raise ConfigError(
            f"the map's browser assets are missing from {vendor_dir}; install them with "
            "`npm ci && python -m web.vendor` at the repository root",
            details=missing,
        )


def copy_assets(
    node_modules: Path = _REPO_ROOT / "node_modules", vendor_dir: Path = VENDOR_DIR
) -> list[Path]:
    """Copy the assets from an installed ``node_modules`` into ``vendor_dir``.

    The destination is replaced as a whole, so files of older versions do not linger.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ConfigError
        If a package or file is missing from ``node_modules``.
    """
    absent = [
        f"{package}/{src}"
        for package, files in ASSETS.items()
        for src, _ in files
        if not (node_modules / package / src).is_file()
    ]
    fonts: dict[str, list[tuple[str, str]]] = {}
    for package, (css, folder) in FONTS.items():
        if not (node_modules / package / css).is_file():
            absent.append(f"{package}/{css}")
            continue
        names = _css_files((node_modules / package / css).read_text("utf-8"))
        fonts[package] = [(css, f"{folder}/{css}")]
        fonts[package] += [(name, f"{folder}/{name}") for name in names]
        absent += [f"{package}/{n}" for n in names if not (node_modules / package / n).is_file()]
    if absent:
        raise ConfigError(
            f"{node_modules} lacks files of the pinned packages; run `npm ci` first",
            details=absent,
        )
    staging = vendor_dir.with_name(vendor_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    written: list[Path] = []
    versions: dict[str, str] = {}
    everything = {p: list(files) + fonts.get(p, []) for p, files in ASSETS.items()}
    for package, files in everything.items():
        manifest = json.loads((node_modules / package / "package.json").read_text("utf-8"))
        versions[package] = manifest["version"]
        for src, dest in files:
            target = staging / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(node_modules / package / src, target)
            written.append(vendor_dir / dest)
    (staging / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", "utf-8")
    shutil.rmtree(vendor_dir, ignore_errors=True)
    staging.rename(vendor_dir)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m web.vendor [--node-modules DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m web.vendor",
        description="Copy the map's browser assets from node_modules into web/static/vendor/.",
    )
    parser.add_argument("--node-modules", type=Path, default=_REPO_ROOT / "node_modules")
    args = parser.parse_args(argv)
    try:
        written = copy_assets(args.node_modules)
    except ConfigError as exc:
        print(f"web.vendor: error: {exc}", file=sys.stderr)
        return 1
    print(f"web.vendor: copied {len(written)} files into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
