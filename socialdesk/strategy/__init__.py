"""Strategy: content pillars (posts tagged with one), the planned mix and posting frequency per network,
personas, and the gaps between plan and calendar (docs/strategy.md)."""
