"""Monitors, the mentions they find and the alerts they raise (docs/listening.md).

A run fetches each source, keeps the posts that mention a term (matching.py) and no exclusion, triages
them with the inbox's models (socialdesk/text/triage.py), drops the ones in a language the monitor does not
follow, stores each once (by URL or URI, and by author + normalised text across sources), then judges the
hours since the last run for bursts (bursts.py), and the recent stream for sentiment shifts and emerging
terms (shifts.py). Alerts reach people as a notification, by e-mail and chat (notifications.people), and
as the `listening.alert` outgoing webhook."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from socialdesk.core import clock
from socialdesk.core.errors import Conflict, NotFound, ValidationFailed
from socialdesk.listening import bursts, shifts
from socialdesk.listening.matching import Matcher, plain, words
from socialdesk.listening.models import ListeningAlert, Mention, Monitor
from socialdesk.listening.sources import Source, parse, parse_all
from socialdesk.listening.sources import fetch as fetch_source
from socialdesk.networks.base import NetworkError
from socialdesk.networks.public import FoundPost
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

log = logging.getLogger("socialdesk.listening")

MAX_TERMS = 50
MAX_TERM_LENGTH = 200
MAX_MENTION_IDS = 200
SOUTH_SLAVIC = frozenset({"hr", "sr", "bs", "cnr", "hbs"})
TRIAGE_BATCH = 64


@dataclass
class RunResult:
    monitor: str
    fetched: int = 0
    matched: int = 0
    new: int = 0
    duplicates: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"monitor": self.monitor, "fetched": self.fetched, "matched": self.matched, "new": self.new,
                "duplicates": self.duplicates, "errors": self.errors, "alerts": self.alerts}


# --- monitors -----------------------------------------------------------------------------------------

def _printable(text: str) -> str:
    """Without control characters (a NUL would be refused by PostgreSQL, the rest are invisible)."""
    return "".join(c if c.isprintable() or c == " " else " " for c in text)


def _clean_list(values: Sequence[str] | None, what: str) -> list[str]:
    found: list[str] = []
    for value in values or []:
        for part in _printable(str(value)).split(","):
            part = " ".join(part.split())
            if not part:
                continue
            if len(part) > MAX_TERM_LENGTH:
                raise ValidationFailed(f"A {what} is at most {MAX_TERM_LENGTH} characters ({part[:40]}…).")
            if not words(part):
                raise ValidationFailed(f"The {what} {part!r} has no letters or digits to match.")
            if part.casefold() not in (f.casefold() for f in found):
                found.append(part)
    if len(found) > MAX_TERMS:
        raise ValidationFailed(f"At most {MAX_TERMS} {what}s per monitor.")
    return found


def _languages(values: Sequence[str] | None) -> list[str]:
    found = []
    for value in values or []:
        for code in str(value).replace(",", " ").split():
            code = code.strip().lower()
            if not code.isalpha() or not 2 <= len(code) <= 3:
                raise ValidationFailed(f"Languages are ISO 639 codes such as hr, en, de (not {code!r}).")
            if code not in found:
                found.append(code)
    return found


def add_monitor(ctx: WorkspaceContext, *, name: str, terms: Sequence[str], sources: Sequence[str],
                variants: Sequence[str] = (), exclusions: Sequence[str] = (), languages: Sequence[str] = (),
                false_alarm_rate: float = 0.001) -> Monitor:
    ctx.require(Permission.INBOX_WRITE)
    name = " ".join(_printable(name or "").split())
    if not name:
        raise ValidationFailed("Give the monitor a name.")
    if len(name) > 200:
        raise ValidationFailed("A monitor's name is at most 200 characters.")
    cleaned = _clean_list(terms, "term")
    if not cleaned:
        raise ValidationFailed("Give at least one term to listen for (a word, a phrase, #hashtag or a brand).")
    if not 0 < false_alarm_rate < 0.5:
        raise ValidationFailed("The false-alarm rate is a probability per hour between 0 and 0.5 (e.g. 0.001).")
    if ctx.session.scalars(ctx.select(Monitor).where(Monitor.name == name)).first() is not None:
        raise Conflict(f"This workspace already has a monitor named {name!r}.")
    monitor = Monitor(workspace_id=ctx.workspace_id, name=name, terms=cleaned,
                      variants=_clean_list(variants, "variant"), exclusions=_clean_list(exclusions, "exclusion"),
                      languages=_languages(languages), sources=[s.spec for s in parse_all(sources)],
                      false_alarm_rate=false_alarm_rate, state={})
    check_paid_access(ctx, monitor.sources)
    ctx.session.add(monitor)
    ctx.session.flush()
    return monitor


def check_paid_access(ctx: WorkspaceContext, specs: Sequence[str]) -> None:
    """An `x` source needs the operator's X access in this workspace (listening/x_source.py)."""
    if "x" in specs:
        from socialdesk.listening import x_source

        x_source.check_access(ctx.session, ctx.workspace_id)


