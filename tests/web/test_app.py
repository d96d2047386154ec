"""App factory: settings precedence, start-up checks, per-app caching, the map page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import rescue.route_data
import web
import web.map
import web.vendor
from geodata.errors import NotFound
from tests.common import make_region_dir
from tests.web.conftest import instance_with_database, signed_in_client
from web import ConfigError, create_app
from web.config import Settings
from web.state import get_state

WEB_DIR = Path(web.__file__).parent


def settings_of(app: Flask) -> Settings:
    with app.app_context():
        return get_state().settings


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A data directory holding the tiny test region ``tiny``."""
    make_region_dir(tmp_path / "data" / "tiny")
    return tmp_path / "data"


# --- settings ------------------------------------------------------------------------------------


def test_instance_dir_defaults_to_cwd_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_data: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app({"DATA_DIR": str(tiny_data), "REGION": "tiny"})
    assert settings_of(app).instance_dir == tmp_path / "instance"
    assert (tmp_path / "instance").is_dir()
    assert app.instance_path == str(tmp_path / "instance")


def test_env_vars_are_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_data: Path
) -> None:
    monkeypatch.setenv("SANDTABLE_INSTANCE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SANDTABLE_DATA_DIR", str(tiny_data))
    monkeypatch.setenv("SANDTABLE_REGION", "tiny")
    app = create_app()
    settings = settings_of(app)
    assert settings.instance_dir == tmp_path / "state"
    assert (tmp_path / "state").is_dir()
    assert settings.data_dir == tiny_data
    with app.app_context():
        assert get_state().network.region.region_id == "tiny"
    body = app.test_client().get("/api/health").get_json()
    assert body["region_id"] == "tiny"


def test_precedence_instance_file_then_env_then_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_data: Path
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    url = {name: f"sqlite:///{tmp_path / name}.db" for name in ("file", "env", "override")}
    (instance / "sandtable.toml").write_text(
        f'data_dir = "{tiny_data}"\nregion = "tiny"\nonline_basemaps = false\n'
        f'database_url = "{url["file"]}"\n',
        "utf-8",
    )
    base = {"INSTANCE_DIR": str(instance)}
    settings = settings_of(create_app(base))
    assert (settings.region, settings.online_basemaps) == ("tiny", False)
    assert settings.database_url == url["file"]

    monkeypatch.setenv("SANDTABLE_ONLINE_BASEMAPS", "true")
    monkeypatch.setenv("SANDTABLE_DATABASE_URL", url["env"])
    settings = settings_of(create_app(base))
    assert settings.online_basemaps is True
    assert settings.database_url == url["env"]

    settings = settings_of(create_app({**base, "DATABASE_URL": url["override"]}))
    assert settings.database_url == url["override"]
    # each database was created where its URL said, and seeded
    assert all((tmp_path / f"{name}.db").is_file() for name in url)


def test_instance_config_py_is_read_without_toml(tmp_path: Path, tiny_data: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        f"DATA_DIR = {str(tiny_data)!r}\nREGION = 'tiny'\n", "utf-8"
    )
    assert settings_of(create_app({"INSTANCE_DIR": str(instance)})).region == "tiny"


def test_broken_instance_toml_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "sandtable.toml").write_text("region = [unclosed\n", "utf-8")
    with pytest.raises(ConfigError, match="sandtable.toml is not valid TOML"):
        create_app({"INSTANCE_DIR": str(tmp_path)})


def test_missing_data_dir_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDTABLE_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError) as info:
        create_app({"INSTANCE_DIR": str(tmp_path / "instance")})
    assert "SANDTABLE_DATA_DIR" in str(info.value)
    assert "nowhere" in str(info.value)


def test_unknown_region_is_a_clear_error(tmp_path: Path, tiny_data: Path) -> None:
    with pytest.raises(NotFound, match="everest"):
        create_app({"INSTANCE_DIR": str(tmp_path), "DATA_DIR": str(tiny_data), "REGION": "everest"})


