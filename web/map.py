"""The map page (``GET /``): for call takers, officers and planners (and admins)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from rescue.capability import NEEDS
from web.auth import csrf_token, current_user, require_role
from web.mapview import build_map
from web.state import get_state

__all__ = ["bp"]

bp = Blueprint("map", __name__)


@bp.get("/")
@require_role("call_taker", "officer", "planner")
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
    return render_template(
        "map.html",
        page=page,
        region=page.client_config["region"],
        user=current_user(),
        csrf_token=csrf_token(),
        needs=[n.to_dict() for n in NEEDS.values()],
    )
