"""Telegram channels through the Bot API (see docs/networks/telegram.md)."""