def test_invalid_settings_are_listed_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDTABLE_ONLINE_BASEMAPS", "maybe")
    monkeypatch.setenv("SANDTABLE_WARM_UP", "soon")
    with pytest.raises(ConfigError) as info:
        create_app({"INSTANCE_DIR": str(tmp_path), "REGION": "", "DATA_DIR": 7})
    details = info.value.details
    assert len(details) == 4
    assert any("SANDTABLE_ONLINE_BASEMAPS" in d for d in details)
    assert any("SANDTABLE_WARM_UP" in d for d in details)


def test_missing_vendor_assets_stop_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web.vendor, "VENDOR_DIR", tmp_path / "vendor")
    with pytest.raises(ConfigError) as info:
        create_app({"INSTANCE_DIR": str(tmp_path)})
    message = str(info.value)
    assert "npm ci && python -m web.vendor" in message
    assert "leaflet/leaflet.js" in message


# --- vendor assets --------------------------------------------------------------------------------


def test_copy_assets_from_node_modules(tmp_path: Path) -> None:
    node_modules = tmp_path / "node_modules"
    for package, files in web.vendor.ASSETS.items():
        (node_modules / package).mkdir(parents=True)
        (node_modules / package / "package.json").write_text('{"version": "9.9.9"}', "utf-8")
        for src, _ in files:
            (node_modules / package / src).parent.mkdir(parents=True, exist_ok=True)
            (node_modules / package / src).write_text(src, "utf-8")
    # a font stylesheet names its files (woff2 and a woff fallback) with url()
    for package, (css, _) in web.vendor.FONTS.items():
        (node_modules / package / "files").mkdir()
        (node_modules / package / css).write_text(
            "@font-face { src: url(./files/a.woff2) format('woff2'), url('./files/a.woff'); }\n"
            '@font-face { src: url("files/b.woff2") format("woff2"); }\n',
            "utf-8",
        )
        for name in ("a.woff2", "a.woff", "b.woff2"):
            (node_modules / package / "files" / name).write_bytes(b"wOF2")
    vendor = tmp_path / "vendor"
    (vendor / "stale").mkdir(parents=True)
    written = web.vendor.copy_assets(node_modules, vendor)
    assert web.vendor.missing_assets(vendor) == []
    fonts = 4 * len(web.vendor.FONTS)  # the stylesheet and its three files
    assert len(written) == sum(len(files) for files in web.vendor.ASSETS.values()) + fonts
    folder = web.vendor.FONTS["@fontsource/noto-sans-sc"][1]
    assert (vendor / folder / "files" / "b.woff2").read_bytes() == b"wOF2"
    (vendor / folder / "files" / "a.woff").unlink()
    assert web.vendor.missing_assets(vendor) == [f"{folder}/files/a.woff"]
    assert not (vendor / "stale").exists()
    versions = json.loads((vendor / "VERSIONS.json").read_text("utf-8"))
    assert versions["leaflet"] == "9.9.9"


def test_copy_assets_without_npm_ci_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="npm ci"):
        web.vendor.copy_assets(tmp_path / "node_modules", tmp_path / "vendor")


def test_installed_versions_match_package_json() -> None:
    pinned = json.loads((WEB_DIR.parent / "package.json").read_text("utf-8"))["dependencies"]
    installed = json.loads((web.vendor.VENDOR_DIR / "VERSIONS.json").read_text("utf-8"))
    assert installed == pinned


def test_no_cdn_urls_in_web() -> None:
    cdn = re.compile(r"https?://(cdn\.|cdnjs\.|code\.jquery|unpkg\.com|netdna\.|fonts\.googleapis)")
    own_files = [p for p in WEB_DIR.rglob("*") if p.is_file() and "vendor" not in p.parts]
    for path in own_files:
        if path.suffix in {".py", ".html", ".js", ".css"}:
            assert not cdn.search(path.read_text("utf-8")), path


