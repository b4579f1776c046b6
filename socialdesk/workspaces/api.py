"""Workspaces, their settings, members and audit log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from socialdesk.audit import service as audit
from socialdesk.auth import service as auth
from socialdesk.core.errors import NotFound
from socialdesk.core.inputs import Text
from socialdesk.web.deps import Ctx
from socialdesk.workspaces import service
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Role
from socialdesk.workspaces.permissions import Permission

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
    user_id: str
    email: str
    name: str
    role: str


class MemberIn(BaseModel):
    email: str
    role: Role


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
def get_workspace(ctx: Ctx) -> WorkspaceOut:
    return _out(ctx)


@router.patch("/workspaces/{workspace_id}")
def update_workspace(data: WorkspacePatch, ctx: Ctx) -> WorkspaceOut:
    service.update_settings(ctx, **data.model_dump(exclude_unset=True))
    return _out(ctx)


@router.post("/workspaces/{workspace_id}/queue/pause")
def pause_queue(ctx: Ctx) -> WorkspaceOut:
    service.set_queue_paused(ctx, True)
    return _out(ctx)


@router.post("/workspaces/{workspace_id}/queue/resume")
def resume_queue(ctx: Ctx) -> WorkspaceOut:
    service.set_queue_paused(ctx, False)
    return _out(ctx)


@router.get("/workspaces/{workspace_id}/members")
def list_members(ctx: Ctx) -> list[MemberOut]:
    return [MemberOut(user_id=u.id, email=u.email, name=u.name, role=m.role) for m, u in service.members(ctx)]


@router.post("/workspaces/{workspace_id}/members", status_code=201)
def add_member(data: MemberIn, ctx: Ctx) -> MemberOut:
    ctx.require(Permission.WORKSPACE_ADMIN)
    user = auth.user_by_email(ctx.session, data.email)
    if user is None:
        raise NotFound(f"No user with e-mail {data.email}; create the account first (`socialdesk user create`).")
    membership = service.add_member(ctx, user, data.role)
    return MemberOut(user_id=user.id, email=user.email, name=user.name, role=membership.role)


@router.get("/workspaces/{workspace_id}/audit")
def audit_log(ctx: Ctx, limit: int = Query(100, ge=1, le=1000)) -> list[AuditOut]:
    ctx.require(Permission.WORKSPACE_ADMIN)
    return [AuditOut(at=e.at, actor=e.actor_label, action=e.action, object_type=e.object_type,
                     object_id=e.object_id, summary=e.summary) for e in audit.recent(ctx, limit)]
