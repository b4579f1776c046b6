"""Competitors: public accounts on Bluesky and Mastodon followed with daily snapshots (followers, posts,
engagement of their recent posts) and benchmarked against the workspace's own channels."""
