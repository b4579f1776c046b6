"""The text cut into pieces for the composer: plain runs and underlined problems (no overlaps)."""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.studio.writing.problems import Problem


@dataclass(frozen=True)
class Piece:
    text: str
    problem: int | None = None  # index into the problem list, for an underlined piece


def pieces(text: str, problems: list[Problem]) -> list[Piece]:
    """Each problem underlined once; where two overlap, the one that starts first wins."""
    out: list[Piece] = []
    at = 0
    for index, problem in sorted(enumerate(problems), key=lambda ip: (ip[1].offset, -ip[1].length)):
        if problem.length == 0 or problem.offset < at:
            continue
        if problem.offset > at:
            out.append(Piece(text[at:problem.offset]))
        end = problem.offset + problem.length
        out.append(Piece(text[problem.offset:end], index))
        at = end
    if at < len(text):
        out.append(Piece(text[at:]))
    return out
