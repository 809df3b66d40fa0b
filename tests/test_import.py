"""``import kcore`` loads no framework; only the selected one is imported, when used."""

from __future__ import annotations

import json

FRAMEWORKS = ("jax", "torch", "tensorflow", "openvino")
CHECK = "import sys, json; print(json.dumps(sorted(m for m in {fw} if m in sys.modules)))"


def loaded(result) -> list[str]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_kcore_loads_no_framework(run_python):
    code = "import kcore, kcore.ops, kcore.config, kcore.hookspecs; " + CHECK.format(
        fw=FRAMEWORKS
    )
    assert loaded(run_python(code)) == []


def test_selecting_and_listing_backends_loads_no_framework(run_python):
    code = (
        "import kcore; from kcore import registry; kcore.config.backend(); "
        "registry.backend_records(); registry.plugin_records(); " + CHECK.format(fw=FRAMEWORKS)
    )
    assert loaded(run_python(code)) == []


def test_cli_listing_loads_no_framework(run_python):
    code = (
        "import io, contextlib; from kcore import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert cli.main(['backends', 'list']) == 0\n"
        "    assert cli.main(['info']) == 0\n"
        "    assert cli.main(['plugins', 'list']) == 0\n" + CHECK.format(fw=FRAMEWORKS)
    )
    assert loaded(run_python(code)) == []


def test_using_ops_imports_only_the_selected_framework(run_python, kcore_backend_name):
    code = "import kcore; kcore.ops.add(1, 2); " + CHECK.format(fw=FRAMEWORKS)
    expected = [kcore_backend_name] if kcore_backend_name in FRAMEWORKS else []
    assert loaded(run_python(code, KCORE_BACKEND=kcore_backend_name)) == expected
