"""State diff: before/after snapshots -> change set."""
