"""socialdesk: a self-hosted social media marketing workstation."""

__version__ = "0.1.0"
