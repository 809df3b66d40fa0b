"""Geometric image transforms of ``keras.ops.image``: affine, perspective, elastic, coordinate mapping.

Every transform samples its input at computed coordinates with the same rule as
``map_coordinates`` (SciPy's ``ndimage.map_coordinates`` with ``order`` 0 or 1, as in
``jax.scipy.ndimage``): ``order=0`` takes the nearest pixel (halves rounded away from
zero), ``order=1`` mixes the neighbours linearly; each neighbour outside the input is
mapped back in by ``fill_mode`` (``"nearest"`` clamps, ``"wrap"`` wraps, ``"mirror"``
and ``"reflect"`` fold) or, for ``"constant"``, counts as ``fill_value``. Integer
inputs give integer results, rounded half away from zero. Coordinates are computed in
float32 (float64 for float64 images), whatever the image dtype.

The composites below are written in ``kcore.ops`` primitives (gathers with
``ops.take``); backends may override them with native kernels. The private checkers
(``_check_*``) are shared with the backends, so bad arguments get the same
:class:`~kcore.errors.OpError` wording everywhere.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from kcore import config, ops
from kcore.dtypes import result_type, standardize_dtype
from kcore.keras_tensor import KerasTensor
from kcore.ops import rules  # noqa: F401
from kcore.ops.cases import Case
from kcore.ops.contract import op

#: Interpolation name -> spline order.
INTERPOLATIONS = {"nearest": 0, "bilinear": 1}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
SCALE_AND_TRANSLATE_METHODS = (
    "linear",
    "bilinear",
    "trilinear",
    "cubic",
    "bicubic",
    "tricubic",
    "lanczos3",
    "lanczos5",
)
_DATA_FORMATS = ("channels_last", "channels_first")

# ------------------------------------------------------------------- argument checks


def _shape(value):
    shape = getattr(value, "shape", None)
    if shape is None:
        try:
            return np.shape(value)
        except ValueError:
            return None
    return tuple(None if d is None else int(d) for d in shape)


def _choice_problem(name, value, allowed):
    if not isinstance(value, str) or value not in allowed:
        return f"{name} in {tuple(allowed)}"
    return None


def _images_problem(images):
    shape = _shape(images)
    if shape is not None and len(shape) not in (3, 4):
        return "images of rank 3 (one image) or 4 (a batch of images)"
    return None


def _data_format_problem(data_format):
    if data_format is not None and data_format not in _DATA_FORMATS:
        return f"data_format in {_DATA_FORMATS} or None"
    return None


def _first(*problems):
    for problem in problems:
        if problem:
            return problem
    return None


def _sampling_problem(values):
    """The checks the affine, perspective and elastic transforms share (a missing
    ``fill_mode``, as in ``perspective_transform``, is ``"constant"``)."""
    return _first(
        _choice_problem("interpolation", values["interpolation"], INTERPOLATIONS),
        _choice_problem("fill_mode", values.get("fill_mode", "constant"), FILL_MODES),
        _data_format_problem(values["data_format"]),
        _images_problem(values["images"]),
    )


def _batch_mismatch(batched, rank, images):
    """Whether ``batched`` (a shape, batched when of ``rank``) has a batch size other
    than 1 and the batch of ``images`` (a shape, batched when of rank 4)."""
    return (
        batched is not None
        and images is not None
        and len(batched) == rank
        and len(images) == 4
        and batched[0] not in (1, None, images[0])
        and images[0] is not None
    )


def _affine_rule(values):
    transform = _shape(values["transform"])
    images = _shape(values["images"])
    problem = _sampling_problem(values)
    if problem:
        return problem
    if transform is not None and (len(transform) not in (1, 2) or transform[-1] not in (8, None)):
        return "transform of shape (8,) or (batch, 8)"
    if _batch_mismatch(transform, 2, images):
        return "a transform batch of 1 or the images' batch size"
    return None


def _perspective_rule(values):
    problem = _sampling_problem(values)
    if problem:
        return problem
    start, end = _shape(values["start_points"]), _shape(values["end_points"])
    for s in (start, end):
        if s is not None and (len(s) not in (2, 3) or tuple(s[-2:]) != (4, 2)):
            return "start_points and end_points of shape (4, 2) or (batch, 4, 2)"
    if start is not None and end is not None and start != end:
        return "start_points and end_points of the same shape"
    if _batch_mismatch(start, 3, _shape(values["images"])):
        return "a batch of points of 1 or the images' batch size"
    return None


_elastic_rule = _sampling_problem


def _map_coordinates_rule(values):
    problem = _first(
        None
        if values["order"] in (0, 1) and not isinstance(values["order"], bool)
        else "order 0 or 1",
        _choice_problem("fill_mode", values["fill_mode"], FILL_MODES),
    )
    if problem:
        return problem
    inputs, coordinates = _shape(values["inputs"]), _shape(values["coordinates"])
    if inputs is not None and coordinates is not None:
        if len(coordinates) < 2 or coordinates[0] != len(inputs):
            return (
                "coordinates of shape (rank of inputs, ...) with at least one more "
                f"dimension: here ({len(inputs)}, ...)"
            )
    return None


def _scale_and_translate_rule(values):
    problem = _choice_problem("method", values["method"], SCALE_AND_TRANSLATE_METHODS)
    if problem:
        return problem
    images = _shape(values["images"])
    spatial_dims = values["spatial_dims"]
    try:
        output_shape = tuple(int(d) for d in values["output_shape"])
        spatial = tuple(int(d) for d in spatial_dims)
    except (TypeError, ValueError):
        return "output_shape and spatial_dims to be sequences of ints"
    if images is not None and len(output_shape) != len(images):
        return f"output_shape of length {len(images)} (the rank of images)"
    scale, translation = _shape(values["scale"]), _shape(values["translation"])
    for s in (scale, translation):
        if s is not None and s != (len(spatial),):
            return f"scale and translation of shape ({len(spatial)},), one per spatial dim"
    if images is not None:
        rank = len(images)
        if any(not -rank <= d < rank for d in spatial):
            return f"spatial_dims in [-{rank}, {rank})"
        for d in range(rank):
            if d not in [s % rank for s in spatial] and images[d] not in (None, output_shape[d]):
                return "output_shape equal to images' shape outside spatial_dims"
    return None


def _checker(rule, names):
    def check(*args):
        problem = rule(dict(zip(names, args)))
        if problem:
            raise ValueError(problem)

    return check


_check_affine = _checker(
    _affine_rule, ("images", "transform", "interpolation", "fill_mode", "data_format")
)
_check_perspective = _checker(
    _perspective_rule, ("images", "start_points", "end_points", "interpolation", "data_format")
)
_check_elastic = _checker(_elastic_rule, ("images", "interpolation", "fill_mode", "data_format"))
_check_map_coordinates = _checker(
    _map_coordinates_rule, ("inputs", "coordinates", "order", "fill_mode")
)
_check_scale_and_translate = _checker(
    _scale_and_translate_rule,
    ("images", "output_shape", "scale", "translation", "spatial_dims", "method"),
)


def _data_format(data_format):
    """``data_format``, or the configured ``image_data_format()`` for None."""
    return config.image_data_format() if data_format is None else data_format


def _compute_dtype(dtype) -> str:
    """The dtype coordinates and weights are computed in for an image of ``dtype``."""
    return "float64" if standardize_dtype(dtype) == "float64" else "float32"


def _is_integer(dtype) -> bool:
    return standardize_dtype(dtype).startswith(("int", "uint", "bool"))


def _fill_for(dtype, fill_value):
    """``fill_value`` as the input's dtype would hold it (integers truncate, as
    ``jax.scipy.ndimage.map_coordinates`` converts ``cval``)."""
    return float(int(fill_value)) if _is_integer(dtype) else float(fill_value)


def _projective_map(t, y, x):
    """Input coordinates ``(ys, xs)`` of output pixels ``y``, ``x`` under projective
    rows ``t`` (``t[:, i]`` broadcasting with ``y`` and ``x``): plain arithmetic and
    indexing, shared by the backends' native transforms."""
    k = t[:, 6] * x + t[:, 7] * y + 1
    xs = (t[:, 0] * x + t[:, 1] * y + t[:, 2]) / k
    ys = (t[:, 3] * x + t[:, 4] * y + t[:, 5]) / k
    return ys, xs


