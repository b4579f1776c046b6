"""Links that measure and bulk work: UTM tagging, short links with click counts, the link-in-bio page,
CSV import and export of posts, the iCal feed of scheduled posts, and RSS/Atom feeds into drafts."""
