"""The command line, as a script would use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from tests.helpers import image_bytes

runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_from_a_new_user_to_a_published_post(database: Database, tmp_path: Path) -> None:
    _ok("user", "create", "--email", "ana@example.com", "--name", "Ana", "--password", "long enough password")
    _ok("workspace", "create", "--name", "Acme", "--owner", "ana@example.com", "--timezone", "Europe/Zagreb")
    _ok("channel", "add", "sandbox", "--workspace", "Acme", "--name", "Acme on X", "--handle", "acme",
        "--profile", "x")
    _ok("channel", "add", "sandbox", "-w", "Acme", "--name", "Acme IG", "--handle", "acme.ig",
        "--profile", "instagram")
    assert "Acme IG" in _ok("channel", "list", "-w", "Acme")
    picture = tmp_path / "launch.jpg"
    picture.write_bytes(image_bytes(9))
    post_id = _ok("post", "create", "-w", "Acme", "--channel", "Acme on X", "--channel", "acme.ig",
                  "--text", "Launch day #coffee", "--image", str(picture), "--now").strip()
    Runner(database).run_pending()
    shown = json.loads(_ok("post", "show", post_id, "--json"))
    assert shown["status"] == "published"
    assert {p["channel_name"]: p["status"] for p in shown["publications"]} == {
        "Acme on X": "published", "Acme IG": "published"}
    assert all(p["external_id"] and p["external_url"] for p in shown["publications"])
    assert post_id in _ok("post", "list", "-w", "Acme")


def test_errors_are_one_clear_line_and_a_non_zero_exit(database: Database) -> None:
    result = runner.invoke(app, ["post", "list", "-w", "Nope"])
    assert result.exit_code != 0
    assert "No workspace named" in str(result.exception) or "No workspace named" in result.output


@pytest.mark.parametrize("bad_time", ["tomorrow 9am", "2026-13-01 09:00"])
def test_bad_times_are_explained(database: Database, bad_time: str) -> None:
    _ok("user", "create", "--email", "bo@example.com", "--password", "long enough password")
    _ok("workspace", "create", "--name", "Bo", "--owner", "bo@example.com")
    _ok("channel", "add", "sandbox", "-w", "Bo", "--handle", "bo", "--profile", "x")
    result = runner.invoke(app, ["post", "create", "-w", "Bo", "--channel", "bo", "--text", "x", "--at", bad_time,
                                 "--schedule"])
    assert result.exit_code != 0
    assert "YYYY-MM-DD HH:MM" in str(result.exception)


def test_a_blog_post_and_a_social_post_from_the_command_line(database: Database,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.networks import registry
    from tests.content import fake_blog

    monkeypatch.setitem(registry.NETWORKS, "fakeblog", fake_blog.SPEC)
    fake_blog.BLOG.posts.clear()
    _ok("user", "create", "--email", "cy@example.com", "--password", "long enough password")
    _ok("workspace", "create", "--name", "Cy", "--owner", "cy@example.com")
    _ok("channel", "add", "sandbox", "-w", "Cy", "--handle", "cy", "--profile", "mastodon")
    _ok("channel", "add", "fakeblog", "-w", "Cy", "--name", "Cy blog", "--field", "site=cy-blog")
    untitled = runner.invoke(app, ["post", "create", "-w", "Cy", "--channel", "cy", "--channel", "Cy blog",
                                   "--text", "Our story", "--now"])
    assert untitled.exit_code != 0 and "needs a title" in str(untitled.exception)
    post_id = _ok("post", "create", "-w", "Cy", "--channel", "cy", "--channel", "Cy blog", "--text", "Our story",
                  "--title", "The story", "--tag", "news", "--now").strip()
    Runner(database).run_pending()
    shown = json.loads(_ok("post", "show", post_id, "--json"))
    assert {p["status"] for p in shown["publications"]} == {"published"}
    assert fake_blog.BLOG.posts["post-1"].title == "The story"
