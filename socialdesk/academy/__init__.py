"""The academy: guided exercises on the sandbox network, with a score and the audience revealed."""
