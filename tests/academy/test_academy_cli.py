"""`socialdesk academy …` from the command line: list, check, start --as, step, finish."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database

runner = CliRunner()


def _said(result: object) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(str(getattr(result, "output", "")).split())


def test_list_shows_the_shipped_exercises() -> None:
    result = runner.invoke(app, ["academy", "list"])
    assert result.exit_code == 0, result.output
    for slug in ("best-hour", "grow-followers", "answer-negative", "troll-attack", "content-mix", "fair-giveaway"):
        assert slug in _said(result)


def test_check_accepts_a_good_file_and_names_bad_fields(tmp_path: Path) -> None:
    good = Path(__file__).resolve().parents[2] / "socialdesk" / "academy" / "exercises" / "troll-attack.yaml"
    result = runner.invoke(app, ["academy", "check", str(good)])
    assert result.exit_code == 0 and "valid troll-attack exercise" in _said(result)
    bad = tmp_path / "mine.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("troll_share: 0.006", "troll_share: 2")
                   .replace("days: 5", "days: 3"), encoding="utf-8")
    result = runner.invoke(app, ["academy", "check", str(bad)])
    assert result.exit_code == 1
    assert "audience.troll_share" in _said(result) and "less than or equal to 0.2" in _said(result)
    missing = runner.invoke(app, ["academy", "check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "cannot be read" in _said(missing)


def test_start_step_and_finish(database: Database, clock: ManualClock) -> None:
    started = runner.invoke(app, ["academy", "start", "answer-negative", "--as", "learner@example.com"])
    assert started.exit_code == 0, started.output
    assert "password" in _said(started)
    stepped = runner.invoke(app, ["academy", "step", "--days", "1"])
    assert stepped.exit_code == 0, stepped.output
    assert "Simulated time is now" in _said(stepped)
    finished = runner.invoke(app, ["academy", "finish"])
    assert finished.exit_code == 0, finished.output
    assert "response_time" in _said(finished) and "The audience:" in _said(finished)
    again = runner.invoke(app, ["academy", "step"])
    assert again.exit_code != 0 and "No exercise is under way" in str(again.exception)
    unknown = runner.invoke(app, ["academy", "start", "juggling", "--as", "learner@example.com"])
    assert unknown.exit_code != 0 and "There is no exercise 'juggling'" in str(unknown.exception)
