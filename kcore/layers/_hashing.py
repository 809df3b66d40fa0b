"""Deterministic string hashes (TensorFlow's, in pure Python) and the hashing layers.

``fingerprint64`` is FarmHash's ``Fingerprint64`` (what ``tf.strings.to_hash_bucket_fast``
uses), ``siphash64`` is SipHash-2-4 (``tf.strings.to_hash_bucket_strong``), and
``fingerprint_cat64`` combines fingerprints like ``tf.sparse.cross_hashed``: so
:class:`Hashing` and :class:`HashedCrossing` give the same bins as Keras on every backend.

Example::

    >>> fingerprint64(b"")
    11160318154034397263
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore import config as _config
from kcore import ops
from kcore.layers.layer import Layer

_M = 0xFFFFFFFFFFFFFFFF
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _f64(s: bytes, i: int) -> int:
    return int.from_bytes(s[i : i + 8], "little")


def _f32(s: bytes, i: int) -> int:
    return int.from_bytes(s[i : i + 4], "little")


def _rot(v: int, r: int) -> int:
    return ((v >> r) | (v << (64 - r))) & _M if r else v


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _len0to16(s: bytes, n: int) -> int:
    if n >= 8:
        mul = _K2 + n * 2
        a = (_f64(s, 0) + _K2) & _M
        b = _f64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M
        d = ((_rot(a, 25) + b) * mul) & _M
        return _len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _len16(n + (_f32(s, 0) << 3), _f32(s, n - 4), mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _len17to32(s: bytes, n: int) -> int:
    mul = _K2 + n * 2
    a = (_f64(s, 0) * _K1) & _M
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & _M
    d = (_f64(s, n - 16) * _K2) & _M
    return _len16(
        (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M,
        (a + _rot((b + _K2) & _M, 18) + c) & _M,
        mul,
    )


def _len33to64(s: bytes, n: int) -> int:
    mul = _K2 + n * 2
    a = (_f64(s, 0) * _K2) & _M
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & _M
    d = (_f64(s, n - 16) * _K2) & _M
    y = (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M
    z = _len16(y, (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)
    e = (_f64(s, 16) * mul) & _M
    f = _f64(s, 24)
    g = ((y + _f64(s, n - 32)) * mul) & _M
    h = ((z + _f64(s, n - 24)) * mul) & _M
    return _len16(
        (_rot((e + f) & _M, 43) + _rot(g, 30) + h) & _M,
        (e + _rot((f + a) & _M, 18) + g) & _M,
        mul,
    )


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = _f64(s, i), _f64(s, i + 8), _f64(s, i + 16), _f64(s, i + 24)
    a = (a + w) & _M
    b = _rot((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rot(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def fingerprint64(data: bytes) -> int:
    """FarmHash ``Fingerprint64`` of ``data`` (an unsigned 64-bit int), the hash of
    ``tf.strings.to_hash_bucket_fast``.

    Example::

        >>> fingerprint64(b"a") % 10
        9
    """
    s = bytes(data)
    n = len(s)
    if n <= 16:
        return _len0to16(s, n)
    if n <= 32:
        return _len17to32(s, n)
    if n <= 64:
        return _len33to64(s, n)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M
    z = (_shift_mix((y * _K2 + 113) & _M) * _K2) & _M
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _f64(s, 0)) & _M
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v0 + _f64(s, i + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v1 + _f64(s, i + 48)) & _M, 42) * _K1) & _M
        x ^= w1
        y = (y + v0 + _f64(s, i + 40)) & _M
        z = (_rot((z + w0) & _M, 33) * _K1) & _M
        v0, v1 = _weak32(s, i, (v1 * _K1) & _M, (x + w0) & _M)
        w0, w1 = _weak32(s, i + 32, (z + w1) & _M, (y + _f64(s, i + 16)) & _M)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    i = last64
    w0 = (w0 + ((n - 1) & 63)) & _M
    v0 = (v0 + w0) & _M
    w0 = (w0 + v0) & _M
    x = (_rot((x + y + v0 + _f64(s, i + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v1 + _f64(s, i + 48)) & _M, 42) * mul) & _M
    x ^= (w1 * 9) & _M
    y = (y + v0 * 9 + _f64(s, i + 40)) & _M
    z = (_rot((z + w0) & _M, 33) * mul) & _M
    v0, v1 = _weak32(s, i, (v1 * mul) & _M, (x + w0) & _M)
    w0, w1 = _weak32(s, i + 32, (z + w1) & _M, (y + _f64(s, i + 16)) & _M)
    z, x = x, z
    return _len16(
        (_len16(v0, w0, mul) + (_shift_mix(y) * _K0) + z) & _M,
        (_len16(v1, w1, mul) + x) & _M,
        mul,
    )


def _rotl(v: int, r: int) -> int:
    return ((v << r) | (v >> (64 - r))) & _M


def siphash64(key: tuple[int, int], data: bytes) -> int:
    """SipHash-2-4 of ``data`` with the 128-bit ``key`` given as two 64-bit ints (the
    hash of ``tf.strings.to_hash_bucket_strong``).

    Example::

        >>> siphash64((0, 0), b"") > 0
        True
    """
    k0, k1 = key[0] & _M, key[1] & _M
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    s = bytes(data)
    n = len(s)

    def rounds(v0: int, v1: int, v2: int, v3: int, count: int) -> tuple[int, int, int, int]:
        for _ in range(count):
            v0 = (v0 + v1) & _M
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _M
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _M
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _M
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)
        return v0, v1, v2, v3

    full = n - n % 8
    for i in range(0, full, 8):
        m = _f64(s, i)
        v3 ^= m
        v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
        v0 ^= m
    last = ((n & 0xFF) << 56) | int.from_bytes(s[full:], "little")
    v3 ^= last
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
    v0 ^= last
    v2 ^= 0xFF
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """Combine two fingerprints (TensorFlow's ``FingerprintCat64``).

    Example::

        >>> fingerprint_cat64(1, 2) != fingerprint_cat64(2, 1)
        True
    """
    mul = 0xC6A4A7935BD1E995
    result = fp1 ^ mul
    result ^= (_shift_mix((fp2 * mul) & _M) * mul) & _M
    result = (result * mul) & _M
    result = (_shift_mix(result) * mul) & _M
    return _shift_mix(result)


# ------------------------------------------------------------------------- helpers
def _to_numpy(x: Any) -> np.ndarray:
    """Strings and numbers of any input (list, NumPy array, backend tensor) as NumPy."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, str | bytes | list | tuple | int | float | np.generic):
        return np.asarray(x)
    try:
        return np.asarray(ops.convert_to_numpy(x))
    except (TypeError, ValueError):
        if hasattr(x, "numpy"):  # e.g. a tf.string tensor under another backend
            return np.asarray(x.numpy())
        raise


def _is_string_array(a: np.ndarray) -> bool:
    return a.dtype.kind in ("U", "S", "O")


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, np.bytes_):
        return bytes(value)
    return str(value).encode("utf-8")


