"""Offline API documentation: Swagger UI at ``/docs`` and ReDoc at ``/redoc`` from the files
vendored from npm (``swagger-ui-dist``, ``redoc``; ``make vendor``) under
``/static/vendor`` -- FastAPI's defaults load them from a CDN, which leaves the pages blank
without internet. No Google Fonts, no remote favicon: every request stays on this server.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html

VENDOR = "/static/vendor"
#: The docs pages' policy: everything from this server (FastAPI's page starts Swagger UI / ReDoc
#: with an inline script; ReDoc searches in a blob: worker and its "by Redocly" footer would
#: load a logo from its CDN -- the browser blocks that request before it leaves).
CSP_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def add_offline_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from the vendored assets (create the app with
    ``docs_url=None, redoc_url=None``)."""
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
        return _strict(
            get_swagger_ui_html(
                openapi_url=app.openapi_url,
                title=title,
                swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
                swagger_favicon_url=f"{VENDOR}/swagger-ui/favicon-32x32.png",
            )
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc():
        return _strict(
            get_redoc_html(
                openapi_url=app.openapi_url,
                title=title,
                redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
                redoc_favicon_url=f"{VENDOR}/swagger-ui/favicon-32x32.png",
                with_google_fonts=False,
            )
        )


def _strict(response):
    response.headers["Content-Security-Policy"] = CSP_DOCS
    return response
