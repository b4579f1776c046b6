"""`socialdesk password …`: a password-reset link made by the operator (no e-mail needed), e.g. for people
created by a workspace import (docs/agency.md, "Password reset")."""

from __future__ import annotations

from typing import Annotated

import typer

from socialdesk.cli import console
from socialdesk.cli_help import PlainHelpGroup

password_app = typer.Typer(help="Password resets: a link for a person to choose a new password.",
                           no_args_is_help=True, cls=PlainHelpGroup)


@password_app.command("reset-link")
def reset_link(email: Annotated[str, typer.Argument(help="The person's sign-in address")]) -> None:
    """Print a single-use link (valid one hour) for the person to choose a new password; give it to them
    yourself. Older links of theirs stop working."""
    from socialdesk.auth import password_reset
    from socialdesk.auth.service import user_by_email
    from socialdesk.core.config import get_settings
    from socialdesk.core.db import get_database
    from socialdesk.core.errors import NotFound

    with get_database().unit_of_work() as session:
        user = user_by_email(session, email)
        if user is None or not user.is_active:
            raise NotFound(f"No active account signs in with {email}.")
        secret = password_reset.new_link(session, user)
    base = get_settings().public_url
    path = f"/password-reset/{secret}"
    console.print(f"{base.rstrip('/')}{path}" if base else path, highlight=False, soft_wrap=True)
    if not base:
        console.print("(Set SOCIALDESK_PUBLIC_URL to print a full address; prefix the path with this server's.)",
                      highlight=False)
