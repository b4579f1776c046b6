"""The benchmark as a table: one row per account (your channels first), each estimate as value, interval
and sample size, so a spreadsheet keeps the uncertainty. Used by `socialdesk competitor export`, the API's
CSV and the client report's competitor table. Pure: it reads a benchmark dict (service.benchmark)."""

from __future__ import annotations

import csv
import io
from typing import Any

ESTIMATES = (("posts_per_week", "posts_per_week"), ("engagement_per_post", "engagement_per_post"),
             ("engagement_per_follower_percent", "engagement_per_follower_pct"), ("views_per_post", "views_per_post"))
COLUMNS = ("account", "network", "own", "posts", "followers", "followers_change", "followers_change_pct",
           *(f"{name}{suffix}" for _, name in ESTIMATES for suffix in ("", "_low", "_high", "_n", "_note")),
           "formats", "top_hashtags", "best_hours", "versus_you", "notes", "period_days", "period_end")
FORMATS = ("csv",)


def _formats(account: dict[str, Any]) -> str:
    return "; ".join(f"{f} {v['share']:.0f}%" for f, v in account["formats"].items() if v["posts"])


def rows(bench: dict[str, Any]) -> list[list[Any]]:
    out: list[list[Any]] = [list(COLUMNS)]
    for a in bench["accounts"]:
        f = a["followers"]
        row: list[Any] = [a["name"], a["network"], "yes" if a["own"] else "no", a["posts"], f["end"], f["change"],
                          f["percent"]]
        for key, _ in ESTIMATES:
            e = a.get(key) or {}
            row += [e.get("value"), e.get("low"), e.get("high"), e.get("n"), e.get("note", "")]
        row += [_formats(a), " ".join(f"#{t['tag']}({t['posts']})" for t in a["top_hashtags"]),
                " ".join(f"{h['hour']:02d}:00" for h in a["best_hours"]["hours"]) or a["best_hours"]["note"],
                (a.get("versus_you") or {}).get("verdict", ""), "; ".join(a["notes"]), bench["period"]["days"],
                bench["period"]["end"]]
        out.append(row)
    return out


def to_csv(bench: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows(bench))
    return buffer.getvalue()
