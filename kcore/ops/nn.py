"""Neural-network ops (``keras.ops.nn``)."""

from __future__ import annotations

from kcore import ops
from kcore.ops import rules
from kcore.ops.cases import NUMERIC, unary
from kcore.ops.contract import op


@op("nn", composite=True, cases=unary(NUMERIC))
def relu(x):
    """Rectified linear unit: ``max(x, 0)`` element-wise.

    Example::

        >>> kcore.ops.relu([-1.0, 0.0, 2.0])   # tensor [0.0, 0.0, 2.0]
    """
    return ops.maximum(x, 0)


@op(
    "nn",
    composite=True,
    expect=rules.axis(),
    cases=unary(NUMERIC, shapes=((2, 3),), kwargs=({}, {"axis": 0})),
)
def softmax(x, axis=-1):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, computed stably.

    Example::

        >>> kcore.ops.softmax([[1.0, 1.0]])   # tensor [[0.5, 0.5]]
    """
    shifted = ops.subtract(x, ops.max(x, axis=axis, keepdims=True))
    e = ops.exp(shifted)
    return ops.divide(e, ops.sum(e, axis=axis, keepdims=True))


# The rest of the namespace, declared by category; each module's ops are ``nn`` ops.
from kcore.ops import nn_activations as nn_activations  # noqa: E402, F401
from kcore.ops import nn_conv as nn_conv  # noqa: E402, F401
from kcore.ops import nn_normalization as nn_normalization  # noqa: E402, F401
from kcore.ops import nn_sequence as nn_sequence  # noqa: E402, F401
