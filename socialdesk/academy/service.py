"""Exercise runs: start one in a fresh sandbox workspace, move its simulated clock, score it.

Simulated time is the process's own clock (core.clock) scoped to the run: while the academy moves a
run forward, `clock.now()` reads the run's simulated moment in that thread only, and the product's
own publishing, inbox fetching and metric collection run for the exercise's channels, exactly as the
demo's history is made (demo.record_history), but without touching any other workspace.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from socialdesk.academy import catalog, scoring, strategies
from socialdesk.academy.models import AcademyRun, AcademySkillScore
from socialdesk.academy.play import ContestPlay, MonitorPlay, Play, Reply, member_of_handle
from socialdesk.academy.reveal import reveal
from socialdesk.academy.schema import Exercise
from socialdesk.auth.service import create_user, user_by_email
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core import clock
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database, new_id
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.networks.sandbox import store
from socialdesk.networks.sandbox.adapter import _as_input
from socialdesk.networks.sandbox.ads import AdSpec
from socialdesk.networks.sandbox.audience import AccountParams
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Organisation, Role

ORGANISATION = "Academy"
STEP = timedelta(hours=1)  # the world is looked at every simulated hour: posts go out, comments come in
FETCH_EVERY = 2  # hours between inbox fetches
COLLECT_EVERY = 6  # hours between metric snapshots
MAX_STEP_DAYS = 60


@dataclass(frozen=True)
class Started:
    run_id: str
    workspace_id: str
    password: str | None  # set when the learner's account was made for the exercise


def exercise_of(run: AcademyRun) -> Exercise:
    return Exercise.model_validate(run.definition)


def _handle(run_id: str, key: str) -> str:
    return f"academy-{run_id[-10:].lower()}-{key}"


def params_for(run: AcademyRun, key: str | None = None) -> AccountParams:
    ex = exercise_of(run)
    record = store.find_account(_handle(run.id, key or ex.channels[0].key))
    if record is None:
        raise NotFound("This exercise's sandbox account is gone; start the exercise again.")
    return record.params()


def start(db: Database, exercise: Exercise | str, email: str, *, speed: int = 1440) -> Started:
    """A fresh workspace for `email` with the exercise's sandbox channels and planned posts."""
    ex = catalog.get(exercise) if isinstance(exercise, str) else exercise
    if not 1 <= speed <= 86_400:
        raise ValidationFailed("The speed is simulated seconds per real second, from 1 to 86400.")
    begin = _real_now().replace(minute=0, second=0, microsecond=0)
    password = None
    with clock.scoped(ManualClock(begin)), db.unit_of_work() as session:
        user = user_by_email(session, email)
        if user is None:
            password = secrets.token_urlsafe(12)
            user = create_user(session, email, email.split("@")[0], password)
        org = session.scalars(select(Organisation).where(Organisation.name == ORGANISATION)).first() \
            or workspaces.create_organisation(session, ORGANISATION)
        run = AcademyRun(id=new_id(), user_id=user.id, exercise=ex.slug, definition=ex.model_dump(mode="json"),
                         seed=ex.seed, sim_start=begin, sim_now=begin, speed=speed)
        name = f"{ex.title['en']} — {email} ({run.id[-6:].lower()})"
        workspace = workspaces.create_workspace(session, org, name, user, timezone=ex.audience.timezone)
        run.workspace_id = workspace.id
        session.add(run)
        session.flush()
        ctx = WorkspaceContext(session, workspace, Actor(user.id, email), Role.OWNER)
        for channel in ex.channels:
            handle = _handle(run.id, channel.key)
            channels.connect(ctx, "sandbox", channel.name, handle=handle, profile=channel.imitates,
                             audience_size=ex.audience.size, timezone=ex.audience.timezone, seed=ex.seed,
                             languages=",".join(f"{k}:{v}" for k, v in ex.audience.languages.items()),
                             topics=",".join(ex.audience.interests))
            record = store.find_account(handle)
            assert record is not None
            store.update_account(handle, settings={**record.settings, "bot_share": ex.audience.spam_share,
                                                   "troll_share": ex.audience.troll_share})
        _brand_images(ctx, ex)
        _plan_posts(ctx, ex, begin)
        return Started(run.id, workspace.id, password)


