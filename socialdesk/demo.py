"""The demo workspace: a coffee-shop brand on three sandbox channels, with four weeks of history.

History is not faked: the clock is set four weeks back and the real pipeline runs forward through
time — posts are composed, approved, published by the job runner, and the sandbox audience reacts;
metrics and comments are collected and triaged by the same jobs that run in production. That replay
takes about a minute, so it is recorded once (scripts/build-demo-history) and `socialdesk demo`
loads the recording, moved forward to end within the last week (demo_history.py); it replays only
when the recording cannot be used (see demo_history.usable).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from socialdesk.auth.models import User
from socialdesk.auth.service import create_user, user_by_email
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn, VariantIn
from socialdesk.core import clock
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database, get_database
from socialdesk.inbox import actions as inbox_actions
from socialdesk.inbox import rules as inbox_rules
from socialdesk.inbox import saved_replies
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from socialdesk.media import service as media
from socialdesk.networks.base import IncomingKind
from socialdesk.scheduling import service as scheduling
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor, WorkspaceContext
from socialdesk.workspaces.models import Organisation, Role, Workspace

# Says what the demo is doing and how far it got (0 to 1), for a progress bar.
Progress = Callable[[str, float], None]

ORGANISATION = "Demo agency"
WORKSPACE = "Kava & Co. (demo)"
TIMEZONE = "Europe/Zagreb"
EMAIL = "demo@socialdesk.local"
PASSWORD = "socialdesk-demo"
TEAM = (("ana@socialdesk.local", "Ana Horvat", Role.EDITOR), ("marko@socialdesk.local", "Marko Kovač", Role.APPROVER))
CHANNELS = (
    ("Kava & Co. on X", "kavaco", "x", 2400),
    ("Kava & Co. Instagram", "kavaco.ig", "instagram", 4200),
    ("Kava & Co. Mastodon", "kavaco@social.example", "mastodon", 1500),
)
HISTORY_DAYS = 28
# The replay looks at the world every STEP (and at each post's time): comments and metrics arrive then.
STEP = timedelta(hours=6)

TEXTS = (
    "Dobro jutro, Zagreb! ☕ Nova single-origin kava iz Etiopije stigla je u #KavaCo. Svratite na degustaciju! #kava",
    "Fresh croissants every morning from 7:00 🥐 Pair one with a flat white. #coffee #breakfast #Zagreb",
    "Subota = brunch dan 🍳 Rezervirajte stol na kavaco.example/brunch #brunch #hrana",
    "How do you take your coffee? Espresso, cappuccino or cold brew? Tell us below 👇 #coffee",
    "Naš barista Ivan objašnjava razliku između lattea i flat whitea 🎥 #kava #barista",
    "Rainy day in Zagreb? Our hot chocolate is the cure ☔🍫 #Zagreb #cafe",
    "Novi jesenski meni: pumpkin spice latte i kolač od jabuka 🍂 #kava #kolači",
    "Coffee tasting this Thursday at 18:00 — five beans, three brewing methods. Free entry! #coffee #events",
    "Zahvaljujemo svima koji su došli na naš rođendan 🎉 Vidimo se uskoro! #KavaCo",
    "Behind the bar: how we roast our beans in small batches every Monday. #coffee #roasting",
    "Happy hour 14–16 h: druga kava gratis ☕☕ #kava #zagreb",
    "Tip: keep your beans in an airtight jar, away from light. Never in the fridge! #coffee #tips",
)
UPCOMING = (
    ("Ponedjeljak počinje uz dobru kavu ☕ Otvoreni smo od 7 h. #kava #Zagreb", 1, 8, 30),
    ("New: oat milk at no extra charge 🌾 #coffee #vegan", 1, 13, 0),
    ("Ovaj vikend: latte art radionica za početnike. Prijave na kavaco.example/radionica #kava #events", 2, 18, 0),
    ("Our autumn blend is back — chocolate, hazelnut and a hint of cherry. #coffee", 3, 9, 0),
    ("Petak navečer uz jazz i espresso martini 🎷🍸 #Zagreb #izlazak", 4, 19, 30),
    ("Thank you for 4,000 followers! Free cookie with every coffee this Saturday 🍪 #KavaCo", 5, 10, 0),
)


@dataclass(frozen=True)
class DemoSummary:
    channels: int
    posts: int
    comments: int
    email: str = EMAIL
    password: str = PASSWORD


def ensure_demo(db: Database | None = None, *, progress: Progress | None = None,
                use_recording: bool = True) -> DemoSummary:
    """Create the demo workspace with its history once; afterwards only top up upcoming posts.

    The history comes from the recording when it is usable (`use_recording`), else from a replay.
    """
    from socialdesk import demo_history

    db = db or get_database()
    report = progress or (lambda _what, _done: None)
    report("Looking for the demo workspace", 0.0)
    with db.unit_of_work() as session:
        workspace = session.scalars(select(Workspace).join(Organisation).where(
            Organisation.name == ORGANISATION, Workspace.name == WORKSPACE)).first()
        workspace_id = workspace.id if workspace else None
    if workspace_id is None:
        recording = demo_history.usable(db) if use_recording else None
        if recording is not None:
            report("Loading four weeks of recorded history", 0.1)
            workspace_id = demo_history.load(db, recording)
        else:
            workspace_id = record_history(db, lambda what, done: report(what, 0.05 + 0.85 * done))
        report("Updating table statistics", 0.9)
        db.refresh_statistics()
    _ensure_campaign(db, workspace_id)
    _links_setup(db, workspace_id)
    _listening_setup(db, workspace_id)
    report("Adding this week's upcoming posts", 0.95)
    _top_up_upcoming(db, workspace_id)
    summary = _summary(db, workspace_id)
    report("Ready", 1.0)
    return summary


def _summary(db: Database, workspace_id: str) -> DemoSummary:
    with db.read_sessions() as session:
        return DemoSummary(
            channels=session.scalar(select(func.count()).where(Channel.workspace_id == workspace_id)) or 0,
            posts=session.scalar(select(func.count()).where(Post.workspace_id == workspace_id)) or 0,
            comments=session.scalar(select(func.count()).where(
                InboxItem.workspace_id == workspace_id, InboxItem.kind == IncomingKind.COMMENT)) or 0)


def _image(label: str, colour: tuple[int, int, int]) -> bytes:
    """A simple branded square, drawn here so the demo needs no files from anywhere."""
    image = Image.new("RGB", (1080, 1080), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((340, 300, 740, 700), outline=(255, 255, 255), width=18)
    draw.text((380, 760), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _people(session: Session, workspace: Workspace) -> dict[str, WorkspaceContext]:
    contexts = {}
    for email, _, role in TEAM:
        user = user_by_email(session, email)
        assert user is not None
        contexts[role.value] = WorkspaceContext(session, workspace, Actor(user.id, email), role)
    owner = user_by_email(session, EMAIL)
    assert owner is not None
    contexts["owner"] = WorkspaceContext(session, workspace, Actor(owner.id, EMAIL), Role.OWNER)
    return contexts


def record_history(db: Database, progress: Progress | None = None) -> str:
    """Create the demo workspace and replay four weeks of history through the real pipeline."""
    real_clock = clock.get_clock()
    now = real_clock.now()
    start = (now - timedelta(days=HISTORY_DAYS)).replace(minute=0, second=0, microsecond=0)
    manual = ManualClock(start)
    clock.set_clock(manual)
    try:
        workspace_id = _create_workspace(db)
        # The quiz, thread and poll start two days before the end, inside the replay: posts added to the past
        # afterwards would change what the audience did after them, against the metrics already recorded.
        begin = _quiz_begin(now)
        _replay_history(db, workspace_id, manual, now, progress or (lambda _what, _done: None),
                        [(begin, lambda: _start_quiz_thread_and_poll(db, workspace_id, begin, now))])
        _set_goals(db, workspace_id, manual, start, now)
        _run_giveaway(db, workspace_id, manual, start, now)
    finally:
        clock.set_clock(real_clock)
    return workspace_id


def _links_setup(db: Database, workspace_id: str) -> None:
    """Short links with UTM tags and a public link-in-bio page, once (docs/studio.md): links in the posts
    composed from now on are counted, the sandbox audience's clicks included."""
    from socialdesk.links import bio
    from socialdesk.links import settings as link_settings
    from socialdesk.links.models import LinkSettings

    with db.unit_of_work() as session:
        if session.scalars(select(LinkSettings.id).where(LinkSettings.workspace_id == workspace_id)).first():
            return
        ctx = workspaces.system_context(session, workspace_id, "demo")
        link_settings.save_workspace(ctx, shorten=True, utm_enabled=True, values={
            "utm_source": "{network}", "utm_medium": "social", "utm_campaign": "{date}"})
        bio.save(ctx, enabled=True, slug="kava-co-demo", title="Kava & Co.",
                 intro="Specialty coffee in the heart of Zagreb", posts_shown=6,
                 links_text="Menu | https://kava.example.com/menu\nBook a table | https://kava.example.com/book")


