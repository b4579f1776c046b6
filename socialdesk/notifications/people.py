"""Notifications for people: who is told of what, in the app, by e-mail (at once or in a daily digest), and
in the team's chat (Slack, Mattermost or Microsoft Teams incoming webhooks).

`tell` is the one entry point: services call it when something happens that a person should know about.
It writes the in-app notifications (honouring each person's preferences), enqueues the e-mails that are
wanted at once, and enqueues a post to every chat webhook of the workspace that follows the event. Nothing
is sent inside the caller's transaction: jobs do the sending, so a slow SMTP server or chat service never
holds up a page, and a rolled-back change tells nobody."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.agency.white_label import sender_name
from socialdesk.auth.models import User
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.errors import ValidationFailed
from socialdesk.notifications.models import ChatWebhook, NotificationPreference, PersonalNotification
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Membership, Role, Workspace
from socialdesk.workspaces.permissions import Permission, role_allows

log = logging.getLogger("socialdesk.notifications")

# Every event a person or a chat webhook can be told of, with the words the settings pages show.
EVENTS: dict[str, str] = {
    "approval_requested": "A post waits for my approval",
    "approval_decided": "My post was approved or rejected",
    "mention": "Someone mentions me in a post comment",
    "publication_failed": "A post failed to publish",
    "publication_unconfirmed": "A post could not be confirmed",
    "channel_needs_reconnection": "A channel needs reconnecting",
    "contest_drawn": "A contest was drawn",
    "assigned": "A post is assigned to me",
    "assignment_overdue": "A post assigned to me is overdue",
    "conversation_overdue": "A conversation is past the response target",
    "milestone_met": "A goal's milestone was met",
    "milestone_missed": "A goal's milestone was missed",
    "campaign_pacing": "A campaign drifts off its budget pace",
    "campaign_kpi": "A campaign KPI falls below its target",
    "listening_alert": "A listening monitor raised an alert (burst, sentiment shift, emerging term)",
}
# The workspace notifications (notifications.service.notify) that also tell the people who can act on them.
WORKSPACE_KINDS = {"publication_failed", "publication_unconfirmed", "channel_needs_reconnection", "campaign_pacing",
                   "campaign_kpi"}
EMAIL_MODES = {"off": "No e-mail", "immediate": "Each one at once", "digest": "One digest a day"}
DEFAULT_EMAIL = "immediate"
# Events not e-mailed unless a person asks for them (the inbox is where overdue conversations are seen).
DEFAULT_EMAIL_MUTED = ("conversation_overdue",)
FLAVOURS = {"slack": "Slack", "mattermost": "Mattermost", "teams": "Microsoft Teams"}
DIGEST_EVERY = timedelta(days=1)


def tell(session: Session, workspace_id: str, event: str, message: str, *, link: str | None = None,
         user_ids: Iterable[str] | None = None, permission: Permission | None = None,
         exclude: Iterable[str] = ()) -> list[PersonalNotification]:
    """Tell the named people (or every member whose role has `permission`) about `event`, and the
    workspace's chat webhooks that follow it. `exclude`: people who caused it (nobody is told of their
    own act)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}")
    from socialdesk.jobs.queue import enqueue

    members = {m.user_id: Role(m.role) for m in session.scalars(
        select(Membership).where(Membership.workspace_id == workspace_id))}
    wanted = set(user_ids) if user_ids is not None else {
        uid for uid, role in members.items() if permission is None or role_allows(role, permission)}
    wanted = (wanted & members.keys()) - set(exclude)
    prefs = {p.user_id: p for p in session.scalars(select(NotificationPreference).where(
        NotificationPreference.workspace_id == workspace_id, NotificationPreference.user_id.in_(wanted)))}
    made = []
    for user_id in sorted(wanted):
        pref = prefs.get(user_id)
        in_app = event not in (pref.in_app_muted if pref else [])
        mode = pref.email if pref else DEFAULT_EMAIL
        if event in (pref.email_muted if pref else DEFAULT_EMAIL_MUTED) or not get_settings().smtp_host:
            mode = "off"  # (no SMTP server set up: the app is the only way to tell people)
        if not in_app and mode == "off":
            continue
        note = PersonalNotification(workspace_id=workspace_id, user_id=user_id, event=event, message=message,
                                    link=link, created_at=clock.now(),
                                    read_at=None if in_app else clock.now(),
                                    email_state={"off": "none", "immediate": "immediate", "digest": "digest"}[mode])
        session.add(note)
        made.append(note)
    session.flush()
    for note in made:
        if note.email_state == "immediate":
            enqueue(session, "notifications.email", {"notification_id": note.id})
    for hook in session.scalars(select(ChatWebhook).where(ChatWebhook.workspace_id == workspace_id,
                                                          ChatWebhook.active.is_(True))):
        if event in hook.events:
            enqueue(session, "notifications.chat", {"webhook_id": hook.id, "text": message, "link": link})
    return made


