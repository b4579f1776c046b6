"""Workspace settings: name, time zone, approval chain, members, API tokens, and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.audit import service as audit
from socialdesk.auth import service as auth
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.web.deps import Ctx, CurrentIdentity
from socialdesk.web.links import invitation_link
from socialdesk.web.pages.common import Form, act, attempt, field, fields, redirect, render, ws_url
from socialdesk.web.pages.views import ROLE_LABELS, TIMEZONES
from socialdesk.workspaces import invitations
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Membership, Role
from socialdesk.workspaces.permissions import ALL_SCOPES, Permission, requires

router = APIRouter()
# The approval chains people actually use, in the order the steps happen.
CHAINS = {
    "": "No approval: editors schedule directly",
    "approver": "An approver",
    "client_reviewer": "The client",
    "approver,client_reviewer": "An approver, then the client",
}
TOKEN_EXPIRY_DAYS = {"": "Never", "30": "30 days", "90": "90 days", "365": "1 year"}


AUDIT_PAGE_SIZE = 50


def _page(request: Request, ctx: WorkspaceContext, identity: CurrentIdentity, *, new_secret: str | None = None,
          errors: list[str] | None = None, status_code: int = 200, audit_page: int = 1) -> HTMLResponse:
    chain = ",".join(ctx.workspace.approval_steps)
    chains = CHAINS if chain in CHAINS else {**CHAINS, chain: chain.replace(",", " → ")}
    is_admin = ctx.can(Permission.WORKSPACE_ADMIN)
    audit_pages = max(1, -(-audit.count(ctx) // AUDIT_PAGE_SIZE)) if is_admin else 1
    audit_page = min(audit_page, audit_pages)
    return render(request, "settings.html", ctx=ctx, section="settings", timezones=TIMEZONES, chains=chains,
                  chain=chain, members=workspaces.members(ctx), roles=_roles_to_give(ctx),
                  tokens=auth.list_api_tokens(ctx.session, identity.user), scopes=sorted(ALL_SCOPES),
                  expiries=TOKEN_EXPIRY_DAYS, new_secret=new_secret,
                  invitations=invitations.pending(ctx) if is_admin else [],
                  audit_log=audit.recent(ctx, AUDIT_PAGE_SIZE, (audit_page - 1) * AUDIT_PAGE_SIZE) if is_admin else [],
                  audit_page=audit_page, audit_pages=audit_pages, errors=errors, status_code=status_code)


def _roles_to_give(ctx: WorkspaceContext) -> list[str]:
    """Owners alone make owners, so an admin is not offered that role."""
    return [r.value for r in Role if r != Role.OWNER or ctx.role == Role.OWNER]


@router.get("/w/{workspace_id}/settings", response_class=HTMLResponse)
@requires(Permission.MEMBERS_READ)
def settings_page(request: Request, ctx: Ctx, identity: CurrentIdentity,
                  page: int = Query(1, ge=1, le=1_000_000, description="Page of the audit log")) -> HTMLResponse:
    return _page(request, ctx, identity, audit_page=page)


@router.post("/w/{workspace_id}/settings")
@requires(Permission.WORKSPACE_ADMIN)
def save_settings(ctx: Ctx, form: Form) -> Response:
    steps = [s for s in field(form, "chain").split(",") if s]

    def run() -> list[str]:
        workspaces.update_settings(ctx, name=field(form, "name"), timezone=field(form, "timezone"),
                                   approval_steps=steps)
        return ["Settings saved."]

    return act(ctx, run, back=ws_url(ctx, "/settings"))


def _role(form: Form) -> Role:
    try:
        return Role(field(form, "role"))
    except ValueError:
        raise ValidationFailed(f"Choose a role: {', '.join(r.value for r in Role)}.") from None


@router.post("/w/{workspace_id}/settings/invitations")
@requires(Permission.WORKSPACE_ADMIN)
def invite(request: Request, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        invitation = invitations.invite(ctx, field(form, "email"), _role(form),
                                        lambda secret: invitation_link(request, secret))
        # The same words whether or not the address has an account: inviting reveals nothing.
        return [f"Invitation sent to {invitation.email}. They join as {invitation.role.replace('_', ' ')} "
                "when they accept it (the link works for 7 days)."]

    return act(ctx, run, back=ws_url(ctx, "/settings#members"))


@router.post("/w/{workspace_id}/settings/invitations/{invitation_id}/revoke")
@requires(Permission.WORKSPACE_ADMIN)
def revoke_invitation(invitation_id: str, ctx: Ctx) -> Response:
    def run() -> list[str]:
        return [f"Invitation of {invitations.revoke(ctx, invitation_id).email} withdrawn."]

    return act(ctx, run, back=ws_url(ctx, "/settings#members"))


@router.post("/w/{workspace_id}/settings/members/{member_id}/role")
@requires(Permission.WORKSPACE_ADMIN)
def change_role(member_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        membership = workspaces.change_role(ctx, member_id, _role(form))
        return [f"Role changed to {ROLE_LABELS.get(membership.role, membership.role).lower()}."]

    return act(ctx, run, back=ws_url(ctx, "/settings#members"))


@router.post("/w/{workspace_id}/settings/members/{member_id}/remove")
@requires(Permission.WORKSPACE_ADMIN)
def remove_member(member_id: str, ctx: Ctx, identity: CurrentIdentity) -> Response:
    def run() -> list[str]:
        user = workspaces.remove_member(ctx, member_id)
        return [f"{user.name} ({user.email}) is no longer a member."]

    # Someone who removed themselves can no longer see this workspace: send them home.
    leaving = ctx.session.get(Membership, member_id)
    done = "/" if leaving is not None and leaving.user_id == identity.user.id else None
    return act(ctx, run, back=ws_url(ctx, "/settings#members"), done=done)


@router.post("/w/{workspace_id}/settings/tokens", response_class=HTMLResponse)
@requires(Permission.MEMBERS_READ)  # the tokens live on the settings page, beside the members
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
@requires(Permission.MEMBERS_READ)  # the tokens live on the settings page, beside the members
def revoke_token(token_id: str, ctx: Ctx, identity: CurrentIdentity) -> Response:
    # Not through `act`: another person's token must answer 404, like any object that is not yours.
    auth.revoke_api_token(ctx.session, identity.user, token_id)
    return redirect(ws_url(ctx, "/settings#tokens"), notes=["Token revoked: programs using it are locked out now."])
