"""NumPy-style ops (``keras.ops.numpy``)."""

from __future__ import annotations

from kcore.ops import rules
from kcore.ops.cases import ALL, NUMERIC, binary, reduction, unary
from kcore.ops.contract import op


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=binary(ALL))
def add(x1, x2):
    """Add arguments element-wise, with broadcasting.

    Example::

        >>> kcore.ops.add([1, 2], [3, 4])   # tensor [4, 6]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=binary(NUMERIC))
def subtract(x1, x2):
    """Subtract ``x2`` from ``x1`` element-wise, with broadcasting.

    Example::

        >>> kcore.ops.subtract([3, 4], 1)   # tensor [2, 3]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=binary(ALL))
def multiply(x1, x2):
    """Multiply arguments element-wise, with broadcasting.

    Example::

        >>> kcore.ops.multiply([1, 2], 3)   # tensor [3, 6]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=binary(NUMERIC, low=0.5, high=3.0))
def divide(x1, x2):
    """Divide ``x1`` by ``x2`` element-wise (true division).

    Example::

        >>> kcore.ops.divide([1.0, 2.0], 2.0)   # tensor [0.5, 1.0]
    """
    ...


@op("numpy", expect=rules.broadcast("x1", "x2"), cases=binary(ALL))
def maximum(x1, x2):
    """Element-wise maximum, with broadcasting.

    Example::

        >>> kcore.ops.maximum([1, 5], 3)   # tensor [3, 5]
    """
    ...


@op("numpy", cases=unary(NUMERIC, low=-2.0, high=2.0))
def exp(x):
    """Exponential, element-wise.

    Example::

        >>> kcore.ops.exp([0.0])   # tensor [1.0]
    """
    ...


@op("numpy", expect=rules.axis(), cases=reduction(ALL))
def max(x, axis=None, keepdims=False, initial=None):
    """Maximum of a tensor along ``axis`` (all axes when ``None``).

    Example::

        >>> kcore.ops.max([[1, 4], [3, 2]], axis=1)   # tensor [4, 3]
    """
    ...


@op("numpy", expect=rules.axis(), cases=reduction(ALL))
def sum(x, axis=None, keepdims=False):
    """Sum of a tensor along ``axis`` (all axes when ``None``).

    Example::

        >>> kcore.ops.sum([[1, 2], [3, 4]], axis=0)   # tensor [4, 6]
    """
    ...


@op(
    "numpy",
    expect=rules.matmul(),
    cases=binary(
        ALL,
        shapes=(
            ((2, 3), (3, 4)),
            ((4,), (4, 2)),
            ((2, 4), (4,)),
            ((2, 2, 3), (3, 2)),
            ((3,), (3,)),
        ),
        python_scalars=False,
    ),
)
def matmul(x1, x2):
    """Matrix product of two tensors, batched over leading dimensions.

    Example::

        >>> kcore.ops.matmul([[1.0, 2.0]], [[3.0], [4.0]])   # tensor [[11.0]]
    """
    ...


# The rest of the namespace, declared by category; each module's ops are ``numpy`` ops.
from kcore.ops import numpy_binary as numpy_binary  # noqa: E402, F401
from kcore.ops import numpy_creation as numpy_creation  # noqa: E402, F401
from kcore.ops import numpy_reductions as numpy_reductions  # noqa: E402, F401
from kcore.ops import numpy_shapes as numpy_shapes  # noqa: E402, F401
from kcore.ops import numpy_unary as numpy_unary  # noqa: E402, F401
