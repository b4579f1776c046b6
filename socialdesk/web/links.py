"""Absolute links this site sends out (in e-mails), made from the request that asked for them."""

from __future__ import annotations

from fastapi import Request

from socialdesk.workspaces.models import Workspace


def invitation_link(request: Request, secret: str) -> str:
    return str(request.url_for("invitation_page", invitation_token=secret))


def review_link(request: Request, secret: str, workspace: Workspace | None = None) -> str:
    """The review page's address: on the workspace's custom domain where it has one (white-label)."""
    address = str(request.url_for("review_page", token=secret))
    if workspace is not None and workspace.custom_domain:
        from socialdesk.agency.white_label import public_link

        return public_link(workspace, request.app.url_path_for("review_page", token=secret))
    return address
