"""The API's page (/docs, Swagger UI), served from this machine.

FastAPI's own pages load their scripts from a CDN and are blank offline. The `fastapi-offline` package
ships Swagger UI's files; we serve them under /docs-assets. The page is our own template with no
inline script (the start-up code is static/api-docs.js), so a strict Content-Security-Policy
(`script-src 'self'`) does not break it. There is no /redoc: ReDoc fetches its logo from its CDN.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from socialdesk.web.templating import templates
from socialdesk.workspaces.permissions import Access, requires

ASSETS_URL = "/docs-assets"
# swagger-ui-bundle.js, swagger-ui.css and favicon.png, as the package ships them.
ASSETS = Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serve /docs offline; `app` must be made with docs_url=None and redoc_url=None."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    @requires(Access.PUBLIC)  # like /openapi.json: the API's description holds no one's data
    def swagger_ui(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "api_docs.html", {
            "title": f"{app.title} API", "assets": ASSETS_URL, "openapi_url": app.openapi_url})

