"""Bulk work and interoperability: CSV import of posts, CSV/JSON export with metrics, the iCal feed of
scheduled posts, and RSS/Atom feeds into drafts or the queue. (Their tables are in links/models.py.)"""
