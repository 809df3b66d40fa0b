"""Math ops (Keras's ``keras.ops.math``, public as ``kcore.ops.<name>``)."""

from __future__ import annotations

from kcore import ops  # noqa: F401 - composites call ops.<name>
from kcore.ops import rules  # noqa: F401
from kcore.ops.contract import op  # noqa: F401


# Signal processing, declared in its own module; its ops are ``math`` ops too.
from kcore.ops import math_signal as math_signal  # noqa: E402, F401
