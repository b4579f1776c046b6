"""The audience profile per channel and for the workspace, from who engaged and when (docs/strategy.md).

- **Languages**: the language triage found in each message that reached the inbox (comments, mentions,
  direct messages) in the window; spam and the channel's own replies are left out. Shares of messages,
  with the number of distinct people beside them.
- **Active hours**: those messages by hour of the day, in the workspace's time zone.
- **Time zone**: networks do not say where a commenter lives. The audience's likely UTC offset is read
  from its quiet hours: people sleep, so the 5-hour stretch of the UTC day with the fewest messages is
  taken to be 01:00-06:00 local time (where several neighbouring stretches are as quiet, the middle one);
  the offset that puts it there is reported, from MIN_MESSAGES messages on ("not enough data" below).
  For the workspace as a whole, channels more than 2 hours apart are reported as mixed, not averaged.
- **Demographics**: only where the network gives them to the account (Instagram's follower_demographics,
  VK's stats.get), as kept by the metrics collection in the channel's settings; every other network says
  why there are none.
- **Interests**: what the audience engages with, read from the posts: each hashtag and content pillar of
  the channel's posts with its mean engagements per post against the channel's other posts (a bootstrap
  interval of the difference; "higher" only when it excludes zero, at a level adjusted for the number of
  groups compared).
- **How the networks differ**: a chi-square test of homogeneity on the language counts and on the hour
  counts (in four 6-hour blocks) of the networks with MIN_MESSAGES messages or more; a difference is
  reported when p < 0.05, with the biggest gap in shares as the example.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from socialdesk.analytics import statistics as st
from socialdesk.analytics.definitions import METRICS
from socialdesk.analytics.post_values import Age, Sample, post_records
from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.inbox.models import InboxItem
from socialdesk.strategy.models import ContentPillar, PostPillar
from socialdesk.strategy.service import network_name, network_of
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.models import Workspace
from socialdesk.workspaces.permissions import Permission

MIN_MESSAGES = 30  # messages before a time zone or a difference between networks is estimated
QUIET_HOURS = 5
TOP_LANGUAGES = 6
TOP_INTERESTS = 8
BLOCKS = ("00-06", "06-12", "12-18", "18-24")
LANGUAGE_NAMES = {"en": "English", "hr": "Croatian", "sr": "Serbian", "bs": "Bosnian",
                  "hbs": "Croatian/Serbian/Bosnian", "de": "German", "es": "Spanish", "fr": "French", "ru": "Russian",
                  "it": "Italian", "pt": "Portuguese",
                  "sl": "Slovenian", "uk": "Ukrainian", "pl": "Polish", "nl": "Dutch", "und": "unknown"}
# Where a network's demographics come from, or why there are none.
DEMOGRAPHICS_SOURCE = {
    "instagram": "Instagram's follower_demographics (age, gender, city, country; accounts with 100+ followers)",
    "vk": "VK's stats.get (sex and age, cities, countries of the community's reach)",
    "facebook": "Facebook Page insights page_follows_country and page_follows_city (followers; Facebook no longer "
                "gives their age and gender)",
    "youtube": "YouTube Analytics: viewerPercentage by ageGroup and gender, views by country (signed-in viewers "
               "of the last 90 days)",
}
NOT_COLLECTED = {
    "instagram": "Instagram gives follower demographics to accounts with 100 followers or more; none collected "
                 "yet (metrics collection keeps them)",
    "facebook": "Facebook gives Page insights to Pages with 100 or more followers and a token with read_insights; "
                "none collected yet (metrics collection keeps them)",
    "youtube": "YouTube Analytics gave no demographics yet (it needs the yt-analytics.readonly scope, and YouTube "
               "leaves out groups too small to keep viewers anonymous)",
}
NO_DEMOGRAPHICS = {
    "sandbox": "the sandbox network gives no demographics: languages and hours come from its audience's messages",
}
GENDER_NAMES = {"f": "female", "female": "female", "m": "male", "male": "male", "u": "unknown",
                "user_specified": "unknown", "unknown": "unknown"}


@dataclass
class Share:
    key: str
    label: str
    count: int
    share: float  # 0..1


@dataclass
class Interest:
    kind: str  # hashtag | pillar
    label: str
    posts: int
    engagement_per_post: st.Estimate
    difference: st.Estimate  # against the channel's other posts
    verdict: str


@dataclass
class Profile:
    key: str  # channel id, or "workspace"
    name: str
    network: str
    network_name: str
    messages: int
    people: int
    languages: list[Share]
    hours: list[int]  # messages per hour of the day, workspace time zone
    peak_hours: list[int]
    utc_offset: float | None
    timezone_note: str
    demographics: dict[str, list[Share]]
    demographics_note: str
    interests: list[Interest] = field(default_factory=list)
    interests_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        def est(e: st.Estimate) -> dict[str, Any]:
            return {"value": _r(e.value), "low": _r(e.low), "high": _r(e.high), "n": e.n, "enough": e.enough}

        return {
            "key": self.key, "name": self.name, "network": self.network, "network_name": self.network_name,
            "messages": self.messages, "people": self.people,
            "languages": [s.__dict__ for s in self.languages], "hours": self.hours, "peak_hours": self.peak_hours,
            "utc_offset": self.utc_offset, "timezone_note": self.timezone_note,
            "demographics": {k: [s.__dict__ for s in v] for k, v in self.demographics.items()},
            "demographics_note": self.demographics_note,
            "interests": [{"kind": i.kind, "label": i.label, "posts": i.posts,
                           "engagement_per_post": est(i.engagement_per_post), "difference": est(i.difference),
                           "verdict": i.verdict} for i in self.interests],
            "interests_note": self.interests_note,
        }


@dataclass
class Difference:
    what: str  # languages | hours
    networks: list[str]
    p_value: float | None
    differs: bool | None  # None: not enough data
    text: str


@dataclass
class AudienceReport:
    days: int
    timezone: str
    workspace: Profile
    channels: list[Profile]
    differences: list[Difference]

    def as_dict(self) -> dict[str, Any]:
        return {"days": self.days, "timezone": self.timezone, "workspace": self.workspace.as_dict(),
                "channels": [c.as_dict() for c in self.channels],
                "differences": [d.__dict__ for d in self.differences],
                "method": "docs/strategy.md#audience-profile"}


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _language_label(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _shares(counts: Counter[str], label: Any = str, top: int | None = None) -> list[Share]:
    total = sum(counts.values())
    if not total:
        return []
    ordered = counts.most_common()
    shown, rest = (ordered[:top], ordered[top:]) if top else (ordered, [])
    result = [Share(k, label(k), c, round(c / total, 4)) for k, c in shown]
    if rest:
        other = sum(c for _, c in rest)
        result.append(Share("other", f"other ({len(rest)})", other, round(other / total, 4)))
    return result


def utc_offset(utc_hours: list[int]) -> tuple[float | None, str]:
    """The audience's likely UTC offset from its quietest QUIET_HOURS-hour stretch (taken as 01-06 local)."""
    total = sum(utc_hours)
    if total < MIN_MESSAGES:
        return None, f"not enough data: {total} messages, a time zone needs {MIN_MESSAGES}"
    counts = np.asarray(utc_hours, dtype=float)
    window = [sum(counts[(start + i) % 24] for i in range(QUIET_HOURS)) for start in range(24)]
    quietest = _middle_of_quietest(window)
    offset = (1 - quietest) % 24
    offset = offset - 24 if offset > 12 else offset
    share = window[quietest] / total
    return float(offset), (f"quietest {QUIET_HOURS} hours {quietest:02d}:00-{(quietest + QUIET_HOURS) % 24:02d}:00 UTC "
                           f"({share:.0%} of {total} messages), read as 01:00-06:00 local time")


