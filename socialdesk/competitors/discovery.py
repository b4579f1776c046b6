"""Competitors read through an account: Instagram (Business Discovery as the workspace's connected
Instagram account) and X (paid reads with the operator's token). service.py asks here for what differs
from the public Bluesky/Mastodon readers: the server to record, the handle's form, whether the workspace
can read them at all, the reader (it needs the workspace), and what a snapshot costs."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from socialdesk.channels import read_access
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import AuthError, PermanentNetworkError, RateLimited
from socialdesk.networks.public.x_costs import Reads, competitor_snapshot, prices

if TYPE_CHECKING:
    from socialdesk.competitors.models import Competitor, CompetitorSnapshot
    from socialdesk.competitors.service import Reader
    from socialdesk.workspaces.context import WorkspaceContext

NETWORKS = ("instagram", "x")

_lock = threading.Lock()
_waits: dict[str, datetime] = {}  # competitor id -> when X's rate-limit window resets


def service_url(network: str) -> str:
    settings = get_settings()
    return settings.meta_graph_url.rstrip("/") if network == "instagram" else settings.x_api_url.rstrip("/")


def handle(network: str, value: str) -> str:
    from socialdesk.networks.public import instagram_discovery, x_profiles

    name = (value or "").strip().lstrip("@")
    if "/" in name:  # a profile address pasted whole: instagram.com/brand/, x.com/brand
        name = [p for p in name.split("/") if p][-1].split("?")[0]
    if network == "instagram":
        if not instagram_discovery.USERNAME.match(name):
            raise ValidationFailed(f"{value!r} is not an Instagram username: give one like brand.hr "
                                   "(letters, digits, . and _).")
        return name.lower()
    if not x_profiles.USERNAME.match(name):
        raise ValidationFailed(f"{value!r} is not an X username: give one like brand_hr (1 to 15 letters, digits "
                               "or _).")
    return name


def check_access(ctx: WorkspaceContext, network: str) -> None:
    """Refuse to add what this workspace could never read, saying what to connect."""
    if network == "instagram" and read_access.instagram(ctx.session, ctx.workspace_id) is None:
        raise ValidationFailed(read_access.NO_INSTAGRAM)
    if network == "x" and read_access.x_token(ctx.session, ctx.workspace_id) is None:
        raise ValidationFailed(read_access.NO_X)


def reader(ctx: WorkspaceContext, network: str) -> Reader:
    """A reader (service, handle) → PublicProfile bound to this workspace's access; network errors only."""
    session, workspace_id = ctx.session, ctx.workspace_id

    def read_instagram(_service: str, name: str) -> Any:
        from socialdesk.networks.public.instagram_discovery import business_discovery

        access = read_access.instagram(session, workspace_id)
        if access is None:
            raise PermanentNetworkError(read_access.NO_INSTAGRAM)
        return business_discovery(access.ig_user_id, access.token, name)

    def read_x(_service: str, name: str) -> Any:
        from socialdesk.networks.public.x_profiles import x_profile

        token = read_access.x_token(session, workspace_id)
        if token is None:
            raise PermanentNetworkError(read_access.NO_X)
        try:
            return x_profile(name, token)
        except AuthError as error:
            raise AuthError(f"X refused the token ({error.network_message}): reconnect the X channel or set "
                            "SOCIALDESK_X_BEARER_TOKEN.", status_code=error.status_code) from error

    return read_instagram if network == "instagram" else read_x


def note_rate_limit(competitor: Competitor, error: Exception) -> None:
    if isinstance(error, RateLimited):
        with _lock:
            _waits[competitor.id] = clock.now() + timedelta(seconds=error.retry_after or 60.0)


def retry_at(competitor: Competitor) -> datetime | None:
    """When a rate-limited snapshot may be tried again (None: it was not rate limited)."""
    with _lock:
        until = _waits.pop(competitor.id, None)
    return until if until is not None and until > clock.now() else None


# Costs ----------------------------------------------------------------------------------------------

def estimate(competitor: Competitor, *, with_prices: bool = True) -> str:
    """Before a snapshot: what it may cost ("" where nothing is billed per read)."""
    if competitor.network != "x":
        return ""
    return cost_before(with_prices=with_prices)


def cost_before(*, with_prices: bool = True) -> str:
    text = f"{competitor_snapshot().text(at_most=True)} a snapshot"
    return f"{text} ({prices()})" if with_prices else text


def spent(competitor: Competitor, snapshot: CompetitorSnapshot | None) -> Reads | None:
    """After a snapshot: what X billed for it (the user and every post returned)."""
    if competitor.network != "x" or snapshot is None:
        return None
    return Reads(posts=len(snapshot.posts or []), users=1)