def _value_bytes(a: np.ndarray) -> np.ndarray:
    """``a``'s values as the bytes TensorFlow's ``as_string`` gives (object array)."""
    if _is_string_array(a):
        flat = [_as_bytes(v) for v in a.reshape(-1)]
    else:
        if a.dtype.kind == "f":
            a = a.astype("int64")
        elif a.dtype.kind == "b":
            a = a.astype("int64")
        flat = [str(int(v)).encode() for v in a.reshape(-1)]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(a.shape)


def encode_categorical(
    indices: Any, output_mode: str, depth: int, dtype: str, count_weights: Any = None
) -> Any:
    """Integer ``indices`` (a backend tensor) encoded as in Keras: ``int`` casts,
    ``one_hot`` adds (or replaces a trailing 1) a ``depth`` axis, ``multi_hot`` and
    ``count`` reduce the last axis into ``depth`` bins (a rank-1 input is one sample).

    Example::

        >>> encode_categorical(kcore.ops.convert_to_tensor([0, 2]), "multi_hot", 3, "float32")
    """
    if output_mode == "int":
        return ops.cast(indices, stored_dtype(dtype))
    shape = tuple(indices.shape)
    if len(shape) == 0:
        indices = ops.expand_dims(indices, -1)
        shape = (1,)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            indices = ops.squeeze(indices, axis=-1)
        return ops.one_hot(ops.cast(indices, "int32"), depth, dtype=dtype)
    hot = ops.one_hot(ops.cast(indices, "int32"), depth, dtype=dtype)
    if output_mode == "multi_hot":
        return ops.cast(ops.max(hot, axis=-2), dtype)
    if count_weights is not None:
        hot = hot * ops.expand_dims(ops.cast(count_weights, dtype), -1)
    return ops.sum(hot, axis=-2)


