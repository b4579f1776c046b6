"""What lists of posts show at a glance: each channel's network as a small mark, and the post's images
as thumbnails (the media library's own, made at upload; videos get a labelled placeholder)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.media.models import MediaAsset
from socialdesk.workspaces.context import WorkspaceContext

# One or two characters on the network's colour (the colours are in app.css, .net-<key>). Letters,
# not logos: the networks' logos are their trademarks.
MARKS = {
    "instagram": "Ig", "x": "X", "bluesky": "B", "mastodon": "M", "facebook": "f", "threads": "@",
    "linkedin": "in", "telegram": "T", "youtube": "▶", "tiktok": "♪", "pinterest": "P", "vk": "vk",
    "wordpress": "W", "ghost": "G", "generic": "•",
}


@dataclass(frozen=True)
class NetworkMark:
    key: str  # the network, or for a sandbox channel the network it imitates
    label: str  # e.g. "Instagram-like sandbox", "Bluesky"
    mark: str

    @cached_property
    def html(self) -> Markup:
        """The mark as HTML, made once per channel: a month of posts shows it thousands of times."""
        return Markup('<span class="net net-{0}" role="img" title="{1}" aria-label="{1}">{2}</span>').format(
            self.key, self.label, self.mark)

    def __html__(self) -> str:
        return self.html


def network_mark(channel: Channel) -> NetworkMark:
    key = str(channel.settings.get("profile") or "generic") if channel.network == "sandbox" else channel.network
    return NetworkMark(key, channels.capabilities(channel).label, MARKS.get(key, key[:1].upper()))


def network_marks(ctx: WorkspaceContext) -> dict[str, NetworkMark]:
    """Every channel's mark, by channel id."""
    return {c.id: network_mark(c) for c in channels.list_channels(ctx)}


def media_assets(ctx: WorkspaceContext, media_ids: Iterable[str]) -> dict[str, MediaAsset]:
    """The media files named, by id, in one query (files deleted since are simply absent)."""
    wanted = set(media_ids)
    if not wanted:
        return {}
    return {a.id: a for a in ctx.session.scalars(ctx.select(MediaAsset).where(MediaAsset.id.in_(wanted)))}
