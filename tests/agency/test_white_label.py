"""White-label: the sender name of e-mails sent for a workspace, and a custom domain for client-facing links."""

from __future__ import annotations

from email.message import Message
from email.utils import parseaddr

import pytest

from socialdesk.agency import white_label
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Forbidden, ValidationFailed
from socialdesk.jobs.runner import Runner
from socialdesk.notifications.people import tell
from tests.helpers import make_world
from tests.mail import smtp_server_fixture  # noqa: F401 (a fixture)

NEW_PASSWORD = "a Long and unusual passphrase 42"


def test_white_label_sets_the_sender_name_and_the_domain_of_client_links(
        database: Database, clock: ManualClock, smtp_server: list[Message]) -> None:
    world = make_world(database, "Kava Co", profiles=("mastodon",))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        for domain, problem in [("https://review.kava.hr", "domain alone"), ("not a domain", "not a domain"),
                                ("kava.hr/review", "domain alone")]:
            with pytest.raises(ValidationFailed, match=problem):
                white_label.update(ctx, sender="", domain=domain)
        with pytest.raises(ValidationFailed, match="plain name"):
            white_label.update(ctx, sender="Kava <x@evil.test>", domain="")
        with pytest.raises(Forbidden):
            white_label.update(world.ctx(session, "editor"), sender="Kava", domain="")
        assert white_label.public_link(ctx.workspace, "/review/abc") == "/review/abc"  # no base known: the path
        white_label.update(ctx, sender="Kava Co. Zagreb", domain="Review.Kava.hr.")
        assert ctx.workspace.custom_domain == "review.kava.hr"
        assert white_label.public_link(ctx.workspace, "/review/abc") == "https://review.kava.hr/review/abc"
        tell(session, world.workspace_id, "mention", "Ana mentioned you", user_ids=[ctx.actor.user_id or ""])
    Runner(database).run_pending()
    sent = smtp_server[-1]
    assert parseaddr(sent["From"]) == ("Kava Co. Zagreb", "reports@socialdesk.test")
    with database.unit_of_work() as session:
        white_label.update(world.ctx(session), sender="", domain="")
        tell(session, world.workspace_id, "mention", "Again", user_ids=[world.ctx(session).actor.user_id or ""])
    Runner(database).run_pending()
    assert parseaddr(smtp_server[-1]["From"])[0] == "Kava Co"  # no sender name set: the workspace's name


def test_the_settings_form_saves_white_label_and_explains_bad_input(database: Database) -> None:
    from tests.web_client import signed_in_client

    world = make_world(database, profiles=("mastodon",))
    client, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    assert "White-label" in client.get(f"{w}/settings").text
    bad = client.post(f"{w}/settings/white-label", data={"csrf_token": csrf, "sender": "", "domain": "http://x"})
    assert "domain alone" in client.get(bad.headers["location"]).text
    client.post(f"{w}/settings/white-label", data={"csrf_token": csrf, "sender": "Brand A", "domain": "r.brand.hr"})
    assert 'value="r.brand.hr"' in client.get(f"{w}/settings").text
    editor, _ = signed_in_client(database, world.users["editor"])
    assert editor.post(f"{w}/settings/white-label", data={"domain": "x.hr"}).status_code == 403

