"""What a kcore Layer adds on torch: it is a ``torch.nn.Module``.

``kcore.layers.Layer`` derives from :class:`TorchLayer` when torch is the selected
backend, so a layer or model has ``parameters()``, ``named_parameters()``,
``state_dict()``, ``load_state_dict()``, ``to()``, ``train()``/``eval()`` and works
inside a plain torch training loop (``loss.backward()``, any ``torch.optim``
optimizer). The layer's own variables are the ``torch.nn.Parameter`` objects their
:class:`~kcore_torch.backend.TorchVariable` holds, registered in a
``torch.nn.ParameterDict`` named ``torch_params`` (keys: the variable names);
sublayers are child modules, including those held in lists and dicts.

Example::

    >>> dense = kcore.layers.Dense(2)
    >>> _ = dense(torch.ones(1, 3))
    >>> sorted(dense.state_dict())
    ['torch_params.bias', 'torch_params.kernel']
"""

from __future__ import annotations

from typing import Any

import torch


class TorchLayer(torch.nn.Module):
    """The torch side of ``kcore.layers.Layer`` (see the module docstring)."""

    def _kcore_pre_init(self) -> None:
        torch.nn.Module.__init__(self)
        # Registered as a child module: its Parameters are the layer's own variables.
        self.torch_params = torch.nn.ParameterDict()
        self.__dict__["_kcore_untracked"].add("torch_params")

    def _kcore_track_variable(self, variable: Any) -> None:
        parameter = getattr(variable, "_parameter", None)
        if parameter is None:
            return
        key = variable.name.replace(".", "_")
        base, n = key, 1
        while key in self.torch_params and self.torch_params[key] is not parameter:
            key, n = f"{base}_{n}", n + 1
        self.torch_params[key] = parameter

    def _kcore_track_layers(self, named_layers: list[tuple[str, Any]]) -> None:
        # Called once the layer is built: every sublayer (also those held in lists and
        # dicts) becomes a child module, and children are ordered as kcore orders
        # weights, so parameters() lists the same variables as `weights`.
        modules = self._modules
        key_of = {id(module): key for key, module in modules.items()}
        ordered = {"torch_params": modules["torch_params"]}
        for path, layer in named_layers:
            key = key_of.get(id(layer)) or path.replace(".", "_")
            while key in ordered or (key in modules and modules[key] is not layer):
                key += "_"
            ordered[key] = layer
        placed = {id(m) for m in ordered.values()}
        for key, module in modules.items():
            if id(module) not in placed:
                ordered[key] = module
        modules.clear()
        modules.update(ordered)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """torch's entry point: the same as calling the layer."""
        return self.__call__(*args, **kwargs)
