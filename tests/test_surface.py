"""kcore has Keras 3's public names, read from the recorded Keras 3.15.1 surface, and,
where the real ``keras`` is installed, the same signatures.

The surface file (``keras-3.15.1-surface.json``, shipped in ``tests/``) lists every
public name of Keras 3.15.1 by namespace. ``ops.numpy``, the core ops and ``random``
are complete here; the other op namespaces (``ops.nn``, ``ops.linalg``, ``ops.image``
and the rest of ``ops``) are the next issue's and are checked once they land.
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
from ops_helpers import BACKENDS

import kcore

SURFACE = json.loads((Path(__file__).parent / "keras-3.15.1-surface.json").read_text())
CORE_OPS = (
    "cast convert_to_tensor convert_to_numpy shape dtype is_tensor slice slice_update "
    "scatter scatter_update take take_along_axis cond switch while_loop fori_loop scan "
    "associative_scan map vectorized_map stop_gradient custom_gradient unstack "
    "saturate_cast"
).split()
OPS = sorted(set(SURFACE["ops.numpy"]) | set(CORE_OPS))
RANDOM = sorted(SURFACE["random"])


@pytest.mark.parametrize("name", OPS)
def test_op_exists(name):
    assert callable(getattr(kcore.ops, name, None)), f"kcore.ops lacks {name}"


def test_numpy_namespace_complete():
    missing = [n for n in SURFACE["ops.numpy"] if not hasattr(kcore.ops.numpy, n)]
    assert missing == []


@pytest.mark.parametrize("name", RANDOM)
def test_random_exists(name):
    assert callable(getattr(kcore.random, name, None)), f"kcore.random lacks {name}"


_DUMP = """
import inspect, json, keras
out = {}
for space, names in json.loads(input()).items():
    module = keras.random if space == "random" else keras.ops
    for name in names:
        try:
            sig = inspect.signature(getattr(module, name))
        except (TypeError, ValueError):
            continue
        out[space + "." + name] = [
            [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
            for p in sig.parameters.values()
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
        input=json.dumps({"ops": OPS, "random": RANDOM}),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _kcore_signature(space: str, name: str):
    module = kcore.random if space == "random" else kcore.ops
    target = getattr(module, name)
    if inspect.isclass(target):
        target = target.__init__
    return [
        [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
        for p in inspect.signature(target).parameters.values()
        if p.name != "self"
    ]


@pytest.mark.parametrize(
    "key", [f"ops.{n}" for n in OPS] + [f"random.{n}" for n in RANDOM if n != "SeedGenerator"]
)
def test_signature_matches_keras(key, keras_signatures):
    if key not in keras_signatures:
        pytest.skip(f"keras 3 gives no signature for {key}")
    space, name = key.split(".", 1)
    assert _kcore_signature(space, name) == keras_signatures[key]


@pytest.mark.parametrize("name", BACKENDS)
def test_no_op_missing(name):
    """On jax, torch, tensorflow and numpy every declared op is native or composite
    (``kcore ops matrix`` shows no missing entry)."""
    from kcore.ops import contract

    coverage = contract.coverage(kcore.backend.get_backend(name))
    assert [op for op, kind in coverage.items() if kind == "missing"] == []


def test_op_reference_is_current():
    """docs/ops.md is what ``python -m kcore.ops.reference`` prints now."""
    from kcore.ops import reference

    path = Path(__file__).parents[1] / "docs" / "ops.md"
    assert path.read_text() == reference.markdown(), (
        "docs/ops.md is stale: run python -m kcore.ops.reference > docs/ops.md"
    )
