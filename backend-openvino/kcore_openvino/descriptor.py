"""Entry point of the openvino backend: describes it without importing OpenVINO.

The entry point ``openvino = kcore_openvino.descriptor:descriptor`` names :data:`descriptor`;
only its factory, :func:`kcore_openvino.backend.make_backend`, imports the framework.
"""

from __future__ import annotations

from kcore.backend import STANDARD_DTYPES, BackendDescriptor, BackendInfo

#: OpenVINO tensors have no complex element types; every other standard dtype is stored.
# and its CPU plugin computes 64-bit values in 32 bits (int64 wraps past 2**31, float64
# rounds to float32), so those are stored but not listed as dtypes it computes with.
DTYPES = STANDARD_DTYPES - {"complex64", "complex128", "float64", "int64", "uint64"}

descriptor = BackendDescriptor(
    BackendInfo(
        name="openvino",
        distribution="kcore-openvino",
        framework="openvino",
        install="pip install 'kcore[openvino]'",
        trainable=False,
        dtypes=DTYPES,
        description="OpenVINO runtime on CPU (inference only)",
    ),
    factory="kcore_openvino.backend:make_backend",
    plugin_api="1.0",
)
