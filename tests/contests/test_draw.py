"""The draw's algorithm on its own: fair, without modulo bias, and any tampering found."""

from __future__ import annotations

import copy
import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from socialdesk.contests import draw

SEED = "ab" * 32


def _record(n: int = 7, winners: int = 2, reserves: int = 1, public_value: str = "") -> dict:
    entrants = [{"id": f"bluesky:did:plc:{i:03d}", "handle": f"fan{i}.bsky.social", "network": "bluesky",
                 "entry_url": f"https://bsky.app/p/{i}"} for i in range(n)]
    digest = draw.entrants_digest(entrants)
    picked = draw.pick(SEED, digest, public_value, [e["id"] for e in entrants], winners + reserves)
    return {"algorithm": draw.ALGORITHM, "seed": SEED, "commitment": draw.commitment(SEED), "entrants": entrants,
            "entrants_digest": digest, "public_value": public_value, "winners": picked[:winners],
            "reserves": picked[winners:]}


def test_the_commitment_is_the_sha256_of_the_seed_as_written() -> None:
    assert draw.commitment(SEED) == hashlib.sha256(SEED.encode()).hexdigest()


def test_the_entrant_digest_does_not_depend_on_order_or_extra_fields() -> None:
    entrants = _record()["entrants"]
    shuffled = list(reversed(entrants))
    shuffled[0] = {**shuffled[0], "reasons": ["ignored"], "entries": 3}
    assert draw.entrants_digest(shuffled) == draw.entrants_digest(entrants)
    renamed = copy.deepcopy(entrants)
    renamed[0]["handle"] = "someone-else"
    assert draw.entrants_digest(renamed) != draw.entrants_digest(entrants)


def test_a_true_record_verifies_and_each_kind_of_tampering_is_named() -> None:
    record = _record(public_value="drand-round-123")
    assert draw.verify(record) == []
    swapped = copy.deepcopy(record)
    swapped["entrants"][0]["handle"] = "cheat"
    assert any(p.startswith("entrants:") for p in draw.verify(swapped))
    reseeded = {**record, "seed": "cd" * 32}
    problems = draw.verify(reseeded)
    assert any(p.startswith("commitment:") for p in problems)
    loser = next(e["id"] for e in record["entrants"] if e["id"] not in record["winners"] + record["reserves"])
    crowned = {**record, "winners": [loser, *record["winners"][1:]]}
    assert [p.split(":")[0] for p in draw.verify(crowned)] == ["winners"]
    other_value = {**record, "public_value": "drand-round-124"}
    assert [p.split(":")[0] for p in draw.verify(other_value)][:1] == ["winners"]


def test_winners_are_distinct_and_never_more_than_the_entrants() -> None:
    ids = [f"e{i}" for i in range(5)]
    picked = draw.pick(SEED, "d", "", ids, 10)
    assert sorted(picked) == sorted(ids)


def test_each_entrant_wins_equally_often_over_many_draws() -> None:
    """7 entrants, 1 winner, 21,000 seeds: each expected 3,000 times; a chi-square over 6 degrees of freedom
    beyond 22.46 would happen by chance once in 1,000 runs (the seeds are fixed, so this is deterministic)."""
    ids = [f"e{i}" for i in range(7)]
    draws = 21_000
    counts = Counter(draw.pick(hashlib.sha256(str(i).encode()).hexdigest(), "digest", "", ids, 1)[0]
                     for i in range(draws))
    expected = draws / len(ids)
    chi_square = sum((counts[i] - expected) ** 2 / expected for i in ids)
    assert chi_square < 22.46, counts


def test_rejection_sampling_removes_modulo_bias() -> None:
    """With n = 3·2^62, plain `r mod n` would pick the lowest 2^62 values twice as often; rejection keeps
    every value equally likely: the numbers at or above the limit are skipped, not folded."""
    n = 3 * 2**62
    values = iter([2**64 - 1, 2**64 - 2, 5])  # the first two lie above 2^64 - (2^64 mod n)
    assert draw._below(values, n) == 5
    assert draw._below(iter([n - 1]), n) == n - 1


def test_the_stand_alone_verifier_needs_nothing_of_socialdesk(tmp_path: Path) -> None:
    import json

    source = Path(draw.__file__).read_text()
    assert "socialdesk" not in "".join(line for line in source.splitlines() if line.startswith(("import", "from")))
    alone = tmp_path / "draw.py"
    alone.write_text(source)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_record()))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**_record(), "seed": "00" * 32}))
    ok = subprocess.run([sys.executable, "-I", str(alone), str(good)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("OK")
    wrong = subprocess.run([sys.executable, "-I", str(alone), str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert wrong.returncode == 1 and "MISMATCH commitment" in wrong.stdout


@pytest.mark.parametrize("n", [1, 2, 3, 10, 1000])
def test_any_entrant_count_draws_within_range(n: int) -> None:
    ids = [f"e{i}" for i in range(n)]
    assert set(draw.pick(SEED, "d", "", ids, min(n, 3))) <= set(ids)
