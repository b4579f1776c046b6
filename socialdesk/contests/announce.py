"""Announcing a drawn contest: a winners post drafted from a per-language template, and a reply (or direct
message) to each winner drafted from a saved reply in the winner's language.

Nothing is sent from here. The winners post is a post like any other: it is sent for approval where the
workspace asks for it (else left as a draft to schedule), and each winner's message is left as the draft
reply of their conversation in the inbox, where a person reads it and presses send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from socialdesk.contests.models import Contest, ContestPost
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox.models import InboxItem
from socialdesk.networks.base import IncomingKind
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

# The winners post, per language; {winners} are the winners' @handles, {verify} the record's public address.
TEMPLATES: dict[str, str] = {
    "en": "🎉 The winners of {contest} ({prize}): {winners}. Congratulations!\n\nThe draw was made with a seed "
          "committed to before anyone entered (commitment {commitment}). Check it yourself: {verify}",
    "hr": "🎉 Dobitnici nagradne igre {contest} ({prize}): {winners}. Čestitamo!\n\nIzvlačenje je napravljeno "
          "sa sjemenom objavljenim prije prvog sudionika (obveza {commitment}). Provjerite sami: {verify}",
    "de": "🎉 Die Gewinner von {contest} ({prize}): {winners}. Herzlichen Glückwunsch!\n\nDie Ziehung beruht "
          "auf einem Startwert, der vor der ersten Teilnahme festgelegt wurde (Commitment {commitment}). "
          "Selbst prüfen: {verify}",
}
MODES = ("reply", "dm")


@dataclass
class Announcement:
    post_id: str | None = None
    notes: list[str] = field(default_factory=list)
    drafted: list[str] = field(default_factory=list)  # conversation ids given a draft reply
    skipped: dict[str, str] = field(default_factory=dict)  # winner handle -> why not


def _drawn(ctx: WorkspaceContext, contest_id: str) -> Contest:
    contest = ctx.get(Contest, contest_id, what="contest")
    if contest.drawn_at is None:
        raise ValidationFailed("Announce the winners once the draw has been made.")
    return contest


def verify_link(ctx: WorkspaceContext, contest: Contest, base_url: str | None = None) -> str:
    """Where anyone can download the draw's public record: on the workspace's own domain if it has one, else
    on SOCIALDESK_PUBLIC_URL, else on `base_url` (the address the page was opened at)."""
    from socialdesk.agency.white_label import public_link

    return public_link(ctx.workspace, f"/draws/{contest.id}.json", base_url)


def winners(contest: Contest) -> list[dict[str, Any]]:
    by_id = {e["id"]: e for e in contest.entrants or []}
    return [by_id[i] for i in contest.winners or [] if i in by_id]


def _at(handle: str) -> str:
    return handle if handle.startswith("@") else f"@{handle}"


def winners_text(ctx: WorkspaceContext, contest_id: str, language: str = "en", template: str | None = None,
                 base_url: str | None = None) -> str:
    """The winners post's text, filled in; `template` overrides the language's built-in one."""
    ctx.require(Permission.INBOX_READ)
    contest = _drawn(ctx, contest_id)
    if template is None:
        if language not in TEMPLATES:
            raise ValidationFailed(f"No winners template in {language!r}: choose {', '.join(TEMPLATES)} or write one.")
        template = TEMPLATES[language]
    values = {"contest": contest.name, "prize": contest.prize or "—",
              "winners": ", ".join(_at(w["handle"]) for w in winners(contest)),
              "commitment": contest.commitment, "verify": verify_link(ctx, contest, base_url)}
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out.strip()


def draft_winners_post(ctx: WorkspaceContext, contest_id: str, *, language: str = "en",
                       template: str | None = None, base_url: str | None = None) -> Announcement:
    """A post on the contest's channels announcing the winners, sent for approval like any post."""
    from socialdesk.audit import service as audit
    from socialdesk.content import service as content
    from socialdesk.content.models import Publication
    from socialdesk.content.schemas import Intent, PostIn

    ctx.require(Permission.POSTS_WRITE)
    contest = _drawn(ctx, contest_id)
    text = winners_text(ctx, contest_id, language, template, base_url)
    channel_ids = list(dict.fromkeys(ctx.session.scalars(
        select(Publication.channel_id).join(ContestPost, ContestPost.publication_id == Publication.id)
        .where(ContestPost.contest_id == contest.id))))
    result = content.compose(ctx, PostIn(text=text, channel_ids=channel_ids, intent=Intent.DRAFT))
    out = Announcement(post_id=result.post.id)
    if not verify_link(ctx, contest, base_url).startswith("http"):
        out.notes.append("The post gives the record's path only: set SOCIALDESK_PUBLIC_URL for a full address.")
    problems = [c for c in result.checks if not c.ok]
    if ctx.workspace.approval_steps and not problems:
        out.notes += content.submit(ctx, result.post.id)
    else:
        out.notes += [f"{c.channel_name}: {p.message}" for c in problems for p in c.problems]
        out.notes.append("The winners post is a draft: read it, then schedule it (or send it for approval).")
    audit.record(ctx, "contest.announced", "contest", contest.id, f"Drafted the winners post of {contest.name}",
                 post_id=result.post.id)
    return out


