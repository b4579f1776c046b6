"""CPU time and SQL statements per request of the long lists, in this process (issue 19).

`bench/web.py` measures the lists under open-loop load from a separate process; on a shared, busy machine its
wall-clock figures say more about the neighbours than about the code. This bench asks each page through the web
app in this process (FastAPI's TestClient) and reports what one request costs: this process's CPU time (p50/p95)
and the SQL statements it sent (counted with an SQLAlchemy `before_cursor_execute` listener in one more, untimed
view), beside the wall clock; on PostgreSQL (on this host) also the CPU time of the backends serving the request,
from /proc. Pages:

- `inbox_first`: the inbox's conversation list pane (`/w/{id}/inbox/list`), first page, 100,000 conversations;
- `inbox_next`: its second page, through the link the first page shows;
- `inbox_deep`: a page 50,000 conversations in (by `page=1001`, or by the cursor of the conversation before it
  where the list pages by cursor);
- `calendar_month`: the calendar month with `--posts` posts (1–3 channels each: ~2 publications a post).

The data is written in bulk (the pages' reading is measured, not the writing). Run it on the old code with
`PYTHONPATH=<old checkout>` to compare in the same session.

    python bench/lists.py [--quick] [--inbox-items 100000] [--posts 2000] [--repeat 10] [--database-url URL]

The last line is `lists: inbox_first_cpu_p50_ms=X ... calendar_month_statements=N ...`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PageFigures, bench_environment, busy_workspace, print_page, print_summary, view_page
from web import analyse, seed_inbox  # bench/web.py: the same inbox data


def prepare(month: date, posts: int) -> dict[str, Any]:
    """A workspace (Europe/Zagreb) with three sandbox channels, an owner signed in, `posts` scheduled posts in
    `month` written in bulk (1–3 channels each)."""
    from sqlalchemy import insert

    from socialdesk.auth.models import User
    from socialdesk.auth.service import start_session
    from socialdesk.content.models import Post, Publication, PublicationStatus
    from socialdesk.core.db import get_database
    from socialdesk.core.ids import new_id

    db = get_database()
    with db.unit_of_work() as session:
        busy = busy_workspace(session, "lists@example.com", "Lists")
        user = session.get(User, busy.user_id)
        assert user is not None
        cookie = start_session(session, user).cookie_value
    workspace_id, channels = busy.workspace_id, busy.channel_ids
    minutes = 30 * 24 * 60
    start = datetime.combine(month, dtime(0), tzinfo=UTC)
    rows_posts, rows_pubs = [], []
    for i in range(posts):
        at = start + timedelta(minutes=(i * 7919) % minutes)
        post_id = new_id()
        rows_posts.append({"id": post_id, "workspace_id": workspace_id, "author_id": busy.user_id,
                           "text": f"Post number {i} about #coffee and #bench, see https://example.com/{i}",
                           "scheduled_at": at, "timezone": "Europe/Zagreb", "created_at": at, "updated_at": at})
        for channel in channels[: 1 + i % 3]:
            rows_pubs.append({"id": new_id(), "workspace_id": workspace_id, "post_id": post_id,
                              "channel_id": channel, "scheduled_at": at, "status": PublicationStatus.SCHEDULED,
                              "created_at": at, "updated_at": at})
    with db.unit_of_work() as session:
        if rows_posts:
            session.execute(insert(Post), rows_posts)
            session.execute(insert(Publication), rows_pubs)
    return {"workspace_id": workspace_id, "cookie": cookie, "channels": channels, "publications": len(rows_pubs)}


def backend_cpu_ms(pids: set[int]) -> float:
    """CPU time (user + system) of these PostgreSQL backends so far, from /proc (the server runs on this host)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total * 1000