def monitors(ctx: WorkspaceContext) -> list[Monitor]:
    ctx.require(Permission.INBOX_READ)
    return list(ctx.session.scalars(ctx.select(Monitor).order_by(Monitor.name)))


def find_monitor(ctx: WorkspaceContext, name_or_id: str) -> Monitor:
    ctx.require(Permission.INBOX_READ)
    found = ctx.session.scalars(ctx.select(Monitor).where(
        or_(Monitor.id == name_or_id, Monitor.name == " ".join(name_or_id.split())))).first()
    if found is None:
        raise NotFound(f"No monitor named {name_or_id!r} in this workspace (see `socialdesk monitor list`).")
    return found


def remove_monitor(ctx: WorkspaceContext, name_or_id: str) -> None:
    ctx.require(Permission.INBOX_WRITE)
    monitor = find_monitor(ctx, name_or_id)
    ctx.session.execute(ListeningAlert.__table__.delete().where(ListeningAlert.monitor_id == monitor.id))
    ctx.session.execute(Mention.__table__.delete().where(Mention.monitor_id == monitor.id))
    ctx.session.delete(monitor)


def describe(monitor: Monitor) -> dict[str, Any]:
    return {"id": monitor.id, "name": monitor.name, "terms": monitor.terms, "variants": monitor.variants,
            "exclusions": monitor.exclusions, "languages": monitor.languages, "sources": monitor.sources,
            "false_alarm_rate": monitor.false_alarm_rate, "active": monitor.active,
            "last_run_at": monitor.last_run_at.isoformat() if monitor.last_run_at else None,
            "errors": {k: v.get("error") for k, v in (monitor.state.get("sources") or {}).items() if v.get("error")}}


# --- running ------------------------------------------------------------------------------------------

def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def text_key(author: str, text: str) -> str:
    return _hash(plain(author.strip().lstrip("@")) + "\n" + " ".join(plain(text).split()))


def url_key(post: FoundPost) -> str:
    return _hash(post.url.strip() or post.external_id.strip())


def _language_ok(monitor: Monitor, language: str) -> bool:
    if not monitor.languages:
        return True
    if language in monitor.languages:
        return True
    # Croatian, Serbian and Bosnian are too close to tell apart reliably in a short post.
    return language in SOUTH_SLAVIC and bool(SOUTH_SLAVIC & set(monitor.languages))


def matcher_for(monitor: Monitor) -> Matcher:
    return Matcher([*monitor.terms, *monitor.variants], monitor.exclusions, monitor.languages)


