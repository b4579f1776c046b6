"""The report's raw numbers as CSV (one table) and XLSX (every table, one sheet each)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from socialdesk.analytics.definitions import METRICS
from socialdesk.analytics.post_values import length_group
from socialdesk.core.timezones import zone
from socialdesk.networks.base import POST_METRICS
from socialdesk.reports.service import Report

RATES = ("engagements", "engagement_rate_reach", "engagement_rate_followers", "amplification", "virality",
         "applause", "conversation", "saves_rate", "ctr")
POST_COLUMNS = ("publication_id", "published_at_local", "channel", "network", "content_type", "length",
                "length_group", "hashtags", "measured", "followers_at_publishing", *POST_METRICS, *RATES)
TABLES = ("posts", "kpis", "followers", "engagement_by_day", "paid", "competitors")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def rows(report: Report, table: str = "posts") -> Iterator[list[Any]]:
    """A table of the report as rows, the header first. Missing numbers are None (empty in CSV), never 0."""
    board, tz = report.dashboard, zone(report.period.timezone)
    names = {c.id: c.name for c in board.channels}
    if table == "posts":
        yield list(POST_COLUMNS)
        for r in board.posts:
            values = r.values or {}
            inputs = r.inputs() if r.values is not None else {}
            yield [r.publication_id, r.published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                   names.get(r.channel_id, ""), r.network, r.content_type, r.length, length_group(r.length),
                   " ".join(f"#{t}" for t in r.hashtags), r.values is not None, r.followers,
                   *[values.get(m) for m in POST_METRICS],
                   *[_rounded(METRICS[k].compute(inputs)) if inputs else None for k in RATES]]
    elif table == "kpis":
        yield ["metric", "label", "unit", "value", "low", "high", "previous", "change", "change_low", "change_high",
               "n", "n_previous", "missing", "formula"]
        for k in board.kpis:
            c = k.change
            yield [k.key, k.label, k.unit, _rounded(k.value), _rounded(k.low), _rounded(k.high),
                   _rounded(k.previous), _rounded(c.value) if c else None, _rounded(c.low) if c else None,
                   _rounded(c.high) if c else None, k.n, k.n_previous, k.missing, k.formula]
    elif table == "followers":
        yield ["channel", "day", "followers"]
        for channel_id, points in board.followers.items():
            for day, n in points:
                yield [names.get(channel_id, ""), day.isoformat(), n]
    elif table == "engagement_by_day":
        yield ["day", "posts", "engagements", board.rank_by.key]
        for day, posts, engagements, rate in board.engagement:
            yield [day.isoformat(), posts, engagements, _rounded(rate)]
    elif table == "paid":
        from socialdesk.campaigns.report_section import table as paid_table

        for row in paid_table(report.paid):
            yield [_rounded(v) if isinstance(v, float) else v for v in row]
    elif table == "competitors":
        from socialdesk.competitors.export import COLUMNS
        from socialdesk.competitors.export import rows as competitor_rows

        if report.competitors is None:
            yield list(COLUMNS)
        else:
            yield from competitor_rows(report.competitors)
    else:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLES)}")


def to_csv(report: Report, table: str = "posts") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows(report, table):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in TABLES:
        sheet = book.create_sheet(table)
        for index, row in enumerate(rows(report, table)):
            sheet.append(row)
            if index == 0:
                for cell in sheet[1]:
                    cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