def _brand_images(ctx: WorkspaceContext, ex: Exercise) -> None:
    """A few plain brand pictures in the media library, so image-only networks can be posted to at once."""
    from socialdesk.demo import _image
    from socialdesk.media import service as media

    for index, colour in enumerate(((46, 125, 50), (59, 91, 219), (193, 120, 60))):
        media.upload(ctx, f"{ex.slug}-{index + 1}.jpg", _image(f"{ex.brief.brand} #{index + 1}", colour),
                     alt_text=f"{ex.brief.brand}: brand picture {index + 1}")


def _plan_posts(ctx: WorkspaceContext, ex: Exercise, begin: datetime) -> None:
    from socialdesk.media import service as media

    ids = [c.id for c in channels.list_channels(ctx)]
    library = [m.id for m in media.list_media(ctx)][:1]
    tz = ZoneInfo(ex.audience.timezone)
    first = begin.astimezone(tz).date()
    for post in ex.planned_posts:
        hour, minute = (int(x) for x in post.time.split(":"))
        local = datetime.combine(first + timedelta(days=post.day), datetime.min.time()).replace(hour=hour,
                                                                                                  minute=minute)
        if local.replace(tzinfo=tz) <= begin:
            continue
        content.compose(ctx, PostIn(text=post.text, channel_ids=ids, media_ids=library, scheduled_at=local,
                                    timezone=ex.audience.timezone, intent=Intent.SCHEDULE))


# Reading runs -------------------------------------------------------------------------------------


def get_run(session: Session, run_id: str) -> AcademyRun:
    run = session.get(AcademyRun, run_id)
    if run is None:
        raise NotFound("There is no such exercise run.")
    return run


def run_of_workspace(session: Session, workspace_id: str) -> AcademyRun | None:
    return session.scalars(select(AcademyRun).where(AcademyRun.workspace_id == workspace_id)).first()


def runs_of(session: Session, user_id: str) -> list[AcademyRun]:
    return list(session.scalars(select(AcademyRun).where(AcademyRun.user_id == user_id)
                                .order_by(AcademyRun.created_at.desc())))


def progress_of(session: Session, user_id: str) -> dict[str, list[tuple[datetime, int, str]]]:
    """Each skill's scores in order: (when, score, exercise)."""
    rows = session.scalars(select(AcademySkillScore).where(AcademySkillScore.user_id == user_id)
                           .order_by(AcademySkillScore.scored_at))
    out: dict[str, list[tuple[datetime, int, str]]] = {}
    for row in rows:
        out.setdefault(row.skill, []).append((row.scored_at, row.score, row.exercise))
    return out


def _real_now() -> datetime:
    """The process's clock, even inside an exercise's simulated time (web/academy_clock.py)."""
    return clock.get_clock().now()


def end_of(run: AcademyRun) -> datetime:
    return clock.utc(run.sim_start) + timedelta(days=exercise_of(run).days)


def sim_now(run: AcademyRun) -> datetime:
    """Where the run's clock is now: its last stop, plus real time times its speed while it runs."""
    at = clock.utc(run.sim_now)
    if run.running and run.resumed_at is not None and run.finished_at is None:
        at += (_real_now() - clock.utc(run.resumed_at)) * run.speed
    return min(at, end_of(run))


# Moving time --------------------------------------------------------------------------------------


def _due_publications(db: Database, workspace_id: str, at: datetime) -> list[str]:
    with db.unit_of_work() as session:
        due = list(session.scalars(
            select(Publication.id).join(Channel, Channel.id == Publication.channel_id)
            .where(Publication.workspace_id == workspace_id, Publication.status == PublicationStatus.SCHEDULED,
                   Publication.scheduled_at <= at, Channel.status == ChannelStatus.ACTIVE)
            .order_by(Publication.scheduled_at)))
        if not due:
            return []
        # The same conditional claim as the dispatcher's: a publication taken meanwhile is not returned.
        return list(session.scalars(
            update(Publication).where(Publication.id.in_(due), Publication.status == PublicationStatus.SCHEDULED)
            .values(status=PublicationStatus.PUBLISHING, claimed_at=at).returning(Publication.id)
            .execution_options(synchronize_session=False)))


