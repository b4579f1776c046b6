"""Defects found on the command line (issue 10, section 4): each one as a person at a terminal met it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from socialdesk.cli import app, main
from socialdesk.core.db import Database
from socialdesk.core.errors import DomainError
from socialdesk.core.slugs import slugify
from socialdesk.scheduling import service as scheduling
from socialdesk.workspaces.service import find_workspace, system_context

runner = CliRunner()
WIDE = {"COLUMNS": "250"}  # error boxes on one line, so the tests can read the messages whole


def _ok(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def _refused(*args: str) -> str:
    """The command fails with a message (a usage error, or a domain error that `main` prints in one line)."""
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exit_code != 0, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert isinstance(result.exception, DomainError), repr(result.exception)
        return result.exception.message
    return result.output


def _workspace(name: str = "Acme", *, approval: str | None = None) -> None:
    _ok("user", "create", "--email", "ana@example.com", "--password", "long enough password")
    _ok("workspace", "create", "--name", name, "--owner", "ana@example.com",
        *(["--approval", approval] if approval else []))
    _ok("channel", "add", "sandbox", "-w", name, "--name", "Acme on X", "--handle", "acme", "--profile", "x")


def _queue_slots(database: Database) -> None:
    with database.unit_of_work() as session:
        ctx = system_context(session, find_workspace(session, "Acme").id, "test")
        scheduling.set_slots(ctx, [(day, "09:00") for day in range(7)])


def _status(post_id: str) -> str:
    return json.loads(_ok("post", "show", post_id, "--json"))["status"]


# post create --queue ------------------------------------------------------------------------------


def test_queue_schedules_the_post_in_the_next_free_slot(database: Database) -> None:
    _workspace()
    _queue_slots(database)
    result = runner.invoke(app, ["post", "create", "-w", "Acme", "--channel", "acme", "--text", "Hello", "--queue"])
    assert result.exit_code == 0, result.output
    post_id = result.stdout.strip()
    assert _status(post_id) == "scheduled", "a queued post goes out; it is not a draft holding the slot"
    assert "Scheduled" in result.stderr and "next free slot" in result.stderr


def test_queue_asks_for_approval_where_the_workspace_needs_it(database: Database) -> None:
    _workspace(approval="approver")
    _queue_slots(database)
    result = runner.invoke(app, ["post", "create", "-w", "Acme", "--channel", "acme", "--text", "Hello", "--queue"])
    assert result.exit_code == 0, result.output
    assert _status(result.stdout.strip()) == "pending_approval"
    assert "approval" in result.stderr


# Conflicting and out-of-range options -------------------------------------------------------------


@pytest.mark.parametrize("options", [
    ["--now", "--at", "2030-01-01 09:00"],
    ["--now", "--queue"],
    ["--queue", "--at", "2030-01-01 09:00"],
    ["--now", "--schedule"],
    ["--submit", "--schedule"],
])
def test_conflicting_options_are_refused(database: Database, options: list[str]) -> None:
    _workspace()
    message = _refused("post", "create", "-w", "Acme", "--channel", "acme", "--text", "Hello", *options)
    assert "cannot go together" in message
    assert "0 of 0" in _ok("post", "list", "-w", "Acme"), "nothing was created, nothing was published"


def test_a_time_at_the_start_of_the_calendar_is_a_clear_error(database: Database, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _workspace()
    args = ["post", "create", "-w", "Acme", "--channel", "acme", "--text", "Hello", "--at", "0001-01-01 00:00",
            "--schedule"]
    assert "between 1970-01-01 and 2999-12-31" in _refused(*args)
    # Through the real entry point: one line on stderr and exit status 2, no traceback.
    monkeypatch.setattr(sys, "argv", ["socialdesk", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    printed = capsys.readouterr().err
    assert "Traceback" not in printed and "between 1970-01-01 and 2999-12-31" in printed


def test_an_unknown_status_lists_the_valid_ones(database: Database) -> None:
    _workspace()
    message = _refused("post", "list", "-w", "Acme", "--status", "bogus")
    assert "bogus" in message
    for status in ("draft", "pending_approval", "scheduled", "published", "failed", "cancelled"):
        assert status in message


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "reports"  # tmp_path also holds this test's database
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder


def test_a_report_for_a_period_that_has_not_started_is_refused(database: Database, in_tmp: Path) -> None:
    _workspace()
    next_year = date.today().year + 1
    assert "has not started" in _refused("report", "-w", "Acme", "--period", f"{next_year}-01", "-f", "csv")
    assert "between 1970-01-01 and 2999-12-31" in _refused("report", "-w", "Acme", "--period", "9999-12")
    assert list(in_tmp.iterdir()) == []


def test_the_report_file_name_is_a_clean_slug(database: Database, in_tmp: Path) -> None:
    _workspace("Kava & Co. (demo)")
    _ok("report", "-w", "Kava & Co. (demo)", "--period", "2026-01", "-f", "csv")
    assert [p.name for p in in_tmp.iterdir()] == ["socialdesk-kava-co-demo-2026-01.csv"]


@pytest.mark.parametrize(("name", "slug"), [
    ("Kava & Co. (demo)", "kava-co-demo"), ("Čokolada Šime", "cokolada-sime"), ("  --Ünïcode--  ", "unicode"),
    ("Кафа", "workspace"), ("", "workspace"),
])
def test_slugs(name: str, slug: str) -> None:
    assert slugify(name) == slug


# triage -------------------------------------------------------------------------------------------


def _triage(*args: str, lines: list[str]) -> tuple[list[dict[str, object]], str]:
    result = runner.invoke(app, ["triage", *args], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, (result.output, result.exception)
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_triage_reads_the_languages_in_the_format_its_help_shows() -> None:
    rows, _ = _triage("--languages", "de:0.8,en:0.2", lines=['{"id": 1, "text": "ok"}'])
    assert rows[0]["language"] == "de", "a text too short to tell follows the weighted audience"
    rows, _ = _triage("--languages", "en:0.8,de:0.2", lines=['{"id": 1, "text": "ok"}'])
    assert rows[0]["language"] == "en"


@pytest.mark.parametrize(("languages", "complaint"), [
    ("hr=0.7", "language code"), ("hr:lots", "not a number"), ("hr:0,en:0", "all zero"), ("hr:-1", "0 or more"),
    (",", "No languages"), ("hr:0.5,hr:0.5", "twice"), ("hr:nan", "0 or more"),
])
def test_triage_refuses_malformed_languages(languages: str, complaint: str) -> None:
    result = runner.invoke(app, ["triage", "--languages", languages], input='{"id": 1, "text": "ok"}\n', env=WIDE)
    assert result.exit_code == 2
    assert complaint in result.output and "--languages" in result.output
    assert '"id"' not in result.stdout, "refused before any line is triaged"


def test_an_empty_or_emoji_only_text_is_not_a_question() -> None:
    rows, _ = _triage("--languages", "hr:0.7,en:0.3",
                      lines=['{"id": "empty", "text": ""}', '{"id": "emoji", "text": "🙂🙂"}',
                             '{"id": "asks", "text": "Koliko košta dostava?"}'])
    empty, emoji, asks = rows
    assert empty["language"] == "und" and empty["question"] is False and empty["intent"] == "other"
    assert emoji["question"] is False and emoji["intent"] == "other"
    assert emoji["language"] == "hr" and emoji["language_group"] == "hbs", "follows the audience, read properly"
    assert asks["question"] is True


def test_a_lone_surrogate_gets_its_own_error_line() -> None:
    rows, stderr = _triage(lines=['{"id": 1, "text": "Thanks, love it!"}', '{"id": 2, "text": "\\ud800"}',
                                  '{"id": "\\udc00", "text": "hi"}', '{"id": 4, "text": "Where is my order?"}'])
    assert [r["id"] for r in rows] == [1, 2, None, 4]
    assert "sentiment" in rows[0] and "sentiment" in rows[3]
    assert "lone surrogate" in str(rows[1]["error"]) and "line 2" in str(rows[1]["error"])
    assert "line 3" in str(rows[2]["error"])
    assert "2 lines could not be read" in stderr


# Help ---------------------------------------------------------------------------------------------


def _commands(group: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in getattr(group, "commands", {}).items():
        yield from _commands(command, (*path, name))


def test_every_help_reads_like_a_person_wrote_it() -> None:
    paths = list(_commands(typer.main.get_command(app)))
    assert ("post", "schedule") in paths and ("triage",) in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (path, result.output)
        shown = result.output
        for python_ish in ("<bool>", "<str>", "<int>", "<list", "<Path>", "{post_id}", "{network}", "{POST_ID}"):
            assert python_ish not in shown, f"socialdesk {' '.join(path)} --help shows {python_ish}:\n{shown}"
    schedule = runner.invoke(app, ["post", "schedule", "--help"], env={"COLUMNS": "120"}).output
    assert "post schedule [OPTIONS] POST_ID" in schedule and "The post's id" in schedule


def test_a_control_character_in_the_text_is_a_clear_error(database: Database) -> None:
    _workspace()
    message = _refused("post", "create", "-w", "Acme", "--channel", "acme", "--text", "Hello\x00", "--schedule",
                       "--at", "2030-01-01 09:00")
    assert "text" in message and "control character U+0000" in message
