"""YouTube: Data API v3 and Analytics API over httpx through the outbound policy (docs/networks/youtube.md)."""
