"""Reply from here: answer a mention through one of the workspace's channels on the mention's network, with
the inbox's reply path (inbox.actions.channel_adapter / call_network, then the adapter's `reply`).

Exactly once: every reply has an idempotency key, unique per workspace (the page puts a fresh one in each
form, the API takes an `Idempotency-Key` header, and without one the key is the mention, the channel and the
text, so a script run twice sends one reply). A key seen before gives back the reply it made; the row is
claimed before the network is called, so a second request with the same key waits for the first (PostgreSQL's
unique index) and then gets its reply instead of sending another. Audited as `listening.reply`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from socialdesk.audit import service as audit
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.inbox.actions import MAX_REPLY, call_network, channel_adapter
from socialdesk.listening.models import Mention, MentionReply
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_KEY = 200

# Sources whose posts can be answered on their network, and the channel network that can do it.
_NETWORK = {"bluesky": "bluesky", "mastodon": "mastodon"}
# Why the others cannot (shown instead of the button, and as the API's answer).
_WHY_NOT = {
    "rss": "A news feed item cannot be answered from here: reply on the site that published it.",
    "youtube": "YouTube search results cannot be answered from here: socialdesk's YouTube channels answer "
               "comments on their own videos only (the inbox), not other channels' videos.",
    "reddit": "Reddit cannot be answered from here: socialdesk reads Reddit with the operator's app only "
              "(application-only OAuth, which cannot post), and there is no Reddit channel to reply as.",
    "sandbox": "The sandbox's public conversation is simulated: its posts have no account to reply to.",
    "x": "X cannot be answered from here: X recent search is not a listening source yet, and posting needs "
         "paid write access.",
}


@dataclass(frozen=True)
class ReplyOptions:
    channels: list[Channel]
    reason: str | None  # why no reply is possible (no channels then)


def _kind(source: str) -> str:
    return source.split(":", 1)[0].strip().lower()


def options(ctx: WorkspaceContext, mention: Mention, connected: list[Channel] | None = None) -> ReplyOptions:
    """The channels that can answer this mention, or why none can (`connected`: the workspace's channels,
    when the caller already has them)."""
    kind = _kind(mention.source)
    network = _NETWORK.get(kind)
    if network is None:
        return ReplyOptions([], _WHY_NOT.get(kind, f"Mentions from {mention.source} cannot be answered from here."))
    if not (mention.external_id or mention.url):
        return ReplyOptions([], "This mention has no address on its network to reply to.")
    pool = channels.list_channels(ctx) if connected is None else connected
    found = [c for c in pool if c.network == network and c.status == ChannelStatus.ACTIVE
             and channels.capabilities(c).reply]
    if not found:
        label = network.capitalize()
        return ReplyOptions([], f"No {label} channel is connected to this workspace: connect one (Channels) to "
                                f"reply to {label} mentions from here.")
    return ReplyOptions(found, None)


def options_by_mention(ctx: WorkspaceContext, mentions: list[Mention]) -> dict[str, ReplyOptions]:
    connected = channels.list_channels(ctx)
    return {m.id: options(ctx, m, connected) for m in mentions}


def default_key(mention_id: str, channel_id: str, text: str) -> str:
    return "auto:" + hashlib.sha256(f"{mention_id}\n{channel_id}\n{text}".encode()).hexdigest()


def reply(ctx: WorkspaceContext, mention_id: str, *, channel_id: str, text: str,
          idempotency_key: str | None = None) -> MentionReply:
    """Answer the mention on its network as the channel; returns the reply (the earlier one for a key seen before)."""
    ctx.require(Permission.INBOX_WRITE)
    mention = ctx.get(Mention, mention_id, what="mention")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write a reply first.")
    if len(text) > MAX_REPLY:
        raise ValidationFailed(f"A reply can be at most {MAX_REPLY:,} characters.")
    key = " ".join((idempotency_key or "").split()) or default_key(mention.id, channel_id, text)
    if len(key) > MAX_KEY:
        raise ValidationFailed(f"An idempotency key is at most {MAX_KEY} characters.")
    channels.get(ctx, channel_id)  # another workspace's channel is not found here (404), whatever the mention
    earlier = _by_key(ctx, key)
    if earlier is not None:
        return _same_or_refuse(earlier, mention.id, channel_id, text)
    allowed = options(ctx, mention)
    if allowed.reason:
        raise Conflict(allowed.reason)
    if channel_id not in {c.id for c in allowed.channels}:
        names = ", ".join(c.name for c in allowed.channels)
        raise ValidationFailed(f"Choose one of the workspace's channels on the mention's network: {names}.")
    channel, adapter = channel_adapter(ctx, channel_id, "reply", "does not allow replies through its API.")
    # Claimed before the network is called: a concurrent request with the same key waits here for this one.
    row = MentionReply(workspace_id=ctx.workspace_id, mention_id=mention.id, channel_id=channel.id,
                       idempotency_key=key, text=text, status="sending", replied_by=ctx.actor.user_id)
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
            ctx.session.flush()
    except IntegrityError:
        other = _by_key(ctx, key)
        if other is None:
            raise
        return _same_or_refuse(other, mention.id, channel_id, text)
    resolve = getattr(adapter, "public_post_id", None)
    address = mention.external_id or mention.url
    target = call_network(channel, "find the post", lambda: resolve(address)) if resolve else address
    reply_id = str(call_network(channel, "take the reply", lambda: adapter.reply(target, text)))
    link = getattr(adapter, "post_link", None)
    row.external_id = reply_id
    row.url = str(link(reply_id)) if link else ""
    row.status = "sent"
    audit.record(ctx, "listening.reply", "listening_mention", mention.id,
                 f"Replied to {mention.author} on {channel.name}: {text[:80]}")
    ctx.session.flush()
    return row


def _by_key(ctx: WorkspaceContext, key: str) -> MentionReply | None:
    return ctx.session.scalars(ctx.select(MentionReply).where(MentionReply.idempotency_key == key)).first()


def _same_or_refuse(earlier: MentionReply, mention_id: str, channel_id: str, text: str) -> MentionReply:
    if (earlier.mention_id, earlier.channel_id, earlier.text) != (mention_id, channel_id, text):
        raise Conflict("This idempotency key was already used for another reply; send a new key for a new reply.")
    return earlier


def replies_of(ctx: WorkspaceContext, mention_ids: list[str]) -> dict[str, list[MentionReply]]:
    found: dict[str, list[MentionReply]] = {}
    if not mention_ids:
        return found
    for row in ctx.session.scalars(ctx.select(MentionReply).where(
            MentionReply.mention_id.in_(mention_ids), MentionReply.status == "sent")
            .order_by(MentionReply.created_at)):
        found.setdefault(row.mention_id, []).append(row)
    return found


def reply_dict(ctx: WorkspaceContext, row: MentionReply) -> dict[str, Any]:
    from socialdesk.auth.models import User

    channel = ctx.session.get(Channel, row.channel_id)
    user = ctx.session.get(User, row.replied_by) if row.replied_by else None
    return {"id": row.id, "mention_id": row.mention_id, "channel_id": row.channel_id,
            "channel": channel.name if channel else "", "text": row.text, "status": row.status,
            "external_id": row.external_id, "url": row.url, "replied_at": row.created_at.isoformat(),
            "replied_by": user.email if user else None, "idempotency_key": row.idempotency_key}