def _listening_setup(db: Database, workspace_id: str) -> None:
    """A monitor on the sandbox's public conversation, once (docs/listening.md): the demo's runner fetches it
    each minute, eight days back the first time, so mentions, their triage and any burst show up."""
    from socialdesk.listening import service as listening
    from socialdesk.listening.models import Monitor

    with db.unit_of_work() as session:
        if session.scalars(select(Monitor.id).where(Monitor.workspace_id == workspace_id)).first():
            return
        ctx = workspaces.system_context(session, workspace_id, "demo")
        listening.add_monitor(ctx, name="Kava & Co.", terms=["kava", "Kava & Co"], sources=["sandbox"],
                              exclusions=["kavana"])


def _create_workspace(db: Database) -> str:
    with db.unit_of_work() as session:
        owner = user_by_email(session, EMAIL) or create_user(session, EMAIL, "Demo Owner", PASSWORD)
        org = workspaces.create_organisation(session, ORGANISATION)
        workspace = workspaces.create_workspace(session, org, WORKSPACE, owner, timezone=TIMEZONE,
                                                approval_steps=["approver"])
        ctx = WorkspaceContext(session, workspace, Actor(owner.id, EMAIL), Role.OWNER)
        for email, name, role in TEAM:
            user: User = user_by_email(session, email) or create_user(session, email, name, PASSWORD)
            workspaces.add_member(ctx, user, role)
        for name, handle, profile, audience in CHANNELS:
            channels.connect(ctx, "sandbox", name, handle=handle, profile=profile, audience_size=audience,
                             timezone=TIMEZONE)
        scheduling.set_slots(ctx, [(d, t) for d in range(5) for t in ("08:30", "13:00", "19:00")]
                             + [(d, "10:00") for d in (5, 6)])
        _inbox_setup(ctx)
        colours = [(111, 78, 55), (193, 154, 107), (59, 91, 219), (46, 125, 50)]
        for index, colour in enumerate(colours):
            media.upload(ctx, f"kavaco-{index + 1}.jpg", _image(f"Kava & Co. #{index + 1}", colour),
                         alt_text="A cup of coffee on the Kava & Co. counter")
        return workspace.id


