"""Rules for what people type, shared by the API's schemas, the pages and the CLI: one rule per kind of input.

Each rule exists because the input broke something further down: dates near year 1 or 9999 overflow as
soon as a time zone or a month is added; NaN and infinity are not numbers a goal can reach; offsets past
64 bits overflow the database driver; PostgreSQL cannot store a NUL character in text.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from socialdesk.core.errors import ValidationFailed

FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)
DATE_RANGE = f"between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"
# Offsets and page numbers far beyond any real list, far below the 64-bit limit of the databases.
MAX_OFFSET = 1_000_000_000
MAX_PAGE = 10_000_000
_ALLOWED_CONTROLS = frozenset("\t\n\r")
M = TypeVar("M", bound=BaseModel)


class InputError(ValueError):
    """Pydantic reports a ValueError as a 422 for its field; the pages and the CLI get a ValidationFailed."""


def day_problem(value: date) -> str | None:
    if FIRST_DAY <= value <= LAST_DAY:
        return None
    return f"{value.isoformat()} is out of range: give a date {DATE_RANGE}."


def moment_problem(value: datetime) -> str | None:
    # The wall-clock date is what people typed; a day's margin keeps time zones from overflowing.
    return day_problem(value.date())


def text_problem(value: str) -> str | None:
    """Control characters (NUL included) and lone surrogates are no text anyone means to type."""
    for position, char in enumerate(value):
        category = unicodedata.category(char)
        if category == "Cc" and char not in _ALLOWED_CONTROLS:
            return (f"contains the control character U+{ord(char):04X} at position {position + 1}; "
                    "remove it (line breaks and tabs are fine).")
        if category == "Cs":
            return (f"contains a lone surrogate U+{ord(char):04X} at position {position + 1}, which is not "
                    "valid Unicode; remove it.")
    return None


def check_day(value: date, what: str = "date") -> date:
    if problem := day_problem(value):
        raise ValidationFailed(f"{what}: {problem}")
    return value


def check_moment(value: datetime, what: str = "time") -> datetime:
    if problem := moment_problem(value):
        raise ValidationFailed(f"{what}: {problem}")
    return value


def check_number(value: float, what: str = "number") -> float:
    if not math.isfinite(value):
        raise ValidationFailed(f"{what} must be a finite number, not {value}.")
    return value


def check_text(value: str, what: str = "text") -> str:
    if problem := text_problem(value):
        raise ValidationFailed(f"{what} {problem}")
    return value


def parse_day(value: str, what: str = "date") -> date:
    """A YYYY-MM-DD date typed into a form or a query string."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(f"{what}: {value!r} is not a date; use YYYY-MM-DD.") from None
    return check_day(day, what)


def problems(error: ValidationError) -> str:
    """A schema's complaints in one line: "where: what" for each."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in error.errors())


def valid(model: type[M], values: Mapping[str, Any]) -> M:
    """A schema built from typed values (a form, command-line options); a refusal is a ValidationFailed."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise ValidationFailed(problems(error)) from None


def _pydantic(problem_of: object) -> AfterValidator:
    def validate(value: object) -> object:
        if problem := problem_of(value):  # type: ignore[operator]
            raise InputError(problem)
        return value

    return AfterValidator(validate)


# Types for pydantic models and FastAPI parameters.
Day = Annotated[date, _pydantic(day_problem)]
Moment = Annotated[datetime, _pydantic(moment_problem)]
Text = Annotated[str, _pydantic(lambda v: f"This text {p}" if (p := text_problem(v)) else None)]
Number = Annotated[float, Field(allow_inf_nan=False)]
