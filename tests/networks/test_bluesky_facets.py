"""Bluesky facets point at UTF-8 byte ranges: the text before a facet (emoji, Croatian, Cyrillic) moves them."""

from __future__ import annotations

from socialdesk.networks.bluesky.facets import LINK, MENTION, TAG, find_facets

DIDS = {"ana.bsky.social": "did:plc:ana", "marko.test": "did:plc:marko"}


def _resolve(handle: str) -> str | None:
    return DIDS.get(handle)


def _covered(text: str, facet_start: int, facet_end: int) -> str:
    return text.encode("utf-8")[facet_start:facet_end].decode("utf-8")


def test_offsets_count_bytes_after_emoji_croatian_and_cyrillic() -> None:
    text = "Čćžšđ 🎉👩‍👩‍👧 Привет, мир! #ljeto2026 pita @ana.bsky.social: https://primjer.hr/ljeto?x=1."
    facets = find_facets(text, _resolve)
    assert [(f.kind, f.value) for f in facets] == [
        (TAG, "ljeto2026"), (MENTION, "did:plc:ana"), (LINK, "https://primjer.hr/ljeto?x=1")]
    assert [_covered(text, f.byte_start, f.byte_end) for f in facets] == [
        "#ljeto2026", "@ana.bsky.social", "https://primjer.hr/ljeto?x=1"]
    tag = facets[0]
    # Code-point indices would be wrong here: the prefix is 26 code points but 56 bytes.
    assert text.index("#ljeto2026") == 26 and tag.byte_start == 56
    assert tag.to_record() == {"index": {"byteStart": 56, "byteEnd": 66},
                               "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "ljeto2026"}]}


def test_cyrillic_and_croatian_tags_and_bare_domains() -> None:
    text = "Добродошли #Загреб i #čevapi na primjer.hr/meni"
    facets = find_facets(text, _resolve)
    assert [(f.kind, f.value, _covered(text, f.byte_start, f.byte_end)) for f in facets] == [
        (TAG, "Загреб", "#Загреб"), (TAG, "čevapi", "#čevapi"), (LINK, "https://primjer.hr/meni", "primjer.hr/meni")]


def test_unknown_handles_fediverse_addresses_and_anchors_stay_plain_text() -> None:
    text = "@nobody.example and @ana@mastodon.social see https://x.hr/a#frag and email me@marko.test"
    facets = find_facets(text, _resolve)
    assert [(f.kind, f.value) for f in facets] == [(LINK, "https://x.hr/a#frag")]


def test_a_mention_with_a_full_stop_after_it() -> None:
    text = "Hvala @marko.test."
    (facet,) = find_facets(text, _resolve)
    assert facet.value == "did:plc:marko" and _covered(text, facet.byte_start, facet.byte_end) == "@marko.test"


def test_handles_resolve_case_insensitively() -> None:
    asked: list[str] = []
    find_facets("Hi @Marko.Test", lambda h: asked.append(h) or "did:plc:marko")
    assert asked == ["marko.test"]
