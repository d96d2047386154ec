"""The dispatch page (``GET /incidents``): from the call to the dispatch, and the open incidents.

Call takers type what the caller says, pick where they are among the locate
candidates, choose a station by its ETA and dispatch (officers); officers follow every
open incident on a live list and a map, and move it along its statuses.
``static/incidents.js`` does the work against ``/api/incidents``, ``/api/locate``,
``/api/approach`` and ``/api/segments``. The page itself carries only the region's
name and extent, the vocabulary of the forms, the time targets from the settings, the
signed-in user and the CSRF token. Call takers and officers (and admins) may open it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from rescue import catalog
from rescue.incidents import CAUSES, LANGUAGES, OUTCOMES, PRIORITIES, STATUSES
from web.auth import csrf_token, current_user, require_role
from web.state import get_state

__all__ = ["CAUSE_LABELS", "LANGUAGE_LABELS", "PRIORITY_LABELS", "REFRESH_S", "bp"]

bp = Blueprint("incidents_page", __name__)

#: how often the page reloads the list of open incidents
REFRESH_S = 10
#: the options of the form, "English / 中文" (an <option> holds text only)
CAUSE_LABELS = {
    "altitude_sickness": "altitude sickness / 高原反应",
    "injury": "injury / 受伤",
    "exhaustion": "exhaustion / 体力不支",
    "illness": "illness / 疾病",
    "lost": "lost / 迷路",
    "weather": "weather / 天气",
    "vehicle": "vehicle / 车辆",
    "other": "other / 其他",
}
PRIORITY_LABELS = {
    "low": "low / 低",
    "normal": "normal / 普通",
    "high": "high / 高",
    "critical": "critical / 危急",
}
LANGUAGE_LABELS = {
    "zh": "Chinese / 中文",
    "en": "English / 英语",
    "bo": "Tibetan / 藏语",
    "mixed": "mixed / 混合",
}


@bp.get("/incidents")
@require_role("call_taker", "officer")
def incidents() -> str:
    state = get_state()
    region = state.cached("incidents-region", lambda: catalog.region_summary(state.network))
    user = current_user()
    config: dict[str, Any] = {
        "region": {"bbox": region.get("bbox")},
        "role": user.role if user else None,
        "statuses": list(STATUSES),
        "outcomes": list(OUTCOMES),
        "causes": list(CAUSES),
        "priorities": list(PRIORITIES),
        "languages": list(LANGUAGES),
        "dispatch_target_s": state.settings.dispatch_target_s,
        "on_scene_allowance_s": state.settings.on_scene_allowance_s,
        "refresh_s": REFRESH_S,
    }
    return render_template(
        "incidents.html",
        region=region,
        config=config,
        causes=[(c, CAUSE_LABELS.get(c, c)) for c in CAUSES],
        priorities=[(p, PRIORITY_LABELS.get(p, p)) for p in PRIORITIES],
        languages=[(code, LANGUAGE_LABELS.get(code, code)) for code in LANGUAGES],
        user=user,
        csrf_token=csrf_token(),
    )
