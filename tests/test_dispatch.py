"""The public op functions: symbolic answers for KerasTensors, and one error type
with one message for bad input on every backend."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import ops
from kcore.errors import OpError
from kcore.keras_tensor import KerasTensor, SymbolicValueError


def t(value, dtype="float32"):
    return ops.convert_to_tensor(np.asarray(value, dtype=dtype))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: ops.add(t(np.ones((1, 3))), t(np.ones(2))),
            "add: expected shapes that broadcast together, but x1 (1, 3) and x2 (2,) differ "
            "at axis -1; received x1 of shape (1, 3) and dtype float32, x2 of shape (2,) "
            "and dtype float32",
        ),
        (
            lambda: ops.matmul(t(np.ones((2, 3))), t(np.ones((2, 2)))),
            "matmul: expected the last dimension of x1 (3) to equal the second-to-last "
            "dimension of x2 (2); received x1 of shape (2, 3) and dtype float32, x2 of shape "
            "(2, 2) and dtype float32",
        ),
        (
            lambda: ops.sum(t(np.ones((2, 3))), axis=2),
            "sum: expected axis in [-2, 2) for a tensor of rank 2, got 2; received x of shape "
            "(2, 3) and dtype float32, axis=2",
        ),
        (
            lambda: ops.softmax(t(np.ones((2, 3))), axis=-3),
            "softmax: expected axis in [-2, 2) for a tensor of rank 2, got -3; received x of "
            "shape (2, 3) and dtype float32, axis=-3",
        ),
    ],
)
def test_bad_input_is_one_error_type_with_one_message(call, message):
    with pytest.raises(OpError) as info:
        call()
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)
    assert info.value.original is not None  # the framework's own exception, kept
    assert info.value.__suppress_context__  # no framework traceback in the report


def test_ops_answer_symbolically_for_keras_tensors():
    x = KerasTensor((None, 5), "float32")
    w = KerasTensor((5, 3), "float32")
    y = ops.softmax(ops.add(ops.matmul(x, w), 1.0))
    assert y == KerasTensor((None, 3), "float32")
    assert ops.sum(y, axis=0, keepdims=True) == KerasTensor((1, 3), "float32")
    assert (x @ w + 2) == KerasTensor((None, 3), "float32")
    assert ops.relu(KerasTensor((2, None), "int8")) == KerasTensor((2, None), "int8")
    assert ops.dtype(x) == "float32" and ops.shape(x) == (None, 5)


def test_symbolic_shape_errors_name_the_op():
    with pytest.raises(OpError, match="matmul: expected the last dimension of x1"):
        ops.matmul(KerasTensor((2, 3)), t(np.ones((4, 2))))


def test_keras_tensors_refuse_to_become_data():
    x = KerasTensor((2,), "float32")
    for use in (np.asarray, bool, len, list, float):
        with pytest.raises(SymbolicValueError, match="is symbolic"):
            use(x)


def test_dtype_and_shape_ops_on_tensors(kcore_backend):
    x = ops.convert_to_tensor([[1, 2, 3]])
    assert ops.dtype(x) == "int32" and ops.shape(x) == (1, 3)
    assert kcore.ops.contract.SPECS["dtype"].composite is not None