def _inbox_setup(ctx: WorkspaceContext) -> None:
    """Saved replies in the audience's languages, and rules that keep spam and insults out of the way."""
    order = saved_replies.create(ctx, saved_replies.SavedReplyIn(name="Order problem", intent="complaint", texts={
        "": "Hi {first_name}, we are sorry! Please send us your order number in a direct message and we will "
            "sort it out today.",
        "hr": "Bok {first_name}, žao nam je! Pošaljite nam broj narudžbe u poruci i riješit ćemo to danas.",
        "sr": "Zdravo {first_name}, žao nam je! Pošaljite nam broj porudžbine u poruci i rešićemo to danas.",
        "de": "Hallo {first_name}, das tut uns leid! Schick uns deine Bestellnummer per DM, wir kümmern uns "
              "heute darum."}))
    saved_replies.create(ctx, saved_replies.SavedReplyIn(name="Prices and opening hours", intent="purchase_intent",
                                                         texts={
        "": "Hi {first_name}! Prices and opening hours are on kavaco.example — we are open every day 7–22 h.",
        "hr": "Bok {first_name}! Cijene i radno vrijeme su na kavaco.example — radimo svaki dan 7–22 h."}))
    saved_replies.create(ctx, saved_replies.SavedReplyIn(name="Thanks", intent="praise", texts={
        "": "Thank you, {first_name}! ☕", "hr": "Hvala, {first_name}! ☕", "de": "Danke, {first_name}! ☕",
        "es": "¡Gracias, {first_name}! ☕"}))
    inbox_rules.create(ctx, inbox_rules.RuleIn(
        name="Spam out of the way", conditions=inbox_rules.RuleConditions(spam_at_least=0.9,
                                                                          sentiments=["neutral", "positive"]),
        actions=inbox_rules.RuleActions(mark_spam=True, labels=["spam"])))
    inbox_rules.create(ctx, inbox_rules.RuleIn(
        name="Refund complaints to Ana, with a draft", conditions=inbox_rules.RuleConditions(
            intents=["complaint"], keywords=["refund", "povrat", "Erstattung", "reembolso", "povraćaj"]),
        actions=inbox_rules.RuleActions(labels=["refund"], assign_to=_member_id(ctx, TEAM[0][0]),
                                        draft_reply=order.id)))


