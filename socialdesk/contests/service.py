"""Contests: who entered (from the inbox items the channels bring in), who is excluded and why, and the draw.

Entrants are read live from the inbox until the draw, which freezes them: the eligible list (whose digest is
recorded), the excluded ones with their reasons, and the winners and reserves picked by draw.py from the
seed committed to at creation. `export` writes the whole record; draw.py verifies it without socialdesk.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialdesk.audit import service as audit
from socialdesk.channels.models import Channel
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.contests import draw
from socialdesk.contests.models import Contest, ContestPost, ContestReinclusion, IdentityLink
from socialdesk.core import clock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.inbox.models import InboxItem
from socialdesk.networks.base import IncomingKind
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

MAX_WINNERS = 1000
_MENTION = re.compile(r"(?<![\w@])@([\w.]+)", re.UNICODE)


@dataclass(frozen=True)
class Rules:
    keyword: str = ""  # a word or #hashtag the entry must contain ("" for any comment)
    mentions: int = 0  # other accounts an entry must @mention
    per: str = "person"  # one entry per "person" (across channels of a network) or per "person_channel"
    spam_threshold: float = 0.8  # triage's spam score at or above which an entry is excluded
    blocklist: tuple[str, ...] = ()  # handles never eligible (the brand's team, known cheats)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Rules:
        per = str(data.get("per") or "person")
        if per not in ("person", "person_channel"):
            raise ValidationFailed("One entry per 'person' or per 'person_channel'.")
        threshold = float(data.get("spam_threshold", 0.8))
        if not 0 < threshold <= 1:
            raise ValidationFailed("The spam threshold is a score between 0 and 1 (e.g. 0.8).")
        mentions = int(data.get("mentions") or 0)
        if not 0 <= mentions <= 10:
            raise ValidationFailed("An entry can be asked to mention 0 to 10 accounts.")
        blocklist = tuple(sorted({_handle(h) for h in data.get("blocklist") or () if _handle(h)}))
        return cls(keyword=str(data.get("keyword") or "").strip()[:100], mentions=mentions, per=per,
                   spam_threshold=threshold, blocklist=blocklist)


@dataclass
class Entrant:
    id: str
    handle: str
    network: str
    entry_url: str
    channel_id: str
    entered_at: datetime
    entries: int = 1
    reasons: list[str] = field(default_factory=list)
    reincluded: str = ""  # the note of whoever let them back in
    # "network:account id" of each account this entrant commented from (several when the team linked them)
    accounts: list[str] = field(default_factory=list)
    person: str = ""  # the team's name for the person when accounts were linked

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "handle": self.handle, "network": self.network, "entry_url": self.entry_url}


@dataclass(frozen=True)
class ContestView:
    contest: Contest
    state: str  # upcoming, open, closed (waiting for the draw), drawn
    rules: Rules
    eligible: list[Entrant]
    excluded: list[Entrant]
    publication_ids: list[str]


def _handle(value: object) -> str:
    return str(value or "").strip().lstrip("@").casefold()


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def create(ctx: WorkspaceContext, *, name: str, opens_at: datetime, closes_at: datetime, publication_ids: list[str],
           prize: str = "", winners: int = 1, reserves: int = 0, rules: dict[str, Any] | None = None,
           public_value_source: str = "") -> Contest:
    ctx.require(Permission.POSTS_WRITE)
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("Give the contest a name.")
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise ValidationFailed("Give the opening and closing times with their time zone.")
    if closes_at <= opens_at:
        raise ValidationFailed("The contest must close after it opens.")
    if not 1 <= winners <= MAX_WINNERS or not 0 <= reserves <= MAX_WINNERS:
        raise ValidationFailed(f"Draw 1 to {MAX_WINNERS} winners and 0 to {MAX_WINNERS} reserves.")
    if not publication_ids:
        raise ValidationFailed("Choose the post (or posts) people enter on.")
    parsed = Rules.parse(rules or {})
    for publication_id in dict.fromkeys(publication_ids):
        publication = ctx.get(Publication, publication_id, what="publication")
        if publication.status != PublicationStatus.PUBLISHED:
            raise ValidationFailed("People enter on published posts: this publication is not published yet.")
    seed = secrets.token_hex(32)
    contest = Contest(workspace_id=ctx.workspace_id, name=name[:200], prize=prize.strip(), opens_at=opens_at,
                      closes_at=closes_at, winners_count=winners, reserves_count=reserves,
                      rules=_rules_dict(parsed), seed_encrypted=encrypt_json({"seed": seed}),
                      commitment=draw.commitment(seed), public_value_source=public_value_source.strip()[:300],
                      created_by=ctx.actor.user_id)
    ctx.session.add(contest)
    ctx.session.flush()
    for publication_id in dict.fromkeys(publication_ids):
        ctx.session.add(ContestPost(contest_id=contest.id, publication_id=publication_id))
    audit.record(ctx, "contest.created", "contest", contest.id, f"Contest {name} created; commitment "
                 f"{contest.commitment}", commitment=contest.commitment)
    ctx.session.flush()
    return contest


def _rules_dict(rules: Rules) -> dict[str, Any]:
    return {**asdict(rules), "blocklist": list(rules.blocklist)}


@dataclass(frozen=True)
class Candidate:
    """A published post a contest can be run on."""

    publication_id: str
    channel_name: str
    text: str
    published_at: datetime | None


def candidate_publications(ctx: WorkspaceContext, limit: int = 50) -> list[Candidate]:
    """The workspace's most recently published posts, for the contest form to offer."""
    ctx.require(Permission.POSTS_WRITE)
    from socialdesk.content.models import Post

    rows = ctx.session.execute(
        select(Publication.id, Channel.name, Post.text, Publication.variant_text, Publication.published_at)
        .join(Channel, Channel.id == Publication.channel_id).join(Post, Post.id == Publication.post_id)
        .where(Publication.workspace_id == ctx.workspace_id, Publication.status == PublicationStatus.PUBLISHED)
        .order_by(Publication.published_at.desc()).limit(limit)).all()
    return [Candidate(r[0], r[1], (r[3] if r[3] is not None else r[2])[:120], r[4]) for r in rows]


