"""`socialdesk triage`: JSON lines in, one JSON line of triage out per input line, in input order.

Input lines are `{"id": ..., "text": ..., "language_hint": optional}`. A line that cannot be read
(not JSON, no text, ...) gets an error line with its id (when it has one) and its line number, and
the rest go on. Lines are read and answered in batches, so any amount of input streams through.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

from socialdesk.text.triage import Triage, TriageInput, triage

BATCH = 64
FIELDS = ("language", "sentiment", "sentiment_score", "offensive", "offensive_score", "spam", "spam_score",
          "intent", "intent_score", "question", "language_group", "language_confidence")


def parse(line: str, number: int) -> tuple[Any, TriageInput | None, str | None]:
    """(id, input, error) for one line."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        return None, None, f"line {number} is not JSON: {exc.msg}"
    if not isinstance(data, dict):
        return None, None, f"line {number} is not a JSON object"
    ident = data.get("id")
    if not _is_unicode(ident):
        return None, None, f'line {number}: "id" holds a lone surrogate (such as \\ud800), which is not valid Unicode'
    text = data.get("text")
    if not isinstance(text, str):
        return ident, None, f'line {number} has no "text" string'
    hint = data.get("language_hint")
    if hint is not None and not isinstance(hint, str):
        return ident, None, f'line {number}: "language_hint" must be a string such as "hr"'
    for name, value in (("text", text), ("language_hint", hint)):
        if not _is_unicode(value):
            return ident, None, (f'line {number}: "{name}" holds a lone surrogate (such as \\ud800), which is not '
                                 "valid Unicode")
    return ident, TriageInput(text, hint or None), None


def _is_unicode(value: Any) -> bool:
    """False for a string holding a lone surrogate: JSON can escape one, but no text can be written with it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


def answer(ident: Any, found: Triage) -> dict[str, Any]:
    values = found.as_dict()
    return {"id": ident, **{name: values[name] for name in FIELDS}}


def run(lines: Iterable[str], out: TextIO, *, channel: Mapping[str, float] | None = None, batch: int = BATCH,
        progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Triage every line; returns (answered, refused)."""
    answered = refused = 0
    pending: list[tuple[Any, TriageInput | None, str | None]] = []

    def flush() -> None:
        nonlocal answered, refused
        inputs = [TriageInput(i.text, i.language_hint, channel) for _, i, _ in pending if i is not None]
        results = iter(triage(inputs))
        for ident, item, error in pending:
            if item is None:
                out.write(json.dumps({"id": ident, "error": error}, ensure_ascii=False) + "\n")
                refused += 1
            else:
                out.write(json.dumps(answer(ident, next(results)), ensure_ascii=False) + "\n")
                answered += 1
        out.flush()
        if progress is not None:
            progress(len(pending))
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        pending.append(parse(line, number))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return answered, refused
