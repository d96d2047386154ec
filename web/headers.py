"""Security headers on every answer, and the nonce of the pages' inline scripts.

Every response carries:

* ``Content-Security-Policy``: scripts only from the app (``'self'``) or inline with
  this request's nonce (the pages' JSON frame and folium's map script), nothing
  framed and nothing framing the app (``frame-ancestors 'none'``), no plugins, forms
  posting only to the app, images from the app (plus ``data:``/``blob:`` for Leaflet
  and the online base maps' tile servers when ``online_basemaps`` is on). Styles allow
  ``'unsafe-inline'``: Leaflet and folium write ``style`` attributes in HTML they build;
  an injected style cannot run code. All assets are local (``python -m web.vendor``).
* ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` and
  ``Cross-Origin-Opener-Policy: same-origin``.

A template marks an inline ``<script>`` with ``nonce="{{ csp_nonce() }}"``; HTML made
by the app itself (folium's header) gets it with the ``|nonced`` filter.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g
from markupsafe import Markup

from web.mapview import ONLINE_BASEMAPS

__all__ = ["content_security_policy", "csp_nonce", "install", "nonced"]

_STATIC_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_OPEN_TAG = re.compile(r"<(script|style)(?=[\s>])", re.IGNORECASE)


def csp_nonce() -> str:
    """This request's nonce for inline scripts (made on first use)."""
    nonce: str | None = g.get("csp_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        g.csp_nonce = nonce
    return nonce


def nonced(html: str) -> Markup:
    """The app's own trusted ``html`` with this request's nonce on every script and style tag."""
    nonce = csp_nonce()
    return Markup(_OPEN_TAG.sub(lambda m: f'<{m.group(1)} nonce="{nonce}"', str(html)))


def tile_sources() -> tuple[str, ...]:
    """The CSP sources of the online base maps' tile servers (``{s}`` becomes ``*``)."""
    sources = []
    for *_, url, _attribution, _zoom in ONLINE_BASEMAPS:
        parts = urlsplit(url.replace("{s}", "*"))
        sources.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(dict.fromkeys(sources))


def content_security_policy(nonce: str | None, *, online_basemaps: bool) -> str:
    """The policy of one answer (``nonce`` None when no page script asked for one)."""
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    images = " ".join(("'self'", "data:", "blob:", *(tile_sources() if online_basemaps else ())))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def install(app: Flask, *, online_basemaps: bool) -> None:
    """Add the headers to every answer of ``app`` and ``csp_nonce``/``nonced`` to its templates."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["nonced"] = nonced

    def add_headers(response: Response) -> Response:
        for name, value in _STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault(
            "Content-Security-Policy",
            content_security_policy(g.get("csp_nonce"), online_basemaps=online_basemaps),
        )
        return response

    app.after_request(add_headers)
