"""pytest plugin: ``--kcore-backend`` and the fixtures the shared suites use.

Options:
    ``--kcore-backend=NAME``  select ``NAME`` for the run (as ``KCORE_BACKEND`` would).

Fixtures:
    ``kcore_backend``         the selected Backend object (loads its framework).
    ``kcore_backend_name``    the selected backend's canonical name.

Example::

    pytest tests --kcore-backend=torch
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kcore")
    group.addoption(
        "--kcore-backend",
        action="store",
        default=None,
        metavar="NAME",
        help="run with the kcore backend NAME selected (default: KCORE_BACKEND, the "
        "config file, then the first installed of jax, torch, tensorflow, numpy)",
    )


def pytest_configure(config: pytest.Config) -> None:
    name = config.getoption("--kcore-backend", default=None)
    if not name:
        return
    from kcore import config as kconfig
    from kcore.errors import KcoreError

    try:
        kconfig.set_backend(name)
    except KcoreError as exc:
        raise pytest.UsageError(f"--kcore-backend: {exc}") from None
    # Subprocesses started by tests select the same backend.
    os.environ["KCORE_BACKEND"] = kconfig.backend()


def pytest_report_header(config: pytest.Config) -> str | None:
    if not config.getoption("--kcore-backend", default=None) and not os.environ.get(
        "KCORE_BACKEND"
    ):
        return None
    from kcore import config as kconfig

    return f"kcore backend: {kconfig.backend()} (from {kconfig.backend_source()})"


@pytest.fixture(scope="session")
def kcore_backend_name() -> str:
    from kcore import config as kconfig

    return kconfig.backend()


@pytest.fixture(scope="session")
def kcore_backend(kcore_backend_name):
    from kcore import backend

    return backend.get_backend(kcore_backend_name)
