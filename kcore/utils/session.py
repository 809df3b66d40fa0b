"""``clear_session``: forget the global state that models and layers leave behind.

Example::

    >>> kcore.utils.clear_session()
"""

from __future__ import annotations

import gc
import sys


def clear_session(free_memory=True):
    """Reset kcore's global state, as Keras's ``clear_session`` does.

    Layer names start again from ``dense``, ``conv2d``... and ``kcore.random``'s
    global stream (the draws with ``seed=None``) restarts from a fresh random base,
    also forgetting a seed given to :func:`kcore.utils.set_random_seed`.

    Args:
        free_memory: run Python's garbage collector, so the memory of deleted models
            is released at once (it can take a moment; pass ``False`` in tight loops).

    Example::

        >>> kcore.layers.Dense(2).name
        'dense'
        >>> kcore.layers.Dense(2).name
        'dense_1'
        >>> kcore.utils.clear_session()
        >>> kcore.layers.Dense(2).name
        'dense'
    """
    from kcore.layers import layer as layer_module
    from kcore.random import _reset_global_seed
    from kcore.utils import rng_utils

    layer_module._name_counts.clear()
    feature_space = sys.modules.get("kcore.utils.feature_space")
    if feature_space is not None:  # FeatureSpace's feature names (float, float_1...)
        feature_space._auto_counts.clear()
    _reset_global_seed(None)
    rng_utils._seed_state["seed"] = None
    if free_memory:
        gc.collect()
