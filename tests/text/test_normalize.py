"""What the triage models read: disguises taken off, links and handles as the training data had them."""

from __future__ import annotations

import pytest

from socialdesk.text.normalize import MAX_MODEL_CHARS, for_model


@pytest.mark.parametrize(("text", "expected"), [
    ("j3bo te p@s", "jebo te pas"),
    ("f1ck d1ch", "fick dich"),
    ("д е б и л", "дебил"),
    ("This is a S-C-A-M!!", "This is a SCAM!!"),
    ("s.p.a.m", "spam"),
    ("sh!t", "shit"),
    ("wow!!", "wow!!"),
    ("soooooo goooood!!!!!!", "sooo goood!!!"),
    ("Ｆｒｅｅ ｍｏｎｅｙ", "Free money"),
    ("𝐟𝐫𝐞𝐞 𝐦𝐨𝐧𝐞𝐲", "free money"),
    ("f\u200bu\u200bc\u200bk", "fuck"),
    ("\u202eeviL\u202c", "eviL"),
    ("see https://x.example/a?b=1 @mike.s and @user", "see http @user and @user"),
    ("10k followers, 500€, 3pm, mp3, 2024", "10k followers, 500€, 3pm, mp3, 2024"),
    ("Koliko košta? 🙂 #kava", "Koliko košta? 🙂 #kava"),
])
def test_for_model(text: str, expected: str) -> None:
    assert for_model(text) == expected


def test_long_texts_are_cut_at_a_word() -> None:
    cut = for_model("word " * 1000)
    assert len(cut) <= MAX_MODEL_CHARS and cut.endswith("word")
    assert len(for_model("x" * 5000)) <= MAX_MODEL_CHARS
