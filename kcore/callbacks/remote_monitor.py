"""``kcore.callbacks.RemoteMonitor``: POST each epoch's results to a server.

Example::

    >>> monitor = kcore.callbacks.RemoteMonitor(root="http://localhost:9000")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from kcore.callbacks.callback import Callback

__all__ = ["RemoteMonitor"]


def _requests() -> Any:
    try:
        import requests
    except ImportError:
        raise ImportError(
            "RemoteMonitor sends its events with the `requests` library, which is not "
            "installed. Install it with `pip install requests`."
        ) from None
    return requests


class RemoteMonitor(Callback):
    """Callback used to stream events to a server.

    At the end of each epoch it sends an HTTP POST to ``root + path`` with the epoch
    and its logs: as a JSON body (``send_as_json=True``) or as the JSON-encoded form
    field ``field``. Requires the ``requests`` library; a server that cannot be
    reached gets a warning, not an error.

    Args:
        root: root URL of the server.
        path: path, relative to ``root``, the events are sent to.
        field: the form field holding the data (when ``send_as_json=False``).
        headers: extra HTTP headers.
        send_as_json: send ``application/json`` instead of a form.

    Example::

        >>> monitor = kcore.callbacks.RemoteMonitor(send_as_json=True)
        >>> monitor.root + monitor.path
        'http://localhost:9000/publish/epoch/end/'
    """

    def __init__(
        self,
        root: str = "http://localhost:9000",
        path: str = "/publish/epoch/end/",
        field: str = "data",
        headers: dict[str, str] | None = None,
        send_as_json: bool = False,
    ) -> None:
        super().__init__()
        _requests()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        requests = _requests()
        send: dict[str, Any] = {"epoch": epoch}
        for name, value in (logs or {}).items():
            send[name] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        try:
            if self.send_as_json:
                requests.post(self.root + self.path, json=send, headers=self.headers)
            else:
                requests.post(
                    self.root + self.path,
                    {self.field: json.dumps(send)},
                    headers=self.headers,
                )
        except requests.exceptions.RequestException:
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