def _member_id(ctx: WorkspaceContext, email: str) -> str:
    user = user_by_email(ctx.session, email)
    assert user is not None
    return user.id


def _plan(start: datetime, now: datetime) -> list[tuple[datetime, int]]:
    """Post times for the history, at varied hours so the audience's best hours can be learnt."""
    rng = random.Random(2026)
    tz = ZoneInfo(TIMEZONE)
    plan = []
    day = start.astimezone(tz).date() + timedelta(days=1)
    index = 0
    while datetime.combine(day, time(23, 0), tzinfo=tz) < now:
        for _ in range(rng.choice((1, 2, 2, 3))):
            local = datetime.combine(day, time(rng.randint(7, 22), rng.choice((0, 15, 30, 45))), tzinfo=tz)
            plan.append((local.astimezone(UTC), index))
            index += 1
        day += timedelta(days=1)
    return sorted(plan)


def _replay_history(db: Database, workspace_id: str, manual: ManualClock, now: datetime,
                    progress: Progress, events: list[tuple[datetime, Callable[[], None]]] | None = None) -> None:
    """Step from the manual clock's time to `now`; `events` run at their times, as people acted then."""
    runner = Runner(db, kind="demo")
    plan = _plan(manual.now(), now)
    events = sorted(events or [], key=lambda event: event[0])
    grid = [manual.now() + STEP * i for i in range(int((now - manual.now()) / STEP) + 1)]
    moments = sorted(set(grid) | {at for at, _ in plan} | {at for at, _ in events})
    pending = list(plan)
    rng = random.Random(7)
    for step, moment in enumerate(moments):
        if step % 8 == 0:
            day = (moment - moments[0]).days + 1
            progress(f"Replaying four weeks of history: day {day} of {HISTORY_DAYS}", step / len(moments))
        # Compose what is due in the next step, as an editor would, a little ahead of time.
        while pending and pending[0][0] <= moment + STEP:
            at, index = pending.pop(0)
            if at > manual.now():
                _compose_historic(db, workspace_id, at, index)
        manual.set(moment)
        while events and events[0][0] <= moment:
            events.pop(0)[1]()
        runner.run_pending()
        if rng.random() < 0.25:
            _answer_some(db, workspace_id, rng)
    manual.set(now)
    runner.run_pending()


def _set_goals(db: Database, workspace_id: str, manual: ManualClock, start: datetime, now: datetime) -> None:
    """Goals as the team would have set them a few days into the history, so the demo shows progress."""
    from socialdesk.goals import service as goals

    manual.set(start + timedelta(days=3))
    with db.unit_of_work() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        ctx = _people(session, workspace)["owner"]
        instagram = next(c for c in channels.list_channels(ctx) if c.settings.get("profile") == "instagram")
        due = (start + timedelta(days=120)).astimezone(ZoneInfo(TIMEZONE)).date()
        goals.create(ctx, goals.GoalIn(name="+600 Instagram followers in four months", metric="followers", target=600,
                                       due_on=due, channel_id=instagram.id, increase=True))
        goals.create(ctx, goals.GoalIn(name="Engagement rate by followers of 0.7 % or more a month",
                                       metric="engagement_rate_followers", target=0.7, due_on=due))
        goals.create(ctx, goals.GoalIn(name="80 posts a month across the channels", metric="posts_published",
                                       target=80, due_on=due))
    manual.set(now)


