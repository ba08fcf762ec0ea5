"""Initiatives: friction points (and, later, opportunities, team perspectives, votes,
prioritization scores and initiatives). See docs/initiatives.md."""
