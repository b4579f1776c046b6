"""Notification jobs: an e-mail sent at once, the daily digest, a message to a team chat."""

from __future__ import annotations

from socialdesk.core.db import get_database
from socialdesk.jobs.registry import task
from socialdesk.notifications import people


@task("notifications.email", max_attempts=5)
def email(notification_id: str) -> None:
    with get_database().unit_of_work() as session:
        people.send_email(session, notification_id)


@task("notifications.digest", every_seconds=3600)
def digest() -> None:
    with get_database().unit_of_work() as session:
        people.send_digests(session)


@task("notifications.chat", max_attempts=5)
def chat(webhook_id: str, text: str, link: str | None = None) -> None:
    db = get_database()
    try:
        with db.unit_of_work() as session:
            people.post_to_chat(session, webhook_id, text, link)
    except Exception as exc:
        with db.unit_of_work() as session:
            people.note_chat_failure(session, webhook_id, exc)
        raise


@task("notifications.reminders", every_seconds=900)
def reminders() -> None:
    """Conversations past the response target, posts past their due date: each told once."""
    from socialdesk.notifications import reminders as checks

    with get_database().unit_of_work() as session:
        checks.run(session)