def _run_giveaway(db: Database, workspace_id: str, manual: ManualClock, start: datetime, now: datetime) -> None:
    """A finished giveaway with its verifiable draw: run on the most commented post of the history's first
    two weeks, committed to when that post went out, open two days, drawn the morning after."""
    from sqlalchemy import func, select

    from socialdesk.content.models import Publication
    from socialdesk.contests import service as contests
    from socialdesk.inbox.models import InboxItem

    with db.unit_of_work(read_only=True) as session:
        row = session.execute(
            select(Publication.id, Publication.published_at).join(InboxItem, InboxItem.publication_id == Publication.id)
            .where(Publication.workspace_id == workspace_id, Publication.published_at < start + timedelta(days=14))
            .group_by(Publication.id, Publication.published_at).order_by(func.count().desc(), Publication.id)
            .limit(1)).first()
    if row is None:
        return
    publication_id, published_at = row
    manual.set(published_at)
    with db.unit_of_work() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        ctx = _people(session, workspace)["owner"]
        contest = contests.create(ctx, name="Giveaway: a bag of Ethiopian beans", prize="1 kg of single-origin "
                                  "Ethiopian beans, roasted for you", opens_at=published_at,
                                  closes_at=published_at + timedelta(days=2), winners=2, reserves=1,
                                  publication_ids=[publication_id])
    manual.set(published_at + timedelta(days=2, hours=14))
    with db.unit_of_work() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        contests.make_draw(_people(session, workspace)["owner"], contest.id)
    manual.set(now)


def _quiz_begin(now: datetime) -> datetime:
    return (now - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)


def _run_quiz_thread_and_poll(db: Database, workspace_id: str, manual: ManualClock, now: datetime) -> None:
    """The quiz, thread and poll of `_start_quiz_thread_and_poll`, with the world stepped from their start to
    now so the audience answers and votes (the recording does the same inside its replay)."""
    begin = _quiz_begin(now)
    manual.set(begin)
    _start_quiz_thread_and_poll(db, workspace_id, begin, now)
    runner = Runner(db, kind="demo")
    moment = begin
    while moment < now:
        manual.set(moment)
        runner.run_pending()
        moment += timedelta(hours=3)
    manual.set(now)
    runner.run_pending()


def _start_quiz_thread_and_poll(db: Database, workspace_id: str, begin: datetime, now: datetime) -> None:
    """At `begin`, two days before now: a thread and a poll go out on the channels that have them, and a quiz
    starts — one question closed yesterday, one open now (choices listed, answered in comments), one native
    poll question tomorrow."""
    from socialdesk.content.schemas import PollIn
    from socialdesk.quizzes import service as quizzes

    with db.unit_of_work() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        people = _people(session, workspace)
        chans = channels.list_channels(people["owner"])
        threads = [c.id for c in chans if channels.capabilities(c).threads]
        polls = [c.id for c in chans if channels.capabilities(c).polls]
        if threads:
            content.compose(people["owner"], PostIn(
                text="How we roast our Ethiopian single origin, in four steps 🧵 #KavaCo", channel_ids=threads,
                thread=["1. Green beans rest a week after they arrive, so the moisture evens out.",
                        "2. A slow start: eight minutes to first crack, for the fruit to stay.",
                        "3. We stop 90 seconds after first crack — a light roast, made for filter.",
                        "4. Two days of rest before it reaches your cup. Taste it this week at the bar! ☕"],
                intent=Intent.PUBLISH_NOW))
        if polls:
            content.compose(people["owner"], PostIn(
                text="Which should be our winter special? ❄️☕", channel_ids=polls,
                poll=PollIn(options=["Gingerbread latte", "Orange mocha", "Spiced flat white"],
                            expires_in_seconds=3 * 24 * 3600), intent=Intent.PUBLISH_NOW))
        quiz_channels = [c.id for c in chans if not channels.capabilities(c).media.required]
        if quiz_channels:
            quizzes.create(people["owner"], name="Coffee quiz week", prize="A bag of our autumn blend",
                           channel_ids=quiz_channels, winners=1, reserves=1, pick="ranked", questions=[
                quizzes.QuestionIn("Coffee quiz, question 1: where was coffee first grown?", [],
                                   begin + timedelta(hours=2), begin + timedelta(hours=26),
                                   options=["Ethiopia", "Brazil", "Colombia"], correct_option=0, as_poll=False),
                quizzes.QuestionIn("Coffee quiz, question 2: which bean has more caffeine?", [],
                                   now - timedelta(hours=6), now + timedelta(hours=18),
                                   options=["Arabica", "Robusta"], correct_option=1, as_poll=False),
                quizzes.QuestionIn("Coffee quiz, question 3: how many grams of coffee in a double espresso?",
                                   [], now + timedelta(days=1), now + timedelta(days=1, hours=24),
                                   options=["9 g", "18 g", "30 g"], correct_option=1)])


