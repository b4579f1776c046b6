"""A report in the format asked for, as a file: name, bytes and content type."""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.core.errors import ValidationFailed
from socialdesk.reports import exports, render
from socialdesk.reports.models import ReportFormat
from socialdesk.reports.service import Report

CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ReportFile:
    filename: str
    data: bytes
    content_type: str


def report_format(value: str) -> ReportFormat:
    try:
        return ReportFormat(value.lower())
    except ValueError:
        raise ValidationFailed(f"Unknown report format {value!r}; choose pdf, html, xlsx or csv.") from None


def make(report: Report, fmt: ReportFormat | str, *, table: str = "posts") -> ReportFile:
    fmt = report_format(str(fmt))
    if fmt == ReportFormat.PDF:
        data = render.render_pdf(report)
    elif fmt == ReportFormat.HTML:
        data = render.render_html(report).encode("utf-8")
    elif fmt == ReportFormat.XLSX:
        data = exports.to_xlsx(report)
    else:
        if table not in exports.TABLES:
            raise ValidationFailed(f"Unknown table {table!r}; choose one of {', '.join(exports.TABLES)}.")
        data = exports.to_csv(report, table)
    suffix = f"-{table}" if fmt == ReportFormat.CSV and table != "posts" else ""
    return ReportFile(f"{report.filename_stem}{suffix}.{fmt.value}", data, CONTENT_TYPES[fmt])
