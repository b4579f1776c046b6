"""Goals and milestones: what a workspace aims for, how it is going, and what came of it."""
