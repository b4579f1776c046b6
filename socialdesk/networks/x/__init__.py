"""X (formerly Twitter) through API v2: see adapter.py, and docs/networks/x.md for what works and why."""
