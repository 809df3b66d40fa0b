"""Messages to the user: stdout when interactive logging is on, Python logging otherwise.

Example::

    >>> kcore.utils.io_utils.print_msg("Downloading data")   # doctest: +SKIP
    Downloading data
"""

from __future__ import annotations

import logging
import sys

from kcore.config import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)

__all__ = [
    "disable_interactive_logging",
    "enable_interactive_logging",
    "is_interactive_logging_enabled",
    "print_msg",
]

_logger = logging.getLogger("kcore")


def print_msg(message: object, line_break: bool = True) -> None:
    """Write ``message`` to stdout (interactive logging) or log it at INFO level.

    Example::

        >>> print_msg("epoch 1 done")   # doctest: +SKIP
    """
    text = str(message)
    if not is_interactive_logging_enabled():
        _logger.info(text)
        return
    text = text + "\n" if line_break else text
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:  # a terminal that cannot show the progress-bar glyphs
        encoding = sys.stdout.encoding or "utf-8"
        text = text.replace("━", "=").encode(encoding, errors="ignore").decode(encoding)
        sys.stdout.write(text)
    sys.stdout.flush()