def _compose_historic(db: Database, workspace_id: str, at: datetime, index: int) -> None:
    with db.unit_of_work() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        people = _people(session, workspace)
        chans = channels.list_channels(people["owner"])
        library = media.list_media(people["owner"])
        text = TEXTS[index % len(TEXTS)]
        targets = [c for i, c in enumerate(chans) if (index + i) % 3 != 0] or chans
        with_image = any(c.settings.get("profile") == "instagram" for c in targets) or index % 2 == 0
        data = PostIn(text=text, channel_ids=[c.id for c in targets],
                      media_ids=[library[index % len(library)].id] if with_image else [],
                      scheduled_at=at.astimezone(ZoneInfo(TIMEZONE)).replace(tzinfo=None), timezone=TIMEZONE,
                      intent=Intent.SUBMIT)
        x_like = [c for c in targets if c.settings.get("profile") == "x"]
        if x_like and len(text) > 200:
            data.variants[x_like[0].id] = VariantIn(text=text[:200].rsplit(" ", 1)[0] + " …")
        result = content.compose(people[Role.EDITOR.value], data)
        content.approve(people[Role.APPROVER.value], result.post.id, "Looks good")


def _answer_some(db: Database, workspace_id: str, rng: random.Random) -> None:
    with db.unit_of_work() as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        ctx = _people(session, workspace)[Role.EDITOR.value]
        items, _ = inbox.list_items(ctx, inbox.InboxFilter(unanswered=True), limit=5)
        for item in items:
            if "?" in item.text and rng.random() < 0.6:
                inbox_actions.reply(ctx, item.id, f"Hvala na pitanju, {item.author_name or item.author_handle}! "
                                          "Javit ćemo vam se u poruci. ☕")


