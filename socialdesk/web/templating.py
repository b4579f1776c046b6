"""Jinja2 templates, with the filters the pages share."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def local_time(value: datetime | None, tz: str = "UTC", fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def thousands(value: int | float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}"


templates.env.filters["local_time"] = local_time
templates.env.filters["thousands"] = thousands
