"""Workspaces, their settings, members and audit log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from socialdesk.audit import service as audit
from socialdesk.auth.models import User
from socialdesk.core.inputs import Text
from socialdesk.web.deps import Ctx
from socialdesk.web.links import invitation_link
from socialdesk.workspaces import invitations, service
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Invitation, Membership, Role
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter(tags=["workspaces"])


class WorkspaceOut(BaseModel):
    id: str
    name: str
    timezone: str
    approval_steps: list[str]
    brand_colour: str
    queue_paused: bool
    your_role: str


class WorkspacePatch(BaseModel):
    name: Text | None = None
    timezone: str | None = None
    approval_steps: list[str] | None = Field(None, description='e.g. ["approver", "client_reviewer"]')
    brand_colour: str | None = None


class MemberOut(BaseModel):
    id: str = Field(description="The membership's id, for changing the role or removing the member")
    user_id: str
    email: str
    name: str
    role: str


class MemberPatch(BaseModel):
    role: Role


class InvitationIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: Role = Role.EDITOR


class InvitationOut(BaseModel):
    id: str
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    summary: str


def _out(ctx: WorkspaceContext) -> WorkspaceOut:
    w = ctx.workspace
    return WorkspaceOut(id=w.id, name=w.name, timezone=w.timezone, approval_steps=list(w.approval_steps),
                        brand_colour=w.brand_colour, queue_paused=w.queue_paused, your_role=ctx.role.value)


@router.get("/workspaces/{workspace_id}")
@requires(Access.MEMBER)
def get_workspace(ctx: Ctx) -> WorkspaceOut:
    return _out(ctx)


@router.patch("/workspaces/{workspace_id}")
@requires(Permission.WORKSPACE_ADMIN)
def update_workspace(data: WorkspacePatch, ctx: Ctx) -> WorkspaceOut:
    service.update_settings(ctx, **data.model_dump(exclude_unset=True))
    return _out(ctx)


@router.post("/workspaces/{workspace_id}/queue/pause")
@requires(Permission.POSTS_PUBLISH)
def pause_queue(ctx: Ctx) -> WorkspaceOut:
    service.set_queue_paused(ctx, True)
    return _out(ctx)


@router.post("/workspaces/{workspace_id}/queue/resume")
@requires(Permission.POSTS_PUBLISH)
def resume_queue(ctx: Ctx) -> WorkspaceOut:
    service.set_queue_paused(ctx, False)
    return _out(ctx)


@router.get("/workspaces/{workspace_id}/members")
@requires(Permission.MEMBERS_READ)
def list_members(ctx: Ctx) -> list[MemberOut]:
    return [_member_out(m, u) for m, u in service.members(ctx)]


def _member_out(m: Membership, u: User) -> MemberOut:
    return MemberOut(id=m.id, user_id=u.id, email=u.email, name=u.name, role=m.role)


@router.patch("/workspaces/{workspace_id}/members/{member_id}")
@requires(Permission.WORKSPACE_ADMIN)
def change_member_role(member_id: str, data: MemberPatch, ctx: Ctx) -> MemberOut:
    """Owners alone make or unmake owners; the last owner keeps the role."""
    membership = service.change_role(ctx, member_id, data.role)
    user = ctx.session.get(User, membership.user_id)
    assert user is not None
    return _member_out(membership, user)


@router.delete("/workspaces/{workspace_id}/members/{member_id}", status_code=204)
@requires(Permission.WORKSPACE_ADMIN)
def remove_member(member_id: str, ctx: Ctx) -> None:
    service.remove_member(ctx, member_id)


def _invitation_out(i: Invitation) -> InvitationOut:
    return InvitationOut(id=i.id, email=i.email, role=i.role, created_at=i.created_at, expires_at=i.expires_at)


@router.post("/workspaces/{workspace_id}/invitations", status_code=202)
@requires(Permission.WORKSPACE_ADMIN)
def invite(data: InvitationIn, ctx: Ctx, request: Request) -> InvitationOut:
    """E-mail an invitation; the person joins when they accept it. The answer is the same whether or not
    an account exists for the address."""
    invitation = invitations.invite(ctx, data.email, data.role, lambda secret: invitation_link(request, secret))
    return _invitation_out(invitation)


@router.get("/workspaces/{workspace_id}/invitations")
@requires(Permission.WORKSPACE_ADMIN)
def list_invitations(ctx: Ctx) -> list[InvitationOut]:
    return [_invitation_out(i) for i in invitations.pending(ctx)]


@router.delete("/workspaces/{workspace_id}/invitations/{invitation_id}", status_code=204)
@requires(Permission.WORKSPACE_ADMIN)
def revoke_invitation(invitation_id: str, ctx: Ctx) -> None:
    invitations.revoke(ctx, invitation_id)


@router.get("/workspaces/{workspace_id}/audit")
@requires(Permission.WORKSPACE_ADMIN)
def audit_log(ctx: Ctx, limit: int = Query(100, ge=1, le=audit.MAX_PAGE),
              offset: int = Query(0, ge=0, le=audit.MAX_OFFSET)) -> list[AuditOut]:
    """Newest first; page with `offset`."""
    return [AuditOut(at=e.at, actor=e.actor_label, action=e.action, object_type=e.object_type,
                     object_id=e.object_id, summary=e.summary) for e in audit.recent(ctx, limit, offset)]