def _channel_ids(db: Database, workspace_id: str) -> list[str]:
    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(Channel.id).where(Channel.workspace_id == workspace_id)))


def _untriaged(db: Database, workspace_id: str) -> list[str]:
    from socialdesk.inbox.models import InboxItem

    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(InboxItem.id).where(InboxItem.workspace_id == workspace_id,
                                                               InboxItem.triaged_at.is_(None))))


def advance(db: Database, run_id: str, to: datetime,
            progress: Callable[[float], None] | None = None) -> datetime:
    """Run the exercise's world up to `to` (capped at its end): publish, fetch comments, collect metrics."""
    from socialdesk.analytics import service as analytics
    from socialdesk.inbox import service as inbox
    from socialdesk.inbox.triage import triage_items
    from socialdesk.publishing import service as publishing

    with db.unit_of_work(read_only=True) as session:
        run = get_run(session, run_id)
        if run.finished_at is not None:
            raise ValidationFailed("This exercise is finished; start it again to play once more.")
        workspace_id, current, end = run.workspace_id, clock.utc(run.sim_now), end_of(run)
        has_ads = exercise_of(run).kind == "ads-budget"
        crisis = exercise_of(run) if exercise_of(run).kind == "crisis-burst" else None
    target = min(clock.utc(to), end)
    manual = ManualClock(current)
    channel_ids = _channel_ids(db, workspace_id)
    with clock.scoped(manual):
        step = 0
        moment = current
        while moment < target:
            moment = min(moment + STEP, target)
            step += 1
            manual.set(moment)
            if progress is not None and target > current:
                progress((moment - current) / (target - current))
            for publication_id in _due_publications(db, workspace_id, moment):
                publishing.publish(db, publication_id)
            last = moment >= target
            fetched = False
            for channel_id in channel_ids:
                if step % FETCH_EVERY == 0 or last:
                    inbox.fetch_channel(db, channel_id)
                    fetched = True
                if step % COLLECT_EVERY == 0 or last:
                    analytics.collect_channel(db, channel_id)
            if fetched:
                # The fetch queued triage as a job due at simulated time, which the process's runner will not
                # reach for days: triage here, as the job would (it finds nothing left to do later).
                triage_items(db, _untriaged(db, workspace_id))
            if crisis is not None:
                _listen(db, workspace_id, crisis, clock.utc(run.sim_start), moment)
            if has_ads and (step % COLLECT_EVERY == 0 or last):
                _refresh_ads(db, workspace_id)
    with db.unit_of_work() as session:
        run = get_run(session, run_id)
        run.sim_now = target
        if run.running:
            run.resumed_at = _real_now()
    return target


def step(db: Database, run_id: str, *, days: float = 0, hours: float = 0,
         progress: Callable[[float], None] | None = None) -> datetime:
    if days < 0 or hours < 0 or days + hours / 24 > MAX_STEP_DAYS:
        raise ValidationFailed(f"Step forward by 0 to {MAX_STEP_DAYS} simulated days.")
    with db.unit_of_work(read_only=True) as session:
        run = get_run(session, run_id)
        at = clock.utc(run.sim_now)
    return advance(db, run_id, at + timedelta(days=days, hours=hours), progress)


def tick(db: Database, run_id: str) -> datetime:
    """Catch a running clock up with real time (the exercise page calls this every few seconds)."""
    with db.unit_of_work(read_only=True) as session:
        run = get_run(session, run_id)
        if not run.running or run.finished_at is not None:
            return clock.utc(run.sim_now)
        target = sim_now(run)
    return advance(db, run_id, target)


def set_running(db: Database, run_id: str, running: bool) -> None:
    with db.unit_of_work() as session:
        run = get_run(session, run_id)
        if run.finished_at is not None:
            raise ValidationFailed("This exercise is finished.")
        run.running = running
        run.resumed_at = _real_now() if running else None


# Scoring ------------------------------------------------------------------------------------------


