"""Workspace settings: name, time zone, approval chain, members, API tokens, and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.audit import service as audit
from socialdesk.auth import service as auth
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.web.deps import Ctx, CurrentIdentity
from socialdesk.web.pages.common import Form, act, attempt, field, fields, redirect, render, ws_url
from socialdesk.web.pages.views import TIMEZONES
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Role
from socialdesk.workspaces.permissions import ALL_SCOPES, Access, Permission, requires

router = APIRouter()
# The approval chains people actually use, in the order the steps happen.
CHAINS = {
    "": "No approval: editors schedule directly",
    "approver": "An approver",
    "client_reviewer": "The client",
    "approver,client_reviewer": "An approver, then the client",
}
TOKEN_EXPIRY_DAYS = {"": "Never", "30": "30 days", "90": "90 days", "365": "1 year"}


def _page(request: Request, ctx: WorkspaceContext, identity: CurrentIdentity, *, new_secret: str | None = None,
          errors: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    chain = ",".join(ctx.workspace.approval_steps)
    chains = CHAINS if chain in CHAINS else {**CHAINS, chain: chain.replace(",", " → ")}
    is_admin = ctx.can(Permission.WORKSPACE_ADMIN)
    return render(request, "settings.html", ctx=ctx, section="settings", timezones=TIMEZONES, chains=chains,
                  chain=chain, members=workspaces.members(ctx), roles=[r.value for r in Role],
                  tokens=auth.list_api_tokens(ctx.session, identity.user), scopes=sorted(ALL_SCOPES),
                  expiries=TOKEN_EXPIRY_DAYS, new_secret=new_secret,
                  audit_log=audit.recent(ctx, 100) if is_admin else [], errors=errors, status_code=status_code)


@router.get("/w/{workspace_id}/settings", response_class=HTMLResponse)
@requires(Permission.MEMBERS_READ)
def settings_page(request: Request, ctx: Ctx, identity: CurrentIdentity) -> HTMLResponse:
    return _page(request, ctx, identity)


@router.post("/w/{workspace_id}/settings")
@requires(Permission.WORKSPACE_ADMIN)
def save_settings(ctx: Ctx, form: Form) -> Response:
    steps = [s for s in field(form, "chain").split(",") if s]

    def run() -> list[str]:
        workspaces.update_settings(ctx, name=field(form, "name"), timezone=field(form, "timezone"),
                                   approval_steps=steps)
        return ["Settings saved."]

    return act(ctx, run, back=ws_url(ctx, "/settings"))


@router.post("/w/{workspace_id}/settings/members")
@requires(Permission.WORKSPACE_ADMIN)
def add_member(ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        ctx.require(Permission.WORKSPACE_ADMIN)
        user = auth.user_by_email(ctx.session, field(form, "email"))
        if user is None:
            raise NotFound(f"No user with e-mail {field(form, 'email')}; create the account first "
                           "(`socialdesk user create`).")
        try:
            role = Role(field(form, "role"))
        except ValueError:
            raise ValidationFailed("Choose a role.") from None
        workspaces.add_member(ctx, user, role)
        return [f"{user.name} ({user.email}) is now a member as {role.value.replace('_', ' ')}."]

    return act(ctx, run, back=ws_url(ctx, "/settings#members"))


@router.post("/w/{workspace_id}/settings/tokens", response_class=HTMLResponse)
@requires(Access.MEMBER)
def create_token(request: Request, ctx: Ctx, identity: CurrentIdentity, form: Form) -> Response:
    """The secret is shown on this one response only: never put in a redirect, a cookie or a log."""
    if identity.user_session is None:
        raise NotFound("Tokens are created from a signed-in browser session, not with another token.")
    days = field(form, "expires_in_days")
    limited = field(form, "this_workspace_only") == "1"
    created, error = attempt(ctx.session, lambda: auth.create_api_token(
        ctx.session, identity.user, field(form, "name")[:200] or "API token", fields(form, "scopes"),
        ctx.workspace_id if limited else None, int(days) if days.isdigit() else None))
    if error is not None or created is None:
        return _page(request, ctx, identity, errors=[error.message if error else "No token created."],
                     status_code=error.status_code if error else 400)
    return _page(request, ctx, identity, new_secret=created[0])


@router.post("/w/{workspace_id}/settings/tokens/{token_id}/revoke")
@requires(Access.MEMBER)
def revoke_token(token_id: str, ctx: Ctx, identity: CurrentIdentity) -> Response:
    # Not through `act`: another person's token must answer 404, like any object that is not yours.
    auth.revoke_api_token(ctx.session, identity.user, token_id)
    return redirect(ws_url(ctx, "/settings#tokens"), notes=["Token revoked: programs using it are locked out now."])
