"""Threads, native polls, first comments, content warnings and visibility: from the composer's input through
the publisher to the sandbox network, exactly once (content/features.py, publishing/steps.py)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import select

from socialdesk.analytics.models import PublicationMetricSnapshot
from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus, PublicationStep
from socialdesk.content.schemas import Intent, PollIn, PostIn, VariantIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.jobs.runner import Runner
from socialdesk.networks.base import OutcomeUnknown
from socialdesk.networks.sandbox.adapter import SandboxAdapter
from socialdesk.networks.sandbox.models import SandboxPost, SandboxPostExtra
from socialdesk.networks.sandbox.server import sandbox_database
from socialdesk.publishing import steps
from tests.helpers import World, make_world

PARTS = ["Second: the beans come from Yirgacheffe.", "Third: tasting on Saturday at 10."]


def _world(db: Database, *, keyless: bool = False) -> World:
    world = make_world(db, profiles=("instagram",), audience=800)
    with db.unit_of_work() as session:
        channel = channels.connect(world.ctx(session), "sandbox", "Masto", handle="masto", profile="mastodon",
                                   audience_size=800, keyless=keyless)
        world.channels["mastodon"] = channel.id
    return world


def _compose(db: Database, world: World, data: PostIn) -> str:
    with db.unit_of_work() as session:
        return content.compose(world.ctx(session), data).post.id


def _sandbox_posts() -> list[tuple[SandboxPost, dict]]:
    with sandbox_database().read_sessions() as session:
        extras = {(e.account_id, e.seq): e.data for e in session.scalars(select(SandboxPostExtra))}
        return [(p, extras.get((p.account_id, p.seq), {})) for p in
                session.scalars(select(SandboxPost).order_by(SandboxPost.account_id, SandboxPost.seq))]


def _steps(db: Database, publication_id: str) -> list[PublicationStep]:
    with db.read_sessions() as session:
        return list(session.scalars(select(PublicationStep).where(PublicationStep.publication_id == publication_id)
                                    .order_by(PublicationStep.kind.desc(), PublicationStep.position)))


def _publication(db: Database, post_id: str) -> Publication:
    with db.read_sessions() as session:
        return session.scalars(select(Publication).where(Publication.post_id == post_id)).one()


def _everything(world: World) -> PostIn:
    return PostIn(text="First: a new coffee is here. 🧵", channel_ids=[world.channels["mastodon"]],
                  thread=PARTS, poll=PollIn(options=["Espresso", "Filter"], expires_in_seconds=3600),
                  content_warning="Coffee talk", visibility="unlisted", intent=Intent.PUBLISH_NOW,
                  variants={world.channels["mastodon"]: VariantIn(options={"first_comment": "Tickets: link in bio"})})


@pytest.mark.parametrize("keyless", [False, True])
def test_thread_poll_cw_visibility_and_first_comment_go_out_once(database: Database, clock: ManualClock,
                                                                keyless: bool) -> None:
    world = _world(database, keyless=keyless)
    post_id = _compose(database, world, _everything(world))
    Runner(database).run_pending()
    publication = _publication(database, post_id)
    assert publication.status == PublicationStatus.PUBLISHED
    found = _steps(database, publication.id)
    assert [(s.kind, s.position, s.status) for s in found] == [
        ("thread_part", 2, "published"), ("thread_part", 3, "published"), ("first_comment", 0, "published")]
    assert all(s.external_id and s.external_url for s in found)

    posts = _sandbox_posts()
    assert len(posts) == 4, "the post, two thread parts and the first comment, each once"
    (first, first_extra), (second, second_extra), (third, _third_extra), (comment, comment_extra) = posts
    assert first_extra["poll"]["options"] == ["Espresso", "Filter"]
    assert first_extra["content_warning"] == "Coffee talk" and first_extra["visibility"] == "unlisted"
    assert (second.text, second.reply_to_seq) == (PARTS[0], first.seq)
    assert (third.text, third.reply_to_seq) == (PARTS[1], second.seq)
    assert second_extra["content_warning"] == "Coffee talk" and "poll" not in second_extra
    assert (comment.text, comment.reply_to_seq, comment_extra.get("comment")) == ("Tickets: link in bio",
                                                                                  first.seq, True)
    # Running the publisher again sends nothing more.
    steps.run(database, publication.id)
    Runner(database).run_pending()
    assert len(_sandbox_posts()) == 4

    # The API shows each step with its outcome, and the post's features.
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        out = content.to_out(ctx, [content.get_post(ctx, post_id)])[0]
    shown = out.publications[0]
    assert [s.status for s in shown.steps] == ["published"] * 3
    assert shown.features and shown.features["thread"] == PARTS and shown.features["visibility"] == "unlisted"


def test_poll_results_arrive_as_metrics(database: Database, clock: ManualClock) -> None:
    world = _world(database)
    post_id = _compose(database, world, PostIn(
        text="Which one?", channel_ids=[world.channels["mastodon"]], intent=Intent.PUBLISH_NOW,
        poll=PollIn(options=["Espresso", "Filter", "Cold brew"], expires_in_seconds=6 * 3600)))
    runner = Runner(database)
    runner.run_pending()
    for _ in range(12):
        clock.advance(timedelta(hours=1))
        runner.run_pending()
    publication = _publication(database, post_id)
    with database.read_sessions() as session:
        votes = [s.poll_votes for s in session.scalars(
            select(PublicationMetricSnapshot).where(PublicationMetricSnapshot.publication_id == publication.id)
            .order_by(PublicationMetricSnapshot.collected_at))]
    assert votes and all(v is not None and len(v) == 3 for v in votes)
    totals = [sum(v) for v in votes]
    assert totals == sorted(totals) and totals[-1] > 0
    assert votes[-1] == votes[-2], "the poll closed after 6 hours: its votes stop changing"


def test_a_lost_answer_on_a_thread_part_is_looked_up_not_sent_again(database: Database, clock: ManualClock) -> None:
    world = _world(database, keyless=True)
    real = SandboxAdapter.publish
    lost: list[str] = []

    def losing(self: SandboxAdapter, post):  # type: ignore[no-untyped-def]
        result = real(self, post)
        if post.idempotency_key.endswith(":thread_part:2") and not lost:
            lost.append(post.idempotency_key)
            raise OutcomeUnknown("Read timed out.")
        return result

    with mock.patch.object(SandboxAdapter, "publish", losing):
        post_id = _compose(database, world, PostIn(text="One", thread=["Two", "Three"], intent=Intent.PUBLISH_NOW,
                                                   channel_ids=[world.channels["mastodon"]]))
        Runner(database).run_pending()
    assert lost
    publication = _publication(database, post_id)
    assert [s.status for s in _steps(database, publication.id)] == ["published", "published"]
    assert [p.text for p, _ in _sandbox_posts()] == ["One", "Two", "Three"]


def test_a_step_interrupted_mid_call_is_looked_up_after_the_crash(database: Database, clock: ManualClock) -> None:
    """The worker died after sending part 2 and before recording it: the next run finds it, never resends."""
    world = _world(database, keyless=True)
    real = SandboxAdapter.publish

    def dying(self: SandboxAdapter, post):  # type: ignore[no-untyped-def]
        result = real(self, post)
        if post.idempotency_key.endswith(":thread_part:2"):
            raise SystemExit("worker killed")
        return result

    post_id = _compose(database, world, PostIn(text="One", thread=["Two"], intent=Intent.PUBLISH_NOW,
                                               channel_ids=[world.channels["mastodon"]]))
    with mock.patch.object(SandboxAdapter, "publish", dying), pytest.raises(SystemExit):
        Runner(database).run_pending()
    publication = _publication(database, post_id)
    assert _steps(database, publication.id)[0].attempt_started_at is not None
    clock.advance(timedelta(minutes=3))
    steps.run(database, publication.id)
    assert [s.status for s in _steps(database, publication.id)] == ["published"]
    assert [p.text for p, _ in _sandbox_posts()] == ["One", "Two"]


def test_a_failing_first_comment_has_its_own_outcome_and_the_post_stays_published(database: Database,
                                                                                  clock: ManualClock) -> None:
    world = _world(database)
    from socialdesk.networks.sandbox import faults

    post_id = _compose(database, world, PostIn(
        text="Hello", channel_ids=[world.channels["mastodon"]], intent=Intent.PUBLISH_NOW,
        variants={world.channels["mastodon"]: VariantIn(options={"first_comment": "x" * 600})}))
    Runner(database).run_pending()
    publication = _publication(database, post_id)
    assert publication.status == PublicationStatus.PUBLISHED
    (comment,) = _steps(database, publication.id)
    assert comment.status == "failed" and "too long" in (comment.last_error or "")
    assert faults.pending("masto") == []
    # Sent again from the API (after, say, the network's hiccup): a job takes it; here it fails the same way.
    from tests.web_client import signed_in_client

    client, _ = signed_in_client(database, world.users["owner"])
    answer = client.post(f"/api/v1/workspaces/{world.workspace_id}/publications/{publication.id}/steps/retry")
    assert answer.status_code == 200, answer.text
    assert answer.json()["steps"][0]["status"] == "pending"
    Runner(database).run_pending()
    (again,) = _steps(database, publication.id)
    assert again.status == "failed" and again.attempts == 1
    assert client.post(f"/api/v1/workspaces/{world.workspace_id}/publications/{publication.id}/steps/retry"
                       ).status_code == 200


def test_features_a_network_does_not_have_are_refused_with_the_reason(database: Database,
                                                                     clock: ManualClock) -> None:
    world = _world(database)
    data = PostIn(text="Hi", channel_ids=[world.channels["instagram"], world.channels["mastodon"]],
                  media_ids=[], thread=["two"], poll=PollIn(options=["a", "b"]), content_warning="cw",
                  visibility="private", intent=Intent.PUBLISH_NOW)
    with database.unit_of_work() as session, pytest.raises(ValidationFailed) as refused:
        content.compose(world.ctx(session), data)
    message = str(refused.value)
    for reason in ("has no threads", "has no native polls", "has no content warnings",
                   "does not let a post be limited"):
        assert reason in message
    # Turned off for the channel that lacks them, the rest goes out.
    data.variants = {world.channels["instagram"]: VariantIn(thread=[], no_poll=True, content_warning="",
                                                            visibility="")}
    with database.unit_of_work() as session:
        checks = content.check(world.ctx(session), data)
    problems = {c.channel_name: [p.code for p in c.problems] for c in checks}
    assert "threads_unsupported" not in problems["Brand A instagram"]
    assert problems["Masto"] == []


def test_each_thread_part_is_checked_against_the_network_limit(database: Database, clock: ManualClock) -> None:
    world = _world(database)
    data = PostIn(text="Hi", channel_ids=[world.channels["mastodon"]], thread=["ok", "y" * 501],
                  poll=PollIn(options=["only one"]))
    with database.unit_of_work() as session:
        (check,) = content.check(world.ctx(session), data)
    codes = [(p.code, p.field) for p in check.problems]
    assert ("text_too_long", "thread") in codes and ("poll_options", "poll") in codes
    assert any("thread part 3" in p.message for p in check.problems)


def test_a_draft_keeps_the_features_for_editing(database: Database, clock: ManualClock) -> None:
    world = _world(database)
    post_id = _compose(database, world, PostIn(
        text="Hi", channel_ids=[world.channels["mastodon"]], thread=["two"], content_warning="cw",
        poll=PollIn(options=["a", "b"]), variants={world.channels["mastodon"]: VariantIn(visibility="private")}))
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        again = content.to_input(ctx, content.get_post(ctx, post_id))
    assert again.thread == ["two"] and again.content_warning == "cw" and again.poll is not None
    assert again.variants[world.channels["mastodon"]].visibility == "private"


def test_a_thread_with_a_poll_and_a_first_comment_from_the_command_line(database: Database,
                                                                       clock: ManualClock) -> None:
    import json

    from typer.testing import CliRunner

    from socialdesk.cli import app

    cli = CliRunner()

    def ok(*args: str) -> str:
        result = cli.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    ok("user", "create", "--email", "mo@example.com", "--password", "long enough password")
    ok("workspace", "create", "--name", "Mo", "--owner", "mo@example.com")
    ok("channel", "add", "sandbox", "-w", "Mo", "--name", "Mo masto", "--handle", "mo.masto", "--profile", "mastodon")
    ok("channel", "add", "sandbox", "-w", "Mo", "--name", "Mo gram", "--handle", "mo.gram", "--profile", "instagram")
    refused = cli.invoke(app, ["post", "create", "-w", "Mo", "--channel", "Mo gram", "--text", "Hi", "--thread",
                               "two", "--now"])
    assert refused.exit_code != 0 and "has no threads" in str(refused.exception)
    post_id = ok("post", "create", "-w", "Mo", "--channel", "Mo masto", "--text", "Which coffee?", "--thread",
                 "More below", "--thread", "Last part", "--poll", "Espresso", "--poll", "Filter",
                 "--poll-minutes", "60", "--content-warning", "Coffee", "--visibility", "unlisted",
                 "--first-comment", "Vote before noon", "--now").strip()
    Runner(database).run_pending()
    shown = json.loads(ok("post", "show", post_id, "--json"))
    (publication,) = shown["publications"]
    assert publication["status"] == "published"
    assert [(s["kind"], s["status"]) for s in publication["steps"]] == [
        ("thread_part", "published"), ("thread_part", "published"), ("first_comment", "published")]
    assert publication["features"]["poll"]["options"] == ["Espresso", "Filter"]
    table = ok("post", "show", post_id)
    assert "thread part 3" in table and "first comment" in table
    assert len(_sandbox_posts()) == 4


def test_analytics_count_threads_and_polls_as_content_types() -> None:
    from socialdesk.analytics.post_values import content_type

    assert content_type([], {"thread": ["two"]}) == "thread"
    assert content_type(["image"], {"poll": {"options": ["a", "b"]}}) == "poll"
    assert content_type(["image"], {"thread": ["two"]}, {"thread": []}) == "image"  # a plain post on that channel
    assert content_type(["image", "image"]) == "carousel"
