"""Web and API latency with a busy workspace (issue 19: the three lists people wait for).

A workspace with 2,000 posts in one month and an inbox of 100,000 messages (in 100,000 conversations).

1. The calendar month page: server time (the Server-Timing header) p50/p95 over sequential requests.
2. Open-loop load (default 150 requests/s offered) from a separate load-generator process on loopback (plain
   HTTP/1.1 on asyncio streams with kept-alive connections, so that it takes little of the cores), one
   list at a time: `GET /api/v1/workspaces/{id}/posts?limit=50`, the calendar month page, and the inbox list
   (`GET /api/v1/workspaces/{id}/inbox?limit=50`, newest first). Client-side latency p50/p99, achieved rate,
   503s and errors, the load generator's own CPU time and the server processes' CPU time.

    python bench/web.py [--quick] [--posts 2000] [--inbox-items 100000] [--rate 150] [--seconds 30]
                        [--workers 2] [--lists posts,calendar,inbox] [--database-url URL]

With --database-url the database must be empty (the bench creates the schema); default: SQLite in a
temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_environment, busy_workspace, percentile  # bench/common.py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_inbox(workspace_id: str, channel_ids: list[str], items: int, newest: datetime) -> None:
    """`items` comments in as many conversations, written in bulk (the inbox's own code path is measured by the
    inbox tests; here only the lists' reading matters). Every 7th is a question, every 5th answered."""
    from sqlalchemy import insert

    from socialdesk.core.db import get_database
    from socialdesk.core.ids import new_id
    from socialdesk.inbox.models import Conversation, InboxItem, Priority

    db = get_database()
    batch = 5000
    for start in range(0, items, batch):
        conversations, messages = [], []
        for i in range(start, min(items, start + batch)):
            at = newest - timedelta(seconds=i * 97)
            channel = channel_ids[i % len(channel_ids)]
            answered = i % 5 == 0
            question = i % 7 == 0
            conversation_id = new_id()
            conversations.append({
                "id": conversation_id, "workspace_id": workspace_id, "channel_id": channel, "kind": "comment",
                "thread_key": f"c{i}", "author_handle": f"fan{i % 3000}", "author_name": f"Fan {i % 3000}",
                "snippet": f"Comment {i} about the coffee", "status": "waiting" if answered else "open",
                "item_count": 1, "first_inbound_at": at, "last_inbound_at": at,
                "waiting_since": None if answered else at, "first_response_at": at if answered else None,
                "priority": Priority.NONE if answered else (Priority.QUESTION if question else Priority.UNANSWERED),
                "language": "en", "sentiment": "neutral", "question": question, "negative": False,
                "offensive": False, "spam": False, "created_at": at, "updated_at": at})
            messages.append({
                "id": new_id(), "workspace_id": workspace_id, "channel_id": channel,
                "conversation_id": conversation_id, "kind": "comment", "external_id": f"c{i}",
                "author_external_id": f"a{i % 3000}", "author_handle": f"fan{i % 3000}",
                "author_name": f"Fan {i % 3000}", "text": f"Comment {i} about the coffee, is it fair trade?",
                "received_at": at, "fetched_at": at, "status": "open", "hidden": False,
                "replied_at": at if answered else None, "liked": False, "question": question,
                "offensive": False, "spam": False, "language": "en", "sentiment": "neutral", "sentiment_score": 0.8,
                "offensive_score": 0.01, "spam_score": 0.02, "intent": "question" if question else "other",
                "intent_score": 0.7, "language_group": "en", "language_source": "detector", "triaged_at": at})
        with db.unit_of_work() as session:
            session.execute(insert(Conversation), conversations)
            session.execute(insert(InboxItem), messages)
            try:  # a bulk write past the ORM says itself that the views' kept counts are out of date
                from socialdesk.inbox.view_counts import bump
            except ImportError:  # code from before the counts were kept
                continue
            bump(session.connection(), [workspace_id])


def analyse() -> None:
    from sqlalchemy import text

    from socialdesk.core.db import get_database

    with get_database().unit_of_work() as session:
        session.execute(text("ANALYZE"))


def prepare(posts: int, month: date, inbox_items: int) -> dict[str, str]:
    """A workspace with three sandbox channels and `posts` scheduled posts spread over `month`."""
    from socialdesk.auth.models import User
    from socialdesk.auth.service import create_api_token
    from socialdesk.content.schemas import Intent, PostIn
    from socialdesk.content.service import compose
    from socialdesk.core import clock
    from socialdesk.core.clock import ManualClock
    from socialdesk.core.db import get_database
    from socialdesk.core.schema import create_schema
    from socialdesk.workspaces.context import Actor
    from socialdesk.workspaces.service import context_for

    db = get_database()
    create_schema(db.url)
    clock.set_clock(ManualClock(datetime.combine(month, dtime(0), tzinfo=UTC) - timedelta(days=1)))
    with db.unit_of_work() as session:
        busy = busy_workspace(session, "bench@example.com", "Bench")
        user = session.get(User, busy.user_id)
        assert user is not None
        token, _ = create_api_token(session, user, "bench", ["read"])
    workspace_id, channels = busy.workspace_id, busy.channel_ids
    minutes = 30 * 24 * 60
    for start in range(0, posts, 250):
        with db.unit_of_work() as session:
            ctx = context_for(session, Actor(busy.user_id, busy.email), workspace_id)
            for i in range(start, min(posts, start + 250)):
                at = datetime.combine(month, dtime(0)) + timedelta(minutes=(i * 7919) % minutes)
                compose(ctx, PostIn(text=f"Post number {i} about #coffee and #bench, see https://example.com/{i}",
                                    channel_ids=channels[: 1 + i % 3], scheduled_at=at, intent=Intent.SCHEDULE))
    seed_inbox(workspace_id, channels, inbox_items, datetime.combine(month, dtime(0), tzinfo=UTC))
    analyse()
    return {"workspace_id": workspace_id, "token": token}


def serve(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "socialdesk"), "serve", "--no-jobs", "--port", str(port)]
    # The server's log goes to a file: an unread pipe would fill up and stall the server.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"),
                               start_new_session=True)  # its own process group: stopped with its workers
    deadline = time.time() + 240  # a shared, busy machine imports slowly
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
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


