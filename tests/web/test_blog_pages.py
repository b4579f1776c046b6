"""The blogs in the web UI: their connect forms, and the composer's title box and checks for a blog channel."""

from __future__ import annotations

import pytest

from socialdesk.channels import service as channels
from socialdesk.networks import registry
from tests.content import fake_blog
from tests.web.conftest import Site


def test_channels_page_offers_wordpress_and_ghost_and_says_why_a_connection_failed(site: Site) -> None:
    for network, label, names in (("wordpress", "WordPress blog", ("site_url", "username", "app_password")),
                                  ("ghost", "Ghost blog", ("admin_url", "admin_api_key"))):
        page = site.client.get(f"{site.w}/channels?connect={network}").text
        assert f"<h3>{label}</h3>" in page
        for name in names:
            assert f'name="{name}"' in page
    # An address on this machine is refused by the outbound policy before anything is sent, and the page
    # says why; the password does not come back.
    response = site.post(f"{site.w}/channels/connect", {
        "network": "wordpress", "name": "Our blog", "site_url": "http://127.0.0.1:9",
        "username": "editor", "app_password": "abcd efgh ijkl mnop qrst uvwx"})
    assert response.status_code == 422
    assert "Cannot connect wordpress: refused: 127.0.0.1 is a loopback address" in response.text
    assert "Cannot reach" not in response.text
    assert "abcd efgh ijkl mnop qrst uvwx" not in response.text
    assert 'value="http://127.0.0.1:9"' in response.text  # typed fields stay
    bad_key = site.post(f"{site.w}/channels/connect", {
        "network": "ghost", "name": "Ghost", "admin_url": "http://127.0.0.1:9", "admin_api_key": "not-a-key"})
    assert bad_key.status_code == 422 and "Admin API key looks like" in bad_key.text


@pytest.fixture
def blog_site(site: Site, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setitem(registry.NETWORKS, "fakeblog", fake_blog.SPEC)
    with site.db.unit_of_work() as session:
        site.world.channels["blog"] = channels.connect(site.world.ctx(session), "fakeblog", "The Blog").id
    return site


def test_composer_asks_a_blog_channel_for_its_title(blog_site: Site) -> None:
    site = blog_site
    blog, x = site.world.channels["blog"], site.world.channels["x"]
    page = site.client.get(f"{site.w}/compose").text
    assert f'name="title_{blog}"' in page and f'name="tags_{blog}"' in page
    assert f'name="title_{x}"' not in page  # social channels have no title

    missing = site.post(f"{site.w}/compose", {"text": "Our story", "channel_ids": [blog, x],
                                              f"title_{blog}": "  ", "intent": "publish_now"})
    assert missing.status_code == 422
    assert "is a blog: its post needs a title" in missing.text

    saved = site.post(f"{site.w}/compose", {"text": "Our story", "channel_ids": [blog, x],
                                            f"title_{blog}": "Fish & <Chips>", f"tags_{blog}": "food, news",
                                            f"variant_{x}": "New on the blog: {blog_link}", "intent": "draft"})
    assert saved.status_code == 303
    post_id = saved.headers["location"].rsplit("/", 1)[1]
    edit = site.client.get(f"{site.w}/posts/{post_id}/edit").text
    # The title is text: shown back escaped, with the tags as typed.
    assert 'value="Fish &amp; &lt;Chips&gt;"' in edit and 'value="food, news"' in edit


def test_post_page_shows_a_held_social_post_and_why(blog_site: Site) -> None:
    from socialdesk.jobs.runner import Runner
    from socialdesk.networks.base import PermanentNetworkError

    site = blog_site
    blog, x = site.world.channels["blog"], site.world.channels["x"]
    fake_blog.BLOG.posts.clear()
    fake_blog.BLOG.fail_with = PermanentNetworkError("Sorry, you are not allowed to publish posts.")
    try:
        saved = site.post(f"{site.w}/compose", {"text": "Our story", "channel_ids": [blog, x],
                                                f"title_{blog}": "The story", "intent": "publish_now"})
        assert saved.status_code == 303, saved.text[:500]
        Runner(site.db).run_pending()
    finally:
        fake_blog.BLOG.fail_with = None
    page = site.client.get(saved.headers["location"]).text
    assert "Held:" in page and "Waiting for the blog post on The Blog" in page
    assert "not allowed to publish posts" in page
    assert "Title:</strong> The story" in page
