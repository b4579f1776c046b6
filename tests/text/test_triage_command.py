"""`socialdesk triage`: JSON lines in, one answer per line out, in order; bad lines get an error line."""

from __future__ import annotations

import io
import json

from typer.testing import CliRunner

from socialdesk.cli import app
from socialdesk.text.triage_lines import run

LINES = [
    '{"id": 1, "text": "Koliko košta dostava?", "language_hint": "hr"}',
    "this is not json",
    '{"id": "b", "text": "Shut up, you moron"}',
    "",
    '{"id": 3}',
    '{"id": 4, "text": "¡Me encanta!", "language_hint": 5}',
    '["a list"]',
    '{"id": null, "text": "Thanks!"}',
]


def test_answers_in_input_order_with_error_lines() -> None:
    out = io.StringIO()
    seen: list[int] = []
    answered, refused = run(LINES, out, batch=2, progress=seen.append)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (answered, refused) == (3, 4) and sum(seen) == 7
    assert [r.get("id") for r in rows] == [1, None, "b", 3, 4, None, None]
    assert rows[0]["language"] == "hr" and rows[0]["intent"] == "purchase_intent"
    assert set(rows[0]) >= {"id", "language", "sentiment", "sentiment_score", "offensive", "offensive_score", "spam",
                            "spam_score", "intent"}
    assert rows[1]["error"].startswith("line 2 is not JSON")
    assert rows[2]["offensive"] is True
    assert rows[3]["error"] == 'line 5 has no "text" string'
    assert "language_hint" in rows[4]["error"] and rows[5]["error"] == "line 7 is not a JSON object"
    assert rows[6]["sentiment"] == "positive"


def test_the_command_reads_stdin_and_shows_progress_on_stderr() -> None:
    result = CliRunner().invoke(app, ["triage", "--progress", "--languages", "sr:0.9,en:0.1"],
                                input='{"id": "x", "text": "Gde mogu da kupim poklon vaučer?"}\nnot json\n')
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["id"] == "x" and lines[0]["language"] == "sr" and lines[0]["language_group"] == "hbs"
    assert "error" in lines[1]
    assert "1 line could not be read" in result.stderr
