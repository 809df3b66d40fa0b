"""kcore's OpenVINO backend (inference only). Importing this package imports no
OpenVINO: the descriptor is light and :mod:`kcore_openvino.backend` is loaded only
when the backend is selected."""

__version__ = "0.1.0"
