"""Security headers on every answer: what the browser may load, frame and send along.

Scripts come only from /static (no inline script, no eval), so text a user or a network wrote can never run
as script even if a template forgot to escape it. Inline *style attributes* stay allowed: the analytics bars
and heat maps set their widths and colours per value, and a style cannot run script in a current browser.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",  # the favicon and report logos are data: URLs
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Only over HTTPS: a browser told this over plain HTTP ignores it, and a test install on http://host:8000
# must not be locked to HTTPS for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*HEADERS, HSTS] if scope.get("scheme") == "https" else HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in extra if h[0] not in present)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allow_form_targets(response: Response, *sources: str) -> Response:
    """Let this page's forms lead to other sites: a sign-in form posts here and is redirected to the
    network's sign-in page, and browsers apply the page's form-action to that redirect too (Chromium
    refuses it under `form-action 'self'`)."""
    response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", " ".join(("form-action 'self'", *sources)))
    return response
