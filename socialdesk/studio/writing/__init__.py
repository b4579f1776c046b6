"""Writing checks: spelling, rule checks, English grammar, readability and the workspace's style guide.

`check.check_text` runs them all on one text and returns `Problem`s (offset, length, kind, message,
suggestions); `service` adds the workspace's dictionary, style guide and blocking settings.
"""