def list_contests(ctx: WorkspaceContext) -> list[Contest]:
    ctx.require(Permission.INBOX_READ)
    return list(ctx.session.scalars(select(Contest).where(Contest.workspace_id == ctx.workspace_id)
                                    .order_by(Contest.closes_at.desc())))


def state_of(contest: Contest, now: datetime | None = None) -> str:
    now = now or clock.now()
    if contest.drawn_at is not None:
        return "drawn"
    if now < contest.opens_at:
        return "upcoming"
    return "open" if now < contest.closes_at else "closed"


def view(ctx: WorkspaceContext, contest_id: str) -> ContestView:
    ctx.require(Permission.INBOX_READ)
    contest = ctx.get(Contest, contest_id, what="contest")
    rules = Rules.parse(contest.rules)
    publication_ids = list(ctx.session.scalars(select(ContestPost.publication_id)
                                               .where(ContestPost.contest_id == contest.id)))
    if contest.drawn_at is not None:
        frozen = [_thaw(e) for e in contest.entrants or []]
        excluded = [_thaw(e) for e in contest.excluded or []]
        return ContestView(contest, "drawn", rules, frozen, excluded, publication_ids)
    eligible, excluded = _entrants(ctx, contest, rules, publication_ids)
    return ContestView(contest, state_of(contest), rules, eligible, excluded, publication_ids)


def _thaw(data: dict[str, Any]) -> Entrant:
    return Entrant(id=data["id"], handle=data["handle"], network=data["network"], entry_url=data["entry_url"],
                   channel_id=data.get("channel_id", ""), entered_at=datetime.fromisoformat(data["entered_at"]),
                   entries=data.get("entries", 1), reasons=list(data.get("reasons") or []),
                   reincluded=data.get("reincluded", ""), accounts=list(data.get("accounts") or []),
                   person=data.get("person", ""))


