"""Entry point of the torch backend: describes it without importing torch.

The entry point ``torch = kcore_torch.descriptor:descriptor`` names :data:`descriptor`;
only its factory, :func:`kcore_torch.backend.make_backend`, imports the framework.
"""

from __future__ import annotations

from kcore.backend import STANDARD_DTYPES, BackendDescriptor, BackendInfo

# torch >= 2.3 stores uint16/32/64 but implements no arithmetic on them (add, maximum,
# matmul all raise in torch 2.13); older releases lack them entirely.
# The loaded backend probes the installed torch and reports exactly what it computes with.
TORCH_DTYPES = STANDARD_DTYPES - {"uint16", "uint32", "uint64"}

descriptor = BackendDescriptor(
    BackendInfo(
        name="torch",
        distribution="kcore-torch",
        framework="torch",
        install="pip install 'kcore[torch]'",
        trainable=True,
        dtypes=TORCH_DTYPES,
        description="PyTorch (eager autograd, torch.compile)",
    ),
    factory="kcore_torch.backend:make_backend",
    trainer="kcore_torch.trainer:make_trainer",
    plugin_api="1.0",
)