def _homography_np(start, end):
    """The 8 projective coefficients mapping end points onto start points (NumPy,
    float64): the reference solves the 8x8 linear system point by point."""
    start = np.asarray(start, np.float64)
    end = np.asarray(end, np.float64)
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zeros, ones = np.zeros_like(ex), np.ones_like(ex)
    x_rows = np.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = np.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    matrix = np.concatenate([x_rows, y_rows], axis=-2)
    target = np.concatenate([sx, sy], axis=-1)[..., None]
    return np.linalg.solve(matrix, target)[..., 0]


# ------------------------------------------------------------------- composite helpers


def _round_half_away(ops, c):
    return ops.multiply(ops.sign(c), ops.floor(ops.add(ops.abs(c), 0.5)))


def _fold(ops, index, size, fill_mode):
    """Integer indices mapped into ``[0, size)`` by ``fill_mode`` (constant clamps:
    its out-of-range neighbours are masked separately)."""
    if fill_mode in ("constant", "nearest"):
        return ops.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return ops.mod(index, size)
    if size == 1:
        return ops.zeros_like(index)
    if fill_mode == "mirror":  # (c d c b | a b c d | c b a b)
        s = size - 1
        return ops.abs(ops.subtract(ops.mod(ops.add(index, s), 2 * s), s))
    # reflect (d c b a | a b c d | d c b a): mirror of 2 * index + 1 over 2 * size + 1
    s = 2 * size
    mirrored = ops.abs(ops.subtract(ops.mod(ops.add(ops.multiply(index, 2), 1 + s), 2 * s), s))
    return ops.floor_divide(ops.subtract(mirrored, 1), 2)