def learner_play(db: Database, run: AcademyRun) -> Play:
    """What the learner did, as the sandbox network recorded it (and their contest, for a giveaway)."""
    ex = exercise_of(run)
    handle = _handle(run.id, ex.channels[0].key)
    snap = store.snapshot(handle, posts=True, replies=True, hidden=True)
    if snap is None:
        raise NotFound("This exercise's sandbox account is gone; start the exercise again.")
    params = snap.account.params()
    removed = {item: at.timestamp() for item, at in snap.hidden.items()}
    for item, at in store.marks(snap.account.id, "delete").items():
        removed.setdefault(item, at.timestamp())
    play = Play(params, clock.utc(run.sim_start).timestamp(), end_of(run).timestamp(),
                [_as_input(p) for p in snap.posts],
                [Reply(r.item_external_id, r.text, clock.utc(r.created_at).timestamp()) for r in snap.replies],
                removed)
    if ex.kind == "fair-giveaway":
        play.contest = _contest_play(db, run.workspace_id)
    if ex.kind == "ads-budget":
        play.ads = _sandbox_ads(db, run.workspace_id)
    if ex.kind == "crisis-burst":
        play.monitors, play.alerts = _crisis_play(db, run.workspace_id)
    return play


def _sandbox_ads(db: Database, workspace_id: str) -> list[AdSpec]:
    """The learner's sandbox ads, as the campaigns service stored them (campaigns/sandbox_ads.py)."""
    from socialdesk.campaigns.models import Ad
    from socialdesk.campaigns.sandbox_ads import spec_of

    with db.unit_of_work(read_only=True) as session:
        rows = session.scalars(select(Ad).where(Ad.workspace_id == workspace_id, Ad.platform == "sandbox")
                               .order_by(Ad.created_at)).all()
        return [spec_of(ad) for ad in rows]


def crisis_burst(ex: Exercise, sim_start: datetime) -> Any:
    """The exercise's complaint burst in the sandbox public conversation (UTC, on the hour)."""
    from socialdesk.networks.public.sandbox_conversation import Burst

    assert ex.crisis is not None
    tz = ZoneInfo(ex.audience.timezone)
    hour = int(ex.crisis.time[:2])
    local = datetime.combine(sim_start.astimezone(tz).date() + timedelta(days=ex.crisis.day),
                             datetime.min.time()).replace(hour=hour, tzinfo=tz)
    return Burst(kind="complaint", topic=ex.crisis.topic, start=local.astimezone(UTC), hours=ex.crisis.hours,
                 scheduled=False)


def _listen(db: Database, workspace_id: str, ex: Exercise, sim_start: datetime, at: datetime) -> None:
    """Run the workspace's sandbox listening monitors up to `at` on the exercise's public conversation (its
    seed, with its complaint burst), through the listening service's own ingest and alerting."""
    from socialdesk.listening import service as listening
    from socialdesk.listening.models import Monitor
    from socialdesk.listening.sources import SANDBOX_BACKFILL, parse
    from socialdesk.networks.public.sandbox_conversation import public_posts

    burst = crisis_burst(ex, sim_start)
    with db.unit_of_work() as session:
        for monitor in session.scalars(select(Monitor).where(Monitor.workspace_id == workspace_id,
                                                             Monitor.active.is_(True))).all():
            sandbox = [parse(spec) for spec in monitor.sources if parse(spec).kind == "sandbox"]
            if not sandbox:
                continue
            state = dict(monitor.state or {})
            since = datetime.fromisoformat(state["academy_until"]) if state.get("academy_until") \
                else at - SANDBOX_BACKFILL
            if since >= at:
                continue
            posts = public_posts(ex.seed, [*monitor.terms, *monitor.variants], since, at, random_per_week=0,
                                 scheduled=False, extra_bursts=[burst])
            listening.ingest(session, monitor, posts, listening.RunResult(monitor.name))
            if posts and "history_start" not in state:
                state["history_start"] = min(p.posted_at for p in posts).isoformat()
            state["academy_until"] = at.isoformat()
            # The product's own run of this monitor then finds the sandbox already read up to now.
            per_source = dict(state.get("sources") or {})
            for source in sandbox:
                per_source[source.key] = {"until": at.isoformat(), "error": None}
            state["sources"] = per_source
            monitor.state = state
            monitor.last_run_at = at
            session.flush()
            listening.evaluate(session, monitor, now=at)


