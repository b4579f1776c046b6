"""Every page renders, for the owner and for a viewer: one prepared world shared by the module (read-only)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.contests import service as contests
from socialdesk.core import clock as clock_module
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, set_database
from socialdesk.jobs.runner import Runner
from socialdesk.web import pages
from tests.helpers import PASSWORD, apply_settings, fresh_database, install_clock
from tests.web.conftest import Site, build_site
from tests.web_client import web_app

SHARED_WORLD = True  # one world for the whole module (see conftest._settings); no test here changes it
PAGES = ["", "/calendar", "/calendar?view=week", "/calendar?view=week&date=2026-03-29", "/compose", "/posts",
         "/posts?status=scheduled&q=beans", "/approvals", "/comments", "/comments?unanswered=true", "/channels",
         "/media", "/queue", "/settings"]


def _page_routes() -> list[str]:
    """Every GET page, from the pages router itself, so a new page is covered the day it is added."""
    return sorted({route.path for route in iter_route_contexts(pages.router.routes)
                   if "GET" in (route.methods or ()) and route.path not in ("/login", "/")})


@pytest.fixture(scope="module")
def shared(_template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, TestClient]]:
    folder = tmp_path_factory.mktemp("pages")
    previous = clock_module.get_clock()
    with pytest.MonkeyPatch.context() as monkeypatch:
        apply_settings(monkeypatch, folder / "data")
        database = fresh_database(_template_db, folder)
        install_clock()
        site = build_site(database)
        site.contest_id = _contest(database, site)  # type: ignore[attr-defined]
        site.campaign_id, site.quiz_id = _campaign_and_quiz(database, site)  # type: ignore[attr-defined]
        viewer = TestClient(web_app(), follow_redirects=False)
        viewer.post("/login", data={"email": site.world.users["viewer"], "password": PASSWORD})
        yield site, viewer
        set_database(None)
        database.dispose()
    clock_module.set_clock(previous)
    reset_settings_cache()


def _contest(database: Database, site: Site) -> str:
    """A giveaway on a post published on the X-like channel (a contest runs on published posts)."""
    with database.unit_of_work() as session:
        post_id = content.compose(site.world.ctx(session), PostIn(
            text="Giveaway! #win", channel_ids=[site.world.channels["x"]], intent=Intent.PUBLISH_NOW)).post.id
    Runner(database).run_pending()
    with database.unit_of_work() as session:
        ctx = site.world.ctx(session)
        publication = content.publications(ctx, content.get_post(ctx, post_id))[0]
        return contests.create(ctx, name="Giveaway", opens_at=clock_module.now(),
                               closes_at=clock_module.now() + timedelta(days=1), publication_ids=[publication.id]).id


def _campaign_and_quiz(database: Database, site: Site) -> tuple[str, str]:
    from socialdesk.campaigns import service as campaigns
    from socialdesk.quizzes import service as quizzes

    with database.unit_of_work() as session:
        ctx = site.world.ctx(session)
        start = clock_module.now() + timedelta(hours=1)
        quiz = quizzes.create(ctx, name="Quiz", channel_ids=[site.world.channels["x"]], questions=[
            quizzes.QuestionIn("Which bean?", ["arabica"], start, start + timedelta(hours=2))])
        return campaigns.create(ctx, name="Launch", budget=100.0).id, quiz.id


def _fill(site: Site, path: str) -> str:
    ids = {"workspace_id": site.world.workspace_id, "post_id": site.post_id,
           "publication_id": site.publication_id, "media_id": site.media_id, "channel_id": site.world.channels["x"],
           "invitation_token": "no-such-invitation", "contest_id": site.contest_id,  # type: ignore[attr-defined]
           "campaign_id": site.campaign_id, "quiz_id": site.quiz_id,  # type: ignore[attr-defined]
           # Addresses networks call (tests/test_network_infrastructure.py): a forged token, a network
           # without webhooks.
           "token": "forged", "name": "photo.jpg", "network": "sandbox", "hook_channel_id": site.world.channels["x"]}
    return re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], path)


@pytest.mark.parametrize("path", _page_routes())
def test_every_page_route_renders_for_the_owner(shared: tuple[Site, TestClient], path: str) -> None:
    site, _ = shared
    response = site.client.get(_fill(site, path))
    expected = 303 if path.endswith("{publication_id}") else 200  # a publication opens its post
    if path == "/oauth/callback":
        expected = 422  # a network's OAuth return address, opened without the flow's state
    if path == "/invitations/{invitation_token}" or path.startswith(("/public-media/", "/webhooks/")):
        expected = 404  # an invitation link never sent, a forged media link, a network without webhooks
    if path.startswith("/review/{token}"):
        expected = 404  # a review link that was never sent (tests/agency/test_review_links.py opens real ones)
    if path.startswith(tuple(PUBLIC_LINKS)):
        expected = PUBLIC_LINKS[next(p for p in PUBLIC_LINKS if path.startswith(p))]
    assert response.status_code == expected, (response.status_code, response.text[:500])


# Public addresses opened here with a forged token or a name nobody has (each is tested with real ones in its
# own tests: tests/links/, tests/contests/test_announce_results_links.py, tests/test_password_reset.py).
PUBLIC_LINKS = {"/l/": 404, "/ical/": 404, "/bio/": 404, "/draws/": 404, "/password-reset/": 410}


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_the_owner(shared: tuple[Site, TestClient], path: str) -> None:
    site, _ = shared
    response = site.client.get(f"{site.w}{path}")
    assert response.status_code == 200, response.text[:500]
    assert "<title>" in response.text and "Sign out" in response.text


@pytest.mark.parametrize("path", PAGES)
def test_a_viewer_sees_every_page_without_the_writing_controls(shared: tuple[Site, TestClient], path: str) -> None:
    site, viewer = shared
    response = viewer.get(f"{site.w}{path}")
    assert response.status_code == 200, response.text[:500]
    assert "✎ New post" not in response.text
    assert "Save draft" not in response.text


def test_post_page_shows_each_channel_and_its_actions(shared: tuple[Site, TestClient]) -> None:
    site, _ = shared
    page = site.client.get(f"{site.w}/posts/{site.post_id}").text
    assert "Brand A x" in page and "X-like sandbox" in page
    assert f"/publications/{site.publication_id}/cancel" in page
    assert '<span class="hl-link">https://example.com/beans</span>' in page


def test_edit_page_is_the_composer_filled_in(shared: tuple[Site, TestClient]) -> None:
    site, _ = shared
    page = site.client.get(f"{site.w}/posts/{site.post_id}/edit").text
    assert "Fresh beans today #coffee https://example.com/beans</textarea>" in page
    assert 'value="2026-03-04"' in page and 'value="10:00"' in page
    assert f'value="{site.world.channels["x"]}" data-channel-toggle checked' in page
