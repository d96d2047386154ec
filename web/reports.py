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

from typing import Any, Literal

from flask import Blueprint, Response, jsonify, render_template
from pydantic import BaseModel, ConfigDict, Field

from rescue import catalog
from rescue.incidents import CAUSES, OUTCOMES, PRIORITIES, STATUSES
from rescue.reports import DEFAULT_DAYS, Period, Reports, csv_filename, parse_period
from web.answer_parts import Time
from web.auth import csrf_token, current_user, require_role
from web.contract import api_operation
from web.state import get_state

__all__ = ["PRESET_DAYS", "ReportHeat", "ReportSummary", "bp"]

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


# --------------------------------------------------------------------------- answers
class ReportPeriod(BaseModel):
    """The period ``[from, to)`` a report covers."""

    model_config = ConfigDict(populate_by_name=True)

    start: Time = Field(alias="from")
    to: Time = Field(description="excluded")
    days: float
    time_zone: str = Field(description="the zone of the times and days (Asia/Shanghai)")


class DayCount(BaseModel):
    """The incidents received on one day (Beijing time)."""

    date: str = Field(description="YYYY-MM-DD")
    count: int


class SegmentCount(BaseModel):
    """The incidents located on one segment, and how many of them were assigned a team."""

    segment_id: str
    route_id: str | None
    name_en: str | None
    name_zh: str | None
    count: int
    assigned: int


class TimeBin(BaseModel):
    """How many response times fell in ``[from_s, to_s)`` (``to_s`` null: and longer)."""

    from_s: int
    to_s: int | None
    count: int


class TimeDistribution(BaseModel):
    """Response times of the period: how many, their median, p90 and longest, and the
    share within the target (null without a target or a time)."""

    count: int
    p50_s: int | None
    p90_s: int | None
    max_s: int | None
    target_s: int | None
    within_target_share: float | None
    bins: list[TimeBin]


class OnSceneVsEta(BaseModel):
    """How many teams arrived within the planned ETA plus ``allowance_s``."""

    allowance_s: int
    count: int
    within_share: float | None


class ResponseTimes(BaseModel):
    """Receipt to dispatch, dispatch to on scene, receipt to on scene, and ETA kept."""

    receipt_to_dispatch: TimeDistribution
    dispatch_to_on_scene: TimeDistribution
    receipt_to_on_scene: TimeDistribution
    on_scene_vs_eta: OnSceneVsEta


class ReportSummary(BaseModel):
    """``GET /api/reports/summary``: counts (by status, outcome, cause, priority, day,
    segment) and response times of the period (:meth:`rescue.reports.Reports.summary`)."""

    region_id: str
    period: ReportPeriod
    totals: dict[str, int]
    by_status: dict[str, int]
    by_outcome: dict[str, int]
    by_cause: dict[str, int]
    by_priority: dict[str, int]
    by_day: list[DayCount]
    by_segment: list[SegmentCount]
    response_times: ResponseTimes


class SegmentHeat(BaseModel):
    """A heat feature that is a segment: its layer names and ``incidents``, the count."""

    kind: Literal["segment"]
    segment_id: str
    route_id: str | None
    name: str | None
    name_zh: str | None
    incidents: int


class IncidentHeat(BaseModel):
    """A heat feature that is an incident's point (``assigned``: its ``segment_id`` is the
    nearest segment, not one the call taker confirmed)."""

    kind: Literal["incident"]
    incident_id: int
    received_at: Time
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})
    cause: str | None = Field(json_schema_extra={"enum": [*CAUSES, None]})
    priority: str = Field(json_schema_extra={"enum": list(PRIORITIES)})
    segment_id: str | None
    assigned: bool
    place: str | None


class HeatFeature(BaseModel):
    """A segment with its incident count, or an incident's point."""

    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] = Field(description="a GeoJSON geometry (WGS84)")
    properties: SegmentHeat | IncidentHeat = Field(discriminator="kind")


class ReportHeat(BaseModel):
    """``GET /api/reports/heat``: segments with their incident counts and the incident
    points of the period (GeoJSON)."""

    type: Literal["FeatureCollection"]
    period: ReportPeriod
    max_incidents: int
    features: list[HeatFeature]


@api_operation(
    bp,
    "GET",
    "/api/reports/summary",
    summary="incident counts and response times of a period",
    roles=_ROLES,
    query=PeriodQuery,
    ok={200: ReportSummary},
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
    ok={200: {"application/geo+json": ReportHeat}},
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