_MODES = ("int", "one_hot", "multi_hot", "count")
_STORED: dict[tuple[str, str], str] = {}


def stored_dtype(dtype: str) -> str:
    """The dtype the selected backend gives a tensor made from ``dtype`` NumPy data
    (``int64`` is ``int32`` on JAX without x64): the dtype of eager outputs."""
    key = (_config.backend(), dtype)
    found = _STORED.get(key)
    if found is None:
        from kcore.dtypes import standardize_dtype

        found = _STORED[key] = standardize_dtype(ops.convert_to_tensor(np.zeros((), dtype)).dtype)
    return found


# -------------------------------------------------------------------------- layers
def _check_num_bins(num_bins: Any, cls: str) -> None:
    if (
        num_bins is None
        or isinstance(num_bins, bool)
        or not isinstance(num_bins, int)
        or num_bins <= 0
    ):
        raise ValueError(f"{cls}: num_bins must be a positive int, received num_bins={num_bins}")


def _salt_pair(salt: Any, cls: str) -> Any:
    """``salt`` as the ``[k0, k1]`` SipHash key (an int ``k`` gives ``[k, k]``)."""
    if salt is None:
        return None
    if isinstance(salt, tuple | list) and len(salt) == 2:
        return [int(salt[0]), int(salt[1])]
    if isinstance(salt, int) and not isinstance(salt, bool):
        return [salt, salt]
    raise ValueError(f"{cls}: salt must be an int or a pair of ints, received salt={salt!r}")


def _output_mode(output_mode: Any, modes: tuple[str, ...], cls: str) -> str:
    """``output_mode`` with Keras's aliases (``"binary"``, ``"tf-idf"``) resolved,
    checked against ``modes``."""
    output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
    if output_mode not in modes:
        raise ValueError(
            f"{cls}: output_mode must be one of {modes}, received output_mode={output_mode!r}"
        )
    return output_mode


def _is_one_batch(data: Any) -> bool:
    """Whether ``adapt`` data is one batch (an array, list or tensor), not an iterable
    of batches."""
    return (
        isinstance(data, list | tuple | np.ndarray | str)
        or hasattr(data, "shape")
        or not hasattr(data, "__iter__")
    )


def _update_batches(layer: Any, batches: Any, steps: Any) -> None:
    """``layer.update_state`` on each of ``batches``, the first ``steps`` of them only
    when ``steps`` is set."""
    for i, batch in enumerate(batches):
        if steps is not None and i >= steps:
            break
        layer.update_state(batch)


