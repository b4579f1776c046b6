"""Facebook Login for Business from the channels page, against the Meta contract server: the dialog address,
the code traded for a long-lived user token, the Page and its token from /me/accounts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from tests.helpers import make_world
from tests.networks.facebook.conftest import Facebook
from tests.web_client import signed_in_client

V = r"/v\d+\.\d+"


def test_sign_in_connects_the_page(database: Database, clock: ManualClock, fb: Facebook) -> None:
    second = fb.world.add_page("Brand Outlet", admins=[fb.user["id"]])
    world = make_world(database, profiles=(), roles=("editor",))
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    started = client.post(f"{w}/channels/connect", data={"network": "facebook", "name": "Outlet",
                                                         "page_id": second["id"]})
    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith(f"https://www.facebook.com/{fb.world.version}/dialog/oauth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["client_id"] == fb.world.app_id and query["response_type"] == "code"
    assert "pages_manage_posts" in query["scope"] and query["redirect_uri"] == "http://testserver/oauth/callback"

    # The person accepts in Facebook's dialog: Facebook sends the browser back with a code.
    code = fb.world.grant_code(fb.user["id"], query["redirect_uri"])
    done = client.get("/oauth/callback", params={"state": query["state"], "code": code})
    assert done.status_code == 303 and done.headers["location"] == f"{w}/channels"

    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == world.workspace_id)).one()
    assert channel.network == "facebook" and channel.external_id == second["id"] and channel.name == "Outlet"
    credentials = decrypt_json(channel.credentials_encrypted)
    page_token = fb.world.tokens[credentials["access_token"]]
    assert page_token.kind == "page" and page_token.subject == second["id"] and page_token.expires_at is None
    user_token = fb.world.tokens[credentials["user_access_token"]]
    assert user_token.kind == "user" and user_token.expires_at
    assert user_token.expires_at > clock.now().timestamp() + 86400  # the long-lived one
    assert channel.settings["other_pages"] == [{"id": fb.page["id"], "name": "Brand"}]
    exchanges = fb.server.calls_to("GET", rf"{V}/oauth/access_token")
    assert [c.query.get("grant_type") for c in exchanges] == [None, "fb_exchange_token"]
    assert all(c.query["client_secret"] == fb.world.app_secret for c in exchanges)
    # The code is single use: the replayed callback connects nothing more.
    assert client.get("/oauth/callback", params={"state": query["state"], "code": code}).status_code == 422


def test_the_channels_page_offers_the_facebook_form_and_takes_a_token(database: Database, clock: ManualClock,
                                                                      fb: Facebook) -> None:
    world = make_world(database, profiles=(), roles=("editor",))
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    form = client.get(f"{w}/channels?connect=facebook")
    assert form.status_code == 200 and 'name="page_id"' in form.text and 'name="access_token"' in form.text
    done = client.post(f"{w}/channels/connect", data={"network": "facebook", "name": "FB",
                                                      "page_id": fb.page["id"], "access_token": fb.token})
    assert done.status_code == 303
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == world.workspace_id)).one()
    assert channel.external_id == fb.page["id"] and channel.handle == "brand"
    wrong = client.post(f"{w}/channels/connect", data={"network": "facebook", "page_id": fb.page["id"],
                                                       "access_token": "EAAwrong"})
    assert wrong.status_code in (400, 422) and "Invalid OAuth access token" in wrong.text
