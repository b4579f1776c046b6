"""Joining a workspace by invitation: an admin invites an e-mail address, the person behind it accepts.

Nobody is added without their consent, and inviting never tells the admin whether an account exists
for the address: the answer, and the e-mail sent, are the same either way. The link is single use,
expires, and only a hash of its secret is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.agency.white_label import sender_name
from socialdesk.audit import service as audit
from socialdesk.auth import service as auth
from socialdesk.auth.models import User
from socialdesk.core import clock
from socialdesk.core.errors import Conflict, Forbidden, Gone, NotFound, ServiceUnavailable, ValidationFailed
from socialdesk.reports import mail
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Invitation, Membership, Role, Workspace
from socialdesk.workspaces.permissions import Permission

VALID_FOR = timedelta(days=7)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invite(ctx: WorkspaceContext, email: str, role: Role, link_for: Callable[[str], str]) -> Invitation:
    """Send an invitation; `link_for(secret)` makes the acceptance link (the web layer knows the address)."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    if role == Role.OWNER and ctx.role != Role.OWNER:
        raise Forbidden("Only an owner can invite another owner.")
    email = auth.normalise_email(email)
    member = ctx.session.execute(
        select(Membership.role).join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == ctx.workspace_id, User.email == email)).first()
    if member is not None:  # the member list shows this anyway: it reveals nothing new
        raise Conflict(f"{email} is already a member ({member[0]}).")
    mail.check_configured()
    now = clock.now()
    for earlier in pending(ctx, email=email):  # a new invitation replaces an unanswered one
        earlier.revoked_at = now
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(workspace_id=ctx.workspace_id, email=email, role=role.value, token_hash=_digest(secret),
                            invited_by_user_id=ctx.actor.user_id, expires_at=now + VALID_FOR)
    ctx.session.add(invitation)
    ctx.session.flush()
    audit.record(ctx, "invitation.create", "invitation", invitation.id, f"Invited {email} as {role.value}",
                 email=email, role=role.value)
    _send(ctx, invitation, link_for(secret))
    return invitation


def _send(ctx: WorkspaceContext, invitation: Invitation, link: str) -> None:
    inviter = ctx.actor.label.split(" (token")[0]
    body = (f"{inviter} invites you to the workspace {ctx.workspace.name} on socialdesk, as "
            f"{invitation.role.replace('_', ' ')}.\n\nTo accept, open this link before "
            f"{invitation.expires_at:%d %b %Y %H:%M} UTC:\n\n{link}\n\n"
            "If you did not expect this, ignore this e-mail: nothing happens unless you accept.")
    try:
        mail.send([invitation.email], f"Join {ctx.workspace.name} on socialdesk", body,
                  sender_name=sender_name(ctx.workspace))
    except OSError as exc:  # smtplib's errors are OSErrors; the invitation is rolled back with the request
        raise ServiceUnavailable(f"The invitation e-mail could not be sent ({exc}); try again later.") from None


def pending(ctx: WorkspaceContext, *, email: str | None = None) -> list[Invitation]:
    """Invitations not yet accepted, revoked or expired, newest first."""
    query = ctx.select(Invitation).where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                                         Invitation.expires_at > clock.now())
    if email is not None:
        query = query.where(Invitation.email == email)
    return list(ctx.session.scalars(query.order_by(Invitation.created_at.desc())))


def revoke(ctx: WorkspaceContext, invitation_id: str) -> Invitation:
    ctx.require(Permission.WORKSPACE_ADMIN)
    invitation = ctx.get(Invitation, invitation_id, what="invitation")
    if invitation.accepted_at is not None:
        raise Conflict(f"{invitation.email} already accepted this invitation; remove the member instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = clock.now()
        audit.record(ctx, "invitation.revoke", "invitation", invitation.id, f"Withdrew the invitation of "
                     f"{invitation.email}")
    return invitation


# Accepting ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """An invitation as its link shows it, before it is accepted."""

    invitation: Invitation
    workspace: Workspace
    has_account: bool  # shown only to whoever holds the link, which went to that address


def open_link(session: Session, secret: str) -> Opened:
    invitation = session.scalars(select(Invitation).where(Invitation.token_hash == _digest(secret))).first()
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("This invitation link is not valid (it may have been withdrawn). Ask for a new one.")
    if invitation.accepted_at is not None:
        raise Gone("This invitation was already used. Sign in to open the workspace.")
    if invitation.expires_at <= clock.now():
        raise Gone(f"This invitation expired on {invitation.expires_at:%d %b %Y}. Ask for a new one.")
    workspace = session.get(Workspace, invitation.workspace_id)
    assert workspace is not None  # invitations are deleted with their workspace
    return Opened(invitation, workspace, auth.user_by_email(session, invitation.email) is not None)


def accept(session: Session, secret: str, user: User) -> Workspace:
    """The signed-in `user` accepts: only the person the invitation was sent to."""
    opened = open_link(session, secret)
    invitation = opened.invitation
    if user.email != invitation.email:
        raise Forbidden(f"This invitation was sent to another e-mail address, not to {user.email}. Sign out "
                        "and open the link again to accept it with the invited address.")
    ctx = WorkspaceContext(session, opened.workspace, Actor(user.id, user.email), Role(invitation.role))
    already = session.scalars(ctx.select(Membership).where(Membership.user_id == user.id)).first()
    if already is None:
        session.add(Membership(workspace_id=invitation.workspace_id, user_id=user.id, role=invitation.role))
    invitation.accepted_at = clock.now()
    invitation.accepted_by_user_id = user.id
    audit.record(ctx, "invitation.accept", "user", user.id,
                 f"{user.email} accepted the invitation and joined as {invitation.role}", invitation_id=invitation.id)
    return opened.workspace


def accept_as_new_user(session: Session, secret: str, name: str, password: str) -> tuple[User, Workspace]:
    """Someone without an account accepts: the account is made with the invited address and their password."""
    opened = open_link(session, secret)
    if opened.has_account:
        raise Conflict("An account with this e-mail address exists: sign in to accept the invitation.")
    if not name.strip():
        raise ValidationFailed("Tell us your name.")
    user = auth.create_user(session, opened.invitation.email, name, password)
    return user, accept(session, secret, user)
