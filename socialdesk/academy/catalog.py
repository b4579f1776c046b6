"""The exercises that ship with socialdesk (socialdesk/academy/exercises/*.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from socialdesk.academy.schema import Exercise, load
from socialdesk.core.errors import NotFound

FOLDER = Path(__file__).resolve().parent / "exercises"


@lru_cache(maxsize=1)
def shipped() -> tuple[Exercise, ...]:
    return tuple(sorted((load(path) for path in FOLDER.glob("*.yaml")), key=lambda ex: ex.slug))


def get(slug: str) -> Exercise:
    for exercise in shipped():
        if exercise.slug == slug:
            return exercise
    known = ", ".join(ex.slug for ex in shipped())
    raise NotFound(f"There is no exercise {slug!r}; the academy has {known}.")