def draft_winner_messages(ctx: WorkspaceContext, contest_id: str, saved_reply_id: str, *,
                          mode: str = "reply", base_url: str | None = None) -> Announcement:
    """Each winner's message from a saved reply (in the language of their entry), left as the draft reply
    of their conversation: a reply under their entry, or their direct-message conversation (`mode="dm"`,
    where they have written to the channel; else a reply, said so)."""
    from socialdesk.inbox import actions, saved_replies

    ctx.require(Permission.INBOX_WRITE)
    if mode not in MODES:
        raise ValidationFailed(f"Send each winner a 'reply' or a 'dm', not {mode!r}.")
    contest = _drawn(ctx, contest_id)
    saved = saved_replies.get(ctx, saved_reply_id)
    publication_ids = list(ctx.session.scalars(select(ContestPost.publication_id)
                                               .where(ContestPost.contest_id == contest.id)))
    out = Announcement()
    for winner in winners(contest):
        accounts = winner.get("accounts") or [f"{winner['network']}:{winner['id'].split(':', 1)[-1]}"]
        ids = [a.split(":", 1)[1] for a in accounts]
        entry = ctx.session.scalars(ctx.select(InboxItem).where(
            InboxItem.publication_id.in_(publication_ids), InboxItem.author_external_id.in_(ids),
            InboxItem.kind == IncomingKind.COMMENT).order_by(InboxItem.received_at)).first()
        handle = _at(winner["handle"])
        if entry is None:
            out.skipped[handle] = "their entry is no longer in the inbox"
            continue
        target = entry
        if mode == "dm":
            dm = ctx.session.scalars(ctx.select(InboxItem).where(
                InboxItem.channel_id == entry.channel_id, InboxItem.author_external_id == entry.author_external_id,
                InboxItem.kind == IncomingKind.DIRECT_MESSAGE).order_by(InboxItem.received_at.desc())).first()
            if dm is None:
                out.notes.append(f"{handle} has never written to the channel privately: a reply is drafted "
                                 "under their entry instead.")
            else:
                target = dm
        if target.conversation_id is None:
            out.skipped[handle] = "their message has no conversation in the inbox"
            continue
        _, text = saved_replies.text_for(saved, entry.language)
        values = {**saved_replies.variables_for(ctx, target), "prize": contest.prize, "contest": contest.name,
                  "verify": verify_link(ctx, contest, base_url)}
        actions.save_draft(ctx, target.conversation_id, saved_replies.fill(text, values))
        out.drafted.append(target.conversation_id)
    out.notes.append(f"Drafted {len(out.drafted)} winner message(s) in the inbox: read each and press send.")
    return out
