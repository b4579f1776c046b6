"""Importing posts from a CSV file: every row checked, every problem reported (row, column, what to fix)
before anything is saved; then all rows are saved, or none.

Columns (a header row first; only `text` and `channels` are required, the order is free):

    text           the post's text
    channels       channel names (or @handles), separated by ";"
    time           YYYY-MM-DD HH:MM in the workspace's time zone; empty: no time (a draft)
    intent         draft | schedule | submit | queue; empty: schedule when there is a time, else draft
    media          library file names or http(s) addresses, separated by ";" (addresses are fetched
                   through the outbound policy)
    tags           blog tags, separated by ";" (blog channels)
    first_comment  the first comment, on channels that post one
    title          the blog post's title (blog channels)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn, VariantIn
from socialdesk.core.config import get_settings
from socialdesk.core.errors import DomainError, ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.media import service as media
from socialdesk.media.models import MediaAsset
from socialdesk.networks.web_fetch import FetchFailed, fetch
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission

COLUMNS = ("text", "channels", "time", "intent", "media", "tags", "first_comment", "title")
REQUIRED = ("text", "channels")
MAX_ROWS = 1000
MAX_FILE_BYTES = 5 * 1024 * 1024
INTENTS = {"draft": Intent.DRAFT, "schedule": Intent.SCHEDULE, "submit": Intent.SUBMIT, "queue": Intent.SCHEDULE}
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str  # "" for the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "") if self.row else "the file"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    rows: int
    problems: list[Problem] = field(default_factory=list)
    post_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    number: int
    data: PostIn | None = None
    media_urls: list[str] = field(default_factory=list)
    fetched: dict[str, bytes] = field(default_factory=dict)
    fetched_names: dict[str, str] = field(default_factory=dict)
    library: list[str] = field(default_factory=list)  # media ids, in order with the URLs (see `order`)
    order: list[tuple[str, str]] = field(default_factory=list)  # ("id", media id) | ("url", address)


def template() -> str:
    """A file to start from: the header and two example rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(["New beans from Ethiopia are in! Come taste them on Saturday. #coffee", "My channel",
                     "2030-05-04 09:30", "schedule", "", "", "Tasting starts at 10.", ""])
    writer.writerow(["A draft to finish later: https://example.com/menu", "My channel; Other channel", "", "draft",
                     "", "", "", ""])
    return out.getvalue()


def read_text(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(f"The file is {len(data) / 1e6:.1f} MB; at most {MAX_FILE_BYTES // 1024 // 1024} MB.")
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("The file is neither UTF-8 nor Windows-1250 text; save it as CSV UTF-8.")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _channel_lookup(ctx: WorkspaceContext) -> Callable[[str], list[Channel]]:
    every = channels.list_channels(ctx)

    def find(name: str) -> list[Channel]:
        key = name.strip().lstrip("@").casefold()
        return [c for c in every
                if key in (c.name.casefold(), (c.handle or "").casefold().lstrip("@"), c.id.casefold())]
    return find


def _media_lookup(ctx: WorkspaceContext) -> dict[str, list[MediaAsset]]:
    library: dict[str, list[MediaAsset]] = {}
    for asset in media.list_media(ctx, limit=10_000):
        library.setdefault(asset.filename.casefold(), []).append(asset)
    return library


def _parse_time(value: str, tz_name: str) -> tuple[datetime | None, str | None]:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt), None
        except ValueError:
            continue
    return None, f"{value!r} is not a time; write YYYY-MM-DD HH:MM (in {tz_name})."


def _parse_row(ctx: WorkspaceContext, number: int, values: dict[str, str],
               find_channels: Callable[[str], list[Channel]],
               library: dict[str, list[MediaAsset]], problems: list[Problem]) -> _Row:
    row = _Row(number)
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    text = values.get("text", "")
    if not text.strip() and not values.get("media", "").strip():
        problem("text", "empty: write the post's text (or give it media).")
    targets: list[Channel] = []
    names = _split(values.get("channels", ""))
    if not names:
        problem("channels", "no channel: name at least one (separate several with ';').")
    for name in names:
        found = find_channels(name)
        if not found:
            problem("channels", f"no channel called {name!r} in this workspace; use a name from the Channels page.")
        elif len(found) > 1:
            problem("channels", f"{name!r} names {len(found)} channels; use its @handle instead.")
        elif found[0] not in targets:
            targets.append(found[0])
    intent_name = values.get("intent", "").strip().lower()
    when_text = values.get("time", "").strip()
    if intent_name and intent_name not in INTENTS:
        problem("intent", f"{intent_name!r} is not one of: {', '.join(INTENTS)}.")
    intent_name = intent_name or ("schedule" if when_text else "draft")
    when = None
    if when_text:
        when, error = _parse_time(when_text, ctx.workspace.timezone)
        if error:
            problem("time", error)
    elif intent_name == "schedule":
        problem("time", "a scheduled post needs a time (YYYY-MM-DD HH:MM), or write 'queue' or 'draft' as the intent.")
    for item in _split(values.get("media", "")):
        if item.lower().startswith(("http://", "https://")):
            row.order.append(("url", item))
            row.media_urls.append(item)
        elif item.lower().startswith(("ftp:", "file:", "data:")) or "://" in item:
            problem("media", f"{item!r}: only http(s) addresses or file names from the media library.")
        else:
            found_assets = library.get(item.casefold(), [])
            if not found_assets:
                problem("media", f"no file called {item!r} in the media library; upload it first or give its address.")
            else:
                row.order.append(("id", found_assets[0].id))
    tags = _split(values.get("tags", ""))
    title = values.get("title", "").strip()
    comment = values.get("first_comment", "").strip()
    blogs = [c for c in targets if channels.capabilities(c).blog]
    if (tags or title) and targets and not blogs:
        problem("tags" if tags else "title", "tags and titles are for blog channels; this row has none.")
    commenting = [c for c in targets if any(o.name == "first_comment" for o in channels.capabilities(c).options)]
    if comment and targets and not commenting:
        problem("first_comment", "none of this row's channels posts a first comment; remove it or add such a channel.")
    if len(problems) > before:
        return row
    variants: dict[str, VariantIn] = {}
    for channel in targets:
        variant: dict[str, object] = {}
        if channel in blogs and (tags or title):
            variant |= {"tags": tags or None, "title": title or None}
        if channel in commenting and comment:
            variant["options"] = {"first_comment": comment}
        if variant:
            variants[channel.id] = VariantIn(**variant)  # type: ignore[arg-type]
    try:
        row.data = PostIn(text=text, channel_ids=[c.id for c in targets], variants=variants,
                          scheduled_at=when, timezone=ctx.workspace.timezone, use_queue=intent_name == "queue",
                          intent=INTENTS[intent_name])
    except ValueError as error:
        problem("text", str(error).splitlines()[0])
    return row


