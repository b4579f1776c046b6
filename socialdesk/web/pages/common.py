"""What every page shares: rendering inside the layout, flash messages, forms, safe redirects."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, unquote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from socialdesk.content import service as content
from socialdesk.core import clock
from socialdesk.core.errors import DomainError
from socialdesk.jobs import broker
from socialdesk.jobs.health import Liveness, alive_since
from socialdesk.notifications import service as notifications
from socialdesk.web.deps import Identity
from socialdesk.web.pages.layout_counts import layout_counts
from socialdesk.web.templating import templates
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Role
from socialdesk.workspaces.permissions import Permission, role_allows

FLASH_COOKIE = "sd_flash"
# A cookie holds about 4 KB; notes longer than this are cut rather than silently dropped by the browser.
_FLASH_MAX = 3000
T = TypeVar("T")


async def _form(request: Request) -> FormData:
    # Starlette caches the parsed form on the request, so the CSRF dependency and the page share one parse.
    return await request.form()


Form = Annotated[FormData, Depends(_form)]


def field(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


def fields(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def safe_local(url: str | None, default: str = "/") -> str:
    """Only paths on this site: `next=//evil.example` or `next=https://…` would send the user away."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return default
    return url


def ws_url(ctx: WorkspaceContext, path: str = "") -> str:
    return f"/w/{ctx.workspace_id}{path}"


def landing(workspace_id: str, role: Role) -> str:
    """The first page of a workspace for a role: the dashboard, or the approvals for a client reviewer."""
    if role_allows(role, Permission.POSTS_READ):
        return f"/w/{workspace_id}"
    if role_allows(role, Permission.POSTS_APPROVE):
        return f"/w/{workspace_id}/approvals"
    return f"/w/{workspace_id}/reports"


# Flash messages -----------------------------------------------------------------------------------


def redirect(url: str, *, notes: list[str] | None = None, errors: list[str] | None = None) -> RedirectResponse:
    """A 303 to `url` that shows `notes` and `errors` once on the next page rendered."""
    response = RedirectResponse(url, status_code=303)
    set_flash(response, notes=notes, errors=errors)
    return response


def set_flash(response: Response, *, notes: list[str] | None = None, errors: list[str] | None = None) -> None:
    if not notes and not errors:
        return
    payload = json.dumps({"notes": notes or [], "errors": errors or []})[:_FLASH_MAX]
    response.set_cookie(FLASH_COOKIE, quote(payload), httponly=True, samesite="lax", path="/")


def _take_flash(request: Request) -> dict[str, list[str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return {"notes": [], "errors": []}
    try:
        data = json.loads(unquote(raw))
        return {"notes": [str(n) for n in data.get("notes", [])], "errors": [str(e) for e in data.get("errors", [])]}
    except (ValueError, AttributeError):
        return {"notes": [], "errors": []}


# Rendering --------------------------------------------------------------------------------------


def identity_of(request: Request) -> Identity | None:
    return getattr(request.state, "identity", None)


def render(request: Request, template: str, *, ctx: WorkspaceContext | None = None, session: Session | None = None,
           status_code: int = 200, notes: list[str] | None = None, errors: list[str] | None = None,
           **context: Any) -> HTMLResponse:
    """A page inside the layout: the user, their workspaces, the nav counts and any flash messages."""
    identity = identity_of(request)
    flash = _take_flash(request)
    base: dict[str, Any] = {
        "identity": identity, "user": identity.user if identity else None,
        "csrf_token": identity.csrf_token if identity else "",
        "notes": flash["notes"] + (notes or []), "errors": flash["errors"] + (errors or []),
        **_workspace_vars(ctx),
    }
    db = ctx.session if ctx else session
    if identity and db is not None:
        base["workspaces"] = workspaces.workspaces_for(db, identity.user.id)
    if ctx is not None:
        base.update(_layout_numbers(ctx))
    response = templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def partial(request: Request, template: str, *, ctx: WorkspaceContext, status_code: int = 200,
            **context: Any) -> HTMLResponse:
    """An htmx fragment: no layout, but the same variables in reach as on a full page."""
    identity = identity_of(request)
    return templates.TemplateResponse(request, template, {"csrf_token": identity.csrf_token if identity else "",
                                                          **_workspace_vars(ctx), **context}, status_code=status_code)


def _workspace_vars(ctx: WorkspaceContext | None) -> dict[str, Any]:
    if ctx is None:
        return {"ctx": None, "ws": None, "tz": "UTC", "w": "", "can": {}}
    can = {p.name.lower(): ctx.can(p) for p in Permission}
    can["publish_directly"] = content.can_publish_directly(ctx)
    return {"ctx": ctx, "ws": ctx.workspace, "tz": ctx.workspace.timezone, "w": ws_url(ctx), "can": can}


# Acting ---------------------------------------------------------------------------------------------


def attempt(session: Session, action: Callable[[], T]) -> tuple[T | None, DomainError | None]:
    """Run a service call in a savepoint: on a domain error, undo only what it did and hand the error back.

    Pages that show an error next to the form (instead of the error page) catch it here; the request's
    unit of work still commits, so without the savepoint a half-done change could be committed.
    """
    try:
        with session.begin_nested():
            return action(), None
    except DomainError as exc:
        return None, exc


def _layout_numbers(ctx: WorkspaceContext) -> dict[str, Any]:
    """The nav badges and the alerts, with their counts read in one statement (layout_counts)."""
    counts = layout_counts(ctx.session, ctx.workspace_id, ctx.actor.user_id, alive_since(clock.now()))
    team = ctx.can(Permission.POSTS_READ)
    numbers: dict[str, Any] = {"approval_count": 0, "system_alerts": [], "my_unread": counts.my_unread}
    if team or ctx.can(Permission.POSTS_APPROVE):
        # A client reviewer sees only the posts and ad requests at their own step: counted the long way.
        posts = counts.posts_waiting if team else content.pending_approval_count(ctx)
        ads = 0
        if ctx.can(Permission.POSTS_APPROVE):
            ads = counts.ad_requests_waiting if ctx.role in (Role.OWNER, Role.ADMIN) else _ad_requests_waiting(ctx)
        numbers["approval_count"] = posts + ads
    if team:
        # Failed publications, channels to reconnect, a stopped runner: for the team, not for a client reviewer.
        live = Liveness(executing=counts.executing, schedulers=counts.schedulers, broker_mode=broker.enabled())
        numbers["system_alerts"] = notifications.alerts(ctx, live)
    return numbers


def _ad_requests_waiting(ctx: WorkspaceContext) -> int:
    """Boosts and ad pauses/resumes waiting for this person's approval step (they count in the nav badge)."""
    from socialdesk.campaigns import ad_requests

    return len(ad_requests.pending(ctx)) if ctx.can(Permission.POSTS_APPROVE) else 0


def act(ctx: WorkspaceContext, action: Callable[[], list[str] | None], *, back: str,
        done: str | None = None) -> RedirectResponse:
    """A button's POST: do it, then go back to the page it came from (or to `done`) saying what happened."""
    notes, error = attempt(ctx.session, action)
    if error is not None:
        return redirect(back, errors=[error.message])
    return redirect(done or back, notes=notes or [])
