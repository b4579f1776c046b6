"""Accepting an invitation from its e-mailed link: signed in already, or as a new person setting a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.auth import service as auth
from socialdesk.auth.models import User
from socialdesk.core.config import get_settings
from socialdesk.core.errors import DomainError, ValidationFailed
from socialdesk.web.deps import SESSION_COOKIE, DbSession, Identity, optional_identity
from socialdesk.web.pages.common import Form, attempt, field, landing, redirect, render
from socialdesk.workspaces import invitations
from socialdesk.workspaces.models import Role
from socialdesk.workspaces.permissions import Access, requires

router = APIRouter()
OptionalIdentity = Annotated[Identity | None, Depends(optional_identity)]


def _page(request: Request, session: DbSession, identity: Identity | None, secret: str, *,
          errors: list[str] | None = None, status_code: int = 200, name: str = "") -> HTMLResponse:
    try:
        opened = invitations.open_link(session, secret)
    except DomainError as exc:
        return render(request, "invitation.html", session=session, opened=None, errors=[exc.message],
                      status_code=exc.status_code)
    return render(request, "invitation.html", session=session, opened=opened, secret=secret, errors=errors,
                  status_code=status_code, name=name,
                  same_person=identity is not None and identity.user.email == opened.invitation.email,
                  min_password=auth.MIN_PASSWORD_LENGTH)


@router.get("/invitations/{invitation_token}", response_class=HTMLResponse, name="invitation_page")
@requires(Access.PUBLIC)
def invitation_page(request: Request, invitation_token: str, session: DbSession,
                    identity: OptionalIdentity) -> HTMLResponse:
    return _page(request, session, identity, invitation_token)


@router.post("/invitations/{invitation_token}")
@requires(Access.PUBLIC)
def accept(request: Request, invitation_token: str, session: DbSession, identity: OptionalIdentity,
           form: Form) -> Response:
    role = Role(invitations.open_link(session, invitation_token).invitation.role)
    if identity is not None:
        workspace = invitations.accept(session, invitation_token, identity.user)
        return redirect(landing(workspace.id, role), notes=[f"Welcome to {workspace.name}."])

    def join() -> tuple[User, str, str]:
        if str(form.get("password") or "") != str(form.get("password_again") or ""):
            raise ValidationFailed("The two passwords differ: type the same password twice.")
        user, workspace = invitations.accept_as_new_user(session, invitation_token, field(form, "name"),
                                                         str(form.get("password") or ""))
        return user, workspace.id, workspace.name

    joined, error = attempt(session, join)
    if error is not None or joined is None:
        return _page(request, session, None, invitation_token, errors=[error.message] if error else None,
                     status_code=error.status_code if error else 400, name=field(form, "name"))
    user, workspace_id, workspace_name = joined
    response = redirect(landing(workspace_id, role), notes=[f"Welcome to {workspace_name}."])
    new = auth.start_session(session, user)
    response.set_cookie(SESSION_COOKIE, new.cookie_value, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=get_settings().session_days * 86400, path="/")
    return response

