"""Learning-rate schedules against values computed once with Keras 3.15.1, their
configs in Keras's format, and their use inside an optimizer step."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import ops, optimizers
from kcore.optimizers import schedules

pytestmark = pytest.mark.skipif(
    kcore.backend.current().name not in ("numpy", "jax", "torch", "tensorflow"),
    reason="schedules are tested where optimizers run",
)

STEPS = [0, 1, 2, 3, 4, 5, 7, 9, 12, 20]
SCHEDULES = [
    (
        "exponential",
        lambda: schedules.ExponentialDecay(0.5, decay_steps=3, decay_rate=0.7),
        [
            0.5,
            0.44395199,
            0.39418676,
            0.34999999,
            0.3107664,
            0.27593073,
            0.21753648,
            0.1715,
            0.12004999,
            0.046375677,
        ],
        {
            "initial_learning_rate": 0.5,
            "decay_steps": 3,
            "decay_rate": 0.7,
            "staircase": False,
            "name": "ExponentialDecay",
        },
    ),
    (
        "exponential_staircase",
        lambda: schedules.ExponentialDecay(0.5, decay_steps=3, decay_rate=0.7, staircase=True),
        [
            0.5,
            0.5,
            0.5,
            0.34999999,
            0.34999999,
            0.34999999,
            0.24499999,
            0.1715,
            0.12004999,
            0.058824494,
        ],
        {
            "initial_learning_rate": 0.5,
            "decay_steps": 3,
            "decay_rate": 0.7,
            "staircase": True,
            "name": "ExponentialDecay",
        },
    ),
    (
        "piecewise",
        lambda: schedules.PiecewiseConstantDecay([2, 5, 9], [1.0, 0.5, 0.25, 0.125]),
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125],
        {"boundaries": [2, 5, 9], "values": [1.0, 0.5, 0.25, 0.125], "name": "PiecewiseConstant"},
    ),
    (
        "polynomial",
        lambda: schedules.PolynomialDecay(0.5, decay_steps=6, end_learning_rate=0.05, power=1.5),
        [
            0.5,
            0.39232659,
            0.29494897,
            0.20909901,
            0.13660254,
            0.080618627,
            0.050000001,
            0.050000001,
            0.050000001,
            0.050000001,
        ],
        {
            "initial_learning_rate": 0.5,
            "decay_steps": 6,
            "end_learning_rate": 0.05,
            "power": 1.5,
            "cycle": False,
            "name": "PolynomialDecay",
        },
    ),
    (
        "polynomial_cycle",
        lambda: schedules.PolynomialDecay(
            0.5, decay_steps=4, end_learning_rate=0.05, power=2.0, cycle=True
        ),
        [
            0.5,
            0.30312499,
            0.16249999,
            0.078125,
            0.050000001,
            0.11328125,
            0.057031251,
            0.078125,
            0.050000001,
            0.050000001,
        ],
        {
            "initial_learning_rate": 0.5,
            "decay_steps": 4,
            "end_learning_rate": 0.05,
            "power": 2.0,
            "cycle": True,
            "name": "PolynomialDecay",
        },
    ),
    (
        "inverse_time",
        lambda: schedules.InverseTimeDecay(0.5, decay_steps=2, decay_rate=0.3),
        [
            0.5,
            0.43478262,
            0.38461539,
            0.34482756,
            0.3125,
            0.2857143,
            0.24390242,
            0.21276596,
            0.17857142,
            0.125,
        ],
        {
            "initial_learning_rate": 0.5,
            "decay_steps": 2,
            "decay_rate": 0.3,
            "staircase": False,
            "name": "InverseTimeDecay",
        },
    ),
    (
        "inverse_time_staircase",
        lambda: schedules.InverseTimeDecay(0.5, decay_steps=2, decay_rate=0.3, staircase=True),
        [
            0.5,
            0.5,
            0.38461539,
            0.38461539,
            0.3125,
            0.3125,
            0.26315787,
            0.22727272,
            0.17857142,
            0.125,
        ],
        {
            "initial_learning_rate": 0.5,
            "decay_steps": 2,
            "decay_rate": 0.3,
            "staircase": True,
            "name": "InverseTimeDecay",
        },
    ),
    (
        "cosine",
        lambda: schedules.CosineDecay(0.5, decay_steps=10, alpha=0.1),
        [
            0.5,
            0.48898771,
            0.45702881,
            0.40725169,
            0.34452882,
            0.27499998,
            0.14274833,
            0.06101229,
            0.050000001,
            0.050000001,
        ],
        {
            "initial_learning_rate": 0.5,
            "decay_steps": 10,
            "alpha": 0.1,
            "name": "CosineDecay",
            "warmup_target": None,
            "warmup_steps": 0,
        },
    ),
    (
        "cosine_warmup",
        lambda: schedules.CosineDecay(
            0.1, decay_steps=6, alpha=0.0, warmup_target=0.6, warmup_steps=4
        ),
        [
            0.1,
            0.22499999,
            0.34999999,
            0.47499999,
            0.60000002,
            0.55980766,
            0.29999998,
            0.040192384,
            0.0,
            0.0,
        ],
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 6,
            "alpha": 0.0,
            "name": "CosineDecay",
            "warmup_target": 0.6,
            "warmup_steps": 4,
        },
    ),
    (
        "cosine_restarts",
        lambda: schedules.CosineDecayRestarts(
            0.5, first_decay_steps=3, t_mul=2.0, m_mul=0.8, alpha=0.05
        ),
        [
            0.5,
            0.38124999,
            0.14374998,
            0.405,
            0.37954485,
            0.31,
            0.12000002,
            0.32900003,
            0.28448027,
            0.030179277,
        ],
        {
            "initial_learning_rate": 0.5,
            "first_decay_steps": 3,
            "t_mul": 2.0,
            "m_mul": 0.8,
            "alpha": 0.05,
            "name": "SGDRDecay",
        },
    ),
    (
        "cosine_restarts_equal",
        lambda: schedules.CosineDecayRestarts(0.5, first_decay_steps=3, t_mul=1.0, m_mul=0.5),
        [
            0.5,
            0.375,
            0.12499999,
            0.25,
            0.18749999,
            0.062500015,
            0.093750015,
            0.0625,
            0.03125,
            0.0019531264,
        ],
        {
            "initial_learning_rate": 0.5,
            "first_decay_steps": 3,
            "t_mul": 1.0,
            "m_mul": 0.5,
            "alpha": 0.0,
            "name": "SGDRDecay",
        },
    ),
]


@pytest.mark.parametrize(
    "make, expected, config", [s[1:] for s in SCHEDULES], ids=[s[0] for s in SCHEDULES]
)
def test_values_match_keras(make, expected, config):
    schedule = make()
    values = [float(ops.convert_to_numpy(schedule(step))) for step in STEPS]
    np.testing.assert_allclose(values, expected, rtol=2e-6, atol=2e-7)
    # A tensor step (what an optimizer passes: its int iteration counter) gives the same.
    tensor_step = ops.convert_to_tensor(np.array(STEPS[3], "int32"))
    assert np.isclose(float(ops.convert_to_numpy(schedule(tensor_step))), expected[3], rtol=2e-6)
    assert schedule.get_config() == config


@pytest.mark.parametrize("make", [s[1] for s in SCHEDULES], ids=[s[0] for s in SCHEDULES])
def test_config_round_trip(make):
    schedule = make()
    serialized = schedules.serialize(schedule)
    assert serialized["module"] == "keras.optimizers.schedules"
    assert serialized["class_name"] == type(schedule).__name__
    clone = schedules.deserialize(serialized)
    assert type(clone) is type(schedule) and clone.get_config() == schedule.get_config()
    assert type(schedule).from_config(schedule.get_config()).get_config() == schedule.get_config()


def test_keras_written_config_loads():
    config = {
        "module": "keras.optimizers.schedules",
        "class_name": "CosineDecay",
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 100,
            "alpha": 0.0,
            "name": "CosineDecay",
            "warmup_target": None,
            "warmup_steps": 0,
        },
        "registered_name": None,
    }
    schedule = schedules.deserialize(config)
    assert isinstance(schedule, schedules.CosineDecay) and schedule.decay_steps == 100


def test_schedule_drives_the_optimizer_step():
    optimizer = optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([0], [1.0, 0.5]))
    w = kcore.Variable(np.zeros((2,), "float32"))
    for _ in range(3):  # rates: step 0 -> 1.0, then 0.5, 0.5
        optimizer.apply([ops.ones((2,))], [w])
    np.testing.assert_allclose(w.numpy(), [-2.0, -2.0])


def test_invalid_arguments_are_named():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, decay_steps=0, decay_rate=0.5)
    with pytest.raises(ValueError, match="first_decay_steps"):
        schedules.CosineDecayRestarts(0.1, first_decay_steps=-1)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])


def test_custom_schedule_subclass():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 * ops.power(0.5, ops.cast(step, "float32"))

    assert float(ops.convert_to_numpy(Halving()(2))) == 0.25
    with pytest.raises(NotImplementedError, match="get_config"):
        Halving().get_config()
