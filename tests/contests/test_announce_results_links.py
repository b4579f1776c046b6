"""Contest follow-ups: linked accounts count once (and the draw still verifies), the winners post and the
winners' messages are drafted for people to approve and send, and the public record."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.audit.models import AuditEntry
from socialdesk.cli import app as cli
from socialdesk.content.models import Post, Publication
from socialdesk.contests import announce, draw
from socialdesk.contests import service as contests
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox import saved_replies
from socialdesk.inbox.models import Conversation, InboxItem
from tests.contests.test_contests import _ctx, giveaway  # noqa: F401  (the fixture)
from tests.web_client import web_app


def test_linked_accounts_are_one_entrant_audited_and_the_draw_still_verifies(
        database: Database, clock: ManualClock, giveaway: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    ctx = _ctx(database, giveaway["workspace"])
    with database.unit_of_work() as session:
        before = contests.view(ctx(session), giveaway["contest"])
        assert [e.handle for e in before.eligible] == ["ana", "ivo"]
        ana = next(e for e in before.eligible if e.handle == "ana")
        ivo = next(e for e in before.eligible if e.handle == "ivo")
        with pytest.raises(ValidationFailed, match="Name the person"):
            contests.link_accounts(ctx(session), " ", ana.accounts)
        with pytest.raises(ValidationFailed, match="network:account-id"):
            contests.link_accounts(ctx(session), "Ana K.", ["not an account"])
        contests.link_accounts(ctx(session), "Ana K.", [*ana.accounts, *ivo.accounts])
        with pytest.raises(ValidationFailed, match="already linked to Ana K"):
            contests.link_accounts(ctx(session), "Someone else", ivo.accounts)
    with database.unit_of_work() as session:
        after = contests.view(ctx(session), giveaway["contest"])
        assert len(after.eligible) == 1
        person = after.eligible[0]
        assert person.person == "Ana K." and person.entries == 3 and sorted(person.accounts) == sorted(
            [*ana.accounts, *ivo.accounts])
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "identity.linked")).one()
    clock.advance(timedelta(days=1))
    runner = CliRunner()
    drawn = runner.invoke(cli, ["contest", "draw", "-w", giveaway["workspace"], giveaway["contest"]])
    assert drawn.exit_code == 0, drawn.output
    out = tmp_path / "draw.json"
    assert runner.invoke(cli, ["contest", "export", "-w", giveaway["workspace"], giveaway["contest"],
                               "--out", str(out)]).exit_code == 0
    record = json.loads(out.read_text())
    assert record["entrants"][0]["person"] == "Ana K." and len(record["entrants"][0]["accounts"]) == 2
    assert draw.verify(record) == []
    # Unlinking later changes nothing in a drawn contest: its entrants were frozen at the draw.
    with database.unit_of_work() as session:
        for link in contests.identity_links(ctx(session)):
            contests.unlink_account(ctx(session), link.id)
    with database.unit_of_work() as session:
        assert len(contests.view(ctx(session), giveaway["contest"]).eligible) == 1


def _drawn(database: Database, clock: ManualClock, giveaway: dict[str, str]) -> None:  # noqa: F811
    clock.advance(timedelta(days=1))
    with database.unit_of_work() as session:
        contests.make_draw(_ctx(database, giveaway["workspace"])(session), giveaway["contest"])


def test_the_winners_post_is_drafted_from_the_template_and_sent_for_approval(
        database: Database, clock: ManualClock, giveaway: dict[str, str]) -> None:  # noqa: F811
    ctx = _ctx(database, giveaway["workspace"])
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="once the draw"):
        announce.draft_winners_post(ctx(session), giveaway["contest"])
    _drawn(database, clock, giveaway)
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="No winners template"):
        announce.draft_winners_post(ctx(session), giveaway["contest"], language="xx")
    with database.unit_of_work() as session:
        c = ctx(session)
        c.workspace.approval_steps = ["approver"]
        out = announce.draft_winners_post(c, giveaway["contest"], language="hr")
        contest = contests.contest_exists(c, giveaway["contest"])
        post = session.get(Post, out.post_id)
        assert post is not None
        handles = {e["id"]: e["handle"] for e in contest.entrants or []}
        assert "Dobitnici" in post.text and contest.commitment in post.text
        assert f"/draws/{contest.id}.json" in post.text
        assert all(f"@{handles[w]}" in post.text for w in contest.winners or [])
        statuses = set(session.scalars(select(Publication.status).where(Publication.post_id == post.id)))
        assert statuses == {"pending_approval"}
        assert any("approval" in n for n in out.notes)


def test_each_winner_gets_a_draft_reply_in_their_language(
        database: Database, clock: ManualClock, giveaway: dict[str, str]) -> None:  # noqa: F811
    ctx = _ctx(database, giveaway["workspace"])
    _drawn(database, clock, giveaway)
    with database.unit_of_work() as session:
        for item in session.scalars(select(InboxItem).where(InboxItem.author_handle == "ivo")):
            item.language = "hr"
        saved = saved_replies.create(ctx(session), saved_replies.SavedReplyIn(
            name="Winner", texts={"en": "Congratulations {first_name}, you won {prize}!",
                                  "hr": "Čestitamo {handle}, osvojili ste: {prize}!"}))
        with pytest.raises(ValidationFailed, match="'reply' or a 'dm'"):
            announce.draft_winner_messages(ctx(session), giveaway["contest"], saved.id, mode="pigeon")
        out = announce.draft_winner_messages(ctx(session), giveaway["contest"], saved.id, mode="dm")
        assert len(out.drafted) == 2 and not out.skipped
        assert sum("never written to the channel privately" in n for n in out.notes) == 2
        drafts = {c.author_handle: c.draft_reply for c in session.scalars(
            select(Conversation).where(Conversation.id.in_(out.drafted)))}
        assert drafts["ivo"] == "Čestitamo @ivo, osvojili ste: A year of coffee!"
        assert drafts["ana"] == "Congratulations ana, you won A year of coffee!"
    # Nothing was sent: the replies wait in the inbox for a person.
    with database.unit_of_work() as session:
        assert session.scalar(select(InboxItem.id).where(InboxItem.replied_at.is_not(None))) is None


def test_the_public_record_verifies_and_hides_exclusion_reasons(
        database: Database, clock: ManualClock, giveaway: dict[str, str]) -> None:  # noqa: F811
    from fastapi.testclient import TestClient


    client = TestClient(web_app())
    assert client.get(f"/draws/{giveaway['contest']}.json").status_code == 404  # not drawn yet
    assert client.get("/draws/nothing.json").status_code == 404
    _drawn(database, clock, giveaway)
    record = client.get(f"/draws/{giveaway['contest']}.json").json()
    assert draw.verify(record) == []
    assert isinstance(record["excluded"], int) and record["excluded"] >= 4
    assert all("reasons" not in e for e in record["entrants"])