def _gather(ops, flat, sizes, coordinates, order, fill_mode, fill_value, base=None):
    """Interpolate ``flat`` (``(prod(sizes) * batch, channels)``, row-major) at
    ``coordinates`` (one float tensor per entry of ``sizes``, all of one shape ``Q``;
    ``base`` an int offset per point for batched images): a ``Q + (channels,)`` tensor."""
    per_dim = []
    for c, size in zip(coordinates, sizes):
        if order == 0:
            per_dim.append([(ops.cast(_round_half_away(ops, c), "int32"), None, size)])
        else:
            lower = ops.floor(c)
            upper_weight = ops.subtract(c, lower)
            index = ops.cast(lower, "int32")
            per_dim.append(
                [
                    (index, ops.subtract(1.0, upper_weight), size),
                    (ops.add(index, 1), upper_weight, size),
                ]
            )
    strides = [int(np.prod(sizes[i + 1 :], dtype=np.int64)) for i in range(len(sizes))]
    total = None
    for nodes in itertools.product(*per_dim):
        flat_index = base
        valid = weight = None
        for (index, w, size), stride in zip(nodes, strides):
            term = _fold(ops, index, size, fill_mode)
            if stride != 1:
                term = ops.multiply(term, stride)
            flat_index = term if flat_index is None else ops.add(flat_index, term)
            if fill_mode == "constant":
                inside = ops.logical_and(ops.greater_equal(index, 0), ops.less(index, size))
                valid = inside if valid is None else ops.logical_and(valid, inside)
            if w is not None:
                weight = w if weight is None else ops.multiply(weight, w)
        values = ops.take(flat, flat_index, axis=0)
        if valid is not None:
            values = ops.where(ops.expand_dims(valid, -1), values, fill_value)
        if weight is not None:
            values = ops.multiply(values, ops.expand_dims(weight, -1))
        total = values if total is None else ops.add(total, values)
    return total


def _to_dtype(ops, result, dtype):
    """The interpolated ``result`` in the input's ``dtype`` (integers rounded half
    away from zero)."""
    if _is_integer(dtype):
        result = _round_half_away(ops, result)
    return ops.cast(result, dtype)


def _sample_images(ops, images, ys, xs, order, fill_mode, fill_value, data_format):
    """Sample every channel of ``images`` (rank 3 or 4, ``data_format``) at the float
    coordinates ``ys``/``xs`` of shape ``(batch or 1, height, width)``."""
    unbatched = len(ops.shape(images)) == 3
    if unbatched:
        images = ops.expand_dims(images, 0)
    if data_format == "channels_first":
        images = ops.transpose(images, (0, 2, 3, 1))
    batch, height, width, channels = ops.shape(images)
    dtype = ops.dtype(images)
    compute = _compute_dtype(dtype)
    flat = ops.reshape(ops.cast(images, compute), (-1, channels))
    base = ops.reshape(ops.multiply(ops.arange(batch, dtype="int32"), height * width), (-1, 1, 1))
    out = _gather(
        ops,
        flat,
        (height, width),
        (ops.cast(ys, compute), ops.cast(xs, compute)),
        order,
        fill_mode,
        _fill_for(dtype, fill_value),
        base=base,
    )
    out = _to_dtype(ops, out, dtype)
    if data_format == "channels_first":
        out = ops.transpose(out, (0, 3, 1, 2))
    return ops.squeeze(out, 0) if unbatched else out


def _image_hw(images, data_format, shape=None):
    shape = images.shape if shape is None else shape
    return (shape[-3], shape[-2]) if data_format == "channels_last" else (shape[-2], shape[-1])


def _projective_coordinates(ops, transform, height, width, compute):
    """Input coordinates ``(ys, xs)``, each ``(batch, height, width)``, of every output
    pixel under projective transforms ``(batch, 8)``."""
    t = ops.cast(transform, compute)
    y = ops.reshape(ops.arange(height, dtype=compute), (1, -1, 1))
    x = ops.reshape(ops.arange(width, dtype=compute), (1, 1, -1))

    def coef(i):
        return ops.reshape(ops.take(t, i, axis=1), (-1, 1, 1))

    k = ops.add(ops.add(ops.multiply(coef(6), x), ops.multiply(coef(7), y)), 1.0)
    xs = ops.add(ops.add(ops.multiply(coef(0), x), ops.multiply(coef(1), y)), coef(2))
    ys = ops.add(ops.add(ops.multiply(coef(3), x), ops.multiply(coef(4), y)), coef(5))
    return ops.divide(ys, k), ops.divide(xs, k)


