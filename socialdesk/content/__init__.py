"""Posts, their per-channel variants and publications, and whether each fits its channel."""
