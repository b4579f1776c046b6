"""What Meta's three networks share: the Graph API client and error sorting (graph.py), webhooks."""