def _middle_of_quietest(window: list[float]) -> int:
    """The start of the quietest window; where several neighbouring starts are as quiet (a long night), the
    middle one of the longest such run."""
    low = min(window)
    quiet = [w <= low + 1e-9 for w in window]
    if all(quiet):
        return 0
    best: list[int] = []
    first = next(i for i in range(24) if not quiet[i])  # start scanning after a busy hour: runs wrap midnight
    run: list[int] = []
    for step in range(1, 25):
        hour = (first + step) % 24
        if quiet[hour]:
            run.append(hour)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    return best[len(best) // 2]


@dataclass
class Tally:
    """One demographic breakdown as the network gave it: key -> count (or per cent), and n, the number of
    people (or views) the shares are of, for the interval (strategy/overlap.py)."""

    counts: dict[str, float]
    n: int


def gives_demographics(channel: Channel) -> bool:
    return channel.network != "sandbox" and network_of(channel) in DEMOGRAPHICS_SOURCE


def _key(breakdown: str, key: str) -> str:
    """One spelling for every network: ages "18-24" / "65+", genders female / male / unknown."""
    key = key.strip()
    if breakdown == "age":
        key = key.removeprefix("age")
        return key[:-1] + "+" if key.endswith("-") else key
    if breakdown == "gender":
        return GENDER_NAMES.get(key.lower(), key.lower())
    return key


def demographic_tallies(channel: Channel) -> dict[str, Tally]:
    """The channel's audience by age, gender, country and city, as its metrics collection kept them
    (channel settings → account_details); {} where the network gives none or none were collected."""
    if not gives_demographics(channel):
        return {}
    details = (channel.settings or {}).get("account_details") or {}
    if network_of(channel) == "vk":
        return _vk_tallies(details.get("days") or [])
    bases = details.get("audience_base") or {}
    found: dict[str, Tally] = {}
    for breakdown, values in (details.get("audience") or {}).items():
        counts: Counter[str] = Counter()
        for key, value in (values or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                counts[_key(breakdown, str(key))] += value
        if counts:
            base = bases.get(breakdown)
            found[breakdown] = Tally(dict(counts), int(base) if isinstance(base, int) else int(sum(counts.values())))
    return found


def _vk_tallies(days: list[Any]) -> dict[str, Tally]:
    """The newest day of VK's stats.get with demographics; sex_age ("f;18-21") split into gender and age."""
    for day in reversed(days):
        if not isinstance(day, dict):
            continue
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for entry in day.get("sex_age") or []:
            if isinstance(entry, dict) and isinstance(entry.get("count"), int) and ";" in str(entry.get("value")):
                sex, age = str(entry["value"]).split(";", 1)
                found["gender"][_key("gender", sex)] += entry["count"]
                found["age"][_key("age", age)] += entry["count"]
        for key, name in (("countries", "country"), ("cities", "city")):
            for entry in day.get(key) or []:
                if isinstance(entry, dict) and isinstance(entry.get("count"), int):
                    label = entry.get("code") if key == "countries" and entry.get("code") else entry.get("name")
                    found[name][str(label or entry.get("value") or "?")] += entry["count"]
        if found:
            return {k: Tally(dict(v), int(sum(v.values()))) for k, v in found.items()}
    return {}


def _demographics(channel: Channel) -> tuple[dict[str, list[Share]], str]:
    network = network_of(channel)
    if channel.network == "sandbox":
        return {}, NO_DEMOGRAPHICS["sandbox"]
    if network == "vk":
        found = _vk_demographics(((channel.settings or {}).get("account_details") or {}).get("days") or [])
        if found:
            return found, DEMOGRAPHICS_SOURCE["vk"]
        return {}, "VK gave no statistics to this community or token yet"
    if network in DEMOGRAPHICS_SOURCE:
        tallies = demographic_tallies(channel)
        if tallies:
            return {k: _shares(Counter(t.counts), top=8) for k, t in tallies.items()}, DEMOGRAPHICS_SOURCE[network]
        return {}, NOT_COLLECTED[network]
    return {}, f"{network_name(network)} gives no audience demographics to socialdesk"


def _vk_demographics(days: list[Any]) -> dict[str, list[Share]]:
    """The newest day of VK's stats.get that has demographics: sex_age ("f;18-21"), cities, countries."""
    for day in reversed(days):
        if not isinstance(day, dict):
            continue
        found: dict[str, list[Share]] = {}
        for key, label in (("sex_age", "sex and age"), ("cities", "city"), ("countries", "country")):
            counts: Counter[str] = Counter()
            for entry in day.get(key) or []:
                if isinstance(entry, dict) and isinstance(entry.get("count"), int):
                    counts[str(entry.get("name") or entry.get("value") or "?")] += entry["count"]
            if counts:
                found[label] = _shares(counts, top=8)
        if found:
            return found
    return {}


def _interests(ctx: WorkspaceContext, channel_ids: list[str], start: datetime,
               end: datetime) -> tuple[list[Interest], str]:
    records = [r for r in post_records(ctx, start, end, age=Age.LATEST, channel_ids=channel_ids)
               if r.values is not None]
    if not records:
        return [], "no measured posts in the window"
    values = Sample.of(records).values(METRICS["engagements"])
    pillar_of = dict(ctx.session.execute(select(PostPillar.post_id, ContentPillar.name).join(
        ContentPillar, ContentPillar.id == PostPillar.pillar_id).where(PostPillar.workspace_id == ctx.workspace_id)
        ).all())
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        if np.isnan(values[index]):
            continue
        for tag in set(record.hashtags):
            groups[("hashtag", f"#{tag}")].append(index)
        if record.post_id in pillar_of:
            groups[("pillar", pillar_of[record.post_id])].append(index)
    comparable = [k for k, idx in groups.items() if len(idx) >= st.MIN_POSTS]
    level = st.adjusted_level(max(1, len(comparable)))
    found = []
    for (kind, label), idx in groups.items():
        inside = np.zeros(len(records), dtype=bool)
        inside[idx] = True
        known = ~np.isnan(values)
        difference = st.mean_difference(values[inside & known], values[~inside & known], level=level)
        found.append(Interest(kind, label, len(idx), st.mean_ci(values[inside & known]), difference,
                              st.VERDICT_TEXT[st.verdict(difference)]))
    found.sort(key=lambda i: (i.verdict != "higher", -(i.difference.value or 0) if i.posts >= st.MIN_POSTS else 0,
                              -i.posts, i.label))
    note = "" if comparable else f"not enough data: no hashtag or pillar has {st.MIN_POSTS} measured posts yet"
    return found[:TOP_INTERESTS], note


def _profile(ctx: WorkspaceContext, key: str, name: str, network: str, items: list[tuple[Any, ...]], tz: Any,
             demographics: tuple[dict[str, list[Share]], str], interests: tuple[list[Interest], str]) -> Profile:
    languages: Counter[str] = Counter()
    hours = [0] * 24
    utc_hours = [0] * 24
    people = set()
    for author, language, received_at in items:
        languages[language or "und"] += 1
        moment = clock.utc(received_at)
        hours[moment.astimezone(tz).hour] += 1
        utc_hours[moment.hour] += 1
        people.add(author)
    offset, note = utc_offset(utc_hours)
    peaks = [h for h in sorted(range(24), key=lambda h: -hours[h]) if hours[h]][:3]
    return Profile(key, name, network, network_name(network) if network != "all" else "All networks", len(items),
                   len(people), _shares(languages, _language_label, TOP_LANGUAGES), hours, peaks, offset, note,
                   demographics[0], demographics[1], interests[0], interests[1])


def messages_by_channel(ctx: WorkspaceContext, start: datetime, end: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """The audience's messages in [start, end) per channel, spam left out: (person, language, received_at)."""
    rows = ctx.session.execute(select(InboxItem.channel_id, InboxItem.author_external_id, InboxItem.language,
                                      InboxItem.received_at).where(
        InboxItem.workspace_id == ctx.workspace_id, InboxItem.received_at >= start, InboxItem.received_at < end,
        InboxItem.spam.is_(False), InboxItem.marked_spam.is_not(True))).all()
    by_channel: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for channel_id, author, language, received_at in rows:
        by_channel[channel_id].append((f"{channel_id}:{author}", language, received_at))
    return by_channel


def profile(ctx: WorkspaceContext, *, days: int = 90, now: datetime | None = None) -> AudienceReport:
    """Every channel's audience, the workspace's as a whole, and how the networks' audiences differ."""
    ctx.require(Permission.ANALYTICS_READ)
    if not 7 <= days <= 366:
        raise ValidationFailed("The audience window is 7 to 366 days.")
    end = clock.utc(now or clock.now())
    start = end - timedelta(days=days)
    workspace = ctx.session.get(Workspace, ctx.workspace_id)
    timezone = workspace.timezone if workspace else "UTC"
    tz = zone(timezone)
    channels = list(ctx.session.scalars(ctx.select(Channel).order_by(Channel.name)))
    by_channel = messages_by_channel(ctx, start, end)
    profiles = [_profile(ctx, c.id, c.name, network_of(c), by_channel.get(c.id, []), tz, _demographics(c),
                         _interests(ctx, [c.id], start, end)) for c in channels]
    everyone = [item for items in by_channel.values() for item in items]
    whole = _profile(ctx, "workspace", "All channels", "all", everyone, tz,
                     ({}, "per channel, where its network gives them"), _interests(ctx, [c.id for c in channels],
                                                                                    start, end))
    offsets = sorted({p.utc_offset for p in profiles if p.utc_offset is not None})
    if len(offsets) > 1 and offsets[-1] - offsets[0] > 2:
        whole.utc_offset = None
        whole.timezone_note = ("mixed: the channels' audiences look like "
                               + ", ".join(f"UTC{o:+.0f}" for o in offsets) + " (see each channel)")
    by_network: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for channel in channels:
        by_network[network_of(channel)] += by_channel.get(channel.id, [])
    return AudienceReport(days, timezone, whole, profiles, differences(by_network, tz))


def differences(by_network: dict[str, list[tuple[Any, ...]]], tz: Any) -> list[Difference]:
    """Do the networks' audiences differ in language and in active hours? (chi-square test of homogeneity)"""
    counted = {n: items for n, items in by_network.items() if len(items) >= MIN_MESSAGES}
    names = sorted(counted, key=network_name)
    if len(names) < 2:
        have = ", ".join(f"{network_name(n)} {len(i)}" for n, i in sorted(by_network.items())) or "none"
        text = (f"Not enough data to compare networks: each needs {MIN_MESSAGES} messages from its audience "
                f"and at least two networks must have them (messages: {have}).")
        return [Difference(what, [network_name(n) for n in names], None, None, text) for what in ("languages", "hours")]
    found = []
    language_rows = {n: Counter(lang or "und" for _, lang, _ in counted[n]) for n in names}
    hour_rows = {n: Counter(BLOCKS[clock.utc(at).astimezone(tz).hour // 6] for _, _, at in counted[n]) for n in names}
    for what, rows, label in (("languages", language_rows, _language_label), ("hours", hour_rows, str)):
        keys = sorted({k for row in rows.values() for k in row})
        table = np.array([[rows[n].get(k, 0) for k in keys] for n in names], dtype=float)
        table = table[:, table.sum(axis=0) > 0]
        p_value = 1.0
        if table.shape[1] >= 2:
            from scipy.stats import chi2_contingency

            p_value = float(chi2_contingency(table).pvalue)
        shares = {n: {k: rows[n].get(k, 0) / sum(rows[n].values()) for k in keys} for n in names}
        gap_key, a, b = max(((k, x, y) for k in keys for x in names for y in names if x != y),
                            key=lambda t: shares[t[1]][t[0]] - shares[t[2]][t[0]])
        shown_p = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
        sizes = ", ".join(f"{network_name(n)} n = {sum(rows[n].values())}" for n in names)
        thing = "language" if what == "languages" else "active hours"
        example = (f"{label(gap_key)}{' h' if what == 'hours' else ''}: {shares[a][gap_key]:.0%} on {network_name(a)} "
                   f"against {shares[b][gap_key]:.0%} on {network_name(b)}")
        if p_value < 0.05:
            text = f"The audiences differ in {thing} (chi-square {shown_p}; {sizes}). Biggest gap — {example}."
        else:
            text = (f"No clear difference in {thing} between networks (chi-square {shown_p}; {sizes}); "
                    f"largest gap — {example}.")
        found.append(Difference(what, [network_name(n) for n in names], round(p_value, 6), p_value < 0.05, text))
    return found