def ingest(session: Session, monitor: Monitor, posts: Sequence[FoundPost], result: RunResult, *,
           triage: Callable[[Sequence[Any]], list[Any]] | None = None) -> list[Mention]:
    """Keep, triage and store the posts that mention the monitor's terms; returns the new mentions."""
    from socialdesk.text.triage import TriageInput
    from socialdesk.text.triage import triage as triage_texts

    matcher = matcher_for(monitor)
    wanted: list[tuple[FoundPost, str]] = []
    for post in posts:
        term = matcher.match(f"{post.title} {post.text}" if post.title and post.title not in post.text else post.text)
        if term is not None:
            wanted.append((post, term))
    result.matched += len(wanted)
    # Stored once: by URL/URI, and by author + text (the same post carried by two sources).
    fresh: list[tuple[FoundPost, str, str, str]] = []
    seen_keys: set[str] = set()
    for post, term in wanted:
        ukey, tkey = url_key(post), text_key(post.author, post.text)
        if ukey in seen_keys or tkey in seen_keys:
            result.duplicates += 1
            continue
        seen_keys.update((ukey, tkey))
        fresh.append((post, term, ukey, tkey))
    existing: dict[str, Mention] = {}
    for chunk in range(0, len(fresh), 500):
        part = fresh[chunk:chunk + 500]
        ukeys = [f[2] for f in part]
        tkeys = [f[3] for f in part]
        # And by the network's id: the Bluesky stream may know an author only by DID where search showed
        # the handle (a different URL and author), but the at:// URI is the same.
        ids = [f[0].external_id for f in part if f[0].external_id]
        for mention in session.scalars(select(Mention).where(
                Mention.monitor_id == monitor.id,
                or_(Mention.dedupe_key.in_(ukeys), Mention.text_key.in_(tkeys), Mention.external_id.in_(ids)))):
            existing[mention.dedupe_key] = existing[mention.text_key] = mention
            if mention.external_id:
                existing["id:" + mention.external_id] = mention
    todo = []
    for post, term, ukey, tkey in fresh:
        known = existing.get(ukey) or existing.get(tkey) or existing.get("id:" + post.external_id)
        if known is not None:
            result.duplicates += 1
            if post.source != known.source and post.source not in known.also_seen_on:
                known.also_seen_on = [*known.also_seen_on, post.source]
            continue
        todo.append((post, term, ukey, tkey))
    run = triage or triage_texts
    stored: list[Mention] = []
    for start in range(0, len(todo), TRIAGE_BATCH):
        batch = todo[start:start + TRIAGE_BATCH]
        verdicts = run([TriageInput(text=p.text[:2000], language_hint=p.language) for p, *_ in batch])
        for (post, term, ukey, tkey), verdict in zip(batch, verdicts, strict=True):
            if not _language_ok(monitor, verdict.language):
                continue
            mention = Mention(workspace_id=monitor.workspace_id, monitor_id=monitor.id, dedupe_key=ukey,
                              text_key=tkey, source=post.source, also_seen_on=[], url=post.url[:2000],
                              author=post.author[:300], title=post.title[:1000], text=post.text[:10000],
                              posted_at=post.posted_at, found_at=clock.now(), matched_term=term[:300],
                              language=verdict.language[:16], sentiment=verdict.sentiment,
                              sentiment_score=float(verdict.sentiment_score), offensive=bool(verdict.offensive),
                              spam=bool(verdict.spam), intent=str(verdict.intent)[:40],
                              external_id=post.external_id[:2000])
            session.add(mention)
            stored.append(mention)
    session.flush()
    result.new += len(stored)
    return stored


def run_monitor(session: Session, monitor: Monitor, *, now: datetime | None = None,
                progress: Callable[[str], None] | None = None) -> RunResult:
    """Fetch every source once, store what is new, and raise the alerts it calls for."""
    now = now or clock.now()
    result = RunResult(monitor.name)
    state = dict(monitor.state or {})
    per_source = dict(state.get("sources") or {})
    terms = [*monitor.terms, *monitor.variants]
    for spec in monitor.sources:
        source: Source = parse(spec)
        kept = dict(per_source.get(source.key) or {})
        if progress:
            progress(source.spec)
        try:
            posts, new_state = fetch_source(source, terms=terms, languages=monitor.languages, state=kept, now=now,
                                            session=session, workspace_id=monitor.workspace_id)
        except (NetworkError, ValidationFailed, OSError) as exc:
            kept["error"] = str(exc)[:500]
            kept["error_at"] = now.isoformat()
            per_source[source.key] = kept
            result.errors[source.spec] = kept["error"]
            log.warning("listening source %s of monitor %s failed: %s", source.spec, monitor.id, exc)
            continue
        result.fetched += len(posts)
        ingest(session, monitor, posts, result)
        if posts and "history_start" not in state:
            state["history_start"] = min(p.posted_at for p in posts).isoformat()
        per_source[source.key] = {**new_state, "error": None}
    state.setdefault("history_start", (monitor.created_at or now).isoformat())
    state["sources"] = per_source
    monitor.state = state
    monitor.last_run_at = now
    session.flush()
    result.alerts = [a.id for a in evaluate(session, monitor, now=now)]
    return result


def due_monitors(session: Session) -> list[Monitor]:
    return list(session.scalars(select(Monitor).where(Monitor.active.is_(True))))


# --- alerts -------------------------------------------------------------------------------------------

def _hour_counts(session: Session, monitor: Monitor, since: datetime, until: datetime) -> Counter[datetime]:
    times = session.scalars(select(Mention.posted_at).where(
        Mention.monitor_id == monitor.id, Mention.posted_at >= since, Mention.posted_at < until))
    return Counter(bursts.floor_hour(t) for t in times)


