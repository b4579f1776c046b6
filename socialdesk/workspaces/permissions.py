"""What each role may do, and what each route needs.

API token scopes use the same names as permissions, so a token can only narrow its owner's role. Every
route declares what it needs with `@requires(...)`; one router-level check enforces it (web.deps) and
the app refuses to start when a route declares nothing (web.deps.check_route_permissions).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from socialdesk.workspaces.models import Role


class Permission(StrEnum):
    """Something a role may do inside one workspace."""

    POSTS_READ = "posts:read"  # posts, publications, calendar, queue, channels, media
    INBOX_READ = "inbox:read"  # comments, messages (DMs), saved replies, moderation rules and history
    ANALYTICS_READ = "analytics:read"  # dashboards, metrics, best time, goals
    REPORTS_READ = "reports:read"  # reports and their branding
    MEMBERS_READ = "members:read"  # who is in the workspace, with their e-mails
    POSTS_WRITE = "posts:write"  # compose, edit, submit for approval, upload media
    POSTS_APPROVE = "posts:approve"  # see what waits for approval, approve or reject it
    POSTS_PUBLISH = "posts:publish"  # schedule without approval, publish now, cancel
    INBOX_WRITE = "inbox:write"  # reply to and moderate comments
    CHANNELS_MANAGE = "channels:manage"
    WORKSPACE_ADMIN = "workspace:admin"  # members, queue slots, approval chain, audit log, report schedules


class UserScope(StrEnum):
    """A token scope for what a person does with their own account, outside any workspace."""

    TOKENS_MANAGE = "tokens:manage"  # list and revoke the owner's API tokens


class Access(StrEnum):
    """What a route needs when it is not one permission in one workspace."""

    PUBLIC = "public"  # no sign-in (the sign-in page itself, accepting an invitation)
    SIGNED_IN = "signed_in"  # any browser session or API token, whatever its scopes
    MEMBER = "member"  # any member of the route's workspace, any token scope (the workspace's name)


READS = frozenset({Permission.POSTS_READ, Permission.INBOX_READ, Permission.ANALYTICS_READ,
                   Permission.REPORTS_READ, Permission.MEMBERS_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: READS,
    # A client sees what it is asked to approve and the reports, nothing else: no messages, no members.
    Role.CLIENT_REVIEWER: frozenset({Permission.POSTS_APPROVE, Permission.REPORTS_READ}),
    Role.APPROVER: READS | {Permission.POSTS_APPROVE},
    Role.EDITOR: READS | {Permission.POSTS_WRITE, Permission.INBOX_WRITE},
    Role.ADMIN: frozenset(Permission),
    Role.OWNER: frozenset(Permission),
}

# `read` was one scope for every read before reads were split; it still means all of them.
SCOPE_ALIASES: dict[str, frozenset[str]] = {"read": frozenset(p.value for p in READS)}
ALL_SCOPES = frozenset(p.value for p in Permission) | frozenset(s.value for s in UserScope)

Requirement = Permission | UserScope | Access
F = TypeVar("F", bound=Callable[..., object])
_ATTRIBUTE = "__socialdesk_requires__"


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def expand_scopes(scopes: list[str]) -> list[str]:
    """Scopes as stored: aliases replaced by what they stand for, sorted, without repeats."""
    expanded: set[str] = set()
    for scope in scopes:
        expanded |= SCOPE_ALIASES.get(scope, frozenset({scope}))
    return sorted(expanded)


def requires(*needs: Requirement) -> Callable[[F], F]:
    """Declare what a route needs; with several permissions, any one of them is enough.

    e.g. `@requires(Permission.POSTS_READ)`, `@requires(Permission.POSTS_READ, Permission.POSTS_APPROVE)`,
    `@requires(Access.PUBLIC)`."""
    if not needs:
        raise ValueError("requires() needs at least one permission or access level.")
    kinds = {type(n) for n in needs}
    if len(kinds) > 1 or (Access in kinds and len(needs) > 1):
        raise ValueError(f"Mix neither access levels nor kinds of need in one declaration: {needs}.")

    def mark(endpoint: F) -> F:
        setattr(endpoint, _ATTRIBUTE, frozenset(needs))
        return endpoint

    return mark


def declared(endpoint: Callable[..., object] | None) -> frozenset[Requirement] | None:
    """What a route's endpoint declared with `requires`, or None."""
    return getattr(endpoint, _ATTRIBUTE, None)