def _crisis_play(db: Database, workspace_id: str) -> tuple[list[MonitorPlay], list[float]]:
    """The learner's listening monitors and the burst alerts they raised."""
    from socialdesk.listening.models import ListeningAlert, Monitor

    with db.unit_of_work(read_only=True) as session:
        monitors = [MonitorPlay(clock.utc(m.created_at).timestamp(), tuple([*m.terms, *m.variants]),
                                any(str(s).split(":")[0] == "sandbox" for s in m.sources))
                    for m in session.scalars(select(Monitor).where(Monitor.workspace_id == workspace_id))]
        alerts = [clock.utc(a.created_at).timestamp() for a in session.scalars(
            select(ListeningAlert).where(ListeningAlert.workspace_id == workspace_id,
                                         ListeningAlert.kind == "burst"))]
    return monitors, alerts


def _refresh_ads(db: Database, workspace_id: str) -> None:
    """Bring the workspace's sandbox ad results up to the simulated day (Campaigns shows them)."""
    from socialdesk.campaigns import sandbox_ads
    from socialdesk.workspaces.models import Workspace

    with db.unit_of_work() as session:
        run = run_of_workspace(session, workspace_id)
        workspace = session.get(Workspace, workspace_id)
        if run is None or workspace is None:
            return
        ctx = WorkspaceContext(session, workspace, Actor(run.user_id, "academy"), Role.OWNER)
        sandbox_ads.refresh_all(ctx)


def _contest_play(db: Database, workspace_id: str) -> ContestPlay | None:
    from socialdesk.contests.models import Contest

    with db.unit_of_work(read_only=True) as session:
        contest = session.scalars(select(Contest).where(Contest.workspace_id == workspace_id)
                                  .order_by(Contest.created_at)).first()
        if contest is None:
            return None
        rules: dict[str, Any] = dict(contest.rules or {})
        # The winners are entrant ids; the frozen entrants carry their handles.
        handles = {str(e.get("id")): str(e.get("handle", "")) for e in contest.entrants or [] if isinstance(e, dict)}
        winners = tuple(m for w in contest.winners or [] if (m := member_of_handle(handles.get(str(w), "")))
                        is not None)
        return ContestPlay(clock.utc(contest.created_at).timestamp(), clock.utc(contest.opens_at).timestamp(),
                           clock.utc(contest.closes_at).timestamp(),
                           clock.utc(contest.drawn_at).timestamp() if contest.drawn_at else None,
                           str(rules.get("keyword") or ""), rules.get("per", "person") in ("person", "person_channel"),
                           float(rules.get("spam_threshold", 0.8)), winners)


def evaluate(ex: Exercise, play: Play) -> dict[str, Any]:
    """Scores with reasons, the reference strategy's scores on the same seed, and the reveal."""
    reference = strategies.expert(ex, play.params, play.start)
    mine = scoring.score(ex, play, reference)
    theirs = scoring.score(ex, reference, reference)
    return {"score": scoring.total(mine), "skills": [s.as_dict() for s in mine],
            "reference": {"score": scoring.total(theirs), "skills": [s.as_dict() for s in theirs],
                          "posts": len(reference.own_posts())},
            "reveal": reveal(ex, play.params)}


def finish(db: Database, run_id: str, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Run the clock to the end, score the run, store the scores; returns the result."""
    with db.unit_of_work(read_only=True) as session:
        run = get_run(session, run_id)
        if run.finished_at is not None:
            return dict(run.result)
        end = end_of(run)
    advance(db, run_id, end, progress)
    with db.unit_of_work() as session:
        run = get_run(session, run_id)
        result = evaluate(exercise_of(run), learner_play(db, run))
        now = datetime.now(UTC)
        run.result, run.score, run.finished_at, run.running = result, result["score"], end, False
        for skill in result["skills"]:
            session.add(AcademySkillScore(run_id=run.id, user_id=run.user_id, exercise=run.exercise,
                                          skill=skill["skill"], score=skill["score"], scored_at=now))
        return result
