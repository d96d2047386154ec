"""The planners' page (``GET /planner``): imports, feature edits and the version history.

The page is a plain Leaflet map (the vendored assets, served by the app) and one side
panel; ``static/planner.js`` does the work against the JSON APIs of
:mod:`web.planner_api` and :mod:`web.imports_api`. The page itself carries only the
region's name, extent and counts, the vocabulary of the forms, the signed-in user and
the CSRF token. Only planners (and admins) may open it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from geodata.capabilities import CAPABILITIES
from rescue import catalog
from web.auth import csrf_token, current_user, require_role
from web.relief_api import MAX_RELIEF_BYTES
from web.state import get_state

__all__ = ["CAPABILITIES", "PLACE_TYPES", "bp"]

bp = Blueprint("planner_page", __name__)

#: the place types offered in the form (a stored value outside these is kept and shown)
PLACE_TYPES = (
    "town",
    "trailhead",
    "sacred_site",
    "monastery",
    "supply_point",
    "medical_post",
    "prostration_point",
    "bridge",
    "guesthouse",
    "summit",
    "lake",
    "police_station",
    "road_junction",
    "pass",
    "viewpoint",
    "other",
)


@bp.get("/planner")
@require_role("planner")
def planner() -> str:
    state = get_state()
    region = state.cached("planner-region", lambda: catalog.region_summary(state.network))
    config: dict[str, Any] = {
        "region": region,
        "capabilities": list(CAPABILITIES),
        "place_types": list(PLACE_TYPES),
    }
    return render_template(
        "planner.html",
        region=region,
        config=config,
        user=current_user(),
        csrf_token=csrf_token(),
        relief_max_mb=MAX_RELIEF_BYTES // 1_000_000,
    )
