"""One dtype vocabulary and one promotion table (Keras 3's) for every backend."""

from __future__ import annotations

import importlib.util
import itertools
import sys

import numpy as np
import pytest

from kcore import config
from kcore.dtypes import python_scalar_dtype, result_type, standardize_dtype

ALL = [
    "bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
    "bfloat16", "float16", "float32", "float64", "complex64", "complex128",
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("float32", "float32"),
        (np.float16, "float16"),
        (np.dtype("int8"), "int8"),
        ("torch.bfloat16", "bfloat16"),
        (float, "float32"),
        (int, "int64"),
        (bool, "bool"),
        ("double", "float64"),
        (None, "float32"),
    ],
)
def test_standardize_dtype(value, expected):
    assert standardize_dtype(value) == expected


def test_standardize_dtype_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown dtype 'float8x'"):
        standardize_dtype("float8x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, "float32"), (2, "int32"), (True, "bool"), ([1, 2.0], "float32"), ([[1], [2]], "int32"),
     (np.float64(1.0), None), (np.ones(2), None), ([], "float32")],
)  # fmt: skip
def test_python_values_get_keras_dtypes(value, expected):
    assert python_scalar_dtype(value) == expected


@pytest.mark.parametrize(
    ("dtypes", "expected"),
    [
        (("int32", "float16"), "float16"),
        (("uint8", "int8"), "int16"),
        (("uint32", "int32"), "int64"),
        (("int64", "uint64"), "float32"),
        (("bfloat16", "float16"), "float32"),
        (("float32", "complex64"), "complex64"),
        (("float64", "complex64"), "complex64"),
        (("bool", "bool"), "bool"),
        (("uint64", "uint64"), "uint32"),
        (("float16", float), "float16"),
        (("int8", int), "int8"),
        (("int8", float), "float32"),
        (("bool", int), "int32"),
        ((int, float), "float32"),
        ((int,), "int32"),
        ((), "float32"),
    ],
)
def test_promotion_table(dtypes, expected):
    assert result_type(*dtypes) == expected


def test_promotion_is_symmetric_and_idempotent():
    for a, b in itertools.product(ALL + [int, float, complex, bool], repeat=2):
        assert result_type(a, b) == result_type(b, a)
    for a in ALL:
        assert result_type(a, a) == {"uint64": "uint32", "complex128": "complex64"}.get(a, a)


def test_weak_results_follow_floatx(fresh_kcore):
    config.set_floatx("float64")
    assert (result_type(float), result_type(int), result_type(complex)) == (
        "float64",
        "int64",
        "complex64",
    )
    assert result_type("int32", float) == "float64"


@pytest.mark.skipif(
    importlib.util.find_spec("keras") is None, reason="the keras package is not installed here"
)
def test_promotion_equals_keras_on_every_combination_of_up_to_three(monkeypatch):
    # Keras on jax narrows 64-bit types when x64 is off: compare with Keras on tensorflow
    # (the recorded surface's backend), which the tf env has.
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("compared with Keras on its tensorflow backend (the tf env)")
    if "keras" not in sys.modules:
        monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    from keras.src.backend.common import dtypes as keras_dtypes

    candidates = ALL + [int, float, complex, bool]
    for r in (1, 2, 3):
        for combo in itertools.product(candidates, repeat=r):
            assert result_type(*combo) == keras_dtypes.result_type(*combo), combo