def _mentions_in(session: Session, monitor: Monitor, start: datetime, end: datetime) -> list[Mention]:
    return list(session.scalars(select(Mention).where(
        Mention.monitor_id == monitor.id, Mention.posted_at >= start, Mention.posted_at < end
    ).order_by(Mention.posted_at.desc()).limit(MAX_MENTION_IDS)))


def _announce(session: Session, monitor: Monitor, alert: ListeningAlert) -> None:
    from socialdesk.integrations import service as integrations
    from socialdesk.notifications import people

    # Each person who can read the workspace's listening is told (in the app, by e-mail as they chose, and in
    # the team's chat); not a workspace banner, which would stay on every page of every member.
    link = f"/w/{monitor.workspace_id}/listening?alert={alert.id}#mentions"
    message = f"Listening · {monitor.name}: {alert.message}"
    people.tell(session, monitor.workspace_id, "listening_alert", message, link=link,
                permission=Permission.INBOX_READ)
    integrations.emit(session, monitor.workspace_id, "listening.alert", alert_dict(session, alert, monitor.name))


def _burst_alerts(session: Session, monitor: Monitor, now: datetime) -> list[ListeningAlert]:
    state = dict(monitor.state)
    history_start = bursts.floor_hour(datetime.fromisoformat(state["history_start"]))
    current = bursts.floor_hour(now)
    judged = datetime.fromisoformat(state["judged_until"]) if state.get("judged_until") else history_start
    judged = max(judged, current - timedelta(days=2))  # a monitor paused for weeks does not replay them all
    since = min(judged, current) - timedelta(weeks=bursts.WEEKS, days=1)
    counts = _hour_counts(session, monitor, since, current + timedelta(hours=1))
    earlier = list(session.scalars(select(ListeningAlert).where(
        ListeningAlert.monitor_id == monitor.id, ListeningAlert.kind == "burst",
        ListeningAlert.window_end > since).order_by(ListeningAlert.window_start)))
    skip = {h for a in earlier for h in _hours(a.window_start, a.window_end)}
    raised: list[ListeningAlert] = []
    hour = judged
    while hour <= current:
        verdict = bursts.judge(counts, hour, alpha=monitor.false_alarm_rate, history_start=history_start, skip=skip)
        if verdict.burst:
            skip.add(hour)
            last = earlier[-1] if earlier else None
            if last is not None and last.window_start <= hour <= last.window_end + timedelta(hours=1):
                # The same event going on (or an hour judged again): one alert, its window grows.
                if hour >= last.window_end:
                    last.baseline = round(last.baseline + verdict.baseline, 3)
                    last.window_end = hour + timedelta(hours=1)
                last.volume = sum(counts.get(h, 0) for h in _hours(last.window_start, last.window_end))
                last.p_value = min(last.p_value, verdict.p_value)
                last.mention_ids = [m.id for m in _mentions_in(session, monitor, last.window_start, last.window_end)]
                last.message = _burst_message(last)
            else:
                alert = ListeningAlert(workspace_id=monitor.workspace_id, monitor_id=monitor.id, kind="burst",
                                       window_start=hour, window_end=hour + timedelta(hours=1),
                                       volume=verdict.volume, baseline=round(verdict.baseline, 3),
                                       p_value=verdict.p_value, created_at=now)
                alert.mention_ids = [m.id for m in _mentions_in(session, monitor, hour, alert.window_end)]
                alert.message = _burst_message(alert)
                session.add(alert)
                session.flush()
                earlier.append(alert)
                raised.append(alert)
        hour += timedelta(hours=1)
    # The current hour is judged again next time (its count may still grow); earlier ones are final.
    state["judged_until"] = current.isoformat()
    monitor.state = state
    return raised


def _hours(start: datetime, end: datetime) -> list[datetime]:
    found, hour = [], bursts.floor_hour(start)
    while hour < end:
        found.append(hour)
        hour += timedelta(hours=1)
    return found


def _burst_message(alert: ListeningAlert) -> str:
    hours = max(1, round((alert.window_end - alert.window_start).total_seconds() / 3600))
    return (f"burst: {alert.volume} mentions in {hours} h where about {alert.baseline:.1f} were expected "
            f"(p = {alert.p_value:.2g})")


