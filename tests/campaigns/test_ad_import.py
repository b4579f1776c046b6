"""Ad report exports: each platform's file is recognised and read; a bad file saves nothing; a re-import
replaces; `ads summary` prints values checked by hand (docs/ads.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from socialdesk.campaigns import ad_import, service
from socialdesk.campaigns.models import AdResult, Campaign
from socialdesk.cli import app
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from tests.helpers import make_world

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ads"
runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _rows(db: Database) -> int:
    with db.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(AdResult)) or 0


@pytest.mark.parametrize(("name", "platform", "rows", "currency", "decimal", "first"), [
    ("meta_en.csv", "meta", 6, "EUR", ".", date(2026, 11, 2)),
    ("meta_de.csv", "meta", 6, "EUR", ",", date(2026, 11, 2)),
    ("meta_hr.csv", "meta", 6, "EUR", ",", date(2026, 11, 2)),
    ("google_en.csv", "google", 5, "EUR", ".", date(2026, 11, 2)),
    ("google_de.csv", "google", 2, "EUR", ",", date(2026, 11, 2)),
    ("linkedin_en.csv", "linkedin", 3, "EUR", ".", date(2026, 11, 13)),
    ("tiktok_en.csv", "tiktok", 3, "EUR", ".", date(2026, 11, 2)),
    ("x_en.csv", "x", 2, "USD", ".", date(2026, 11, 2)),
    ("vk_ru.csv", "vk", 2, "RUB", ",", date(2026, 11, 2)),
])
def test_each_platforms_export_is_recognised(name: str, platform: str, rows: int, currency: str, decimal: str,
                                             first: date) -> None:
    parsed = ad_import.read_file(FIXTURES / name)
    assert parsed.errors == []
    assert parsed.fmt.platform == platform
    assert len(parsed.rows) == rows  # total lines ("Total: Account", "Gesamt: Konto") are left out
    assert parsed.currencies == {currency}
    assert parsed.decimal == decimal
    assert parsed.period is not None and parsed.period[0] == first


def test_localised_meta_exports_read_the_same_numbers() -> None:
    english, german, croatian = (ad_import.read_file(FIXTURES / n) for n in ("meta_en.csv", "meta_de.csv",
                                                                              "meta_hr.csv"))
    for field in ("spend", "impressions", "reach", "link_clicks", "revenue"):
        values = [sum(r.values[field] or 0 for r in p.rows) for p in (english, german, croatian)]
        assert values[0] == pytest.approx(values[1]) == pytest.approx(values[2]), field


def test_an_xlsx_export_is_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["By Day", "Campaign name", "Ad group name", "Ad name", "Ad ID", "Currency", "Cost", "Impressions",
                  "Clicks (destination)", "Conversions"])
    sheet.append([date(2026, 11, 2), "Espresso TikTok", "18-34", "Barista", "17823", "EUR", 15.3, 6100, 88, 3])
    sheet.append(["2026-11-03", "Espresso TikTok", "18-34", "Barista", "17823", "EUR", 16.1, 6550, 95, 4])
    path = tmp_path / "tiktok.xlsx"
    book.save(path)
    parsed = ad_import.read_file(path)
    assert parsed.errors == [] and parsed.fmt.platform == "tiktok"
    assert [r.values["spend"] for r in parsed.rows] == [15.3, 16.1]
    assert parsed.rows[0].starts_on == date(2026, 11, 2)


def test_ambiguous_dates_must_be_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Campaign name,Time period,Currency,Spend,Impressions\nA,03/04/2026,USD,1.00,10\n")
    with pytest.raises(ValidationFailed, match="--date-order"):
        ad_import.read_file(path)
    parsed = ad_import.read_file(path, date_order="mdy")
    assert parsed.rows[0].starts_on == date(2026, 3, 4)


def test_a_file_of_no_known_platform_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order,amount\n1,20\n")
    with pytest.raises(ValidationFailed, match="No header row of a known ad report"):
        ad_import.read_file(path)


def test_a_bad_file_reports_every_row_error_and_saves_nothing(database: Database) -> None:
    make_world(database, "Roastery", profiles=())
    result = runner.invoke(app, ["ads", "import", "-w", "Roastery", "--file", str(FIXTURES / "meta_bad.csv")])
    assert result.exit_code == 2
    assert "line 3" in result.output and "'2026-11-33' is not a date" in result.output
    assert "line 4" in result.output and "'eleven' is not a number" in result.output
    assert "line 5" in result.output and "impressions is negative" in result.output
    assert "nothing was imported" in result.output
    assert _rows(database) == 0
    with database.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_import_and_summary_match_hand_computed_values(database: Database) -> None:
    make_world(database, "Roastery", profiles=())
    out = _ok("ads", "import", "-w", "Roastery", "--file", str(FIXTURES / "meta_en.csv"))
    assert "Meta Ads Manager" in out and "Imported 6 rows" in out and "Created campaign 'Winter Espresso Launch'" in out
    summary = json.loads(_ok("ads", "summary", "-w", "Roastery", "--campaign", "Winter Espresso Launch", "--json"))
    # By hand from tests/fixtures/ads/meta_en.csv: spend 12.50+14.00+11.25+9.75+10.50+8.00 = 66.00;
    # impressions 2500+2800+2200+1800+2100+1600 = 13,000; link clicks 40+45+30+22+28+20 = 185;
    # purchases 2+3+1+1+2 = 9; purchase value 58+87+29+29+58 = 261.
    assert summary["currency"] == "EUR"
    assert summary["spend"] == pytest.approx(66.00)
    assert summary["impressions"] == 13000
    assert summary["link_clicks"] == 185
    assert summary["clicks"] == 287
    assert summary["conversions"] == 9
    assert summary["revenue"] == pytest.approx(261.00)
    assert summary["cpc"] == pytest.approx(66 / 185, abs=1e-6)  # 0.3568
    assert summary["cpm"] == pytest.approx(66 / 13000 * 1000, abs=1e-6)  # 5.0769
    assert summary["ctr"] == pytest.approx(185 / 13000 * 100, abs=1e-6)  # 1.4231 %
    assert summary["roas"] == pytest.approx(261 / 66, abs=1e-6)  # 3.9545×
    assert summary["cpa"] == pytest.approx(66 / 9, abs=1e-6)
    assert summary["conversion_rate"] == pytest.approx(9 / 185 * 100, abs=1e-6)
    assert summary["roi"] == pytest.approx((261 - 66) / 66 * 100, abs=1e-6)
    roas = summary["intervals"]["roas"]
    assert roas["n"] == 6 and roas["low"] < summary["roas"] < roas["high"]


def test_reimporting_an_overlapping_period_replaces_never_doubles(database: Database, tmp_path: Path) -> None:
    make_world(database, "Roastery", profiles=())
    _ok("ads", "import", "-w", "Roastery", "--file", str(FIXTURES / "meta_en.csv"))
    _ok("ads", "import", "-w", "Roastery", "--file", str(FIXTURES / "meta_en.csv"))
    assert _rows(database) == 6
    # A later export of 3–5 November, with 3 and 4 November corrected: the corrected days replace the old.
    lines = (FIXTURES / "meta_en.csv").read_text().splitlines()
    later = [lines[0]] + [ln.replace("14.00", "20.00") for ln in lines[1:] if "2026-11-03" in ln]
    later.append("Winter Espresso Launch,Zagreb 25-44 coffee,Espresso video,120210000000000001,2026-11-05,"
                 "2026-11-05,5.00,1000,900,1.1,20,10,1,0.5,0,,0,0")
    path = tmp_path / "later.csv"
    path.write_text("\n".join(later) + "\n")
    out = _ok("ads", "import", "-w", "Roastery", "--file", str(path))
    assert "2 earlier rows" in out
    assert _rows(database) == 7
    summary = json.loads(_ok("ads", "summary", "-w", "Roastery", "-c", "Winter Espresso Launch", "--json"))
    assert summary["spend"] == pytest.approx(66.00 - 14.00 + 20.00 + 5.00)


def test_every_platform_imports_from_the_command_line(database: Database) -> None:
    make_world(database, "Roastery", profiles=())
    for name in ("meta_de.csv", "meta_hr.csv", "google_en.csv", "google_de.csv", "linkedin_en.csv",
                 "tiktok_en.csv", "x_en.csv", "vk_ru.csv"):
        assert "Imported" in _ok("ads", "import", "-w", "Roastery", "--file", str(FIXTURES / name))
    summary = json.loads(_ok("ads", "summary", "-w", "Roastery", "-c", "Office coffee leads", "--json"))
    assert summary["spend"] == pytest.approx(64.20 + 58.75 + 61.05)
    assert summary["roas"] == 0.0  # LinkedIn reports a conversion value of 0: a ROAS of 0, not "not available"
    assert summary["intervals"]["roas"]["missing"] == "not enough data"  # 3 rows, 5 needed for an interval


def test_a_ratio_over_zero_is_not_available(database: Database, tmp_path: Path) -> None:
    world = make_world(database, "Roastery", profiles=())
    path = tmp_path / "zero.csv"
    path.write_text("Campaign name,Ad name,Reporting starts,Reporting ends,Amount spent (EUR),Impressions,"
                    "Link clicks\nQuiet,A,2026-11-02,2026-11-02,0,0,0\n")
    _ok("ads", "import", "-w", "Roastery", "--file", str(path))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        shown = service.view(ctx, service.find(ctx, "Quiet").id)
    m = shown.results.metrics
    assert m["cpc"].value is None and m["cpc"].missing == "no clicks yet"
    assert m["cpm"].value is None and m["cpm"].missing == "no impressions yet"
    assert m["roas"].value is None and m["roas"].missing == "no revenue in the ad data"
    assert m["roas"].text.startswith("not available")


def test_reports_carry_a_paid_section(database: Database) -> None:
    from socialdesk.analytics.periods import parse_period
    from socialdesk.reports import exports
    from socialdesk.reports import service as reports

    world = make_world(database, "Roastery", profiles=())
    _ok("ads", "import", "-w", "Roastery", "--file", str(FIXTURES / "meta_en.csv"))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        report = reports.build(ctx, parse_period("2026-11", "Europe/Zagreb"))
        rows = list(exports.rows(report, "paid"))
    assert rows[0][:4] == ["campaign", "platforms", "currency", "spend"]
    assert rows[1][0] == "Winter Espresso Launch" and rows[1][3] == pytest.approx(66.0)
    assert rows[1][11] == pytest.approx(261 / 66, abs=1e-6)


def test_the_workspace_dashboard_shows_cpc_cpm_and_roas_from_ad_results(database: Database) -> None:
    from socialdesk.analytics import dashboard
    from socialdesk.analytics.periods import parse_period

    world = make_world(database, "Roastery", profiles=())
    with database.unit_of_work() as session:
        board = dashboard.build(world.ctx(session), parse_period("2026-11", "Europe/Zagreb"))
        assert {k.key: k.missing for k in board.kpis}["roas"] == "no ad data"
    _ok("ads", "import", "-w", "Roastery", "--file", str(FIXTURES / "meta_en.csv"))
    with database.unit_of_work() as session:
        kpis = {k.key: k for k in dashboard.build(world.ctx(session), parse_period("2026-11", "Europe/Zagreb")).kpis}
    assert kpis["roas"].value == pytest.approx(261 / 66) and kpis["roas"].low is not None
    assert kpis["cpc"].value == pytest.approx(66 / 185) and kpis["cpm"].n == 6
