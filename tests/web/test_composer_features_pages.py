"""The composer page's thread, poll, content warning, visibility and first comment: the live preview shows
them as the network would, a channel without them says why, and a saved post shows each part's outcome."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.content.models import Post
from socialdesk.jobs.runner import Runner
from tests.web.conftest import Site


def _form(site: Site, **extra: object) -> dict[str, object]:
    x = site.world.channels["x"]
    return {"text": "Which coffee today?", "channel_ids": [x], "thread": "More about the beans\n---\nAnd the price",
            "poll_options": "Espresso\nFilter", "poll_seconds": "3600", f"opt_{x}_first_comment": "Vote by noon",
            **extra}


def test_the_preview_shows_the_thread_the_poll_and_the_first_comment(site: Site) -> None:
    response = site.post(f"{site.w}/compose/check", _form(site))
    assert response.status_code == 200
    page = response.text
    assert 'data-thread-part="2"' in page and 'data-thread-part="3"' in page and "And the price" in page
    assert 'aria-label="Poll"' in page and "Espresso" in page and "ends in 1 hour" in page
    assert "data-first-comment" in page and "Vote by noon" in page


def test_a_channel_without_threads_or_polls_says_so_and_a_plain_post_there_is_fine(site: Site) -> None:
    instagram = site.world.channels["instagram"]
    form = _form(site, channel_ids=[site.world.channels["x"], instagram], media_ids=[site.media_id])
    page = site.post(f"{site.w}/compose/check", form).text
    assert "has no threads" in page and "has no native polls" in page
    page = site.post(f"{site.w}/compose/check", {**form, f"plain_{instagram}": "1"}).text
    assert "has no threads" not in page


def test_a_published_thread_shows_each_part_and_the_first_comment_with_its_outcome(site: Site) -> None:
    response = site.post(f"{site.w}/compose", _form(site, intent="publish_now"))
    assert response.status_code == 303, response.text[:2000]
    Runner(site.db).run_pending()
    with site.db.read_sessions() as session:
        post_id = session.scalars(select(Post.id).where(Post.text == "Which coffee today?")).one()
    page = site.client.get(f"{site.w}/posts/{post_id}").text
    assert 'data-step="thread_part-2"' in page and 'data-step="thread_part-3"' in page
    assert 'data-step="first_comment-0"' in page and "Poll:</strong>" in page and "Espresso" in page
    # A few hours later the poll's votes are among the post's numbers.
    from datetime import timedelta

    from socialdesk.core import clock as clock_module

    clock_module.get_clock().advance(timedelta(hours=3))  # type: ignore[attr-defined]
    Runner(site.db).run_pending()
    page = site.client.get(f"{site.w}/posts/{post_id}").text
    assert page.count("data-poll-votes") == 2
    # Edit page round trip: the composer shows the saved thread and poll again.
    edit = site.client.get(f"{site.w}/posts/{post_id}/edit")
    assert edit.status_code == 200
