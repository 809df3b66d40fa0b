"""The pluggy contract: documented, typed, and honoured by every installed plugin."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pluggy
import pytest

from kcore import hookspecs, registry
from kcore.errors import PluginConflictError

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

    ops.add(1, 2)  # binds kcore.ops (loading the backend calls kcore_configure once)
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


def plugin_manager_with(*plugins):
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for i, plugin in enumerate(plugins):
        pm.register(plugin, name=f"p{i}")
    return pm


class Exporter:
    def __init__(self, *names):
        self.names = names

    @hookspecs.hookimpl
    def kcore_export_formats(self):
        return [SimpleNamespace(name=n, suffix=f".{n}") for n in self.names]

    @hookspecs.hookimpl
    def kcore_data_adapters(self):
        return [type(f"Adapter{n}", (), {}) for n in self.names]

    @hookspecs.hookimpl
    def kcore_trainer(self, backend, model):
        return ("trainer", backend, model) if backend == "mine" else None


def test_hand_overs_are_collected_by_name_in_registration_order(monkeypatch):
    pm = plugin_manager_with(Exporter("onnx"), Exporter("litert", "saved_model"))
    monkeypatch.setattr(registry, "plugin_manager", lambda: pm)
    assert list(registry.export_formats()) == ["onnx", "litert", "saved_model"]
    assert [c.__name__ for c in registry.data_adapters()] == [
        "Adapteronnx",
        "Adapterlitert",
        "Adaptersaved_model",
    ]
    assert registry.trainer_for("mine", "model") == ("trainer", "mine", "model")
    assert registry.trainer_for("other", "model") is None
    assert registry.quantization_modes() == {}


def test_two_plugins_claiming_one_name_is_a_conflict(monkeypatch):
    pm = plugin_manager_with(Exporter("onnx"), Exporter("onnx"))
    monkeypatch.setattr(registry, "plugin_manager", lambda: pm)
    with pytest.raises(PluginConflictError, match="'onnx' is provided by both plugin 'p0' and"):
        registry.export_formats()
