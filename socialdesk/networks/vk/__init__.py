"""VK (VKontakte): a community's wall, its comments and messages, and its statistics (API 5.199)."""
