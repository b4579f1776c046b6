"""A monitor's terms as one search query, for sources that take alternatives in one string."""

from __future__ import annotations

from collections.abc import Sequence


def alternatives(queries: Sequence[str], separator: str, limit: int) -> str:
    """`a<sep>b<sep>"two words"`: phrases quoted, repeats dropped, cut at whole alternatives under `limit`."""
    parts: list[str] = []
    for query in dict.fromkeys(q.strip() for q in queries if q.strip()):
        part = f'"{query}"' if " " in query and not query.startswith('"') else query
        if len(separator.join([*parts, part])) > limit:
            break
        parts.append(part)
    return separator.join(parts)
