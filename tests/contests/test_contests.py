"""Contests through the service and the CLI: entrants from the inbox, exclusions, a draw, export and verify."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.channels.models import Channel
from socialdesk.cli import app as cli
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.contests import service as contests
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.inbox.models import InboxItem
from socialdesk.inbox.service import store_incoming
from socialdesk.jobs.runner import Runner
from socialdesk.networks.base import IncomingItem, IncomingKind
from tests.helpers import make_world


@pytest.fixture
def giveaway(database: Database, clock: ManualClock) -> dict[str, str]:
    """A published giveaway post and comments on it: good entries, a repeat, a late one, spam, the brand."""
    world = make_world(database, profiles=("mastodon",))
    with database.unit_of_work() as session:
        post = content.compose(world.ctx(session), PostIn(
            text="Giveaway! Comment #win and tag a friend", channel_ids=[world.channels["mastodon"]],
            intent=Intent.PUBLISH_NOW)).post
    Runner(database).run_pending()
    Runner(database).run_pending()
    start = clock.now()
    with database.unit_of_work() as session:
        publication = session.scalars(select(Publication).where(Publication.post_id == post.id)).one()
        channel = session.get(Channel, publication.channel_id)
        assert channel is not None and publication.external_id
        comments = [("c1", "u1", "ana", "#win @maja", 5), ("c2", "u2", "ivo", "#WIN @ana", 10),
                    ("c3", "u1", "ana", "#win again @maja", 20), ("c4", "u3", "late", "#win @x", 60 * 30),
                    ("c5", "u4", "noword", "I want it @ana", 15), ("c6", "u5", "notag", "#win", 16),
                    ("c7", channel.external_id, channel.handle, "#win @ana good luck", 17),
                    ("c8", "u6", "cheat", "#win @ana", 18), ("c9", "u7", "spammy", "#win @ana buy followers", 19)]
        store_incoming(session, channel, [IncomingItem(
            external_id=cid, kind=IncomingKind.COMMENT, text=text, created_at=start + timedelta(minutes=minutes),
            author_external_id=author, author_handle=handle, post_external_id=publication.external_id,
            url=f"https://example.test/{cid}") for cid, author, handle, text, minutes in comments])
        session.flush()
        for item in session.scalars(select(InboxItem).where(InboxItem.external_id == "c9")):
            item.spam_score = 0.97
        contest = contests.create(world.ctx(session), name="December giveaway", prize="A year of coffee",
                                  opens_at=start, closes_at=start + timedelta(days=1), winners=2, reserves=1,
                                  publication_ids=[publication.id],
                                  rules={"keyword": "#win", "mentions": 1, "blocklist": ["@cheat"]})
    return {"workspace": world.workspace_id, "contest": contest.id, "channel": world.channels["mastodon"],
            "own": f"sandbox:{channel.external_id}"}


def _ctx(database: Database, workspace_id: str):  # type: ignore[no-untyped-def]
    from socialdesk.workspaces.service import system_context

    return lambda session: system_context(session, workspace_id, "test")


def test_entrants_are_counted_once_and_every_exclusion_has_its_reason(database: Database, clock: ManualClock,
                                                                      giveaway: dict[str, str]) -> None:
    ctx = _ctx(database, giveaway["workspace"])
    with database.unit_of_work() as session:
        found = contests.view(ctx(session), giveaway["contest"])
    assert found.state == "open"
    assert [e.handle for e in found.eligible] == ["ana", "ivo"]
    ana = next(e for e in found.eligible if e.handle == "ana")
    assert ana.entries == 2 and ana.entry_url.endswith("/c1")
    reasons = {e.handle: e.reasons for e in found.excluded}
    assert reasons["noword"] == ["the comment lacks #win"]
    assert reasons["notag"] == ["mentions 0 of the 1 accounts asked for"]
    assert reasons["cheat"] == ["on the contest's blocklist"]
    assert reasons["late"] == ["commented after the contest closed"]
    assert reasons["spammy"] == ["spam or bot (score 0.97 ≥ 0.80)"]
    assert any("brand's own account" in r for r in next(e.reasons for e in found.excluded if e.id == giveaway["own"]))

    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="closes at"):
        contests.make_draw(ctx(session), giveaway["contest"])


def test_the_draw_is_made_once_exported_and_verified_and_tampering_fails(
        database: Database, clock: ManualClock, giveaway: dict[str, str], tmp_path: Path) -> None:
    ctx = _ctx(database, giveaway["workspace"])
    clock.advance(timedelta(days=1))
    with database.unit_of_work() as session:
        found = contests.view(ctx(session), giveaway["contest"])
        assert found.state == "closed"
        noword = next(e.id for e in found.excluded if e.handle == "noword")
        with pytest.raises(ValidationFailed, match="why"):
            contests.reinclude(ctx(session), giveaway["contest"], noword, " ")
        contests.reinclude(ctx(session), giveaway["contest"], noword, "Wrote the keyword in a reply")

    runner = CliRunner()
    listed = runner.invoke(cli, ["contest", "list", "-w", giveaway["workspace"], "--json"])
    assert json.loads(listed.output)[0]["state"] == "closed"
    drawn = runner.invoke(cli, ["contest", "draw", "-w", giveaway["workspace"], giveaway["contest"]])
    assert drawn.exit_code == 0, drawn.output
    with database.unit_of_work() as session, pytest.raises(Conflict, match="never made twice"):
        contests.make_draw(ctx(session), giveaway["contest"])

    out = tmp_path / "draw.json"
    assert runner.invoke(cli, ["contest", "export", "-w", giveaway["workspace"], giveaway["contest"],
                               "--out", str(out)]).exit_code == 0
    record = json.loads(out.read_text())
    assert len(record["winners"]) == 2 and len(record["reserves"]) == 1
    assert {e["handle"] for e in record["entrants"]} == {"ana", "ivo", "noword"}
    assert next(e for e in record["entrants"] if e["handle"] == "noword")["reincluded"]
    assert {e["handle"] for e in record["excluded"]} >= {"cheat", "spammy", "late", "notag"}
    verified = runner.invoke(cli, ["contest", "verify", str(out)])
    assert verified.exit_code == 0 and "OK" in verified.output

    for part, change in (("entrants", lambda r: r["entrants"][0].update(handle="someone")),
                         ("commitment", lambda r: r.update(seed="00" * 32)),
                         ("winners", lambda r: r.update(winners=list(reversed(r["winners"]))))):
        tampered = json.loads(out.read_text())
        change(tampered)
        path = tmp_path / f"{part}.json"
        path.write_text(json.dumps(tampered))
        result = runner.invoke(cli, ["contest", "verify", str(path)])
        assert result.exit_code == 1 and f"MISMATCH {part}" in result.output.replace("\n", " "), result.output


def test_a_contest_needs_published_posts_and_sensible_times(database: Database, clock: ManualClock,
                                                            giveaway: dict[str, str]) -> None:
    ctx = _ctx(database, giveaway["workspace"])
    with database.unit_of_work() as session:
        publication_id = session.scalars(select(Publication.id)).first()
        assert publication_id
        with pytest.raises(ValidationFailed, match="close after"):
            contests.create(ctx(session), name="x", opens_at=clock.now(), closes_at=clock.now(),
                            publication_ids=[publication_id])
        with pytest.raises(ValidationFailed, match="spam threshold"):
            contests.create(ctx(session), name="x", opens_at=clock.now(), closes_at=clock.now() + timedelta(1),
                            publication_ids=[publication_id], rules={"spam_threshold": 3})


def test_the_pages_create_a_giveaway_show_exclusions_and_make_the_draw(
        database: Database, clock: ManualClock, giveaway: dict[str, str]) -> None:
    from tests.web_client import signed_in_client

    client, csrf = signed_in_client(database, "owner@branda.test")
    w = f"/w/{giveaway['workspace']}"
    page = client.get(f"{w}/contests")
    assert page.status_code == 200 and "December giveaway" in page.text and "Start a giveaway" in page.text
    with database.unit_of_work() as session:
        publication_id = session.scalars(select(Publication.id)).one()
    made = client.post(f"{w}/contests", data={
        "csrf_token": csrf, "name": "Page giveaway", "prize": "Mugs", "publication_ids": publication_id,
        "opens_at": "2026-03-02T09:00", "closes_at": "2026-03-03T09:00", "winners": "1", "keyword": "#win",
        "mentions": "1", "spam_threshold": "0.8", "blocklist": "@cheat"})
    assert made.status_code == 303 and "/contests/" in made.headers["location"]
    detail = client.get(made.headers["location"])
    assert detail.status_code == 200
    assert "the comment lacks #win" in detail.text and "on the contest&#39;s blocklist" in detail.text
    bad = client.post(f"{w}/contests", data={"csrf_token": csrf, "name": "x", "publication_ids": publication_id,
                                            "opens_at": "soon", "closes_at": "later"})
    assert bad.status_code == 303 and "/contests" in bad.headers["location"]
    clock.advance(timedelta(days=2))
    drawn = client.post(made.headers["location"] + "/draw", data={"csrf_token": csrf})
    assert drawn.status_code == 303
    final = client.get(made.headers["location"])
    assert "Winners" in final.text and "Download the draw record" in final.text
    record = client.get(made.headers["location"] + "/draw.json").json()
    from socialdesk.contests import draw

    assert draw.verify(record) == []
