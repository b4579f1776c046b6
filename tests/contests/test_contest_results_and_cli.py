"""A contest's results (entrants by day, reach and followers against the weeks before, with intervals), and
announcing and linking from the CLI."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.cli import app as cli
from socialdesk.contests import results
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import saved_replies
from socialdesk.inbox.models import Conversation
from tests.contests.test_announce_results_links import _drawn
from tests.contests.test_contests import _ctx, giveaway  # noqa: F401  (the fixture)


def test_results_count_entrants_by_day_and_say_when_data_is_short(
        database: Database, clock: ManualClock, giveaway: dict[str, str]) -> None:  # noqa: F811
    ctx = _ctx(database, giveaway["workspace"])
    clock.advance(timedelta(days=1))
    with database.unit_of_work() as session:
        found = results.results(ctx(session), giveaway["contest"])
    assert found.entrants == sum(d.new for d in found.entrants_by_day) == found.entrants_by_day[-1].total
    assert found.eligible == 2
    assert [c.what for c in found.comparisons] == ["Reach per post", "Followers gained per day"]
    reach = found.comparisons[0]
    # The giveaway's post went out just before the opening: no post while it ran, nothing to compare.
    assert reach.during.n == 0 and reach.verdict == "not enough data" and not reach.enough
    runner = CliRunner()
    shown = runner.invoke(cli, ["contest", "results", "-w", giveaway["workspace"], giveaway["contest"], "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["comparisons"][0]["verdict"] == "not enough data"


def test_a_clear_difference_has_an_interval_on_one_side_of_zero() -> None:
    higher = results._compare("Reach per post", [900.0, 950, 1000, 1100, 980, 1010], [400.0, 420, 380, 410, 390, 405])
    assert higher.verdict == "higher" and higher.difference.low is not None and higher.difference.low > 0
    unclear = results._compare("Reach per post", [400.0, 900, 100, 700, 300], [500.0, 200, 800, 350, 450])
    assert unclear.verdict == "no clear difference"
    few = results._compare("Followers gained per day", [5.0, 6], [1.0, 2, 3, 4, 5, 6])
    assert few.verdict == "not enough data" and few.difference.low is None


def test_the_cli_announces_and_links(database: Database, clock: ManualClock,
                                     giveaway: dict[str, str]) -> None:  # noqa: F811
    runner = CliRunner()
    w = giveaway["workspace"]
    early = runner.invoke(cli, ["contest", "announce", "-w", w, giveaway["contest"]])
    assert early.exit_code != 0 and "once the draw" in early.output + str(early.exception)
    linked = runner.invoke(cli, ["contest", "link", "-w", w, "--person", "Ana K.", "--account", "sandbox:u1",
                                 "--account", "sandbox:u2"])
    assert linked.exit_code == 0, linked.output
    listed = runner.invoke(cli, ["contest", "links", "-w", w])
    assert "Ana K." in listed.output and "sandbox:u2" in listed.output
    _drawn(database, clock, giveaway)
    with database.unit_of_work() as session:
        saved_replies.create(_ctx(database, w)(session), saved_replies.SavedReplyIn(
            name="Winner", texts={"en": "You won {prize}, {first_name}! Check: {verify}"}))
    missing = runner.invoke(cli, ["contest", "announce", "-w", w, giveaway["contest"], "--saved-reply", "Nope"])
    assert missing.exit_code != 0 and "No saved reply" in missing.output + str(missing.exception)
    done = runner.invoke(cli, ["contest", "announce", "-w", w, giveaway["contest"], "--saved-reply", "Winner"])
    assert done.exit_code == 0, done.output
    assert "Winners post" in done.output and "Drafted 1 winner message" in done.output
    with database.read_sessions() as session:
        draft = session.scalars(select(Conversation.draft_reply).where(Conversation.draft_reply.is_not(None))).one()
    assert draft.startswith("You won A year of coffee, ana! Check: /draws/")
