"""Request dependencies: one unit of work per request, who is asking, CSRF, the workspace context."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from socialdesk.auth import service as auth
from socialdesk.auth.models import User, UserSession
from socialdesk.core.db import get_database
from socialdesk.core.errors import Forbidden, Unauthorized
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.permissions import Access, Permission, Requirement, UserScope, declared, role_allows

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
        workspace_id = request.path_params.get("workspace_id")
        found = auth.resolve_api_token_in(session, header[7:].strip(), workspace_id)
        if found is None:
            raise Unauthorized("The API token is unknown, expired or revoked.")
        token = found.token
        if auth.token_use_due(token):
            _note_token_use(request, session, token.id)
        if workspace_id is not None:  # the membership came with the token: _context needs no statement of its own
            request.state.token_membership = (workspace_id, found.workspace, found.role)
        return Identity(found.actor, found.user, token_workspace_id=token.workspace_id)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    resolved = auth.resolve_session(session, cookie)
    if resolved is None:
        return None
    user_session, user = resolved
    return Identity(Actor(user.id, user.email), user, user_session)


def _note_token_use(request: Request, session: Session, token_id: str) -> None:
    if request.method not in SAFE_METHODS:
        auth.note_token_use(session, token_id)  # committed with the request's own changes
        return
    # A read runs in a read-only session: record the use in a short transaction of its own.
    with get_database().unit_of_work() as writer:
        auth.note_token_use(writer, token_id)


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
        known = getattr(request.state, "token_membership", None)
        if known is not None and known[0] == workspace_id and identity.actor.token_id is not None:
            ctx = workspaces.context_of(session, identity.actor, workspace_id, known[1], known[2],
                                        token_workspace_id=identity.token_workspace_id)
        else:
            ctx = workspaces.context_for(session, identity.actor, workspace_id,
                                         token_workspace_id=identity.token_workspace_id)
        request.state.workspace_ctx = ctx
    return ctx


async def workspace_context(request: Request, workspace_id: str, identity: CurrentIdentity,
                            session: DbSession) -> WorkspaceContext:
    # The route guard, which runs first, has usually looked the context up already: then handing it over
    # needs no trip through the thread pool. Otherwise it is looked up there (it reads the database).
    ctx: WorkspaceContext | None = getattr(request.state, "workspace_ctx", None)
    if ctx is not None and ctx.workspace_id == workspace_id:
        return ctx
    return await run_in_threadpool(_context, request, session, identity, workspace_id)


Ctx = Annotated[WorkspaceContext, Depends(workspace_context)]


def _object_params() -> dict[str, type]:
    from socialdesk.agency.models import ReviewLink, TimeEntry
    from socialdesk.channels.models import Channel
    from socialdesk.content.models import Post, Publication
    from socialdesk.contests.models import Contest
    from socialdesk.goals.models import Goal
    from socialdesk.inbox.models import Conversation, InboxItem, ModerationAction, ModerationRule, SavedReply
    from socialdesk.media.models import MediaAsset
    from socialdesk.reports.models import ReportSchedule
    from socialdesk.workspaces.models import Invitation, Membership

    return {"post_id": Post, "publication_id": Publication, "channel_id": Channel, "media_id": MediaAsset,
            "item_id": InboxItem, "conversation_id": Conversation, "rule_id": ModerationRule,
            "saved_reply_id": SavedReply, "action_id": ModerationAction, "goal_id": Goal, "schedule_id": ReportSchedule,
            "member_id": Membership, "invitation_id": Invitation, "contest_id": Contest,
            "review_link_id": ReviewLink, "time_entry_id": TimeEntry,
            **_collab_params(), **_followup_params(), **_campaign_params(), **_listening_params(), **_links_params()}


def _campaign_params() -> dict[str, type]:
    from socialdesk.campaigns.models import AdRequest, Audience, Campaign

    return {"campaign_id": Campaign, "request_id": AdRequest, "audience_id": Audience}


def _links_params() -> dict[str, type]:
    from socialdesk.links.models import CalendarFeed, NewsFeed

    return {"calendar_feed_id": CalendarFeed, "news_feed_id": NewsFeed}


def _collab_params() -> dict[str, type]:
    from socialdesk.comments.models import PostComment
    from socialdesk.integrations.models import OutgoingWebhook
    from socialdesk.notifications.models import ChatWebhook
    from socialdesk.studio.writing.models import DictionaryWord

    return {"comment_id": PostComment, "chat_webhook_id": ChatWebhook, "webhook_id": OutgoingWebhook,
            "word_id": DictionaryWord}


def _followup_params() -> dict[str, type]:
    from socialdesk.quizzes.models import Quiz

    return {"quiz_id": Quiz}


def _listening_params() -> dict[str, type]:
    from socialdesk.competitors.models import Competitor
    from socialdesk.listening.models import Mention, Monitor
    from socialdesk.strategy.models import ContentPillar, KeyDate

    return {"monitor_id": Monitor, "mention_id": Mention, "pillar_id": ContentPillar, "competitor_id": Competitor,
            "key_date_id": KeyDate}


# Path parameters that are not workspace objects, checked by their own routes.
OWN_PARAMS = {"workspace_id", "token_id", "path", "invitation_token", "token", "name", "network",
              "hook_channel_id"}


def route_guard(request: Request, session: DbSession,
                identity: Annotated[Identity | None, Depends(optional_identity)]) -> None:
    """Before any route runs: the caller may do what the route declared with `requires`, and every
    object id in its path belongs to the path's workspace, which the caller must be a member of.

    One check for every route, so no route can forget it: a member of one workspace gets 404 for
    every object of another, and a role or token without the route's permission gets 403."""
    needs = declared(request.scope.get("endpoint"))
    if needs is None:  # check_route_permissions keeps the app from starting with such a route
        raise Forbidden("This route declares no permission.")
    if Access.PUBLIC in needs:
        return
    if identity is None:
        raise Unauthorized("Sign in first, or send an API token as 'Authorization: Bearer <token>'.")
    params = request.path_params
    if "workspace_id" not in params:
        _check_user_scope(identity, needs)
        return
    ctx = _context(request, session, identity, params["workspace_id"])
    _check_permission(ctx, needs)
    models = _object_params()
    for name, value in params.items():
        if name in models:
            ctx.get(models[name], value, what=name.removesuffix("_id").replace("_", " "))


