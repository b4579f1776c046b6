"""Users, passwords (argon2), browser sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from socialdesk.auth import passwords
from socialdesk.auth.models import ApiToken, User, UserSession
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from socialdesk.workspaces.context import Actor
from socialdesk.workspaces.models import Membership, Workspace
from socialdesk.workspaces.permissions import ALL_SCOPES, SCOPE_ALIASES, expand_scopes

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH  # what forms tell people (the whole rule is in auth/passwords.py)
TOKEN_PREFIX = "sdk_"
# How finely "last used" is recorded: one write per token per this long, not one per request.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise ValidationFailed(f"{email!r} is not an e-mail address.")
    return email


def create_user(session: Session, email: str, name: str, password: str) -> User:
    email = normalise_email(email)
    passwords.check(password)
    if session.scalars(select(User).where(User.email == email)).first():
        raise Conflict(f"A user with e-mail {email} already exists.")
    user = User(email=email, name=name.strip() or email, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    passwords.check(password)
    user.password_hash = _hasher.hash(password)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def authenticate(session: Session, email: str, password: str) -> User:
    user = user_by_email(session, email)
    # Verify against a dummy hash when the user is unknown, so timing does not reveal which e-mails exist.
    stored = user.password_hash if user else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Wrong e-mail or password.") from None
    if user is None or not user.is_active:
        raise Unauthorized("Wrong e-mail or password.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = clock.now()
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


# Browser sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSession:
    cookie_value: str
    session: UserSession


def start_session(session: Session, user: User) -> NewSession:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    record = UserSession(user_id=user.id, token_hash=_digest(token), csrf_token=secrets.token_urlsafe(24),
                         created_at=now, expires_at=now + timedelta(days=get_settings().session_days))
    session.add(record)
    session.flush()
    return NewSession(token, record)


def resolve_session(session: Session, cookie_value: str) -> tuple[UserSession, User] | None:
    row = session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _digest(cookie_value))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if user_session.expires_at <= clock.now() or not user.is_active:
        return None
    return user_session, user


def end_session(session: Session, cookie_value: str) -> None:
    found = session.scalars(select(UserSession).where(UserSession.token_hash == _digest(cookie_value))).first()
    if found:
        session.delete(found)


# API tokens -----------------------------------------------------------------------------------


MAX_TOKEN_DAYS = 3650  # ten years; what timedelta and the databases hold with room to spare


def create_api_token(session: Session, user: User, name: str, scopes: list[str],
                     workspace_id: str | None = None, expires_in_days: int | None = None) -> tuple[str, ApiToken]:
    """Returns the secret (shown once) and the stored token."""
    unknown = sorted(set(scopes) - ALL_SCOPES - SCOPE_ALIASES.keys())
    if unknown:
        raise ValidationFailed(f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(sorted(ALL_SCOPES))} "
                               "(and read, meaning every :read scope).")
    if not scopes:
        raise ValidationFailed("Give the token at least one scope, e.g. posts:read.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise ValidationFailed(f"A token expires after 1 to {MAX_TOKEN_DAYS} days (expires_in_days), "
                               f"not {expires_in_days}.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, workspace_id=workspace_id, name=name, prefix=secret[:10],
                     token_hash=_digest(secret), scopes=expand_scopes(scopes),
                     expires_at=clock.now() + timedelta(days=expires_in_days) if expires_in_days else None)
    session.add(token)
    session.flush()
    return secret, token


def resolve_api_token(session: Session, secret: str) -> tuple[Actor, ApiToken] | None:
    found = resolve_api_token_in(session, secret, None)
    return None if found is None else (found.actor, found.token)


@dataclass(frozen=True)
class ResolvedToken:
    actor: Actor
    token: ApiToken
    user: User
    workspace: Workspace | None  # the workspace asked about, where the token's user is a member of it
    role: str | None  # their role there


# Built once: the look-up runs on every API request, and building it cost more than running it.
_TOKEN = select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(
    ApiToken.token_hash == bindparam("token_hash"))
_TOKEN_IN_WORKSPACE = (
    _TOKEN.add_columns(Workspace, Membership.role)
    .outerjoin(Membership, (Membership.user_id == ApiToken.user_id)
               & (Membership.workspace_id == bindparam("workspace_id")))
    .outerjoin(Workspace, Workspace.id == Membership.workspace_id))


def resolve_api_token_in(session: Session, secret: str, workspace_id: str | None) -> ResolvedToken | None:
    """The token, its user and (given a workspace id) the user's membership there, in one statement: an API
    request inside a workspace checks its token and its access together. Read on every request, so a
    revoked or expired token is refused on the very next one, in every process."""
    query, params = _TOKEN, {"token_hash": _digest(secret)}
    if workspace_id is not None:
        query, params["workspace_id"] = _TOKEN_IN_WORKSPACE, workspace_id
    row = session.execute(query, params).first()
    if row is None:
        return None
    token, user = row[0], row[1]
    now = clock.now()
    if token.revoked_at or (token.expires_at and token.expires_at <= now) or not user.is_active:
        return None
    actor = Actor(user_id=user.id, label=f"{user.email} (token {token.name})", token_id=token.id,
                  scopes=frozenset(token.scopes))
    workspace, role = (row[2], row[3]) if workspace_id is not None else (None, None)
    return ResolvedToken(actor, token, user, workspace, role)


def token_use_due(token: ApiToken) -> bool:
    """Whether this use should be recorded: at most once per TOKEN_USE_RESOLUTION per token, so busy API
    clients do not turn every read into a write."""
    return token.last_used_at is None or clock.now() - token.last_used_at >= TOKEN_USE_RESOLUTION


def note_token_use(session: Session, token_id: str) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=clock.now()))


def _tokens_in_reach(user: User, within_workspace: str | None) -> Select[tuple[ApiToken]]:
    """The user's tokens; a token limited to one workspace reaches only the tokens limited to that workspace."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    if within_workspace is not None:
        query = query.where(ApiToken.workspace_id == within_workspace)
    return query


def revoke_api_token(session: Session, user: User, token_id: str, *, within_workspace: str | None = None) -> None:
    token = session.scalars(_tokens_in_reach(user, within_workspace).where(ApiToken.id == token_id)).first()
    if token is None:
        raise NotFound(f"No API token with id {token_id}.")
    token.revoked_at = clock.now()


def list_api_tokens(session: Session, user: User, *, within_workspace: str | None = None) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (the settings page shows them greyed)."""
    return list(session.scalars(_tokens_in_reach(user, within_workspace).order_by(ApiToken.created_at.desc())))