def _recent_alert(session: Session, monitor: Monitor, kind: str, since: datetime, term: str = "") -> bool:
    return session.scalars(select(ListeningAlert.id).where(
        ListeningAlert.monitor_id == monitor.id, ListeningAlert.kind == kind, ListeningAlert.term == term,
        ListeningAlert.window_end > since)).first() is not None


def _recent_term(session: Session, monitor: Monitor, term: str, since: datetime) -> bool:
    """Was this term already among an emerging-terms alert's since then?"""
    terms = session.scalars(select(ListeningAlert.term).where(
        ListeningAlert.monitor_id == monitor.id, ListeningAlert.kind == "emerging_term",
        ListeningAlert.window_end > since))
    return any(term in found.split() for found in terms)


def _stream_alerts(session: Session, monitor: Monitor, now: datetime) -> list[ListeningAlert]:
    raised: list[ListeningAlert] = []
    recent_start = now - timedelta(hours=shifts.SHIFT_HOURS)
    base_start = recent_start - timedelta(days=shifts.BASE_DAYS)
    rows = list(session.execute(select(Mention.id, Mention.posted_at, Mention.sentiment, Mention.text).where(
        Mention.monitor_id == monitor.id, Mention.posted_at >= base_start - timedelta(hours=24),
        Mention.posted_at < now)))
    recent = [r for r in rows if r.posted_at >= recent_start]
    usual = [r for r in rows if base_start <= r.posted_at < recent_start]
    shift = shifts.sentiment_shift([r.sentiment for r in recent], [r.sentiment for r in usual],
                                   monitor.false_alarm_rate)
    quiet_since = now - timedelta(hours=2 * shifts.SHIFT_HOURS)
    if shift.alert and not _recent_alert(session, monitor, "sentiment_shift", quiet_since):
        alert = ListeningAlert(
            workspace_id=monitor.workspace_id, monitor_id=monitor.id, kind="sentiment_shift",
            window_start=recent_start, window_end=now, volume=len(recent), baseline=round(shift.usual_share, 4),
            p_value=shift.p_value, created_at=now,
            message=(f"negative share {shift.usual_share:.0%} → {shift.recent_share:.0%} in the last "
                     f"{shifts.SHIFT_HOURS} h, n = {shift.recent_n} (usual n = {shift.usual_n})"),
            mention_ids=[r.id for r in recent if r.sentiment == "negative"][:MAX_MENTION_IDS])
        session.add(alert)
        raised.append(alert)
    emerging_start = now - timedelta(hours=shifts.EMERGING_HOURS)
    latest = [r for r in rows if r.posted_at >= emerging_start]
    before = [r for r in rows if base_start <= r.posted_at < emerging_start]
    if len(before) >= shifts.MIN_RECENT:
        fresh = [(term, count, lift) for term, count, lift in shifts.emerging_terms(
            [r.text for r in latest], [r.text for r in before], [*monitor.terms, *monitor.variants])
            if not _recent_term(session, monitor, term, now - timedelta(hours=24))][:5]
        if fresh:
            listed = ", ".join(f"“{t}” ({c} mentions, {lift:.0f}× usual)" for t, c, lift in fresh)
            alert = ListeningAlert(
                workspace_id=monitor.workspace_id, monitor_id=monitor.id, kind="emerging_term",
                term=" ".join(t for t, _, _ in fresh)[:300], window_start=emerging_start, window_end=now,
                volume=fresh[0][1], baseline=round(fresh[0][1] / fresh[0][2], 3), p_value=1.0, created_at=now,
                message=f"emerging in the last 24 h: {listed}",
                mention_ids=[r.id for r in latest if any(plain(t) in plain(r.text) for t, _, _ in fresh)
                             ][:MAX_MENTION_IDS])
            session.add(alert)
            raised.append(alert)
    return raised


def evaluate(session: Session, monitor: Monitor, *, now: datetime | None = None) -> list[ListeningAlert]:
    """Judge what has come in since the last evaluation; announces and returns the new alerts."""
    now = now or clock.now()
    raised = _burst_alerts(session, monitor, now) + _stream_alerts(session, monitor, now)
    session.flush()
    for alert in raised:
        _announce(session, monitor, alert)
    return raised


# --- reading --------------------------------------------------------------------------------------------

