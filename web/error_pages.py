"""The HTML error pages of page (non-``/api``) routes: the app's look, English and Chinese.

Both languages are in the page; the one shown first is chosen from ``Accept-Language``
and then from the language switch every Sandtable page stores in ``localStorage``
(``static/lang.js``). Each page offers a way back: the pages the signed-in user's role
may open, or the log-in page. ``/api`` keeps the JSON envelope of :mod:`web.errors`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Response, render_template, request, url_for

__all__ = ["ErrorText", "TEXTS", "error_page"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorText:
    """What an error page says, in both languages."""

    title_en: str
    title_zh: str
    text_en: str
    text_zh: str


TEXTS: dict[int, ErrorText] = {
    401: ErrorText(
        "Sign in first",
        "请先登录",
        "This page is for signed-in users only.",
        "此页面仅供已登录用户使用。",
    ),
    403: ErrorText(
        "Not allowed",
        "无权访问",
        "Your role may not open this page or do this here, or the form was too old "
        "(reload the page and try again).",
        "您的角色无权打开此页面或执行此操作，或表单已过期（请刷新页面后重试）。",
    ),
    404: ErrorText(
        "Page not found",
        "页面不存在",
        "There is no page at this address.",
        "此地址没有页面。",
    ),
    405: ErrorText(
        "Not possible here",
        "不支持此操作",
        "This address does not take this kind of request.",
        "此地址不接受此类请求。",
    ),
    413: ErrorText(
        "Too large",
        "内容过大",
        "What was sent is larger than this server accepts. Nothing was changed.",
        "提交的内容超过了服务器接受的大小。未作任何更改。",
    ),
    422: ErrorText(
        "Not accepted",
        "无法接受",
        "What was sent could not be used; the reason is below. Nothing was changed.",
        "提交的内容无法使用，原因见下。未作任何更改。",
    ),
    500: ErrorText(
        "Something went wrong",
        "出错了",
        "The error has been logged. Try again, or go back to another page.",
        "错误已记录。请重试，或返回其他页面。",
    ),
}
_OTHER = ErrorText(
    "Request refused",
    "请求被拒绝",
    "The server could not answer this request.",
    "服务器无法处理此请求。",
)

#: (endpoint, icon, English, Chinese): the pages offered as a way back, in this order
_PAGES = (
    ("map.index", "fa-map", "Map", "地图"),
    ("incidents_page.incidents", "fa-headset", "Dispatch", "接警调度"),
    ("reports.reports_page", "fa-chart-column", "Reports", "报告"),
    ("planner_page.planner", "fa-pen-ruler", "Planner", "规划"),
)


def error_page(
    status: int,
    headers: dict[str, str] | None = None,
    *,
    detail: str | dict[str, str] | None = None,
) -> Response:
    """The styled, bilingual error page for ``status`` (an HTML response with that code).

    ``headers`` are added to the response (``Allow`` of a 405); ``detail`` is the error's
    user-safe message (what was wrong with the request), shown under the text: one text, or
    ``{"en": ..., "zh": ...}`` shown in the page's language.
    """
    # imported here: web.auth imports web.errors, which imports this module
    from web.auth import csrf_token, current_user, may_open
    from web.errors import request_language

    try:
        user = current_user()
    except Exception:  # the database may be what failed; the page must still render
        log.exception("no user for the error page at %s", request.path)
        user = None
    links: list[dict[str, str]] = []
    if user is not None:
        links = [
            {"href": url_for(endpoint), "icon": icon, "en": en, "zh": zh}
            for endpoint, icon, en, zh in _PAGES
            if may_open(endpoint)
        ]
    if user is None or status in (401, 403):
        links.append(
            {
                "href": url_for("auth.login_page", next=request.full_path.rstrip("?"))
                if status in (401, 403)
                else url_for("auth.login_page"),
                "icon": "fa-right-to-bracket",
                "en": "Sign in" if user is None else "Sign in as another user",
                "zh": "登录" if user is None else "换个用户登录",
            }
        )
    lang = request_language()
    html = render_template(
        "error.html",
        status=status,
        text=TEXTS.get(status, _OTHER),
        links=links,
        detail={"en": detail, "zh": detail} if isinstance(detail, str) else detail,
        lang=lang,
        user=user,
        csrf_token=csrf_token() if user is not None else "",
    )
    response = Response(html, status=status, mimetype="text/html")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
