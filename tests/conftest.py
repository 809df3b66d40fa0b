"""Helpers shared by the core suites: subprocesses with a clean kcore environment, and
the op namespace of each backend under test (helpers for those in ``ops_helpers.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ops_helpers import BACKENDS, TRAINABLE, namespace


def clean_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """The current environment without kcore settings, with an empty KCORE_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KCORE_")}
    home = tmp_path / "kcore-home"
    home.mkdir(exist_ok=True)
    env["KCORE_HOME"] = str(home)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture
def run_python(tmp_path):
    """Run ``python -c code`` in a subprocess; returns the CompletedProcess."""

    def run(code: str, **env: str | None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code],
            env=clean_env(tmp_path, **env),
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


@pytest.fixture
def run_kcore(tmp_path):
    """Run the real ``kcore`` console script in a subprocess."""
    script = Path(sys.executable).with_name("kcore")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kcore"]

    def run(*args: str, **env: str | None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command, *args],
            env=clean_env(tmp_path, **env),
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


@pytest.fixture
def fresh_kcore(monkeypatch, tmp_path):
    """In-process: forget selection, discovery and loaded backends around a test."""
    from kcore import config, registry

    for key in [k for k in os.environ if k.startswith("KCORE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("KCORE_HOME", str(tmp_path / "kcore-home"))
    from kcore import ops

    saved_state, saved_registry = config._state, registry._registry
    bound = ops._bound_backend
    config._reset()
    yield tmp_path / "kcore-home"
    config._state, registry._registry = saved_state, saved_registry
    config._forget_promotions()
    if ops._bound_backend is not bound:  # set_backend rebound kcore.ops: undo it
        ops._bind()


@pytest.fixture(params=BACKENDS)
def ns(request):
    """The op namespace of each backend under test in turn."""
    return namespace(request.param)


@pytest.fixture(params=TRAINABLE)
def tns(request):
    """The op namespace of each backend under test that computes gradients."""
    return namespace(request.param)


def _can_create_variables() -> bool:
    import kcore

    try:
        kcore.layers.Dense(1, kernel_initializer="ones").build((None, 1))
    except kcore.errors.OpNotImplementedError:
        return False
    return True


def needs_variables(test):
    """Strict xfail where the backend cannot create layer weights (openvino has no
    `full`); checked when a test module applies it."""
    import kcore

    return pytest.mark.xfail(
        not _can_create_variables(),
        raises=kcore.errors.OpNotImplementedError,
        reason="this backend cannot create layer weights",
        strict=True,
    )(test)


class StandInOptimizer:
    """What the callbacks read from an optimizer: a settable learning rate and a step."""

    def __init__(self, learning_rate=0.1, iterations=7):
        self.learning_rate = learning_rate
        self.iterations = iterations