def _square_to_quad(ops, points):
    """The projective map (3x3 as nested lists of tensors) taking the unit square's
    corners (0,0), (1,0), (1,1), (0,1) to ``points`` ``(batch, 4, 2)`` (Heckbert)."""
    corners = [ops.take(points, i, axis=1) for i in range(4)]
    x = [ops.take(c, 0, axis=1) for c in corners]
    y = [ops.take(c, 1, axis=1) for c in corners]
    sub, add, mul, div = ops.subtract, ops.add, ops.multiply, ops.divide
    sx = add(sub(x[0], x[1]), sub(x[2], x[3]))
    sy = add(sub(y[0], y[1]), sub(y[2], y[3]))
    dx1, dx2 = sub(x[1], x[2]), sub(x[3], x[2])
    dy1, dy2 = sub(y[1], y[2]), sub(y[3], y[2])
    den = sub(mul(dx1, dy2), mul(dx2, dy1))
    g = div(sub(mul(sx, dy2), mul(dx2, sy)), den)
    h = div(sub(mul(dx1, sy), mul(sx, dy1)), den)
    a = add(sub(x[1], x[0]), mul(g, x[1]))
    b = add(sub(x[3], x[0]), mul(h, x[3]))
    d = add(sub(y[1], y[0]), mul(g, y[1]))
    e = add(sub(y[3], y[0]), mul(h, y[3]))
    one = ops.ones_like(g)
    return [[a, b, x[0]], [d, e, y[0]], [g, h, one]]


def _homography(ops, start, end):
    """``(batch, 8)`` projective coefficients taking end points onto start points:
    ``S @ adjugate(E)`` with S, E the square-to-quad maps, normalized to a 1 corner."""
    s, e = _square_to_quad(ops, start), _square_to_quad(ops, end)
    sub, mul = ops.subtract, ops.multiply

    def cof(i, j):  # cofactor of E at (i, j)
        r = [k for k in range(3) if k != i]
        c = [k for k in range(3) if k != j]
        m = sub(mul(e[r[0]][c[0]], e[r[1]][c[1]]), mul(e[r[0]][c[1]], e[r[1]][c[0]]))
        return m if (i + j) % 2 == 0 else ops.negative(m)

    adj = [[cof(j, i) for j in range(3)] for i in range(3)]
    h = [
        [
            ops.add(
                ops.add(mul(s[i][0], adj[0][j]), mul(s[i][1], adj[1][j])), mul(s[i][2], adj[2][j])
            )
            for j in range(3)
        ]
        for i in range(3)
    ]
    return ops.stack(
        [ops.divide(h[i][j], h[2][2]) for i, j in itertools.product(range(3), range(3))][:8],
        axis=-1,
    )


def _gaussian_blur_matrix(size, sigma):
    """The ``(size, size)`` matrix of a zero-padded 'same' Gaussian blur with Keras's
    kernel (``int(6 * sigma) | 1`` taps, normalized)."""
    taps = int(6 * sigma) | 1
    offsets = np.arange(taps, dtype=np.float64) - (taps - 1) / 2
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel /= kernel.sum()
    radius = taps // 2
    i, j = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    shift = j - i + radius
    inside = (shift >= 0) & (shift < taps)
    return np.where(inside, kernel[np.clip(shift, 0, taps - 1)], 0.0)


def _weights_kernel(ops, method):
    if method in ("linear", "bilinear", "trilinear"):
        return lambda x: ops.maximum(0.0, ops.subtract(1.0, ops.abs(x)))
    if method in ("cubic", "bicubic", "tricubic"):

        def keys(x):  # Keys cubic, a = -0.5
            near = ops.add(
                ops.multiply(ops.multiply(ops.subtract(ops.multiply(x, 1.5), 2.5), x), x), 1.0
            )
            far = ops.add(
                ops.multiply(
                    ops.subtract(ops.multiply(ops.add(ops.multiply(x, -0.5), 2.5), x), 4.0), x
                ),
                2.0,
            )
            return ops.where(
                ops.greater_equal(x, 2.0), 0.0, ops.where(ops.greater_equal(x, 1.0), far, near)
            )

        return keys
    radius = 3 if method == "lanczos3" else 5

    def lanczos(x):
        y = ops.multiply(
            ops.multiply(
                ops.sin(ops.multiply(x, math.pi)), ops.sin(ops.multiply(x, math.pi / radius))
            ),
            radius,
        )
        denom = ops.where(ops.not_equal(x, 0.0), ops.multiply(ops.square(x), math.pi**2), 1.0)
        out = ops.where(ops.greater(x, 1e-3), ops.divide(y, denom), 1.0)
        return ops.where(ops.greater(x, float(radius)), 0.0, out)

    return lanczos


_EPS32 = float(np.finfo(np.float32).eps)


def _image_rule(images, *args, **kwargs):
    return KerasTensor(images.shape, standardize_dtype(images.dtype))


def _images_shape_rule(name, rule):
    """The shape rule of transform ``name``: its arguments (bound to its signature)
    checked by ``rule``, the result shaped and typed like ``images``."""

    def shape_rule(*args, **kwargs):
        from kcore.ops.contract import SPECS

        bound = SPECS[name].signature.bind(*args, **kwargs)
        bound.apply_defaults()
        problem = rule(bound.arguments)
        if problem:
            raise ValueError(problem)
        return _image_rule(bound.arguments["images"])

    return shape_rule


# ------------------------------------------------------------------- conformance cases


