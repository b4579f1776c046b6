"""`socialdesk workspace export` then `socialdesk workspace import` into a fresh instance (another database,
another secret key, another data directory) reproduces the workspace: every row, with new ids, the media
files, and — with a passphrase — the secrets; without one, no secret leaves in clear."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.channels.models import Channel
from socialdesk.cli import app
from socialdesk.comments import service as team_comments
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import get_settings, reset_settings_cache
from socialdesk.core.crypto import decrypt_json, encrypt_json, generate_key
from socialdesk.core.db import Database
from socialdesk.goals import service as goals
from socialdesk.integrations.models import OutgoingWebhook
from socialdesk.jobs.runner import Runner
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.notifications.models import ChatWebhook
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.transfer import export_workspace
from tests.helpers import fresh_database, image_bytes, make_world

cli = CliRunner()
ULID = re.compile(r"\b[0-9a-hjkmnp-tv-z]{26}\b")


def _ok(*args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def _rich_workspace(database: Database, clock: ManualClock) -> str:
    world = make_world(database, profiles=("x", "instagram"))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        asset = media.upload(ctx, "cover.jpg", image_bytes(3))
        published = content.compose(ctx, PostIn(text="Launch #coffee", channel_ids=list(world.channels.values()),
                                                media_ids=[asset.id], intent=Intent.PUBLISH_NOW)).post
        draft = content.compose(world.ctx(session, "editor"), PostIn(
            text="Next week", channel_ids=[world.channels["x"]])).post
        top = team_comments.add(world.ctx(session, "editor"), draft.id, "@approver is the price right?")
        team_comments.add(world.ctx(session, "approver"), draft.id, "Yes", parent_id=top.id)
        team_comments.resolve(ctx, top.id)
        team_comments.add(ctx, published.id, "Great result")
        goals.create(ctx, goals.GoalIn(name="Posts", metric="posts_published", target=20, due_on=date(2026, 6, 1)))
        session.add_all([
            ChatWebhook(workspace_id=world.workspace_id, name="Team", flavour="slack",
                        url_encrypted=encrypt_json({"url": "https://hooks.example.com/T/B/secret"}),
                        events=["mention"]),
            OutgoingWebhook(workspace_id=world.workspace_id, name="CRM", url="https://crm.example.com/hook",
                            secret_encrypted=encrypt_json({"secret": "whsec_kept"}), events=["post.published"])])
    runner = Runner(database)
    for _ in range(4):
        runner.run_pending()
        clock.advance(timedelta(hours=2))
    return world.workspace_id


def _snapshot(path: Path) -> dict[str, list[str]]:
    """Each table's rows, ids blanked (they are new after import) and encrypted values left out (sealed
    afresh each time), as sorted JSON: equal snapshots mean the same rows with the same contents."""
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("data.json"))
    out = {}
    for table, rows in data.items():
        out[table] = sorted(json.dumps({k: _blank(v) for k, v in row.items()
                                        if not (k.endswith("_encrypted") or (table == "workspaces" and k == "name"))},
                                       sort_keys=True) for row in rows)
    return out


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        return ULID.sub("#", value)
    if isinstance(value, list):
        return [_blank(v) for v in value]
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    return value


def test_export_and_import_into_a_fresh_instance_reproduce_the_workspace(
        database: Database, clock: ManualClock, tmp_path: Path, _template_db: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    workspace_id = _rich_workspace(database, clock)
    archive = tmp_path / "brand-a.zip"
    _ok("workspace", "export", workspace_id, "--out", str(archive), "--passphrase", "hand over to the client")
    before = tmp_path / "before.zip"
    with database.read_sessions() as session:
        counts = export_workspace(session, workspace_id, before)
    assert counts["post_comments"] == 3 and counts["publications"] == 3 and counts["media_assets"] == 1
    with zipfile.ZipFile(archive) as z:
        raw = z.read("data.json").decode()
        assert "whsec_kept" not in raw and "hooks.example.com" not in raw  # secrets sealed, never in clear
        assert json.loads(z.read("manifest.json"))["secrets"] == "sealed"
        picture = next(n for n in z.namelist() if n.startswith("media/") and "thumb" not in n)
        picture_bytes = z.read(picture)

    # Another socialdesk: its own database, secret key and data directory.
    other = tmp_path / "other"
    other.mkdir()
    fresh = fresh_database(_template_db, other)
    monkeypatch.setenv("SOCIALDESK_SECRET_KEY", generate_key())
    monkeypatch.setenv("SOCIALDESK_DATA_DIR", str(other / "data"))
    reset_settings_cache()
    out = _ok("workspace", "import", str(archive), "--name", "Brand A (handed over)",
              "--passphrase", "hand over to the client")
    new_id = re.search(r"\(([0-9a-z]{26})\)", out).group(1)  # type: ignore[union-attr]
    assert new_id != workspace_id
    after = tmp_path / "after.zip"
    with fresh.read_sessions() as session:
        assert session.get(Workspace, new_id).name == "Brand A (handed over)"  # type: ignore[union-attr]
        export_workspace(session, new_id, after)
        # Secrets work with the new server's key.
        hook = session.scalars(select(OutgoingWebhook)).one()
        assert decrypt_json(hook.secret_encrypted) == {"secret": "whsec_kept"} and hook.active
        chat = session.scalars(select(ChatWebhook)).one()
        assert decrypt_json(chat.url_encrypted)["url"].endswith("/secret")
        assert all(c.status == "active" for c in session.scalars(select(Channel)))
        asset_key = session.scalars(select(MediaAsset.storage_key)).one()
    assert asset_key.startswith(new_id)
    assert (get_settings().media_dir / asset_key).read_bytes() == picture_bytes
    assert _snapshot(before) == _snapshot(after)


def test_without_a_passphrase_no_secret_leaves_and_channels_need_reconnecting(
        database: Database, clock: ManualClock, tmp_path: Path) -> None:
    workspace_id = _rich_workspace(database, clock)
    archive = tmp_path / "plain.zip"
    _ok("workspace", "export", workspace_id, "--out", str(archive))
    with zipfile.ZipFile(archive) as z:
        assert '"$sealed"' not in z.read("data.json").decode()
    out = _ok("workspace", "import", str(archive), "--name", "Copy")
    new_id = re.search(r"\(([0-9a-z]{26})\)", out).group(1)  # type: ignore[union-attr]
    with database.read_sessions() as session:
        channels = list(session.scalars(select(Channel).where(Channel.workspace_id == new_id)))
        assert channels and all(c.status == "needs_reconnection" for c in channels)
        assert not session.scalars(select(OutgoingWebhook).where(OutgoingWebhook.workspace_id == new_id)).one().active
