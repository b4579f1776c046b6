"""Object ids: ULIDs as text, so they sort by creation time and cannot be guessed or enumerated."""

from ulid import ULID


def new_id() -> str:
    return str(ULID()).lower()