def _entrants(ctx: WorkspaceContext, contest: Contest, rules: Rules,
              publication_ids: list[str]) -> tuple[list[Entrant], list[Entrant]]:
    """Everyone who commented on the contest's posts, one per person, split into eligible and excluded."""
    if not publication_ids:
        return [], []
    channels = {c.id: c for c in ctx.session.scalars(select(Channel).where(
        Channel.id.in_(select(Publication.channel_id).where(Publication.id.in_(publication_ids)))))}
    own = {(c.network, c.external_id) for c in channels.values()}
    items = ctx.session.scalars(select(InboxItem).where(
        InboxItem.workspace_id == ctx.workspace_id, InboxItem.publication_id.in_(publication_ids),
        InboxItem.kind == IncomingKind.COMMENT, InboxItem.deleted_at.is_(None))
        .order_by(InboxItem.received_at, InboxItem.id))
    back_in = dict(ctx.session.execute(select(ContestReinclusion.entrant_id, ContestReinclusion.note)
                                       .where(ContestReinclusion.contest_id == contest.id)).all())
    links = identity_map(ctx)
    people: dict[str, Entrant] = {}
    qualifying: dict[str, bool] = {}
    for item in items:
        channel = channels[item.channel_id]
        account = f"{channel.network}:{item.author_external_id}"
        linked = links.get((channel.network, item.author_external_id))
        if linked is not None:
            # One person's linked accounts are one entrant (per channel still, where the rules say so).
            entrant_id = f"person:{linked.id}" + ("" if rules.per == "person" else f":{channel.id}")
        else:
            scope = channel.network if rules.per == "person" else channel.id
            entrant_id = f"{scope}:{item.author_external_id}"
        reasons = _item_reasons(item, contest, rules, (channel.network, item.author_external_id) in own)
        person = people.get(entrant_id)
        if person is None:
            person = people[entrant_id] = Entrant(
                id=entrant_id, handle=item.author_handle, network=channel.network, entry_url=item.url or "",
                channel_id=channel.id, entered_at=item.received_at, entries=0, reasons=reasons,
                person=linked.person if linked is not None else "")
        if account not in person.accounts:
            person.accounts.append(account)
        person.entries += 1
        if not reasons and not qualifying.get(entrant_id):
            # Their first qualifying comment is their entry; a later one does not count twice.
            qualifying[entrant_id] = True
            person.reasons, person.entry_url, person.entered_at = [], item.url or "", item.received_at
        elif not qualifying.get(entrant_id):
            person.reasons = sorted(set(person.reasons) | set(reasons))
    eligible, excluded = [], []
    for person in people.values():
        if person.reasons and person.id in back_in:
            person.reincluded = back_in[person.id]
        (excluded if person.reasons and not person.reincluded else eligible).append(person)
    return sorted(eligible, key=lambda e: e.id), sorted(excluded, key=lambda e: e.id)


def _item_reasons(item: InboxItem, contest: Contest, rules: Rules, own_account: bool) -> list[str]:
    reasons = []
    if own_account:
        reasons.append("the brand's own account")
    if _handle(item.author_handle) in rules.blocklist:
        reasons.append("on the contest's blocklist")
    if item.received_at < contest.opens_at:
        reasons.append("commented before the contest opened")
    if item.received_at >= contest.closes_at:
        reasons.append("commented after the contest closed")
    spam = item.marked_spam if item.marked_spam is not None else (
        item.spam_score is not None and item.spam_score >= rules.spam_threshold)
    if spam:
        why = "marked as spam" if item.marked_spam else f"spam or bot (score {item.spam_score:.2f} ≥ " \
                                                         f"{rules.spam_threshold:.2f})"
        reasons.append(why)
    if rules.keyword and _fold(rules.keyword) not in _fold(item.text):
        reasons.append(f"the comment lacks {rules.keyword}")
    if rules.mentions:
        mentioned = {_handle(m) for m in _MENTION.findall(item.text)} - {_handle(item.author_handle)}
        if len(mentioned) < rules.mentions:
            reasons.append(f"mentions {len(mentioned)} of the {rules.mentions} accounts asked for")
    return reasons


def reinclude(ctx: WorkspaceContext, contest_id: str, entrant_id: str, note: str) -> None:
    ctx.require(Permission.POSTS_WRITE)
    contest = ctx.get(Contest, contest_id, what="contest")
    if contest.drawn_at is not None:
        raise Conflict("The draw has been made: its entrant list cannot change any more.")
    note = note.strip()
    if not note:
        raise ValidationFailed("Say why this entrant is let back in: the note goes into the draw's record.")
    view_ = view(ctx, contest_id)
    if not any(e.id == entrant_id for e in view_.excluded):
        raise ValidationFailed("Only an excluded entrant can be let back in.")
    ctx.session.add(ContestReinclusion(contest_id=contest.id, entrant_id=entrant_id, note=note[:1000],
                                       user_id=ctx.actor.user_id))
    audit.record(ctx, "contest.reincluded", "contest", contest.id, f"Let {entrant_id} back in: {note[:200]}",
                 entrant_id=entrant_id, note=note)
    ctx.session.flush()


