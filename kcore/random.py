"""``kcore.random``: random sampling (Keras 3's ``keras.random``)."""

from __future__ import annotations
