"""``import kcore`` loads no framework; only the selected one is imported, when used."""

from __future__ import annotations

import json

FRAMEWORKS = ("jax", "torch", "tensorflow", "openvino")
CHECK = "import sys, json; print(json.dumps(sorted(m for m in {fw} if m in sys.modules)))"


def loaded(result) -> list[str]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_kcore_loads_no_framework(run_python):
    code = "import kcore, kcore.ops, kcore.config, kcore.hookspecs; " + CHECK.format(fw=FRAMEWORKS)
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
    """Selecting names the backend without importing it, by its name or an alias; the
    first op imports its framework and no other."""
    from kcore import registry

    record = registry.find_backend_record(kcore_backend_name)
    spellings = [kcore_backend_name, *record.info.aliases]
    spellings += [a for a, c in registry.BUILTIN_ALIASES.items() if c == kcore_backend_name]
    expected = [kcore_backend_name] if kcore_backend_name in FRAMEWORKS else []
    for requested in spellings:
        code = (
            "import sys, json, kcore\n"
            f"assert kcore.config.backend() == {kcore_backend_name!r}, kcore.config.backend()\n"
            f"before = sorted(m for m in {FRAMEWORKS} if m in sys.modules)\n"
            "kcore.ops.add(1, 2)\n"
            f"after = sorted(m for m in {FRAMEWORKS} if m in sys.modules)\n"
            "print(json.dumps([before, after]))\n"
        )
        before, after = loaded_pair(run_python(code, KCORE_BACKEND=requested))
        assert (requested, before, after) == (requested, [], expected)


def loaded_pair(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
