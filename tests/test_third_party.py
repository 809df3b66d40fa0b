"""A third party's backend, installed as a real distribution, works like ours; broken
ones are reported and never take kcore or the other backends down."""

from __future__ import annotations

import json

import pytest

from kcore.testing.distributions import make_distribution

TOY_DESCRIPTOR = """
from kcore.backend import BackendDescriptor, BackendInfo

descriptor = BackendDescriptor(
    BackendInfo(name="toy", distribution="kcore-toy", framework="numpy",
                trainable=False, dtypes={"float32", "int32", "bool"}),
    factory="kcore_toy.backend:make_backend",
    plugin_api="1.0",
)
"""

# A real (small) backend: primitives on NumPy; relu and softmax come from the
# core's composites.
TOY_BACKEND = '''
import numpy as np

from kcore.ops.contract import collect_ops
from kcore.shape_inference import compute_output_spec_by_probing
from kcore.keras_tensor import KerasTensor
from kcore.variables import Variable


class ToyTensor(np.ndarray):
    """The toy framework's tensor type."""


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    return np.asarray(x, dtype=dtype or ("float32" if np.asarray(x).dtype.kind == "f"
                                        else None)).view(ToyTensor)


def convert_to_numpy(x):
    return np.array(x)


def is_tensor(x):
    return isinstance(x, ToyTensor)


def _wrap(fn):
    return lambda *a, **k: np.asarray(fn(*a, **k)).view(ToyTensor)


add, subtract, multiply, maximum, exp = map(_wrap, (np.add, np.subtract, np.multiply,
                                                   np.maximum, np.exp))
divide = _wrap(np.true_divide)
matmul = _wrap(np.matmul)


def max(x, axis=None, keepdims=False, initial=None):
    return np.asarray(np.max(x, axis=axis, keepdims=keepdims)).view(ToyTensor)


def sum(x, axis=None, keepdims=False):
    return np.asarray(np.sum(x, axis=axis, keepdims=keepdims)).view(ToyTensor)


class ToyVariable(Variable):
    def _convert(self, value, dtype):
        return convert_to_tensor(value, dtype)


def make_backend(descriptor):
    import sys
    return descriptor.assemble(
        version="0.0.1", framework_version=np.__version__, devices=("cpu:0",),
        ops=collect_ops(sys.modules[__name__]), Variable=ToyVariable,
        compute_output_spec=lambda fn, *a, **k: compute_output_spec_by_probing(
            fn, a, k, lambda s, d: np.zeros(s, d).view(ToyTensor), lambda f, a, k: f(*a, **k),
            lambda out: KerasTensor(out.shape, out.dtype)),
    )
'''

TOY_PLUGIN = """
import os
from types import SimpleNamespace

from kcore.hookspecs import hookimpl

KCORE_PLUGIN_API = "1.0"


def _hello(args):
    print(f"hello from toy, {args.who}")
    return 0


@hookimpl
def kcore_add_cli_commands(subparsers):
    parser = subparsers.add_parser("toy-hello", help="say hello (toy plugin)")
    parser.add_argument("--who", default="world")
    parser.set_defaults(func=_hello)


@hookimpl
def kcore_export_formats():
    return [SimpleNamespace(name="toyfmt", suffix=".toy", export=None)]


@hookimpl
def kcore_configure(settings):
    path = os.environ.get("TOY_CONFIGURE_LOG")
    if path:
        with open(path, "a") as log:
            log.write(f"{settings.backend} {settings.floatx}\\n")
"""

