"""kcore has Keras 3's public names, read from the recorded Keras 3.15.1 surface, and,
where the real ``keras`` is installed, the same signatures.

The surface file (``keras-3.15.1-surface.json``, shipped in ``tests/``) lists every
public name of Keras 3.15.1 by namespace. Every op namespace (``ops``, ``ops.numpy``,
``ops.nn``, ``ops.linalg``, ``ops.image``) and ``random`` is checked here.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ops_helpers import BACKENDS, missing_ops

SURFACE = json.loads((Path(__file__).parent / "keras-3.15.1-surface.json").read_text())
#: Keras namespace -> kcore module path; every name of the namespace must be there.
SPACES = {
    "ops": "kcore.ops",
    "ops.numpy": "kcore.ops.numpy",
    "ops.nn": "kcore.ops.nn",
    "ops.linalg": "kcore.ops.linalg",
    "ops.image": "kcore.ops.image",
    "random": "kcore.random",
    "initializers": "kcore.initializers",
    "regularizers": "kcore.regularizers",
    "constraints": "kcore.constraints",
    "activations": "kcore.activations",
    "tree": "kcore.tree",
    "dtype_policies": "kcore.dtype_policies",
    "config": "kcore.config",
    "layers": "kcore.layers",
    "models": "kcore.models",
    "losses": "kcore.losses",
    "metrics": "kcore.metrics",
    "optimizers": "kcore.optimizers",
    "optimizers.schedules": "kcore.optimizers.schedules",
    "callbacks": "kcore.callbacks",
    "utils": "kcore.utils",
    "saving": "kcore.saving",
}
NAMES = [(space, name) for space in SPACES for name in sorted(SURFACE[space])]
#: Keras names that a later issue brings: expected missing (strict xfails with the reason).
DEFERRED = {
    f"dtype_policies.{name}": "the quantization issue"
    for name in (
        "AWQDTypePolicy",
        "GPTQDTypePolicy",
        "Int4DTypePolicy",
        "QuantizedDTypePolicy",
        "QuantizedFloat8DTypePolicy",
    )
}
DEFERRED.update(
    {
        f"layers.{name}": "the framework-interop issue"
        for name in ("JaxLayer", "FlaxLayer", "TorchModuleWrapper", "TFSMLayer")
    }
)


def _param(space: str, name: str, *values):
    key = f"{space}.{name}"
    reason = DEFERRED.get(key)
    marks = [pytest.mark.xfail(strict=True, reason=f"{key} comes with {reason}")] if reason else []
    return pytest.param(*values, id=key, marks=marks)


def _module(space: str):
    return importlib.import_module(SPACES[space])


@pytest.mark.parametrize(("space", "name"), [_param(s, n, s, n) for s, n in NAMES])
def test_name_exists(space, name):
    assert callable(getattr(_module(space), name, None)), f"{SPACES[space]} lacks {name}"


_DUMP = """
import importlib, inspect, json, keras
out = {}
for space, names in json.loads(input()).items():
    module = importlib.import_module("keras." + space)
    for name in names:
        target = getattr(module, name)
        # A class's constructor arguments: its __init__ (Keras's Layer.__new__ would
        # show only *args, **kwargs), as _kcore_signature reads kcore's.
        if inspect.isclass(target) and target.__init__ is not object.__init__:
            # Keras's backend-specific subclasses (its Optimizer on tensorflow) only
            # forward (*args, **kwargs): the constructor that says something is further up.
            for klass in target.__mro__:
                init = klass.__dict__.get("__init__")
                if init is not None and not klass.__module__.startswith("keras.src.backend."):
                    target = init
                    break
        try:
            sig = inspect.signature(target)
        except (TypeError, ValueError):
            continue
        out[space + "." + name] = [
            [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
            for p in sig.parameters.values()
            if p.name != "self"
        ]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def keras_signatures(tmp_path_factory):
    """Keras 3's signatures, read in a subprocess (Keras imports its own backend)."""
    try:
        if importlib.util.find_spec("keras") is None:
            pytest.skip("keras is not installed here (it is in the tf env)")
    except ValueError:
        pytest.skip("keras is not importable")
    # Keras on a framework that is here (its numpy backend would need scipy).
    frameworks = ("tensorflow", "jax", "torch")
    keras_backend = next((f for f in frameworks if importlib.util.find_spec(f)), "numpy")
    env = {**os.environ, "KERAS_BACKEND": keras_backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env["KERAS_HOME"] = str(tmp_path_factory.mktemp("keras-home"))
    done = subprocess.run(
        [sys.executable, "-c", _DUMP],
        input=json.dumps({space: sorted(SURFACE[space]) for space in SPACES}),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _kcore_signature(space: str, name: str):
    target = getattr(_module(space), name)
    if inspect.isclass(target) and target.__init__ is not object.__init__:
        target = target.__init__
    return [
        [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
        for p in inspect.signature(target).parameters.values()
        if p.name != "self"
    ]


@pytest.mark.parametrize(
    "key", [_param(s, n, f"{s}.{n}") for s, n in NAMES if n != "SeedGenerator"]
)
def test_signature_matches_keras(key, keras_signatures):
    if key not in keras_signatures:
        pytest.skip(f"keras 3 gives no signature for {key}")
    space, name = key.rsplit(".", 1)
    assert _kcore_signature(space, name) == keras_signatures[key]


@pytest.mark.parametrize("name", BACKENDS)
def test_no_op_missing(name):
    """On jax, torch and tensorflow every declared op is native or composite (``kcore ops
    matrix`` shows no missing entry); numpy lacks only the ops that need autodiff."""
    assert missing_ops(name) == []


def test_op_reference_is_current():
    """docs/ops.md is what ``python -m kcore.ops.reference`` prints now."""
    from kcore.ops import reference

    path = Path(__file__).parents[1] / "docs" / "ops.md"
    assert path.read_text() == reference.markdown(), (
        "docs/ops.md is stale: run python -m kcore.ops.reference > docs/ops.md"
    )
