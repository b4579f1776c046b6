"""Composing posts, the approval flow, and the life of each publication up to the dispatcher."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, String, any_, bindparam, delete, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.auth.models import User
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import bloglink
from socialdesk.content import features as content_features
from socialdesk.content import options as content_options
from socialdesk.content.models import (
    EDITABLE,
    ApprovalDecision,
    Post,
    PostMedia,
    Publication,
    PublicationStatus,
    PublicationStep,
)
from socialdesk.content.schemas import (
    ApprovalOut,
    ChannelCheck,
    Intent,
    PostIn,
    PostOut,
    ProblemOut,
    PublicationOut,
    PublicationPatch,
    StepOut,
    VariantIn,
)
from socialdesk.content.validation import validate_publication
from socialdesk.core import clock
from socialdesk.core.errors import Conflict, Forbidden, ValidationFailed
from socialdesk.core.timezones import local_to_utc, zone
from socialdesk.core.trusted import trusted
from socialdesk.links import shortlinks
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.notifications import service as notifications
from socialdesk.publishing.dispatching import request_dispatch
from socialdesk.studio import accessibility
from socialdesk.studio import service as studio
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Role
from socialdesk.workspaces.permissions import Permission

# A time this close to now still counts as "now" (the user took a few seconds to press the button).
PAST_GRACE = timedelta(minutes=2)
S = PublicationStatus


@dataclass
class SaveResult:
    post: Post
    checks: list[ChannelCheck]
    notes: list[str] = field(default_factory=list)


# Composing ------------------------------------------------------------------------------------


def can_publish_directly(ctx: WorkspaceContext) -> bool:
    """Admins may always schedule; editors only where the workspace asks for no approval."""
    return ctx.can(Permission.POSTS_PUBLISH) or (
        ctx.can(Permission.POSTS_WRITE) and not ctx.workspace.approval_steps)


def check(ctx: WorkspaceContext, data: PostIn) -> list[ChannelCheck]:
    """Validate a post against every target channel without saving anything (the composer's live check)."""
    targets = _channels(ctx, data.channel_ids)
    master_media = _media(ctx, data.media_ids)
    _check_variant_keys(data, targets)
    return _checks(ctx, data, targets, master_media)


def _raise_on_blocking_writing(ctx: WorkspaceContext, data: PostIn) -> None:
    """The workspace's blocking writing kinds (its style guide, say) stop a post going out; a draft is kept."""
    from socialdesk.studio.writing import service as writing

    texts = [data.text, *(v.text for v in data.variants.values() if v.text)]
    found = writing.blocking_problems(ctx, texts)
    if found:
        raise ValidationFailed("The workspace's writing rules block this post: " + "; ".join(found[:5])
                               + ". Fix it, or save it as a draft.", details={"writing": found})


def compose(ctx: WorkspaceContext, data: PostIn, post_id: str | None = None) -> SaveResult:
    """Create or update a post and act on its intent, all or nothing."""
    ctx.require(Permission.POSTS_WRITE)
    post = ctx.get(Post, post_id, what="post") if post_id else None
    if post is not None:
        _require_editable(ctx, post)
    targets = _channels(ctx, data.channel_ids)
    master_media = _media(ctx, data.media_ids)
    _check_variant_keys(data, targets)
    if data.intent != Intent.DRAFT and not targets:
        raise ValidationFailed("Choose at least one channel to publish to.")

    notes: list[str] = []
    tz_name = data.timezone or ctx.workspace.timezone
    zone(tz_name)
    scheduled_at = _when(ctx, data, targets, tz_name, notes, post)
    if data.recurrence:
        _check_recurrence(data.recurrence, scheduled_at)

    checks = _checks(ctx, data, targets, master_media)
    if data.intent != Intent.DRAFT:
        _raise_on_problems(checks)
        _raise_on_blocking_writing(ctx, data)

    is_new = post is None
    if post is None:
        post = Post(workspace_id=ctx.workspace_id, author_id=ctx.actor.user_id)
        ctx.session.add(post)
    post.text = data.text
    post.scheduled_at = scheduled_at
    post.timezone = tz_name
    post.recurrence = data.recurrence or None
    post.extras = content_features.from_post_input(data)
    ctx.session.flush()
    _write_publications(ctx, post, data, targets, master_media)
    shortlinks.prepare(ctx, post)  # UTM tags and short links of each publication's links, by today's rules

    if data.intent == Intent.DRAFT:
        # A draft is a draft: saving a scheduled or pending post as one takes it off the schedule, so an
        # edit can never slip onto a channel unchecked or unapproved.
        if not is_new and any(p.status in (S.SCHEDULED, S.PENDING_APPROVAL) for p in publications(ctx, post)):
            _set_status(ctx, post, S.DRAFT)
            notes.append("Saved as a draft: it will not be published until it is scheduled (or approved) again.")
    elif data.intent == Intent.SUBMIT:
        notes += submit(ctx, post.id)
    else:
        notes += schedule(ctx, post.id)
    audit.record(ctx, "post.create" if is_new else "post.update", "post", post.id,
                 f"{'Created' if is_new else 'Edited'} a post for {len(targets)} channel(s) ({data.intent.value})")
    return SaveResult(post, checks, notes)


def _require_editable(ctx: WorkspaceContext, post: Post) -> None:
    locked = [p for p in publications(ctx, post) if p.status not in EDITABLE]
    if locked:
        raise Conflict(f"This post is already {locked[0].status.replace('_', ' ')} on at least one channel; "
                       "edit the remaining channels one by one, or duplicate the post.")


def _channels(ctx: WorkspaceContext, channel_ids: Sequence[str]) -> list[Channel]:
    seen: dict[str, Channel] = {}
    for channel_id in channel_ids:
        if channel_id not in seen:
            seen[channel_id] = channels.get(ctx, channel_id)
    return list(seen.values())


def _media(ctx: WorkspaceContext, media_ids: Sequence[str] | None) -> list[MediaAsset]:
    return [media.get(ctx, media_id) for media_id in (media_ids or [])]


def _check_variant_keys(data: PostIn, targets: list[Channel]) -> None:
    stray = set(data.variants) - {c.id for c in targets}
    if stray:
        raise ValidationFailed(f"Variants given for channel(s) the post does not go to: {', '.join(sorted(stray))}.")


def _when(ctx: WorkspaceContext, data: PostIn, targets: list[Channel], tz_name: str, notes: list[str],
          post: Post | None) -> datetime | None:
    from socialdesk.scheduling import service as scheduling

    now = clock.now()
    if data.intent == Intent.PUBLISH_NOW:
        return now
    if data.use_queue:
        if not targets:
            raise ValidationFailed("Choose channels first: the queue finds the next slot free on all of them.")
        slot = scheduling.next_free_slot(ctx, [c.id for c in targets], exclude_post_id=post.id if post else None)
        notes.append(f"Queued for the next free slot: {slot.astimezone(zone(tz_name)):%a %d %b %Y %H:%M} ({tz_name}).")
        return slot
    if data.scheduled_at is None:
        if data.intent in (Intent.SUBMIT, Intent.SCHEDULE):
            raise ValidationFailed("Pick a date and time, add the post to the queue, or publish it now.")
        return None
    resolved = local_to_utc(data.scheduled_at, tz_name)
    if resolved.note:
        notes.append(resolved.note)
    if resolved.at < now - PAST_GRACE and data.intent != Intent.DRAFT:
        local_now = now.astimezone(zone(tz_name))
        raise ValidationFailed(
            f"{resolved.at.astimezone(zone(tz_name)):%Y-%m-%d %H:%M} ({tz_name}) is in the past; it is now "
            f"{local_now:%Y-%m-%d %H:%M} there. Pick a later time, or publish now.")
    return resolved.at


def _check_recurrence(rule: str, start: datetime | None) -> None:
    from dateutil.rrule import rrulestr

    if start is None:
        raise ValidationFailed("A recurring post needs a first date and time.")
    try:
        rrulestr(rule, dtstart=start.replace(tzinfo=None))
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(f"The repeat rule {rule!r} is not valid ({exc}). Example: FREQ=WEEKLY;BYDAY=MO.") \
            from exc


def _checks(ctx: WorkspaceContext, data: PostIn, targets: list[Channel],
            master_media: list[MediaAsset]) -> list[ChannelCheck]:
    result = []
    blog = _blog_target(targets)
    blog_variant = data.variants.get(blog.id) if blog else None
    for channel in targets:
        variant = data.variants.get(channel.id)
        text = variant.text if variant and variant.text is not None else data.text
        assets = _media(ctx, variant.media_ids) if variant and variant.media_ids is not None else master_media
        assets = studio.for_channel(ctx.session, ctx.workspace_id, assets, channel)  # copies fitted to it
        caps = channels.capabilities(channel)
        extra: list[ProblemOut] = []
        if blog is None and bloglink.LINK_PLACEHOLDER in text:
            extra.append(ProblemOut(code="blog_link_without_blog", field="text", message=(
                f'The text for "{channel.name}" has {bloglink.LINK_PLACEHOLDER}, but the post goes to no blog '
                "channel whose link could go there. Add the blog channel, or take the placeholder out.")))
        if blog is not None and channel.id != blog.id and not caps.blog:
            # Counted with the link it will carry (its exact address is known only once the blog has it).
            text = bloglink.with_link(text, bloglink.estimated_url(blog.settings))
            if blog_variant is not None and blog_variant.draft:
                extra.append(ProblemOut(code="blog_link_unavailable", field="text", message=(
                    f'This post links to the blog post on "{blog.name}", which is set to stay a draft there, '
                    "so there would be no public link to share. Publish the blog post, or post to "
                    f'"{channel.name}" separately.')))
        report = validate_publication(text, [media.info(a) for a in assets], caps, channel_name=channel.name,
                                      title=variant.title if variant else None,
                                      options=variant.options if variant else None)
        wanted = content_features.effective(content_features.from_post_input(data),
                                            content_features.from_variant(variant))
        found = report.problems + content_features.problems(wanted, caps, f'{caps.label} "{channel.name}"',
                                                            has_media=bool(assets))
        problems = [ProblemOut(code=p.code, field=p.field, message=p.message) for p in found] + extra
        problems += [ProblemOut(code=code, field="media", message=message) for code, message in
                     accessibility.problems(ctx.session, ctx.workspace_id, assets, channel.name)]
        result.append(ChannelCheck(
            channel_id=channel.id, channel_name=channel.name, network_label=caps.label,
            length=report.count.length, limit=report.count.limit, ok=not problems,
            problems=problems))
    return result


def _blog_target(targets: Sequence[Channel]) -> Channel | None:
    """The post's blog channel, whose link its other channels carry (the first one, if there are several)."""
    return next((c for c in targets if channels.capabilities(c).blog), None)


def _raise_on_problems(checks: list[ChannelCheck]) -> None:
    failing = [c for c in checks if not c.ok]
    if failing:
        summary = " ".join(p.message for c in failing for p in c.problems)
        raise ValidationFailed(summary, details={
            "channels": [c.model_dump() for c in failing]})


def _write_publications(ctx: WorkspaceContext, post: Post, data: PostIn, targets: list[Channel],
                        master_media: list[MediaAsset]) -> None:
    existing = {p.channel_id: p for p in publications(ctx, post)}
    wanted = {c.id for c in targets}
    for channel_id, publication in existing.items():
        if channel_id not in wanted:
            ctx.session.delete(publication)
    ctx.session.execute(delete(PostMedia).where(PostMedia.post_id == post.id))
    for position, asset in enumerate(master_media):
        ctx.session.add(PostMedia(post_id=post.id, media_id=asset.id, position=position))
    for channel in targets:
        publication = existing.get(channel.id)
        if publication is None:
            publication = Publication(workspace_id=ctx.workspace_id, post_id=post.id, channel_id=channel.id,
                                      status=S.DRAFT)
            ctx.session.add(publication)
            ctx.session.flush()
        variant = data.variants.get(channel.id)
        publication.variant_text = variant.text if variant and variant.text not in (None, data.text) else None
        publication.own_media = bool(variant and variant.media_ids is not None)
        publication.title = variant.title.strip() if variant and variant.title and variant.title.strip() else None
        publication.blog_options = variant.blog_options() if variant else None
        publication.network_options = _network_options(channel, variant)
        publication.extras = content_features.from_variant(variant)
        publication.scheduled_at = post.scheduled_at
        if publication.own_media and variant and variant.media_ids is not None:
            for position, media_id in enumerate(variant.media_ids):
                ctx.session.add(PostMedia(post_id=post.id, publication_id=publication.id, media_id=media_id,
                                          position=position))
    ctx.session.flush()
    _link_to_blog(ctx, post, targets)


def _network_options(channel: Channel, variant: VariantIn | None) -> dict[str, Any] | None:
    """The variant's options in their declared kinds. A draft may hold wrong ones (compose() refuses them for
    anything that goes out): they are kept as typed, for the author to put right."""
    if variant is None or not variant.options:
        return None
    cleaned, _ = content_options.clean(variant.options, channels.capabilities(channel), channel.name)
    typed = {k: v for k, v in variant.options.items() if k not in cleaned and v not in (None, "")}
    return (cleaned | typed) or None


def _link_to_blog(ctx: WorkspaceContext, post: Post, targets: list[Channel]) -> None:
    """Social publications of a post that also goes to a blog wait for it and carry its link."""
    blog = _blog_target(targets)
    by_channel = {p.channel_id: p for p in publications(ctx, post)}
    blog_publication = by_channel.get(blog.id) if blog else None
    for channel in targets:
        publication = by_channel[channel.id]
        linked = blog_publication is not None and channel.id != blog_publication.channel_id \
            and not channels.capabilities(channel).blog
        publication.link_from_id = blog_publication.id if linked and blog_publication else None
    ctx.session.flush()


# Approval and scheduling ----------------------------------------------------------------------


def submit(ctx: WorkspaceContext, post_id: str) -> list[str]:
    """Ask for approval; where the workspace needs none, this schedules the post."""
    ctx.require(Permission.POSTS_WRITE)
    post = ctx.get(Post, post_id, what="post")
    pubs = _ready_to_go(ctx, post)
    if not ctx.workspace.approval_steps:
        return schedule(ctx, post_id, _skip_permission=True)
    for publication in pubs:
        publication.status = S.PENDING_APPROVAL
    post.approval_step = 0
    _decide(ctx, post, "submitted", None, "")
    audit.record(ctx, "post.submit", "post", post.id, "Submitted a post for approval")
    _approval_requested(ctx, post)
    return [f"Sent for approval ({_step_label(ctx.workspace.approval_steps[0])})."]


def approve(ctx: WorkspaceContext, post_id: str, comment: str = "") -> list[str]:
    post = ctx.get(Post, post_id, what="post")
    step = _current_step(ctx, post)
    steps = ctx.workspace.approval_steps
    _decide(ctx, post, "approved", step, comment)
    audit.record(ctx, "post.approve", "post", post.id, f"Approved a post ({_step_label(step)})")
    _approval_decided(ctx, post, "approved", step, comment)
    if post.approval_step + 1 < len(steps):
        post.approval_step += 1
        _approval_requested(ctx, post)
        return [f"Approved; now waiting for {_step_label(steps[post.approval_step])}."]
    return schedule(ctx, post_id, _skip_permission=True)


def reject(ctx: WorkspaceContext, post_id: str, comment: str) -> list[str]:
    if not comment.strip():
        raise ValidationFailed("Say what should change: a rejection needs a comment for the author.")
    post = ctx.get(Post, post_id, what="post")
    step = _current_step(ctx, post)
    _set_status(ctx, post, S.DRAFT, only_from={S.PENDING_APPROVAL})
    post.approval_step = 0
    _decide(ctx, post, "rejected", step, comment.strip())
    audit.record(ctx, "post.reject", "post", post.id, f"Rejected a post: {comment.strip()[:200]}")
    _approval_decided(ctx, post, "rejected", step, comment.strip())
    return ["Sent back to the author with your comment."]


def _current_step(ctx: WorkspaceContext, post: Post) -> str:
    ctx.require(Permission.POSTS_APPROVE)
    if not any(p.status == S.PENDING_APPROVAL for p in publications(ctx, post)):
        raise Conflict("This post is not waiting for approval.")
    steps = ctx.workspace.approval_steps
    step = steps[min(post.approval_step, len(steps) - 1)] if steps else Role.APPROVER.value
    if ctx.role not in (Role.OWNER, Role.ADMIN) and ctx.role.value != step:
        raise Forbidden(f"This post is waiting for {_step_label(step)}, not for your role "
                        f"({ctx.role.value.replace('_', ' ')}).")
    return step


def _approval_requested(ctx: WorkspaceContext, post: Post) -> None:
    """Tell the people whose step it is (notifications.people; the approval queue shows it too)."""
    from socialdesk.notifications.people import tell
    from socialdesk.workspaces.models import Membership

    steps = ctx.workspace.approval_steps
    step = steps[min(post.approval_step, len(steps) - 1)] if steps else Role.APPROVER.value
    people = list(ctx.session.scalars(select(Membership.user_id).where(
        Membership.workspace_id == ctx.workspace_id, Membership.role == step)))
    tell(ctx.session, ctx.workspace_id, "approval_requested",
         f"A post waits for {_step_label(step)}: “{_excerpt(post.text)}”",
         link=f"/w/{ctx.workspace_id}/approvals", user_ids=people, exclude=[ctx.actor.user_id or ""])


def _approval_decided(ctx: WorkspaceContext, post: Post, decision: str, step: str, comment: str) -> None:
    from socialdesk.integrations import service as integrations
    from socialdesk.notifications.people import tell

    if post.author_id:
        said = f" — “{_excerpt(comment)}”" if comment else ""
        tell(ctx.session, ctx.workspace_id, "approval_decided",
             f"{ctx.actor.label} {decision} your post ({_step_label(step)}): “{_excerpt(post.text)}”{said}",
             link=f"/w/{ctx.workspace_id}/posts/{post.id}", user_ids=[post.author_id],
             exclude=[ctx.actor.user_id or ""])
    integrations.emit(ctx.session, ctx.workspace_id, "approval.decided", {
        "post_id": post.id, "decision": decision, "step": step, "comment": comment,
        "by_user_id": ctx.actor.user_id, "by": ctx.actor.label})


def _excerpt(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _step_label(step: str) -> str:
    return {"approver": "an approver", "client_reviewer": "the client's review"}.get(step, step)


def _decide(ctx: WorkspaceContext, post: Post, decision: str, step: str | None, comment: str) -> None:
    link_id = ctx.actor.review_link_id
    ctx.session.add(ApprovalDecision(workspace_id=ctx.workspace_id, post_id=post.id, user_id=ctx.actor.user_id,
                                     decision=decision, step=step, comment=comment, review_link_id=link_id,
                                     by_label=ctx.actor.label if link_id else None))


def schedule(ctx: WorkspaceContext, post_id: str, *, _skip_permission: bool = False) -> list[str]:
    """Move a post's publications to `scheduled`; the dispatcher publishes them when due."""
    if not _skip_permission and not can_publish_directly(ctx):
        raise Forbidden("Posts in this workspace need approval: submit it for approval instead.")
    post = ctx.get(Post, post_id, what="post")
    pubs = _ready_to_go(ctx, post)
    now = clock.now()
    if post.scheduled_at is None:
        raise ValidationFailed("Pick a date and time, add the post to the queue, or publish it now.")
    if post.scheduled_at < now - PAST_GRACE:
        raise ValidationFailed(
            f"The post was due at {post.scheduled_at.astimezone(zone(post.timezone)):%Y-%m-%d %H:%M} "
            f"({post.timezone}), which has passed. Pick a new time before scheduling it.")
    for publication in pubs:
        publication.status = S.SCHEDULED
        publication.scheduled_at = publication.scheduled_at or post.scheduled_at
        publication.attempts = 0
        publication.next_attempt_at = None
        publication.last_error = None
    audit.record(ctx, "post.schedule", "post", post.id, "Scheduled a post")
    notes = []
    request_dispatch(ctx.session, post.scheduled_at)
    if post.scheduled_at <= now:
        notes.append("Publishing now.")
    else:
        notes.append(f"Scheduled for {post.scheduled_at.astimezone(zone(post.timezone)):%a %d %b %Y %H:%M} "
                     f"({post.timezone}).")
    if post.recurrence:
        from socialdesk.scheduling import service as scheduling

        created = scheduling.extend_recurrence(ctx, post)
        if created:
            notes.append(f"Repeats: {created} upcoming occurrence(s) added to the calendar.")
    notes += _publishing_limit_notes(ctx, pubs)
    return notes


def _publishing_limit_notes(ctx: WorkspaceContext, pubs: Sequence[Publication]) -> list[str]:
    """Channels whose network reports a daily publishing limit (Instagram's content_publishing_limit, kept in
    the channel's settings at connect and at each metrics collection) that is used up or nearly so."""
    notes = []
    for channel_id in dict.fromkeys(p.channel_id for p in pubs):
        channel = ctx.session.get(Channel, channel_id)
        settings = (channel.settings or {}) if channel is not None else {}
        limit = (settings.get("account_details") or {}).get("publishing_limit") or settings.get("publishing_limit")
        if channel is None or not isinstance(limit, dict):
            continue
        used, total = limit.get("quota_usage"), limit.get("quota_total")
        if isinstance(used, int) and isinstance(total, int) and total > 0 and used >= total * 0.8:
            hours = (limit.get("quota_duration") or 86400) // 3600
            wait = " The post waits until a slot frees." if used >= total else ""
            notes.append(f"{channel.name}: {used} of {total} posts allowed through the API in {hours} hours "
                         f"are used.{wait}")
    return notes


def _ready_to_go(ctx: WorkspaceContext, post: Post) -> list[Publication]:
    """The post's publications that may be (re)scheduled, after re-validating them."""
    pubs = [p for p in publications(ctx, post) if p.status in EDITABLE and p.status != S.CANCELLED]
    if not pubs:
        raise Conflict("Nothing left to schedule: every channel of this post is published, publishing or cancelled.")
    data = to_input(ctx, post)
    _raise_on_problems(_checks(ctx, data, _channels(ctx, [p.channel_id for p in pubs]),
                               _media(ctx, data.media_ids)))
    return pubs


def to_input(ctx: WorkspaceContext, post: Post) -> PostIn:
    """The post as the composer would submit it (used to re-validate and to duplicate)."""

    pubs = publications(ctx, post)
    media_rows = _media_rows(ctx, [post.id])
    variants = {}
    for p in pubs:
        own = [m for pub_id, m in media_rows.get(post.id, []) if pub_id == p.id] if p.own_media else None
        options = p.blog_options or {}
        own_extras = p.extras or {}
        if p.variant_text is not None or own is not None or p.title or options or p.network_options or own_extras:
            variants[p.channel_id] = VariantIn(
                text=p.variant_text, media_ids=own, title=p.title, tags=options.get("tags"),
                categories=options.get("categories"), draft=bool(options.get("draft")), options=p.network_options,
                thread=own_extras.get("thread"), poll=own_extras.get("poll"),
                no_poll="poll" in own_extras and not own_extras["poll"],
                content_warning=own_extras.get("content_warning"), visibility=own_extras.get("visibility"))
    extras = post.extras or {}
    return PostIn(text=post.text, channel_ids=[p.channel_id for p in pubs],
                  media_ids=[m for pub_id, m in media_rows.get(post.id, []) if pub_id is None],
                  variants=variants, timezone=post.timezone, recurrence=post.recurrence,
                  thread=extras.get("thread") or [], poll=extras.get("poll"),
                  content_warning=extras.get("content_warning") or "", visibility=extras.get("visibility"))


def _set_status(ctx: WorkspaceContext, post: Post, status: PublicationStatus,
                only_from: set[PublicationStatus] | None = None) -> None:
    for publication in publications(ctx, post):
        if publication.status in (only_from or EDITABLE - {S.CANCELLED}):
            publication.status = status


def cancel(ctx: WorkspaceContext, post_id: str) -> list[str]:
    ctx.require(Permission.POSTS_WRITE)
    post = ctx.get(Post, post_id, what="post")
    if not can_publish_directly(ctx) and any(p.status == S.SCHEDULED for p in publications(ctx, post)):
        raise Forbidden("Only someone who may publish can cancel an approved, scheduled post.")
    cancelled = 0
    for publication in publications(ctx, post):
        if publication.status in (S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.FAILED):
            publication.status = S.CANCELLED
            cancelled += 1
    if not cancelled:
        raise Conflict("Nothing to cancel: the post is already published, publishing or cancelled.")
    audit.record(ctx, "post.cancel", "post", post.id, f"Cancelled {cancelled} publication(s)")
    return [f"Cancelled on {cancelled} channel(s)."]


def reschedule(ctx: WorkspaceContext, post_id: str, when_local: datetime, tz_name: str | None = None) -> list[str]:
    """Move a post to another time (the calendar's drag and drop)."""
    ctx.require(Permission.POSTS_WRITE)
    post = ctx.get(Post, post_id, what="post")
    _require_editable(ctx, post)
    tz_name = tz_name or post.timezone
    resolved = local_to_utc(when_local, tz_name)
    if resolved.at < clock.now() - PAST_GRACE:
        raise ValidationFailed(f"{when_local:%Y-%m-%d %H:%M} ({tz_name}) is in the past; pick a later time.")
    scheduled = any(p.status == S.SCHEDULED for p in publications(ctx, post))
    if scheduled and not can_publish_directly(ctx):
        raise Forbidden("Moving an approved post needs approval again; ask an approver or admin to move it.")
    post.scheduled_at = resolved.at
    post.timezone = tz_name
    for publication in publications(ctx, post):
        if publication.status in EDITABLE:
            publication.scheduled_at = resolved.at
    if scheduled:
        request_dispatch(ctx.session, resolved.at)
    audit.record(ctx, "post.reschedule", "post", post.id,
                 f"Moved a post to {resolved.at.astimezone(zone(tz_name)):%Y-%m-%d %H:%M} ({tz_name})")
    return [resolved.note] if resolved.note else []


def delete_post(ctx: WorkspaceContext, post_id: str) -> None:
    ctx.require(Permission.POSTS_WRITE)
    post = ctx.get(Post, post_id, what="post")
    live = [p for p in publications(ctx, post) if p.status in (S.PUBLISHING, S.PUBLISHED, S.UNCONFIRMED)]
    if live:
        raise Conflict("This post is already out on at least one channel, so its record is kept. Cancel the "
                       "remaining channels instead.")
    audit.record(ctx, "post.delete", "post", post.id, "Deleted a post")
    ctx.session.delete(post)


# One publication --------------------------------------------------------------------------------


def get_publication(ctx: WorkspaceContext, publication_id: str) -> Publication:
    return ctx.get(Publication, publication_id, what="publication")


def update_publication(ctx: WorkspaceContext, publication_id: str, patch: PublicationPatch) -> list[str]:
    ctx.require(Permission.POSTS_WRITE)
    publication = get_publication(ctx, publication_id)
    if publication.status not in EDITABLE:
        raise Conflict(f"This publication is {publication.status.replace('_', ' ')} and can no longer be edited.")
    post = ctx.get(Post, publication.post_id, what="post")
    notes: list[str] = []
    if patch.clear_variant:
        publication.variant_text = None
    elif patch.variant_text is not None:
        publication.variant_text = patch.variant_text
    if patch.title is not None:
        publication.title = patch.title.strip() or None
    if patch.media_ids is not None:
        assets = _media(ctx, patch.media_ids)
        ctx.session.execute(delete(PostMedia).where(PostMedia.publication_id == publication.id))
        for position, asset in enumerate(assets):
            ctx.session.add(PostMedia(post_id=post.id, publication_id=publication.id, media_id=asset.id,
                                      position=position))
        publication.own_media = True
    if patch.scheduled_at is not None:
        tz_name = patch.timezone or post.timezone
        resolved = local_to_utc(patch.scheduled_at, tz_name)
        if resolved.at < clock.now() - PAST_GRACE:
            raise ValidationFailed(f"{patch.scheduled_at:%Y-%m-%d %H:%M} ({tz_name}) is in the past.")
        publication.scheduled_at = resolved.at
        if resolved.note:
            notes.append(resolved.note)
        if publication.status == S.SCHEDULED:
            request_dispatch(ctx.session, resolved.at)
    ctx.session.flush()
    shortlinks.prepare(ctx, post)
    if publication.status in (S.SCHEDULED, S.PENDING_APPROVAL):
        channel = channels.get(ctx, publication.channel_id)
        report = validate_publication(text_of(post, publication), [media.info(a) for a in media_of(ctx, publication)],
                                      channels.capabilities(channel), channel_name=channel.name,
                                      title=publication.title)
        if not report.ok:
            raise ValidationFailed(" ".join(p.message for p in report.problems))
        if publication.status == S.SCHEDULED and not can_publish_directly(ctx):
            publication.status = S.DRAFT
            notes.append("The change needs approval again: this channel's publication is back in drafts.")
    audit.record(ctx, "publication.update", "publication", publication.id, "Edited one channel's publication")
    return notes


def retry_publication(ctx: WorkspaceContext, publication_id: str) -> list[str]:
    """Try a failed publication again; an unconfirmed one only after a person has checked the network."""
    if not can_publish_directly(ctx):
        raise Forbidden("Only someone who may publish can retry a publication.")
    publication = get_publication(ctx, publication_id)
    if publication.status not in (S.FAILED, S.UNCONFIRMED):
        raise Conflict(f"Only failed or unconfirmed publications can be retried; this one is {publication.status}.")
    publication.status = S.SCHEDULED
    publication.scheduled_at = clock.now()
    publication.attempts = 0
    publication.next_attempt_at = None
    bloglink.release_note(ctx.session, publication)
    request_dispatch(ctx.session)
    audit.record(ctx, "publication.retry", "publication", publication.id, "Retried a publication")
    return ["Trying again now."]


def retry_steps(ctx: WorkspaceContext, publication_id: str) -> list[str]:
    """Send a published post's failed or unconfirmed thread parts and first comment again (a person checked
    the unconfirmed ones are not on the network)."""
    from socialdesk.jobs.queue import enqueue

    ctx.require(Permission.POSTS_PUBLISH)
    publication = get_publication(ctx, publication_id)
    if publication.status != S.PUBLISHED:
        raise Conflict("The post itself is not published yet: its thread parts and first comment follow it.")
    again = list(ctx.session.scalars(select(PublicationStep).where(
        PublicationStep.publication_id == publication.id, PublicationStep.status.in_(["failed", "unconfirmed"]))))
    if not again:
        raise Conflict("Nothing to send again: every part went out, or is still on its way.")
    for step in again:
        step.status, step.attempts, step.attempt_started_at, step.last_error = "pending", 0, None, None
    enqueue(ctx.session, "publication.steps", {"publication_id": publication.id},
            dedupe_key=f"steps:{publication.id}")
    audit.record(ctx, "publication.retry_steps", "publication", publication.id,
                 f"Sending {len(again)} thread part(s) or first comment again")
    return [f"Sending {len(again)} part(s) again."]


def confirm_publication(ctx: WorkspaceContext, publication_id: str, url: str | None = None) -> list[str]:
    """A person checked the channel and found the post that was not confirmed: record it as published."""
    if not can_publish_directly(ctx):
        raise Forbidden("Only someone who may publish can confirm a publication.")
    publication = get_publication(ctx, publication_id)
    if publication.status != S.UNCONFIRMED:
        raise Conflict(f"Only an unconfirmed publication can be confirmed; this one is {publication.status}.")
    if url and not url.startswith(("https://", "http://")):
        raise ValidationFailed("Give the post's address as a link starting with https://.")
    publication.status = S.PUBLISHED
    publication.published_at = publication.published_at or publication.last_error_at or clock.now()
    publication.external_url = url or publication.external_url
    publication.last_error = None
    notifications.resolve(ctx.session, ctx.workspace_id, "publication_unconfirmed", publication.id)
    if bloglink.dependents(ctx.session, publication.id):
        bloglink.release_note(ctx.session, publication)
        request_dispatch(ctx.session)  # the social posts waiting for this blog post can go now
    audit.record(ctx, "publication.confirm", "publication", publication.id,
                 "Confirmed by hand that the post is on the channel")
    return ["Marked as published."]


def cancel_publication(ctx: WorkspaceContext, publication_id: str) -> list[str]:
    ctx.require(Permission.POSTS_WRITE)
    publication = get_publication(ctx, publication_id)
    if publication.status not in (S.DRAFT, S.PENDING_APPROVAL, S.SCHEDULED, S.FAILED, S.UNCONFIRMED):
        raise Conflict(f"A {publication.status} publication cannot be cancelled.")
    if publication.status == S.SCHEDULED and not can_publish_directly(ctx):
        raise Forbidden("Only someone who may publish can cancel an approved, scheduled publication.")
    publication.status = S.CANCELLED
    channel = channels.get(ctx, publication.channel_id)
    bloglink.hold_dependents(ctx.session, publication, channel.name, "it was cancelled.")
    audit.record(ctx, "publication.cancel", "publication", publication.id, "Cancelled one channel's publication")
    return ["Cancelled on this channel."]


# Reading ----------------------------------------------------------------------------------------


def publications(ctx: WorkspaceContext, post: Post) -> list[Publication]:
    return list(ctx.session.scalars(ctx.select(Publication).where(Publication.post_id == post.id)
                                    .order_by(Publication.created_at, Publication.id)))


def text_of(post: Post, publication: Publication) -> str:
    return publication.variant_text if publication.variant_text is not None else post.text


def media_of(ctx: WorkspaceContext, publication: Publication) -> list[MediaAsset]:
    """The media a publication sends: its own, or the post's master media."""
    return media_to_send(ctx.session, ctx.workspace_id, publication)


def media_to_send(session: Session, workspace_id: str, publication: Publication) -> list[MediaAsset]:
    """media_of for the publisher, which acts for no one and need not load the workspace."""
    query = (select(MediaAsset).join(PostMedia, PostMedia.media_id == MediaAsset.id)
             .where(MediaAsset.workspace_id == workspace_id, PostMedia.post_id == publication.post_id)
             .order_by(PostMedia.position))
    own = PostMedia.publication_id == publication.id if publication.own_media else PostMedia.publication_id.is_(None)
    assets = list(session.scalars(query.where(own)))
    channel = session.get(Channel, publication.channel_id) if assets else None
    # Where a copy of an image was fitted to this channel's network (studio), the copy goes out.
    return studio.for_channel(session, workspace_id, assets, channel) if channel is not None else assets


def get_post(ctx: WorkspaceContext, post_id: str) -> Post:
    return ctx.get(Post, post_id, what="post")


@dataclass(frozen=True)
class PostFilter:
    status: str | None = None
    channel_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    search: str | None = None


# What `to_out` reads of a post. A page of posts is read as plain rows of these columns: building 50 ORM
# objects (identity map, attribute instrumentation) cost about as much as reading them.
_POST_COLUMNS = (Post.id, Post.workspace_id, Post.author_id, Post.text, Post.scheduled_at, Post.timezone,
                 Post.approval_step, Post.recurrence, Post.recurrence_parent_id, Post.extras, Post.created_at,
                 Post.updated_at)


def list_posts(ctx: WorkspaceContext, flt: PostFilter = PostFilter(), *, limit: int = 50,
               offset: int = 0) -> tuple[list[Row[Any]], int]:
    """A page of the workspace's posts, newest first, as rows with a post's columns (for `to_out`), and
    how many posts match in all."""
    query = select(*_POST_COLUMNS).where(Post.workspace_id == ctx.workspace_id)
    if flt.status and flt.status not in PublicationStatus.__members__.values():
        raise ValidationFailed(f"Unknown status {flt.status!r}; use one of "
                               f"{', '.join(s.value for s in PublicationStatus)}.")
    if flt.status or flt.channel_id:
        sub = select(Publication.post_id).where(Publication.workspace_id == ctx.workspace_id)
        if flt.status:
            sub = sub.where(Publication.status == flt.status)
        if flt.channel_id:
            sub = sub.where(Publication.channel_id == flt.channel_id)
        query = query.where(Post.id.in_(sub))
    if flt.start:
        query = query.where(Post.scheduled_at >= flt.start)
    if flt.end:
        query = query.where(Post.scheduled_at < flt.end)
    if flt.search:
        query = query.where(Post.text.ilike(f"%{flt.search}%"))
    # The total comes with the page, as a subquery the database runs once: one statement, not two. (A window
    # count over the page's query made the database read and sort every post of the workspace, ~3 ms at 2,000
    # posts on SQLite; this way the page is read in the (workspace, scheduled_at) index and the count from an
    # index alone.)
    total = select(func.count()).select_from(Post).where(query.whereclause).scalar_subquery()
    rows = ctx.session.execute(query.add_columns(total.label("total"))
                               .order_by(Post.scheduled_at.desc().nulls_last(), Post.id.desc())
                               .limit(limit).offset(offset)).all()
    if rows:
        return rows, int(rows[0].total)
    return [], (ctx.session.scalar(select(func.count()).select_from(Post).where(query.whereclause)) or 0) \
        if offset else 0


def pending_approval(ctx: WorkspaceContext) -> list[Post]:
    """Posts waiting for approval; for someone who may not read posts (a client reviewer), only those
    waiting for their own step: they see what they are asked to approve, nothing else."""
    sub = select(Publication.post_id).where(Publication.workspace_id == ctx.workspace_id,
                                            Publication.status == S.PENDING_APPROVAL)
    posts = list(ctx.session.scalars(ctx.select(Post).where(Post.id.in_(sub))
                                     .order_by(Post.scheduled_at.is_(None), Post.scheduled_at)))
    if ctx.can(Permission.POSTS_READ):
        return posts
    steps = ctx.workspace.approval_steps
    return [p for p in posts
            if (steps[min(p.approval_step, len(steps) - 1)] if steps else Role.APPROVER.value) == ctx.role.value]


def pending_approval_count(ctx: WorkspaceContext) -> int:
    """len(pending_approval(ctx)), counted by the database for the team (the navigation shows it on every page)."""
    if not ctx.can(Permission.POSTS_READ):
        return len(pending_approval(ctx))
    return ctx.session.scalar(
        select(func.count(func.distinct(Publication.post_id))).where(
            Publication.workspace_id == ctx.workspace_id, Publication.status == S.PENDING_APPROVAL)) or 0


def media_awaiting_approval(ctx: WorkspaceContext) -> set[str]:
    """The media of the posts in `pending_approval(ctx)`: what an approver must be able to see."""
    post_ids = [p.id for p in pending_approval(ctx)]
    if not post_ids:
        return set()
    return set(ctx.session.scalars(select(PostMedia.media_id).where(PostMedia.post_id.in_(post_ids))))


def _media_rows(ctx: WorkspaceContext, post_ids: Iterable[str]) -> dict[str, list[tuple[str | None, str]]]:
    result: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    db = _page_reader(ctx.session)
    for post_id, publication_id, media_id in db.execute(_page(db)["media"], {"post_ids": list(post_ids)}):
        result[post_id].append((publication_id, media_id))
    return result


def post_status(statuses: Sequence[str]) -> str:
    """One word for a post from its publications' statuses, the most urgent first."""
    if not statuses:
        return "draft"
    for status in (S.FAILED, S.UNCONFIRMED, S.PUBLISHING, S.PENDING_APPROVAL, S.SCHEDULED, S.DRAFT):
        if status in statuses:
            if status == S.SCHEDULED and S.PUBLISHED in statuses:
                return "partly_published"
            return status.value
    if S.PUBLISHED in statuses:
        return S.PUBLISHED.value
    return S.CANCELLED.value


# What a page of posts reads besides the posts, built once: building these selects (19 columns, joins, the
# lists of ids) on every call cost more than running them.
def _page_statements(among: Callable[[Any, str], Any]) -> dict[str, Select[Any]]:
    """The page's statements, with `among(column, name)` saying how a column is matched against a list of ids."""
    return {
        "publications": select(
            Publication.id, Publication.post_id, Publication.channel_id, Publication.status,
            Publication.variant_text, Publication.own_media, Publication.scheduled_at, Publication.published_at,
            Publication.external_id, Publication.external_url, Publication.attempts, Publication.last_error,
            Publication.title, Publication.blog_options, Publication.network_options, Publication.link_from_id,
            Publication.extras, Channel.name, Channel.network)
        .join(Channel, Channel.id == Publication.channel_id)
        .where(Publication.workspace_id == bindparam("workspace_id"), among(Publication.post_id, "post_ids"))
        .order_by(Publication.created_at, Publication.id),
        "media": select(PostMedia.post_id, PostMedia.publication_id, PostMedia.media_id)
        .where(among(PostMedia.post_id, "post_ids")).order_by(PostMedia.position),
        "steps": select(PublicationStep.publication_id, PublicationStep.kind, PublicationStep.position,
                        PublicationStep.text, PublicationStep.status, PublicationStep.attempts,
                        PublicationStep.last_error, PublicationStep.external_id, PublicationStep.external_url,
                        PublicationStep.published_at)
        .where(PublicationStep.workspace_id == bindparam("workspace_id"),
               among(PublicationStep.publication_id, "publication_ids"))
        .order_by(PublicationStep.kind.desc(), PublicationStep.position),
        "decisions": select(ApprovalDecision.post_id, ApprovalDecision.decision, ApprovalDecision.step,
                            ApprovalDecision.comment, ApprovalDecision.by_label, ApprovalDecision.created_at,
                            ApprovalDecision.review_link_id, User.name)
        .outerjoin(User, User.id == ApprovalDecision.user_id)
        .where(ApprovalDecision.workspace_id == bindparam("workspace_id"), among(ApprovalDecision.post_id, "post_ids"))
        .order_by(ApprovalDecision.created_at),
        "authors": select(User.id, User.name).where(among(User.id, "user_ids")),
    }


# `IN (...)` with one parameter per id (SQLite), or `= ANY(%(ids)s)` with one array (PostgreSQL). On PostgreSQL
# an IN list of 50-100 ids made every statement's text different: SQLAlchemy rendered a cast for each id and
# psycopg parsed the long text again on every call (~15 % of a posts API request's CPU), and PostgreSQL parsed
# and planned each one anew. With one array the text is fixed, so psycopg keeps it parsed and prepares it.
_PAGE_IN = _page_statements(lambda column, name: column.in_(bindparam(name, expanding=True)))
_PAGE_ANY = _page_statements(lambda column, name: column == any_(bindparam(name, type_=ARRAY(String))))


def _page(db: Connection) -> dict[str, Select[Any]]:
    return _PAGE_ANY if db.dialect.name == "postgresql" else _PAGE_IN


def _page_reader(session: Session) -> Connection:
    session.flush()  # as the session's own execute would (autoflush); nothing to do on a read
    return session.connection()


def to_out(ctx: WorkspaceContext, posts: Sequence[Post | Row[Any]],
           notes: list[str] | None = None) -> list[PostOut]:
    """Posts with their publications, in a fixed number of queries however many posts there are."""
    if not posts:
        return []
    ids = [p.id for p in posts]
    # Plain rows rather than ORM objects, read on the session's connection (what the session would flush
    # first is flushed): this runs on every list page and API call, and the ORM's handling of a statement
    # that loads no objects cost as much as running it.
    db = _page_reader(ctx.session)
    page = _page(db)
    pubs = db.execute(page["publications"], {"workspace_id": ctx.workspace_id, "post_ids": ids}).all()
    by_post: dict[str, list[Any]] = defaultdict(list)
    for row in pubs:
        by_post[row.post_id].append(row)
    media_rows = _media_rows(ctx, ids)
    steps_by_publication: dict[str, list[StepOut]] = defaultdict(list)
    for step in db.execute(page["steps"], {"workspace_id": ctx.workspace_id,
                                                  "publication_ids": [row.id for row in pubs]}):
        steps_by_publication[step.publication_id].append(trusted(StepOut,
            kind=step.kind, position=step.position, text=step.text, status=step.status, attempts=step.attempts,
            last_error=step.last_error, external_id=step.external_id, external_url=step.external_url,
            published_at=step.published_at))
    decisions = db.execute(page["decisions"], {"workspace_id": ctx.workspace_id, "post_ids": ids}).all()
    by_post_decisions: dict[str, list[ApprovalOut]] = defaultdict(list)
    # Someone who only approves (a client reviewer, a client through a review link) sees the decisions of its
    # own step, not the team's internal comments nor who wrote the post.
    outsider = not ctx.can(Permission.POSTS_READ)
    for decision in decisions:
        if outsider and decision.step != ctx.role.value:
            continue
        by_post_decisions[decision.post_id].append(trusted(ApprovalOut,
            decision=decision.decision, step=decision.step, comment=decision.comment,
            by=decision.name or decision.by_label, at=decision.created_at, review_link_id=decision.review_link_id))
    author_ids = sorted({p.author_id for p in posts if p.author_id})
    authors = dict(db.execute(page["authors"], {"user_ids": author_ids}).all()) \
        if author_ids and not outsider else {}
    steps = ctx.workspace.approval_steps
    return [_post_out(post, by_post.get(post.id, []), media_rows.get(post.id, []), steps_by_publication,
                      by_post_decisions.get(post.id, []), authors, steps, notes) for post in posts]


def _post_out(post: Post | Row[Any], rows: list[Any], media: list[tuple[str | None, str]],
              steps_by_publication: dict[str, list[StepOut]], approvals: list[ApprovalOut],
              authors: dict[str, str], steps: list[str], notes: list[str] | None) -> PostOut:
    # The models are built without validation (`trusted`, as `model_construct`): every value comes from a
    # typed column or is built here, and validating ~150 models a page cost a fifth of a posts API request. The JSON
    # answers are byte for byte the same (checked against validated models), and tests/test_api_fuzz.py
    # checks them against the OpenAPI schema.
    master_media = [m for pub_id, m in media if pub_id is None]
    statuses = [p.status for p in rows]
    text, extras, scheduled_at = post.text, post.extras, post.scheduled_at
    pending = S.PENDING_APPROVAL in statuses and steps
    publications = []
    for p in rows:
        features = None if extras is None and p.extras is None \
            else (None if (f := content_features.effective(extras, p.extras)).empty else f.to_dict())
        publications.append(trusted(PublicationOut,
            id=p.id, channel_id=p.channel_id, channel_name=p.name, network=p.network, status=p.status,
            text=p.variant_text if p.variant_text is not None else text, variant_text=p.variant_text,
            media_ids=[m for pub_id, m in media if pub_id == p.id] if p.own_media else master_media,
            title=p.title, blog_options=p.blog_options, network_options=p.network_options,
            link_from_id=p.link_from_id, features=features, steps=steps_by_publication.get(p.id, []),
            scheduled_at=p.scheduled_at, published_at=p.published_at, external_id=p.external_id,
            external_url=p.external_url, attempts=p.attempts, last_error=p.last_error))
    return trusted(PostOut,
        id=post.id, workspace_id=post.workspace_id, status=post_status(statuses), text=text,
        media_ids=master_media, scheduled_at=scheduled_at, timezone=post.timezone,
        scheduled_local=scheduled_at.astimezone(zone(post.timezone)).strftime("%Y-%m-%d %H:%M") if scheduled_at
        else None,
        recurrence=post.recurrence, recurrence_parent_id=post.recurrence_parent_id, extras=extras,
        approval_step=steps[min(post.approval_step, len(steps) - 1)] if pending else None,
        created_at=post.created_at, updated_at=post.updated_at, author=authors.get(post.author_id or ""),
        publications=publications, approvals=approvals, notes=notes or [])


@dataclass(frozen=True)
class StatusCount:
    """How many posts have a publication in one status, and how many such publications there are.

    A post goes to one or more channels, each as a publication: one post on three channels is one
    post and three publications. `posts` is what the post list shows for `?status=` (a post with
    publications in two statuses appears under both).
    """

    posts: int
    publications: int


def counts_by_status(ctx: WorkspaceContext) -> dict[str, StatusCount]:
    rows = ctx.session.execute(
        select(Publication.status, func.count(func.distinct(Publication.post_id)), func.count())
        .where(Publication.workspace_id == ctx.workspace_id).group_by(Publication.status))
    return {status: StatusCount(posts, publications) for status, posts, publications in rows}


def due_soon(ctx: WorkspaceContext, hours: int = 48) -> list[Post]:
    now = clock.now()
    return list(ctx.session.scalars(ctx.select(Post).where(
        Post.scheduled_at >= now, Post.scheduled_at < now + timedelta(hours=hours),
        Post.id.in_(select(Publication.post_id).where(Publication.workspace_id == ctx.workspace_id,
                                                      or_(Publication.status == S.SCHEDULED,
                                                          Publication.status == S.PENDING_APPROVAL))))
        .order_by(Post.scheduled_at)))
