"""Contests and giveaways: entrants from the inbox, exclusions with reasons, and a draw anyone can verify."""
