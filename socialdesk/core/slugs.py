"""Slugs: a name as lowercase ASCII words joined by single hyphens, for file names and addresses."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(name: str, fallback: str = "workspace") -> str:
    """ "Kava & Co. (demo)" -> "kava-co-demo"; "Čokolada Šime" -> "cokolada-sime".

    ASCII only: the slug goes into Content-Disposition headers and file names on every system.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub("-", ascii_name.lower()).strip("-") or fallback