def _rand(rng, shape, dtype="float32", low=0.0, high=4.0):
    return rng.uniform(low, high, size=shape).astype(dtype)


def _affine_cases(spec, rng, supported):
    identity_shift = np.array([1.0, 0.0, 1.3, 0.0, 1.0, -0.6, 0.0, 0.0], "float32")
    rotate = np.array([0.93, -0.31, 0.77, 0.36, 0.94, -0.41, 0.0, 0.0], "float32")
    batch = np.stack(
        [rotate, np.array([1.21, 0.11, -0.68, -0.19, 0.83, 1.13, 0.0, 0.0], "float32")]
    )
    projective = np.array([1.0, 0.1, 0.2, -0.1, 1.1, 0.3, 0.03, -0.02], "float32")
    out = [
        Case("f32-b2-bilinear-constant", (_rand(rng, (2, 4, 5, 2)),), {"transform": batch}, True),
        Case("f32-single-nearest", (_rand(rng, (4, 5, 2)), rotate), {"interpolation": "nearest"}),
    ]
    for mode in ("nearest", "wrap", "mirror", "reflect"):
        out.append(
            Case(
                f"f32-{mode}",
                (_rand(rng, (2, 4, 5, 1)), rotate),
                {"fill_mode": mode, "fill_value": 0.5},
            )
        )
    out.append(
        Case(
            "f32-channels_first-fill",
            (_rand(rng, (2, 2, 4, 5)), batch),
            {"data_format": "channels_first", "fill_value": -1.0},
        )
    )
    out.append(Case("f32-projective", (_rand(rng, (4, 5, 3)), projective)))
    out.append(
        Case(
            "f64-shift-grad",
            (_rand(rng, (3, 4, 2), "float64"),),
            {"transform": identity_shift},
            True,
        )
    )
    out.append(Case("f16", (_rand(rng, (4, 5, 2), "float16"), rotate)))
    out.append(
        Case(
            "i32-nearest",
            (rng.integers(0, 9, (4, 5, 2)).astype("int32"), rotate),
            {"interpolation": "nearest"},
        )
    )
    out.append(Case("u8-bilinear", (rng.integers(0, 255, (4, 5, 1)).astype("uint8"), rotate)))
    return [c for c in out if _dtypes_of(c) <= supported]


def _dtypes_of(case):
    return {a.dtype.name for a in (*case.args, *case.kwargs.values()) if isinstance(a, np.ndarray)}


def _map_coordinates_cases(spec, rng, supported):
    image = _rand(rng, (4, 5))
    coords = rng.uniform(-2.5, 6.5, (2, 3, 4)).astype("float32")
    out = [
        Case("f32-linear-grad", (image,), {"coordinates": coords, "order": 1}, True),
        Case("f32-nearest", (image, coords, 0)),
    ]
    for mode in ("nearest", "wrap", "mirror", "reflect"):
        out.append(Case(f"f32-linear-{mode}", (image, coords, 1), {"fill_mode": mode}))
    out.append(Case("f32-fill", (image, coords, 1), {"fill_value": 2.5}))
    out.append(
        Case(
            "f64-3d",
            (_rand(rng, (3, 4, 2), "float64"), rng.uniform(-1, 4, (3, 5)).astype("float64"), 1),
            {"fill_mode": "reflect"},
        )
    )
    out.append(Case("f16", (_rand(rng, (4, 5), "float16"), coords, 1)))
    out.append(Case("i32-linear", (rng.integers(0, 9, (4, 5)).astype("int32"), coords, 1)))
    out.append(
        Case(
            "i32-coords-nearest",
            (image, rng.integers(-2, 6, (2, 3)).astype("int32"), 0),
            {"fill_mode": "wrap"},
        )
    )
    return [c for c in out if _dtypes_of(c) <= supported]


_SQUARE = np.array([[0, 0], [5, 0], [5, 4], [0, 4]], "float32")


def _perspective_cases(spec, rng, supported):
    end = np.array([[0.3, -0.2], [4.6, 0.4], [5.2, 3.7], [-0.1, 4.3]], "float32")
    end2 = np.array([[-0.4, 0.2], [5.3, -0.3], [4.8, 4.1], [0.2, 3.6]], "float32")
    out = [
        Case(
            "f32-single-grad",
            (_rand(rng, (4, 5, 2)),),
            {"start_points": _SQUARE, "end_points": end},
            True,
        ),
        Case(
            "f32-batch-nearest",
            (_rand(rng, (2, 4, 5, 1)), np.stack([_SQUARE, _SQUARE]), np.stack([end, end2])),
            {"interpolation": "nearest", "fill_value": 1.5},
        ),
        Case(
            "f32-batch-shared-points-channels_first",
            (_rand(rng, (2, 2, 4, 5)), _SQUARE, end2),
            {"data_format": "channels_first"},
        ),
        Case("f64", (_rand(rng, (4, 5, 1), "float64"), end, _SQUARE)),
        Case("u8", (rng.integers(0, 255, (4, 5, 1)).astype("uint8"), _SQUARE, end)),
    ]
    return [c for c in out if _dtypes_of(c) <= supported]


