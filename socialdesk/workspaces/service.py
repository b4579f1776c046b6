"""Organisations, workspaces and memberships; resolving who may act in which workspace."""

from __future__ import annotations

import difflib

from slugify import slugify
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.auth.models import User
from socialdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from socialdesk.core.inputs import check_text
from socialdesk.core.timezones import zone
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Membership, Organisation, Role, Workspace
from socialdesk.workspaces.permissions import Permission

APPROVAL_ROLES = {Role.APPROVER.value, Role.CLIENT_REVIEWER.value}


def create_organisation(session: Session, name: str) -> Organisation:
    if not name.strip():
        raise ValidationFailed("Give the organisation a name.")
    org = Organisation(name=name.strip())
    session.add(org)
    session.flush()
    return org


def create_workspace(session: Session, organisation: Organisation, name: str, owner: User, *,
                     timezone: str = "UTC", approval_steps: list[str] | None = None) -> Workspace:
    check_text(name, "The workspace name")
    if not name.strip():
        raise ValidationFailed("Give the workspace a name (the brand or client it is for).")
    zone(timezone)
    steps = _check_steps(approval_steps or [])
    workspace = Workspace(organisation_id=organisation.id, name=name.strip(), timezone=timezone,
                          approval_steps=steps)
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role=Role.OWNER))
    session.flush()
    ctx = WorkspaceContext(session, workspace, Actor(owner.id, owner.email), Role.OWNER)
    audit.record(ctx, "workspace.create", "workspace", workspace.id, f"Created workspace {workspace.name}")
    return workspace


def _check_steps(steps: list[str]) -> list[str]:
    bad = [s for s in steps if s not in APPROVAL_ROLES]
    if bad:
        raise ValidationFailed(f"Approval steps must be roles among {sorted(APPROVAL_ROLES)}; got {bad}.")
    return list(steps)


def update_settings(ctx: WorkspaceContext, *, name: str | None = None, timezone: str | None = None,
                    approval_steps: list[str] | None = None, brand_colour: str | None = None) -> Workspace:
    ctx.require(Permission.WORKSPACE_ADMIN)
    ws = ctx.workspace
    if name is not None:
        check_text(name, "The workspace name")
        if not name.strip():
            raise ValidationFailed("The workspace name cannot be empty.")
        ws.name = name.strip()
    if timezone is not None:
        zone(timezone)
        ws.timezone = timezone
    if approval_steps is not None:
        ws.approval_steps = _check_steps(approval_steps)
    if brand_colour is not None:
        if not (len(brand_colour) == 7 and brand_colour.startswith("#")):
            raise ValidationFailed("Brand colour must look like #1a2b3c.")
        ws.brand_colour = brand_colour
    audit.record(ctx, "workspace.update", "workspace", ws.id, "Changed workspace settings")
    return ws


def set_queue_paused(ctx: WorkspaceContext, paused: bool) -> None:
    """Stop (or restart) publishing for the whole workspace; nothing scheduled is lost."""
    ctx.require(Permission.POSTS_PUBLISH)
    ctx.workspace.queue_paused = paused
    audit.record(ctx, "queue.pause" if paused else "queue.resume", "workspace", ctx.workspace_id,
                 "Paused the workspace's queue" if paused else "Resumed the workspace's queue")


def add_member(ctx: WorkspaceContext, user: User, role: Role) -> Membership:
    ctx.require(Permission.WORKSPACE_ADMIN)
    if role == Role.OWNER and ctx.role != Role.OWNER:
        raise ValidationFailed("Only an owner can make someone else an owner.")
    existing = ctx.session.scalars(ctx.select(Membership).where(Membership.user_id == user.id)).first()
    if existing:
        raise Conflict(f"{user.email} is already a member ({existing.role}).")
    membership = Membership(workspace_id=ctx.workspace_id, user_id=user.id, role=role)
    ctx.session.add(membership)
    audit.record(ctx, "member.add", "user", user.id, f"Added {user.email} as {role.value}")
    return membership


def _member(ctx: WorkspaceContext, member_id: str) -> tuple[Membership, User]:
    membership = ctx.get(Membership, member_id, what="member")
    user = ctx.session.get(User, membership.user_id)
    assert user is not None  # memberships are deleted with their user
    return membership, user


def _owner_count(ctx: WorkspaceContext) -> int:
    # FOR UPDATE: two admins demoting the last two owners at once must not both succeed (PostgreSQL;
    # SQLite runs one writer at a time anyway).
    owners = select(Membership.id).where(Membership.workspace_id == ctx.workspace_id,
                                         Membership.role == Role.OWNER.value).with_for_update()
    return len(list(ctx.session.scalars(owners)))


def _check_owner_change(ctx: WorkspaceContext, membership: Membership, new_role: Role | None) -> None:
    """Owners are made and unmade by owners only, and a workspace always keeps one owner."""
    touches_owner = membership.role == Role.OWNER.value or new_role == Role.OWNER
    if touches_owner and ctx.role != Role.OWNER:
        raise Forbidden("Only an owner can make someone an owner, or change or remove an owner.")
    if membership.role == Role.OWNER.value and new_role != Role.OWNER and _owner_count(ctx) <= 1:
        raise Conflict("This is the workspace's last owner: make someone else owner first.")


