"""English grammar with Harper (offline; its Rust engine ships in the harper-py wheel).

Harper's spelling and repeated-word lints are left out: hunspell and rules.py report those, once.
The linter takes about 2 s to build, so it is built once per process and shared under a lock
(a Harper `Linter` is not thread-safe).
"""

from __future__ import annotations

import threading
from typing import Any

from socialdesk.studio.writing.problems import Problem

SKIPPED_KINDS = frozenset({"Spelling", "Repetition"})
_lock = threading.Lock()
_linter: Any = None


def _get() -> Any:
    global _linter
    if _linter is None:
        import harper

        _linter = harper.Linter(dialect=harper.Dialect.AMERICAN)
    return _linter


def check(text: str, protected: list[tuple[int, int]]) -> list[Problem]:
    with _lock:
        lints = _get().lint(text)
    problems = []
    for lint in lints:
        start, end = lint.span.start, lint.span.end
        if lint.lint_kind in SKIPPED_KINDS or any(s < end and start < e for s, e in protected):
            continue
        suggestions = tuple(dict.fromkeys(s.replacement_text.strip() for s in lint.suggestions
                                          if s.replacement_text and s.replacement_text.strip()))[:5]
        problems.append(Problem(start, end - start, "grammar", lint.message.replace("`", "“", 1).replace("`", "”", 1),
                                suggestions, rule=str(lint.lint_kind)))
    return problems
