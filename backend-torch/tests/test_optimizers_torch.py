"""On torch, the fused ``_foreach`` kernels (``kcore_torch.optimizers``) compute what
the optimizers' per-variable ``update_step`` computes, match ``torch.optim`` where the
formulas agree, and serve the ``loss.backward()`` + ``optimizer.apply`` loop."""

from __future__ import annotations

import numpy as np
import pytest

import kcore
from kcore import optimizers

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "torch", reason="needs the torch backend selected"
)

SHAPES = [(4, 3), (3,), (3, 2), (2,)]
STEPS = 4

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


def make_variables(seed=0):
    rng = np.random.default_rng(seed)
    return [
        kcore.Variable(rng.normal(size=s).astype("float32"), name=f"v{i}")
        for i, s in enumerate(SHAPES)
    ]


def gradient_steps(seed=1):
    rng = np.random.default_rng(seed)
    return [
        [torch.tensor(rng.normal(size=s).astype("float32")) for s in SHAPES] for _ in range(STEPS)
    ]


def run(optimizer, fused):
    variables = make_variables()
    optimizer.build(variables)
    if not fused:
        optimizer._kernel = None
    for grads in gradient_steps():
        optimizer.apply(grads, variables)
    return variables, optimizer


@pytest.mark.parametrize("name", list(KERNEL_CASES))
def test_fused_kernel_matches_the_per_variable_path(name):
    fused_vars, fused = run(KERNEL_CASES[name](), fused=True)
    loop_vars, loop = run(KERNEL_CASES[name](), fused=False)
    assert fused._kernel is not None and loop._kernel is None
    for a, b in zip(fused_vars + fused.variables, loop_vars + loop.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-6, atol=2e-7)


def test_kernel_is_not_used_where_it_does_not_apply():
    amsgrad = optimizers.Adam(amsgrad=True)
    amsgrad.build(make_variables())
    assert amsgrad._kernel is None

    class MyAdam(optimizers.Adam):
        def update_step(self, gradient, variable, learning_rate):
            super().update_step(gradient, variable, learning_rate)

    custom = MyAdam()
    custom.build(make_variables())
    assert custom._kernel is None
    plain = optimizers.Adam()
    plain.build(make_variables())
    assert plain._kernel is not None


@pytest.mark.parametrize(
    "make_kcore, make_torch",
    [
        (
            lambda: optimizers.Adam(0.01, epsilon=1e-8),
            lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-8, foreach=True),
        ),
        (
            lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        ),
        (
            lambda: optimizers.RMSprop(0.01, rho=0.9, epsilon=1e-8),
            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-8),
        ),
    ],
    ids=["adam", "sgd_nesterov", "rmsprop"],
)
def test_matches_torch_optim(make_kcore, make_torch):
    variables = make_variables()
    params = [torch.nn.Parameter(torch.tensor(v.numpy())) for v in variables]
    ours, theirs = make_kcore(), make_torch(params)
    for grads in gradient_steps():
        ours.apply(grads, variables)
        for p, g in zip(params, grads):
            p.grad = g.clone()
        theirs.step()
    # Same algorithms; Keras and torch place epsilon (and the SGD momentum's learning
    # rate) differently, which moves the numbers by about epsilon's size.
    for v, p in zip(variables, params):
        np.testing.assert_allclose(v.numpy(), p.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_backward_then_apply_trains_a_model():
    model = kcore.Sequential(
        [kcore.layers.Input((3,)), kcore.layers.Dense(4), kcore.layers.Dense(1)]
    )
    optimizer = optimizers.AdamW(0.05)
    x, y = torch.ones((8, 3)), torch.zeros((8, 1))
    losses = []
    for _ in range(30):
        loss = ((model(x) - y) ** 2).mean()
        for v in model.trainable_weights:
            v.value.grad = None
        loss.backward()
        optimizer.apply([v.value.grad for v in model.trainable_weights], model.trainable_weights)
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    parameters = list(model.parameters())
    assert all(p is v.value for p, v in zip(parameters, model.trainable_weights))
