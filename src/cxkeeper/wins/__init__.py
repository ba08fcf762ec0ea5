"""Wins: did a shipped initiative or a live planned change move what it aimed to move, and who
made it happen (issue 13, docs/wins.md). Between initiatives and governance."""