# The load generator: HTTP/1.1 over asyncio streams, connections kept alive and reused (httpx's AsyncClient
# cost ~3 ms of CPU a request, a third of what the server spends: on two cores it took the server's share).
LOADGEN = r'''
import asyncio, json, os, sys, time
from urllib.parse import urlsplit

async def main(url, auth, rate, seconds):
    latencies, shed, errors = [], 0, 0
    parts = urlsplit(url)
    kind, _, value = auth.partition(":")
    header = f"Authorization: Bearer {value}" if kind == "token" else f"Cookie: sd_session={value}"
    request = (f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n{header}\r\n"
               "Accept-Encoding: identity\r\n\r\n").encode()
    idle = []  # open connections waiting for their next request

    async def exchange(reader, writer):
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lowered = head.lower()
        at = lowered.find(b"content-length:")
        if at >= 0:
            await reader.readexactly(int(lowered[at + 15:lowered.index(b"\r\n", at)]))
        elif b"transfer-encoding: chunked" in lowered:
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        return status, b"connection: close" not in lowered

    async def one():
        nonlocal shed, errors
        started = time.perf_counter()
        connection = idle.pop() if idle else None
        try:
            if connection is None:
                connection = await asyncio.wait_for(asyncio.open_connection(parts.hostname, parts.port), 30)
            status, keep = await asyncio.wait_for(exchange(*connection), 30)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            latencies.append(time.perf_counter() - started)
            if connection is not None:
                connection[1].close()
            return
        if keep:
            idle.append(connection)
        else:
            connection[1].close()
        if status == 503:
            shed += 1
            return
        if status != 200:
            errors += 1
        latencies.append(time.perf_counter() - started)

    cpu = os.times()
    tasks, begin = [], time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    after = os.times()
    for _, writer in idle:
        writer.close()
    cpu_s = (after.user - cpu.user) + (after.system - cpu.system)
    print(json.dumps({"latencies": latencies, "shed": shed, "errors": errors, "elapsed": elapsed, "sent": total,
                      "cpu_s": cpu_s}))

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
'''