def _scale_and_translate_cases(spec, rng, supported):
    image = _rand(rng, (2, 4, 5, 1))
    up = (np.array([1.5, 1.3], "float32"), np.array([0.2, -0.4], "float32"))
    down = (np.array([0.6, 0.7], "float32"), np.array([0.3, 0.1], "float32"))
    out = [
        Case(
            "f32-linear-grad",
            (image,),
            {
                "output_shape": (2, 6, 6, 1),
                "scale": up[0],
                "translation": up[1],
                "spatial_dims": (1, 2),
                "method": "linear",
            },
            True,
        ),
    ]
    for method in ("cubic", "lanczos3", "lanczos5"):
        out.append(Case(f"f32-up-{method}", (image, (2, 6, 6, 1), *up, (1, 2), method)))
    for antialias in (True, False):
        out.append(
            Case(
                f"f32-down-antialias{antialias}",
                (image, (2, 3, 3, 1), *down, (1, 2), "bicubic"),
                {"antialias": antialias},
            )
        )
    scale64 = np.array([1.5, 0.6], "float64")
    shift64 = np.array([0.0, 0.2], "float64")
    image64 = _rand(rng, (4, 5), "float64")
    out.append(Case("f64-2d", (image64, (6, 3), scale64, shift64, (0, 1), "trilinear")))
    out.append(
        Case(
            "f16-one-dim",
            (
                _rand(rng, (4, 5), "float16"),
                (4, 7),
                np.array([1.4], "float32"),
                np.array([0.1], "float32"),
                (1,),
                "linear",
            ),
        )
    )
    out.append(
        Case("u8", (rng.integers(0, 255, (4, 5)).astype("uint8"), (6, 6), *up, (0, 1), "linear"))
    )
    return [c for c in out if _dtypes_of(c) <= supported]


def _elastic_cases(spec, rng, supported):
    # Random noise differs per backend: only the alpha=0 identity compares.
    return [
        Case("f32-alpha0", (_rand(rng, (2, 4, 5, 2)),), {"alpha": 0.0, "sigma": 1.0, "seed": 1}),
        Case(
            "f32-alpha0-channels_first",
            (_rand(rng, (2, 4, 5)),),
            {"alpha": 0.0, "sigma": 1.0, "seed": 1, "data_format": "channels_first"},
        ),
    ]


# ------------------------------------------------------------------- declarations


@op(
    "image",
    composite=True,
    tensors=("images", "transform"),
    cases=_affine_cases,
    expect=_affine_rule,
    shape_rule=_images_shape_rule("affine_transform", _affine_rule),
)
def affine_transform(
    images,
    transform,
    interpolation="bilinear",
    fill_mode="constant",
    fill_value=0,
    data_format=None,
):
    """Apply projective transform(s) to image(s): every output pixel ``(x, y)`` takes
    the input at ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x +
    c1 y + 1``, for ``transform`` rows ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (shape
    ``(8,)`` or ``(batch, 8)``; the map from output to input, as in Keras and
    TensorFlow; ``c0``/``c1`` are honoured on every backend), with ``interpolation``
    ``"nearest"`` or ``"bilinear"`` and ``fill_mode`` ``"constant"`` (``fill_value``),
    ``"nearest"``, ``"wrap"``, ``"mirror"`` or ``"reflect"`` outside the input.
    ``images`` is rank 3 or 4 in ``data_format`` (None: ``image_data_format()``);
    the result has the images' shape and dtype. No gradient flows to ``transform``.

    Example::

        >>> x = np.random.random((2, 64, 80, 3))
        >>> shift = np.array([1, 0, -20, 0, 1, -16, 0, 0], "float32")
        >>> kcore.ops.image.affine_transform(x, shift).shape
        (2, 64, 80, 3)
    """
    _check_affine(images, transform, interpolation, fill_mode, data_format)
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    compute = _compute_dtype(ops.dtype(images))
    transform = ops.stop_gradient(ops.convert_to_tensor(transform))
    if len(ops.shape(transform)) == 1:
        transform = ops.expand_dims(transform, 0)
    height, width = _image_hw(images, data_format, ops.shape(images))
    ys, xs = _projective_coordinates(ops, transform, height, width, compute)
    order = INTERPOLATIONS[interpolation]
    return _sample_images(ops, images, ys, xs, order, fill_mode, fill_value, data_format)