def _column_of(message: str) -> str:
    lowered = message.lower()
    for column, words in (("time", ("past", "time", "date", "queue slot", "schedule")),
                          ("media", ("image", "video", "media", "gif", "picture", "file")),
                          ("channels", ("channel",))):
        if any(w in lowered for w in words):
            return column
    return "text"


def import_posts(ctx: WorkspaceContext, data: bytes, *, dry_run: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Check every row, then save them all (or, with problems or `dry_run`, nothing)."""
    ctx.require(Permission.POSTS_WRITE)
    text = read_text(data)
    if "\x00" in text:
        raise ValidationFailed("The file contains NUL characters: it is not a CSV text file (save it as CSV UTF-8).")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _import_rows(ctx, reader, dry_run=dry_run, progress=progress)
    except csv.Error as error:
        raise ValidationFailed(f"The file cannot be read as CSV (line {reader.line_num}: {error}).") from None


def _import_rows(ctx: WorkspaceContext, reader: csv.DictReader[str], *, dry_run: bool,
                 progress: Callable[[int, int], None] | None) -> ImportResult:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    result = ImportResult(rows=0)
    if not header:
        result.problems.append(Problem(0, "", "the file is empty; start from the template."))
        return result
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown:
        result.problems.append(Problem(1, "", f"unknown column(s) {', '.join(unknown)}; the columns are "
                                              f"{', '.join(COLUMNS)}."))
    if missing:
        result.problems.append(Problem(1, "", f"missing column(s) {', '.join(missing)}."))
    if result.problems:
        return result
    reader.fieldnames = header
    zone(ctx.workspace.timezone)
    find_channels, library = _channel_lookup(ctx), _media_lookup(ctx)
    existing_media = {a.id for assets in library.values() for a in assets}
    rows: list[_Row] = []
    for number, record in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            result.problems.append(Problem(number, "", f"at most {MAX_ROWS} rows in one file; split it."))
            break
        if None in record:
            result.problems.append(Problem(number, "", "more cells than columns (a ',' inside a cell needs the "
                                                       "cell in double quotes)."))
        values = {k: (v or "") for k, v in record.items() if isinstance(k, str)}
        if not any(v.strip() for v in values.values()):
            continue  # blank line
        rows.append(_parse_row(ctx, number, values, find_channels, library, result.problems))
    result.rows = len(rows)
    if not rows and not result.problems:
        result.problems.append(Problem(0, "", "no rows under the header."))
    limit = get_settings().max_upload_mb * 1024 * 1024
    for row in rows:  # addresses are fetched before anything is saved, so a dead link is a problem like any other
        for url in row.media_urls:
            try:
                found = fetch(url, max_bytes=limit, accept="image/*,video/*")
                row.fetched[url], row.fetched_names[url] = found.content, found.filename
            except FetchFailed as error:
                result.problems.append(Problem(row.number, "media", error.message))
                row.data = None  # the row's other checks ran already; it cannot be saved without its media
    created_files: list[MediaAsset] = []
    session = ctx.session
    outer = session.begin_nested()  # every row's changes, kept only when every row is fine
    try:
        for index, row in enumerate(rows, start=1):
            if progress:
                progress(index, len(rows))
            if row.data is None:
                continue
            try:
                with session.begin_nested():
                    ids = []
                    for kind, value in row.order:
                        if kind == "id":
                            ids.append(value)
                        else:
                            asset = media.upload(ctx, row.fetched_names[value], row.fetched[value])
                            if asset.id not in existing_media:  # not a file the library had already
                                created_files.append(asset)
                            ids.append(asset.id)
                    saved = content.compose(ctx, row.data.model_copy(update={"media_ids": ids}))
                    result.post_ids.append(saved.post.id)
            except DomainError as error:
                result.problems.append(Problem(row.number, _column_of(error.message), error.message))
        if result.problems or dry_run:
            outer.rollback()
            _remove_files(created_files)
            result.post_ids = [] if result.problems else result.post_ids
        else:
            outer.commit()
    except BaseException:
        if outer.is_active:
            outer.rollback()
        _remove_files(created_files)
        raise
    result.problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else -1))
    return result


def _remove_files(assets: list[MediaAsset]) -> None:
    """Files written for media of an import that was rolled back (their rows are gone with it)."""
    for asset in assets:
        for key in (asset.storage_key, asset.thumbnail_key):
            if key:
                (get_settings().media_dir / key).unlink(missing_ok=True)
