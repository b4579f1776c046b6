"""Ad report import and campaign summary: a Meta Ads Manager export of many ads × days read, checked and
saved on SQLite, imported a second time (every row replaced), then the campaign summary (totals, eight
metrics with bootstrap intervals, pacing); and the sandbox auction's speed per ad-day.

    .venv/bin/python bench/ads.py [--quick] [--rows N]

Last line: `ads: rows=N read_s=… save_s=… reimport_s=… summary_s=… auction_ms_per_ad_day=…`.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def export(rows: int) -> bytes:
    """A Meta Ads Manager export (ad level, by day) of `rows` rows: 50 ads × rows/50 days."""
    rng = random.Random(5)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Campaign name", "Ad set name", "Ad name", "Ad ID", "Reporting starts", "Reporting ends",
                     "Amount spent (EUR)", "Impressions", "Reach", "Link clicks", "Purchases",
                     "Purchases conversion value"])
    days = max(1, rows // 50)
    for ad in range(50):
        for d in range(days):
            day = (date(2025, 1, 1) + timedelta(days=d)).isoformat()
            impressions = rng.randint(500, 5000)
            clicks = rng.randint(0, impressions // 50)
            bought = rng.randint(0, max(0, clicks // 10))
            writer.writerow([f"Campaign {ad % 5}", f"Set {ad % 10}", f"Ad {ad}", str(120000 + ad), day, day,
                             f"{impressions * rng.uniform(3, 9) / 1000:.2f}", impressions, int(impressions * 0.8),
                             clicks, bought, f"{bought * 30:.2f}"])
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 rows instead of 100,000")
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    rows = args.rows or (10_000 if args.quick else 100_000)

    from tests.helpers import bench_world

    db, world = bench_world("ads", profiles=())
    from socialdesk.campaigns import ad_import, service
    from socialdesk.networks.sandbox import ads as auction
    from socialdesk.networks.sandbox.audience import AccountParams, population

    data = export(rows)

    started = time.perf_counter()
    parsed = ad_import.read(data, "bench.csv")
    read_s = time.perf_counter() - started
    assert not parsed.errors, parsed.errors[:3]
    started = time.perf_counter()
    with db.unit_of_work() as session:
        service.import_export(world.ctx(session), parsed, label="bench.csv")
    save_s = time.perf_counter() - started
    started = time.perf_counter()
    with db.unit_of_work() as session:
        again = service.import_export(world.ctx(session), ad_import.read(data, "bench.csv"), label="bench.csv")
    reimport_s = time.perf_counter() - started
    started = time.perf_counter()
    with db.unit_of_work() as session:
        ctx = world.ctx(session)
        summary = service.summary(ctx, "Campaign 0")
    summary_s = time.perf_counter() - started

    settings = {"languages": {"hr": 0.6, "en": 0.4}, "timezone": "Europe/Zagreb", "topics": ["food"]}
    pop = population(AccountParams.from_settings("bench", 1, 10_000, datetime(2026, 1, 1, tzinfo=UTC), settings))
    spec = auction.AdSpec("b", "Fresh coffee beans #coffee", date(2026, 3, 1), 30, 20.0, 8.0)
    auction.deliver(pop, spec)  # warm the caches
    started = time.perf_counter()
    auction.deliver(pop, spec)
    auction_ms = (time.perf_counter() - started) * 1000 / 30

    print(f"Import of a Meta export with {len(parsed.rows):,} rows (SQLite): read and checked in {read_s:.2f} s, "
          f"saved in {save_s:.2f} s; imported again (all {again.replaced:,} rows replaced) in {reimport_s:.2f} s")
    print(f"Campaign summary over {summary['rows']:,} rows (totals, 8 metrics with bootstrap intervals, pacing): "
          f"{summary_s:.2f} s; ROAS {summary['roas']:.3f} ({summary['intervals']['roas']['low']:.3f}–"
          f"{summary['intervals']['roas']['high']:.3f})")
    print(f"Sandbox auction: {auction_ms:.1f} ms per ad-day on an audience of 10,000")
    print(f"ads: rows={len(parsed.rows)} read_s={read_s:.2f} save_s={save_s:.2f} reimport_s={reimport_s:.2f} "
          f"summary_s={summary_s:.2f} auction_ms_per_ad_day={auction_ms:.1f}")


if __name__ == "__main__":
    main()
