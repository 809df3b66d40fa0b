"""kcore.utils.Progbar prints exactly what Keras 3 prints (expected strings recorded from
keras.utils.Progbar 3.15.1 driven with the same fake clock)."""

from __future__ import annotations

import logging

import pytest

import kcore
from kcore.utils import progbar as progbar_module
from kcore.utils.progbar import Progbar


def bold(text):
    return f"\x1b[1m{text}\x1b[0m"


def done(n):
    return f"\x1b[32m{'━' * n}\x1b[0m"


def todo(n):
    return f"\x1b[37m{'━' * n}\x1b[0m"


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1000.0}
    monkeypatch.setattr(progbar_module, "_clock", lambda: now["t"])
    # Keras redraws in place on every POSIX system; the expected strings assume it.
    monkeypatch.setattr(progbar_module, "_dynamic_display", lambda: True)
    return now


def test_signature_matches_keras():
    import inspect

    params = inspect.signature(Progbar).parameters
    assert [(n, p.default) for n, p in params.items()] == [
        ("target", inspect.Parameter.empty),
        ("width", 20),
        ("verbose", 1),
        ("interval", 0.05),
        ("stateful_metrics", None),
        ("stateless_metrics", None),
        ("unit_name", "step"),
    ]
    assert kcore.utils.Progbar is Progbar


def test_live_bar_matches_keras(clock, capsys):
    bar = Progbar(100)
    clock["t"] += 0.012
    bar.update(1, [("accuracy", 0.9), ("loss", 0.5)])
    clock["t"] += 0.012 * 11
    bar.update(12, [("accuracy", 0.9), ("loss", 0.1234)])
    clock["t"] += 0.012 * 88
    bar.update(100, [("accuracy", 0.95), ("loss", 0.0001)])
    first = f"{bold('  1/100')} {todo(20)} {bold('1s')} 12ms/step - accuracy: 0.9000 - loss: 0.5000"
    # The loss is averaged over steps: (0.5 * 1 + 0.1234 * 11) / 12 = 0.1548.
    second = (
        f"{bold(' 12/100')} {done(2)}{todo(18)} {bold('1s')} 12ms/step"
        " - accuracy: 0.9000 - loss: 0.1548"
    )
    last = (
        f"{bold('100/100')} {done(20)}{todo(0)} {bold('1s')} 12ms/step"
        " - accuracy: 0.9500 - loss: 1.0000e-04\n"
    )
    back = "\b" * 75
    assert capsys.readouterr().out == f"\r{first}{back}\r{second}{back}\r{last}"


def test_verbose_2_prints_one_line_at_the_end(clock, capsys):
    bar = Progbar(5, verbose=2, stateful_metrics=["acc"])
    for step in range(1, 6):
        clock["t"] += 2.5
        bar.update(step, [("acc", step / 10), ("loss", 5.0 - step)])
    assert capsys.readouterr().out == "5/5 - 12s - 2s/step - acc: 0.5000 - loss: 0.0000e+00\n"


def test_unknown_target_and_microseconds(clock, capsys):
    bar = Progbar(None)
    clock["t"] += 0.0004
    bar.update(1, [("loss", 1e-5)])
    clock["t"] += 0.0004
    bar.update(2, [("loss", 1e-5)], finalize=True)
    line = f"{bold('0s')} 400us/step - loss: 1.0000e-05"
    expected = f"\r      1/Unknown {line}" + "\b" * 48 + f"\r      2/Unknown {line}\n"
    assert capsys.readouterr().out == expected


def test_eta_in_hours_and_first_step_left_out(clock, capsys):
    bar = Progbar(10000, width=10)
    clock["t"] += 2.0
    bar.update(1)
    clock["t"] += 61
    bar.update(2)
    # The estimate after step 2 ignores the first step: 61 s/step * 9998 steps.
    expected = (
        f"\r{bold('    1/10000')} {todo(10)} {bold('5:33:18')} 2s/step"
        + "\b" * 38
        + f"\r{bold('    2/10000')} {todo(10)} {bold('169:24:38')} 61s/step"
    )
    assert capsys.readouterr().out == expected


def test_interval_throttles_redraws(clock, capsys):
    bar = Progbar(10, interval=1.0)
    for step in range(1, 10):
        clock["t"] += 0.01
        bar.update(step)
    # Drawn at step 1 only (the others come within the interval), then at the end.
    clock["t"] += 0.01
    bar.update(10)
    out = capsys.readouterr().out
    assert out.count("\r") == 2
    assert "10/10" in out and " 1/10" in out


def test_add_and_stateless_metrics(clock):
    bar = Progbar(10, verbose=0, stateless_metrics={"loss"})
    bar.add(2, [("loss", 1.0), ("acc", 0.5)])
    bar.add(2, [("loss", 3.0), ("acc", 0.7)])
    assert bar._seen_so_far == 4
    assert bar._values["loss"] == [8.0, 4]  # weighted by the steps each update covers
    assert bar._values["acc"] == [0.7, 1]  # not averaged: shown as given


def test_both_metric_lists_rejected():
    with pytest.raises(ValueError, match="at most one of `stateful_metrics`"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


def test_non_interactive_logging_goes_to_logger(clock, capsys, caplog):
    kcore.config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="kcore"):
            bar = Progbar(2, verbose=2)
            bar.update(2, [("loss", 0.25)])
    finally:
        kcore.config.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert "2/2 - 0s - 0s/step - loss: 0.2500" in caplog.text
