"""Absolute links this site sends out (in e-mails), made from the request that asked for them."""

from __future__ import annotations

from fastapi import Request


def invitation_link(request: Request, secret: str) -> str:
    return str(request.url_for("invitation_page", invitation_token=secret))


def review_link(request: Request, secret: str) -> str:
    return str(request.url_for("review_page", token=secret))
