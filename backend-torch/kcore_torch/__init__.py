"""kcore's PyTorch backend. Importing this package imports no torch: the descriptor
is light and :mod:`kcore_torch.backend` is loaded only when the backend is selected."""

__version__ = "0.1.0"
