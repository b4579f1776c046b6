"""Four weeks of simulated history on three sandbox channels, shared by the tests of this module:
best-time recovery, dashboards, reports (PDF, CSV, XLSX), pages, the API and the CLI."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from socialdesk.analytics import best_time
from socialdesk.analytics.periods import Period, last_days
from socialdesk.analytics.post_values import Age, post_records
from socialdesk.channels import service as channels
from socialdesk.content.models import Post, Publication
from socialdesk.core import clock as clock_module
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, set_database
from socialdesk.core.timezones import zone
from socialdesk.networks.base import POST_METRICS
from socialdesk.networks.sandbox import admin
from socialdesk.networks.sandbox import server as sandbox_server
from socialdesk.reports import exports, files
from socialdesk.reports import service as reports
from tests.analytics.history import post_history
from tests.helpers import World, apply_settings, fresh_database, install_clock, make_world
from tests.web_client import signed_in_client

SHARED_WORLD = True  # one world for the whole module (see conftest._settings)
TIMEZONE = "Europe/Zagreb"
HANDLES = ("best_a", "best_b", "best_c")


@dataclass
class History:
    db: Database
    world: World
    channel_ids: dict[str, str]  # handle -> channel id
    client: TestClient
    period: Period
    end: datetime

    @property
    def w(self) -> str:
        return self.world.workspace_id


@pytest.fixture(scope="module")
def history(_template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    folder = tmp_path_factory.mktemp("history")
    previous = clock_module.get_clock()
    with pytest.MonkeyPatch.context() as monkeypatch:
        apply_settings(monkeypatch, folder / "data")
        db = fresh_database(_template_db, folder)
        clock = install_clock()
        world = make_world(db, "Kava", profiles=(), timezone=TIMEZONE)
        with db.unit_of_work() as session:
            ctx = world.ctx(session)
            ids = {h: channels.connect(ctx, "sandbox", f"Kava {h}", handle=h, profile="x", audience_size=3000,
                                       timezone=TIMEZONE).id for h in HANDLES}
        # One text, as in the sandbox's own measurement (docs/sandbox.md): only the hour varies.
        post_history(db, clock, list(ids.values()), days=28, seed=11, timezone=TIMEZONE, texts=("News from us",))
        client, _ = signed_in_client(db, world.users["owner"])
        end = clock.now()
        yield History(db, world, ids, client, last_days(35, end, TIMEZONE), end)
        sandbox_server.reset(db.url)
        set_database(None)
        db.dispose()
    clock_module.set_clock(previous)
    reset_settings_cache()


@pytest.fixture(autouse=True)
def _installed(history: History) -> None:
    """Other modules' tests replace the process's database and clock between ours: put ours back."""
    set_database(history.db)
    install_clock(history.end)


# Best time to post ------------------------------------------------------------------------------


@pytest.mark.parametrize("handle", HANDLES)
def test_best_time_recovers_the_simulated_peak_within_an_hour(history: History, handle: str) -> None:
    with history.db.read_sessions() as session:
        found = best_time.recommend(history.world.ctx(session), history.channel_ids[handle])
    truth = admin.audience_activity(handle)
    assert truth.timezone == TIMEZONE and found.source == "posts", found.message
    best = found.slots[0].hour
    distance = min(min(abs(best - peak), 24 - abs(best - peak)) for peak in truth.peak_hours)
    assert distance <= 1, (handle, [s.hour for s in found.slots], truth.peak_hours)
    assert 0 < found.slots[0].p_best <= 1 and found.slots[0].low is not None
    assert sum(map(sum, found.counts)) == found.posts_used >= best_time.MIN_POSTS


def test_the_queue_can_use_the_best_times(history: History) -> None:
    ids = list(history.channel_ids.values())
    session = history.db.sessions()
    try:
        ctx = history.world.ctx(session)
        weekly = best_time.best_weekly_times(ctx, ids)
        first = best_time.next_best_slot(ctx, ids)
        # Once that time is taken on one of the channels, the next best free time is another one.
        post = Post(workspace_id=history.w, text="Taken", scheduled_at=first)
        session.add(post)
        session.flush()
        session.add(Publication(workspace_id=history.w, post_id=post.id, channel_id=ids[0], status="scheduled",
                                scheduled_at=first))
        session.flush()
        second = best_time.next_best_slot(ctx, ids)
    finally:
        session.rollback()  # the shared world stays as it was
        session.close()
    hours = {int(t[:2]) for _, t in weekly}
    assert first.astimezone(zone(TIMEZONE)).hour in hours and second.astimezone(zone(TIMEZONE)).hour in hours
    assert history.end < first < second


def test_too_little_history_gives_no_recommendation(history: History) -> None:
    with history.db.read_sessions() as session:
        ctx = history.world.ctx(session)
        early = best_time.recommend(ctx, history.channel_ids["best_a"], now=history.period.start)
    assert early.source == "none" and not early.slots
    assert early.message.startswith("Not enough data")


# Dashboards, the API and the pages ---------------------------------------------------------------


def test_dashboard_api(history: History) -> None:
    answer = history.client.get(f"/api/v1/workspaces/{history.w}/analytics/dashboard", params={"days": 28})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    kpis = {k["key"]: k for k in body["kpis"]}
    assert kpis["posts"]["value"] > 0
    rate = kpis["engagement_rate_followers"]
    assert rate["low"] < rate["value"] < rate["high"] and rate["n"] >= 5
    assert kpis["reach"]["value"] is None and kpis["reach"]["missing"] == "not available on these networks"
    assert {b["key"] for b in body["breakdowns"]} == {"network", "content_type", "length", "hashtag", "weekday",
                                                      "hour"}
    assert body["top"] and body["top"][0]["rate"] >= body["bottom"][0]["rate"]
    channel_id = history.channel_ids["best_b"]
    one = history.client.get(f"/api/v1/workspaces/{history.w}/channels/{channel_id}/dashboard",
                             params={"period": history.period.key, "age": "24h"}).json()
    assert one["channel_ids"] == [channel_id]
    best = history.client.get(f"/api/v1/workspaces/{history.w}/channels/{channel_id}/best-time").json()
    assert best["source"] == "posts" and len(best["heatmap"]) == 7 and len(best["heatmap"][0]) == 24
    definitions = history.client.get(f"/api/v1/workspaces/{history.w}/analytics/definitions").json()
    assert {"engagement_rate_reach", "virality", "follower_churn", "roas"} <= {d["key"] for d in definitions}


def test_pages(history: History) -> None:
    w = f"/w/{history.w}"
    page = history.client.get(f"{w}/analytics")
    assert page.status_code == 200
    assert "Engagement rate by followers" in page.text and "engagements ÷ followers when published × 100" in page.text
    assert "chart-4.6.1.umd.min.js" in page.text and 'id="chart-data"' in page.text
    channel = history.client.get(f"{w}/channels/{history.channel_ids['best_a']}/analytics")
    assert channel.status_code == 200 and 'class="heatmap"' in channel.text
    assert history.client.get(f"{w}/analytics/definitions").status_code == 200
    assert history.client.get(f"{w}/goals").status_code == 200
    assert history.client.get(f"{w}/reports").status_code == 200
    suggestion = history.client.get(f"{w}/compose/best-time",
                                    params={"channel_ids": list(history.channel_ids.values())})
    assert "Best free time" in suggestion.text and "data-use-time" in suggestion.text


# Reports ---------------------------------------------------------------------------------------------


def test_the_pdf_report_renders_with_its_kpi_table(history: History) -> None:
    from pypdf import PdfReader

    answer = history.client.get(f"/api/v1/workspaces/{history.w}/report",
                                params={"period": history.period.key, "format": "pdf"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(answer.content))
    assert len(pdf.pages) > 0
    text = " ".join(page.extract_text() for page in pdf.pages)
    for expected in ("Key figures", "Engagement rate by followers", "Followers", "Best and worst posts", "Goals",
                     "Definitions"):
        assert expected in text, expected


def test_the_csv_export_round_trips(history: History) -> None:
    with history.db.read_sessions() as session:
        ctx = history.world.ctx(session)
        report = reports.build(ctx, history.period)
        made = files.make(report, "csv")
        expected = {r.publication_id: r for r in post_records(ctx, history.period.start, history.period.end,
                                                              age=Age.D7)}
    rows = list(csv.DictReader(io.StringIO(made.data.decode("utf-8"))))
    assert made.filename.endswith(".csv") and len(rows) == len(expected) > 50
    for row in rows:
        record = expected[row["publication_id"]]
        values = record.values or {}
        for metric in POST_METRICS:
            cell = row[metric]
            assert (int(cell) if cell else None) == values.get(metric), (metric, row)
        assert row["measured"] == str(record.values is not None)
    # Not offered (X has no reach) is an empty cell, never 0.
    assert all(row["reach"] == "" for row in rows)
    kpis = list(csv.reader(io.StringIO(exports.to_csv(report, "kpis").decode())))
    assert kpis[0][:4] == ["metric", "label", "unit", "value"]


def test_the_xlsx_export_has_every_table(history: History) -> None:
    from openpyxl import load_workbook

    answer = history.client.get(f"/w/{history.w}/reports/download",
                                params={"period": history.period.key, "format": "xlsx"})
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == list(exports.TABLES)
    assert book["posts"].max_row > 50 and book["kpis"]["A1"].value == "metric"


def test_cli_writes_a_report_with_a_progress_bar(history: History, tmp_path: Path) -> None:
    from socialdesk.cli import app

    target = tmp_path / "report.pdf"
    result = CliRunner().invoke(app, ["report", "--workspace", "Kava", "--period", history.period.key, "--format",
                                      "pdf", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF") and re.search(r"wrote .*report\.pdf", result.output)
    assert "Done" in result.output
