"""Every layer class of the Keras surface is run through the layer test kit somewhere in
``tests/test_layers_*.py`` (a layer added without kit coverage fails here)."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

import kcore

HERE = Path(__file__).parent
SURFACE = json.loads((HERE / "keras-3.15.1-surface.json").read_text())
#: Names that are not layers to run (bases, the input machinery, functions), or that
#: come later (the framework wrappers).
NOT_KIT = {
    "Input",
    "InputLayer",
    "InputSpec",
    "Layer",
    "Wrapper",
    "serialize",
    "deserialize",
    "JaxLayer",
    "FlaxLayer",
    "TorchModuleWrapper",
    "TFSMLayer",
}


def _kit_sources() -> str:
    texts = []
    for path in sorted(HERE.glob("test_layers_*.py")):
        text = path.read_text()
        if "run_layer_test" in text:
            texts.append(text)
    return "\n".join(texts)


SOURCES = _kit_sources()


def _classes():
    names = []
    for name in sorted(SURFACE["layers"]):
        if name in NOT_KIT or not name[0].isupper():
            continue
        names.append(name)
    return names


@pytest.mark.parametrize("name", _classes())
def test_layer_is_run_through_the_kit(name):
    cls = getattr(kcore.layers, name)
    assert inspect.isclass(cls) and issubclass(cls, kcore.layers.Layer)
    # An alias (MaxPool2D for MaxPooling2D) is covered by its class's tests.
    spellings = {name, cls.__name__}
    found = any(re.search(rf"\b{re.escape(s)}\b", SOURCES) for s in spellings)
    assert found, f"no test_layers_*.py that uses run_layer_test mentions {name}"
