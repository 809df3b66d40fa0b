"""IntegerLookup and StringLookup: map tokens to indices (and back), in NumPy.

The lookup runs in NumPy on every backend (strings cannot be jax or torch tensors);
the indices or encodings come back as tensors of the selected backend, with the same
values as Keras 3 (same index layout, OOV hashing, adapt ordering and TF-IDF).

Example::

    >>> layer = kcore.layers.StringLookup(vocabulary=["a", "b"])
    >>> kcore.ops.convert_to_numpy(layer([["a", "c", "b"]]))
    array([[1, 0, 2]])
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from kcore import config as _config
from kcore import ops
from kcore.keras_tensor import KerasTensor
from kcore.layers._hashing import (
    _as_bytes,
    _is_one_batch,
    _output_mode,
    _salt_pair,
    _to_numpy,
    _update_batches,
    fingerprint64,
    siphash64,
    stored_dtype,
)
from kcore.layers.layer import Layer

_INT64_MAX = np.iinfo("int64").max
_LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _listify(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()]
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if hasattr(x, "shape"):
        return [_plain(v) for v in np.asarray(ops.convert_to_numpy(x)).tolist()]
    return x


def _plain(v: Any) -> Any:
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.generic):
        return v.item()
    return v


def encode_numpy(
    indices: np.ndarray, output_mode: str, depth: int, dtype: str, weights: np.ndarray | None = None
) -> np.ndarray:
    """Integer ``indices`` (NumPy) encoded as ``one_hot``/``multi_hot``/``count``
    (``depth`` bins; indices outside ``[0, depth)`` are dropped, as Keras drops the
    mask). A rank-1 input is one sample for ``multi_hot`` and ``count``.

    Example::

        >>> encode_numpy(np.array([[0, 2, 2]]), "count", 3, "int64")
        array([[1, 0, 2]])
    """
    indices = np.asarray(indices)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        hot = indices[..., None] == np.arange(depth)
        return hot.astype(dtype)
    valid = (indices >= 0) & (indices < depth)
    flat = indices.reshape(-1, indices.shape[-1])
    flat_valid = valid.reshape(flat.shape)
    out = np.zeros((flat.shape[0], depth), dtype="float64")
    rows = np.repeat(np.arange(flat.shape[0]), flat.shape[1])[flat_valid.reshape(-1)]
    cols = flat.reshape(-1)[flat_valid.reshape(-1)]
    np.add.at(out, (rows, cols), 1)
    if output_mode == "multi_hot":
        out = np.minimum(out, 1)
    out = out.reshape((*indices.shape[:-1], depth))
    if weights is not None:
        out = out * weights
    return out.astype(dtype)


class IndexLookup(Layer):
    """The shared machinery of :class:`StringLookup` and :class:`IntegerLookup`
    (not public in Keras; use the subclasses).

    Example::

        >>> kcore.layers.IntegerLookup(vocabulary=[7, 8]).vocabulary_size()
        3
    """

    _string = False

    def __init__(
        self,
        max_tokens: Any,
        num_oov_indices: int,
        mask_token: Any,
        oov_token: Any,
        vocabulary_dtype: str,
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        cls = type(self).__name__
        kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens <= 1):
            raise ValueError(
                f"{cls}: max_tokens must be greater than 1 when set, received "
                f"max_tokens={max_tokens}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                f"{cls}: pad_to_max_tokens=True needs max_tokens, received max_tokens=None"
            )
        if not isinstance(num_oov_indices, int) or num_oov_indices < 0:
            raise ValueError(
                f"{cls}: num_oov_indices must be an int >= 0, received "
                f"num_oov_indices={num_oov_indices}"
            )
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                f"{cls}: oov_method must be 'floormod' or 'farmhash', received "
                f"oov_method={oov_method!r}"
            )
        if salt is not None and not self._string and oov_method != "farmhash":
            raise ValueError(
                f"{cls}: salt can only be used with oov_method='farmhash', "
                f"received oov_method={oov_method!r}"
            )
        salt = _salt_pair(salt, cls)
        output_mode = _output_mode(output_mode, _LOOKUP_MODES, cls)
        if invert and output_mode != "int":
            raise ValueError(
                f"{cls}: invert=True needs output_mode='int', received output_mode={output_mode!r}"
            )
        if sparse:
            raise ValueError(f"{cls}: sparse outputs are not supported, received sparse={sparse}")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                f"{cls}: idf_weights may only be set with output_mode='tf_idf', "
                f"received output_mode={output_mode!r}"
            )
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(
                f"{cls}: with output_mode='tf_idf' and a vocabulary, idf_weights must "
                "be given too, received idf_weights=None"
            )
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._convert_inputs = False
        self._tokens: list[Any] = []
        self._table: dict[Any, int] = {}
        self._frozen_vocab_size: int | None = None
        self.idf_weights: np.ndarray | None = None
        self._reset_counts()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ------------------------------------------------------------------ tokens
    def _key(self, token: Any) -> Any:
        """The dictionary key of a token (bytes become str; numbers become ints)."""
        if self._string:
            return (
                token.decode(self.encoding) if isinstance(token, bytes | np.bytes_) else str(token)
            )
        return int(token)

    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The size of the vocabulary, mask and OOV indices included.

        Example::

            >>> kcore.layers.StringLookup(vocabulary=["a"], mask_token="").vocabulary_size()
            3
        """
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The vocabulary: index ``i`` holds the token the layer maps to ``i``.

        Example::

            >>> kcore.layers.StringLookup(vocabulary=["a", "b"]).get_vocabulary()
            ['[UNK]', 'a', 'b']
        """
        tokens = list(self._tokens)
        if not include_special_tokens:
            return tokens
        special = [self.oov_token] * self._token_start_index()
        if self.mask_token is not None and self.output_mode == "int":
            special[0] = self.mask_token
        return special + tokens

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Replace the vocabulary (a list, array, tensor, or a text file with one token a
        line) and, with ``output_mode="tf_idf"``, the IDF weights.

        Example::

            >>> layer = kcore.layers.IntegerLookup()
            >>> layer.set_vocabulary([5, 6])
            >>> layer.get_vocabulary()
            [-1, 5, 6]
        """
        cls = type(self).__name__
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{cls}: idf_weights must be set when output_mode='tf_idf'")
        elif idf_weights is not None:
            raise ValueError(
                f"{cls}: idf_weights may only be set with output_mode='tf_idf', "
                f"received output_mode={self.output_mode!r}"
            )
        if isinstance(vocabulary, str):
            if self.output_mode == "tf_idf":
                raise ValueError(f"{cls}: output_mode='tf_idf' cannot load a vocabulary file")
            try:
                with open(vocabulary, encoding="utf-8") as handle:
                    lines = handle.read().splitlines()
            except OSError:
                raise ValueError(f"{cls}: vocabulary file {vocabulary!r} does not exist") from None
            vocabulary = lines if self._string else [int(v) for v in lines]
        values = [self._key(v) for v in np.asarray(_to_numpy(vocabulary)).reshape(-1)]
        if not values:
            raise ValueError(f"{cls}: cannot set an empty vocabulary, received {vocabulary!r}")
        oov_start = self._oov_start_index()
        token_start = self._token_start_index()
        special = [self.mask_token] * oov_start + [self.oov_token] * self.num_oov_indices
        found_special = (
            len(values) >= token_start
            and [None if v is None else self._key(v) for v in special] == values[:token_start]
        )
        tokens = values[token_start:] if found_special and token_start else values
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"{cls}: the vocabulary has repeated terms {repeated}; make it unique")
        if self.mask_token is not None and self._key(self.mask_token) in tokens:
            raise ValueError(
                f"{cls}: found the mask token {self.mask_token!r} inside vocabulary; "
                f"leave it out, or put the special tokens {special} first"
            )
        if self.invert and self.oov_token is not None and self._key(self.oov_token) in tokens:
            raise ValueError(
                f"{cls}: found the OOV token {self.oov_token!r} inside vocabulary; "
                f"leave it out, or put the special tokens {special} first"
            )
        size = token_start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                f"{cls}: the vocabulary size {size} is larger than max_tokens={self.max_tokens}"
            )
        if self.output_mode == "tf_idf":
            weights = np.asarray(_to_numpy(idf_weights), dtype="float64")
            if weights.ndim != 1 or len(weights) != len(values):
                raise ValueError(
                    f"{cls}: idf_weights must be 1-D and as long as vocabulary "
                    f"({len(values)}), received shape {weights.shape}"
                )
            front = 0 if found_special and token_start else token_start
            front_value = 0.0 if front == 0 else float(np.average(weights))
            back = 0
            if self.pad_to_max_tokens and self.max_tokens is not None:
                back = self.max_tokens - front - len(weights)
            weights = np.pad(weights, (front, back), constant_values=(front_value, 0.0))
            self.idf_weights = weights.astype(_config.floatx())
        self._set_tokens(tokens)
        self._has_input_vocabulary = True

    def _set_tokens(self, tokens: list[Any]) -> None:
        if (
            self._frozen_vocab_size is not None
            and self.output_mode != "int"
            and not self.pad_to_max_tokens
            and len(tokens) + self._token_start_index() != self._frozen_vocab_size
        ):
            raise RuntimeError(
                f"{type(self).__name__}: with output_mode={self.output_mode!r} and "
                "pad_to_max_tokens=False the vocabulary size cannot change after the "
                f"layer is called (was {self._frozen_vocab_size}, new "
                f"{len(tokens) + self._token_start_index()})"
            )
        start = self._token_start_index()
        self._tokens = list(tokens)
        self._table = {t: i + start for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    # ---------------------------------------------------------------- saving
    def save_own_variables(self, store: Any) -> None:
        """Store the IDF weights (``"tf_idf"`` mode) in ``store`` (a dict-like)."""
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store: Any) -> None:
        """Restore what :meth:`save_own_variables` stored."""
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], dtype=_config.floatx())

    def save_assets(self, dir_path: str) -> None:
        """Write an adapted vocabulary to ``dir_path/vocabulary.txt`` (a vocabulary
        given to the constructor is in the config instead), as Keras does."""
        import os

        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(str(w) for w in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        """Read the vocabulary :meth:`save_assets` wrote."""
        import os

        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._string else [int(v) for v in lines]
        weights = self.idf_weights if self.output_mode == "tf_idf" else None
        self._has_input_vocabulary = False
        self._frozen_vocab_size = None
        self.set_vocabulary(values, idf_weights=weights)

    # ------------------------------------------------------------------- adapt
    def _reset_counts(self) -> None:
        self._counts: collections.Counter = collections.Counter()
        self._doc_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    def reset_state(self) -> None:
        """Forget the token counts gathered by :meth:`update_state`."""
        self._reset_counts()

    def update_state(self, data: Any) -> None:
        """Count the tokens of one batch (a 1-D batch is one document)."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"{type(self).__name__}: cannot adapt layer '{self.name}' after setting "
                "a vocabulary (vocabulary argument or set_vocabulary())"
            )
        array = np.asarray(_to_numpy(data))
        if array.ndim < 2:
            array = array.reshape(1, -1)
        array = array.reshape(array.shape[0], -1)
        keys = [[self._key(v) for v in row] for row in array]
        for row in keys:
            self._counts.update(row)
        if self.output_mode == "tf_idf":
            for row in keys:
                self._doc_counts.update(set(row))
            self._num_documents += len(keys)

    def finalize_state(self) -> None:
        """Build the vocabulary from the counts: by count, ties by token, descending."""
        if self._has_input_vocabulary or not self._counts:
            if not self._has_input_vocabulary:
                self._frozen_vocab_size = self.vocabulary_size()
            return
        counts = dict(self._counts)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(self._key(special), None)
        tokens = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            tokens = tokens[: self.max_tokens - self._token_start_index()]
        if self.output_mode == "tf_idf":
            docs = np.array([self._doc_counts[t] for t in tokens], dtype="float64")
            idf = np.log(1 + self._num_documents / (1 + docs))
            idf = np.pad(idf, (self._token_start_index(), 0), constant_values=float(np.mean(idf)))
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = idf.astype(_config.floatx())
        self._frozen_vocab_size = None
        self._set_tokens(tokens)
        self._reset_counts()

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary (and IDF weights) from ``data``: an array, a list, a
        tensor, or an iterable of batches (at most ``steps`` of them).

        Example::

            >>> layer = kcore.layers.StringLookup()
            >>> layer.adapt(["b", "a", "b"])
            >>> layer.get_vocabulary()
            ['[UNK]', 'b', 'a']
        """
        self.reset_state()
        if _is_one_batch(data):
            array = np.asarray(_to_numpy(data))
            if array.ndim == 1:
                array = array[:, None]
            self.update_state(array)
        else:
            _update_batches(self, data, steps)
        self.finalize_state()

    # -------------------------------------------------------------------- call
    def _oov_indices(self, values: list[Any]) -> np.ndarray:
        n = self.num_oov_indices
        if not self._string and self.oov_method != "farmhash":
            return np.array([v % n for v in values], dtype="int64")
        out = []
        for v in values:
            data = _as_bytes(v) if self._string else str(int(v)).encode()
            h = siphash64(self.salt, data) if self.salt is not None else fingerprint64(data)
            out.append(h % n)
        return np.array(out, dtype="int64")

    def _lookup(self, array: np.ndarray) -> np.ndarray:
        flat = array.reshape(-1)
        try:  # look each distinct value up once
            uniques, inverse = np.unique(flat, return_inverse=True)
        except TypeError:  # mixed str and bytes
            uniques, inverse = flat, np.arange(flat.size)
        keys = [self._key(v) for v in uniques]
        default = -1 if self.num_oov_indices != 1 else self._oov_start_index()
        out = np.array([self._table.get(k, default) for k in keys], dtype="int64")
        if self.mask_token is not None:
            mask_key = self._key(self.mask_token)
            is_mask = np.array([k == mask_key for k in keys], dtype=bool)
            out = np.where(is_mask, 0 if self.output_mode == "int" else _INT64_MAX, out)
        else:
            is_mask = np.zeros(out.shape, dtype=bool)
        missing = (out == -1) & ~is_mask
        if self.num_oov_indices == 0 and missing.any():
            bad = [keys[i] for i in np.flatnonzero(missing)]
            raise ValueError(
                f"{type(self).__name__}: with num_oov_indices=0 all inputs must be in "
                f"the vocabulary; found OOV values {bad}. Consider num_oov_indices=1"
            )
        if self.num_oov_indices > 1 and missing.any():
            where = np.flatnonzero(missing)
            out[where] = self._oov_indices([keys[i] for i in where]) + self._oov_start_index()
        return (
            out[inverse.reshape(-1)].reshape(array.shape)
            if out.size
            else np.zeros(array.shape, dtype="int64")
        )

    def _invert(self, array: np.ndarray) -> np.ndarray:
        vocab = self.get_vocabulary()
        flat = array.reshape(-1).astype("int64")
        oov = self.oov_token
        start = self._token_start_index()
        values = []
        for i in flat:
            if self.mask_token is not None and i == 0:
                values.append(self.mask_token)
            elif start <= i < len(vocab):
                values.append(vocab[i])
            else:
                values.append(oov)
        if self._string:
            out = np.array(values, dtype=str) if values else np.array([], dtype=str)
            return out.reshape(array.shape)
        return np.array(values, dtype="int64").reshape(array.shape)

    def _depth(self) -> int:
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"{type(self).__name__}: with output_mode={self.output_mode!r} and "
                "pad_to_max_tokens=False, set the vocabulary (vocabulary argument or "
                "adapt()) before calling the layer"
            )
        return self._frozen_vocab_size

    def call(self, inputs: Any) -> Any:
        array = np.asarray(_to_numpy(inputs))
        if self.invert:
            result = self._invert(array)
            return result if self._string else ops.convert_to_tensor(result)
        indices = self._lookup(array)
        if self.output_mode == "int":
            return ops.convert_to_tensor(indices)
        depth = self._depth()
        if self.output_mode == "tf_idf":
            weights = self.idf_weights
            if weights is None:
                raise ValueError(
                    f"{type(self).__name__}: output_mode='tf_idf' needs idf_weights "
                    "(give them, or call adapt())"
                )
            counts = encode_numpy(indices, "count", depth, "float64")
            return ops.convert_to_tensor((counts * weights[:depth]).astype(_config.floatx()))
        return ops.convert_to_tensor(encode_numpy(indices, self.output_mode, depth, "int64"))

    def compute_output_shape(self, input_shape: Any) -> Any:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return (*input_shape[:-1], depth)
            return (*input_shape, depth)
        return (*input_shape[:-1], depth)

    def compute_output_spec(self, inputs: Any) -> Any:
        if self.output_mode == "tf_idf":
            dtype = _config.floatx()
        elif self.invert and self._string:
            raise ValueError(
                f"{type(self).__name__}: kcore tensors cannot hold strings; call the "
                "inverting layer eagerly (it returns a NumPy string array)"
            )
        else:
            dtype = stored_dtype("int64")
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }


class StringLookup(IndexLookup):
    """Map strings to integer indices (or encodings), or indices back to strings.

    Indices: ``0`` is the mask token (when ``mask_token`` is set, in ``"int"`` mode),
    then ``num_oov_indices`` OOV indices (OOV strings are spread over them by FarmHash),
    then the vocabulary. Works on lists and NumPy arrays of ``str``/``bytes`` on every
    backend; outputs are tensors of the selected backend (``invert=True`` returns a
    NumPy string array).

    Args:
        max_tokens: the most tokens the vocabulary may hold (special tokens included).
        num_oov_indices: the number of OOV indices.
        mask_token: the token mapped to index 0 (``None``: no mask index).
        oov_token: the token returned for OOV indices when ``invert=True``.
        vocabulary: a list/array of strings or a path to a text file.
        idf_weights: with ``output_mode="tf_idf"``, one weight per vocabulary term.
        invert: map indices to strings.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or
            ``"tf_idf"``.
        pad_to_max_tokens: pad encodings to ``max_tokens`` bins.
        sparse: unsupported (must be False).
        encoding: the text encoding of ``bytes`` inputs.
        salt: hash OOV tokens with SipHash keyed by this int or pair of ints.

    Example::

        >>> layer = kcore.layers.StringLookup(vocabulary=["a", "b", "c"])
        >>> kcore.ops.convert_to_numpy(layer([["a", "c", "d"], ["d", "z", "b"]]))
        array([[1, 3, 0],
               [0, 0, 2]])
    """

    _string = True

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | None = None,
        oov_token: str = "[UNK]",
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            name=name,
            salt=salt,
            vocabulary_dtype="string",
            **kwargs,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config


