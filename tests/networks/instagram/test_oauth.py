"""Facebook Login for Business for an Instagram channel, from the channels page, against the Meta contract
server: Instagram's permissions in the dialog, the code traded for a long-lived user token, the Instagram
account linked to a Page found through /me/accounts, the Page's token kept."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from tests.helpers import make_world
from tests.networks.instagram.conftest import Instagram
from tests.web_client import signed_in_client

V = r"/v\d+\.\d+"


def test_sign_in_connects_the_instagram_account_linked_to_a_page(database: Database, instagram: Instagram) -> None:
    world_ = instagram.world
    outlet = world_.add_page("Brand Outlet", admins=[instagram.user["id"]])
    second = world_.add_instagram_account(outlet["id"], "brand.outlet", name="Outlet", followers_count=10)
    world_.add_page("No Instagram here", admins=[instagram.user["id"]])
    world = make_world(database, profiles=(), roles=("editor",))
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    started = client.post(f"{w}/channels/connect", data={"network": "instagram", "name": "Outlet IG",
                                                         "ig_user_id": second["id"]})
    assert started.status_code == 303, started.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    assert {"instagram_basic", "instagram_content_publish", "instagram_manage_comments",
            "instagram_manage_insights", "pages_show_list"} <= set(query["scope"].split(","))

    code = world_.grant_code(instagram.user["id"], query["redirect_uri"])
    done = client.get("/oauth/callback", params={"state": query["state"], "code": code})
    assert done.status_code == 303 and done.headers["location"] == f"{w}/channels"
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == world.workspace_id)).one()
    assert (channel.network, channel.external_id, channel.name) == ("instagram", second["id"], "Outlet IG")
    assert channel.handle == "brand.outlet"
    credentials = decrypt_json(channel.credentials_encrypted)
    page_token = world_.tokens[credentials["access_token"]]
    assert page_token.kind == "page" and page_token.subject == outlet["id"] and page_token.expires_at is None
    assert world_.tokens[credentials["user_access_token"]].kind == "user"
    assert channel.settings["page_id"] == outlet["id"]
    assert channel.settings["other_instagram_accounts"] == [{"ig_user_id": instagram.account["id"],
                                                            "page_name": "Brand"}]
    assert [c.query.get("grant_type") for c in instagram.server.calls_to("GET", rf"{V}/oauth/access_token")] == [
        None, "fb_exchange_token"]