def _check_user_scope(identity: Identity, needs: frozenset[Requirement]) -> None:
    scopes = identity.actor.scopes
    wanted = sorted(n.value for n in needs if isinstance(n, UserScope))
    if wanted and scopes is not None and not scopes & set(wanted):
        raise Forbidden(f"This API token lacks the scope {' or '.join(map(repr, wanted))}.")


def _check_permission(ctx: WorkspaceContext, needs: frozenset[Requirement]) -> None:
    if Access.MEMBER in needs:
        return
    wanted = sorted(n for n in needs if isinstance(n, Permission))
    if any(ctx.can(p) for p in wanted):
        return
    names = " or ".join(p.value for p in wanted)
    if not any(role_allows(ctx.role, p) for p in wanted):
        raise Forbidden(f"Your role ({ctx.role.value.replace('_', ' ')}) may not do this ({names}). "
                        "Ask a workspace admin.")
    raise Forbidden(f"This API token lacks the scope {names}.")


def check_route_permissions(routes: list[tuple[str, Callable[..., object] | None]]) -> None:
    """Refuse to start when a route declares no permission, or declares one that cannot be checked."""
    for path, endpoint in routes:
        needs = declared(endpoint)
        if needs is None:
            raise RuntimeError(f"Route {path} declares no permission: add @requires(...) to "
                               f"{getattr(endpoint, '__qualname__', endpoint)} (see workspaces/permissions.py).")
        in_workspace = "{workspace_id}" in path
        if in_workspace and not needs & (set(Permission) | {Access.MEMBER}):
            raise RuntimeError(f"Route {path} is inside a workspace but declares {sorted(needs)}: "
                               "declare the workspace permission it needs.")
        if not in_workspace and needs & (set(Permission) | {Access.MEMBER}):
            raise RuntimeError(f"Route {path} declares {sorted(needs)}, which needs a workspace, "
                               "but has no {workspace_id} in its path.")


def check_route_params(paths: list[str]) -> None:
    """Refuse to start when a route has a path parameter the workspace check does not know."""
    import re

    known = OWN_PARAMS | _object_params().keys()
    for path in paths:
        for name in re.findall(r"{(\w+)(?::\w+)?}", path):
            if name not in known:
                raise RuntimeError(f"Route {path} has path parameter {name!r}, which path_objects_in_workspace "
                                   "does not know: add its model to _object_params or rename it.")
