"""The password rule, applied wherever a password is chosen (user creation from the CLI or the demo,
sign-up, password change, accepting an invitation: all go through auth.service).

At least 12 characters, at least 5 different ones, and not one of the 30,000 most common passwords
(common_passwords.txt, from zxcvbn; see common_passwords.LICENSE), also not once the digits and symbols
people put around a common word are taken off ("Password2024!" is "password").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from socialdesk.core.errors import ValidationFailed

MIN_LENGTH = 12
MIN_DISTINCT = 5
_LIST = Path(__file__).with_name("common_passwords.txt")
_DECORATION = "0123456789!@#$%^&*()-_=+.,;:?/\\|'\"`~[]{}<> "


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(line for line in _LIST.read_text().splitlines() if line)


def problem(password: str) -> str | None:
    """Why `password` is refused, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters; this one has {len(password)}."
    if len(set(password)) < MIN_DISTINCT:
        return f"The password must use at least {MIN_DISTINCT} different characters."
    lowered = password.lower()
    core = lowered.strip(_DECORATION)
    common = common_passwords()
    if lowered in common or core in common or not core:
        return ("The password is one of the most common passwords (or one with digits or symbols added), "
                "which are guessed first. Choose another, e.g. several unrelated words.")
    return None


def check(password: str) -> None:
    found = problem(password)
    if found:
        raise ValidationFailed(found)
