"""Listening: monitors for terms on public sources, the mentions they find, and alerts on bursts."""
