"""``set_random_seed``: one seed for Python's ``random``, NumPy and ``kcore.random``.

Example::

    >>> kcore.utils.set_random_seed(1337)
"""

from __future__ import annotations

import random
import sys

import numpy as np

#: The seed last passed to set_random_seed (None when never set).
_seed_state: dict[str, int | None] = {"seed": None}


def set_random_seed(seed):
    """Seed every random number generator a kcore program uses, for reproducible runs.

    Seeds Python's ``random``, NumPy's global generator and ``kcore.random``'s global
    stream (the draws of ``kcore.random`` functions called with ``seed=None``, and
    layer initializers without a seed). Frameworks that are already imported have
    their own global seed set too (``tf.random.set_seed``, ``torch.manual_seed``),
    so a ``tf.data`` shuffle or a torch ``DataLoader`` is reproducible as well; none
    is imported for the purpose.

    Args:
        seed: an int in ``[0, 2**32)``.

    Example::

        >>> set_random_seed(42)
        >>> a = kcore.random.uniform((2,))
        >>> set_random_seed(42)
        >>> b = kcore.random.uniform((2,))   # same values as a
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(
            f"set_random_seed expects an int seed, received seed={seed!r} "
            f"of type {type(seed).__name__}"
        )
    seed = int(seed)
    from kcore.random import _reset_global_seed

    _reset_global_seed(seed)  # checks the range and reports it
    _seed_state["seed"] = seed
    random.seed(seed)
    np.random.seed(seed)
    # Only frameworks the program has already imported: looked up, never imported.
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None and hasattr(tensorflow, "random"):
        tensorflow.random.set_seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "manual_seed"):
        torch.manual_seed(seed)


def get_random_seed():
    """The seed last given to :func:`set_random_seed`, or ``None``.

    Example::

        >>> set_random_seed(7); get_random_seed()
        7
    """
    return _seed_state["seed"]
