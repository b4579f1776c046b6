"""Bluesky: the adapter (adapter.py), sessions (session.py), facets, records, inbox and counts."""
