"""The pluggy contract: documented, typed, and honoured by every installed plugin."""

from __future__ import annotations

import inspect

import pytest

from kcore import hookspecs, registry

SPEC_NAMES = sorted(n for n in dir(hookspecs) if n.startswith("kcore_"))


def test_check_pending_over_every_installed_plugin():
    pm = registry.plugin_manager()
    assert pm.get_plugins(), "no plugin registered at all"
    pm.check_pending()  # raises PluginValidationError for a hook with no spec


def test_every_installed_plugin_loaded():
    broken = {r.name: r.error for r in registry.get_registry().records if not r.ok}
    # Frameworks may be absent in an env (then the backend is broken for that reason).
    unexpected = {n: e for n, e in broken.items() if "is not installed" not in (e or "")}
    assert unexpected == {}


def test_the_contract_covers_every_concern():
    assert set(SPEC_NAMES) == {
        "kcore_backend_info",
        "kcore_load_backend",
        "kcore_trainer",
        "kcore_quantization_modes",
        "kcore_export_formats",
        "kcore_data_adapters",
        "kcore_configure",
        "kcore_add_cli_commands",
    }


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_each_spec_is_typed_and_says_what_it_receives_returns_and_who_wins(name):
    function = getattr(hookspecs, name)
    doc = inspect.getdoc(function) or ""
    assert "Receives" in doc and "Return" in doc, doc
    opts = function.kcore_spec
    if opts["firstresult"]:
        assert "First result wins" in doc
    else:
        assert "every" in doc.lower() or "each" in doc.lower()
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, parameter


def test_hooks_are_never_called_per_op(kcore_backend_name):
    """Binding ops calls no hook: an op call is the backend's function, directly."""
    from kcore import ops
    from kcore.ops import contract

    pm = registry.plugin_manager()
    calls = []
    undo = pm.add_hookcall_monitoring(lambda name, *a: calls.append(name), lambda *a: None)
    try:
        ops.add(1, 2)
        ops.sum(ops.convert_to_tensor([1.0, 2.0]))
    finally:
        undo()
    assert calls == []
    assert set(contract.SPECS) >= {"add", "matmul", "relu", "softmax", "sum"}
