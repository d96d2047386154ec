"""The map page (``GET /``)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from web.mapview import build_map
from web.state import get_state

__all__ = ["bp"]

bp = Blueprint("map", __name__)


@bp.get("/")
def index() -> str:
    state = get_state()
    page = state.cached(
        "map",
        lambda: build_map(
            state.network,
            static_url=url_for("static", filename="").rstrip("/"),
            online_basemaps=state.settings.online_basemaps,
        ),
    )
    return render_template("map.html", page=page, region=page.client_config["region"])
