"""``kcore.random``: random sampling (Keras 3's ``keras.random``).

Every function takes a ``seed``: an int (the same int gives the same numbers on the
same backend), a :class:`SeedGenerator` (each call draws the generator's next seed,
so a model's randomness is reproducible from the generator's seed), a seed tensor of
shape ``(2,)`` (what traced code passes, e.g. inside ``jax.jit``), or ``None`` (a
global unseeded stream: fresh numbers on every call). Different backends draw
different numbers from the same seed, as in Keras.

The functions are ops of the op contract, bound onto this module for the selected
backend. A backend's implementation turns ``seed`` into its own generator state
with :func:`_draw_seed` and checks its arguments with the helpers below, so every
backend accepts and refuses the same arguments.

Example::

    >>> import kcore
    >>> x = kcore.random.normal((2, 3), seed=42)
    >>> gen = kcore.random.SeedGenerator(1337)
    >>> mask = kcore.random.uniform((4,), seed=gen) > 0.5
"""

from __future__ import annotations

import operator as _operator
import random as _python_random
from typing import TYPE_CHECKING

# Aliased: this module's public names are Keras's keras.random, nothing more.
from kcore.dtypes import standardize_dtype as _standardize_dtype
from kcore.keras_tensor import KerasTensor as _KerasTensor
from kcore.ops import rules as _rules
from kcore.ops.contract import op as _op
from kcore.variables import Variable as _Variable

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "SeedGenerator",
    "beta",
    "binomial",
    "categorical",
    "dropout",
    "gamma",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]

_SEED_LIMIT = 2**32
_FLOATS = ("float16", "bfloat16", "float32", "float64")
_INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


class SeedGenerator:
    """A stateful seed for the random functions: each draw gets a fresh seed, and the
    sequence of seeds is fixed by the generator's own ``seed``.

    The state is a non-trainable :class:`kcore.Variable` of shape ``(2,)`` holding
    ``[seed, counter]`` (dtype ``uint32``, or ``int64`` on backends without uint32
    arithmetic); :meth:`next` returns the current state and advances the counter.
    Passing ``SeedGenerator(s)`` gives first the same numbers as passing the int
    ``s``, then new ones on every call.

    Args:
        seed: an int in ``[0, 2**32)``; ``None`` picks one at random.
        name: a name for the generator (and its state variable's path).
        backend: (keyword) the backend, or its name, whose variable holds the state;
            default: the selected backend.

    Example::

        >>> gen = kcore.random.SeedGenerator(42)
        >>> a = kcore.random.normal((2,), seed=gen)
        >>> b = kcore.random.normal((2,), seed=gen)   # differs from a
    """

    def __init__(self, seed=None, name=None, **kwargs):
        from kcore import backend as backend_module

        backend = kwargs.pop("backend", None)
        if kwargs:
            raise TypeError(f"SeedGenerator: unexpected keyword arguments {sorted(kwargs)}")
        if seed is None:
            seed = _python_random.randrange(_SEED_LIMIT)
        self._initial_seed = _checked_int_seed(seed, "SeedGenerator")
        self.name = name or "seed_generator"
        if isinstance(backend, str):
            backend = backend_module.get_backend(backend)
        elif not isinstance(backend, backend_module.Backend):  # Keras passes a module
            backend = backend_module.current()
        self.backend = backend
        dtype = "uint32" if "uint32" in backend.capabilities.dtypes else "int64"
        self.state = backend.Variable(
            [self._initial_seed, 0],
            dtype=dtype,
            trainable=False,
            name="seed_generator_state",
        )
        # Made with the variable, never while a function is being traced.
        self._zero = backend.convert_to_tensor([0, 0], dtype=dtype)
        self._one = backend.convert_to_tensor([0, 1], dtype=dtype)

    def next(self, ordered: bool = True) -> Any:
        """The current seed (a tensor of shape ``(2,)``); advances the state.

        ``ordered`` is accepted for Keras compatibility (kcore's draws are always
        ordered).
        """
        add = self.backend.ops["add"]  # the backend's own function: no dispatch
        value = self.state.value
        seed = add(value, self._zero)  # a copy: some backends assign in place
        self.state.assign(add(value, self._one))
        return seed

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name}, seed={self._initial_seed}>"


def _checked_int_seed(seed: Any, where: str = "") -> int:
    prefix = f"{where}: " if where else ""
    if isinstance(seed, bool) or not isinstance(seed, int):
        try:
            if isinstance(seed, bool):
                raise TypeError
            seed = _operator.index(seed)  # NumPy integers
        except TypeError:
            raise ValueError(
                f"{prefix}expected an int seed in [0, 2**32), received seed={seed!r} "
                f"of type {type(seed).__name__}"
            ) from None
    if not 0 <= seed < _SEED_LIMIT:
        raise ValueError(f"{prefix}expected an int seed in [0, 2**32), received seed={seed}")
    return int(seed)


