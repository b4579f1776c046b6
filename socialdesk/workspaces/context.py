"""Who is acting, in which workspace, and the one place where queries get the workspace filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from socialdesk.core.errors import Forbidden, NotFound
from socialdesk.workspaces.models import Role, Workspace
from socialdesk.workspaces.permissions import Permission, role_allows

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """A signed-in person, or an API token acting for one (then `scopes` limits what it may do)."""

    user_id: str | None
    label: str
    token_id: str | None = None
    scopes: frozenset[str] | None = None  # None: a browser session, limited by role only
    review_link_id: str | None = None  # a client acting through a review link (agency/review_links.py)

    @classmethod
    def system(cls, label: str = "socialdesk") -> Actor:
        return cls(user_id=None, label=label)


@dataclass
class WorkspaceContext:
    session: Session
    workspace: Workspace
    actor: Actor
    role: Role

    @property
    def workspace_id(self) -> str:
        return self.workspace.id

    def can(self, permission: Permission) -> bool:
        if not role_allows(self.role, permission):
            return False
        return self.actor.scopes is None or permission.value in self.actor.scopes

    def require(self, permission: Permission) -> None:
        if not role_allows(self.role, permission):
            raise Forbidden(f"Your role ({self.role.value.replace('_', ' ')}) may not do this "
                            f"({permission.value}). Ask a workspace admin.")
        if self.actor.scopes is not None and permission.value not in self.actor.scopes:
            raise Forbidden(f"This API token lacks the scope {permission.value!r}.")

    def select(self, model: type[T]) -> Select[tuple[T]]:
        """A SELECT of `model` limited to this workspace: every workspace-owned query starts here."""
        return select(model).where(model.workspace_id == self.workspace.id)  # type: ignore[attr-defined]

    def get(self, model: type[T], object_id: Any, *, what: str | None = None) -> T:
        """One object of this workspace, or NotFound — also when it exists in another workspace."""
        # No id holds a NUL character, and PostgreSQL refuses one in a query ("cannot contain NUL"): not found.
        has_nul = isinstance(object_id, str) and "\x00" in object_id
        obj = None if has_nul else self.session.scalars(
            self.select(model).where(model.id == object_id)).first()  # type: ignore[attr-defined]
        if obj is None:
            raise NotFound(f"No {what or model.__name__.lower()} with id {object_id!s} in this workspace.")
        return obj