# A descriptor may also be a module with hook functions, as here.
DESCRIPTOR_TEMPLATE = """
from kcore.backend import BackendInfo
from kcore.hookspecs import hookimpl

KCORE_PLUGIN_API = {api!r}


@hookimpl
def kcore_backend_info():
    return BackendInfo(name={name!r}, distribution={dist!r}, framework={framework!r},
                       install="pip install {dist}")


@hookimpl
def kcore_load_backend(name):
    return None
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder with five throwaway distributions, to put on PYTHONPATH."""
    root = tmp_path_factory.mktemp("site")
    make_distribution(
        root,
        "kcore-toy",
        "0.0.1",
        modules={
            "kcore_toy/__init__.py": "",
            "kcore_toy/descriptor.py": TOY_DESCRIPTOR,
            "kcore_toy/backend.py": TOY_BACKEND,
            "kcore_toy/plugin.py": TOY_PLUGIN,
        },
        entry_points={
            "kcore.backends": {"toy": "kcore_toy.descriptor:descriptor"},
            "kcore.plugins": {"toyplugin": "kcore_toy.plugin"},
        },
    )
    make_distribution(
        root,
        "kcore-toy-broken",
        "0.0.2",
        modules={
            "kcore_toy_broken/__init__.py": "",
            "kcore_toy_broken/descriptor.py": "raise RuntimeError('toy backend exploded on import')\n",
            "kcore_toy_broken/plugin.py": "raise ImportError('no such thing')\n",
        },
        entry_points={
            "kcore.backends": {"toybroken": "kcore_toy_broken.descriptor"},
            "kcore.plugins": {"toybrokenplugin": "kcore_toy_broken.plugin"},
        },
    )
    make_distribution(
        root,
        "kcore-toy-future",
        "2.0.0",
        modules={
            "kcore_toy_future/__init__.py": "",
            "kcore_toy_future/descriptor.py": DESCRIPTOR_TEMPLATE.format(
                api="2.0", name="toyfuture", dist="kcore-toy-future", framework="numpy"
            ),
        },
        entry_points={"kcore.backends": {"toyfuture": "kcore_toy_future.descriptor"}},
    )
    make_distribution(
        root,
        "kcore-toy-noframework",
        "0.1.0",
        modules={
            "kcore_toy_nofw/__init__.py": "",
            "kcore_toy_nofw/descriptor.py": DESCRIPTOR_TEMPLATE.format(
                api="1.0",
                name="toynofw",
                dist="kcore-toy-noframework",
                framework="kcore_no_such_framework",
            ),
        },
        entry_points={"kcore.backends": {"toynofw": "kcore_toy_nofw.descriptor"}},
    )
    return root


def listing(run_kcore, site):
    result = run_kcore("backends", "list", "--json", PYTHONPATH=str(site), KCORE_BACKEND="numpy")
    assert result.returncode == 0, result.stderr
    return {b["name"]: b for b in json.loads(result.stdout)["backends"]}


def test_toy_backend_is_discovered_and_listed(run_kcore, site):
    backends = listing(run_kcore, site)
    toy = backends["toy"]
    assert (toy["status"], toy["distribution"], toy["version"]) == ("ok", "kcore-toy", "0.0.1")
    assert toy["trainable"] is False and toy["error"] is None
    assert backends["numpy"]["status"] == "ok" and backends["numpy"]["selected"] is True


def test_broken_backends_are_listed_with_their_error(run_kcore, site):
    backends = listing(run_kcore, site)
    assert backends["toybroken"]["status"] == "broken"
    assert backends["toybroken"]["error"] == "RuntimeError: toy backend exploded on import"
    assert backends["toyfuture"]["status"] == "broken"
    assert (
        "implements plugin API 2.0, but kcore 0.1.0 implements plugin API 1.0"
        in (backends["toyfuture"]["error"])
    )
    assert backends["toynofw"]["error"] == (
        "framework 'kcore_no_such_framework' is not installed: pip install kcore-toy-noframework"
    )


def test_text_table_shows_status_and_selection(run_kcore, site):
    result = run_kcore("backends", "list", PYTHONPATH=str(site), KCORE_BACKEND="toy")
    assert result.returncode == 0, result.stderr
    lines = {
        line.split()[1] if line.startswith("*") else line.split()[0]: line
        for line in result.stdout.splitlines()[1:]
        if line.strip() and "selected" not in line
    }
    assert lines["toy"].startswith("*") and " ok " in lines["toy"]
    assert "broken" in lines["toybroken"] and "exploded on import" in lines["toybroken"]
    assert "* selected (from KCORE_BACKEND)" in result.stdout


def test_toy_backend_is_selectable_and_runs_ops(run_python, site):
    code = (
        "import kcore, numpy as np\n"
        "assert kcore.config.backend() == 'toy'\n"
        "x = kcore.ops.convert_to_tensor([[1.0, -2.0], [3.0, 4.0]])\n"
        "assert type(x).__name__ == 'ToyTensor'\n"
        "y = kcore.ops.softmax(kcore.ops.relu(x))\n"
        "print(np.round(kcore.ops.convert_to_numpy(y).astype(float), 4).tolist())\n"
        "print(kcore.ops.convert_to_numpy(kcore.ops.sum(kcore.ops.matmul(x, x))))\n"
    )
    result = run_python(code, PYTHONPATH=str(site), KCORE_BACKEND="toy")
    assert result.returncode == 0, result.stderr
    softmax_row, total = result.stdout.strip().splitlines()
    assert softmax_row == "[[0.7311, 0.2689], [0.2689, 0.7311]]"
    assert float(total) == 10.0


