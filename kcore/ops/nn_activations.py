"""Activation functions (``keras.ops.nn``): the ones beyond ``relu`` and ``softmax``."""

from __future__ import annotations

from kcore import ops  # noqa: F401 - composites call ops.<name>
from kcore.ops import rules  # noqa: F401
from kcore.ops.contract import op  # noqa: F401
