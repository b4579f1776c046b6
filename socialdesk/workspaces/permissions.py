"""What each role may do. API token scopes use the same names, so a token can only narrow a role."""

from __future__ import annotations

from enum import StrEnum

from socialdesk.workspaces.models import Role


class Permission(StrEnum):
    READ = "read"  # see posts, calendar, channels, media, comments, metrics
    POSTS_WRITE = "posts:write"  # compose, edit, submit for approval, upload media
    POSTS_APPROVE = "posts:approve"
    POSTS_PUBLISH = "posts:publish"  # schedule without approval, publish now, cancel
    INBOX_WRITE = "inbox:write"  # reply to and moderate comments
    CHANNELS_MANAGE = "channels:manage"
    WORKSPACE_ADMIN = "workspace:admin"  # members, queue slots, approval chain, audit log


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.CLIENT_REVIEWER: frozenset({Permission.READ, Permission.POSTS_APPROVE}),
    Role.APPROVER: frozenset({Permission.READ, Permission.POSTS_APPROVE}),
    Role.EDITOR: frozenset({Permission.READ, Permission.POSTS_WRITE, Permission.INBOX_WRITE}),
    Role.ADMIN: frozenset(Permission),
    Role.OWNER: frozenset(Permission),
}

ALL_SCOPES = frozenset(p.value for p in Permission)


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
