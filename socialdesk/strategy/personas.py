"""Personas with fields a specialist fills in, so the platform comparison can measure how much of each
network's audience matches them (strategy/overlap.py, docs/strategy.md "Personas").

A persona is kept in the workspace's plan (strategy_plans.personas, JSON) as
`{"id", "name", "description", "languages", "countries", "timezone", "age_min", "age_max", "genders",
"interests"}`; every field but the name may be empty, and an empty field is not compared. Personas saved
before these fields existed have only a name and a description and still show.

Validation names the field and says what to write instead: the form and the API show the message as is.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.core.timezones import zone

GENDERS = ("female", "male")
MIN_AGE, MAX_AGE = 13, 100  # the networks report no one under 13 (their terms), and stop around 65+
MAX_ITEMS = 20
MAX_KEYWORD = 40
LANGUAGE_RE = re.compile(r"[a-z]{2,3}")
COUNTRY_RE = re.compile(r"[A-Z]{2}")
GENDER_WORDS = {"f": "female", "female": "female", "woman": "female", "women": "female",
                "m": "male", "male": "male", "man": "male", "men": "male"}


@dataclass
class Persona:
    name: str
    description: str = ""
    languages: list[str] = field(default_factory=list)  # ISO 639 codes, e.g. hr, en
    countries: list[str] = field(default_factory=list)  # ISO 3166-1 alpha-2, e.g. HR, DE
    timezone: str = ""  # IANA name, e.g. Europe/Zagreb
    age_min: int | None = None
    age_max: int | None = None
    genders: list[str] = field(default_factory=list)  # female and/or male; empty: everyone
    interests: list[str] = field(default_factory=list)  # keywords, e.g. coffee, brewing
    id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def age_range(self) -> str:
        if self.age_min is None and self.age_max is None:
            return ""
        return f"{self.age_min or MIN_AGE}–{self.age_max or MAX_AGE}"


def _items(value: str | Iterable[str] | None) -> list[str]:
    """A comma- or space-separated text, or a list, as its non-empty items (in order, once each)."""
    if value is None:
        return []
    parts = re.split(r"[,;\s]+", value) if isinstance(value, str) else [str(v) for v in value]
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _age(value: int | str | None, what: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationFailed(f"{what} is a whole number of years, not {value!r}.") from None
    if not MIN_AGE <= number <= MAX_AGE:
        raise ValidationFailed(f"{what} is between {MIN_AGE} and {MAX_AGE} years (networks report no one "
                               f"younger than {MIN_AGE}), not {number}.")
    return number


def clean(name: str, description: str = "", *, languages: str | Iterable[str] | None = None,
          countries: str | Iterable[str] | None = None, timezone: str | None = None,
          age_min: int | str | None = None, age_max: int | str | None = None,
          genders: str | Iterable[str] | None = None, interests: str | Iterable[str] | None = None,
          persona_id: str = "") -> Persona:
    """A persona from what a person typed, or ValidationFailed saying which field to fix and how."""
    name = " ".join("".join(c if c.isprintable() else " " for c in (name or "")).split())
    if not name or len(name) > 100:
        raise ValidationFailed("Give the persona a name of at most 100 characters (e.g. Busy parent).")
    langs = [x.lower() for x in _items(languages)]
    wrong = [x for x in langs if not LANGUAGE_RE.fullmatch(x)]
    if wrong:
        raise ValidationFailed(f"Languages: {', '.join(map(repr, wrong))} is not a language code; write two- or "
                               "three-letter ISO 639 codes separated by commas, e.g. hr, en.")
    codes = [x.upper() for x in _items(countries)]
    wrong = [x for x in codes if not COUNTRY_RE.fullmatch(x)]
    if wrong:
        raise ValidationFailed(f"Countries: {', '.join(map(repr, wrong))} is not a country code; write two-letter "
                               "ISO 3166 codes separated by commas, e.g. HR, SI, DE.")
    tz = (timezone or "").strip()
    if tz:
        try:
            zone(tz)
        except ValidationFailed as error:
            raise ValidationFailed(f"Time zone: {error.message}") from None
    low, high = _age(age_min, "The youngest age"), _age(age_max, "The oldest age")
    if low is not None and high is not None and low > high:
        raise ValidationFailed(f"The age range runs from {low} to {high}: the youngest age must not be above "
                               "the oldest (e.g. 25 to 40).")
    chosen = []
    for word in _items(genders):
        found = GENDER_WORDS.get(word.lower())
        if found is None:
            raise ValidationFailed(f"Gender: {word!r} is not one the networks report; choose female, male or "
                                   "leave it empty for everyone.")
        chosen.append(found)
    chosen = list(dict.fromkeys(chosen))
    if set(chosen) == set(GENDERS):
        chosen = []  # both is the same as no restriction
    words = _items(interests.replace(";", ",").split(",") if isinstance(interests, str) else interests)
    words = [" ".join(w.lower().lstrip("#").split()) for w in words]
    long = [w for w in words if len(w) > MAX_KEYWORD]
    if long:
        raise ValidationFailed(f"Interests: {long[0][:50]!r} is too long for a keyword; write keywords of at most "
                               f"{MAX_KEYWORD} characters separated by commas, e.g. coffee, home brewing.")
    for what, values in (("languages", langs), ("countries", codes), ("interests", words)):
        if len(values) > MAX_ITEMS:
            raise ValidationFailed(f"A persona has at most {MAX_ITEMS} {what} ({len(values)} given); keep the "
                                   "ones that matter most.")
    return Persona(name, (description or "").strip()[:2000], langs, codes, tz, low, high, chosen,
                   [w for w in words if w], persona_id or secrets.token_hex(6))


def load(stored: Any) -> Persona:
    """A persona as kept in the plan (older ones have only a name and a description)."""
    data = stored if isinstance(stored, dict) else {}
    known = {k: data[k] for k in Persona.__dataclass_fields__ if k in data}
    persona = Persona(**{"name": str(data.get("name") or "?"), **known})
    if not persona.id:
        persona.id = "p" + hashlib.sha256(persona.name.encode()).hexdigest()[:11]  # older entries: from the name
    return persona


def find(stored: list[Any], name_or_id: str) -> int:
    wanted = " ".join((name_or_id or "").split()).casefold()
    for index, entry in enumerate(stored):
        persona = load(entry)
        if persona.id == name_or_id or persona.name.casefold() == wanted:
            return index
    raise NotFound(f"No persona named {name_or_id!r} in this workspace.")
