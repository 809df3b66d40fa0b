"""``kcore.utils.Progbar``: the progress bar ``fit``, ``evaluate`` and ``predict`` print.

The text is Keras 3's, character for character: a bold ``current/target`` count, a
green and grey bar of ``━``, the ETA (or the elapsed time once finished), the time per
step with its unit switched between ``us``, ``ms`` and ``s``, then ``- name: value``
for each metric.

Example::

    >>> from kcore.utils import Progbar
    >>> bar = Progbar(target=3)
    >>> for step in range(3):
    ...     bar.update(step + 1, values=[("loss", 0.5)])   # doctest: +SKIP
    3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 1ms/step - loss: 0.5000
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from kcore.utils.io_utils import print_msg

__all__ = ["Progbar"]

# The clock the bar reads; tests replace it to get reproducible timings.
_clock = time.time


def _dynamic_display() -> bool:
    # Keras redraws the bar in place (backspaces and a carriage return) on a tty, in
    # notebooks, in PyCharm and on every POSIX system; elsewhere each update is a new
    # line. Matching that keeps captured logs identical to Keras's.
    return (
        (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
        or "ipykernel" in sys.modules
        or os.name == "posix"
        or "PYCHARM_HOSTED" in os.environ
    )


def _count(current: float, target: int) -> str:
    digits = int(math.log10(target)) + 1
    return f"%{digits}d/%d" % (current, target)


def _format_value(value: float) -> str:
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


class Progbar:
    """Displays a progress bar.

    Metrics are averaged over the steps seen (weighted by how many steps each update
    covers) unless named in ``stateful_metrics``, which are displayed as given. Pass
    ``stateless_metrics`` instead to invert that: only the metrics it names are
    averaged (``stateless_metrics=set()`` displays every value as given).

    Args:
        target: total number of steps expected, ``None`` if unknown.
        width: width of the bar, in characters.
        verbose: 0 (silent), 1 (a live bar redrawn in place) or 2 (one line when
            the target is reached).
        interval: minimum time between two redraws, in seconds.
        stateful_metrics: names of metrics displayed as given, not averaged.
        stateless_metrics: names of metrics averaged; every other metric is
            displayed as given. Give at most one of the two.
        unit_name: what a step is called in the timing (``"step"``, ``"sample"``).

    Example::

        >>> bar = Progbar(target=100, verbose=1)
        >>> bar.update(12, values=[("accuracy", 0.9), ("loss", 0.1234)])  # doctest: +SKIP
         12/100 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - accuracy: 0.9000 - loss: 0.1234
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        stateless_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Progbar takes at most one of `stateful_metrics` (the metrics not to "
                "average) and `stateless_metrics` (the only metrics to average). "
                f"Received both: stateful_metrics={stateful_metrics!r}, "
                f"stateless_metrics={stateless_metrics!r}. Pass one of them."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
            self.stateless_metrics = None
        self._dynamic_display = _dynamic_display()
        self._seen_so_far = 0
        # name -> [weighted sum, weight]; the list keeps first-seen display order.
        self._values: dict[str, list[Any]] = {}
        self._values_order: list[str] = []
        self._start = _clock()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def _averaged(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(
        self,
        current: int,
        values: Iterable[tuple[str, Any]] | None = None,
        finalize: bool | None = None,
    ) -> None:
        """Move the bar to step ``current`` and record ``values``.

        Args:
            current: index of the current step (the number of steps done).
            values: ``(name, value_for_last_step)`` pairs. A name in
                ``stateful_metrics`` is displayed as given; any other is averaged
                over time.
            finalize: whether this is the last update. ``None`` means
                ``current >= target``.

        Example::

            >>> bar = Progbar(target=2, verbose=0)
            >>> bar.update(1, [("loss", 1.0)])
            >>> bar.update(2, [("loss", 3.0)])
            >>> bar._values["loss"]
            [3.0, 1]
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        for name, value in values or ():
            if name not in self._values:
                self._values_order.append(name)
            if not self._averaged(name) or finalize:
                # A final update carries the epoch's result: shown as given.
                self._values[name] = [value, 1]
                continue
            weight = max(current - self._seen_so_far, 1)
            entry = self._values.get(name)
            if entry is None:
                self._values[name] = [value * weight, weight]
            else:
                entry[0] += value * weight
                entry[1] += weight
        self._seen_so_far = current

        now = _clock()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw_live(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target:
            self._draw_summary(current, now, time_per_unit)
        self._last_update = now

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        """Advance the bar by ``n`` steps.

        Example::

            >>> bar = Progbar(target=10, verbose=0)
            >>> bar.add(4); bar.add(3)
            >>> bar._seen_so_far
            7
        """
        self.update(self._seen_so_far + n, values)

    def _metrics_text(self) -> str:
        text = ""
        for name in self._values_order:
            total, count = self._values[name]
            if not isinstance(total, float):
                total = float(np.mean(total))
            text += f" - {name}:" + _format_value(total / max(1, count))
        return text

    def _draw_live(self, current: int, now: float, time_per_unit: float, finalize: bool) -> None:
        message = "\b" * self._prev_total_width + "\r" if self._dynamic_display else "\n"
        # Escape sequences take no room on screen; count them out of the width.
        special_char_len = 0
        if self.target is not None and self.target > 0:
            bar = f"\x1b[1m{_count(current, self.target)}\x1b[0m "
            special_char_len += 8
            filled = int(self.width * float(current) / self.target)
            if filled > 0:
                bar += f"\33[32m{'━' * filled}\x1b[0m"
                special_char_len += 9
            bar += f"\33[37m{'━' * (self.width - filled)}\x1b[0m"
            special_char_len += 9
        else:
            bar = "%7d/Unknown" % current  # noqa: UP031 (%d truncates floats, as Keras does)
        message += bar

        if self.target is not None and self.target > 0 and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_text = f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
            elif eta > 60:
                eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_text = f"{int(eta)}s"
            info = f" \x1b[1m{eta_text}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        special_char_len += 8
        info += self._format_time(time_per_unit, self.unit_name)
        info += self._metrics_text()
        message += info

        total_width = len(bar) + len(info) - special_char_len
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def _draw_summary(self, current: int, now: float, time_per_unit: float) -> None:
        info = f"{_count(current, self.target)} - {now - self._start:.0f}s"
        info += " -" + self._format_time(time_per_unit, self.unit_name)
        info += self._metrics_text()
        print_msg(info + "\n", line_break=False)

    @staticmethod
    def _format_time(time_per_unit: float, unit_name: str) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
        return f" {time_per_unit * 1e6:.0f}us/{unit_name}"

    def _estimate_step_duration(self, current: int, now: float) -> float:
        # The first step (compilation, warm-up) is left out of the estimate once
        # later steps exist.
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit
