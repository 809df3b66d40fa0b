"""The training loops (``fit``, ``evaluate``, ``predict``), their data adapters and the
compile-time loss and metric containers. Backends supply only the compiled step
functions, through the ``kcore_trainer`` hook."""
