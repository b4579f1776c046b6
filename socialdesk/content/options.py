"""A publication's network options (Capabilities.options), checked and made plain before they are saved.

Values come as typed in the composer or the CLI (strings) or as JSON from the API; each is turned into its
declared kind, and anything the channel does not offer, or offers differently, is a problem that says what
to write instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from socialdesk.content.validation import Problem
from socialdesk.networks.base import Capabilities, PublishOption

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def clean(values: Mapping[str, Any] | None, caps: Capabilities, where: str) -> tuple[dict[str, Any], list[Problem]]:
    """The values in their declared kinds (empty ones dropped), and what is wrong with the rest."""
    declared = {o.name: o for o in caps.options}
    result: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in (values or {}).items():
        option = declared.get(name)
        if option is None:
            offered = ", ".join(sorted(declared)) or "none"
            problems.append(Problem("unknown_option", "options", f"{where} has no option {name!r} (it offers: "
                                    f"{offered}).", {"option": name}))
            continue
        try:
            plain = _convert(option, value)
        except ValueError as exc:
            problems.append(Problem("bad_option", "options", f"{where}, {option.label}: {exc}", {"option": name}))
            continue
        if plain is not None:
            result[name] = plain
    return result, problems


def _convert(option: PublishOption, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip() and option.kind != "bool"):
        return None
    if option.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError(f"{value!r} is not yes or no (write true or false).")
    if option.kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a number.") from None
        return int(number) if number.is_integer() else number
    if option.kind == "datetime":
        try:
            when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time (write e.g. 2026-12-24T18:00:00+01:00).") from None
        if when.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone (add one, e.g. +01:00 or Z).")
        return when.isoformat()
    text = str(value)
    if option.kind == "select" and text not in option.choices:
        raise ValueError(f"{text!r} is not one of {', '.join(option.choices)}.")
    if option.max_length is not None and len(text) > option.max_length:
        raise ValueError(f"{len(text):,} characters, and it takes at most {option.max_length:,}.")
    return text