# The global unseeded stream: a random base and a counter, kept in Python so that an
# unseeded draw costs nothing and survives a change of backend.
_global_state = {"base": None, "counter": 0}


def _reset_global_seed(seed: int | None = None) -> None:
    """Restart the unseeded stream from ``seed`` (``None``: a random base). For
    ``set_random_seed``-style utilities."""
    _global_state["base"] = None if seed is None else _checked_int_seed(seed)
    _global_state["counter"] = 0


def _draw_seed(seed: Any) -> Any:
    """The seed a backend implementation uses, from a public ``seed`` argument.

    Returns a pair of Python ints for an int or ``None`` (the next draw of the global
    stream), or a tensor of shape ``(2,)`` for a :class:`SeedGenerator` (its next
    seed) or a seed tensor, which is returned unchanged so traced code stays traced
    (a :class:`kcore.Variable` holding one: its value).
    """
    if seed is None:
        if _global_state["base"] is None:
            _global_state["base"] = _python_random.randrange(_SEED_LIMIT)
        count = _global_state["counter"] = _global_state["counter"] + 1
        return (_global_state["base"], count % _SEED_LIMIT)
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, int) and not isinstance(seed, bool):
        return (_checked_int_seed(seed), 0)
    shape, dtype = getattr(seed, "shape", None), getattr(seed, "dtype", None)
    if shape is not None and dtype is not None and not isinstance(seed, _KerasTensor):
        if "key<" in str(dtype):  # a JAX typed key array
            return seed.value if isinstance(seed, _Variable) else seed
        try:
            integral = _standardize_dtype(dtype).startswith(("int", "uint"))
        except Exception:
            integral = False
        if integral and tuple(shape) == (2,):
            return seed.value if isinstance(seed, _Variable) else seed
        if integral and tuple(shape) == ():  # a NumPy integer or a 0-d tensor
            return (_checked_int_seed(int(seed)), 0)
    raise ValueError(
        "expected seed to be an int, a kcore.random.SeedGenerator, an integer seed "
        f"tensor of shape (2,) or None (received a {type(seed).__name__})"
    )


def _float_dtype(dtype: Any) -> str:
    """``dtype`` (default: floatx) if it is a floating-point dtype."""
    if dtype is None:
        from kcore.config import floatx

        return floatx()
    name = _standardize_dtype(dtype)
    if name not in _FLOATS:
        raise ValueError("expected a floating-point dtype (float16, bfloat16, float32 or float64)")
    return name


def _int_dtype(dtype: Any) -> str:
    name = _standardize_dtype(dtype)
    if name not in _INTS:
        raise ValueError("expected an integer dtype (int8, ..., int64, uint8, ..., uint64)")
    return name


