"""Web and API latency with a busy workspace.

1. The calendar month page of a workspace with 2,000 posts in that month: server time (the
   Server-Timing header) p50/p95 over sequential requests.
2. `GET /api/v1/workspaces/{id}/posts` under an open-loop load of 200 requests/s from a separate
   load-generator process on loopback: client-side latency p50/p99, achieved rate, errors.

    python bench/web.py [--quick] [--posts 2000] [--rate 200] [--seconds 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import httpx


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(posts: int, month: date) -> dict[str, str]:
    """A workspace with three sandbox channels and `posts` scheduled posts spread over `month`."""
    from socialdesk.auth.service import create_api_token, create_user
    from socialdesk.channels.service import connect
    from socialdesk.content.schemas import Intent, PostIn
    from socialdesk.content.service import compose
    from socialdesk.core import clock
    from socialdesk.core.clock import ManualClock
    from socialdesk.core.db import get_database
    from socialdesk.core.schema import create_schema
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role
    from socialdesk.workspaces.service import create_organisation, create_workspace

    db = get_database()
    create_schema(db.url)
    clock.set_clock(ManualClock(datetime.combine(month, dtime(0), tzinfo=UTC) - timedelta(days=1)))
    with db.unit_of_work() as session:
        user = create_user(session, "bench@example.com", "Bench", "bench-password-1")
        org = create_organisation(session, "Bench")
        workspace = create_workspace(session, org, "Busy brand", user, timezone="Europe/Zagreb")
        ctx = WorkspaceContext(session, workspace, Actor(user.id, user.email), Role.OWNER)
        channels = [connect(ctx, "sandbox", f"Channel {p}", handle=f"bench_{p}", profile=p).id
                    for p in ("x", "mastodon", "facebook")]
        token, _ = create_api_token(session, user, "bench", ["read"])
        workspace_id = workspace.id
    minutes = 30 * 24 * 60
    for start in range(0, posts, 250):
        with db.unit_of_work() as session:
            from socialdesk.workspaces.service import context_for

            ctx = context_for(session, Actor(user.id, user.email), workspace_id)
            for i in range(start, min(posts, start + 250)):
                at = datetime.combine(month, dtime(0)) + timedelta(minutes=(i * 7919) % minutes)
                compose(ctx, PostIn(text=f"Post number {i} about #coffee and #bench, see https://example.com/{i}",
                                    channel_ids=channels[: 1 + i % 3], scheduled_at=at, intent=Intent.SCHEDULE))
    return {"workspace_id": workspace_id, "token": token}


def serve(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "socialdesk"), "serve", "--no-jobs", "--port", str(port)]
    # The server's log goes to a file: an unread pipe would fill up and stall the server.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    sys.exit("the server did not start: " + log.read_text())


def calendar_times(base: str, workspace_id: str, month: date, cookie: str, requests: int) -> list[float]:
    times = []
    with httpx.Client(base_url=base, cookies={"sd_session": cookie}, timeout=60) as client:
        url = f"/w/{workspace_id}/calendar?view=month&date={month.isoformat()}"
        for index in range(requests + 2):
            response = client.get(url)
            response.raise_for_status()
            if index >= 2:  # the first two warm caches
                times.append(float(response.headers["server-timing"].split("dur=")[1]))
    return times


LOADGEN = r'''
import asyncio, json, sys, time
import httpx

async def main(url, token, rate, seconds):
    latencies, shed, errors = [], 0, 0
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30,
                                 limits=httpx.Limits(max_connections=200)) as client:
        async def one():
            nonlocal shed, errors
            started = time.perf_counter()
            try:
                response = await client.get(url)
                if response.status_code == 503:
                    shed += 1
                    return
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)
        tasks, begin = [], time.perf_counter()
        total = int(rate * seconds)
        for i in range(total):
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
    print(json.dumps({"latencies": latencies, "shed": shed, "errors": errors, "elapsed": elapsed, "sent": total}))

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
'''


def load(base: str, workspace_id: str, token: str, rate: float, seconds: float) -> dict[str, float]:
    url = f"{base}/api/v1/workspaces/{workspace_id}/posts?limit=50"
    done = subprocess.run([sys.executable, "-c", LOADGEN, url, token, str(rate), str(seconds)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    ms = [x * 1000 for x in result["latencies"]]
    return {"p50": percentile(ms, 50) if ms else float("nan"), "p99": percentile(ms, 99) if ms else float("nan"),
            "errors": result["errors"], "shed": result["shed"], "served_rps": len(ms) / result["elapsed"],
            "sent": result["sent"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests and a 5 s load")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200, help="the offered load the summary line reports")
    parser.add_argument("--sweep", default="50,100", help="lower rates to measure first, to show the knee")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary directory")
    parser.add_argument("--workers", type=int, default=1, help="web server processes")
    args = parser.parse_args()
    seconds = 5 if args.quick else args.seconds
    calendar_requests = 20 if args.quick else 100
    month = date(2027, 3, 1)
    with tempfile.TemporaryDirectory(prefix="socialdesk-bench-") as folder:
        env = {**os.environ, "SOCIALDESK_DATA_DIR": folder, "SOCIALDESK_LOG_LEVEL": "WARNING",
               "SOCIALDESK_SECRET_KEY": os.environ.get("SOCIALDESK_SECRET_KEY")
               or "c29jaWFsZGVzay1iZW5jaC1rZXktbm90LXNlY3JldCE="}
        env["SOCIALDESK_WEB_WORKERS"] = str(args.workers)
        if args.database_url:
            env["SOCIALDESK_DATABASE_URL"] = args.database_url
        os.environ.update(env)
        started = time.perf_counter()
        ids = prepare(args.posts, month)
        print(f"prepared {args.posts} posts in {time.perf_counter() - started:.1f} s")
        from socialdesk.auth.service import start_session, user_by_email
        from socialdesk.core.db import get_database

        with get_database().unit_of_work() as session:
            user = user_by_email(session, "bench@example.com")
            assert user is not None
            cookie = start_session(session, user).cookie_value
        port = free_port()
        server_log = Path(folder) / "server.log"
        server = serve(port, env, server_log)
        base = f"http://127.0.0.1:{port}"
        try:
            cal = calendar_times(base, ids["workspace_id"], month, cookie, calendar_requests)
            print(f"calendar month page ({args.posts} posts): server time p50 {percentile(cal, 50):.1f} ms, "
                  f"p95 {percentile(cal, 95):.1f} ms over {len(cal)} requests")
            rates = [float(r) for r in args.sweep.split(",") if r] + [args.rate]
            for rate in rates:
                api = load(base, ids["workspace_id"], ids["token"], rate, seconds)
                print(f"GET /api/v1/posts?limit=50 offered {rate:.0f} req/s for {seconds:.0f} s: "
                      f"p50 {api['p50']:.1f} ms, p99 {api['p99']:.1f} ms, served {api['served_rps']:.0f} req/s, "
                      f"shed (503) {api['shed']:.0f} of {api['sent']:.0f}, errors {api['errors']:.0f}")
        finally:
            server.terminate()
            server.wait(30)
            errors = [line for line in server_log.read_text().splitlines() if "Error" in line]
            if errors:
                print(f"server logged {len(errors)} error line(s), e.g.: {errors[0][:200]}")
    db_kind = "postgresql" if args.database_url else "sqlite"
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {db_kind}")
    print(f"web: calendar_p50_ms={percentile(cal, 50):.1f} calendar_p95_ms={percentile(cal, 95):.1f} "
          f"api_rate={args.rate:.0f} api_p50_ms={api['p50']:.1f} api_p99_ms={api['p99']:.1f} "
          f"api_served_rps={api['served_rps']:.0f} api_shed={api['shed']:.0f} api_errors={api['errors']:.0f} "
          f"workers={os.environ.get('SOCIALDESK_WEB_WORKERS', '1')} posts={args.posts} db={db_kind}")


if __name__ == "__main__":
    main()
