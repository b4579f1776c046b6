"""Analytics at scale: dashboard queries and a monthly PDF report over millions of metric snapshots.

Generates, with SQL alone (PostgreSQL `generate_series`; a recursive CTE on SQLite), `channels`
channels in workspaces of `--channels-per-workspace`, `--posts` published posts per channel spread
over the last 365 days, and `--snapshots` snapshots per post at the ages the collector uses (hourly
for a day, then every 6 hours to a week, then daily), plus an hourly follower count per channel.
Then, for one workspace:

1. the dashboard of the last 90 days, `--repeat` times each, p50/p95, with the numbers computed
   afresh every time (the kept numbers of analytics/cache.py cleared first: what a view costs right
   after each collection):
   - `full`: `dashboard.build` with everything (KPIs with intervals and the period before, follower
     curves, engagement by day, top/bottom posts, six breakdowns) — what the page built before;
   - `dashboard` (workspace) and `channel` (each channel in turn): what the page builds now, the
     KPIs and curves without the breakdowns (and on a channel's page its best times);
   - `more`: what the workspace page fetches right after: the breakdowns and every channel's best times;
   - `warm`: the workspace dashboard again with the numbers kept since the previous view;
2. the monthly report of the last complete month, rendered to PDF: seconds (median of 3).

Run against code without analytics/cache.py (e.g. `PYTHONPATH=<checkout of main>`) every view is a
full build: `dashboard` is then `full`, and `more` is the best times alone.

    python bench/analytics.py --quick                               # SQLite, ~50,000 snapshots
    python bench/analytics.py --channels 20                         # SQLite, 1,000,000 snapshots
    python bench/analytics.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench   # 10,000,000
    python bench/analytics.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench --reuse

`--reuse` measures the data an earlier run left in that database again, without generating it (generating
10,000,000 snapshots takes 4–9 minutes): old and new code on the same data, e.g.
`PYTHONPATH=<checkout of main> python <checkout of main>/bench/analytics.py --database-url … --reuse`.

The last line is `analytics: rows=N dashboard_p95_ms=X channel_p95_ms=X more_p95_ms=X full_p95_ms=X
warm_p95_ms=X dashboard_cpu_p95_ms=X channel_cpu_p95_ms=X [dashboard_pg_cpu_ms=X channel_pg_cpu_ms=X] report_s=X
load=X` (load: the machine's 1-minute load average at the end; `*_pg_cpu_ms`: the mean CPU time of the
PostgreSQL backend per view, where it runs on this machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAYS = 365
# Snapshot ages in hours: hourly for a day, every 6 hours to a week, then daily (as collect_channel does).
AGES = [*range(1, 25), *range(30, 169, 6), *range(192, 24 * 90, 24)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _series(dialect: str, name: str, count: int) -> str:
    """A row source `name(i)` with i = 1..count."""
    if dialect == "postgresql":
        return f"generate_series(1, {count}) AS {name}(i)"
    return (f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) "
            f"SELECT i FROM s) AS {name}")


def _at(dialect: str, seconds_sql: str) -> str:
    """NOW minus `seconds_sql` seconds, as each database stores a UTCDateTime."""
    if dialect == "postgresql":
        return f"(TIMESTAMPTZ '{NOW.isoformat()}' - make_interval(secs => {seconds_sql}))"
    return f"(strftime('%Y-%m-%d %H:%M:%f', '{NOW:%Y-%m-%d %H:%M:%S}', '-' || ({seconds_sql}) || ' seconds') || '000')"


def generate(db_url: str, channels: int, per_workspace: int, posts: int, snapshots: int) -> dict[str, object]:
    """Fill an empty, migrated database; returns the first workspace's id and the row counts."""
    from socialdesk.core.db import Database

    db = Database(db_url)
    d = db.dialect
    ages = AGES[:snapshots]
    workspaces = (channels + per_workspace - 1) // per_workspace
    step = DAYS * 86400 // posts  # seconds between two posts of a channel
    json_cast, json_end = ("CAST(", " AS JSON)") if d == "postgresql" else ("", "")
    statements = [
        "INSERT INTO organisations (id, name, created_at, updated_at) VALUES ('o1', 'Bench', :now, :now)",
        f"""INSERT INTO workspaces (id, organisation_id, name, timezone, approval_steps, brand_colour, queue_paused,
                created_at, updated_at)
            SELECT 'w' || w.i, 'o1', 'Brand ' || w.i, 'Europe/Zagreb', '[]', '#3b5bdb', false, :now, :now
            FROM {_series(d, 'w', workspaces)}""",
        f"""INSERT INTO channels (id, workspace_id, network, name, handle, external_id, credentials_encrypted,
                settings, status, created_at, updated_at)
            SELECT 'c' || c.i, 'w' || ((c.i - 1) / {per_workspace} + 1), 'sandbox', 'Channel ' || c.i, 'h' || c.i,
                   'e' || c.i, '-', {json_cast}'{{"profile": "' || CASE c.i % 3 WHEN 0 THEN 'x' WHEN 1 THEN 'instagram'
                   ELSE 'mastodon' END || '"}}'{json_end}, 'active', :now, :now
            FROM {_series(d, 'c', channels)}""",
        f"""INSERT INTO posts (id, workspace_id, text, scheduled_at, timezone, approval_step, created_at, updated_at)
            SELECT 'p' || c.i || '_' || p.i, 'w' || ((c.i - 1) / {per_workspace} + 1),
                   CASE p.i % 4 WHEN 0 THEN 'Coffee of the day #coffee'
                   WHEN 1 THEN 'New beans from Ethiopia #coffee #beans'
                   WHEN 2 THEN 'Brunch on Saturday, book a table at kavaco.example/brunch'
                   ELSE 'A longer story about how we roast our beans in small batches every Monday morning, '
                        || 'and why it matters for the taste of your cup.' END,
                   {_at(d, f'p.i * {step} + c.i * 97')}, 'Europe/Zagreb', 0, :now, :now
            FROM {_series(d, 'c', channels)} CROSS JOIN {_series(d, 'p', posts)}""",
        """INSERT INTO publications (id, workspace_id, post_id, channel_id, own_media, status, scheduled_at, attempts,
                external_id, published_at, created_at, updated_at)
            SELECT 'u' || substr(id, 2), workspace_id, id, 'c' || substr(id, 2, instr(id, '_') - 2), false, 'published',
                   scheduled_at, 1, 'x' || id, scheduled_at, :now, :now
            FROM posts""" if d == "sqlite" else
        """INSERT INTO publications (id, workspace_id, post_id, channel_id, own_media, status, scheduled_at, attempts,
                external_id, published_at, created_at, updated_at)
            SELECT 'u' || substr(id, 2), workspace_id, id, 'c' || split_part(substr(id, 2), '_', 1), false,
                   'published', scheduled_at, 1, 'x' || id, scheduled_at, :now, :now
            FROM posts""",
    ]
    # Snapshots: numbers that grow with age, a different size for each post (deterministic from its id).
    age_rows = " UNION ALL ".join(f"SELECT {k} AS k, {h} AS h" for k, h in enumerate(ages))
    code = "unicode" if d == "sqlite" else "ascii"
    size = f"(1 + ({code}(substr(u.id, length(u.id), 1)) * 13 + {code}(substr(u.id, length(u.id) - 1, 1)) * 7) % 97)"
    grow = "(1.0 - 1.0 / (1 + a.h / 3.0))"
    shifted = ("(strftime('%Y-%m-%d %H:%M:%f', u.published_at, '+' || (a.h * 3600) || ' seconds') || '000')"
               if d == "sqlite" else "(u.published_at + make_interval(hours => a.h))")
    statements.append(f"""
        INSERT INTO publication_metric_snapshots (id, workspace_id, publication_id, collected_at, impressions, reach,
            views, likes, reposts, comments, saves, clicks, quotes)
        SELECT 's' || substr(u.id, 2) || '_' || a.k, u.workspace_id, u.id, {shifted},
               CAST({size} * 40 * {grow} AS INTEGER), CAST({size} * 25 * {grow} AS INTEGER), NULL,
               CAST({size} * 2 * {grow} AS INTEGER), CAST({size} * 0.2 * {grow} AS INTEGER),
               CAST({size} * 0.3 * {grow} AS INTEGER), CAST({size} * 0.1 * {grow} AS INTEGER), NULL, NULL
        FROM publications u CROSS JOIN ({age_rows}) a""")
    hours = (DAYS + 30) * 24
    statements.append(f"""
        INSERT INTO channel_metric_snapshots (id, workspace_id, channel_id, collected_at, followers, following, posts)
        SELECT 'f' || c.i || '_' || t.i, 'w' || ((c.i - 1) / {per_workspace} + 1), 'c' || c.i,
               {_at(d, 't.i * 3600')}, 2000 + c.i * 10 + ({hours} - t.i) / 12, 100, 0
        FROM {_series(d, 'c', channels)} CROSS JOIN {_series(d, 't', hours)}""")
    started = time.perf_counter()
    with db.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql), {"now": NOW.replace(tzinfo=None) if d == "sqlite" else NOW})
        # Written around the ORM: the daily follower rows the collector keeps are computed once here.
        try:
            from socialdesk.analytics.followers import rebuild_days
        except ImportError:  # the code before them
            pass
        else:
            rebuild_days(conn)
    if d == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.refresh_statistics()
    took = time.perf_counter() - started
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM publication_metric_snapshots")).scalar_one()
        publications = conn.execute(text("SELECT count(*) FROM publications")).scalar_one()
    db.dispose()
    return {"workspace_id": "w1", "rows": rows, "publications": publications, "generate_s": took}


