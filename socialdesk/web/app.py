"""The FastAPI application: JSON API under /api/v1, HTML pages, static files, the embedded runner."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialdesk import __version__
from socialdesk.core import heap
from socialdesk.core.config import get_settings
from socialdesk.core.crypto import check_secret_key
from socialdesk.core.db import get_database
from socialdesk.core.errors import ConfigurationError, DomainError, TooManyRequests, Unauthorized
from socialdesk.web import api_docs
from socialdesk.web.bodies import RequestBodies
from socialdesk.web.headers import SecurityHeaders
from socialdesk.web.templating import templates

log = logging.getLogger("socialdesk.web")
STATIC = Path(__file__).parent / "static"


def served_app() -> FastAPI:
    """The app as `socialdesk serve` runs it (uvicorn factory; SOCIALDESK_RUN_JOBS set by the CLI)."""
    import os

    return create_app(run_jobs=os.environ.get("SOCIALDESK_RUN_JOBS") == "1")


def create_app(*, run_jobs: bool = False) -> FastAPI:
    """The app; with `run_jobs`, the embedded job runner runs inside it (demo and serve)."""
    settings = get_settings()
    check_secret_key(settings)  # fail at start-up, not at the first channel connect

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from socialdesk.channels.secrets import verify_secret_key

        try:
            verify_secret_key()  # a wrong key must stop the start, not fail every publication later
        except ConfigurationError as exc:
            log.error("%s", exc)
            raise
        runner = None
        if run_jobs:
            from socialdesk.jobs.runner import Runner

            runner = Runner(get_database(), threads=settings.runner_threads, poll_seconds=settings.runner_poll_seconds)
            runner.start()
            app.state.runner = runner
        heap.settle()  # the start-up's objects out of the full collections' walk (core/heap.py)
        yield
        heap.unsettle()
        if runner is not None:
            runner.stop()

    app = FastAPI(title="socialdesk", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Plan, write, approve, schedule, publish, answer and measure across networks. "
                              "Authenticate with `Authorization: Bearer <token>` (create tokens with "
                              "`socialdesk token create` or on the Settings page).")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    api_docs.install(app)  # /docs without a CDN
    # Outermost last: headers on every answer; whole bodies received before a request counts as in flight.
    app.add_middleware(ServerTiming)
    app.add_middleware(LoadShedding, max_in_flight=settings.web_max_requests)
    app.add_middleware(RequestBodies)
    app.add_middleware(SecurityHeaders)
    _include_routers(app)
    _install_error_handlers(app)
    return app


class ServerTiming:
    """Adds `Server-Timing: app;dur=<ms>` to every answer: the time until the response started."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", took)]}
            await send(message)

        await self.app(scope, receive, send_with_timing)


class LoadShedding:
    """Answer 503 at once when too many requests are already in flight in this process.

    Python serves requests on one core; past a few dozen at once they only queue, every request gets
    slower, and clients time out after the server has done the work anyway. Refusing early keeps the
    requests that are accepted fast. (Unlike uvicorn's limit_concurrency, idle keep-alive connections
    from browsers do not count, nor do clients still sending their body: RequestBodies, outside this,
    passes a request on only once its body has arrived.)
    """

    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            response = JSONResponse({"error": "busy", "message": "The server is busy; try again in a moment."},
                                    status_code=503, headers={"Retry-After": "1"})
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _include_routers(app: FastAPI) -> None:
    from fastapi import Depends
    from fastapi.routing import iter_route_contexts

    from socialdesk.web import api, pages
    from socialdesk.web.academy_clock import exercise_time
    from socialdesk.web.deps import check_route_params, check_route_permissions, route_guard

    guard = [Depends(route_guard), Depends(exercise_time)]
    app.include_router(api.router, dependencies=guard)
    app.include_router(pages.router, dependencies=guard)
    # Every route of ours (FastAPI's own /docs and /openapi.json, and the static files, are public).
    routes = [r for r in iter_route_contexts(app.router.routes)
              if r.endpoint is not None and not r.endpoint.__module__.startswith("fastapi.")]
    check_route_params([r.path for r in routes])
    check_route_permissions([(r.path, r.endpoint) for r in routes])


_STATUSES = {s.value for s in HTTPStatus}
# FastAPI's own words, where they do not say what to fix.
_FRAMEWORK_MESSAGES = {"There was an error parsing the body": "The request body could not be read: send JSON "
                                                              "(UTF-8) or a form, as the API documentation says."}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _wants_json(request):
            headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
            return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=headers)
        if isinstance(exc, Unauthorized) and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if request.headers.get("hx-request"):
            return templates.TemplateResponse(request, "partials/error.html", {"error": exc},
                                              status_code=exc.status_code, headers={"HX-Reswap": "innerHTML"})
        return templates.TemplateResponse(request, "error.html", {"error": exc}, status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Raised by the framework itself (a body that cannot be parsed, an unknown path or method): the API
        # answers in the same shape as every other refusal (web/api.py ErrorOut), not FastAPI's {"detail": …}.
        if not _wants_json(request):
            return await http_exception_handler(request, exc)
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_") if exc.status_code in _STATUSES else "error"
        message = _FRAMEWORK_MESSAGES.get(str(exc.detail), str(exc.detail))
        return JSONResponse({"error": code, "message": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        message = "; ".join(f"{p['where']}: {p['message']}" for p in problems)
        if _wants_json(request):
            return JSONResponse({"error": "invalid_request", "message": message, "details": problems},
                                status_code=422)
        from socialdesk.core.errors import ValidationFailed

        return await domain_error(request, ValidationFailed(message))
