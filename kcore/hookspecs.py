"""The contract between kcore's core and its plugins.

Every distribution that extends kcore (a backend, a quantizer, an exporter, a data
adapter, a CLI command) is a *plugin*: a light module, named by an entry point in the
``kcore.backends`` or ``kcore.plugins`` group, whose module-level functions are marked
with :data:`hookimpl` and named after the specifications below. A plugin module also
declares ``KCORE_PLUGIN_API = "1.0"``, the version of this contract it implements.

The rules every hook follows:

* Hooks are coarse. They hand an object over once (a :class:`~kcore.backend.Backend`,
  a trainer, a list of modes or formats); the core then calls that object directly.
  Nothing calls a hook per op, per layer call or per training step.
* A plugin module imports no framework at import time. Only the hooks that build heavy
  objects (:func:`kcore_load_backend`, :func:`kcore_trainer`) may import one, and only
  when the core calls them for the backend the user selected.
* ``firstresult`` hooks stop at the first plugin that returns something other than
  ``None``; plugins that don't handle the request return ``None``. The other hooks
  collect one result per plugin, in registration order (pluggy calls the most recently
  registered plugin first).

Example, a backend descriptor (``kcore_toy/descriptor.py``, named by the entry point
``toy = kcore_toy.descriptor:descriptor``); :class:`kcore.backend.BackendDescriptor`
implements both backend hooks, and a plain module with ``@hookimpl`` functions and a
module-level ``KCORE_PLUGIN_API`` works as well::

    from kcore.backend import BackendDescriptor, BackendInfo

    descriptor = BackendDescriptor(
        BackendInfo(name="toy", distribution="kcore-toy", framework="toyframework"),
        factory="kcore_toy.backend:make_backend",  # imports the framework when called
        plugin_api="1.0",
    )
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover - for annotations only; keeps this module light
    from kcore.backend import Backend, BackendInfo
    from kcore.config import Settings

PROJECT_NAME = "kcore"

#: The version of this contract. A plugin's ``KCORE_PLUGIN_API`` must have the same
#: major number and a minor number no greater than this one.
PLUGIN_API_VERSION = "1.0"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# --------------------------------------------------------------------------- backend


@hookspec
def kcore_backend_info() -> BackendInfo:
    """Describe the backend this plugin provides, without importing its framework.

    Receives nothing. Returns a :class:`kcore.backend.BackendInfo` (name, aliases,
    distribution, framework module, install hint, light capabilities). Called once,
    when the registry is first consulted; every backend plugin's result is collected.
    """


@hookspec(firstresult=True)
def kcore_load_backend(name: str) -> Backend | None:
    """Build the :class:`kcore.backend.Backend` object for ``name``.

    Receives the canonical backend name the user selected (or asked for through
    :func:`kcore.backend.get_backend`). Returns the Backend object (op table,
    Variable class, conversions, abstract evaluation, capabilities) from the plugin
    that owns ``name``, which imports its framework only now; other plugins return
    ``None``. First result wins. Called at most once per name per process: the core caches it.
    """


# --------------------------------------------------------------------------- trainer


@hookspec(firstresult=True)
def kcore_trainer(backend: Backend, model: Any) -> Any | None:
    """Hand over the step functions for training ``model`` on ``backend``.

    Receives the selected Backend object and the model being compiled. Returns a
    :class:`kcore.trainers.steps.Steps` subclass instance: the default
    ``train_step``/``test_step``/``predict_step`` logic in the backend's idiom (what
    ``Model.train_step`` runs unless the user overrides it) and the runners
    ``train_function``/``test_function``/``predict_function`` that push a group of
    batches through the model's step methods, compiled for the backend (``jax.jit``
    over the stateless step, ``tf.function``, torch eager or ``torch.compile``). Returns
    ``None`` if this plugin does not train on ``backend``; the core then runs evaluate
    and predict eagerly and refuses fit. First result wins. Called once per
    ``model.compile()``; the core's ``fit``/``evaluate``/``predict`` loops then call the
    runners directly. A :class:`~kcore.backend.BackendDescriptor` implements it from
    its ``trainer="module:function"`` argument.
    """


# --------------------------------------------------------------------------- quantizer


@hookspec
def kcore_quantization_modes() -> Sequence[Any]:
    """Declare the quantization modes this plugin provides.

    Receives nothing. Returns a sequence of mode objects, each with a ``name``
    (``"int8"``, ``"gptq"``, ...) and a ``quantize(layer, config)`` entry point.
    Every plugin's result is collected; a name claimed twice is reported as a conflict.
    Called once, when ``model.quantize`` or ``kcore plugins list`` first needs them.
    """


# --------------------------------------------------------------------------- exporter


@hookspec
def kcore_export_formats() -> Sequence[Any]:
    """Declare the export formats this plugin provides.

    Receives nothing. Returns a sequence of format objects, each with a ``name``
    (``"onnx"``, ``"saved_model"``, ``"openvino"``, ...), a file suffix and an
    ``export(model, filepath, **options)`` entry point. Every plugin's result is
    collected; ``model.export(format=...)`` picks by name. Called once.
    """


# --------------------------------------------------------------------------- data


@hookspec
def kcore_data_adapters() -> Sequence[type]:
    """Declare data adapter classes for input types the core does not know.

    Receives nothing. Returns a sequence of adapter classes, each with a
    ``can_handle(x, y=None) -> bool`` class method; the first class whose ``can_handle``
    is true is built with the keyword arguments of
    :func:`kcore.trainers.data_adapters.get_data_adapter` (``x``, ``y``,
    ``sample_weight``, ``batch_size``, ``steps_per_epoch``, ``shuffle``,
    ``class_weight``) and offers :class:`kcore.trainers.data_adapters.DataAdapter`'s API
    (``get_iterator()``, ``num_batches``, ``batch_size``, ``on_epoch_begin``/
    ``on_epoch_end``; Keras 3's ``get_numpy_iterator`` is accepted in place of
    ``get_iterator``). Every plugin's result is collected once; plugin adapters are
    asked before the built-in ones (arrays, generators, ``PyDataset``, ``tf.data``,
    torch ``DataLoader``).
    """


# --------------------------------------------------------------------------- configure


@hookspec
def kcore_configure(settings: Settings) -> None:
    """Let a plugin read the resolved settings once the backend is selected.

    Receives the :class:`kcore.config.Settings` in force (selected backend name,
    ``floatx``, ``epsilon``, ``image_data_format``, the config file used). Returns
    nothing; every plugin is called, once per process, right after the selected
    backend is loaded.
    """


# --------------------------------------------------------------------------- CLI


@hookspec
def kcore_add_cli_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add subcommands to the ``kcore`` command line.

    Receives the ``argparse`` subparsers object of the ``kcore`` parser. A plugin adds
    its parsers with ``subparsers.add_parser(...)`` and sets ``func`` with
    ``set_defaults(func=callable)``; the callable receives the parsed
    ``argparse.Namespace`` and returns the exit code. Returns nothing; every plugin
    is called once, when the CLI builds its parser.
    """