def _top_up_upcoming(db: Database, workspace_id: str) -> None:
    """Keep a week of upcoming posts in the calendar, whenever the demo starts."""
    now = clock.now()
    with db.unit_of_work() as session:
        upcoming = session.scalar(select(func.count(func.distinct(Publication.post_id))).where(
            Publication.workspace_id == workspace_id, Publication.scheduled_at > now,
            Publication.status.in_([PublicationStatus.SCHEDULED, PublicationStatus.PENDING_APPROVAL]))) or 0
        if upcoming >= 4:
            return
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        people = _people(session, workspace)
        chans = channels.list_channels(people["owner"])
        library = media.list_media(people["owner"])
        tz = ZoneInfo(TIMEZONE)
        today = now.astimezone(tz).date()
        for index, (text, days, hour, minute) in enumerate(UPCOMING):
            local = datetime.combine(today + timedelta(days=days), time(hour, minute))
            data = PostIn(text=text, channel_ids=[c.id for c in chans], media_ids=[library[index % len(library)].id],
                          scheduled_at=local, timezone=TIMEZONE,
                          intent=Intent.DRAFT if index == 5 else Intent.SUBMIT)
            result = content.compose(people[Role.EDITOR.value], data)
            if index < 3:
                content.approve(people[Role.APPROVER.value], result.post.id, "Approved for this week")
        text_only = [c.id for c in chans if not channels.capabilities(c).media.required]
        weekly = PostIn(text="Tjedni pregled: što je novo u Kava & Co. ovaj tjedan? ☕ #KavaCo",
                        channel_ids=text_only,
                        scheduled_at=datetime.combine(today + timedelta(days=7 - today.weekday()), time(9, 0)),
                        timezone=TIMEZONE, recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=8", intent=Intent.SCHEDULE)
        content.compose(people["owner"], weekly)


CAMPAIGN = "Winter espresso launch"


def _ensure_campaign(db: Database, workspace_id: str) -> None:
    """A finished paid campaign (once): see `add_campaign`. Made here rather than in the recorded history so
    that an older recording still gets it; a sandbox that cannot be read leaves the demo without it."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from socialdesk.campaigns.models import Campaign

    with db.unit_of_work(read_only=True) as session:
        if session.scalar(select(func.count()).select_from(Campaign).where(Campaign.workspace_id == workspace_id)):
            return
    try:
        with db.unit_of_work() as session:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            ctx = _people(session, workspace)["owner"]
            instagram = next((c for c in channels.list_channels(ctx) if c.settings.get("profile") == "instagram"),
                             None)
            if instagram is not None:
                add_campaign(ctx, instagram, clock.now().astimezone(ZoneInfo(TIMEZONE)).date())
    except (SQLAlchemyError, LookupError) as exc:
        logging.getLogger("socialdesk.demo").warning("The demo campaign was not added: %s", exc)


def add_campaign(ctx: WorkspaceContext, instagram: Channel, today: date) -> str:
    """A campaign that ended two days ago: a boosted Instagram post and an A/B test of two creatives (a
    product photo against a latte-art video), run as sandbox ads on the Instagram audience for 14 days.
    The sandbox auction is deterministic, so the results are the same for the same days."""
    from socialdesk.campaigns import sandbox_ads
    from socialdesk.campaigns import service as campaigns
    from socialdesk.networks.sandbox.ads import Targeting

    session = ctx.session
    first, days = today - timedelta(days=16), 14
    boosted = session.execute(select(Publication.id, Post.id, Post.text).join(Post, Post.id == Publication.post_id)
                              .where(Publication.workspace_id == ctx.workspace_id,
                                     Publication.channel_id == instagram.id, Publication.published_at.is_not(None))
                              .order_by(Publication.published_at).limit(1)).first()
    campaign = campaigns.create(
        ctx, name=CAMPAIGN, goal="sales", starts_on=first, ends_on=first + timedelta(days=days - 1),
        budget=220.0, currency="EUR", platform_budgets={"sandbox": 220.0}, targets={"roas": 2.0, "cpc": 0.6},
        utm={"utm_source": "instagram", "utm_medium": "paid_social", "utm_campaign": "winter-espresso"},
        notes="Demo: a boosted post and an A/B test of two creatives, run in the sandbox ad auction.")
    zagreb = Targeting(age_min=20, age_max=55)
    common: dict[str, Any] = {"campaign_id": campaign.id, "channel_id": instagram.id, "starts_on": first,
                              "days": days, "bid_cpm": 9.0, "order_value": 35.0, "targeting": zagreb}
    if boosted is not None:
        campaigns.add_member(ctx, campaign.id, "post", boosted[1])
        sandbox_ads.create(ctx, name="Boosted post", text=boosted[2], daily_budget=6.0, creative_quality=0.6,
                           publication_id=boosted[0], media=("image",), **common)
    text = "Our winter espresso blend is here: chocolate, cherry and a long finish. Order beans online #coffee"
    sandbox_ads.create(ctx, name="A: product photo", text=text, daily_budget=5.0, creative_quality=0.35,
                       media=("image",), **common)
    sandbox_ads.create(ctx, name="B: latte-art video", text=text, daily_budget=5.0, creative_quality=0.8,
                       media=("video",), **common)
    return campaign.id