def test_show_and_info_for_the_toy_backend(run_kcore, site):
    shown = run_kcore("backends", "show", "toy", "--json", PYTHONPATH=str(site))
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    # The toy implements only the foundation primitives: ops written in them run as
    # composites, the other primitives (sin, random draws, ...) are listed as missing.
    assert {"dtype", "relu", "shape", "softmax"} <= set(data["ops"]["composite"])
    assert {"sin", "normal"} <= set(data["ops"]["missing"])
    assert not {"add", "matmul", "relu", "softmax"} & set(data["ops"]["missing"])
    assert data["devices"] == ["cpu:0"]
    matrix = run_kcore("ops", "matrix", "--backend", "toy", "--json", PYTHONPATH=str(site))
    rows = json.loads(matrix.stdout)["ops"]
    assert (rows["relu"]["toy"], rows["softmax"]["toy"], rows["add"]["toy"]) == (
        "composite",
        "composite",
        "native",
    )
    info = run_kcore("info", "--json", PYTHONPATH=str(site), KCORE_BACKEND="toy")
    assert json.loads(info.stdout)["backend"] == "toy"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("toybroken", "is broken: RuntimeError: toy backend exploded on import"),
        ("toyfuture", "implements plugin API 2.0, but kcore 0.1.0 implements plugin API 1.0"),
        ("toynofw", "framework 'kcore_no_such_framework' is not installed: pip install"),
    ],
)
def test_selecting_a_broken_backend_is_one_clear_line(run_kcore, site, name, fragment):
    result = run_kcore("info", PYTHONPATH=str(site), KCORE_BACKEND=name)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kcore: error: KCORE_BACKEND=")
    assert fragment in lines[0] and "Traceback" not in result.stderr


def test_broken_plugins_do_not_break_import_or_other_backends(run_python, site):
    code = (
        "import kcore\n"
        "print(kcore.ops.convert_to_numpy(kcore.ops.add([1, 2], 1)).tolist())\n"
        "from kcore import registry\n"
        "registry.plugin_manager().check_pending()\n"
        "print(sorted(r.name for r in registry.get_registry().records if not r.ok))\n"
    )
    result = run_python(code, PYTHONPATH=str(site), KCORE_BACKEND="numpy")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().splitlines()
    assert first == "[2, 3]"
    assert {"toybroken", "toybrokenplugin", "toyfuture", "toynofw"} <= set(eval(second))


def test_plugin_extends_the_cli_and_is_listed(run_kcore, site):
    hello = run_kcore("toy-hello", "--who", "kcore", PYTHONPATH=str(site))
    assert (hello.returncode, hello.stdout.strip()) == (0, "hello from toy, kcore")
    plugins = run_kcore("plugins", "list", "--json", PYTHONPATH=str(site))
    entries = {p["name"]: p for p in json.loads(plugins.stdout)["plugins"]}
    assert entries["toyplugin"]["status"] == "ok"
    assert entries["toyplugin"]["hooks"] == [
        "kcore_add_cli_commands",
        "kcore_configure",
        "kcore_export_formats",
    ]
    assert json.loads(plugins.stdout)["provides"] == {
        "quantization_modes": [],
        "export_formats": ["toyfmt"],
    }
    assert entries["toybrokenplugin"]["error"] == "ImportError: no such thing"
    text = run_kcore("plugins", "list", PYTHONPATH=str(site))
    assert "toyplugin" in text.stdout and "kcore_add_cli_commands" in text.stdout
    assert "export formats: toyfmt" in text.stdout


def test_configure_hook_runs_once_after_the_backend_loads(run_python, site, tmp_path):
    log = tmp_path / "configure.log"
    code = (
        "import os, kcore\n"
        "kcore.config.backend()\n"
        f"print(os.path.exists({str(log)!r}))\n"
        "kcore.ops.add(1, 2); kcore.ops.sum([1.0]); kcore.backend.current()\n"
    )
    result = run_python(code, PYTHONPATH=str(site), KCORE_BACKEND="toy", TOY_CONFIGURE_LOG=str(log))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"  # selecting alone configures nothing
    assert log.read_text().splitlines() == ["toy float32"]
