"""Image ops (``keras.ops.image``; only there, not in ``kcore.ops``)."""

from __future__ import annotations

from kcore import ops  # noqa: F401 - composites call ops.<name>
from kcore.ops import rules  # noqa: F401
from kcore.ops.contract import op  # noqa: F401


# Geometric transforms, declared in their own module; they are ``image`` ops too.
from kcore.ops import image_transform as image_transform  # noqa: E402, F401
