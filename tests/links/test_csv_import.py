"""CSV import: every problem of every row reported before anything is saved, then all or nothing; the
export is formula-safe; the template imports after filling in."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import func, select

from socialdesk.bulk import csv_import, export
from socialdesk.content.models import Post, Publication
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.media import service as media
from tests.helpers import image_bytes, make_world
from tests.web_client import signed_in_client


def _csv(rows: list[list[str]], header: tuple[str, ...] = ("text", "channels", "time", "intent", "media",
                                                              "first_comment")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _posts(database: Database) -> int:
    with database.read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Post)) or 0)


def test_one_bad_row_imports_nothing_and_the_fixed_file_imports(database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Kava Bar", profiles=("x", "instagram"))
    with database.unit_of_work() as session:
        media.upload(world.ctx(session), "beans.jpg", image_bytes(3, (1080, 1080)))
    good = ["Nova kava iz Etiopije! #kava", "Kava Bar x", "2026-03-05 10:00", "schedule", "", ""]
    bad_time = ["Subota: degustacija", "Kava Bar x; Kava Bar instagram", "05.03.2026 10h", "", "beans.jpg", ""]
    bad_channel = ["Treći post", "Kava Bar tiktok", "", "draft", "no-such-file.png", ""]
    hostile = ["=HYPERLINK(\"http://evil.example\")", "Kava Bar x", "", "draft", "", ""]
    data = _csv([good, bad_time, bad_channel, hostile])
    with database.unit_of_work() as session:
        result = csv_import.import_posts(world.ctx(session), data)
    assert not result.ok and result.post_ids == []
    where = {(p.row, p.column) for p in result.problems}
    # Every problem of every row, with its row (the header is row 1) and column.
    assert where == {(3, "time"), (4, "channels"), (4, "media")}, result.problems
    assert any("YYYY-MM-DD HH:MM" in p.message for p in result.problems if p.column == "time")
    assert _posts(database) == 0, "something was saved from a file with problems"

    bad_time[2] = "2026-03-07 10:00"
    bad_channel[1], bad_channel[4] = "@kavabar_instagram", "beans.jpg"
    with database.unit_of_work() as session:
        result = csv_import.import_posts(world.ctx(session), _csv([good, bad_time, bad_channel, hostile]))
    assert result.ok and len(result.post_ids) == 4, result.problems
    with database.read_sessions() as session:
        first = session.get(Post, result.post_ids[0])
        assert first is not None and first.scheduled_at is not None
        # 10:00 in Zagreb (CET in March) is 09:00 UTC.
        assert first.scheduled_at.hour == 9 and first.timezone == "Europe/Zagreb"
        statuses = {p.status for p in session.scalars(select(Publication).where(
            Publication.post_id == result.post_ids[1]))}
        assert statuses == {"scheduled"}

    # The export is formula-safe and carries every publication.
    with database.read_sessions() as session:
        rows = export.records(world.ctx(session))
    text = export.to_csv(rows)
    cells = [r["text"] for r in csv.DictReader(io.StringIO(text))]
    assert "'=HYPERLINK(\"http://evil.example\")" in cells
    assert len(json.loads(export.to_json(rows, "Kava Bar"))["publications"]) == 5


def test_a_scheduled_time_in_the_past_and_a_first_comment_nowhere_to_go_are_row_problems(
        database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Past", profiles=("x", "pinterest"))  # Pinterest has no first comment
    past = (clock.now() - timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    data = _csv([["Too late", "Past x", past, "schedule", "", ""],
                 ["Fine", "Past x", "", "draft", "", "Menu in the first comment"],
                 ["Nowhere", "Past pinterest", "", "draft", "", "a first comment"]])
    with database.unit_of_work() as session:
        result = csv_import.import_posts(world.ctx(session), data)
    assert {(p.row, p.column) for p in result.problems} == {(2, "time"), (4, "first_comment")}, result.problems
    assert _posts(database) == 0


def test_file_level_problems_and_media_addresses_go_through_the_outbound_policy(database: Database) -> None:
    world = make_world(database, "Files", profiles=("x",))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        result = csv_import.import_posts(ctx, b"txt,chanels\nHello,Files x\n")
        assert [p.row for p in result.problems] == [1, 1] and "unknown column" in result.problems[0].message
        from socialdesk.core.errors import ValidationFailed
        for broken in (b"text,channels\nA\x00B,Files x\n", b'text,channels\n"' + b"y" * 200_000 + b'",Files x\n'):
            try:
                csv_import.import_posts(ctx, broken)
            except ValidationFailed as error:
                assert "CSV" in error.message
            else:
                raise AssertionError("a file that is not CSV was read")
        result = csv_import.import_posts(ctx, _csv([["Picture", "Files x", "", "draft",
                                                     "http://127.0.0.1:9/secret.png", ""]]))
        assert [(p.row, p.column) for p in result.problems] == [(2, "media")]
        assert "loopback" in result.problems[0].message
    assert _posts(database) == 0


def test_the_import_page_and_the_template(database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Page", profiles=("x",))
    client, _ = signed_in_client(database, world.users["owner"])
    template = client.get(f"/w/{world.workspace_id}/bulk/template.csv")
    assert template.status_code == 200 and template.text.startswith(",".join(csv_import.COLUMNS))
    bad = _csv([["Hi", "Nope", "", "", "", ""]])
    answer = client.post(f"/w/{world.workspace_id}/bulk/import", files={"file": ("posts.csv", bad, "text/csv")})
    assert answer.status_code == 422 and "no channel called &#39;Nope&#39;" in answer.text
    good = _csv([["Hi <b>there</b>", "Page x", "", "", "", ""]])
    answer = client.post(f"/w/{world.workspace_id}/bulk/import", files={"file": ("posts.csv", good, "text/csv")})
    assert answer.status_code == 200 and "1 post(s) imported" in answer.text
    exported = client.get(f"/w/{world.workspace_id}/bulk/export?format=csv")
    assert exported.status_code == 200 and "Hi <b>there</b>" in exported.text


def test_the_api_and_the_cli_import_all_or_nothing(database: Database, clock: ManualClock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from socialdesk.cli import app

    world = make_world(database, "Api", profiles=("x",))
    client, _ = signed_in_client(database, world.users["owner"])
    url = f"/api/v1/workspaces/{world.workspace_id}/imports/posts"
    bad = _csv([["One", "Api x", "", "", "", ""], ["Two", "Api x", "tomorrow", "", "", ""]])
    answer = client.post(url, content=bad, headers={"content-type": "text/csv"})
    assert answer.status_code == 422
    assert [(p["row"], p["column"]) for p in answer.json()["problems"]] == [(3, "time")]
    assert _posts(database) == 0
    answer = client.post(url, content=_csv([["One", "Api x", "", "", "", ""]]), headers={"content-type": "text/csv"})
    assert answer.status_code == 200 and answer.json()["imported"] == 1
    exported = client.get(f"/api/v1/workspaces/{world.workspace_id}/exports/posts?format=json")
    assert exported.status_code == 200 and exported.json()["publications"][0]["text"] == "One"

    path = tmp_path / "posts.csv"
    path.write_bytes(bad)
    ran = CliRunner().invoke(app, ["post", "import", "--workspace", "Api", "--file", str(path)])
    assert ran.exit_code == 1 and "time" in ran.output and "Nothing was imported" in ran.output
    path.write_bytes(_csv([["Three", "Api x", "", "", "", ""]]))
    ran = CliRunner().invoke(app, ["post", "import", "--workspace", "Api", "--file", str(path)])
    assert ran.exit_code == 0 and "Imported 1 post(s)" in ran.output, ran.output
    assert _posts(database) == 2
