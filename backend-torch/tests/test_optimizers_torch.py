"""On torch, the fused ``_foreach`` kernels (``kcore_torch.optimizers``) match
``torch.optim`` where the formulas agree and serve the ``loss.backward()`` +
``optimizer.apply`` loop (``tests/test_optimizers.py`` compares every backend's kernels
with the per-variable path)."""

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
