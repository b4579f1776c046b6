"""Calls to the Telegram Bot API, and the sorting of its answers into socialdesk's error classes.

Every method is `POST <base>/bot<token>/<method>` (https://core.telegram.org/bots/api#making-requests)
and every answer is JSON: `{"ok": true, "result": …}` or
`{"ok": false, "error_code": 400, "description": "Bad Request: …", "parameters": {"retry_after": 5}}`.

The token is part of the address, so it is kept out of every message and log line here, and the `httpx`
logger (which writes request addresses at INFO) gets a filter that masks it.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx

from socialdesk.core.config import get_settings
from socialdesk.networks import outbound
from socialdesk.networks.base import (
    AuthError,
    NetworkError,
    OutcomeUnknown,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)

DOCS = "https://core.telegram.org/bots/api"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# An upload of up to 50 MB (the cloud Bot API's cap) may take a while to send.
UPLOAD_TIMEOUT = httpx.Timeout(30.0, connect=10.0, write=300.0)
PERSONAL_REFUSALS = ("blocked by the user", "user is deactivated", "can't initiate conversation")
_TOKEN_IN_PATH = re.compile(r"/bot[^/\s]+/")


def mask(text: str) -> str:
    """`text` with any bot token in an address replaced (tokens are secrets)."""
    return _TOKEN_IN_PATH.sub("/bot***/", text)


class _MaskTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask(str(a)) if isinstance(a, str | httpx.URL) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True


_masking = _MaskTokens()
if _masking not in logging.getLogger("httpx").filters:
    logging.getLogger("httpx").addFilter(_masking)


class BotApi:
    """One bot's view of the Bot API. No I/O until a method is called."""

    def __init__(self, token: str, base_url: str | None = None) -> None:
        self.token = token
        self.base_url = (base_url or get_settings().telegram_api_url).rstrip("/")

    def _url(self, method: str) -> str:
        return f"{self.base_url}/bot{self.token}/{method}"

    def call(self, method: str, params: dict[str, Any] | None = None, *,
             files: dict[str, tuple[str, bytes, str]] | None = None, write: bool = False) -> Any:
        """The method's `result`. `write`: the call changes something on Telegram (a lost answer is then
        OutcomeUnknown, never a reason to send again). With `files`, parameters go as multipart form
        fields (objects JSON-serialised, as the docs ask); otherwise as a JSON body."""
        if not self.token:
            raise AuthError("No bot token is stored for this channel; connect it again.")
        params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            with outbound.http_client(timeout=UPLOAD_TIMEOUT if files else TIMEOUT) as client:
                if files:
                    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
                    response = client.post(self._url(method), data=form, files=files)
                else:
                    response = client.post(self._url(method), json=params)
        except NetworkError:
            raise  # the outbound policy refused the address
        except httpx.HTTPError as error:
            refused = outbound.refusal_in(error)
            if refused is not None:
                raise refused from None
            why = mask(f"{type(error).__name__}: {error}")
            if write and not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
                raise OutcomeUnknown(f"No answer from Telegram to {method} ({why}).") from None
            raise TransientNetworkError(f"Cannot reach Telegram ({why}).") from None
        return _result(method, response, write=write)


def _result(method: str, response: httpx.Response, *, write: bool) -> Any:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and answer.get("ok") is True:
        return answer.get("result")
    if not isinstance(answer, dict):
        # Not the Bot API's own answer (a proxy's error page, a cut-off body).
        message = f"Telegram answered {method} with HTTP {response.status_code} and no Bot API answer."
        if response.status_code >= 500 or response.status_code == 200:
            if write:
                raise OutcomeUnknown(message, status_code=response.status_code)
            raise TransientNetworkError(message, status_code=response.status_code)
        raise PermanentNetworkError(message, status_code=response.status_code)
    raise error_for(method, answer, write=write, status=response.status_code)


def error_for(method: str, answer: dict[str, Any], *, write: bool, status: int) -> NetworkError:
    """The socialdesk error for a Bot API error answer, with Telegram's own description."""
    code = int(answer.get("error_code") or status)
    description = str(answer.get("description") or f"HTTP {code}")
    parameters = answer.get("parameters") or {}
    details = {"method": method, "error_code": code, "parameters": parameters}
    if code == 429 or "retry_after" in parameters:
        return RateLimited(description, status_code=code, retry_after=float(parameters.get("retry_after") or 1),
                           details=details)
    if code == 401 or (code == 404 and method == "getMe"):
        # 401 Unauthorized: the token was revoked in @BotFather (or never existed); 404 on getMe: a token
        # in a shape Telegram does not route.
        return AuthError(description, status_code=code, details=details)
    if code == 403:
        if any(words in description for words in PERSONAL_REFUSALS):
            # One person blocked the bot or left Telegram: the channel itself is fine.
            return PermanentNetworkError(description, status_code=code, details=details)
        # "Forbidden: bot was kicked from the channel chat", "… is not a member …": a person must act.
        return AuthError(description, status_code=code, details=details)
    if code >= 500:
        if write:
            return OutcomeUnknown(description, status_code=code, details=details)
        return TransientNetworkError(description, status_code=code, details=details)
    return PermanentNetworkError(description, status_code=code, details=details)
