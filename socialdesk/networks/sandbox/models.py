"""Tables of the simulated network (its own storage, as a real network has its own servers)."""
