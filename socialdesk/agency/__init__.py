"""Working for several clients: the agency overview, review links for clients without an account, time logs."""
