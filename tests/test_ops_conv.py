"""Convolution, pooling and patch ops beyond what the conformance suite can say: the
bad inputs of the issue (a kernel whose channels don't match, a zero stride, an
unknown padding or data format) refused with one wording on every backend,
``data_format=None`` following the configured image data format, ``"same"`` average
pooling leaving padded cells out, the composites against the native versions, and
``depth_to_space``/``space_to_depth`` as inverses.
"""

from __future__ import annotations

import numpy as np
import pytest
from ops_helpers import BACKENDS, n, namespace, namespace_without, op_error_message, t

from kcore import config

_RNG = np.random.default_rng(0)
X = _RNG.standard_normal((1, 6, 5, 4)).astype("float32")
K = _RNG.standard_normal((3, 3, 4, 2)).astype("float32")


def close(got, expected, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


# -- bad input: the same OpError on every backend ----------------------------------------

_CONVS = {
    "conv": lambda ns, x, k, **kw: ns.conv(x, k, **kw),
    "conv_transpose": lambda ns, x, k, **kw: ns.conv_transpose(x, k, **kw),
    "depthwise_conv": lambda ns, x, k, **kw: ns.depthwise_conv(x, k, **kw),
    "separable_conv": lambda ns, x, k, **kw: ns.separable_conv(
        x, k, t(ns, np.ones((1, 1, 8, 3))), **kw
    ),
}
# A kernel whose input channels match X's 4 for each op, and one that does not.
_GOOD = {
    "conv": (3, 3, 4, 2),
    "conv_transpose": (3, 3, 2, 4),
    "depthwise_conv": (3, 3, 4, 2),
    "separable_conv": (3, 3, 4, 2),
}
_BAD = {
    "conv": (3, 3, 3, 2),
    "conv_transpose": (3, 3, 2, 3),
    "depthwise_conv": (3, 3, 3, 2),
    "separable_conv": (3, 3, 3, 2),
}
_BAD_OPTIONS = [
    ({"strides": 0}, "expected strides of positive integers, got 0", "strides=0"),
    ({"strides": (1, 0)}, "expected strides of positive integers, got (1, 0)", "strides=(1, 0)"),
    ({"padding": "full"}, "expected padding 'valid' or 'same', got 'full'", "padding='full'"),
    (
        {"data_format": "NHWC"},
        "expected data_format 'channels_last' or 'channels_first', got 'NHWC'",
        "data_format='NHWC'",
    ),
]


def _messages(build):
    """The error message of ``build(ns)`` on every backend (each must raise OpError)."""
    return {name: op_error_message(build, namespace(name)) for name in BACKENDS}


def _one(messages):
    assert len(set(messages.values())) == 1, messages
    return next(iter(messages.values()))


@pytest.mark.parametrize("name", list(_CONVS))
def test_kernel_channel_mismatch_is_worded_alike_everywhere(name):
    def build(ns):
        return _CONVS[name](ns, t(ns, X), t(ns, np.ones(_BAD[name])))

    message = _one(_messages(build))
    assert message.startswith(f"{name}: expected input channels (4)"), message
    assert "3" in message.split(";")[0]
    assert f"kernel of shape {_BAD[name]}" in message or "kernel of shape" in message
    assert "received inputs of shape (1, 6, 5, 4)" in message


@pytest.mark.parametrize("name", list(_CONVS))
@pytest.mark.parametrize(("options", "expected", "received"), _BAD_OPTIONS)
def test_bad_options_are_worded_alike_everywhere(name, options, expected, received):
    def build(ns):
        return _CONVS[name](ns, t(ns, X), t(ns, np.ones(_GOOD[name])), **options)

    message = _one(_messages(build))
    assert message.startswith(f"{name}: {expected}; received "), message
    assert received in message


@pytest.mark.parametrize("name", ["max_pool", "average_pool"])
@pytest.mark.parametrize(("options", "expected", "received"), _BAD_OPTIONS)
def test_pool_bad_options_are_worded_alike_everywhere(name, options, expected, received):
    def build(ns):
        return getattr(ns, name)(t(ns, X), 2, **{"strides": 2, **options})

    message = _one(_messages(build))
    assert message.startswith(f"{name}: {expected}; received "), message
    assert received in message


def test_zero_pool_size_and_bad_adaptive_format_are_refused():
    message = _one(_messages(lambda ns: ns.max_pool(t(ns, X), 0)))
    assert message.startswith("max_pool: expected pool_size of positive integers, got 0")
    message = _one(_messages(lambda ns: ns.adaptive_average_pool(t(ns, X), 2, data_format="nhwc")))
    assert message.startswith("adaptive_average_pool: expected data_format 'channels_last'")


def test_space_ops_refuse_bad_input():
    message = _one(_messages(lambda ns: ns.depth_to_space(t(ns, X), 2, data_format="NCHW")))
    assert message.startswith("depth_to_space: expected data_format 'channels_last' or")
    message = _one(_messages(lambda ns: ns.unfold(t(ns, X[0]), 2)))
    assert message.startswith("unfold: expected a 4-D tensor x"), message


# -- options ------------------------------------------------------------------------------


@pytest.fixture
def channels_first_config():
    saved = config.image_data_format()
    config.set_image_data_format("channels_first")
    yield
    config.set_image_data_format(saved)


def test_data_format_none_follows_the_config(ns, channels_first_config):
    x = np.moveaxis(X, -1, 1)
    expected = ns.conv(t(ns, x), t(ns, K), data_format="channels_first")
    close(n(ns, ns.conv(t(ns, x), t(ns, K))), n(ns, expected))
    pooled = ns.max_pool(t(ns, x), 2)
    assert tuple(pooled.shape) == (1, 4, 3, 2)


def test_padding_is_case_insensitive(ns):
    close(
        n(ns, ns.conv(t(ns, X), t(ns, K), padding="SAME")),
        n(ns, ns.conv(t(ns, X), t(ns, K), padding="same")),
    )


def test_average_pool_same_leaves_padding_out(ns):
    x = np.arange(1, 6, dtype="float32").reshape(1, 5, 1)
    close(n(ns, ns.average_pool(t(ns, x), 2, 2, "same"))[0, :, 0], [1.5, 3.5, 5.0])
    close(n(ns, ns.average_pool(t(ns, x), 3, 2, "same"))[0, :, 0], [1.5, 3.0, 4.5])
    close(n(ns, ns.max_pool(t(ns, -x), 3, 2, "same"))[0, :, 0], [-1.0, -2.0, -4.0])


def test_conv_transpose_output_lengths_follow_keras(ns):
    x = t(ns, np.ones((1, 5, 2)))
    for kernel, strides, padding, output_padding, length in [
        (3, 1, "same", None, 5),
        (3, 1, "same", 1, 6),
        (4, 1, "same", 0, 4),
        (4, 2, "same", None, 10),
        (3, 2, "valid", None, 11),
        (1, 2, "valid", None, 10),
        (1, 3, "valid", 1, 14),
    ]:
        out = ns.conv_transpose(x, t(ns, np.ones((kernel, 3, 2))), strides, padding, output_padding)
        assert tuple(out.shape) == (1, length, 3), (kernel, strides, padding, output_padding)


def test_space_and_depth_are_inverses_in_both_layouts(ns):
    x = _RNG.standard_normal((2, 4, 6, 8)).astype("float32")
    for data_format in ("channels_last", "channels_first"):
        up = ns.depth_to_space(t(ns, x), 2, data_format)
        close(n(ns, ns.space_to_depth(up, 2, data_format)), x)
    # channels_first is PyTorch's pixel_shuffle order: channel c * 4 + i * 2 + j.
    y = n(ns, ns.depth_to_space(t(ns, np.arange(8.0).reshape(1, 8, 1, 1)), 2, "channels_first"))
    close(y[0, 1], [[4.0, 5.0], [6.0, 7.0]])


def test_fold_is_the_adjoint_of_unfold(ns):
    x = _RNG.standard_normal((1, 2, 5, 4)).astype("float32")
    cols = ns.unfold(t(ns, x), 2, padding=1, stride=(2, 1))
    assert tuple(cols.shape) == (1, 8, 15)
    back = n(ns, ns.fold(cols, (5, 4), 2, padding=1, stride=(2, 1)))
    ones = ns.unfold(t(ns, np.ones_like(x)), 2, padding=1, stride=(2, 1))
    counts = n(ns, ns.fold(ones, (5, 4), 2, padding=1, stride=(2, 1)))
    close(back, x * counts)


# -- composites against the native versions -------------------------------------------------

_COMPOSITES = [
    "depthwise_conv",
    "separable_conv",
    "adaptive_average_pool",
    "adaptive_max_pool",
    "unfold",
    "fold",
    "depth_to_space",
    "space_to_depth",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_composites_match_native_versions(backend):
    native, composite = namespace(backend), namespace_without(backend, _COMPOSITES)
    x = _RNG.standard_normal((2, 7, 6, 4)).astype("float32")
    dk = _RNG.standard_normal((3, 2, 4, 2)).astype("float32")
    pk = _RNG.standard_normal((1, 1, 8, 3)).astype("float32")
    cols = _RNG.standard_normal((2, 12, 14)).astype("float32")
    calls = [
        lambda ns: ns.depthwise_conv(t(ns, x), t(ns, dk), (2, 1), "same"),
        lambda ns: ns.separable_conv(t(ns, x), t(ns, dk), t(ns, pk), 1, "valid", None, 2),
        lambda ns: ns.adaptive_average_pool(t(ns, x), (3, 4)),
        lambda ns: ns.adaptive_max_pool(t(ns, x), 4, "channels_first"),
        lambda ns: ns.unfold(t(ns, x), (2, 3), 1, 1, 2),
        lambda ns: ns.fold(t(ns, cols), (3, 9), (2, 3)),
        lambda ns: ns.depth_to_space(t(ns, np.moveaxis(x, -1, 1)), 2, "channels_first"),
        lambda ns: ns.space_to_depth(t(ns, x[:, :6]), 2),
    ]
    for call in calls:
        close(n(native, call(native)), n(composite, call(composite)))
