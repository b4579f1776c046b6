"""Campaigns and paid social: budgets, pacing, ad results and their metrics (docs/ads.md)."""
