"""The coordinator's team: invites, joining, links and the weekly milestones."""