def existing(db_url: str) -> dict[str, object]:
    from socialdesk.core.db import Database

    db = Database(db_url)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM publication_metric_snapshots")).scalar_one()
    db.dispose()
    return {"workspace_id": "w1", "rows": rows}


def backend_cpu(session: object) -> Callable[[], float] | None:
    """A clock of the CPU milliseconds spent so far by the PostgreSQL backend serving `session`, where that
    backend runs on this machine and its /proc entry can be read (else None): the database's share of a view,
    which this process's CPU time leaves out. Counted in ticks (10 ms): read it as a mean over many views."""
    if session.get_bind().dialect.name != "postgresql":  # type: ignore[attr-defined]
        return None
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()  # type: ignore[attr-defined]
    folder, tick = Path(f"/proc/{pid}"), os.sysconf("SC_CLK_TCK")
    try:
        if folder.joinpath("comm").read_text().strip() != "postgres":  # another machine's backend
            return None
    except OSError:
        return None

    def spent() -> float:
        fields = folder.joinpath("stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / tick  # utime + stime

    return spent


def measure(db_url: str, workspace_id: str, repeat: int) -> tuple[dict[str, list[float]], list[float], int]:
    """Milliseconds per view, by kind (see the module's docstring), and the PDF report's seconds."""
    from socialdesk.analytics import best_time, dashboard
    from socialdesk.analytics.periods import last_days, month_of
    from socialdesk.core import clock
    from socialdesk.core.clock import ManualClock
    from socialdesk.core.db import Database, set_database
    from socialdesk.reports import files
    from socialdesk.reports import service as reports
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role, Workspace

    try:
        from socialdesk.analytics import cache
    except ImportError:  # the code before dashboards kept their numbers: every build is a full one
        cache = None
    db = Database(db_url)
    set_database(db)
    clock.set_clock(ManualClock(NOW))
    kinds = ("full", "workspace", "channel", "more", "warm")
    timings: dict[str, list[float]] = {k: [] for k in (*kinds, *(f"{k}_{s}" for k in kinds for s in ("cpu", "pg")))}
    report_times, posts = [], 0
    server: Callable[[], float] | None = None

    def timed(kind: str, build: object) -> object:
        # Wall clock and this process's CPU time: on a shared machine the CPU time says what the code
        # costs, the wall clock what it cost with the neighbours.
        started, cpu, pg = time.perf_counter(), time.process_time(), server() if server else 0.0
        result = build()  # type: ignore[operator]
        timings[kind].append((time.perf_counter() - started) * 1000)
        timings[f"{kind}_cpu"].append((time.process_time() - cpu) * 1000)
        if server:
            timings[f"{kind}_pg"].append(server() - pg)
        return result

    def cold() -> None:
        if cache is not None:
            cache.clear()

    with db.unit_of_work(read_only=True) as session:
        workspace = session.get(Workspace, workspace_id)
        assert workspace is not None
        ctx = WorkspaceContext(session, workspace, Actor.system("bench"), Role.OWNER)
        server = backend_cpu(session)
        period = last_days(90, NOW, workspace.timezone)
        channel_ids = sorted(session.scalars(text("SELECT id FROM channels WHERE workspace_id = :w"),
                                             {"w": workspace_id}))
        try:  # what the web app does when it has started (core/heap.py), where the code has it
            from socialdesk.core import heap

            heap.settle()
        except ImportError:
            pass
        dashboard.build(ctx, period)  # imports (scipy) and first-use caches, as a running server has them
        for i in range(repeat):
            one = channel_ids[i % len(channel_ids)]  # each channel's dashboard in turn
            cold()
            board = timed("full", lambda: dashboard.build(ctx, period))
            posts = len(board.posts)  # type: ignore[attr-defined]
            if cache is None:  # the page built everything at once, then the best times of every channel
                timings["workspace"].append(timings["full"][-1])
                timings["workspace_cpu"].append(timings["full_cpu"][-1])
                timings["workspace_pg"] += timings["full_pg"][-1:]
                timed("more", lambda: [best_time.recommend(ctx, c) for c in channel_ids])
                timed("channel", lambda: (dashboard.build(ctx, period, channel_id=one),  # noqa: B023
                                          best_time.recommend(ctx, one)))  # noqa: B023
                timed("warm", lambda: dashboard.build(ctx, period))
                continue
            cold()
            timed("workspace", lambda: dashboard.build(ctx, period, with_breakdowns=False))
            timed("warm", lambda: dashboard.build(ctx, period, with_breakdowns=False))
            # The page asks for the rest right after: the dashboard's own numbers are still kept.
            timed("more", lambda: (dashboard.breakdowns_of(ctx, period),
                                   [best_time.recommend(ctx, c) for c in channel_ids]))
            cold()
            timed("channel", lambda: (dashboard.build(ctx, period, channel_id=one,  # noqa: B023
                                                      with_breakdowns=False),
                                      best_time.recommend(ctx, one)))  # noqa: B023
        month = month_of(NOW, workspace.timezone).previous()
        for _ in range(3):
            started = time.perf_counter()
            made = files.make(reports.build(ctx, month), "pdf")
            report_times.append(time.perf_counter() - started)
            assert made.data.startswith(b"%PDF")
    db.dispose()
    return timings, report_times, posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small SQLite data set, under a minute")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a new SQLite file)")
    parser.add_argument("--channels", type=int, help="channels in all (default 200 on PostgreSQL, 20 on SQLite)")
    parser.add_argument("--channels-per-workspace", type=int, default=10)
    parser.add_argument("--posts", type=int, default=1000, help="published posts per channel over a year")
    parser.add_argument("--snapshots", type=int, default=50, help="snapshots per post")
    parser.add_argument("--repeat", type=int, default=20, help="dashboard builds to time")
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run generated "
                                                              "(with --database-url)")
    args = parser.parse_args()
    from socialdesk.core.crypto import generate_key
    from socialdesk.core.schema import create_schema

    os.environ["SOCIALDESK_SECRET_KEY"] = generate_key()
    folder = Path(tempfile.mkdtemp(prefix="sd-bench-"))
    os.environ["SOCIALDESK_DATA_DIR"] = str(folder)
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    postgres = url.startswith("postgresql")
    channels = args.channels or (200 if postgres else 20)
    posts = args.posts
    if args.quick:
        channels, posts, args.repeat = min(channels, 10), min(posts, 100), min(args.repeat, 10)
    print(f"machine: {platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}, "
          f"{'PostgreSQL' if postgres else 'SQLite'}")
    if args.reuse:
        made = existing(url)
        print(f"reusing {made['rows']:,} snapshots")
    else:
        create_schema(url, reset=postgres)
        made = generate(url, channels, args.channels_per_workspace, posts, args.snapshots)
        print(f"generated {made['rows']:,} snapshots of {made['publications']:,} publications on {channels} "
              f"channels in {made['generate_s']:.1f} s")
    timings, report_times, period_posts = measure(url, str(made["workspace_id"]), args.repeat)
    p95 = {kind: percentile(values, 95) for kind, values in timings.items() if values}
    pg = {kind: statistics.mean(timings[f"{kind}_pg"]) for kind in ("workspace", "channel") if timings[f"{kind}_pg"]}
    report_s = statistics.median(report_times)
    print(f"last 90 days, {period_posts:,} publications in the workspace ({args.channels_per_workspace} channels); "
          f"p50 / p95 over {len(timings['full'])} views each, numbers computed afresh unless said:")
    for kind, label in (("full", "dashboard.build with breakdowns (what the page did before)"),
                        ("workspace", "workspace dashboard, KPIs and curves (the page)"),
                        ("channel", "channel dashboard, KPIs, curves and its best times (the page)"),
                        ("more", "breakdowns + best times of every channel (fetched after the page)"),
                        ("warm", "workspace dashboard again, numbers kept since the last view")):
        print(f"  {label}: p50 {percentile(timings[kind], 50):.0f} ms, p95 {p95[kind]:.0f} ms "
              f"(CPU p50 {percentile(timings[kind + '_cpu'], 50):.0f} ms, p95 {p95[kind + '_cpu']:.0f} ms"
              + (f"; PostgreSQL backend CPU mean {statistics.mean(timings[kind + '_pg']):.0f} ms"
                 if timings[kind + "_pg"] else "") + ")")
    print(f"monthly PDF report: {report_s:.2f} s (median of {len(report_times)})")
    print(f"analytics: rows={made['rows']} dashboard_p95_ms={p95['workspace']:.0f} channel_p95_ms={p95['channel']:.0f} "
          f"more_p95_ms={p95['more']:.0f} full_p95_ms={p95['full']:.0f} warm_p95_ms={p95['warm']:.0f} "
          f"dashboard_cpu_p95_ms={p95['workspace_cpu']:.0f} channel_cpu_p95_ms={p95['channel_cpu']:.0f} "
          + "".join(f"{'dashboard' if k == 'workspace' else k}_pg_cpu_ms={v:.0f} " for k, v in pg.items())
          + f"report_s={report_s:.2f} load={os.getloadavg()[0]:.1f}")

if __name__ == "__main__":
    main()
