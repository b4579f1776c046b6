"""F1 scores, as the benchmarks behind the data sets report them."""

from __future__ import annotations

from collections.abc import Sequence


def f1(truth: Sequence[str], predicted: Sequence[str], positive: str) -> float:
    tp = sum(t == positive and p == positive for t, p in zip(truth, predicted, strict=True))
    fp = sum(t != positive and p == positive for t, p in zip(truth, predicted, strict=True))
    fn = sum(t == positive and p != positive for t, p in zip(truth, predicted, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """The unweighted mean of each label's F1 (UMSAB's and TweetEval's sentiment measure)."""
    return sum(f1(truth, predicted, label) for label in labels) / len(labels)


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth) if truth else 0.0