def absolute(link: str | None) -> str | None:
    """An app path as an address people can open from an e-mail or a chat (needs SOCIALDESK_PUBLIC_URL)."""
    if not link:
        return None
    base = get_settings().public_url
    return f"{base.rstrip('/')}{link}" if base and link.startswith("/") else link


# In the app ---------------------------------------------------------------------------------------------


def mine(ctx: WorkspaceContext, *, limit: int = 50, unread_only: bool = False) -> list[PersonalNotification]:
    query = ctx.select(PersonalNotification).where(PersonalNotification.user_id == ctx.actor.user_id)
    if unread_only:
        query = query.where(PersonalNotification.read_at.is_(None))
    return list(ctx.session.scalars(query.order_by(PersonalNotification.created_at.desc(),
                                                   PersonalNotification.id.desc()).limit(limit)))


def unread_mine(ctx: WorkspaceContext) -> int:
    if ctx.actor.user_id is None:
        return 0
    return ctx.session.scalar(select(func.count()).select_from(ctx.select(PersonalNotification).where(
        PersonalNotification.user_id == ctx.actor.user_id, PersonalNotification.read_at.is_(None)).subquery())) or 0


def mark_mine_read(ctx: WorkspaceContext) -> int:
    found = mine(ctx, limit=1000, unread_only=True)
    for note in found:
        note.read_at = clock.now()
    return len(found)


# Preferences --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    email: str
    in_app_muted: list[str]
    email_muted: list[str]


def preferences(ctx: WorkspaceContext) -> Preferences:
    pref = _pref(ctx)
    if pref is None:
        return Preferences(DEFAULT_EMAIL, [], list(DEFAULT_EMAIL_MUTED))
    return Preferences(pref.email, list(pref.in_app_muted), list(pref.email_muted))


def _pref(ctx: WorkspaceContext) -> NotificationPreference | None:
    return ctx.session.scalars(ctx.select(NotificationPreference).where(
        NotificationPreference.user_id == ctx.actor.user_id)).first()


def set_preferences(ctx: WorkspaceContext, *, email: str, in_app_muted: list[str], email_muted: list[str]) -> None:
    if ctx.actor.user_id is None:
        raise ValidationFailed("Only a person has notification preferences.")
    if email not in EMAIL_MODES:
        raise ValidationFailed(f"E-mail must be one of {', '.join(EMAIL_MODES)}, not {email!r}.")
    unknown = sorted((set(in_app_muted) | set(email_muted)) - EVENTS.keys())
    if unknown:
        raise ValidationFailed(f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(EVENTS)}.")
    pref = _pref(ctx)
    if pref is None:
        pref = NotificationPreference(workspace_id=ctx.workspace_id, user_id=ctx.actor.user_id)
        ctx.session.add(pref)
    pref.email, pref.in_app_muted, pref.email_muted = email, sorted(set(in_app_muted)), sorted(set(email_muted))
    ctx.session.flush()


# E-mail -------------------------------------------------------------------------------------------------


def send_email(session: Session, notification_id: str) -> bool:
    """The job behind an immediate e-mail: safe to run twice (a sent one is not sent again)."""
    from socialdesk.reports import mail

    note = session.get(PersonalNotification, notification_id)
    if note is None or note.email_state != "immediate":
        return False
    user = session.get(User, note.user_id)
    workspace = session.get(Workspace, note.workspace_id)
    if user is None or workspace is None:
        return False
    link = absolute(note.link)
    body = f"{note.message}\n\n{('Open: ' + link) if link else ''}\n\n-- \nsocialdesk · {workspace.name}. " \
           "Choose what you are told and how under Notifications in the workspace."
    mail.send([user.email], f"[{workspace.name}] {note.message[:120]}", body, sender_name=sender_name(workspace))
    note.email_state = "sent"
    return True


