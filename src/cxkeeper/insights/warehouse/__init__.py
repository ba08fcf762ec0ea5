"""Feedback that lives in a warehouse (issue 16): routed and scored on the engine
(`route_batch`), its rollups brought home as a named external source (`sync`), kept current
on a schedule (`jobs`), and how fresh each source is (`queries`).

A Django app of its own (label ``warehouse``) inside the insights layer: its models and
migrations stay apart from the feedback store's, while every figure reads its cells through
the same rollup tables as imported feedback (`insights.rollup_store.apply_cells`).
"""
