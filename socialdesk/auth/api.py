"""Who am I, and API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from socialdesk.auth import service
from socialdesk.auth.models import ApiToken
from socialdesk.core.errors import NotFound
from socialdesk.web.deps import CurrentIdentity, DbSession
from socialdesk.workspaces.permissions import Access, UserScope, requires
from socialdesk.workspaces.service import workspaces_for

router = APIRouter(tags=["me"])


class WorkspaceBrief(BaseModel):
    id: str
    name: str
    role: str


class MeOut(BaseModel):
    id: str
    email: str
    name: str
    workspaces: list[WorkspaceBrief]
    token_scopes: list[str] | None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str]
    workspace_id: str | None = None
    expires_in_days: int | None = Field(None, ge=1, le=service.MAX_TOKEN_DAYS)


class TokenOut(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    workspace_id: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    secret: str = Field(description="Shown once; store it now")


def _token_out(token: ApiToken) -> dict[str, object]:
    return {k: getattr(token, k) for k in TokenOut.model_fields}


@router.get("/me")
@requires(Access.SIGNED_IN)
def me(identity: CurrentIdentity, session: DbSession) -> MeOut:
    return MeOut(id=identity.user.id, email=identity.user.email, name=identity.user.name,
                 workspaces=[WorkspaceBrief(id=w.id, name=w.name, role=r.value)
                             for w, r in workspaces_for(session, identity.user.id)
                             if identity.token_workspace_id in (None, w.id)],
                 token_scopes=sorted(identity.actor.scopes) if identity.actor.scopes is not None else None)


@router.get("/me/tokens")
@requires(UserScope.TOKENS_MANAGE)
def list_tokens(identity: CurrentIdentity, session: DbSession) -> list[TokenOut]:
    """Your tokens; with a token limited to one workspace, only the tokens limited to that workspace."""
    tokens = service.list_api_tokens(session, identity.user, within_workspace=identity.token_workspace_id)
    return [TokenOut(**_token_out(t)) for t in tokens]


@router.post("/me/tokens", status_code=201)
@requires(UserScope.TOKENS_MANAGE)
def create_token(data: TokenIn, identity: CurrentIdentity, session: DbSession) -> NewTokenOut:
    if identity.user_session is None:
        raise NotFound("Tokens are created from a signed-in browser session or the CLI, not with another token.")
    if data.workspace_id and data.workspace_id not in {w.id for w, _ in workspaces_for(session, identity.user.id)}:
        raise NotFound(f"No workspace with id {data.workspace_id}.")
    secret, token = service.create_api_token(session, identity.user, data.name, data.scopes, data.workspace_id,
                                             data.expires_in_days)
    return NewTokenOut(secret=secret, **_token_out(token))


@router.delete("/me/tokens/{token_id}", status_code=204)
@requires(UserScope.TOKENS_MANAGE)
def revoke_token(token_id: str, identity: CurrentIdentity, session: DbSession) -> None:
    service.revoke_api_token(session, identity.user, token_id, within_workspace=identity.token_workspace_id)