def mentions(ctx: WorkspaceContext, *, monitor: str | None = None, query: str | None = None,
             sentiment: str | None = None, source: str | None = None, limit: int = 100,
             ids: Sequence[str] | None = None) -> list[Mention]:
    ctx.require(Permission.INBOX_READ)
    stmt = ctx.select(Mention)
    if monitor:
        stmt = stmt.where(Mention.monitor_id == find_monitor(ctx, monitor).id)
    if query and query.strip():
        needle = _printable(query).strip().lower()
        stmt = stmt.where(or_(func.lower(Mention.text).contains(needle, autoescape=True),
                              func.lower(Mention.author).contains(needle, autoescape=True),
                              func.lower(Mention.title).contains(needle, autoescape=True)))
    if sentiment:
        if sentiment not in ("negative", "neutral", "positive"):
            raise ValidationFailed("Sentiment is negative, neutral or positive.")
        stmt = stmt.where(Mention.sentiment == sentiment)
    if source:
        stmt = stmt.where(Mention.source.startswith(source, autoescape=True))
    if ids is not None:
        stmt = stmt.where(Mention.id.in_(list(ids)))
    stmt = stmt.order_by(Mention.posted_at.desc(), Mention.id).limit(max(1, min(limit, 1000)))
    return list(ctx.session.scalars(stmt))


def mention_dict(mention: Mention, monitor_name: str | None = None,
                 replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": mention.id, "monitor": monitor_name, "source": mention.source, "also_seen_on": mention.also_seen_on,
            "url": mention.url, "author": mention.author, "title": mention.title, "text": mention.text,
            "posted_at": mention.posted_at.isoformat(), "language": mention.language,
            "sentiment": mention.sentiment, "offensive": mention.offensive, "spam": mention.spam,
            "intent": mention.intent, "matched_term": mention.matched_term, "replies": replies or []}


def alerts(ctx: WorkspaceContext, *, monitor: str | None = None, limit: int = 100) -> list[ListeningAlert]:
    ctx.require(Permission.INBOX_READ)
    stmt = ctx.select(ListeningAlert)
    if monitor:
        stmt = stmt.where(ListeningAlert.monitor_id == find_monitor(ctx, monitor).id)
    return list(ctx.session.scalars(stmt.order_by(ListeningAlert.window_start.desc()).limit(limit)))


def alert_dict(session: Session, alert: ListeningAlert, monitor_name: str) -> dict[str, Any]:
    behind = list(session.scalars(select(Mention).where(Mention.id.in_(alert.mention_ids or []),
                                                        Mention.workspace_id == alert.workspace_id)
                                  .order_by(Mention.posted_at.desc()))) if alert.mention_ids else []
    return {"id": alert.id, "kind": alert.kind, "monitor": monitor_name, "message": alert.message,
            "term": alert.term or None,
            "window": {"start": alert.window_start.isoformat(), "end": alert.window_end.isoformat()},
            "volume": alert.volume, "baseline": alert.baseline, "p_value": alert.p_value,
            "created_at": alert.created_at.isoformat(),
            "mentions": [mention_dict(m, monitor_name) for m in behind]}


def volume_by_day(ctx: WorkspaceContext, monitor: Monitor, days: int = 14) -> list[tuple[str, int, int]]:
    """(day, mentions, negative mentions) for the last `days` days, oldest first."""
    ctx.require(Permission.INBOX_READ)
    start = (clock.now() - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = ctx.session.execute(select(Mention.posted_at, Mention.sentiment).where(
        Mention.monitor_id == monitor.id, Mention.posted_at >= start))
    total: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    for posted_at, sentiment in rows:
        day = posted_at.date().isoformat()
        total[day] += 1
        negative[day] += sentiment == "negative"
    return [((start + timedelta(days=d)).date().isoformat(), total[(start + timedelta(days=d)).date().isoformat()],
             negative[(start + timedelta(days=d)).date().isoformat()]) for d in range(days)]


def post_idea(ctx: WorkspaceContext, mention_id: str) -> str:
    """A draft post that starts from a mention (its link and a quote); returns the post's id."""
    from socialdesk.content import service as content
    from socialdesk.content.schemas import Intent, PostIn

    ctx.require(Permission.POSTS_WRITE)
    mention = ctx.get(Mention, mention_id, what="mention")
    quote = " ".join(mention.text.split())
    if len(quote) > 200:
        quote = quote[:199] + "…"
    lines = [f"Idea from listening ({mention.matched_term}): “{quote}”"]
    if mention.url:
        lines.append(mention.url)
    return content.compose(ctx, PostIn(text="\n\n".join(lines), intent=Intent.DRAFT)).post.id
