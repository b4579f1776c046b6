"""Mastodon and the servers that speak its client API, through Mastodon.py.

client.py sorts every failure into the protocol's error classes; instance.py reads a server's limits;
oauth.py registers socialdesk on a server and turns an authorization into a connected account;
adapter.py is the protocol itself; statuses.py turns statuses into inbox items.
"""
