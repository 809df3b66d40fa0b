"""Optimizers against numbers computed once with Keras 3.15.1 (TensorFlow backend), and
their API: variables in Keras's saved order, configs, saving, errors, stateless use.

Each case runs 6 steps on the quadratic ``0.5 * |w - target|^2`` (gradient
``w - target``) for a (2, 3) kernel ``w`` and a (3,) bias ``b``. Gradients are given,
so the NumPy backend runs these too. ``schedule_free_adamw`` holds Keras-on-JAX's
numbers: Keras on TensorFlow and torch reads its ``momentum`` slot after updating it
in place (an aliasing slip), kcore computes the algorithm as written.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import kcore
from kcore import ops, optimizers
from kcore.optimizers import schedules

BACKEND = kcore.backend.current()
pytestmark = pytest.mark.skipif(
    BACKEND.name not in ("numpy", "jax", "torch", "tensorflow"),
    reason="optimizers need variable assignment (not on inference-only openvino)",
)

W0 = np.array([[0.0, 0.1, 0.2], [-0.3, 0.4, -0.5]], "float32")
B0 = np.array([0.5, -0.5, 1.0], "float32")
TARGET_W = np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -0.7]], "float32")
TARGET_B = np.array([0.1, 0.2, 0.3], "float32")
STEPS = 6
TOLERANCE = 2e-6


def make_variables():
    return kcore.Variable(W0, name="w"), kcore.Variable(B0, name="b")


def run(optimizer, w, b, steps=STEPS):
    """``steps`` updates on the quadratic; a LossScaleOptimizer gets scaled gradients
    and, at the third step, an infinite one (a skipped step that halves the scale)."""
    scaled = isinstance(optimizer, optimizers.LossScaleOptimizer)
    for step in range(steps):
        gw, gb = w.numpy() - TARGET_W, b.numpy() - TARGET_B
        if scaled:
            scale = float(ops.convert_to_numpy(optimizer.scale_loss(1.0)))
            gw, gb = gw * scale, gb * scale
            if step == 2:
                gw[0, 0] = np.inf
        elif optimizer.loss_scale_factor:
            gw, gb = gw * optimizer.loss_scale_factor, gb * optimizer.loss_scale_factor
        optimizer.apply([ops.convert_to_tensor(gw), ops.convert_to_tensor(gb)], [w, b])


CASES = [
    (
        "sgd",
        lambda: optimizers.SGD(learning_rate=0.1),
        {
            "w": [[0.46855903, -0.4154149, 0.34056771], [-0.065720499, 0.35314411, -0.59371185]],
            "b": [0.31257641, -0.17200871, 0.67200875],
            "n_vars": 2,
        },
    ),
    (
        "sgd_momentum",
        lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9),
        {
            "w": [[1.256608, -1.2822688, 0.57698238], [0.32830399, 0.2743392, -0.75132161]],
            "b": [-0.0026432052, 0.37962559, 0.12037444],
            "n_vars": 4,
        },
    ),
    (
        "sgd_nesterov",
        lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
        {
            "w": [[1.2548838, -1.2803723, 0.57646519], [0.32744193, 0.27451164, -0.75097674]],
            "b": [-0.0019535571, 0.37841871, 0.12158128],
            "n_vars": 4,
        },
    ),
    (
        "adam",
        lambda: optimizers.Adam(learning_rate=0.1),
        {
            "w": [[0.58575821, -0.48779365, 0.64538896], [0.24742623, 0.32573426, -0.80221993]],
            "b": [-0.014994834, 0.073274001, 0.42672598],
            "n_vars": 6,
        },
    ),
    (
        "adam_amsgrad",
        lambda: optimizers.Adam(learning_rate=0.1, amsgrad=True),
        {
            "w": [[0.58575821, -0.48779365, 0.64538896], [0.24742623, 0.32572111, -0.80221975]],
            "b": [-0.014994834, 0.073274001, 0.42672598],
            "n_vars": 8,
        },
    ),
    (
        "adamw",
        lambda: optimizers.AdamW(learning_rate=0.1, weight_decay=0.1),
        {
            "w": [[0.57143152, -0.4790535, 0.63066363], [0.24882579, 0.32403183, -0.78922951]],
            "b": [-0.023119885, 0.086147077, 0.38732168],
            "n_vars": 6,
        },
    ),
    (
        "adamax",
        lambda: optimizers.Adamax(learning_rate=0.1),
        {
            "w": [[0.52280843, -0.42962927, 0.56889498], [0.15198447, 0.28980243, -0.78160983]],
            "b": [0.080640227, -0.0084774941, 0.50847751],
            "n_vars": 6,
        },
    ),
    (
        "adagrad",
        lambda: optimizers.Adagrad(learning_rate=0.1),
        {
            "w": [[0.32844183, -0.23246187, 0.41731051], [-0.020665986, 0.31248602, -0.6622619]],
            "b": [0.24546231, -0.19186877, 0.69186878],
            "n_vars": 4,
        },
    ),
    (
        "adadelta",
        lambda: optimizers.Adadelta(learning_rate=1.0),
        {
            "w": [[0.0086536026, 0.09134458, 0.20860669], [-0.29136652, 0.39152884, -0.508573]],
            "b": [0.49137652, -0.491355, 0.991355],
            "n_vars": 6,
        },
    ),
    (
        "adafactor",
        lambda: optimizers.Adafactor(learning_rate=0.1),
        {
            "w": [[0.17624849, -0.093537718, 0.35482281], [-0.069431856, 0.3539781, -0.68599892]],
            "b": [0.22059132, -0.18923986, 0.68923986],
            "n_vars": 8,
        },
    ),
    (
        "rmsprop",
        lambda: optimizers.RMSprop(learning_rate=0.1),
        {
            "w": [[0.85570377, -0.79475665, 0.49999228], [0.19947466, 0.3027266, -0.69496638]],
            "b": [0.099999964, 0.17833343, 0.32166657],
            "n_vars": 4,
        },
    ),
    (
        "rmsprop_centered_momentum",
        lambda: optimizers.RMSprop(learning_rate=0.1, momentum=0.5, centered=True),
        {
            "w": [[1.1195954, -1.1327754, 0.50451255], [0.1455681, 0.2555849, -0.733944]],
            "b": [0.14736989, 0.21614645, 0.28385356],
            "n_vars": 8,
        },
    ),
    (
        "nadam",
        lambda: optimizers.Nadam(learning_rate=0.1),
        {
            "w": [[0.43168381, -0.33549869, 0.50764358], [0.083586961, 0.29588309, -0.72059923]],
            "b": [0.1440334, -0.087584898, 0.58758485],
            "n_vars": 7,
        },
    ),
    (
        "ftrl",
        lambda: optimizers.Ftrl(
            learning_rate=0.1,
            l1_regularization_strength=0.01,
            l2_regularization_strength=0.01,
            l2_shrinkage_regularization_strength=0.01,
            beta=0.1,
        ),
        {
            "w": [[0.30698463, -0.2429153, 0.28761184], [0.073311001, 0.16444194, -0.33492839]],
            "b": [0.094653986, -0.028314251, 0.37135944],
            "n_vars": 6,
        },
    ),
    (
        "lion",
        lambda: optimizers.Lion(learning_rate=0.1),
        {
            "w": [[0.60000002, -0.5, 0.60000002], [0.29999998, 0.20000002, -0.70000005]],
            "b": [0.10000002, 0.099999987, 0.39999992],
            "n_vars": 4,
        },
    ),
    (
        "lamb",
        lambda: optimizers.Lamb(learning_rate=0.1),
        {
            "w": [[0.19688424, -0.096992761, 0.39247087], [-0.10458469, 0.25002423, -0.68658733]],
            "b": [0.16889681, -0.15854521, 0.6585452],
            "n_vars": 6,
        },
    ),
    (
        "muon",
        lambda: optimizers.Muon(learning_rate=0.1),
        {
            "w": [[0.081036523, -0.01965129, 0.24741317], [-0.18683425, 0.43717632, -0.59103262]],
            "b": [-0.015341178, 0.073809646, 0.42509466],
            "n_vars": 5,
        },
    ),
    (
        "schedule_free_adamw",
        lambda: optimizers.ScheduleFreeAdamW(learning_rate=0.1, warmup_steps=2),
        {
            "w": [[0.30556384, -0.20744315, 0.45036852], [-0.016560869, 0.29570398, -0.70640928]],
            "b": [0.22855227, -0.20359682, 0.70359695],
            "n_vars": 6,
        },
    ),
    (
        "sgd_clipnorm",
        lambda: optimizers.SGD(learning_rate=0.1, clipnorm=0.5),
        {
            "w": [[0.18605211, -0.10465731, 0.25581563], [-0.20697398, 0.38139477, -0.53721046]],
            "b": [0.38760972, -0.30331701, 0.80331683],
            "n_vars": 2,
        },
    ),
    (
        "sgd_clipvalue",
        lambda: optimizers.SGD(learning_rate=0.1, clipvalue=0.2),
        {
            "w": [[0.12000001, -0.020000013, 0.32000002], [-0.18000001, 0.35314411, -0.59371185]],
            "b": [0.37999994, -0.37999994, 0.88000011],
            "n_vars": 2,
        },
    ),
    (
        "adam_global_clipnorm",
        lambda: optimizers.Adam(learning_rate=0.1, global_clipnorm=0.5),
        {
            "w": [[0.60184431, -0.50256062, 0.62143213], [0.26838276, 0.34446311, -0.75222319]],
            "b": [-0.022524931, 0.094725713, 0.40527433],
            "n_vars": 6,
        },
    ),
    (
        "sgd_weight_decay",
        lambda: optimizers.SGD(learning_rate=0.1, weight_decay=0.1),
        {
            "w": [[0.45728973, -0.40759164, 0.32804114], [-0.057636458, 0.33597946, -0.56859344]],
            "b": [0.29421964, -0.1570327, 0.63416821],
            "n_vars": 2,
        },
    ),
    (
        "adam_weight_decay",
        lambda: optimizers.Adam(learning_rate=0.1, weight_decay=0.2),
        {
            "w": [[0.55748034, -0.47041559, 0.61634505], [0.24980649, 0.3220304, -0.77766067]],
            "b": [-0.030187577, 0.097976305, 0.35071403],
            "n_vars": 6,
        },
    ),
    (
        "adam_ema",
        lambda: optimizers.Adam(learning_rate=0.1, use_ema=True, ema_momentum=0.5),
        {
            "w": [[0.58575821, -0.48779365, 0.64538896], [0.24742623, 0.32573426, -0.80221993]],
            "b": [-0.014994834, 0.073274001, 0.42672598],
            "n_vars": 8,
            "w_final": [
                [0.49340683, -0.3947795, 0.59921157],
                [0.16792628, 0.29727858, -0.79480278],
            ],
            "b_final": [0.053578936, -0.014946371, 0.51494634],
        },
    ),
    (
        "sgd_ema_overwrite",
        lambda: optimizers.SGD(
            learning_rate=0.1, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2
        ),
        {
            "w": [[0.337888, -0.27167681, 0.30136642], [-0.131056, 0.36621124, -0.5675776]],
            "b": [0.3648448, -0.2634784, 0.7634784],
            "n_vars": 4,
            "w_final": [[0.337888, -0.27167681, 0.30136642], [-0.131056, 0.36621124, -0.5675776]],
            "b_final": [0.3648448, -0.2634784, 0.7634784],
        },
    ),
    (
        "sgd_accumulation",
        lambda: optimizers.SGD(learning_rate=0.1, momentum=0.5, gradient_accumulation_steps=2),
        {
            "w": [[0.38600001, -0.32460001, 0.31580001], [-0.10700001, 0.36140001, -0.5772]],
            "b": [0.34560001, -0.22980002, 0.72979999],
            "n_vars": 6,
        },
    ),
    (
        "adam_accumulation",
        lambda: optimizers.Adam(learning_rate=0.1, gradient_accumulation_steps=3),
        {
            "w": [[0.19958556, -0.099636681, 0.39703178], [-0.10119021, 0.23299795, -0.69321382]],
            "b": [0.30174553, -0.30069685, 0.80069685],
            "n_vars": 8,
        },
    ),
    (
        "sgd_loss_scale_factor",
        lambda: optimizers.SGD(learning_rate=0.1, loss_scale_factor=4.0),
        {
            "w": [[0.46855903, -0.4154149, 0.34056771], [-0.065720499, 0.35314411, -0.59371185]],
            "b": [0.31257641, -0.17200871, 0.67200875],
            "n_vars": 2,
        },
    ),
    (
        "sgd_exponential_decay",
        lambda: optimizers.SGD(
            learning_rate=schedules.ExponentialDecay(0.2, decay_steps=2, decay_rate=0.5)
        ),
        {
            "w": [[0.47355321, -0.42090851, 0.34206596], [-0.063223407, 0.35264468, -0.59471065]],
            "b": [0.3105787, -0.16851278, 0.66851282],
            "n_vars": 1,
        },
    ),
    (
        "sgd_piecewise",
        lambda: optimizers.SGD(
            learning_rate=schedules.PiecewiseConstantDecay([1, 3], [0.3, 0.2, 0.05])
        ),
        {
            "w": [[0.71697599, -0.68867362, 0.4150928], [0.058488008, 0.32830241, -0.64339519]],
            "b": [0.2132096, 0.0018832209, 0.49811676],
            "n_vars": 1,
        },
    ),
    (
        "sgd_polynomial",
        lambda: optimizers.SGD(
            learning_rate=schedules.PolynomialDecay(
                0.3, decay_steps=3, end_learning_rate=0.01, power=2.0, cycle=True
            )
        ),
        {
            "w": [[0.4624624, -0.40870863, 0.33873874], [-0.068768814, 0.35375378, -0.59249246]],
            "b": [0.31501505, -0.17627634, 0.67627627],
            "n_vars": 1,
        },
    ),
    (
        "sgd_inverse_time",
        lambda: optimizers.SGD(
            learning_rate=schedules.InverseTimeDecay(
                0.3, decay_steps=1, decay_rate=0.5, staircase=True
            )
        ),
        {
            "w": [[0.6553216, -0.62085378, 0.39659649], [0.027660806, 0.33446786, -0.6310643]],
            "b": [0.23787135, -0.041274872, 0.54127485],
            "n_vars": 1,
        },
    ),
    (
        "adam_cosine_warmup",
        lambda: optimizers.Adam(
            learning_rate=schedules.CosineDecay(
                0.0, decay_steps=3, alpha=0.1, warmup_target=0.2, warmup_steps=2
            )
        ),
        {
            "w": [[0.53040481, -0.43171591, 0.65827549], [0.20832318, 0.17657398, -0.88504565]],
            "b": [0.0081988722, 0.022738233, 0.47726184],
            "n_vars": 5,
        },
    ),
    (
        "sgd_cosine_restarts",
        lambda: optimizers.SGD(
            learning_rate=schedules.CosineDecayRestarts(
                0.3, first_decay_steps=2, t_mul=2.0, m_mul=0.5, alpha=0.1
            )
        ),
        {
            "w": [[0.64223635, -0.60645998, 0.3926709], [0.021118172, 0.33577639, -0.62844723]],
            "b": [0.24310549, -0.050434541, 0.55043459],
            "n_vars": 1,
        },
    ),
    (
        "loss_scale",
        lambda: optimizers.LossScaleOptimizer(
            optimizers.SGD(learning_rate=0.1, momentum=0.5),
            initial_scale=8.0,
            dynamic_growth_steps=2,
        ),
        {
            "w": [[0.63555998, -0.59911603, 0.390668], [0.017779998, 0.33644399, -0.62711203]],
            "b": [0.24577601, -0.055108011, 0.55510801],
            "n_vars": 8,
            "scale": 16.0,
        },
    ),
    (
        "multi",
        lambda: optimizers.MultiOptimizer(
            optimizers.OptimizerMap(
                optimizers.SGD(learning_rate=0.1), {"w": optimizers.Adam(learning_rate=0.1)}
            )
        ),
        {
            "w": [[0.58575821, -0.48779365, 0.64538896], [0.24742623, 0.32573426, -0.80221993]],
            "b": [0.31257641, -0.17200871, 0.67200875],
            "n_vars": 8,
        },
    ),
]


def kernel_tolerance(optimizer, default=TOLERANCE):
    """``(rtol, atol)`` for comparing ``optimizer``'s values with Keras's formulas: the
    loosest tolerance its fused kernels (or its inner optimizers') publish, else
    ``default`` for both."""
    inner = [optimizer, getattr(optimizer, "inner_optimizer", None)]
    inner += list(getattr(optimizer, "optimizers", None) or [])
    published = [getattr(getattr(o, "_kernel", None), "tolerance", None) for o in inner]
    published = [t for t in published if t is not None]
    if not published:
        return default, default
    return max(t[0] for t in published), max(max(t[1] for t in published), default)


@pytest.mark.parametrize("make, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_keras(make, expected):
    optimizer = make()
    w, b = make_variables()
    run(optimizer, w, b)
    rtol, atol = kernel_tolerance(optimizer)
    np.testing.assert_allclose(w.numpy(), expected["w"], rtol=rtol, atol=atol)
    np.testing.assert_allclose(b.numpy(), expected["b"], rtol=rtol, atol=atol)
    assert len(optimizer.variables) == expected["n_vars"]
    if "w_final" in expected:  # EMA: finalize swaps in the averages
        optimizer.finalize_variable_values([w, b])
        atol = max(atol, 1e-6)
        np.testing.assert_allclose(w.numpy(), expected["w_final"], rtol=rtol, atol=atol)
        np.testing.assert_allclose(b.numpy(), expected["b_final"], rtol=rtol, atol=atol)
    if "scale" in expected:
        assert float(optimizer.dynamic_scale.numpy()) == expected["scale"]


def test_stateless_apply_matches_apply_and_changes_nothing():
    eager, stateless = optimizers.Adam(0.1), optimizers.Adam(0.1)
    w, b = make_variables()
    w2, b2 = make_variables()
    stateless.build([w2, b2])
    trainable = [w2.value, b2.value]
    opt_values = [v.value for v in stateless.variables]
    for _ in range(3):
        grads = [w.numpy() - TARGET_W, b.numpy() - TARGET_B]
        eager.apply([ops.convert_to_tensor(g) for g in grads], [w, b])
        grads = [
            ops.convert_to_numpy(t) - target for t, target in zip(trainable, (TARGET_W, TARGET_B))
        ]
        trainable, opt_values = stateless.stateless_apply(
            opt_values, [ops.convert_to_tensor(g) for g in grads], trainable
        )
    # stateless_apply runs update_step; apply may run the backend's fused kernel.
    rtol, atol = kernel_tolerance(eager, default=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(trainable[0]), w.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(ops.convert_to_numpy(trainable[1]), b.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_array_equal(w2.numpy(), W0)  # the variables themselves are untouched
    assert int(stateless.iterations.numpy()) == 0
    assert int(ops.convert_to_numpy(opt_values[0])) == 3


def test_variables_in_keras_saved_order():
    optimizer = optimizers.Adam(name="adam_order", use_ema=True, gradient_accumulation_steps=2)
    optimizer.build(make_variables())
    assert [v.path for v in optimizer.variables] == [
        "adam_order/iteration",
        "adam_order/learning_rate",
        "adam_order/w_average",
        "adam_order/b_average",
        "adam_order/w_gradient_accumulator",
        "adam_order/b_gradient_accumulator",
        "adam_order/w_momentum",
        "adam_order/w_velocity",
        "adam_order/b_momentum",
        "adam_order/b_velocity",
    ]
    assert optimizer.variables[0].dtype in ("int32", "int64")
    assert optimizer.variables[1].dtype == "float32"
    assert [tuple(v.shape) for v in optimizer.variables[6:]] == [(2, 3), (2, 3), (3,), (3,)]


def test_save_and_load_own_variables_round_trip():
    source = optimizers.Adam(0.1)
    w, b = make_variables()
    run(source, w, b, steps=2)
    store = {}
    source.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(6)]
    assert int(store["0"]) == 2 and np.isclose(float(store["1"]), 0.1)
    target = optimizers.Adam(0.1)
    target.build(make_variables())
    target.load_own_variables(store)
    for loaded, saved in zip(target.variables, source.variables):
        np.testing.assert_array_equal(loaded.numpy(), saved.numpy())


def test_load_own_variables_with_another_count_warns_and_skips():
    optimizer = optimizers.SGD(momentum=0.5)
    optimizer.build(make_variables())
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        optimizer.load_own_variables({"0": np.array(7)})
    assert int(optimizer.iterations.numpy()) == 0


ALL = [
    optimizers.SGD,
    optimizers.Adam,
    optimizers.AdamW,
    optimizers.Adamax,
    optimizers.Adagrad,
    optimizers.Adadelta,
    optimizers.Adafactor,
    optimizers.RMSprop,
    optimizers.Nadam,
    optimizers.Ftrl,
    optimizers.Lion,
    optimizers.Lamb,
    optimizers.Muon,
    optimizers.ScheduleFreeAdamW,
]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_config_round_trip(cls):
    optimizer = cls(learning_rate=0.25, clipnorm=1.5, name="custom")
    config = optimizer.get_config()
    assert config["learning_rate"] == 0.25 and config["clipnorm"] == 1.5
    assert config["name"] == "custom"
    clone = cls.from_config(config)
    assert type(clone) is cls and clone.get_config() == config
    serialized = optimizers.serialize(optimizer)
    assert serialized["module"] == "keras.optimizers"
    assert serialized["class_name"] == cls.__name__
    assert serialized["registered_name"] is None
    assert optimizers.deserialize(serialized).get_config() == config


def test_config_keeps_a_schedule():
    decay = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9)
    config = optimizers.serialize(optimizers.SGD(learning_rate=decay))
    lr = config["config"]["learning_rate"]
    assert lr["class_name"] == "ExponentialDecay"
    assert lr["module"] == "keras.optimizers.schedules"
    assert lr["config"]["decay_steps"] == 10
    clone = optimizers.deserialize(config)
    assert isinstance(clone._learning_rate, schedules.ExponentialDecay)


def test_wrapper_configs_round_trip():
    lso = optimizers.LossScaleOptimizer(optimizers.SGD(0.5), initial_scale=4.0)
    clone = optimizers.deserialize(optimizers.serialize(lso))
    assert isinstance(clone.inner_optimizer, optimizers.SGD) and clone.initial_scale == 4.0
    multi = optimizers.MultiOptimizer(
        optimizers.OptimizerMap(optimizers.SGD(0.5), {"w": optimizers.Adam(0.25)})
    )
    clone = optimizers.deserialize(optimizers.serialize(multi))
    assert [type(o).__name__ for o in clone.optimizers] == ["Adam", "SGD"]


@pytest.mark.parametrize(
    "identifier, cls",
    [
        ("adam", optimizers.Adam),
        ("SGD", optimizers.SGD),
        ("rmsprop", optimizers.RMSprop),
        ("AdamW", optimizers.AdamW),
        ("lamb", optimizers.Lamb),
    ],
)
def test_get_by_name(identifier, cls):
    assert type(optimizers.get(identifier)) is cls


def test_get_rejects_unknown_identifiers():
    assert optimizers.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(3)
    with pytest.raises(ValueError, match="could not find"):
        optimizers.get("no_such_optimizer")


def test_learning_rate_property_is_settable_and_reads_schedules():
    optimizer = optimizers.SGD(learning_rate=0.5)
    assert np.isclose(float(optimizer.learning_rate.numpy()), 0.5)
    optimizer.learning_rate = 0.25
    assert np.isclose(float(optimizer.learning_rate.numpy()), 0.25)
    scheduled = optimizers.SGD(learning_rate=schedules.InverseTimeDecay(1.0, 1, 1.0))
    w, b = make_variables()
    run(scheduled, w, b, steps=3)
    assert np.isclose(float(ops.convert_to_numpy(scheduled.learning_rate)), 0.25)
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.1
    called = optimizers.SGD(learning_rate=lambda: 0.125)
    assert called.learning_rate == 0.125


def test_constructor_errors_name_the_argument():
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(bogus=1)
    with pytest.raises(ValueError, match="Only one of `clipnorm`"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="weight_decay=None"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.SGD(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=2.0)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate="fast")


def test_apply_errors():
    optimizer = optimizers.SGD()
    with pytest.raises(ValueError, match="must already be built"):
        optimizer.apply([ops.ones((3,))])
    w, b = make_variables()
    optimizer.apply([ops.ones((2, 3)), ops.ones((3,))], [w, b])
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply([ops.ones((3,))], [kcore.Variable(B0)])
    with pytest.raises(ValueError, match="must be built"):
        optimizers.Adam().stateless_apply([], [], [])


def test_missing_gradients_are_skipped_with_a_warning():
    optimizer = optimizers.SGD(0.5)
    w, b = make_variables()
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        optimizer.apply([None, ops.ones((3,))], [w, b])
    np.testing.assert_array_equal(w.numpy(), W0)
    np.testing.assert_allclose(b.numpy(), B0 - 0.5)


def test_exclude_from_weight_decay():
    optimizer = optimizers.SGD(learning_rate=0.5, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["b"])
    w, b = make_variables()
    optimizer.apply([ops.zeros((2, 3)), ops.zeros((3,))], [w, b])
    np.testing.assert_allclose(w.numpy(), W0 * 0.75, rtol=1e-6)
    np.testing.assert_array_equal(b.numpy(), B0)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        optimizer.exclude_from_weight_decay(var_names=["w"])


def test_constraints_apply_after_the_update():
    optimizer = optimizers.SGD(learning_rate=1.0)
    w, b = make_variables()
    w.constraint = kcore.constraints.NonNeg()
    optimizer.apply([ops.ones((2, 3)), ops.zeros((3,))], [w, b])
    assert (w.numpy() >= 0).all() and w.numpy().max() == 0.0


def test_scale_loss():
    assert optimizers.SGD(loss_scale_factor=4.0).scale_loss(2.0) == 8.0
    assert optimizers.SGD().scale_loss(2.0) == 2.0
    lso = optimizers.LossScaleOptimizer(optimizers.SGD(), initial_scale=16.0)
    assert float(ops.convert_to_numpy(lso.scale_loss(2.0))) == 32.0


def test_loss_scale_optimizer_skips_non_finite_steps():
    lso = optimizers.LossScaleOptimizer(optimizers.SGD(0.5), initial_scale=8.0)
    w, b = make_variables()
    lso.apply([ops.convert_to_tensor(np.full((2, 3), np.nan, "float32")), ops.ones((3,))], [w, b])
    np.testing.assert_array_equal(w.numpy(), W0)
    assert float(lso.dynamic_scale.numpy()) == 4.0 and int(lso.iterations.numpy()) == 0
    lso.apply([ops.ones((2, 3)) * 4.0, ops.ones((3,)) * 4.0], [w, b])
    np.testing.assert_allclose(w.numpy(), W0 - 0.5, rtol=1e-6)
    assert int(lso.iterations.numpy()) == 1
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)


def test_multi_optimizer_routes_variables_by_path():
    sgd, adam = optimizers.SGD(0.5), optimizers.Adam(0.5)
    multi = optimizers.MultiOptimizer(optimizers.OptimizerMap(sgd, {"w": adam}))
    w, b = make_variables()
    multi.apply([ops.ones((2, 3)), ops.ones((3,))], [w, b])
    np.testing.assert_allclose(w.numpy(), W0 - 0.5, atol=1e-5)  # Adam's first step: lr
    np.testing.assert_allclose(b.numpy(), B0 - 0.5, rtol=1e-6)  # SGD: lr * 1
    assert int(adam.iterations.numpy()) == 1 and int(sgd.iterations.numpy()) == 1
    with pytest.raises(AttributeError, match="MultiOptimizer"):
        _ = multi.learning_rate
    mapping = optimizers.OptimizerMap(sgd, {"enc/.*": adam, "enc/x.*": sgd})
    with pytest.raises(ValueError, match="Multiple optimizers"):
        mapping["enc/xy"]
    with pytest.raises(ValueError, match="cannot be LossScaleOptimizer"):
        mapping["other"] = optimizers.LossScaleOptimizer(optimizers.SGD())


def test_every_keras_name_exists():
    surface = json.loads((Path(__file__).parent / "keras-3.15.1-surface.json").read_text())
    for namespace, module in (("optimizers", optimizers), ("optimizers.schedules", schedules)):
        missing = [name for name in surface[namespace] if not hasattr(module, name)]
        assert missing == [], f"kcore.{namespace} lacks {missing}"


def test_signatures_match_keras_defaults():
    import inspect

    adam = inspect.signature(optimizers.Adam)
    assert list(adam.parameters)[:6] == [
        "learning_rate",
        "beta_1",
        "beta_2",
        "epsilon",
        "amsgrad",
        "weight_decay",
    ]
    assert adam.parameters["epsilon"].default == 1e-7
    assert inspect.signature(optimizers.AdamW).parameters["weight_decay"].default == 0.004


def test_decay_argument_is_ignored_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizers.SGD(decay=0.1)
    assert any("no longer supported" in str(w.message) for w in caught)


# -- the backend's fused update kernels (Backend.optimizer_kernels) -------------------------

KERNEL_CASES = {
    "sgd": lambda: optimizers.SGD(0.1),
    "sgd_momentum": lambda: optimizers.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: optimizers.Adam(0.1),
    "adamw": lambda: optimizers.AdamW(0.1, weight_decay=0.1),
    "adam_accumulation": lambda: optimizers.Adam(0.1, gradient_accumulation_steps=2),
    "rmsprop": lambda: optimizers.RMSprop(0.1),
    "rmsprop_centered_momentum": lambda: optimizers.RMSprop(0.1, momentum=0.5, centered=True),
    "sgd_weight_decay_schedule": lambda: optimizers.SGD(
        optimizers.schedules.ExponentialDecay(0.1, 2, 0.5), weight_decay=0.2
    ),
}


def _kernel_run(optimizer, fused, shapes=((4, 3), (3,), (3, 2), (2,)), steps=4):
    rng = np.random.default_rng(0)
    variables = [
        kcore.Variable(rng.normal(size=s).astype("float32"), name=f"v{i}")
        for i, s in enumerate(shapes)
    ]
    optimizer.build(variables)
    if not fused:
        optimizer._kernel = None
    for _ in range(steps):
        grads = [ops.convert_to_tensor(rng.normal(size=s).astype("float32")) for s in shapes]
        optimizer.apply(grads, variables)
    return variables, optimizer


@pytest.mark.parametrize("name", list(KERNEL_CASES))
def test_fused_kernel_matches_the_per_variable_path(name):
    if KERNEL_CASES[name]()._kernel_name not in BACKEND.optimizer_kernels:
        pytest.skip(f"{BACKEND.name} has no fused kernel for this optimizer")
    fused_vars, fused = _kernel_run(KERNEL_CASES[name](), fused=True)
    loop_vars, loop = _kernel_run(KERNEL_CASES[name](), fused=False)
    assert fused._kernel is not None and loop._kernel is None
    rtol, atol = kernel_tolerance(fused, default=2e-6)
    # The values are of order 1: the absolute slack is a tenth of the relative one.
    for a, b in zip(fused_vars + fused.variables, loop_vars + loop.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol / 10)


def test_kernel_is_not_used_where_it_does_not_apply():
    if "adam" not in BACKEND.optimizer_kernels:
        pytest.skip(f"{BACKEND.name} has no fused Adam")
    variables = [kcore.Variable(np.ones((2, 2), "float32"))]
    amsgrad = optimizers.Adam(amsgrad=True)
    amsgrad.build(variables)
    assert amsgrad._kernel is None

    class MyAdam(optimizers.Adam):
        def update_step(self, gradient, variable, learning_rate):
            super().update_step(gradient, variable, learning_rate)

    custom = MyAdam()
    custom.build(variables)
    assert custom._kernel is None
    plain = optimizers.Adam()
    plain.build(variables)
    assert plain._kernel is not None