def send_digests(session: Session) -> int:
    """The daily digest: every person with notifications waiting for it, once a day per workspace."""
    from socialdesk.reports import mail

    if not get_settings().smtp_host:
        return 0
    now = clock.now()
    pending = list(session.scalars(select(PersonalNotification).where(PersonalNotification.email_state == "digest")
                                   .order_by(PersonalNotification.created_at)))
    by_person: dict[tuple[str, str], list[PersonalNotification]] = {}
    for note in pending:
        by_person.setdefault((note.workspace_id, note.user_id), []).append(note)
    sent = 0
    for (workspace_id, user_id), notes in by_person.items():
        pref = session.scalars(select(NotificationPreference).where(
            NotificationPreference.workspace_id == workspace_id, NotificationPreference.user_id == user_id)).first()
        if pref is not None and pref.last_digest_at is not None and now - pref.last_digest_at < DIGEST_EVERY:
            continue
        user, workspace = session.get(User, user_id), session.get(Workspace, workspace_id)
        if user is None or workspace is None:
            continue
        lines = [f"- {n.created_at:%d %b %H:%M} UTC: {n.message}" + (f"\n  {absolute(n.link)}" if n.link else "")
                 for n in notes]
        mail.send([user.email], f"[{workspace.name}] {len(notes)} notification(s) today",
                  "What happened in " + workspace.name + ":\n\n" + "\n".join(lines), sender_name=sender_name(workspace))
        for note in notes:
            note.email_state = "sent"
        if pref is None:
            pref = NotificationPreference(workspace_id=workspace_id, user_id=user_id, email="digest")
            session.add(pref)
        pref.last_digest_at = now
        sent += 1
    return sent


# Chat webhooks ------------------------------------------------------------------------------------------


def chat_webhooks(ctx: WorkspaceContext) -> list[ChatWebhook]:
    return list(ctx.session.scalars(ctx.select(ChatWebhook).order_by(ChatWebhook.created_at)))


def add_chat_webhook(ctx: WorkspaceContext, *, name: str, flavour: str, url: str, events: list[str]) -> ChatWebhook:
    from socialdesk.integrations.service import check_target

    ctx.require(Permission.WORKSPACE_ADMIN)
    if flavour not in FLAVOURS:
        raise ValidationFailed(f"The chat must be one of {', '.join(FLAVOURS)}.")
    if not url.startswith(("https://", "http://")):
        raise ValidationFailed("The incoming webhook address must start with https://.")
    check_target(url)  # refused now (loopback, private …) rather than at the first event
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise ValidationFailed(f"Choose at least one event among {', '.join(EVENTS)}.")
    hook = ChatWebhook(workspace_id=ctx.workspace_id, name=name.strip()[:200] or FLAVOURS[flavour], flavour=flavour,
                       url_encrypted=encrypt_json({"url": url}), events=sorted(set(events)), created_at=clock.now())
    ctx.session.add(hook)
    ctx.session.flush()
    return hook


def remove_chat_webhook(ctx: WorkspaceContext, hook_id: str) -> None:
    ctx.require(Permission.WORKSPACE_ADMIN)
    ctx.session.delete(ctx.get(ChatWebhook, hook_id, what="chat webhook"))


def chat_body(flavour: str, text: str, link: str | None) -> dict[str, Any]:
    """The JSON each chat's incoming webhook takes. Slack and Mattermost: {"text"} (Mattermost accepts
    Slack's format, with <url|label> links); Teams (Workflows and the older connectors): an Adaptive Card."""
    url = absolute(link)
    if flavour == "teams":
        blocks: list[dict[str, Any]] = [{"type": "TextBlock", "text": text, "wrap": True}]
        card: dict[str, Any] = {"type": "AdaptiveCard", "version": "1.4", "body": blocks,
                                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json"}
        if url and url.startswith("http"):
            card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in socialdesk", "url": url}]
        return {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                                                    "content": card}]}
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if url and url.startswith("http"):
        escaped += f" <{url}|Open in socialdesk>"
    return {"text": escaped}


def post_to_chat(session: Session, webhook_id: str, text: str, link: str | None) -> None:
    """The job behind a chat message; a failure raises, and the job runner tries again later."""
    from socialdesk.networks.outbound import http_client

    hook = session.get(ChatWebhook, webhook_id)
    if hook is None or not hook.active:
        return
    url = decrypt_json(hook.url_encrypted)["url"]
    hook.last_sent_at = clock.now()
    with http_client(timeout=15) as client:
        answer = client.post(url, json=chat_body(hook.flavour, text, link))
    hook.last_status = f"HTTP {answer.status_code}"
    if answer.status_code >= 400:
        raise RuntimeError(f"The {FLAVOURS[hook.flavour]} webhook answered {answer.status_code}: {answer.text[:200]}")


def note_chat_failure(session: Session, webhook_id: str, error: BaseException) -> None:
    hook = session.get(ChatWebhook, webhook_id)
    if hook is not None:
        hook.last_sent_at, hook.last_status = clock.now(), f"failed: {error}"[:300]
