"""Governance: the CX council — its charter, meetings with an agenda the data writes, decisions
and action items owned by teams. See docs/governance.md."""
