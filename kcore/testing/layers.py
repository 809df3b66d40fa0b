"""The layer test kit: one call checks a layer class the way every layer must behave.

:func:`run_layer_test` builds the layer from ``init_kwargs``, calls it on data, and
checks, on the selected backend:

* the output's shape and dtype (and values, when given) against the expectation;
* ``compute_output_shape`` against the eager output's shape;
* a call on :class:`~kcore.KerasTensor` inputs (batch dimension unknown) against the
  eager call: same shape (up to the unknown batch) and dtype;
* ``get_config``/``from_config`` and ``serialize``/``deserialize`` round trips: the
  rebuilt layer has the same config and, given the same weights, the same outputs;
* the number of trainable and non-trainable weights, seed generators and losses;
* ``training=True`` and ``training=False`` calls (shapes agree), and that an
  inference call is deterministic;
* masks (``supports_masking``, the mask's shape);
* the ``mixed_float16`` policy: float variables stay float32, outputs are float16;
* on backends that train, that the gradient of the outputs reaches every trainable
  weight (through ``stateless_call`` and the backend's ``gradient``), finite and
  not all zero.

Third-party layers use it the same way::

    from kcore.testing.layers import run_layer_test

    def test_my_dense():
        run_layer_test(MyDense, {"units": 3}, input_shape=(2, 4),
                       expected_output_shape=(2, 3), expected_num_trainable_weights=2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore import _tree


def _backend() -> Any:
    from kcore import backend

    return backend.current()


def _numpy(x: Any) -> Any:
    from kcore import ops

    if x is None:
        return None
    return _tree.map_structure(lambda t: np.asarray(ops.convert_to_numpy(t)), x)


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value
    )


def _make_data(input_shape: Any, input_dtype: Any, rng: np.random.Generator) -> Any:
    from kcore import config

    def one(shape: tuple[int, ...], dtype: str) -> np.ndarray:
        if dtype.startswith(("int", "uint")):
            return rng.integers(0, 4, size=shape).astype(dtype)
        if dtype == "bool":
            return rng.random(size=shape) > 0.5
        return rng.standard_normal(size=shape).astype(dtype)

    if _is_shape(input_shape):
        return one(tuple(input_shape), input_dtype or config.floatx())
    dtypes = input_dtype if isinstance(input_dtype, list | tuple | dict) else None
    if isinstance(input_shape, dict):
        return {
            k: one(tuple(v), (dtypes or {}).get(k) if dtypes else input_dtype or config.floatx())
            for k, v in input_shape.items()
        }
    return [
        one(tuple(s), (dtypes[i] if dtypes else input_dtype) or config.floatx())
        for i, s in enumerate(input_shape)
    ]


def _shape_of(x: Any) -> Any:
    return tuple(None if d is None else int(d) for d in x.shape)


def _shapes(structure: Any) -> Any:
    if hasattr(structure, "shape") and not isinstance(structure, list | tuple | dict):
        return _shape_of(structure)
    if isinstance(structure, dict):
        return {k: _shapes(v) for k, v in structure.items()}
    return [_shapes(s) for s in structure]


def _dtypes(structure: Any) -> Any:
    from kcore.dtypes import standardize_dtype

    return _tree.map_structure(lambda t: standardize_dtype(t.dtype), structure)


def _same_shape(expected: Any, got: Any, what: str) -> None:
    if _is_shape(expected) and _is_shape(got):
        assert tuple(expected) == tuple(got), (
            f"{what}: expected {tuple(expected)}, got {tuple(got)}"
        )
        return
    if isinstance(expected, dict):
        assert isinstance(got, dict) and set(expected) == set(got), f"{what}: {expected} vs {got}"
        for k in expected:
            _same_shape(expected[k], got[k], f"{what}[{k!r}]")
        return
    assert len(expected) == len(got), f"{what}: expected {expected}, got {got}"
    for i, (e, g) in enumerate(zip(expected, got)):
        _same_shape(e, g, f"{what}[{i}]")


def _compatible(symbolic: Any, eager: Any, what: str) -> None:
    """Symbolic shapes (with None) match eager shapes where known."""
    if _is_shape(symbolic):
        assert len(symbolic) == len(eager), f"{what}: symbolic {symbolic} vs eager {eager}"
        for s, e in zip(symbolic, eager):
            assert s is None or s == e, f"{what}: symbolic {symbolic} vs eager {eager}"
        return
    if isinstance(symbolic, dict):
        for k in symbolic:
            _compatible(symbolic[k], eager[k], f"{what}[{k!r}]")
        return
    for i, (s, e) in enumerate(zip(symbolic, eager)):
        _compatible(s, e, f"{what}[{i}]")


def run_layer_test(
    layer_cls: type,
    init_kwargs: dict[str, Any],
    input_shape: Any = None,
    input_dtype: Any = None,
    input_data: Any = None,
    call_kwargs: dict[str, Any] | None = None,
    expected_output_shape: Any = None,
    expected_output_dtype: Any = None,
    expected_output: Any = None,
    expected_num_trainable_weights: int | None = None,
    expected_num_non_trainable_weights: int | None = None,
    expected_num_non_trainable_variables: int | None = None,
    expected_num_seed_generators: int | None = None,
    expected_num_losses: int | None = None,
    supports_masking: bool | None = None,
    expected_mask_shape: Any = None,
    run_training_check: bool = True,
    run_mixed_precision_check: bool = True,
    assert_built_after_instantiation: bool = False,
    tolerance: float = 1e-6,
) -> Any:
    """Check ``layer_cls`` (see the module docstring). Returns the built layer.

    Pass ``input_shape`` (a shape, or a list/dict of shapes) or ``input_data`` (NumPy
    arrays or backend tensors). ``call_kwargs`` go to every call.
    """
    from kcore.keras_tensor import KerasTensor
    from kcore.saving.serialization import deserialize_keras_object, serialize_keras_object

    if input_shape is None and input_data is None:
        raise ValueError("run_layer_test: pass input_shape or input_data")
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(1337)
    if input_data is None:
        input_data = _make_data(input_shape, input_dtype, rng)
    input_shape = _shapes(input_data) if input_shape is None else input_shape

    # -- construction and config ------------------------------------------------
    layer = layer_cls(**init_kwargs)
    if assert_built_after_instantiation:
        assert layer.built, f"{layer_cls.__name__} should be built after instantiation"
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking, (
            f"{layer_cls.__name__}.supports_masking is {layer.supports_masking}, "
            f"expected {supports_masking}"
        )
    config = layer.get_config()
    rebuilt = layer_cls.from_config(config)
    assert rebuilt.get_config() == config, (
        f"{layer_cls.__name__}: from_config(get_config()) changed the config:\n"
        f"{config}\n!=\n{rebuilt.get_config()}"
    )
    serialized = serialize_keras_object(layer)
    revived = deserialize_keras_object(serialized)
    assert type(revived) is layer_cls
    assert serialize_keras_object(revived) == serialized

    # -- eager call ---------------------------------------------------------------
    output = layer(input_data, **call_kwargs)
    eager_shapes = _shapes(output)
    if expected_output_shape is not None:
        _same_shape(expected_output_shape, eager_shapes, f"{layer_cls.__name__} output shape")
    if expected_output_dtype is not None:
        dtypes = _dtypes(output)
        for got in _tree.flatten(dtypes):
            assert got == expected_output_dtype, (
                f"{layer_cls.__name__} output dtype: expected {expected_output_dtype}, got {got}"
            )
    if expected_output is not None:
        for e, g in zip(_tree.flatten(_numpy(expected_output)), _tree.flatten(_numpy(output))):
            np.testing.assert_allclose(g, e, atol=tolerance, rtol=tolerance)
    counts = (
        (expected_num_trainable_weights, len(layer.trainable_weights), "trainable weights"),
        (
            expected_num_non_trainable_weights,
            len(layer.non_trainable_weights),
            "non-trainable weights",
        ),
        (
            expected_num_non_trainable_variables,
            len(layer.non_trainable_variables),
            "non-trainable variables",
        ),
        (expected_num_seed_generators, len(layer._seed_states()), "seed generators"),
        (expected_num_losses, len(layer.losses), "losses"),
    )
    for expected, got, what in counts:
        if expected is not None:
            assert got == expected, f"{layer_cls.__name__}: expected {expected} {what}, got {got}"
    if expected_mask_shape is not None:
        mask = layer.compute_mask(input_data, None)
        assert mask is not None, f"{layer_cls.__name__}.compute_mask returned None"
        _same_shape(expected_mask_shape, _shapes(mask), f"{layer_cls.__name__} mask shape")

    # -- compute_output_shape and the symbolic call -------------------------------
    shape_kwargs = {k: v for k, v in call_kwargs.items() if not hasattr(v, "shape")}
    try:
        declared = layer.compute_output_shape(input_shape, **shape_kwargs)
    except TypeError:  # compute_output_shape takes no call options
        declared = layer.compute_output_shape(input_shape)
    except NotImplementedError:
        declared = None
    if declared is not None:
        _compatible(declared, eager_shapes, f"{layer_cls.__name__}.compute_output_shape")
    symbolic_layer = layer_cls(**init_kwargs)

    def symbolic_input(shape: tuple[int, ...], dtype: str) -> KerasTensor:
        return KerasTensor((None, *shape[1:]) if shape else shape, dtype)

    data_dtypes = _dtypes(input_data)
    if _is_shape(input_shape):
        symbolic_inputs: Any = symbolic_input(tuple(input_shape), data_dtypes)
    elif isinstance(input_shape, dict):
        symbolic_inputs = {
            k: symbolic_input(tuple(v), data_dtypes[k]) for k, v in input_shape.items()
        }
    else:
        symbolic_inputs = [symbolic_input(tuple(s), d) for s, d in zip(input_shape, data_dtypes)]
    symbolic = symbolic_layer(symbolic_inputs, **call_kwargs)
    _compatible(
        _tree.map_structure(lambda t: t.shape, symbolic),
        eager_shapes,
        f"{layer_cls.__name__} symbolic output shape",
    )
    for s, e in zip(
        _tree.flatten(_tree.map_structure(lambda t: t.dtype, symbolic)),
        _tree.flatten(_dtypes(output)),
    ):
        assert s == e, f"{layer_cls.__name__}: symbolic dtype {s} != eager dtype {e}"

    # -- the rebuilt layer computes the same with the same weights ------------------
    if layer.weights:
        rebuilt(input_data, **call_kwargs)
        rebuilt.set_weights(layer.get_weights())
        for a, b in zip(
            _tree.flatten(_numpy(layer(input_data, **call_kwargs, training=False))),
            _tree.flatten(_numpy(rebuilt(input_data, **call_kwargs, training=False))),
        ):
            np.testing.assert_allclose(b, a, atol=max(tolerance, 1e-5), rtol=1e-5)

    # -- training vs inference -------------------------------------------------------
    if layer._call_info.training:
        train_out = layer(input_data, **call_kwargs, training=True)
        _same_shape(eager_shapes, _shapes(train_out), f"{layer_cls.__name__} training output")
        first = _numpy(layer(input_data, **call_kwargs, training=False))
        second = _numpy(layer(input_data, **call_kwargs, training=False))
        for a, b in zip(_tree.flatten(first), _tree.flatten(second)):
            np.testing.assert_array_equal(a, b, err_msg=f"{layer_cls.__name__}: inference varies")

    # -- dtype policy ---------------------------------------------------------------
    if run_mixed_precision_check:
        _check_mixed_precision(layer_cls, init_kwargs, input_data, call_kwargs)

    # -- gradients -----------------------------------------------------------------
    backend = _backend()
    if run_training_check and backend.capabilities.trainable and layer.trainable_weights:
        _check_gradients(layer, input_data, call_kwargs)
    return layer


def _check_mixed_precision(
    layer_cls: type, init_kwargs: dict, data: Any, call_kwargs: dict
) -> None:
    from kcore.dtypes import standardize_dtype

    kwargs = {**init_kwargs, "dtype": "mixed_float16"}
    layer = layer_cls(**kwargs)
    assert layer.compute_dtype == "float16" and layer.variable_dtype == "float32"
    output = layer(data, **call_kwargs)
    for variable in layer.weights:
        if variable.dtype.startswith(("float", "bfloat")):
            assert variable.dtype == "float32", (
                f"{layer_cls.__name__} under mixed_float16: variable {variable.path} is "
                f"{variable.dtype}, expected float32"
            )
    floats_in = any(
        standardize_dtype(x.dtype).startswith(("float", "bfloat"))
        for x in _tree.flatten(data)
        if hasattr(x, "dtype")
    )
    if floats_in:
        for out in _tree.flatten(output):
            dtype = standardize_dtype(out.dtype)
            if dtype.startswith(("float", "bfloat")):
                assert dtype == "float16", (
                    f"{layer_cls.__name__} under mixed_float16 returned {dtype}, expected float16"
                )


def _check_gradients(layer: Any, data: Any, call_kwargs: dict) -> None:
    from kcore import ops

    backend = _backend()
    trainable = layer.trainable_variables
    non_trainable = [v.value for v in layer.non_trainable_variables]
    rng = np.random.default_rng(7)
    probe = None

    def loss(*values: Any) -> Any:
        nonlocal probe
        outputs, _ = (
            layer.stateless_call(list(values), non_trainable, data, **call_kwargs, training=True)
            if layer._call_info.training
            else layer.stateless_call(list(values), non_trainable, data, **call_kwargs)
        )
        flat = [o for o in _tree.flatten(outputs) if o is not None and hasattr(o, "dtype")]
        if probe is None:
            probe = [
                rng.standard_normal(size=tuple(int(d) for d in o.shape)).astype("float32")
                for o in flat
            ]
        total = 0.0
        for o, w in zip(flat, probe):
            total = total + ops.sum(ops.cast(o, "float32") * ops.convert_to_tensor(w))
        return total

    grads = backend.gradient(loss, *[v.value for v in trainable])
    for variable, grad in zip(trainable, grads):
        assert grad is not None, f"{layer.name}: no gradient reached {variable.path}"
        array = np.asarray(ops.convert_to_numpy(grad), dtype="float64")
        assert array.shape == variable.shape, (
            f"{layer.name}: gradient of {variable.path} has shape {array.shape}, "
            f"expected {variable.shape}"
        )
        assert np.all(np.isfinite(array)), (
            f"{layer.name}: gradient of {variable.path} is not finite"
        )
        assert np.any(array != 0), f"{layer.name}: the gradient of {variable.path} is all zeros"