# --- per-app caching and the page --------------------------------------------------------------


def test_network_is_built_once_per_data_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_data: Path
) -> None:
    calls = []
    real = rescue.route_data.build_network
    monkeypatch.setattr(rescue.route_data, "build_network", lambda r: calls.append(r) or real(r))
    rescue.route_data._networks.clear()
    client = signed_in_client(
        create_app({"INSTANCE_DIR": str(tmp_path), "DATA_DIR": str(tiny_data), "REGION": "tiny"})
    )
    for url in ("/api/health", "/api/routes", "/api/places", "/"):
        assert client.get(url).status_code == 200
    assert len(calls) == 1
    # a second app on the same data shares the build
    create_app({"INSTANCE_DIR": str(tmp_path / "b"), "DATA_DIR": str(tiny_data), "REGION": "tiny"})
    assert len(calls) == 1


def test_map_is_built_once_per_app(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = web.map.build_map
    monkeypatch.setattr(web.map, "build_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = client.get("/")
    second = client.get("/")
    assert first.status_code == second.status_code == 200
    # the same page but for the nonce of its inline scripts (new with every answer)
    nonce = re.compile(rb'nonce="[^"]+"')
    assert nonce.sub(b"", first.data) == nonce.sub(b"", second.data)
    assert nonce.search(first.data)
    assert len(calls) == 1


def test_map_page_loads_only_local_assets(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert url.startswith("/static/") or url.startswith("data:"), url
    # the files the page and its CSS load are served (static responses stream: close them)
    fonts = ["/static/vendor/fontawesome/webfonts/fa-solid-900.woff2"]
    for url in [u for u in urls if u.startswith("/static/")] + fonts:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_web_fonts_are_imported_by_the_stylesheet_and_served(client: FlaskClient) -> None:
    with client.get("/static/sandtable.css") as response:
        css = response.get_data(as_text=True)
    imports = re.findall(r'@import url\("([^"]+)"\)', css)
    assert sorted(imports) == sorted(f"vendor/{f}/{c}" for c, f in web.vendor.FONTS.values())
    families = set()
    for stylesheet in imports:
        with client.get(f"/static/{stylesheet}") as response:
            assert response.status_code == 200, stylesheet
            fonts_css = response.get_data(as_text=True)
        families |= set(re.findall(r"font-family: '([^']+)'", fonts_css))
        folder = stylesheet.rsplit("/", 1)[0]
        woff2 = re.findall(r"url\(\./(files/[^)]+\.woff2)\)", fonts_css)
        assert woff2, stylesheet
        for name in woff2[:3] + woff2[-3:]:
            with client.get(f"/static/{folder}/{name}") as response:
                assert response.status_code == 200 and response.mimetype == "font/woff2", name
    assert families == {"Noto Sans SC", "Noto Serif Tibetan"}
    # the page's font stack names them (after the local fonts)
    stack = re.search(r"--st-font: ([^;]+);", css)
    assert stack and all(f'"{family}"' in stack.group(1) for family in families)


def test_map_page_content(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Sandtable.init(" in html
    assert "冈仁波齐" in html and "Mount Kailash" in html
    assert 'data-set-lang="zh"' in html
    # online basemaps are offered, but only the offline one is added to the map at load
    assert "opentopomap.org" in html
    assert re.search(r"tile_layer_\w+\.addTo\(", html) is None


def test_map_page_without_online_basemaps(
    tmp_path_factory: pytest.TempPathFactory, seeded_database: Path
) -> None:
    instance = instance_with_database(tmp_path_factory, seeded_database)
    offline = create_app({"INSTANCE_DIR": str(instance), "ONLINE_BASEMAPS": False})
    html = signed_in_client(offline).get("/").get_data(as_text=True)
    assert "opentopomap" not in html and "tile.openstreetmap.org" not in html


def test_unknown_page_is_html_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
