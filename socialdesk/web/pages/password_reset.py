"""Forgot your password: ask for a link by e-mail, then choose a new password through it (auth/password_reset)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socialdesk.auth import password_reset
from socialdesk.auth.service import MIN_PASSWORD_LENGTH
from socialdesk.core.errors import DomainError, Forbidden, TooManyRequests
from socialdesk.web.deps import DbSession
from socialdesk.web.pages.auth import _same_origin
from socialdesk.web.pages.common import Form, field, render, set_flash
from socialdesk.workspaces.permissions import Access, requires

router = APIRouter()
SENT = ("If an account uses that address, an e-mail with a link to choose a new password is on its way. "
        "The link works once, for an hour.")


def _link(request: Request, secret: str) -> str:
    return str(request.url_for("password_reset_page", token=secret))


@router.get("/password-reset", response_class=HTMLResponse)
@requires(Access.PUBLIC)
def ask_page(request: Request) -> HTMLResponse:
    return render(request, "password_reset.html", step="ask", email="")


@router.post("/password-reset", response_class=HTMLResponse)
@requires(Access.PUBLIC)
def ask(request: Request, session: DbSession, form: Form) -> HTMLResponse:
    if not _same_origin(request):
        raise Forbidden("This form was sent from another site. Open this site's password-reset page.")
    email = field(form, "email")
    try:
        password_reset.request_reset(session, email, lambda secret: _link(request, secret))
    except TooManyRequests as exc:
        refused = render(request, "password_reset.html", step="ask", email=email, errors=[exc.message],
                         status_code=429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except DomainError as exc:
        return render(request, "password_reset.html", step="ask", email=email, errors=[exc.message],
                      status_code=exc.status_code)
    except OSError:  # the SMTP server: said plainly, the request can be made again
        return render(request, "password_reset.html", step="ask", email=email, status_code=503,
                      errors=["The e-mail could not be sent just now; try again in a few minutes."])
    return render(request, "password_reset.html", step="sent", email="", notes=[SENT])


@router.get("/password-reset/{token}", response_class=HTMLResponse, name="password_reset_page")
@requires(Access.PUBLIC)
def choose_page(request: Request, token: str, session: DbSession) -> HTMLResponse:
    try:
        user = password_reset.check_link(session, token)
    except DomainError as exc:
        return render(request, "password_reset.html", step="gone", errors=[exc.message], status_code=410)
    return render(request, "password_reset.html", step="choose", token=token, email=user.email,
                  min_length=MIN_PASSWORD_LENGTH)


@router.post("/password-reset/{token}", response_class=HTMLResponse)
@requires(Access.PUBLIC)
def choose(request: Request, token: str, session: DbSession, form: Form) -> Response:
    if not _same_origin(request):
        raise Forbidden("This form was sent from another site. Open the link from the e-mail again.")
    try:
        user = password_reset.check_link(session, token)
    except DomainError as exc:
        return render(request, "password_reset.html", step="gone", errors=[exc.message], status_code=410)
    try:
        password_reset.reset(session, token, str(form.get("password") or ""), str(form.get("again") or ""))
    except DomainError as exc:
        return render(request, "password_reset.html", step="choose", token=token, email=user.email,
                      min_length=MIN_PASSWORD_LENGTH, errors=[exc.message], status_code=exc.status_code)
    response = RedirectResponse("/login", status_code=303)
    set_flash(response, notes=["Your new password is set: sign in with it. Every other session was signed out."])
    return response