class IntegerLookup(IndexLookup):
    """Map integers to contiguous indices (or encodings), or indices back to integers.

    OOV integers are spread over the ``num_oov_indices`` OOV indices by
    ``value % num_oov_indices`` (``oov_method="floormod"``) or by FarmHash of their
    decimal string (``"farmhash"``, SipHash with a ``salt``), as in Keras.

    Args:
        max_tokens: the most tokens the vocabulary may hold (special tokens included).
        num_oov_indices: the number of OOV indices.
        mask_token: the integer mapped to index 0 (``None``: no mask index).
        oov_token: the integer returned for OOV indices when ``invert=True``.
        vocabulary: a list/array of ints or a path to a text file.
        vocabulary_dtype: only ``"int64"``.
        idf_weights: with ``output_mode="tf_idf"``, one weight per vocabulary term.
        invert: map indices back to integers.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or
            ``"tf_idf"``.
        sparse: unsupported (must be False).
        pad_to_max_tokens: pad encodings to ``max_tokens`` bins.
        oov_method: ``"floormod"`` or ``"farmhash"``.
        salt: with ``oov_method="farmhash"``, hash with SipHash keyed by it.

    Example::

        >>> layer = kcore.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> kcore.ops.convert_to_numpy(layer([[12, 1138, 42], [42, 1000, 36]]))
        array([[1, 3, 4],
               [4, 0, 2]])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | None = None,
        oov_token: int = -1,
        vocabulary: Any = None,
        vocabulary_dtype: str = "int64",
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if vocabulary_dtype != "int64":
            raise ValueError(
                "IntegerLookup: only vocabulary_dtype='int64' is supported, received "
                f"vocabulary_dtype={vocabulary_dtype!r}"
            )
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype=vocabulary_dtype,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            name=name,
            **kwargs,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