def make_draw(ctx: WorkspaceContext, contest_id: str, public_value: str = "") -> Contest:
    """Freeze the entrants, record their digest, reveal the seed and pick winners, then reserves."""
    ctx.require(Permission.POSTS_WRITE)
    contest = ctx.get(Contest, contest_id, what="contest")
    if contest.drawn_at is not None:
        raise Conflict("This contest's draw has been made already; it is never made twice.")
    if clock.now() < contest.closes_at:
        raise ValidationFailed(f"The contest closes at {contest.closes_at:%Y-%m-%d %H:%M} UTC: draw after that.")
    if contest.public_value_source and not public_value.strip():
        raise ValidationFailed(f"This draw uses a public value chosen at the opening ({contest.public_value_source}):"
                               " enter it.")
    current = view(ctx, contest_id)
    if not current.eligible:
        raise ValidationFailed("Nobody is eligible: there is no one to draw.")
    entrants = [e.public() for e in current.eligible]
    digest = draw.entrants_digest(entrants)
    seed = decrypt_json(contest.seed_encrypted)["seed"]
    picked = draw.pick(seed, digest, public_value.strip(), [e["id"] for e in entrants],
                       contest.winners_count + contest.reserves_count)
    contest.entrants = [_freeze(e) for e in current.eligible]
    contest.excluded = [_freeze(e) for e in current.excluded]
    contest.entrants_digest = digest
    contest.public_value = public_value.strip()
    contest.winners = picked[:contest.winners_count]
    contest.reserves = picked[contest.winners_count:]
    contest.drawn_at = clock.now()
    audit.record(ctx, "contest.drawn", "contest", contest.id,
                 f"Draw made: {len(contest.winners)} winner(s) of {len(entrants)} entrants", digest=digest,
                 winners=contest.winners)
    ctx.session.flush()
    _announce_draw(ctx, contest, len(entrants))
    return contest


def _announce_draw(ctx: WorkspaceContext, contest: Contest, entrants: int) -> None:
    from socialdesk.integrations import service as integrations
    from socialdesk.notifications.people import tell

    tell(ctx.session, ctx.workspace_id, "contest_drawn",
         f"The draw of “{contest.name}” was made: {len(contest.winners or [])} winner(s) of {entrants} entrants.",
         link=f"/w/{ctx.workspace_id}/contests/{contest.id}", permission=Permission.POSTS_WRITE,
         exclude=[ctx.actor.user_id or ""])
    integrations.emit(ctx.session, ctx.workspace_id, "contest.drawn", {
        "contest_id": contest.id, "name": contest.name, "entrants": entrants,
        "entrants_digest": contest.entrants_digest, "winners": contest.winners})


def _freeze(entrant: Entrant) -> dict[str, Any]:
    frozen = {**entrant.public(), "channel_id": entrant.channel_id, "entered_at": entrant.entered_at.isoformat(),
              "entries": entrant.entries, "reasons": entrant.reasons, "reincluded": entrant.reincluded,
              "accounts": entrant.accounts}
    if entrant.person:
        frozen["person"] = entrant.person  # (extra fields do not enter the digest: draw.canonical_entrants)
    return frozen


def export(ctx: WorkspaceContext, contest_id: str) -> dict[str, Any]:
    """The draw's whole record, as draw.py verifies it (the seed only once the draw is made)."""
    current = view(ctx, contest_id)
    contest = current.contest
    record: dict[str, Any] = {
        "algorithm": draw.ALGORITHM, "contest": {
            "id": contest.id, "name": contest.name, "prize": contest.prize, "opens_at": contest.opens_at.isoformat(),
            "closes_at": contest.closes_at.isoformat(), "winners": contest.winners_count,
            "reserves": contest.reserves_count, "rules": contest.rules},
        "commitment": contest.commitment, "committed_at": contest.created_at.isoformat(),
        "public_value_source": contest.public_value_source,
        "state": current.state,
        "entrants": [_freeze(e) for e in current.eligible], "excluded": [_freeze(e) for e in current.excluded]}
    if contest.drawn_at is not None:
        record |= {"seed": decrypt_json(contest.seed_encrypted)["seed"], "entrants_digest": contest.entrants_digest,
                   "public_value": contest.public_value or "", "winners": contest.winners,
                   "reserves": contest.reserves, "drawn_at": contest.drawn_at.isoformat()}
    return record


