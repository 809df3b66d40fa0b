"""JAX implementations of the ops declared in ``kcore/ops/image.py``.

``resize`` calls ``jax.image.resize`` (the same half-pixel kernels as the NumPy
reference), except for ``"area"``, which JAX lacks: that one applies the reference's
averaging matrices. The other image ops run as their composites.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from kcore.ops.image import (
    _check_resize,
    _compute_dtype,
    _crop_key,
    _data_format,
    _nearest_indices,
    _pad_widths,
    _resize_geometry,
    _resize_weights,
    _validate,
)


def _back_to(x, dtype):
    if x.dtype == dtype:
        return x
    if jnp.issubdtype(dtype, jnp.floating):
        return x.astype(dtype)
    if dtype == jnp.bool_:
        return jnp.round(x) != 0
    info = jnp.iinfo(dtype)
    return jnp.clip(jnp.round(x), info.min, info.max).astype(dtype)


def resize(
    images,
    size,
    interpolation="bilinear",
    antialias=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_mode="constant",
    fill_value=0.0,
    data_format=None,
):
    _validate(_check_resize(locals()))
    images = jnp.asarray(images)
    dtype = images.dtype
    h_axis, w_axis, crop, pad = _resize_geometry(
        images.shape, size, _data_format(data_format), crop_to_aspect_ratio, pad_to_aspect_ratio
    )
    x = images
    if crop is not None:
        x = x[_crop_key(x.ndim, h_axis, w_axis, crop)]
    if interpolation == "nearest" and pad is None:
        x = jnp.take(x, _nearest_indices(x.shape[h_axis], size[0]), axis=h_axis)
        return jnp.take(x, _nearest_indices(x.shape[w_axis], size[1]), axis=w_axis)
    x = x.astype(_compute_dtype(dtype.name))
    if pad is not None:
        widths = _pad_widths(x.ndim, h_axis, w_axis, pad)
        x = jnp.pad(x, widths, constant_values=fill_value)
    if interpolation == "area":
        for axis, out_size in ((h_axis, size[0]), (w_axis, size[1])):
            weights = _resize_weights(x.shape[axis], out_size, "area", False).astype(x.dtype)
            moved = jnp.tensordot(weights, x, axes=([1], [axis]), precision="highest")
            x = jnp.moveaxis(moved, 0, axis)
    else:
        shape = list(x.shape)
        shape[h_axis], shape[w_axis] = size
        x = jax.image.resize(x, shape, method=interpolation, antialias=antialias)
    return _back_to(x, dtype)


# -- the other image ops: their composites, compiled once per signature ------------------
# Each is a chain of a few dozen small ops; under jax.jit it is one XLA program, which
# runs and differentiates far faster than the ops one by one. Tensor arguments are
# traced; every other argument is static (a new value compiles again).


def _jitted(name: str):
    from kcore.ops.contract import SPECS

    spec = SPECS[name]
    tensors = spec.tensors
    compiled: dict = {}

    def native(*args, **kwargs):
        bound = spec.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        if "data_format" in values and values["data_format"] is None:
            # Resolved here: a compiled function must not remember the setting.
            values["data_format"] = _data_format(None)
        static = tuple(
            (key, _hashable(value)) for key, value in values.items() if key not in tensors
        )
        function = compiled.get(static)
        if function is None:
            function = jax.jit(_bound_composite(spec, dict(static)))
            if len(compiled) < 256:
                compiled[static] = function
        return function(*(jnp.asarray(values[key]) for key in tensors))

    native.__name__ = name
    return native


def _hashable(value):
    if hasattr(value, "tolist"):  # NumPy values (sizes, sigmas) as Python ones
        value = value.tolist()
    return tuple(_hashable(v) for v in value) if isinstance(value, list | tuple) else value


def _bound_composite(spec, static):
    from kcore import backend as backend_module
    from kcore.ops import contract

    namespace = _namespace(backend_module, contract)
    composite = contract._with_ops(spec.composite, namespace)

    def run(*tensors):
        return composite(**dict(zip(spec.tensors, tensors)), **static)

    return run


_NAMESPACE: list = []


def _namespace(backend_module, contract):
    if not _NAMESPACE:
        _NAMESPACE.append(contract.namespace_for(backend_module.get_backend("jax")))
    return _NAMESPACE[0]


rgb_to_grayscale = _jitted("rgb_to_grayscale")
rgb_to_hsv = _jitted("rgb_to_hsv")
hsv_to_rgb = _jitted("hsv_to_rgb")
gaussian_blur = _jitted("gaussian_blur")
sobel_edges = _jitted("sobel_edges")
extract_patches = _jitted("extract_patches")
extract_patches_3d = _jitted("extract_patches_3d")
ssim = _jitted("ssim")
