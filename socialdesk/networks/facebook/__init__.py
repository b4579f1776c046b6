"""Facebook Pages through the Graph API (see docs/networks/facebook.md)."""
