"""Listening throughput and alert latency through a monitor, on the sandbox's public conversation.

1. Ingestion: a monitor on `sandbox:SEED` for the word "kava" (Croatian only) is run once over
   `--days` days of the simulated world: every post is matched (lemmas), the matching ones triaged with the
   inbox's models (socialdesk/text/triage.py, the shipped cascade), de-duplicated and stored, and the
   hours judged for bursts. mentions_per_s = mentions stored / seconds of the run (fetch, match, triage,
   store and judge all included).
2. Alert latency: the monitor is then run hour by hour up to and through the next scheduled burst (as the
   scheduler does every minute); alert_latency_s is the wall-clock time of the run that ingests the
   burst's first hour and raises its alert: the time from "the posts are there" to "the alert is stored
   and announced", not counting the polling interval (listening.tasks.EVERY_SECONDS = 60 s, so add up to
   a minute in production, or the source's own indexing delay).

    python bench/listening.py --quick          # 8 days of history (~200 mentions), < 1 min
    python bench/listening.py --days 30        # a month

The last line is `listening: mentions_per_s=X alert_latency_s=X`.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 days of history (under a minute)")
    parser.add_argument("--days", type=int, default=30, help="days of the simulated world to ingest at once")
    args = parser.parse_args()
    days = 8 if args.quick else max(args.days, 8)

    logging.getLogger("socialdesk").setLevel(logging.ERROR)  # the alerts' own log lines would fill the screen
    from tests.helpers import bench_world

    db, world = bench_world("listening", profiles=(), roles=())
    from sqlalchemy import select

    from socialdesk.core import clock
    from socialdesk.core.clock import ManualClock
    from socialdesk.listening import service, sources
    from socialdesk.listening.models import ListeningAlert, Monitor
    from socialdesk.networks.public import sandbox_conversation as conversation
    from socialdesk.text.triage import TriageInput, triage

    triage([TriageInput("zagrijavanje modela")])  # load the models before the clock starts

    # The first scheduled burst at least `days` days into the world: the history is ingested in one run.
    origin = conversation.EPOCH + timedelta(weeks=350)
    burst = next(b for b in conversation.scheduled_bursts(SEED, ["kava"], origin + timedelta(days=days),
                                                          origin + timedelta(days=days + 14)))
    start = burst.start - timedelta(hours=6)
    manual = ManualClock(start)
    clock.set_clock(manual)
    sources.SANDBOX_BACKFILL = timedelta(days=days)
    with db.unit_of_work() as session:
        monitor = service.add_monitor(world.ctx(session), name="Kava", terms=["kava"], languages=["hr"],
                                      sources=[f"sandbox:{SEED}"])
        monitor.created_at = start - timedelta(days=days)
        began = time.perf_counter()
        first = service.run_monitor(session, monitor)
        ingest_s = time.perf_counter() - began
    rate = first.new / ingest_s
    print(f"ingestion: {days} days, {first.fetched} posts fetched, {first.matched} matching, {first.new} stored "
          f"in {ingest_s:.2f} s -> {rate:.1f} mentions/s")

    latency = None
    hourly: list[float] = []
    while manual.now() < burst.end + timedelta(hours=1):
        manual.advance(timedelta(hours=1))
        with db.unit_of_work() as session:
            monitor = session.scalars(select(Monitor)).one()
            began = time.perf_counter()
            result = service.run_monitor(session, monitor)
            took = time.perf_counter() - began
            hourly.append(took)
            raised = [a for a in session.scalars(select(ListeningAlert).where(ListeningAlert.id.in_(result.alerts)))
                      if a.kind == "burst"]
        if raised and latency is None:
            latency = took
            print(f"burst alert raised by the run at {manual.now():%Y-%m-%d %H:%M} UTC (burst {burst.start:%H:%M}-"
                  f"{burst.end:%H:%M}, {burst.kind}): {raised[0].message}; that run took {took:.3f} s")
    print(f"hourly runs: {len(hourly)}, median {sorted(hourly)[len(hourly) // 2]:.3f} s")
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, load {load:.2f}")
    if latency is None:
        print("no burst alert was raised (see docs/listening.md for the method's limits)")
    shown = f"{latency:.3f}" if latency is not None else "none"
    print(f"listening: mentions_per_s={rate:.1f} alert_latency_s={shown}")


if __name__ == "__main__":
    main()
