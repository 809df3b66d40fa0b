"""On torch a kcore Layer is a torch.nn.Module: parameters, state_dict, train/eval, and
a plain torch training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import kcore
from kcore import ops

pytestmark = pytest.mark.skipif(
    kcore.config.backend() != "torch", reason="needs the torch backend selected"
)


def _mlp_layers():
    class Linear(kcore.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, x):
            return ops.matmul(x, self.kernel) + self.bias

    class MLP(kcore.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = [Linear(8), Linear(8)]
            self.out = Linear(1)

        def call(self, x):
            for layer in self.hidden:
                x = ops.relu(layer(x))
            return self.out(x)

    return Linear, MLP


def test_layer_is_a_module_with_parameters_and_state_dict():
    _, MLP = _mlp_layers()
    model = MLP()
    model(torch.ones(2, 3))
    assert isinstance(model, torch.nn.Module)
    params = list(model.parameters())
    assert len(params) == 6 == len(model.weights)
    assert {id(p) for p in params} == {id(v.value) for v in model.weights}
    state = model.state_dict()
    assert len(state) == 6 and all(k.endswith((".kernel", ".bias")) for k in state)
    assert "out.torch_params.kernel" in state


def test_load_state_dict_sets_kcore_variables():
    _, MLP = _mlp_layers()
    a, b = MLP(), MLP()
    x = torch.randn(4, 3)
    a(x), b(x)
    b.load_state_dict(a.state_dict())
    np.testing.assert_allclose(b(x).detach().numpy(), a(x).detach().numpy())
    for va, vb in zip(a.weights, b.weights):
        np.testing.assert_allclose(va.numpy(), vb.numpy())


def test_plain_torch_training_loop_learns():
    _, MLP = _mlp_layers()
    torch.manual_seed(0)
    model = MLP()
    x = torch.randn(64, 3)
    y = x.sum(dim=1, keepdim=True)
    model(x)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    first = None
    for _ in range(60):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        first = first if first is not None else float(loss)
    assert float(loss) < 0.1 * first
    # the kcore variables are the trained Parameters
    assert model.weights[0].value is next(model.parameters())


def test_freezing_sets_requires_grad():
    Linear, _ = _mlp_layers()
    layer = Linear(2)
    layer(torch.ones(1, 3))
    layer.trainable = False
    assert [p.requires_grad for p in layer.parameters()] == [False, False]
    layer.trainable = True
    assert all(p.requires_grad for p in layer.parameters())


def test_module_inside_a_torch_module():
    Linear, _ = _mlp_layers()

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.kcore_layer = Linear(2)
            self.torch_layer = torch.nn.Linear(2, 1)

        def forward(self, x):
            return self.torch_layer(self.kcore_layer(x))

    net = Net()
    out = net(torch.ones(5, 3))
    assert tuple(out.shape) == (5, 1)
    assert len(list(net.parameters())) == 4
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