def _map_coordinates_shape_rule(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    _check_map_coordinates(inputs, coordinates, order, fill_mode)
    return KerasTensor(tuple(coordinates.shape[1:]), standardize_dtype(inputs.dtype))


@op(
    "image",
    composite=True,
    tensors=("inputs", "coordinates"),
    cases=_map_coordinates_cases,
    expect=_map_coordinates_rule,
    shape_rule=_map_coordinates_shape_rule,
)
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (shape ``(inputs.ndim, ...)``: one
    coordinate array per input dimension) by spline interpolation of ``order`` 0
    (nearest, halves away from zero) or 1 (linear), like
    ``scipy.ndimage.map_coordinates`` (with the boundary fix of ``jax.scipy``).
    ``fill_mode`` (``"constant"``, ``"nearest"``, ``"wrap"``, ``"mirror"``,
    ``"reflect"``) extends the input; ``"constant"`` uses ``fill_value``. The result
    has the shape ``coordinates.shape[1:]`` and the dtype of ``inputs`` (integers
    rounded).

    Example::

        >>> x = np.arange(12.0).reshape(3, 4)
        >>> kcore.ops.image.map_coordinates(x, [[0.5, 2.0], [0.5, 3.0]], order=1)
        ... # tensor [2.5, 11.0]
    """
    _check_map_coordinates(inputs, coordinates, order, fill_mode)
    inputs = ops.convert_to_tensor(inputs)
    dtype = ops.dtype(inputs)
    compute = _compute_dtype(dtype)
    coordinates = ops.convert_to_tensor(coordinates)
    sizes = tuple(ops.shape(inputs))
    coords = [ops.cast(ops.take(coordinates, i, axis=0), compute) for i in range(len(sizes))]
    flat = ops.reshape(ops.cast(inputs, compute), (-1, 1))
    out = _gather(ops, flat, sizes, coords, order, fill_mode, _fill_for(dtype, fill_value))
    return _to_dtype(ops, ops.squeeze(out, -1), dtype)


@op(
    "image",
    composite=True,
    tensors=("images", "start_points", "end_points"),
    cases=_perspective_cases,
    expect=_perspective_rule,
    shape_rule=_images_shape_rule("perspective_transform", _perspective_rule),
)
def perspective_transform(
    images,
    start_points,
    end_points,
    interpolation="bilinear",
    fill_value=0,
    data_format=None,
):
    """Warp image(s) by the perspective transform that takes the four ``end_points``
    (in the output) onto the four ``start_points`` (in the input), each ``(4, 2)`` or
    ``(batch, 4, 2)`` as ``(x, y)`` pairs: the ``affine_transform`` with that
    homography and ``fill_mode="constant"``. ``interpolation`` is ``"nearest"`` or
    ``"bilinear"``; pixels from outside the input get ``fill_value``. The result has
    the images' shape and dtype.

    Example::

        >>> x = np.random.random((64, 80, 3))
        >>> start = np.array([[0, 0], [0, 64], [80, 0], [80, 64]], "float32")
        >>> end = np.array([[3, 5], [7, 64], [76, -10], [84, 61]], "float32")
        >>> kcore.ops.image.perspective_transform(x, start, end).shape
        (64, 80, 3)
    """
    _check_perspective(images, start_points, end_points, interpolation, data_format)
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    compute = _compute_dtype(ops.dtype(images))

    def points(p):
        p = ops.cast(
            ops.stop_gradient(ops.convert_to_tensor(p)),
            "float64" if compute == "float64" else "float32",
        )
        return ops.expand_dims(p, 0) if len(ops.shape(p)) == 2 else p

    transform = _homography(ops, points(start_points), points(end_points))
    height, width = _image_hw(images, data_format, ops.shape(images))
    ys, xs = _projective_coordinates(ops, transform, height, width, compute)
    order = INTERPOLATIONS[interpolation]
    return _sample_images(ops, images, ys, xs, order, "constant", fill_value, data_format)


@op(
    "image",
    composite=True,
    tensors=("images",),
    cases=_elastic_cases,
    grad=False,
    expect=_elastic_rule,
    shape_rule=_images_shape_rule("elastic_transform", _elastic_rule),
)
def elastic_transform(
    images,
    alpha=20.0,
    sigma=5.0,
    interpolation="bilinear",
    fill_mode="reflect",
    fill_value=0.0,
    seed=None,
    data_format=None,
):
    """Elastic deformation: every pixel moves by ``alpha`` times a random displacement
    field (standard normal noise times ``sigma``, blurred by a Gaussian of ``sigma``
    with Keras's kernel of ``int(6 * sigma) | 1`` taps), one field per image shared by
    its channels, and the image is resampled there with ``interpolation`` and
    ``fill_mode``/``fill_value`` as in ``affine_transform``. The noise comes from
    ``kcore.random.normal`` with ``seed``: the same seed gives the same result on a
    backend (backends draw different numbers, as in Keras). The result has the
    images' shape and dtype; ``alpha=0`` returns the images unchanged.

    Example::

        >>> x = np.random.random((2, 64, 80, 3))
        >>> kcore.ops.image.elastic_transform(x, alpha=20.0, sigma=5.0, seed=1).shape
        (2, 64, 80, 3)
    """
    _check_elastic(images, interpolation, fill_mode, data_format)
    data_format = _data_format(data_format)
    images = ops.convert_to_tensor(images)
    compute = _compute_dtype(ops.dtype(images))
    image_shape = ops.shape(images)
    height, width = _image_hw(images, data_format, image_shape)
    batch = image_shape[0] if len(image_shape) == 4 else 1
    random = getattr(ops, "random", None)
    if random is None:  # kcore.ops itself: kcore.random is bound to the same backend
        import kcore.random as random
    noise = random.normal((2, batch, height, width), dtype=compute, seed=seed)
    noise = ops.multiply(noise, float(sigma))
    blur_y = ops.convert_to_tensor(_gaussian_blur_matrix(height, float(sigma)).astype(compute))
    blur_x = ops.convert_to_tensor(_gaussian_blur_matrix(width, float(sigma)).astype(compute))
    field = ops.multiply(ops.einsum("ij,dbjk,lk->dbil", blur_y, noise, blur_x), float(alpha))
    y = ops.reshape(ops.arange(height, dtype=compute), (1, -1, 1))
    x = ops.reshape(ops.arange(width, dtype=compute), (1, 1, -1))
    ys = ops.add(y, ops.take(field, 0, axis=0))
    xs = ops.add(x, ops.take(field, 1, axis=0))
    order = INTERPOLATIONS[interpolation]
    return _sample_images(ops, images, ys, xs, order, fill_mode, fill_value, data_format)


def _scale_and_translate_shape_rule(
    images, output_shape, scale, translation, spatial_dims, method, antialias=True
):
    _check_scale_and_translate(images, output_shape, scale, translation, spatial_dims, method)
    return KerasTensor(tuple(int(d) for d in output_shape), standardize_dtype(images.dtype))


@op(
    "image",
    composite=True,
    tensors=("images", "scale", "translation"),
    cases=_scale_and_translate_cases,
    expect=_scale_and_translate_rule,
    shape_rule=_scale_and_translate_shape_rule,
)
def scale_and_translate(
    images,
    output_shape,
    scale,
    translation,
    spatial_dims,
    method,
    antialias=True,
):
    """Resample ``images`` to ``output_shape`` so that input location ``x`` (pixel
    centres at ``i + 0.5``) of each of ``spatial_dims`` lands at ``x * scale +
    translation``, like ``jax.image.scale_and_translate``: ``method`` ``"linear"``
    (``"bilinear"``, ``"trilinear"``), ``"cubic"`` (Keys, ``"bicubic"``,
    ``"tricubic"``), ``"lanczos3"`` or ``"lanczos5"``; with ``antialias`` the kernel
    widens when downsampling. Samples off the input get zero. The result has the
    images' dtype (integers rounded and clipped to the input's range).

    Example::

        >>> x = np.arange(9, dtype="float32").reshape(3, 3)
        >>> s = np.array([2.0, 2.0], "float32")
        >>> kcore.ops.image.scale_and_translate(x, (5, 5), s, -(s / 2 - 0.5), (0, 1), "linear")
        ... # tensor [[0.0, 0.5, 1.0, 1.5, 2.0], ...]
    """
    _check_scale_and_translate(images, output_shape, scale, translation, spatial_dims, method)
    images = ops.convert_to_tensor(images)
    dtype = ops.dtype(images)
    scale = ops.convert_to_tensor(scale)
    translation = ops.convert_to_tensor(translation)
    wdtype = result_type(ops.dtype(scale), ops.dtype(translation))
    if not standardize_dtype(wdtype).startswith("float"):
        wdtype = "float32"
    wdtype = "float64" if "float64" in (wdtype, dtype) else "float32"
    scale, translation = ops.cast(scale, wdtype), ops.cast(translation, wdtype)
    kernel = _weights_kernel(ops, method)
    out = ops.cast(images, wdtype)
    image_shape = ops.shape(images)
    rank = len(image_shape)
    for i, d in enumerate(spatial_dims):
        d = d % rank
        m, n = image_shape[d], int(output_shape[d])
        inv = ops.divide(1.0, ops.take(scale, i, axis=0))
        kernel_scale = ops.maximum(inv, 1.0) if antialias else 1.0
        sample = ops.subtract(
            ops.subtract(
                ops.multiply(ops.add(ops.arange(n, dtype=wdtype), 0.5), inv),
                ops.multiply(ops.take(translation, i, axis=0), inv),
            ),
            0.5,
        )
        x = ops.abs(
            ops.subtract(
                ops.expand_dims(sample, 0), ops.expand_dims(ops.arange(m, dtype=wdtype), 1)
            )
        )
        w = kernel(ops.divide(x, kernel_scale))
        total = ops.sum(w, axis=0, keepdims=True)
        w = ops.where(
            ops.greater(ops.abs(total), 1000.0 * _EPS32),
            ops.divide(w, ops.where(ops.not_equal(total, 0.0), total, 1.0)),
            0.0,
        )
        inside = ops.logical_and(ops.greater_equal(sample, -0.5), ops.less_equal(sample, m - 0.5))
        w = ops.where(ops.expand_dims(inside, 0), w, 0.0)
        out = ops.moveaxis(ops.tensordot(out, w, axes=([d], [0])), -1, d)
    if _is_integer(dtype):
        out = ops.clip(
            ops.round(out), ops.cast(ops.min(images), wdtype), ops.cast(ops.max(images), wdtype)
        )
    return ops.cast(out, dtype)
