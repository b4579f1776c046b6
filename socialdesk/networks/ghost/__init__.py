"""Ghost through its Admin API with a custom integration's Admin API key."""
