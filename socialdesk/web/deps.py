"""Request dependencies: one unit of work per request, who is asking, CSRF, the workspace context."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from socialdesk.auth import service as auth
from socialdesk.auth.models import User, UserSession
from socialdesk.core.db import get_database
from socialdesk.core.errors import Forbidden, Unauthorized
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext

SESSION_COOKIE = "sd_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def db_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: commits when the route returns, rolls back when it raises.

    Reads use the database's read sessions, so on SQLite a GET never waits for a writer.
    """
    with get_database().unit_of_work(read_only=request.method in SAFE_METHODS) as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


@dataclass
class Identity:
    actor: Actor
    user: User
    user_session: UserSession | None = None  # set for browser sessions
    token_workspace_id: str | None = None  # set for a token limited to one workspace

    @property
    def csrf_token(self) -> str:
        return self.user_session.csrf_token if self.user_session else ""


def _identify(request: Request, session: Session) -> Identity | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = auth.resolve_api_token(session, header[7:].strip())
        if found is None:
            raise Unauthorized("The API token is unknown, expired or revoked.")
        actor, token = found
        user = session.get(User, token.user_id)
        assert user is not None
        return Identity(actor, user, token_workspace_id=token.workspace_id)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    resolved = auth.resolve_session(session, cookie)
    if resolved is None:
        return None
    user_session, user = resolved
    return Identity(Actor(user.id, user.email), user, user_session)


def _check_csrf(request: Request, identity: Identity, form_token: str | None) -> None:
    if request.method in SAFE_METHODS or identity.user_session is None:
        return  # bearer tokens are not sent by browsers on their own, so they need no CSRF check
    sent = request.headers.get(CSRF_HEADER) or form_token or ""
    if not secrets.compare_digest(sent, identity.user_session.csrf_token):
        raise Forbidden("The form expired or came from another site (CSRF check failed). Reload the page and "
                        "try again.")


async def _form_csrf(request: Request) -> str | None:
    if request.method in SAFE_METHODS or CSRF_HEADER in request.headers:
        return None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def optional_identity(request: Request, session: DbSession,
                      form_token: Annotated[str | None, Depends(_form_csrf)]) -> Identity | None:
    identity = _identify(request, session)
    if identity is not None:
        _check_csrf(request, identity, form_token)
        request.state.identity = identity
    return identity


async def require_identity(identity: Annotated[Identity | None, Depends(optional_identity)]) -> Identity:
    # async: it does no I/O, so it need not cost a trip through the thread pool.
    if identity is None:
        raise Unauthorized("Sign in first, or send an API token as 'Authorization: Bearer <token>'.")
    return identity


CurrentIdentity = Annotated[Identity, Depends(require_identity)]


def _context(request: Request, session: Session, identity: Identity, workspace_id: str) -> WorkspaceContext:
    """The caller's context in the workspace, looked up once per request (the guard and the route share it)."""
    ctx: WorkspaceContext | None = getattr(request.state, "workspace_ctx", None)
    if ctx is None or ctx.workspace_id != workspace_id:
        ctx = workspaces.context_for(session, identity.actor, workspace_id,
                                     token_workspace_id=identity.token_workspace_id)
        request.state.workspace_ctx = ctx
    return ctx


def workspace_context(request: Request, workspace_id: str, identity: CurrentIdentity,
                      session: DbSession) -> WorkspaceContext:
    return _context(request, session, identity, workspace_id)


Ctx = Annotated[WorkspaceContext, Depends(workspace_context)]


def _object_params() -> dict[str, type]:
    from socialdesk.channels.models import Channel
    from socialdesk.content.models import Post, Publication
    from socialdesk.goals.models import Goal
    from socialdesk.inbox.models import Conversation, InboxItem, ModerationAction, ModerationRule, SavedReply
    from socialdesk.media.models import MediaAsset
    from socialdesk.reports.models import ReportSchedule

    return {"post_id": Post, "publication_id": Publication, "channel_id": Channel, "media_id": MediaAsset,
            "item_id": InboxItem, "conversation_id": Conversation, "rule_id": ModerationRule,
            "saved_reply_id": SavedReply, "action_id": ModerationAction, "goal_id": Goal, "schedule_id": ReportSchedule}


# Path parameters that are not workspace objects, checked by their own routes.
OWN_PARAMS = {"workspace_id", "token_id", "path"}


def path_objects_in_workspace(request: Request, session: DbSession,
                              identity: Annotated[Identity | None, Depends(optional_identity)]) -> None:
    """Before any route runs: every object id in its path must belong to the path's workspace,
    which the caller must be a member of. So no route can forget the check, and a member of one
    workspace gets 404 for every object of another, whatever the route does next."""
    params = request.path_params
    if not params.keys() - OWN_PARAMS and "workspace_id" not in params:
        return
    if identity is None:
        raise Unauthorized("Sign in first, or send an API token as 'Authorization: Bearer <token>'.")
    if "workspace_id" not in params:
        return
    ctx = _context(request, session, identity, params["workspace_id"])
    models = _object_params()
    for name, value in params.items():
        if name in models:
            ctx.get(models[name], value, what=name.removesuffix("_id").replace("_", " "))


def check_route_params(paths: list[str]) -> None:
    """Refuse to start when a route has a path parameter the workspace check does not know."""
    import re

    known = OWN_PARAMS | _object_params().keys()
    for path in paths:
        for name in re.findall(r"{(\w+)(?::\w+)?}", path):
            if name not in known:
                raise RuntimeError(f"Route {path} has path parameter {name!r}, which path_objects_in_workspace "
                                   "does not know: add its model to _object_params or rename it.")
