"""The ``kcore`` command, run as a real subprocess, as a shell user runs it."""

from __future__ import annotations

import json

import pytest
from ops_helpers import COMPLETE, missing_ops

import kcore
from kcore._version import __version__
from kcore.ops import contract


def one_error_line(result):
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kcore: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_version(run_kcore):
    result = run_kcore("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"kcore {__version__}")


def test_backends_list_table(run_kcore):
    result = run_kcore("backends", "list", KCORE_BACKEND="numpy")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAME", "DISTRIBUTION", "VERSION", "STATUS", "CAPABILITIES"]
    numpy_row = next(r for r in rows if " numpy " in f" {r} ")
    assert numpy_row.startswith("*") and "kcore" in numpy_row and " ok " in numpy_row
    assert "inference-only" in numpy_row
    assert "* selected (from KCORE_BACKEND)" in result.stdout


def test_backends_list_json(run_kcore, kcore_backend_name):
    result = run_kcore("backends", "list", "--json", KCORE_BACKEND=kcore_backend_name)
    data = json.loads(result.stdout)
    assert data["selected"] == kcore_backend_name and data["selection_error"] is None
    names = [b["name"] for b in data["backends"]]
    assert "numpy" in names and names == sorted(names)
    for entry in data["backends"]:
        assert set(entry) >= {
            "name",
            "distribution",
            "version",
            "status",
            "error",
            "trainable",
            "selected",
        }


def test_backends_show(run_kcore, kcore_backend_name):
    result = run_kcore("backends", "show", kcore_backend_name)
    assert result.returncode == 0, result.stderr
    fields = dict(line.split(None, 1) for line in result.stdout.splitlines() if " " in line)
    assert fields["devices"].startswith("cpu")
    data = json.loads(run_kcore("backends", "show", kcore_backend_name, "--json").stdout)
    assert data["name"] == kcore_backend_name
    coverage = contract.coverage(kcore.backend.get_backend(kcore_backend_name))
    for kind in ("native", "composite", "missing"):
        assert data["ops"][kind] == sorted(op for op, k in coverage.items() if k == kind)
    if kcore_backend_name in COMPLETE:
        assert missing_ops(kcore_backend_name) == []
    assert {"add", "matmul", "sum"} <= set(data["ops"]["native"])


def test_info_names_backend_and_config_file(run_kcore, tmp_path):
    home = tmp_path / "kcore-home"
    home.mkdir(exist_ok=True)
    (home / "kcore.json").write_text('{"backend": "numpy", "floatx": "float64"}')
    result = run_kcore("info", "--json")
    data = json.loads(result.stdout)
    assert data["backend"] == "numpy"
    assert data["config_file"] == str(home / "kcore.json")
    assert data["floatx"] == "float64" and data["kcore"] == __version__
    text = run_kcore("info").stdout
    assert f"config file        {home / 'kcore.json'}" in text
    assert "backend            numpy (from " in text


def test_plugins_list_without_plugins(run_kcore):
    result = run_kcore("plugins", "list")
    assert result.returncode == 0
    assert json.loads(run_kcore("plugins", "list", "--json").stdout) == {
        "plugins": [],
        "provides": {"quantization_modes": [], "export_formats": []},
    }


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("backends",), "'kcore backends' needs a subcommand"),
        (("backends", "show"), "the following arguments are required: name"),
        (("backends", "list", "--bogus"), "unrecognized arguments: --bogus"),
        (("backends", "show", "nosuch"), "backend 'nosuch' names no installed backend"),
    ],
)
def test_bad_usage_exits_2_with_one_line(run_kcore, args, fragment):
    assert fragment in one_error_line(run_kcore(*args))


def test_no_command_prints_help_and_exits_2(run_kcore):
    result = run_kcore()
    assert result.returncode == 2 and "usage: kcore" in result.stdout


def test_unknown_backend_in_env(run_kcore):
    line = one_error_line(run_kcore("info", KCORE_BACKEND="foo"))
    assert "KCORE_BACKEND='foo' names no installed backend; choose one of:" in line


def test_malformed_config_file(run_kcore, tmp_path):
    home = tmp_path / "kcore-home"
    home.mkdir(exist_ok=True)
    (home / "kcore.json").write_text("{backend: jax")
    line = one_error_line(run_kcore("info"))
    assert f"config file {home / 'kcore.json'} is not valid JSON" in line
    assert "fix it or delete it" in line


def test_backend_whose_framework_is_missing_names_the_pip_command(run_python):
    # Hide jax from this process: importlib then finds no jax, as on a machine without it.
    code = (
        "import sys; sys.modules['jax'] = None\n"
        "from kcore.cli import main\n"
        "sys.exit(main(['backends', 'show', 'jax']))\n"
    )
    line = one_error_line(run_python(code))
    assert "pip install 'kcore[jax]'" in line and "jax" in line


def test_ops_matrix(run_kcore, kcore_backend_name):
    from kcore.ops import contract

    data = json.loads(run_kcore("ops", "matrix", "--backend", kcore_backend_name, "--json").stdout)
    assert data["backends"] == [kcore_backend_name]
    assert list(data["ops"]) == list(contract.SPECS)
    coverage = contract.coverage(kcore.backend.get_backend(kcore_backend_name))
    assert {op: row[kcore_backend_name] for op, row in data["ops"].items()} == coverage
    if kcore_backend_name in COMPLETE:
        assert missing_ops(kcore_backend_name) == []
    text = run_kcore("ops", "matrix", "--backend", "numpy")
    assert text.returncode == 0
    relu = next(line for line in text.stdout.splitlines() if line.startswith("relu "))
    assert relu.split() == ["relu", "nn", "composite"]
    assert f"{len(contract.SPECS)} ops; numpy: " in text.stdout
