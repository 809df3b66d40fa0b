"""kcore's pytest plugin and test helpers (entry point ``pytest11``: ``kcore``).

``pytest --kcore-backend=NAME`` runs a suite with ``NAME`` selected, so a third-party
backend runs the same tests as ours. The plugin imports no framework.
"""
