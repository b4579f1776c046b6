"""Signing in and out, the start page, and switching workspaces."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialdesk.auth import service as auth
from socialdesk.auth import throttle
from socialdesk.core.config import get_settings
from socialdesk.core.errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from socialdesk.web.deps import SESSION_COOKIE, CurrentIdentity, DbSession, Identity, optional_identity
from socialdesk.web.pages.common import Form, field, landing, redirect, render, safe_local
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.permissions import Access, requires

router = APIRouter()
OptionalIdentity = Annotated[Identity | None, Depends(optional_identity)]


@router.get("/login")
@requires(Access.PUBLIC)
def login_form(request: Request, identity: OptionalIdentity, next: str = "/") -> Response:
    if identity is not None:
        return RedirectResponse(safe_local(next), status_code=303)
    return render(request, "login.html", next=safe_local(next), email="")


def _same_origin(request: Request) -> bool:
    """Login CSRF: a form on another site must not sign the visitor in (to the attacker's account).
    Browsers send Origin with every cross-site POST (Referer as a fallback in old ones); a client that
    sends neither is not a browser and cannot be made to post by another site."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None:
        return urlsplit(origin).netloc == host  # "null" (sandboxed frames, privacy redirects) fails too
    referer = request.headers.get("referer")
    return referer is None or urlsplit(referer).netloc == host


@router.post("/login")
@requires(Access.PUBLIC)
def login(request: Request, session: DbSession, form: Form) -> Response:
    next_url = safe_local(field(form, "next"))
    email = field(form, "email")
    if not _same_origin(request):
        raise Forbidden("This sign-in form was sent from another site. Open the sign-in page of this site and "
                        "sign in there.")
    address = request.client.host if request.client else None
    try:
        throttle.check(session, email, address)
        user = auth.authenticate(session, email, str(form.get("password") or ""))
    except TooManyRequests as exc:
        refused = render(request, "login.html", status_code=429, errors=[exc.message], next=next_url, email=email)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except Unauthorized as exc:
        throttle.record_failure(session, email, address)
        return render(request, "login.html", status_code=401, errors=[exc.message], next=next_url, email=email)
    throttle.record_success(session, email)
    new = auth.start_session(session, user)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(SESSION_COOKIE, new.cookie_value, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=get_settings().session_days * 86400, path="/")
    return response


@router.post("/logout")
@requires(Access.SIGNED_IN)
def logout(request: Request, identity: CurrentIdentity, session: DbSession) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        auth.end_session(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
@requires(Access.SIGNED_IN)
def home(request: Request, identity: CurrentIdentity, session: DbSession) -> Response:
    """The workspace used last, the only one there is, or the list to choose from."""
    mine = workspaces.workspaces_for(session, identity.user.id)
    roles = {w.id: role for w, role in mine}
    current = identity.user_session.current_workspace_id if identity.user_session else None
    if current in roles:
        return RedirectResponse(landing(current, roles[current]), status_code=303)
    if len(roles) == 1:
        [(only, role)] = roles.items()
        return RedirectResponse(landing(only, role), status_code=303)
    return render(request, "workspaces.html", session=session, choices=mine)


@router.post("/switch")
@requires(Access.SIGNED_IN)
def switch_workspace(identity: CurrentIdentity, session: DbSession, form: Form) -> Response:
    """The layout's workspace switcher: remember the choice for the next visit to `/`."""
    workspace_id = field(form, "workspace")
    roles = {w.id: role for w, role in workspaces.workspaces_for(session, identity.user.id)}
    if workspace_id not in roles:
        raise NotFound(f"No workspace with id {workspace_id}.")
    if identity.user_session is not None:
        # The session row is the user's own preference, not workspace data: no service owns it.
        identity.user_session.current_workspace_id = workspace_id
    return redirect(landing(workspace_id, roles[workspace_id]))
