"""UTM tags: the workspace's defaults, a channel's overrides, and adding them to a link.

Values are templates: `{channel}` (the channel's name), `{network}`, `{post_id}`, `{date}` (the post's
day, YYYY-MM-DD, in the post's time zone). Parameters already in a link are kept as the author wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from slugify import slugify

from socialdesk.core.errors import ValidationFailed

PARAMETERS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
PLACEHOLDERS = ("channel", "network", "post_id", "date")
DEFAULTS = {"utm_source": "{network}", "utm_medium": "social", "utm_campaign": "{date}"}


@dataclass(frozen=True)
class UtmContext:
    channel: str
    network: str
    post_id: str
    date: str

    def values(self) -> dict[str, str]:
        return {"channel": slugify(self.channel) or "channel", "network": self.network, "post_id": self.post_id,
                "date": self.date}


def check_template(name: str, template: str) -> str:
    """A template as typed, or a clear error naming what is wrong in it."""
    template = (template or "").strip()
    if len(template) > 200:
        raise ValidationFailed(f"{name}: at most 200 characters.")
    rest = template
    for placeholder in PLACEHOLDERS:
        rest = rest.replace("{" + placeholder + "}", "")
    if "{" in rest or "}" in rest:
        raise ValidationFailed(f"{name}: unknown placeholder in {template!r}; use only "
                               + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ".")
    return template


def fill(template: str, context: UtmContext) -> str:
    text = template
    for key, value in context.values().items():
        text = text.replace("{" + key + "}", value)
    return text


def tagged(url: str, templates: Mapping[str, str], context: UtmContext) -> str:
    """The link with the UTM parameters added; those already in it are kept, so are the rest and the anchor."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k.lower() for k, _ in query}
    added = [(name, fill(template, context)) for name, template in templates.items()
             if name in PARAMETERS and template and name not in present]
    added = [(name, value) for name, value in added if value]
    if not added:
        return url
    joined = parts.query + ("&" if parts.query else "") + urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))
