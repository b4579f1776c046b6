"""The analytics pages people open beside the dashboards (issue 19): best time, goals, reports, the PDF.

The data of `bench/analytics.py` (SQL-generated channels, published posts, metric snapshots, hourly follower
counts), a signed-in owner and three goals; then each page through the web app in this process (FastAPI's
TestClient), `--repeat` times after one warm-up view:

- `best_time`: the composer's "best time" answer for two channels;
- `channel`: a channel's analytics page (its dashboard and best-time grid);
- `more`: what the workspace dashboard fetches after its KPIs (breakdowns, every channel's best times);
- `goals`: the goals page with three goals measured;
- `reports`: the reports page; `report_html`: last month's report as HTML;
- `report_pdf`: last month's report as PDF (the target: < 3 s).

Wall-clock p50/p95 and this process's CPU time p95 (the CPU time says what the code costs on a shared
machine, the wall clock what it cost beside the neighbours), the load average at the end.

    python bench/pages.py [--quick] [--repeat 20] [--channels 20] [--database-url URL] [--pages goals,...]
    python bench/pages.py --database-url URL --reuse    # the data `bench/analytics.py` left there (10 M rows)

The last line is `pages: best_time_p95_ms=X ... report_pdf_p95_ms=X ... load=X`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import analytics as data  # bench/analytics.py: the same generated data
from common import PageFigures, bench_environment, print_page, print_summary, view_page


def prepare(workspace_id: str) -> tuple[str, list[str]]:
    """An owner of the generated workspace with a browser session, and three goals; the cookie and channels."""
    from sqlalchemy import func, select

    from socialdesk.auth.service import create_user, start_session
    from socialdesk.channels.models import Channel
    from socialdesk.core.db import get_database
    from socialdesk.goals import service as goals
    from socialdesk.goals.models import Goal
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Membership, Role, Workspace

    with get_database().unit_of_work() as session:
        # A new owner each run, so that --reuse can run again on the same data.
        user = create_user(session, f"pages-{uuid.uuid4().hex[:8]}@example.com", "Pages", "bench-password-1")
        session.add(Membership(workspace_id=workspace_id, user_id=user.id, role=Role.OWNER))
        session.flush()
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        ctx = WorkspaceContext(session, workspace, Actor(user.id, user.email), Role.OWNER)
        channel_ids = list(session.scalars(select(Channel.id).where(Channel.workspace_id == workspace_id)
                                           .order_by(Channel.id)))
        due = date(data.NOW.year + 1, 3, 31)
        if session.scalar(select(func.count()).select_from(Goal).where(Goal.workspace_id == workspace_id)):
            cookie = start_session(session, user).cookie_value
            return cookie, channel_ids  # --reuse: the goals of the first run
        goals.create(ctx, goals.GoalIn("Followers", "followers", 2000, due, increase=True))
        goals.create(ctx, goals.GoalIn("Engagement", "engagement_rate_reach", 5.0, due))
        goals.create(ctx, goals.GoalIn("Channel followers", "followers", 1000, due, channel_id=channel_ids[0],
                                       increase=True))
        cookie = start_session(session, user).cookie_value
    return cookie, channel_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 channels, 100 posts each, 10 views of each page")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--posts", type=int, default=200, help="published posts per channel")
    parser.add_argument("--snapshots", type=int, default=50, help="snapshots per post")
    parser.add_argument("--database-url", default=None, help="an empty database; default: SQLite in a temporary "
                        "directory")
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run of bench/pages.py or "
                        "bench/analytics.py left in --database-url, without generating it")
    parser.add_argument("--pages", default="", help="only these pages, comma-separated (default: all)")
    args = parser.parse_args()
    channels, posts, repeat = args.channels, args.posts, args.repeat
    if args.quick:
        channels, posts, repeat = min(channels, 10), min(posts, 100), min(repeat, 10)
    folder = Path(tempfile.mkdtemp(prefix="socialdesk-pages-"))
    bench_environment(folder)
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    import socialdesk
    from socialdesk.core import clock
    from socialdesk.core.clock import ManualClock
    from socialdesk.core.db import Database, set_database
    from socialdesk.core.schema import create_schema

    print(f"code: {Path(socialdesk.__file__).parent}")
    if args.reuse:
        made = data.existing(url)
    else:
        create_schema(url)
        made = data.generate(url, channels, 10, posts, args.snapshots)
    set_database(Database(url))
    clock.set_clock(ManualClock(data.NOW))
    workspace_id = str(made["workspace_id"])
    cookie, channel_ids = prepare(workspace_id)
    print(f"generated {made['rows']:,} rows in {made.get('generate_s', 0):.1f} s; workspace {workspace_id}, "
          f"{len(channel_ids)} channels")

    from fastapi.testclient import TestClient

    from socialdesk.web.app import create_app

    client = TestClient(create_app(), follow_redirects=False)
    client.cookies.set("sd_session", cookie)
    w = f"/w/{workspace_id}"
    pages = {
        "best_time": f"{w}/compose/best-time?channel_ids={channel_ids[0]}&channel_ids={channel_ids[1]}",
        "channel": f"{w}/channels/{channel_ids[0]}/analytics",
        "more": f"{w}/analytics/more",
        "goals": f"{w}/goals",
        "reports": f"{w}/reports",
        "report_html": f"{w}/reports/view",
        "report_pdf": f"{w}/reports/download?format=pdf",
    }
    wanted = [p for p in args.pages.split(",") if p]
    if set(wanted) - set(pages):
        sys.exit(f"--pages: unknown {sorted(set(wanted) - set(pages))}; choose from {', '.join(pages)}")
    pages = {name: path for name, path in pages.items() if not wanted or name in wanted}
    results: dict[str, PageFigures] = {}
    for name, path in pages.items():
        results[name] = view_page(client, path, 3 if name == "report_pdf" and args.quick else repeat)
        print_page(name, path.split("?")[0][len(w):] or "/", results[name])
    print_summary("pages", results, "postgresql" if args.database_url else "sqlite", f"rows={made['rows']}")


if __name__ == "__main__":
    main()