def change_role(ctx: WorkspaceContext, member_id: str, role: Role) -> Membership:
    ctx.require(Permission.WORKSPACE_ADMIN)
    membership, user = _member(ctx, member_id)
    if membership.role == role.value:
        return membership
    _check_owner_change(ctx, membership, role)
    before = membership.role
    membership.role = role.value
    audit.record(ctx, "member.role", "user", user.id, f"Changed {user.email} from {before} to {role.value}",
                 before=before, after=role.value)
    return membership


def remove_member(ctx: WorkspaceContext, member_id: str) -> User:
    ctx.require(Permission.WORKSPACE_ADMIN)
    membership, user = _member(ctx, member_id)
    _check_owner_change(ctx, membership, None)
    ctx.session.delete(membership)
    audit.record(ctx, "member.remove", "user", user.id, f"Removed {user.email} ({membership.role})",
                 role=membership.role)
    return user


def members(ctx: WorkspaceContext) -> list[tuple[Membership, User]]:
    rows = ctx.session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == ctx.workspace_id).order_by(User.name))
    return [(m, u) for m, u in rows]


# Built once: every page's workspace switcher reads it.
_WORKSPACES_FOR = (select(Workspace, Membership.role).join(Membership, Membership.workspace_id == Workspace.id)
                   .where(Membership.user_id == bindparam("user_id")).order_by(Workspace.name))


def workspaces_for(session: Session, user_id: str) -> list[tuple[Workspace, Role]]:
    rows = session.execute(_WORKSPACES_FOR, {"user_id": user_id})
    return [(w, Role(r)) for w, r in rows]


def context_for(session: Session, actor: Actor, workspace_id: str, *,
                token_workspace_id: str | None = None) -> WorkspaceContext:
    """The actor's context in a workspace, or NotFound: a non-member cannot tell it exists."""
    missing = NotFound(f"No workspace with id {workspace_id}.")
    if actor.user_id is None or (token_workspace_id and token_workspace_id != workspace_id):
        raise missing
    row = session.execute(
        select(Workspace, Membership.role).join(Membership, Membership.workspace_id == Workspace.id)
        .where(Workspace.id == workspace_id, Membership.user_id == actor.user_id)).first()
    return context_of(session, actor, workspace_id, *(row if row is not None else (None, None)),
                      token_workspace_id=token_workspace_id)


def context_of(session: Session, actor: Actor, workspace_id: str, workspace: Workspace | None, role: str | None,
               *, token_workspace_id: str | None = None) -> WorkspaceContext:
    """`context_for` from a membership already read (an API token's look-up reads it with the token)."""
    if actor.user_id is None or (token_workspace_id and token_workspace_id != workspace_id) or workspace is None \
            or role is None:
        raise NotFound(f"No workspace with id {workspace_id}.")
    return WorkspaceContext(session, workspace, actor, Role(role))


def system_context(session: Session, workspace_id: str, label: str = "socialdesk") -> WorkspaceContext:
    """For jobs and the CLI: acts with full rights, recorded in the audit log under `label`."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound(f"No workspace with id {workspace_id}.")
    return WorkspaceContext(session, workspace, Actor.system(label), Role.OWNER)


def workspace_slug(name: str) -> str:
    """The name as a URL or file name would have it: "Kava & Co. (demo)" -> "kava-co-demo"."""
    return slugify(name)


def find_workspace(session: Session, ref: str) -> Workspace:
    """The workspace a person means by `ref`: its id, its name in any case, or its slug.

    Every command that takes a workspace resolves it here. Not found: a NotFound naming the closest
    workspaces; several with that name (in different organisations): a Conflict listing their ids.
    """
    ref = ref.strip()
    by_id = session.get(Workspace, ref) if ref else None
    if by_id is not None:
        return by_id
    workspaces = list(session.scalars(select(Workspace).order_by(Workspace.name)))
    wanted = ref.casefold()
    for same in (lambda w: w.name.casefold() == wanted, lambda w: workspace_slug(w.name) == workspace_slug(ref)):
        found = [w for w in workspaces if same(w)]
        if len(found) == 1:
            return found[0]
        if found:
            ids = ", ".join(f"{w.id} ({w.name})" for w in found)
            raise Conflict(f"Several workspaces match {ref!r}: {ids}. Give the id instead.")
    raise NotFound(f"No workspace named {ref!r} (in any case), nor with that slug or id."
                   f"{_close_matches(ref, workspaces)} List them with `socialdesk workspace list`.")


def _close_matches(ref: str, workspaces: list[Workspace]) -> str:
    wanted, slug = ref.casefold(), workspace_slug(ref)
    close = [w for w in workspaces
             if (slug and slug in workspace_slug(w.name)) or wanted in w.name.casefold()
             or difflib.SequenceMatcher(None, wanted, w.name.casefold()).ratio() >= 0.6]
    if not close:
        return ""
    names = ", ".join(f"{w.name!r} (slug {workspace_slug(w.name)})" for w in close[:5])
    return f" Did you mean {names}?"