def deep_path(w: str, client: Any, at: int) -> str:
    """The list page that starts `at` conversations in: by cursor where the code pages by cursor, else by page."""
    try:
        from socialdesk.inbox.conversations import ConversationCursor  # the keyset-paged list
    except ImportError:
        return f"{w}/inbox/list?page={at // 50 + 1}"
    from socialdesk.core.db import get_database
    from socialdesk.inbox.conversations import ConversationFilter, list_conversations
    from socialdesk.workspaces.context import Actor
    from socialdesk.workspaces.service import context_for

    with get_database().unit_of_work() as session:
        user_id = client.user_id
        ctx = context_for(session, Actor(user_id, "lists@example.com"), client.workspace_id)
        before, total = list_conversations(ctx, ConversationFilter(), limit=1, offset=at - 1)
        cursor = ConversationCursor.after(before[0], ConversationFilter(), total, at // 50)
    return f"{w}/inbox/list?after={cursor.encode()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 conversations, 5 views of each page")
    parser.add_argument("--inbox-items", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--pages", default="inbox_first,inbox_next,inbox_deep,calendar_month")
    parser.add_argument("--database-url", default=None, help="an empty database; default: SQLite in a temporary "
                        "directory")
    args = parser.parse_args()
    items, repeat = args.inbox_items, args.repeat
    if args.quick:
        items, repeat = min(items, 20_000), min(repeat, 5)
    folder = Path(tempfile.mkdtemp(prefix="socialdesk-lists-"))
    bench_environment(folder, args.database_url)
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    import socialdesk
    from socialdesk.core import clock
    from socialdesk.core.clock import ManualClock
    from socialdesk.core.db import get_database
    from socialdesk.core.schema import create_schema

    backends: set[int] = set()  # the PostgreSQL backends serving this process's connections

    def connected(dbapi_connection: Any, record: object) -> None:
        pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
        if pid:
            backends.add(int(pid))

    event.listen(Pool, "connect", connected)
    print(f"code: {Path(socialdesk.__file__).parent}")
    month = date(2027, 3, 1)
    create_schema(get_database().url)
    clock.set_clock(ManualClock(datetime.combine(month, dtime(12), tzinfo=UTC) + timedelta(days=2)))
    started = time.perf_counter()
    made = prepare(month, args.posts)
    seed_inbox(made["workspace_id"], made["channels"], items, datetime.combine(month, dtime(0), tzinfo=UTC))
    analyse()
    print(f"prepared {args.posts} posts ({made['publications']} publications) and {items:,} conversations in "
          f"{time.perf_counter() - started:.1f} s")

    from fastapi.testclient import TestClient

    from socialdesk.web.app import create_app

    client = TestClient(create_app(), follow_redirects=False)
    client.cookies.set("sd_session", made["cookie"])
    w = f"/w/{made['workspace_id']}"
    first = client.get(f"{w}/inbox/list")
    first.raise_for_status()
    following = re.search(r'href="([^"]*/inbox\?[^"]*)"[^>]*>Next', first.text)
    if following is None:
        sys.exit("the first inbox page shows no link to the next")
    next_path = following.group(1).replace("&amp;", "&").replace(f"{w}/inbox?", f"{w}/inbox/list?")
    from socialdesk.auth.service import user_by_email

    with get_database().unit_of_work() as session:
        user = user_by_email(session, "lists@example.com")
        assert user is not None
        client.user_id, client.workspace_id = user.id, made["workspace_id"]  # type: ignore[attr-defined]
    pages = {
        "inbox_first": f"{w}/inbox/list",
        "inbox_next": next_path,
        "inbox_deep": deep_path(w, client, min(50_000, items // 2)),
        "calendar_month": f"{w}/calendar?view=month&date={month.isoformat()}",
    }
    results: dict[str, PageFigures] = {}
    for name in [p for p in args.pages.split(",") if p]:
        path = pages[name]
        results[name] = view_page(client, path, repeat, (lambda: backend_cpu_ms(backends)) if backends else None)
        print_page(name, path[len(w):], results[name])
    print_summary("lists", results, "postgresql" if args.database_url else "sqlite",
                  f"conversations={items} posts={args.posts}")


if __name__ == "__main__":
    main()
