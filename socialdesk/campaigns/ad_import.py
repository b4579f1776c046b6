"""Reading an ad platform's report export (CSV or XLSX) into reporting rows, checking every row first.

`read` finds the header row (exports often start with lines naming the report), recognises the platform
by its column names (export_formats), detects the number format (1,234.56 or 1.234,56), the date format
(ISO, day.month.year, day/month/year or month/day/year, "Nov 2, 2026") and the currency (a Currency column,
a "(EUR)" in a header, or a symbol in the cells), and returns every row or every error with its line.
Nothing is saved here: service.import_export saves only a file without errors.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from socialdesk.campaigns.export_formats import FORMATS, ExportFormat, currency_in, fold, recognise
from socialdesk.core.errors import ValidationFailed

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SEARCH = 20  # lines looked at for the header row
_TOTAL_WORDS = ("total", "gesamt", "ukupno", "итого", "всего")
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "₽": "RUB", "zł": "PLN", "kn": "HRK", "Kč": "CZK", "CHF": "CHF"}
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"))}
_MONTHS.update({"mär": 3, "mai": 5, "okt": 10, "dez": 12, "sij": 1, "velj": 2, "ozu": 3, "tra": 4, "svi": 5,
                "lip": 6, "srp": 7, "kol": 8, "ruj": 9, "lis": 10, "stu": 11, "pro": 12})
NUMERIC = ("spend", "impressions", "reach", "clicks", "link_clicks", "conversions", "revenue", "video_views")
MONEY = ("spend", "revenue")


@dataclass
class Row:
    line: int
    ad_id: str
    ad: str
    ad_set: str
    campaign_id: str
    campaign: str
    starts_on: date
    ends_on: date
    currency: str
    values: dict[str, float | None]

    @property
    def key(self) -> str:
        """The ad's id on its platform, or its names where the export has no id column."""
        if self.ad_id:
            return self.ad_id
        if self.ad or self.ad_set:
            return f"name:{self.campaign}/{self.ad_set}/{self.ad}"
        return f"campaign:{self.campaign_id or self.campaign}"


@dataclass
class Parsed:
    fmt: ExportFormat
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    decimal: str = "."
    date_order: str = "iso"
    currencies: set[str] = field(default_factory=set)
    unmapped: list[str] = field(default_factory=list)  # columns that feed nothing (shown, not an error)

    @property
    def period(self) -> tuple[date, date] | None:
        if not self.rows:
            return None
        return min(r.starts_on for r in self.rows), max(r.ends_on for r in self.rows)

    def describe(self) -> str:
        period = self.period
        span = f"{period[0]} to {period[1]}" if period else "no rows"
        return (f"{self.fmt.label} export: {len(self.rows)} rows, {span}; numbers as "
                f"{'1,234.56' if self.decimal == '.' else '1.234,56'}; dates as {DATE_ORDER_TEXT[self.date_order]}; "
                f"currency {', '.join(sorted(self.currencies)) or 'not found'}")


DATE_ORDER_TEXT = {"iso": "YYYY-MM-DD", "dmy": "day/month/year", "mdy": "month/day/year", "text": "written months"}


# Reading the file -----------------------------------------------------------------------------------------