def public_record(session: Session, contest_id: str) -> dict[str, Any]:
    """What anyone may download once the draw is made: the record `verify` checks, without the excluded
    people and their reasons (only how many), and without the team's names for linked people."""
    from socialdesk.workspaces.service import system_context

    contest = session.get(Contest, contest_id) if isinstance(contest_id, str) and "\x00" not in contest_id else None
    if contest is None or contest.drawn_at is None:
        raise NotFound("No drawn contest at this address.")
    record = export(system_context(session, contest.workspace_id, "public draw record"), contest_id)
    record["excluded"] = len(record.get("excluded") or [])
    record["entrants"] = [{k: v for k, v in e.items() if k not in ("person", "reasons", "reincluded")}
                          for e in record["entrants"]]
    return record


# Linking one person's accounts -----------------------------------------------------------------------

_ACCOUNT = re.compile(r"^([a-z0-9_]{1,40}):(\S{1,200})$")


@dataclass(frozen=True)
class LinkedPerson:
    id: str  # the first link's id: stable while the person has accounts linked
    person: str


def contest_exists(ctx: WorkspaceContext, contest_id: str) -> Contest:
    return ctx.get(Contest, contest_id, what="contest")


def identity_map(ctx: WorkspaceContext) -> dict[tuple[str, str], LinkedPerson]:
    """(network, account id) -> the person it is linked to, for every linked account of the workspace."""
    rows = list(ctx.session.scalars(ctx.select(IdentityLink).order_by(IdentityLink.created_at, IdentityLink.id)))
    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(row.person.casefold(), row.id)
    return {(r.network, r.external_id): LinkedPerson(first[r.person.casefold()], r.person) for r in rows}


def identity_links(ctx: WorkspaceContext) -> list[IdentityLink]:
    ctx.require(Permission.INBOX_READ)
    return list(ctx.session.scalars(ctx.select(IdentityLink).order_by(IdentityLink.person, IdentityLink.network)))


def link_accounts(ctx: WorkspaceContext, person: str, accounts: list[str],
                  handles: dict[str, str] | None = None) -> list[IdentityLink]:
    """Say that these accounts ("network:account id", as `contest show` lists them) are one person."""
    ctx.require(Permission.POSTS_WRITE)
    person = " ".join(person.split())[:200]
    if not person:
        raise ValidationFailed("Name the person whose accounts these are (the team's name for them).")
    wanted = list(dict.fromkeys(a.strip() for a in accounts if a.strip()))
    if not wanted:
        raise ValidationFailed("Choose the accounts to link (e.g. instagram:1784 and x:4411).")
    parsed = []
    for account in wanted:
        match = _ACCOUNT.match(account)
        if not match:
            raise ValidationFailed(f"{account!r} is not an account: write network:account-id, e.g. instagram:1784.")
        parsed.append((match.group(1), match.group(2)))
    existing = {(r.network, r.external_id): r for r in ctx.session.scalars(ctx.select(IdentityLink))}
    made = []
    for network, external_id in parsed:
        row = existing.get((network, external_id))
        if row is not None and row.person.casefold() != person.casefold():
            raise ValidationFailed(f"{network}:{external_id} is already linked to {row.person}: unlink it first.")
        if row is None:
            handle = (handles or {}).get(f"{network}:{external_id}") or ctx.session.scalar(
                ctx.select(InboxItem).with_only_columns(InboxItem.author_handle)
                .where(InboxItem.author_external_id == external_id).limit(1)) or ""
            row = IdentityLink(workspace_id=ctx.workspace_id, person=person, network=network,
                               external_id=external_id, handle=handle[:200],
                               created_by=ctx.actor.user_id)
            ctx.session.add(row)
            made.append(row)
    ctx.session.flush()
    audit.record(ctx, "identity.linked", "identity_link", made[0].id if made else "",
                 f"Linked {', '.join(wanted)} as one person: {person}", person=person, accounts=wanted)
    return made


def unlink_account(ctx: WorkspaceContext, link_id: str) -> None:
    ctx.require(Permission.POSTS_WRITE)
    row = ctx.get(IdentityLink, link_id, what="linked account")
    audit.record(ctx, "identity.unlinked", "identity_link", row.id,
                 f"Unlinked {row.network}:{row.external_id} from {row.person}", person=row.person)
    ctx.session.delete(row)
    ctx.session.flush()
