"""The Layer base and kcore.Variable on the selected backend: weights, tracking,
training/mask arguments, input checks, dtype policies, configs, losses, the stateless
API and seed state."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import ops
from kcore.layers import InputSpec, Layer

TRAINABLE = kcore.backend.current().capabilities.trainable


def n(x):
    return np.asarray(ops.convert_to_numpy(x))


class Linear(Layer):
    def __init__(self, units, kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if units <= 0:
            raise ValueError(f"Linear: units must be positive, received units={units}")
        self.units = units
        self.kernel_regularizer = kernel_regularizer
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="ones",
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def call(self, x):
        return ops.add(ops.matmul(x, self.kernel), self.bias)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)


class Counter(Layer):
    """Counts its training calls in a non-trainable variable; doubles in training."""

    def build(self, input_shape):
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

    def call(self, x, training=None):
        if training:
            self.count.assign_add(1.0)
            return x * 2.0
        return x


class Block(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = Linear(3)
        self.stack = [Linear(3), Linear(2)]
        self.named = {"counter": Counter()}

    def call(self, x, training=None):
        x = self.first(x)
        for layer in self.stack:
            x = layer(x)
        return self.named["counter"](x)


def test_build_on_first_call_and_weights():
    layer = Linear(4)
    assert not layer.built and layer.weights == []
    y = layer(np.ones((2, 3), "float32"))
    assert layer.built and tuple(y.shape) == (2, 4)
    np.testing.assert_allclose(n(y), np.full((2, 4), 3.0))
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    assert layer.count_params() == 16
    assert [w.shape for w in layer.trainable_weights] == [(3, 4), (4,)]


def test_sublayers_tracked_in_attributes_lists_and_dicts():
    block = Block()
    block(np.ones((2, 5), "float32"))
    assert len(block._flatten_layers()) == 5
    assert len(block.trainable_weights) == 6
    assert [w.name for w in block.non_trainable_weights] == ["count"]
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 7
    block.trainable = True
    assert len(block.trainable_weights) == 6


def test_training_argument_reaches_inner_layers():
    block = Block()
    x = np.ones((1, 5), "float32")
    inference = n(block(x))
    np.testing.assert_allclose(n(block(x, training=True)), inference * 2)
    counter = block.named["counter"]
    assert float(counter.count.numpy()) == 1.0
    np.testing.assert_allclose(n(block(x, training=False)), inference)


def test_input_spec_errors_name_the_layer_before_weights_exist():
    layer = Linear(2, name="proj")
    with pytest.raises(ValueError, match=r"layer 'proj'.*min_ndim=2, found ndim=1"):
        layer(np.ones((3,), "float32"))
    assert layer.weights == [] and not layer.built
    layer(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"layer 'proj'.*axis -1.*value 3.*\(2, 4\)"):
        layer(np.ones((2, 4), "float32"))


def test_bad_constructor_argument():
    with pytest.raises(ValueError, match="units"):
        Linear(-1)
    with pytest.raises(TypeError, match="unrecognized keyword arguments.*'foo'"):
        Linear(2, foo=1)


def test_symbolic_call_matches_compute_output_shape():
    layer = Linear(5)
    out = layer(kcore.KerasTensor((None, 3)))
    assert out.shape == (None, 5) and out.dtype == "float32"
    assert layer.compute_output_shape((7, 3)) == (7, 5)
    counter = Counter()
    assert counter.compute_output_shape((2, 3)) == (2, 3)  # by abstract evaluation


def test_config_round_trip_uses_init_arguments():
    layer = Linear(3, name="lin", trainable=False)
    config = layer.get_config()
    assert config["units"] == 3 and config["name"] == "lin" and config["trainable"] is False
    clone = Linear.from_config(config)
    assert clone.get_config() == config


def test_regularizer_and_add_loss_make_losses():
    layer = Linear(2, kernel_regularizer=kcore.regularizers.L2(0.5))
    layer(np.ones((1, 3), "float32"))
    # 0.5 * sum(ones(3, 2) ** 2) = 3
    assert [float(n(v)) for v in layer.losses] == [3.0]

    class Penalized(Layer):
        def call(self, x):
            self.add_loss(ops.sum(x))
            return x

    p = Penalized()
    p(np.ones((2,), "float32"))
    p(np.ones((2,), "float32"))
    assert [float(n(v)) for v in p.losses] == [2.0]  # cleared at each outer call


def test_stateless_call_returns_updated_non_trainable_values():
    layer = Counter()
    x = np.ones((2,), "float32")
    layer(x)
    before = float(layer.count.numpy())
    out, (count,) = layer.stateless_call([], [ops.convert_to_tensor(5.0)], x, training=True)
    np.testing.assert_allclose(n(out), [2.0, 2.0])
    assert float(n(count)) == 6.0 and float(layer.count.numpy()) == before
    with pytest.raises(ValueError, match="expected 1 non_trainable_variables, received 0"):
        layer.stateless_call([], [], x)


def test_stateless_call_uses_given_weights_and_collects_losses():
    layer = Linear(2, kernel_regularizer=kcore.regularizers.L1(1.0))
    x = np.ones((1, 3), "float32")
    layer(x)
    kernel = ops.convert_to_tensor(np.full((3, 2), 2.0, "float32"))
    bias = ops.convert_to_tensor(np.ones((2,), "float32"))
    out, _, losses = layer.stateless_call([kernel, bias], [], x, return_losses=True)
    np.testing.assert_allclose(n(out), [[7.0, 7.0]])
    assert [float(n(v)) for v in losses] == [12.0]
    np.testing.assert_allclose(layer.kernel.numpy(), np.ones((3, 2)))


def test_seed_generator_state_is_a_non_trainable_variable():
    class Noisy(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = kcore.random.SeedGenerator(3)

        def call(self, x):
            return x + kcore.random.uniform(ops.shape(x), seed=self.seed_generator)

    layer = Noisy()
    x = np.zeros((4,), "float32")
    a, b = n(layer(x)), n(layer(x))
    assert not np.allclose(a, b)
    assert layer.weights == [] and len(layer.non_trainable_variables) == 1
    state = [v.value for v in layer.non_trainable_variables]
    out1, new_state = layer.stateless_call([], state, x)
    out2, _ = layer.stateless_call([], state, x)
    np.testing.assert_allclose(n(out1), n(out2))
    assert not np.array_equal(n(new_state[0]), n(state[0]))


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_dtype_policies(policy):
    if policy.split("_")[1] not in kcore.backend.current().capabilities.dtypes:
        pytest.skip(f"{kcore.config.backend()} does not compute in {policy.split('_')[1]}")
    layer = Linear(2, dtype=policy)
    assert layer.dtype_policy.name == policy
    y = layer(np.ones((2, 3), "float32"))
    compute = policy.split("_")[1]
    assert kcore.dtypes.standardize_dtype(y.dtype) == compute
    assert layer.compute_dtype == compute and layer.variable_dtype == "float32"
    assert {w.dtype for w in layer.weights} == {"float32"}
    symbolic = Linear(2, dtype=policy)(kcore.KerasTensor((None, 3)))
    assert symbolic.dtype == compute


def test_global_dtype_policy():
    kcore.config.set_dtype_policy("mixed_float16")
    try:
        layer = Linear(2)
        assert layer.compute_dtype == "float16"
    finally:
        kcore.config.set_dtype_policy("float32")
    assert Linear(2).compute_dtype == "float32"


def test_masks_travel_to_call():
    class MakeMask(Layer):
        def call(self, x):
            return x

        def compute_mask(self, inputs, previous_mask):
            return ops.not_equal(inputs, 0)

    class UseMask(Layer):
        def call(self, x, mask=None):
            return x if mask is None else ops.where(mask, x, -1.0)

    inputs = kcore.Input((3,))
    outputs = UseMask()(MakeMask()(inputs))
    model = kcore.Model(inputs, outputs)
    out = model(np.array([[1.0, 0.0, 2.0]], "float32"))
    np.testing.assert_allclose(n(out), [[1.0, -1.0, 2.0]])


def test_variable_api():
    v = kcore.Variable(np.array([1.0, 2.0], "float32"), name="v", aggregation="sum")
    assert (v.shape, v.dtype, v.ndim, v.name, v.path, v.trainable) == (
        (2,),
        "float32",
        1,
        "v",
        "v",
        True,
    )
    assert v.aggregation == "sum" and v.constraint is None and v.regularizer is None
    v.assign([3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub([0.5, 0.5])
    np.testing.assert_allclose(v.numpy(), [3.5, 4.5])
    np.testing.assert_allclose(n(v + 1), [4.5, 5.5])
    np.testing.assert_allclose(n(2 * v), [7.0, 9.0])
    np.testing.assert_allclose(n(v / 0.5), [7.0, 9.0])
    np.testing.assert_allclose(n(v**2), [12.25, 20.25])
    np.testing.assert_allclose(n(-v), [-3.5, -4.5])
    np.testing.assert_array_equal(n(v > 4.0), [False, True])
    np.testing.assert_allclose(n(ops.multiply(v, v)), [12.25, 20.25])
    with pytest.raises(ValueError, match=r"cannot assign a value of shape \(3,\)"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="aggregation"):
        kcore.Variable(1.0, aggregation="median")


def test_add_weight_attaches_constraint_and_regularizer():
    layer = Layer(name="holder")
    w = layer.add_weight(
        shape=(2,),
        initializer="ones",
        constraint="non_neg",
        regularizer="l2",
        trainable=False,
        dtype="float64" if "float64" in kcore.backend.current().capabilities.dtypes else "float16",
        name="w",
    )
    assert w.path == "holder/w" and not w.trainable
    assert isinstance(w.constraint, kcore.constraints.NonNeg)
    assert isinstance(w.regularizer, kcore.regularizers.L2)
    with pytest.raises(ValueError, match="non-negative ints"):
        layer.add_weight(shape=(-1,))


@pytest.mark.skipif(not TRAINABLE, reason="inference-only backend: no gradients")
def test_gradients_flow_through_stateless_call():
    from kcore.testing.layers import _check_gradients

    layer = Block()
    x = np.random.default_rng(0).standard_normal((2, 5)).astype("float32")
    layer(x)
    _check_gradients(layer, x, {})
