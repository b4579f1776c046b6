"""Resetting a forgotten password by e-mail — also how people created by a workspace import (who have no
password) get one.

The link carries a random 256-bit secret; only its SHA-256 is stored (a leaked database holds no working
link). A link works once, for RESET_LIFETIME, and only the newest one per person; using it signs the
person out everywhere. Asking for a link says the same whether or not the address has an account.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from socialdesk.agency.white_label import sender_name
from socialdesk.auth import service as auth
from socialdesk.auth.models import PasswordReset, User, UserSession
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import NotFound, ServiceUnavailable, TooManyRequests, ValidationFailed
from socialdesk.workspaces.models import Membership, Workspace

log = logging.getLogger("socialdesk.auth")
RESET_LIFETIME = timedelta(hours=1)
MAX_PER_HOUR = 3  # links one person can be sent per hour
GONE = "This password-reset link has expired or was used already. Ask for a new one."


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _sender(session: Session, user: User) -> str | None:
    """A person in one workspace only gets the e-mail under that workspace's sender name (white-label)."""
    ids = list(session.scalars(select(Membership.workspace_id).where(Membership.user_id == user.id).limit(2)))
    return sender_name(session.get(Workspace, ids[0])) if len(ids) == 1 else None


def request_reset(session: Session, email: str, link_for: Callable[[str], str]) -> None:
    """E-mail a reset link to `email` when it has an active account; silent otherwise."""
    from socialdesk.reports import mail

    if not get_settings().smtp_host:
        raise ServiceUnavailable("This socialdesk cannot send e-mail, so a password cannot be reset by e-mail "
                                 "here. Ask whoever runs it for a link (`socialdesk password reset-link "
                                 "YOUR-ADDRESS`).")
    try:
        address = auth.normalise_email(email)
    except ValidationFailed:
        raise ValidationFailed("Give the e-mail address you sign in with.") from None
    user = auth.user_by_email(session, address)
    if user is None or not user.is_active:
        return
    now = clock.now()
    recent = session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1))) or 0
    if recent >= MAX_PER_HOUR:
        raise TooManyRequests("Several links were sent to this address in the last hour: use the newest one, or "
                              "try again later.", retry_after=3600)
    secret = new_link(session, user)
    body = (f"Hello {user.name},\n\nSomeone (we hope you) asked to set a new password for {user.email} on "
            f"socialdesk. Open this link within {int(RESET_LIFETIME.total_seconds() // 60)} minutes to choose "
            f"one:\n\n{link_for(secret)}\n\nThe link works once. If you did not ask for it, ignore this e-mail: "
            "your password stays as it is.")
    mail.send([user.email], "Set a new socialdesk password", body, sender_name=_sender(session, user))


def new_link(session: Session, user: User) -> str:
    """A new link's secret for `user` (only the newest link works: older ones are spent)."""
    now = clock.now()
    for older in session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                             PasswordReset.used_at.is_(None))):
        older.used_at = now
    secret = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=_digest(secret), created_at=now,
                              expires_at=now + RESET_LIFETIME))
    session.flush()
    return secret


def _valid(session: Session, secret: str) -> PasswordReset:
    if not secret or "\x00" in secret or len(secret) > 200:
        raise NotFound(GONE)
    found = session.scalars(select(PasswordReset).where(PasswordReset.token_hash == _digest(secret))).first()
    if found is None or found.used_at is not None or clock.utc(found.expires_at) <= clock.now():
        raise NotFound(GONE)
    user = session.get(User, found.user_id)
    if user is None or not user.is_active:
        raise NotFound(GONE)
    return found


def check_link(session: Session, secret: str) -> User:
    """The person a still-valid link is for (the form shows their address)."""
    found = _valid(session, secret)
    user = session.get(User, found.user_id)
    assert user is not None
    return user


def reset(session: Session, secret: str, password: str, again: str) -> User:
    """Set the new password, spend the link, and end every session of the person."""
    found = _valid(session, secret)
    if password != again:
        raise ValidationFailed("The two passwords differ: type the same new password twice.")
    user = session.get(User, found.user_id)
    assert user is not None
    auth.set_password(user, password)
    now = clock.now()
    found.used_at = now
    for other in session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                             PasswordReset.used_at.is_(None))):
        other.used_at = now
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()
    log.info("password reset for user %s", user.id)
    return user