class Hashing(Layer):
    """Hash strings or integers into ``num_bins`` bins (FarmHash, or SipHash with a
    ``salt``), giving the same bins as ``keras.layers.Hashing``.

    Args:
        num_bins: the number of bins, including the mask bin 0 when ``mask_value``
            is set.
        mask_value: a value mapped to bin 0 (``None``: no mask bin).
        salt: an int or a pair of ints: use the keyed (SipHash) hash.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: unsupported (must be False outside TensorFlow's sparse tensors).

    Example::

        >>> layer = kcore.layers.Hashing(num_bins=3)
        >>> kcore.ops.convert_to_numpy(layer([["A"], ["B"], ["C"], ["D"], ["E"]])).ravel()
        array([1, 0, 1, 1, 2])
    """

    def __init__(
        self,
        num_bins: int,
        mask_value: Any = None,
        salt: Any = None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else _config.floatx()
        super().__init__(**kwargs)
        _check_num_bins(num_bins, "Hashing")
        if output_mode not in _MODES:
            raise ValueError(
                f"Hashing: output_mode must be one of {_MODES}, received output_mode={output_mode!r}"
            )
        if output_mode == "int" and self.dtype_policy.name not in ("int32", "int64"):
            raise ValueError(
                "Hashing: with output_mode='int', dtype must be 'int32' or 'int64', "
                f"received dtype={kwargs['dtype']!r}"
            )
        if sparse:
            raise ValueError(f"Hashing: sparse outputs are not supported, received sparse={sparse}")
        salt = _salt_pair(salt, "Hashing")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.salt = salt
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self._convert_inputs = False
        self.built = True

    def _hash_bins(self, values: np.ndarray) -> np.ndarray:
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            if _is_string_array(values):
                target = _as_bytes(self.mask_value)
                mask = (
                    np.vectorize(lambda v: _as_bytes(v) == target, otypes=[bool])(values)
                    if values.size
                    else np.zeros(values.shape, bool)
                )
            else:
                mask = values == self.mask_value
        data = _value_bytes(values)
        cache: dict[bytes, int] = {}
        flat = data.reshape(-1)
        out = np.empty(flat.shape, dtype="int64")
        salt = self.salt
        for i, item in enumerate(flat):
            h = cache.get(item)
            if h is None:
                digest = siphash64(salt, item) if salt is not None else fingerprint64(item)
                h = cache[item] = digest % bins
            out[i] = h
        out = out.reshape(values.shape)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def call(self, inputs: Any) -> Any:
        values = _to_numpy(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        indices = ops.convert_to_tensor(self._hash_bins(values))
        return encode_categorical(indices, self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if not input_shape:
            return (self.num_bins,)
        if self.output_mode == "one_hot" and input_shape[-1] == 1:
            return (*input_shape[:-1], self.num_bins)
        if self.output_mode == "one_hot":
            return (*input_shape, self.num_bins)
        return (*input_shape[:-1], self.num_bins)

    def compute_output_spec(self, inputs: Any) -> Any:
        from kcore.keras_tensor import KerasTensor

        return KerasTensor(
            self.compute_output_shape(inputs.shape), stored_dtype(self.compute_dtype)
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }


_CROSS_KEY = 0xDECAFCAFFE


class HashedCrossing(Layer):
    """Cross two or more categorical features into ``num_bins`` bins, with the same
    bins as ``keras.layers.HashedCrossing`` (``tf.sparse.cross_hashed``).

    Args:
        num_bins: the number of bins.
        output_mode: ``"int"`` or ``"one_hot"``.
        sparse: unsupported (must be False).

    Example::

        >>> layer = kcore.layers.HashedCrossing(num_bins=5)
        >>> out = layer((np.array([1, 2]), np.array(["a", "b"])))
        >>> tuple(out.shape)
        (2,)
    """

    def __init__(
        self,
        num_bins: int,
        output_mode: str = "int",
        sparse: bool = False,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        if dtype is None:
            dtype = "int64" if output_mode == "int" else _config.floatx()
        super().__init__(name=name, dtype=dtype, **kwargs)
        _check_num_bins(num_bins, "HashedCrossing")
        if output_mode not in ("int", "one_hot"):
            raise ValueError(
                "HashedCrossing: output_mode must be 'int' or 'one_hot', "
                f"received output_mode={output_mode!r}"
            )
        if sparse:
            raise ValueError(
                f"HashedCrossing: sparse outputs are not supported, received sparse={sparse}"
            )
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse
        self._convert_inputs = False
        self.built = True

    @staticmethod
    def _feature_hashes(a: np.ndarray) -> np.ndarray:
        flat = a.reshape(-1)
        out = np.empty(flat.shape, dtype=object)
        if _is_string_array(a):
            for i, v in enumerate(flat):
                out[i] = fingerprint64(_as_bytes(v))
        else:
            for i, v in enumerate(flat.astype("int64")):
                out[i] = int(v) & _M
        return out.reshape(a.shape)

    def call(self, inputs: Any) -> Any:
        if not isinstance(inputs, list | tuple) or len(inputs) < 2:
            raise ValueError(
                "HashedCrossing: expected a tuple of at least two inputs, "
                f"received {type(inputs).__name__}"
            )
        arrays = [_to_numpy(x) for x in inputs]
        shape = arrays[0].shape
        for a in arrays[1:]:
            if a.shape != shape:
                raise ValueError(
                    "HashedCrossing: all inputs must have the same shape, received "
                    f"shapes {[x.shape for x in arrays]}"
                )
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(
                "HashedCrossing: inputs must be scalars, rank-1 or of shape (batch, 1), "
                f"received shape {shape}"
            )
        hashes = [self._feature_hashes(a).reshape(-1) for a in arrays]
        out = np.empty(hashes[0].shape, dtype="int64")
        for i in range(out.shape[0]):
            h = _CROSS_KEY
            for column in hashes:
                h = fingerprint_cat64(h, column[i])
            out[i] = h % self.num_bins
        indices = ops.convert_to_tensor(out.reshape(shape))
        return encode_categorical(indices, self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] == 1:
            return (*first[:-1], self.num_bins)
        return (*first, self.num_bins)

    def compute_output_spec(self, inputs: Any) -> Any:
        from kcore.keras_tensor import KerasTensor

        return KerasTensor(
            self.compute_output_shape([x.shape for x in inputs]), stored_dtype(self.compute_dtype)
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype_policy.name,
        }
