"""The academy pages: exercises to start and your progress (/academy), and an exercise's own page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialdesk.academy import catalog, service
from socialdesk.academy.scoring import CATEGORIES
from socialdesk.core import clock
from socialdesk.core.db import get_database
from socialdesk.core.errors import DomainError, ValidationFailed
from socialdesk.web.deps import Ctx, CurrentIdentity, DbSession
from socialdesk.web.pages.common import Form, field, render, ws_url
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter()


@router.get("/academy", response_class=HTMLResponse)
@requires(Access.SIGNED_IN)
def academy_page(request: Request, session: DbSession, identity: CurrentIdentity) -> HTMLResponse:
    user_id = identity.user.id
    return render(request, "academy.html", session=session, exercises=catalog.shipped(),
                  runs=service.runs_of(session, user_id), progress=service.progress_of(session, user_id))


@router.post("/academy/start")
@requires(Access.SIGNED_IN)
def start_exercise(request: Request, session: DbSession, identity: CurrentIdentity, form: Form) -> Response:
    slug = field(form, "exercise")
    # The exercise is made in units of work of its own (as a command would): end the request's first, so on
    # SQLite they do not wait for its write lock.
    session.commit()
    try:
        started = service.start(get_database(), slug, identity.user.email)
    except DomainError as exc:
        return render(request, "academy.html", session=session, exercises=catalog.shipped(),
                      runs=service.runs_of(session, identity.user.id),
                      progress=service.progress_of(session, identity.user.id), errors=[exc.message],
                      status_code=exc.status_code)
    return RedirectResponse(f"/w/{started.workspace_id}/academy", status_code=303)


def _page(request: Request, ctx: Ctx, errors: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    run = service.run_of_workspace(ctx.session, ctx.workspace_id)
    if run is None:
        return render(request, "academy_exercise.html", ctx=ctx, section="academy", run=None)
    ex = service.exercise_of(run)
    now = clock.utc(run.sim_now)
    start = clock.utc(run.sim_start)
    day = (now - start).total_seconds() / 86400
    reached = [c for c in ex.checkpoints if c.day <= day + 1e-9]
    return render(request, "academy_exercise.html", ctx=ctx, section="academy", run=run, ex=ex, sim_now=now,
                  day=day, reached=reached, end=service.end_of(run), categories=CATEGORIES, errors=errors,
                  status_code=status_code)


@router.get("/w/{workspace_id}/academy", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def exercise_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return _page(request, ctx)


@router.get("/w/{workspace_id}/academy/clock", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def exercise_clock(request: Request, ctx: Ctx) -> HTMLResponse:
    """The clock's fragment; while the clock runs, the world is caught up with it first."""
    run = service.run_of_workspace(ctx.session, ctx.workspace_id)
    if run is not None and run.running and run.finished_at is None and ctx.can(Permission.POSTS_WRITE):
        ctx.session.commit()  # end the read snapshot, so the refresh sees what the tick wrote
        service.tick(get_database(), run.id)
        ctx.session.refresh(run)
    return render(request, "academy_clock.html", ctx=ctx, run=run,
                  sim_now=clock.utc(run.sim_now) if run else None, end=service.end_of(run) if run else None)


ACTIONS = ("run", "pause", "hour", "day", "finish")


@router.post("/w/{workspace_id}/academy/clock")
@requires(Permission.POSTS_WRITE)
def move_clock(request: Request, ctx: Ctx, form: Form) -> Response:
    run = service.run_of_workspace(ctx.session, ctx.workspace_id)
    action = field(form, "action")
    try:
        if run is None:
            raise ValidationFailed("This workspace is not an academy exercise.")
        if action not in ACTIONS:
            raise ValidationFailed(f"Unknown clock action {action!r}; use one of {', '.join(ACTIONS)}.")
        db = get_database()
        ctx.session.commit()  # the clock moves in units of work of its own (publishing, inbox, metrics)
        if action in ("run", "pause"):
            service.set_running(db, run.id, action == "run")
        elif action == "hour":
            service.step(db, run.id, hours=1)
        elif action == "day":
            service.step(db, run.id, days=1)
        else:
            service.finish(db, run.id)
    except DomainError as exc:
        ctx.session.expire_all()
        return _page(request, ctx, errors=[exc.message], status_code=exc.status_code)
    return RedirectResponse(ws_url(ctx, "/academy"), status_code=303)