def table_of(data: bytes, filename: str) -> list[list[object]]:
    """The file's cells, row by row (CSV in any usual encoding and delimiter, or the first XLSX sheet)."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(f"{filename} is larger than {MAX_BYTES // 1024 // 1024} MB; export a shorter period.")
    if not data.strip():
        raise ValidationFailed(f"{filename} is empty.")
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _xlsx(data, filename)
    return _csv(data)


def _xlsx(data: bytes, filename: str) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed(f"{filename} is not a readable XLSX workbook ({type(exc).__name__}).") from None
    sheet = book.worksheets[0]
    rows = [list(r) for _, r in zip(range(MAX_ROWS + HEADER_SEARCH + 1), sheet.iter_rows(values_only=True),
                                      strict=False)]
    book.close()
    return rows


def _csv(data: bytes) -> list[list[object]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH + 5])
    delimiter = max(("\t", ";", ","), key=lambda d: sample.count(d))
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _header_at(table: list[list[object]], forced: ExportFormat | None) -> tuple[int, ExportFormat]:
    for index, row in enumerate(table[:HEADER_SEARCH]):
        if forced is not None:
            if sum(1 for h in row if forced.field_of(h)) >= 3:
                return index, forced
            continue
        fmt = recognise(row)
        if fmt is not None:
            return index, fmt
    known = ", ".join(f.label for f in FORMATS.values())
    raise ValidationFailed(f"No header row of a known ad report was found in the first {HEADER_SEARCH} lines. "
                           f"socialdesk reads exports of {known}; export with the default column names "
                           "(or choose the platform with --format).")


# Cells ---------------------------------------------------------------------------------------------------


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def detect_decimal(cells: list[str], fallback: str) -> str:
    """',' if the file writes 1.234,56; '.' for 1,234.56; from the cells that tell, else the fallback."""
    comma = dot = 0
    for raw in cells:
        s = re.sub(r"[^\d.,]", "", raw)
        if "," in s and "." in s:
            comma, dot = (comma + 1, dot) if s.rfind(",") > s.rfind(".") else (comma, dot + 1)
        elif "," in s:
            tail = s.rsplit(",", 1)[1]
            if len(tail) != 3 or (s.count(",") == 1 and s.startswith("0,")):
                comma += 1
        elif "." in s:
            tail = s.rsplit(".", 1)[1]
            if len(tail) != 3 or s.startswith("0."):
                dot += 1
    if comma and dot:
        raise ValidationFailed("The file mixes 1,234.56 and 1.234,56 number formats; say which with --decimal.")
    return "," if comma else "." if dot else fallback


def number(cell: object, decimal: str) -> float | None:
    """A cell as a number; None when empty or a dash (the platforms write '--' or '-' for no data)."""
    if isinstance(cell, bool):
        raise ValueError
    if isinstance(cell, int | float):
        return float(cell)
    s = _text(cell)
    if s in ("", "-", "--", "—", "–", "n/a", "N/A"):
        return None
    s = s.replace("\u00a0", "").replace(" ", "").replace("'", "")
    for symbol in _SYMBOLS:
        s = s.replace(symbol, "")
    s = re.sub(r"^[A-Z]{3}|[A-Z]{3}$", "", s).rstrip("%")
    thousands = "," if decimal == "." else "."
    s = s.replace(thousands, "").replace(decimal, ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        raise ValueError
    return float(s)


def symbol_currency(cells: list[str]) -> str | None:
    for raw in cells:
        for symbol, code in _SYMBOLS.items():
            if symbol in raw:
                return code
        found = re.search(r"\b([A-Z]{3})\b", raw)
        if found and found.group(1) not in ("N/A",):
            return found.group(1)
    return None


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})\.?$")
_TEXT_DATE = re.compile(r"^(?:\w+,\s*)?(?:(\d{1,2})\.?\s+([^\W\d]+)\.?|([^\W\d]+)\.?\s+(\d{1,2}),?)\s+(\d{4})$")


def detect_date_order(cells: list[str]) -> str:
    dmy = mdy = 0
    seen = False
    for raw in cells:
        found = _NUMERIC_DATE.match(raw)
        if not found:
            continue
        seen = True
        a, b = int(found.group(1)), int(found.group(2))
        if "." in raw:
            dmy += 1  # day.month.year: the German and Croatian way; nobody writes month.day.year
        elif a > 12:
            dmy += 1
        elif b > 12:
            mdy += 1
    if dmy and mdy:
        raise ValidationFailed("The dates mix day/month/year and month/day/year; say which with --date-order.")
    if dmy:
        return "dmy"
    if mdy:
        return "mdy"
    if seen:
        raise ValidationFailed("The dates could be day/month/year or month/day/year (no day above 12); "
                               "say which with --date-order dmy or --date-order mdy.")
    return "iso"


def parse_date(cell: object, order: str) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    s = _text(cell)
    if m := _ISO.match(s):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _NUMERIC_DATE.match(s):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return date(y, b, a) if order in ("dmy", "iso") else date(y, a, b)
    if m := _TEXT_DATE.match(s):
        day = m.group(1) or m.group(4)
        month = (m.group(2) or m.group(3)).casefold()[:4]
        number_of = _MONTHS.get(month) or _MONTHS.get(month[:3])
        if number_of:
            return date(int(m.group(5)), number_of, int(day))
    raise ValueError


def _split_range(cell: object) -> tuple[object, object]:
    """'2026-11-02 - 2026-11-08' (X's time period) into its ends; a single date into itself."""
    s = _text(cell)
    parts = re.split(r"\s+[-–]\s+|\s+to\s+|\s+bis\s+|\s+do\s+", s)
    if len(parts) == 2:
        return parts[0].split(" ")[0] if _ISO.match(parts[0]) else parts[0], \
            parts[1].split(" ")[0] if _ISO.match(parts[1]) else parts[1]
    return cell, cell


# The whole file --------------------------------------------------------------------------------------------


def read(data: bytes, filename: str, *, fmt: str | None = None, decimal: str | None = None,
         date_order: str | None = None, currency: str | None = None) -> Parsed:
    if fmt is not None and fmt not in FORMATS:
        raise ValidationFailed(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if decimal is not None and decimal not in (".", ","):
        raise ValidationFailed("--decimal is 'dot' (1,234.56) or 'comma' (1.234,56).")
    if date_order is not None and date_order not in ("dmy", "mdy", "iso"):
        raise ValidationFailed("--date-order is dmy, mdy or iso.")
    table = table_of(data, filename)
    at, export = _header_at(table, FORMATS[fmt] if fmt else None)
    headers = table[at]
    columns: dict[str, int] = {}
    header_currency = None
    parsed = Parsed(export)
    for index, header in enumerate(headers):
        name = export.field_of(header)
        if name is None:
            if _text(header):
                parsed.unmapped.append(_text(header))
            continue
        columns.setdefault(name, index)
        if name in MONEY:
            header_currency = header_currency or currency_in(header) or next(
                (code for symbol, code in _SYMBOLS.items() if len(symbol) == 1 and symbol in _text(header)), None)
    missing = [f for f in ("spend", "impressions") if f not in columns]
    if "day" not in columns and "starts_on" not in columns:
        missing.append("day (or reporting start)")
    if missing:
        raise ValidationFailed(f"This {export.label} export lacks the column(s): {', '.join(missing)}. Add them to "
                               "the report before exporting.")
    body = [(at + 2 + i, row) for i, row in enumerate(table[at + 1:])]
    body = [(line, row) for line, row in body if any(_text(c) for c in row) and not _is_total(row)]
    if len(body) > MAX_ROWS:
        raise ValidationFailed(f"The file has more than {MAX_ROWS:,} rows; export a shorter period.")

    def cells(name: str) -> list[str]:
        index = columns.get(name)
        return [] if index is None else [_text(r[index]) for _, r in body if index < len(r)]

    fallback = "," if any(fold(h) in _COMMA_LANGUAGE_HEADERS for h in headers) else "."
    parsed.decimal = decimal or detect_decimal([c for n in NUMERIC for c in cells(n)], fallback)
    date_cells = [p for c in cells("day") + cells("starts_on") + cells("ends_on") for p in map(str, _split_range(c))]
    parsed.date_order = date_order or detect_date_order(date_cells)
    file_currency = (currency or header_currency or symbol_currency(cells("spend") + cells("revenue")))
    for line, row in body:
        _read_row(parsed, columns, line, row, file_currency)
    _check_repeats(parsed)
    return parsed


# Headers in German or Croatian: numbers are written 1.234,56 unless the cells show otherwise.
_COMMA_LANGUAGE_HEADERS = {fold(h) for f in FORMATS.values() for names in f.columns.values() for h in names
                           if any(c in h for c in "äöüßčćšžđ") or h.startswith(("Ausgegeben", "Kosten", "Potro"))}


def _is_total(row: list[object]) -> bool:
    first = next((_text(c) for c in row if _text(c)), "")
    return first.casefold().startswith(_TOTAL_WORDS)


def _read_row(parsed: Parsed, columns: dict[str, int], line: int, row: list[object], file_currency: str | None
              ) -> None:
    def cell(name: str) -> object:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    errors: list[str] = []
    values: dict[str, float | None] = {}
    for name in NUMERIC:
        if name not in columns:
            values[name] = None
            continue
        try:
            value = number(cell(name), parsed.decimal)
        except ValueError:
            errors.append(f"line {line}: {name.replace('_', ' ')} {_text(cell(name))!r} is not a number")
            continue
        if value is None and name != "spend":
            value = 0.0  # the column is there and the cell is blank or "--": the platforms' way of writing none
        if value is not None and value < 0:
            errors.append(f"line {line}: {name.replace('_', ' ')} is negative ({_text(cell(name))})")
        values[name] = value
    if values.get("spend") is None and not errors:
        errors.append(f"line {line}: no spend (write 0 for an ad that spent nothing)")
    if values.get("impressions") is None and not errors:
        values["impressions"] = 0.0
    try:
        if "day" in columns:
            first, last = _split_range(cell("day"))
            starts, ends = parse_date(first, parsed.date_order), parse_date(last, parsed.date_order)
        else:
            starts = parse_date(cell("starts_on"), parsed.date_order)
            ends = parse_date(cell("ends_on"), parsed.date_order) if "ends_on" in columns else starts
        if ends < starts:
            errors.append(f"line {line}: the period ends ({ends}) before it starts ({starts})")
    except ValueError:
        which = "day" if "day" in columns else "starts_on"
        errors.append(f"line {line}: {_text(cell(which))!r} is not a date socialdesk can read")
        starts = ends = date.min
    currency = (_text(cell("currency")).upper() or file_currency or "")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors.append(f"line {line}: no currency (the file has no Currency column, no '(EUR)' in a header and no "
                      "symbol in the amounts); give it with --currency")
    campaign = _text(cell("campaign"))
    if not (campaign or _text(cell("campaign_id")) or _text(cell("ad_id")) or _text(cell("ad"))):
        errors.append(f"line {line}: no campaign or ad name or id")
    if errors:
        parsed.errors.extend(errors)
        return
    parsed.currencies.add(currency)
    parsed.rows.append(Row(line, _text(cell("ad_id")), _text(cell("ad"))[:300], _text(cell("ad_set"))[:300],
                           _text(cell("campaign_id")), campaign[:300], starts, ends, currency, values))


def _check_repeats(parsed: Parsed) -> None:
    seen: dict[tuple[str, date, date], int] = {}
    for row in parsed.rows:
        key = (row.key, row.starts_on, row.ends_on)
        if key in seen:
            parsed.errors.append(f"line {row.line}: repeats line {seen[key]} (the same ad and period)")
        else:
            seen[key] = row.line


def read_file(path: Path, **options: str | None) -> Parsed:
    if not path.is_file():
        raise ValidationFailed(f"{path} is not a file.")
    return read(path.read_bytes(), path.name, **options)  # type: ignore[arg-type]
