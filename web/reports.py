"""Incident reports (see :mod:`rescue.reports`): the page and its JSON and CSV.

* ``GET /reports`` — the page: period picker, summary cards, charts, CSV link, heat map.
* ``GET /api/reports/summary?from=&to=`` — totals, counts and response times (JSON).
* ``GET /api/reports/incidents.csv?from=&to=`` — one row per incident (UTF-8 with BOM).
* ``GET /api/reports/heat?from=&to=`` — GeoJSON: segments with their incident counts,
  and the incident points.

``from`` and ``to`` are ISO-8601 dates or times (without an offset, Beijing time, as
everywhere in Sandtable); the period is ``[from, to)``, by default the last 30 days; a
bad value is a 422.
Officers and planners (and admins) only: anonymous callers get 401, others 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template
from pydantic import BaseModel, ConfigDict, Field

from rescue import catalog
from rescue.incidents import CAUSES, OUTCOMES, PRIORITIES, STATUSES
from rescue.reports import DEFAULT_DAYS, Period, Reports, csv_filename, parse_period
from web.auth import csrf_token, current_user, require_role
from web.contract import api_operation
from web.state import get_state

__all__ = ["PRESET_DAYS", "bp"]

bp = Blueprint("reports", __name__)

#: the period presets of the page, in days
PRESET_DAYS = (7, 30, 365)
_ROLES = ("officer", "planner")


def _reports() -> Reports:
    state = get_state()
    return Reports(
        state.store.reader,
        region_id=state.region_id,
        network=state.network,
        dispatch_target_s=state.settings.dispatch_target_s,
        on_scene_allowance_s=state.settings.on_scene_allowance_s,
    )


class PeriodQuery(BaseModel):
    """``?from=&to=``: the period ``[from, to)`` of a report (read by
    :func:`rescue.reports.parse_period`, which names a bad value in both languages)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: str | None = Field(
        default=None,
        alias="from",
        description="ISO-8601 date or time; no offset: Beijing time",
    )
    to: str | None = Field(default=None, description="ISO-8601 date or time, excluded; default now")

    def period(self) -> Period:
        """The period asked for."""
        return parse_period(self.start, self.to)


@bp.get("/reports")
@require_role(*_ROLES)
def reports_page() -> str:
    state = get_state()
    region = state.cached("planner-region", lambda: catalog.region_summary(state.network))
    config: dict[str, Any] = {
        "region": {"bbox": region.get("bbox")},
        "presets_days": list(PRESET_DAYS),
        "default_days": DEFAULT_DAYS,
        "statuses": list(STATUSES),
        "outcomes": [*OUTCOMES, "none"],
        "causes": [*CAUSES, "unknown"],
        "priorities": list(PRIORITIES),
        "dispatch_target_s": state.settings.dispatch_target_s,
        "on_scene_allowance_s": state.settings.on_scene_allowance_s,
    }
    return render_template(
        "reports.html", region=region, config=config, user=current_user(), csrf_token=csrf_token()
    )


# --------------------------------------------------------------------------- OpenAPI
_INT = {"type": "integer"}
_NULL_INT = {"type": ["integer", "null"]}
_NULL_STR = {"type": ["string", "null"]}
_COUNTS = {"type": "object", "additionalProperties": _INT}


def _object(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props)}


_DISTRIBUTION = _object(
    {
        "count": _INT,
        "p50_s": _NULL_INT,
        "p90_s": _NULL_INT,
        "max_s": _NULL_INT,
        "target_s": _NULL_INT,
        "within_target_share": {"type": ["number", "null"]},
        "bins": {
            "type": "array",
            "items": _object({"from_s": _INT, "to_s": _NULL_INT, "count": _INT}),
        },
    }
)
_PERIOD = _object(
    {"from": {"type": "string"}, "to": {"type": "string"}, "days": {"type": "number"}}
)
_SUMMARY = _object(
    {
        "region_id": {"type": "string"},
        "period": _PERIOD,
        "totals": {"type": "object", "additionalProperties": _INT},
        "by_status": _COUNTS,
        "by_outcome": _COUNTS,
        "by_cause": _COUNTS,
        "by_priority": _COUNTS,
        "by_day": {"type": "array", "items": _object({"date": {"type": "string"}, "count": _INT})},
        "by_segment": {
            "type": "array",
            "items": _object(
                {
                    "segment_id": {"type": "string"},
                    "route_id": _NULL_STR,
                    "name_en": _NULL_STR,
                    "name_zh": _NULL_STR,
                    "count": _INT,
                    "assigned": _INT,
                }
            ),
        },
        "response_times": _object(
            {
                "receipt_to_dispatch": _DISTRIBUTION,
                "dispatch_to_on_scene": _DISTRIBUTION,
                "receipt_to_on_scene": _DISTRIBUTION,
                "on_scene_vs_eta": _object(
                    {
                        "allowance_s": _INT,
                        "count": _INT,
                        "within_share": {"type": ["number", "null"]},
                    }
                ),
            }
        ),
    }
)
_HEAT = _object(
    {
        "type": {"const": "FeatureCollection"},
        "period": _PERIOD,
        "max_incidents": _INT,
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"const": "Feature"},
                    "id": {"type": "string"},
                    "geometry": {"type": "object"},
                    "properties": {
                        "type": "object",
                        "properties": {"kind": {"enum": ["segment", "incident"]}},
                        "required": ["kind"],
                    },
                },
                "required": ["type", "id", "geometry", "properties"],
            },
        },
    }
)


@api_operation(
    bp,
    "GET",
    "/api/reports/summary",
    summary="incident counts and response times of a period",
    roles=_ROLES,
    query=PeriodQuery,
    ok={200: {"application/json": _SUMMARY}},
)
def summary(query: PeriodQuery) -> Response:
    return jsonify(_reports().summary(query.period()))


@api_operation(
    bp,
    "GET",
    "/api/reports/heat",
    summary="segments with their incident counts, and the incident points (GeoJSON)",
    roles=_ROLES,
    query=PeriodQuery,
    ok={200: {"application/geo+json": _HEAT}},
)
def heat(query: PeriodQuery) -> Response:
    response = jsonify(_reports().heat(query.period()))
    response.mimetype = "application/geo+json"
    return response


@api_operation(
    bp,
    "GET",
    "/api/reports/incidents.csv",
    summary="the incidents of a period as CSV (UTF-8 with BOM)",
    roles=_ROLES,
    query=PeriodQuery,
    ok={200: {"text/csv": {"type": "string"}}},
)
def incidents_csv(query: PeriodQuery) -> Response:
    period = query.period()
    return Response(
        _reports().csv(period).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{csv_filename(period)}"',
            "Cache-Control": "no-store",
        },
    )
