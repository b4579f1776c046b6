"""Charts for the PDF and printed reports, drawn by matplotlib as SVG (WeasyPrint runs no JavaScript,
so the browser's Chart.js charts cannot be used there).

Drawing a chart costs ~90 ms of CPU, nearly all of a report view whose dashboard numbers are kept
(analytics/cache.py). A chart is a function of its points alone, so the last few are kept by their
points: the report's HTML view, its PDF and the next view of either draw each chart once, and new
points (a snapshot collected since) draw a new one."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

import matplotlib
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure  # a bare Figure needs no pyplot and no display backend

WIDTH_IN, HEIGHT_IN = 7.0, 2.4
PALETTE = ("#3b5bdb", "#f08c00", "#2b8a3e", "#c2255c", "#7048e8", "#0b7285")


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    # Text as text, not glyph outlines: a smaller SVG that WeasyPrint lays out faster.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    return text[text.index("<svg"):]  # drop the XML prologue: the SVG goes inline into HTML


def _figure() -> Figure:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN))
    figure.patch.set_alpha(0)
    return figure


Days = tuple[date, date]  # the first and last day the axis shows: the report's period


def _dates(axes: object, days: Days | None) -> None:
    """A date axis held to the period, each tick a day and month ("09 Nov"): matplotlib's own limits run
    past the period's end and its concise labels then name the next month ("2026-Dec") under November."""
    if days is not None:
        first, last = days
        # Half a day either side, so the first and last day's bars are whole.
        axes.set_xlim(first - timedelta(hours=12), last + timedelta(hours=12))  # type: ignore[attr-defined]
    long_span = days is not None and (days[1] - days[0]).days > 92
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))  # type: ignore[attr-defined]
    axes.xaxis.set_major_formatter(DateFormatter("%b %Y" if long_span else "%d %b"))  # type: ignore[attr-defined]
    axes.spines[["top", "right"]].set_visible(False)  # type: ignore[attr-defined]
    axes.grid(axis="y", alpha=0.3)  # type: ignore[attr-defined]


def line_chart(series: dict[str, Sequence[tuple[date, float]]], ylabel: str, colours: Sequence[str] = PALETTE, *,
               days: Days | None = None) -> str:
    """One line per named series; an empty string when there is nothing to draw."""
    drawn = tuple((name, tuple(points)) for name, points in series.items() if points)
    return _line_chart(drawn, ylabel, tuple(colours), days) if drawn else ""


Points = tuple[tuple[date, float], ...]


@lru_cache(maxsize=32)
def _line_chart(drawn: tuple[tuple[str, Points], ...], ylabel: str, colours: tuple[str, ...],
                days: Days | None) -> str:
    figure = _figure()
    axes = figure.add_subplot()
    for (name, points), colour in zip(drawn, colours * 4, strict=False):
        axes.plot([d for d, _ in points], [v for _, v in points], label=name, color=colour, linewidth=1.8)
    axes.set_ylabel(ylabel)
    _dates(axes, days)
    if len(drawn) > 1:
        axes.legend(frameon=False, fontsize=8)
    return _svg(figure)


def bar_chart(points: Sequence[tuple[date, float | None]], ylabel: str, colour: str = PALETTE[0], *,
              days: Days | None = None) -> str:
    known = tuple((d, v) for d, v in points if v is not None)
    return _bar_chart(known, ylabel, colour, days) if known else ""


@lru_cache(maxsize=32)
def _bar_chart(known: Points, ylabel: str, colour: str, days: Days | None) -> str:
    figure = _figure()
    axes = figure.add_subplot()
    axes.bar([d for d, _ in known], [v for _, v in known], color=colour, width=0.8)
    axes.set_ylabel(ylabel)
    _dates(axes, days)
    return _svg(figure)
