"""CX analytics: rollups of feedback (Ibis, any engine) and statistics from partial sums.

``stats`` is pure Python (plus SciPy's special functions); ``rollups`` builds and queries
rollups with Ibis and maintains them incrementally with pure-Python deltas.
No Django imports here: the Django layer calls in.
"""
