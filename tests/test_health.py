"""Nothing silent: the banner when no runner is alive, notifications, and `socialdesk doctor`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.jobs.health import liveness
from socialdesk.jobs.runner import Runner
from socialdesk.networks.sandbox import faults
from tests.helpers import make_world
from tests.web_client import signed_in_client


def test_liveness_follows_the_heartbeats(database: Database, clock: ManualClock,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with database.read_sessions() as session:
        assert liveness(session).problem() is not None
    Runner(database).beat()
    with database.read_sessions() as session:
        assert liveness(session).problem() is None
    clock.advance(timedelta(minutes=2))
    with database.read_sessions() as session:
        assert "No job runner" in (liveness(session).problem() or "")
    monkeypatch.setenv("SOCIALDESK_BROKER_URL", "redis://127.0.0.1:6379/15")
    reset_settings_cache()
    Runner(database, kind="worker").beat()
    with database.read_sessions() as session:
        assert "No scheduler" in (liveness(session).problem() or "")


def test_pages_say_when_nothing_will_publish(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(text="Soon", channel_ids=[world.channels["x"]],
                                                   scheduled_at=clock.now() + timedelta(minutes=30),
                                                   intent=Intent.SCHEDULE))
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}").text
    assert "No job runner is running" in page and "1 post(s) due within the hour" in page
    Runner(database).beat()
    assert "No job runner is running" not in client.get(f"/w/{world.workspace_id}").text


def test_a_failure_notifies_the_workspace_until_resolved(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    faults.inject("branda_x", ["revoked"])
    with database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(text="Now", channel_ids=[world.channels["x"]],
                                                   intent=Intent.PUBLISH_NOW))
    runner = Runner(database)
    runner.run_pending()
    runner.beat()
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}/posts").text
    assert "needs reconnecting" in page and "revoked" in page


def test_doctor_exits_non_zero_until_the_system_is_healthy(database: Database, clock: ManualClock) -> None:
    cli = CliRunner()
    sick = cli.invoke(app, ["doctor"])
    assert sick.exit_code == 1 and "No job runner" in sick.stdout
    Runner(database).beat()
    healthy = cli.invoke(app, ["doctor"])
    assert healthy.exit_code == 0, healthy.stdout
    assert "schema up to date" in healthy.stdout
    world = make_world(database, profiles=("x",))
    faults.inject("branda_x", ["revoked"])
    with database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(text="Now", channel_ids=[world.channels["x"]],
                                                   intent=Intent.PUBLISH_NOW))
    runner = Runner(database)
    runner.run_pending()
    runner.beat()
    result = cli.invoke(app, ["doctor"])
    assert result.exit_code == 1 and "1 channel needs reconnecting" in result.stdout
