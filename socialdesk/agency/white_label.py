"""White-label for a client's workspace: the name its e-mails come from, and the domain its client-facing
pages (review links, the public draw record) are linked on where the operator has set one up.

A custom domain only changes the links socialdesk writes; the operator points the domain at the same
socialdesk (DNS + the reverse proxy's certificate, docs/agency.md "White-label"), which serves any host.
"""

from __future__ import annotations

import re
from email.utils import formataddr, parseaddr

from socialdesk.audit import service as audit
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.permissions import Permission

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+[a-z]{{2,63}}$")
_BAD_NAME = re.compile(r"[\r\n<>\"@]")


def sender_name(workspace: Workspace | None) -> str | None:
    """The display name of e-mails sent for the workspace: its set sender name, else its own name."""
    if workspace is None:
        return None
    return (workspace.email_sender_name or "").strip() or workspace.name


def from_header(name: str | None) -> str:
    """SOCIALDESK_SMTP_FROM with `name` as its display name (the address stays the operator's)."""
    configured = get_settings().smtp_from
    if not name:
        return configured
    _, address = parseaddr(configured)
    return formataddr((name, address or configured))


def public_link(workspace: Workspace, path: str, fallback_base: str | None = None) -> str:
    """An address for a client-facing page: on the workspace's custom domain if it has one, else on
    SOCIALDESK_PUBLIC_URL, else on `fallback_base` (the address the request came to), else the bare path."""
    if workspace.custom_domain:
        return f"https://{workspace.custom_domain}{path}"
    base = get_settings().public_url or fallback_base
    return f"{base.rstrip('/')}{path}" if base else path


def check_domain(value: str) -> str | None:
    value = value.strip().lower().rstrip(".")
    if not value:
        return None
    if value.startswith(("http://", "https://")) or "/" in value:
        raise ValidationFailed("Give the domain alone, e.g. review.client.com (no https:// and no path).")
    if not _DOMAIN.match(value) or len(value) > 253:
        raise ValidationFailed(f"{value!r} is not a domain name like review.client.com.")
    return value


def update(ctx: WorkspaceContext, *, sender: str, domain: str) -> None:
    """Set the workspace's e-mail sender name ("" = its name) and custom domain ("" = none)."""
    ctx.require(Permission.WORKSPACE_ADMIN)
    sender = " ".join(sender.split())
    if len(sender) > 200 or _BAD_NAME.search(sender):
        raise ValidationFailed("The sender name is a plain name (no e-mail address, quotes or <>), at most 200 "
                               "characters.")
    checked = check_domain(domain)
    workspace = ctx.workspace
    workspace.email_sender_name = sender or None
    workspace.custom_domain = checked
    audit.record(ctx, "workspace.white_label", "workspace", workspace.id,
                 f"E-mail sender name {sender or '(the workspace name)'}; custom domain {checked or '(none)'}",
                 sender=sender, domain=checked)
    ctx.session.flush()