def _shape(shape: Any) -> tuple[int, ...]:
    """``shape`` as a tuple of non-negative ints (an int means a 1-D shape)."""
    if isinstance(shape, int):
        shape = (shape,)
    try:
        dims = tuple(_operator.index(d) for d in shape)
    except TypeError:
        raise ValueError(
            "expected shape to be a tuple of ints (a random tensor needs a fully known "
            "shape: no None dimension)"
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError("expected a shape of non-negative dimensions")
    return dims


def _check_range(minval: Any, maxval: Any, strict: bool) -> None:
    """Refuse ``maxval < minval`` (``<=`` when ``strict``) given as Python numbers."""
    if isinstance(minval, int | float) and isinstance(maxval, int | float):
        if maxval < minval or (strict and maxval == minval):
            relation = "<" if strict else "<="
            raise ValueError(f"expected minval {relation} maxval")


def _check_rate(rate: Any) -> None:
    if isinstance(rate, int | float) and not 0 <= rate <= 1:
        raise ValueError("expected a dropout rate in [0, 1]")


def _dropout_scale(rate: Any) -> float | None:
    """Check ``rate``; return what dropout scales the kept entries by, ``1 / (1 - rate)``,
    as a Python float when ``rate`` is a Python number (0 for a rate of 1: no inf), or
    ``None`` for a tensor rate, whose scale the backend computes."""
    _check_rate(rate)
    if isinstance(rate, int | float):
        return 1.0 / (1.0 - rate) if rate < 1 else 0.0
    return None


def _shuffle_axis(axis: int, rank: int) -> int:
    """``shuffle``'s ``axis`` as a non-negative axis of a tensor of ``rank``."""
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis < rank:
        raise ValueError(f"expected axis in [-{rank}, {rank})")
    return axis


def _noise_shape(noise_shape: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The dropout mask's shape: ``noise_shape`` with ``None`` entries taken from the
    input's ``shape`` (default: the input's shape)."""
    if noise_shape is None:
        return tuple(shape)
    noise_shape = tuple(noise_shape)
    if len(noise_shape) != len(shape):
        raise ValueError(f"expected noise_shape of rank {len(shape)} (the input's)")
    return _shape(s if d is None else d for d, s in zip(noise_shape, shape))


def _check_logits(logits: Any) -> None:
    if len(logits.shape) != 2:
        raise ValueError("expected 2-D logits of shape (batch_size, num_classes)")


# -- symbolic shape rules (random ops never trace the backend symbolically) ----------


def _same_as_input(x, *args, **kwargs):
    return _KerasTensor(x.shape, _standardize_dtype(x.dtype))


def _dropout_rule(inputs, rate, noise_shape=None, seed=None):
    dtype = _standardize_dtype(inputs.dtype)
    if dtype not in _FLOATS:
        from kcore.config import floatx

        dtype = floatx()
    return _KerasTensor(inputs.shape, dtype)


def _categorical_rule(logits, num_samples, dtype="int32", seed=None):
    _check_logits(logits)
    return _KerasTensor((logits.shape[0], int(num_samples)), _standardize_dtype(dtype))


# -- the ops ---------------------------------------------------------------------------


@_op("random", tensors=(), grad=False)
def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal (Gaussian) distribution.

    Args: ``shape`` the output shape; ``mean`` and ``stddev`` of the distribution;
    ``dtype`` a floating-point dtype (default: floatx); ``seed`` an int, a
    :class:`SeedGenerator`, a seed tensor or ``None``.

    Example::

        >>> x = kcore.random.normal((2, 3), mean=1.0, stddev=0.5, seed=42)
    """
    ...


@_op("random", tensors=(), grad=False)
def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from the uniform distribution on ``[minval, maxval)``.

    ``dtype`` must be a floating-point dtype (default: floatx); use :func:`randint`
    for integers.

    Example::

        >>> x = kcore.random.uniform((4,), minval=-1.0, maxval=1.0, seed=0)
    """
    ...


@_op("random", tensors=(), grad=False)
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution truncated to ``mean ± 2 * stddev``
    (values further out are redrawn).

    Example::

        >>> w = kcore.random.truncated_normal((3, 3), stddev=0.05, seed=1)
    """
    ...


@_op("random", tensors=(), grad=False)
def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from ``[minval, maxval)``; ``dtype`` must be an
    integer dtype.

    Example::

        >>> i = kcore.random.randint((5,), 0, 10, seed=3)
    """
    ...


@_op("random", tensors=("logits",), grad=False, shape_rule=_categorical_rule)
def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draws class indices from the categorical distributions given by the rows of
    ``logits`` (shape ``(batch_size, num_classes)``, unnormalized log-probabilities);
    returns ``num_samples`` indices per row, shape ``(batch_size, num_samples)``.

    Example::

        >>> logits = kcore.ops.convert_to_tensor([[0.0, 2.0, -1.0]])
        >>> idx = kcore.random.categorical(logits, 8, seed=0)   # shape (1, 8)
    """
    ...


@_op("random", tensors=("inputs",), grad=False, shape_rule=_dropout_rule)
def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes each entry of ``inputs`` with probability ``rate`` and scales the others
    by ``1 / (1 - rate)``, so the expected value is unchanged.

    ``noise_shape`` (broadcastable to the input's shape; ``None`` entries take the
    input's size) shares one keep/drop decision along the axes where it is 1. Integer
    inputs give floatx results.

    Example::

        >>> x = kcore.ops.convert_to_tensor([[1.0, 2.0, 3.0, 4.0]])
        >>> y = kcore.random.dropout(x, 0.5, seed=7)   # entries 0 or twice x
    """
    ...


@_op("random", tensors=("x",), grad=False, shape_rule=_same_as_input, expect=_rules.axis())
def shuffle(x, axis=0, seed=None):
    """Randomly permutes ``x`` along ``axis`` (the same permutation for every slice).

    Example::

        >>> x = kcore.ops.convert_to_tensor([1, 2, 3, 4])
        >>> y = kcore.random.shuffle(x, seed=0)   # a permutation of x
    """
    ...


@_op("random", tensors=(), grad=False)
def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from the gamma distribution of shape ``alpha`` and scale 1 (mean and
    variance ``alpha``).

    Example::

        >>> g = kcore.random.gamma((1000,), alpha=2.0, seed=0)
    """
    ...


@_op("random", tensors=(), grad=False)
def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples from the binomial distribution: successes in ``counts`` trials of
    probability ``probabilities``, as a floating-point tensor (default floatx).

    Example::

        >>> b = kcore.random.binomial((10,), counts=5, probabilities=0.5, seed=0)
    """
    ...


@_op("random", tensors=(), grad=False)
def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from the beta distribution with parameters ``alpha`` and ``beta``
    (values in ``[0, 1]``, mean ``alpha / (alpha + beta)``).

    Example::

        >>> p = kcore.random.beta((100,), alpha=2.0, beta=5.0, seed=0)
    """
    ...
