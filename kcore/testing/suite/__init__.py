"""The conformance suite, shipped with kcore so any backend runs it::

pytest --pyargs kcore.testing.suite --kcore-backend=NAME
"""