def process_tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        stats[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, 0.0)
        todo.extend(children.get(current, []))
    return total


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def load(url: str, auth: str, rate: float, seconds: float, server_pid: int) -> dict[str, float]:
    server_cpu = process_tree_cpu_s(server_pid)
    done = subprocess.run([sys.executable, "-c", LOADGEN, url, auth, str(rate), str(seconds)],
                          capture_output=True, text=True, check=True)
    server_cpu = process_tree_cpu_s(server_pid) - server_cpu
    result = json.loads(done.stdout)
    ms = [x * 1000 for x in result["latencies"]]
    return {"p50": percentile(ms, 50) if ms else float("nan"), "p99": percentile(ms, 99) if ms else float("nan"),
            "errors": result["errors"], "shed": result["shed"], "served_rps": len(ms) / result["elapsed"],
            "sent": result["sent"], "loadgen_cpu_s": result["cpu_s"], "server_cpu_s": server_cpu,
            "elapsed": result["elapsed"], "server_cpu_ms": 1000 * server_cpu / max(1, len(ms) + result["shed"]),
            # What one answered request costs: the shed ones (503, cheap) flatter the figure above when many are.
            "server_cpu_ms_answered": 1000 * server_cpu / max(1, len(ms)),
            "loadgen_cpu_ms": 1000 * result["cpu_s"] / max(1, result["sent"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests and a 5 s load per list")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--inbox-items", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=150, help="the offered load the summary line reports")
    parser.add_argument("--sweep", default="", help="lower rates to measure first, to show the knee (e.g. 50,100)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--lists", default="posts,calendar,inbox", help="which lists to load, in order")
    parser.add_argument("--database-url", default=None, help="an empty database; default: SQLite in a temporary "
                        "directory")
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    args = parser.parse_args()
    seconds = 5 if args.quick else args.seconds
    calendar_requests = 20 if args.quick else 100
    month = date(2027, 3, 1)
    lists = [name for name in args.lists.split(",") if name]
    unknown = set(lists) - {"posts", "calendar", "inbox"}
    if unknown:
        sys.exit(f"--lists: unknown {sorted(unknown)}; choose from posts, calendar, inbox")
    cpu_start = os.times()
    summary: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="socialdesk-bench-") as folder:
        env = {**os.environ, **bench_environment(folder, args.database_url),
               "SOCIALDESK_WEB_WORKERS": str(args.workers)}
        started = time.perf_counter()
        ids = prepare(args.posts, month, args.inbox_items)
        print(f"prepared {args.posts} posts and {args.inbox_items} inbox messages in "
              f"{time.perf_counter() - started:.1f} s")
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
        workspace_id = ids["workspace_id"]
        targets = {
            "posts": ("GET /api/v1/workspaces/{id}/posts?limit=50",
                      f"{base}/api/v1/workspaces/{workspace_id}/posts?limit=50", f"token:{ids['token']}"),
            "calendar": (f"calendar month page ({args.posts} posts)",
                         f"{base}/w/{workspace_id}/calendar?view=month&date={month.isoformat()}", f"cookie:{cookie}"),
            "inbox": (f"GET /api/v1/workspaces/{{id}}/inbox?limit=50 ({args.inbox_items} messages)",
                      f"{base}/api/v1/workspaces/{workspace_id}/inbox?limit=50", f"token:{ids['token']}"),
        }
        try:
            cal = calendar_times(base, workspace_id, month, cookie, calendar_requests)
            print(f"calendar month page ({args.posts} posts), sequential: server time p50 {percentile(cal, 50):.1f} "
                  f"ms, p95 {percentile(cal, 95):.1f} ms over {len(cal)} requests")
            rates = [float(r) for r in args.sweep.split(",") if r] + [args.rate]
            for name in lists:
                label, url, auth = targets[name]
                httpx.get(url, headers={"Authorization": f"Bearer {ids['token']}"}, cookies={"sd_session": cookie},
                          timeout=60).raise_for_status()  # warm
                for rate in rates:
                    result = load(url, auth, rate, seconds, server.pid)
                    print(f"{label} offered {rate:.0f} req/s for {seconds:.0f} s: p50 {result['p50']:.1f} ms, "
                          f"p99 {result['p99']:.1f} ms, served {result['served_rps']:.0f} req/s, shed (503) "
                          f"{result['shed']:.0f} of {result['sent']:.0f}, errors {result['errors']:.0f}; CPU: load "
                          f"generator {result['loadgen_cpu_s']:.1f} s ({result['loadgen_cpu_ms']:.2f} ms a request), "
                          f"servers {result['server_cpu_s']:.1f} s "
                          f"({result['server_cpu_ms']:.1f} ms a request, {result['server_cpu_ms_answered']:.1f} ms an "
                          f"answered one) in {result['elapsed']:.1f} s; load average "
                          f"{loadavg()}")
                summary[name] = result
        finally:
            server.terminate()
            server.wait(30)
            errors = [line for line in server_log.read_text().splitlines() if "Error" in line]
            if errors:
                print(f"server logged {len(errors)} error line(s), e.g.: {errors[0][:200]}")
    db_kind = "postgresql" if args.database_url else "sqlite"
    used = os.times()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {db_kind}; "
          f"this process's CPU {used.user - cpu_start.user + used.system - cpu_start.system:.1f} s "
          f"(children {used.children_user - cpu_start.children_user:.1f} s), max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
    parts = [f"calendar_alone_p50_ms={percentile(cal, 50):.1f} calendar_alone_p95_ms={percentile(cal, 95):.1f}",
             f"rate={args.rate:.0f}"]
    for name, result in summary.items():
        parts.append(f"{name}_p50_ms={result['p50']:.1f} {name}_p99_ms={result['p99']:.1f} "
                     f"{name}_served_rps={result['served_rps']:.0f} {name}_shed={result['shed']:.0f} "
                     f"{name}_errors={result['errors']:.0f} {name}_loadgen_cpu_s={result['loadgen_cpu_s']:.1f} "
                     f"{name}_loadgen_cpu_ms_per_request={result['loadgen_cpu_ms']:.2f} "
                     f"{name}_server_cpu_ms_per_request={result['server_cpu_ms']:.1f} "
                     f"{name}_server_cpu_ms_per_answered={result['server_cpu_ms_answered']:.1f}")
    print("web: " + " ".join(parts) + f" workers={args.workers} posts={args.posts} inbox={args.inbox_items} "
          f"db={db_kind} load={loadavg()}")


if __name__ == "__main__":
    main()
